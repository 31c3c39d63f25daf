/**
 * Jointech downlink commands: the text frame `(deviceId,1,serial,WORD,index[,params...])` sent on
 * `download/{accessKey}/{deviceNum}/cmd`, a catalogue of the commands the documents name with
 * their parameter ranges, the rotating 3-digit serial, the reply frame's parts and failure texts,
 * and reply matching.
 */
import { ProtocolError } from '../protocol-error';
import { deviceNumber } from './topics';
import type { CommandReply } from './messages';
import { formatCompactUtc, fromEpochMs, parseCompactUtc } from '../time';
import { COMMANDS, type CommandSpec, type ParamSpec } from './command-catalogue';

export { COMMANDS, type CommandSpec, type ParamSpec };

/** A command ready to send: the parts of the frame. */
export interface CommandRequest {
  deviceId: string;
  word: string;
  index: string;
  /** WORD + index, the platform's commandType. */
  command: string;
  params: string[];
}

/** Characters that would end or split the frame. */
const FRAME_BREAKERS = /[(),\r\n]/;

function paramText(value: unknown, what: string): string {
  const s = typeof value === 'number' && Number.isFinite(value) ? String(value) : typeof value === 'string' ? value.trim() : undefined;
  if (s === undefined) throw new ProtocolError('bad-param', `${what} must be a number or text`, { value });
  if (FRAME_BREAKERS.test(s)) throw new ProtocolError('bad-param', `${what} must not contain "(", ")", "," or line breaks`, { value });
  return s;
}

function checkParam(spec: ParamSpec, value: unknown, command: string): string[] {
  const what = `${command} ${spec.name}`;
  const empty = value === undefined || value === null || value === '';
  if (spec.kind === 'utc-time') {
    // BASE2 carries UTC as yyyyMMddHHmmss: an impossible time is refused, never sent.
    const bad = (got: string) => new ProtocolError('bad-param', `${what} must be a real UTC time as yyyyMMddHHmmss, got "${got}"`, { value });
    if (empty) return [formatCompactUtc(Date.now())];
    if (value instanceof Date) {
      if (!fromEpochMs(value.getTime())) throw bad(String(value));
      return [formatCompactUtc(value.getTime())];
    }
    const s = paramText(value, what);
    if (!parseCompactUtc(s)) throw bad(s);
    return [s];
  }
  if (empty) {
    if (spec.kind === 'text' && spec.counted) return ['0'];
    if (spec.optional) return [];
    throw new ProtocolError('bad-param', `${what} is required`, { param: spec.name });
  }
  if (spec.kind === 'int') {
    const s = paramText(value, what);
    const n = Number(s);
    const ok = /^-?\d+$/.test(s) && ((n >= spec.min && n <= spec.max) || (spec.zeroOff === true && n === 0));
    if (!ok) {
      const range = `${spec.zeroOff ? '0 or ' : ''}${spec.min}..${spec.max}${spec.unit ? ` ${spec.unit}` : ''}`;
      throw new ProtocolError('bad-param', `${what} must be a whole number in ${range}, got "${s}"`, { param: spec.name, value });
    }
    return [String(n)];
  }
  const s = Array.isArray(value) ? value.map((v) => paramText(v, what)).join(' ') : paramText(value, what);
  if (!new RegExp(spec.pattern).test(s)) throw new ProtocolError('bad-param', `${what} "${s}" is not valid (example: ${spec.example})`, { param: spec.name, value });
  const items = s.split(' ');
  return spec.counted ? [String(items.length), ...items] : items;
}

/**
 * The ids of a counted list given after the operation: `<count>,<id>...` (the count, a whole
 * number up to 99, must match) or the ids alone. No ids means count 0.
 */
function countedTail(tail: unknown[], name: string): string[] | undefined {
  const first = tail[0];
  const count = typeof first === 'number' ? first : typeof first === 'string' && /^\d{1,2}$/.test(first.trim()) ? Number(first) : undefined;
  const ids = count === undefined ? tail : tail.slice(1);
  if (count !== undefined && count !== ids.length) {
    throw new ProtocolError('bad-param', `${name} count ${String(first)} does not match the ${ids.length} id(s) after it`, { given: tail });
  }
  return ids.length === 0 ? undefined : ids.map((v) => paramText(v, `${name} id`));
}

/**
 * Parameters for a catalogued command, from a list (in order) or an object keyed by parameter
 * name, checked against the catalogue's ranges. `operation` 0 (query) sends no parameters.
 */
export function catalogueParams(spec: CommandSpec, name: string, given: unknown, operation?: unknown): string[] {
  const list = Array.isArray(given) ? given : undefined;
  const named = !list && given && typeof given === 'object' ? (given as Record<string, unknown>) : undefined;
  if (given !== undefined && given !== null && given !== '' && !list && !named) {
    throw new ProtocolError('bad-param', `${name} parameters must be a list or an object keyed by parameter name`, { given });
  }
  let values = spec.params.map((p, i) => (list ? list[i] : named?.[p.name]));
  const out: string[] = [];
  const fixed = spec.fixed ?? [];
  if (spec.operation) {
    const counted = spec.params.length === 1 && spec.params[0]!.kind === 'text' && spec.params[0]!.counted === true;
    // A counted list (WLNET1) may also be the ids alone, as typed in the dialog: "E017668836,E03B60000A".
    const idsOnly = counted && list !== undefined && list.length > 0 && !['0', '1'].includes(String(list[0]).trim());
    const opGiven = operation ?? named?.operation ?? (list && !idsOnly && list.length > spec.params.length ? list[0] : undefined);
    if (list && counted && (idsOnly || list.length > 1)) {
      // WLNET1 as the manual spells it, operation then <count>,<id1>,...; or operation then the ids.
      // Every id counts: the set replaces the whole bound list.
      values = [countedTail(idsOnly ? list : list.slice(1), name)];
    } else if (list && list.length > spec.params.length) {
      // A list may spell the whole frame tail as the manual does: operation, fixed fields, parameters.
      const skip = list.length === 1 + fixed.length + spec.params.length ? 1 + fixed.length : 1;
      const spelled = list.slice(1, skip).map((v, i) => paramText(v, `${name} field ${i + 2}`));
      if (spelled.some((v, i) => v !== fixed[i])) {
        throw new ProtocolError('bad-param', `${name} expects ${fixed.join(',')} after the operation, got ${spelled.join(',')}`, { given });
      }
      values = spec.params.map((_p, i) => list[i + skip]);
    }
    const op = opGiven === undefined || opGiven === '' ? (values.some((v) => v !== undefined && v !== '') ? 1 : 0) : Number(opGiven);
    if (op !== 0 && op !== 1) throw new ProtocolError('bad-param', `${name} operation must be 1 (set) or 0 (query)`, { operation: opGiven });
    out.push(String(op));
    if (op === 0) {
      // A list that spells 0 and then values (GSENS,2,0,500,80) would lose them to a query: say so.
      if (list && list.length > 1 && list[0] === opGiven && list.slice(1).some((v) => v !== undefined && v !== null && v !== '')) {
        throw new ProtocolError('bad-param', `${name} operation 0 is a query and sends no parameters; send the values with 1 (set), or a raw frame`, { given });
      }
      return out;
    }
    out.push(...fixed);
  } else if (list && list.length > spec.params.length) {
    throw new ProtocolError('bad-param', `${name} takes ${spec.params.length} parameter(s), got ${list.length}`, { given });
  }
  spec.params.forEach((p, i) => out.push(...checkParam(p, values[i], name)));
  return out;
}

/** Any command outside the catalogue: WORD letters, index digits, parameters free but frame-safe. */
export function freeCommand(command: string, params: unknown): { word: string; index: string; params: string[] } {
  const m = /^([A-Za-z]{1,16}),?(\d{1,3})$/.exec(command.trim());
  if (!m) throw new ProtocolError('bad-command', `command "${command}" must be a WORD followed by its index, e.g. BASE1 or WLNET8`, { command });
  const list = params === undefined || params === null || params === '' ? [] : Array.isArray(params) ? params : String(params).split(',');
  return { word: m[1]!.toUpperCase(), index: String(Number(m[2])), params: list.map((p, i) => paramText(p, `${command} parameter ${i + 1}`)) };
}

/** A command from its parts, validated before anything is sent. */
export function buildRequest(device: unknown, command: unknown, params?: unknown, operation?: unknown): CommandRequest {
  const deviceId = deviceNumber(device);
  if (typeof command !== 'string' || command.trim() === '') throw new ProtocolError('bad-command', 'no command given (e.g. BASE1)', { command });
  const key = command.trim().toUpperCase().replace(',', '');
  const spec = COMMANDS[key];
  if (spec) {
    return { deviceId, word: spec.word, index: String(spec.index), command: key, params: catalogueParams(spec, key, params, operation) };
  }
  const free = freeCommand(command, params);
  return { deviceId, ...free, command: `${free.word}${free.index}` };
}

/** An expert's raw frame "(deviceId,f2,serial,WORD,index,params...)"; the serial is the node's to set. */
export function parseRawFrame(text: string): CommandRequest {
  const m = /^\((.*)\)$/s.exec(text.trim());
  if (!m) throw new ProtocolError('bad-frame', `a raw command must look like (deviceId,1,001,WORD,index,...), got "${text.slice(0, 60)}"`, { text });
  const fields = m[1]!.split(',').map((f) => f.trim());
  if (fields.length < 5) throw new ProtocolError('bad-frame', 'a raw command needs at least deviceId, 1, serial, WORD and index', { text });
  const [device, , , word, index, ...params] = fields as [string, string, string, string, string, ...string[]];
  const free = freeCommand(`${word}${index}`, params);
  return { deviceId: deviceNumber(device), ...free, command: `${free.word}${free.index}` };
}

/** The frame as the platform forwards it: field 2 is always 1 from the platform side. */
export function encodeFrame(req: CommandRequest, serial: string): string {
  return `(${[req.deviceId, '1', serial, req.word, req.index, ...req.params].join(',')})`;
}

/**
 * 3-digit serials, rotating per device. A device drops a command whose serial equals the previous
 * one as a duplicate; each device starts at a random serial so that a restart does not repeat
 * the last serial sent before it.
 */
export class SerialCounter {
  private readonly last = new Map<string, number>();

  constructor(private readonly random: () => number = Math.random) {}

  next(deviceId: string): string {
    const prev = this.last.get(deviceId);
    const n = prev === undefined ? 1 + Math.floor(this.random() * 999) : (prev % 999) + 1;
    this.last.set(deviceId, n);
    return String(n).padStart(3, '0');
  }
}

/** The platform's own failure texts (with the full-width "！" the documents show) and their codes. */
const FAILURES: ReadonlyArray<readonly [RegExp, string]> = [
  [/not online/i, 'device-offline'],
  [/not been registered|not registered/i, 'device-unregistered'],
];

/** The stable code of a failure reply's text; 'platform-error' for a text not listed. */
export function failureCode(text: string): string {
  return FAILURES.find(([re]) => re.test(text))?.[1] ?? 'platform-error';
}

export interface CommandFrame {
  deviceId: string;
  /** Field 2: the device's protocol/type code (the platform sends 1, replies carry e.g. 8). */
  protocol: string;
  serial: string;
  word: string;
  index: string;
  /** WORD + index, e.g. "BASE1", as the platform's commandType. */
  command: string;
  params: string[];
}

/** A reply frame split into its parts: (deviceId, protocol, serial, WORD, index, params...). */
export function frameFromFields(fields: string[]): CommandFrame | null {
  if (fields.length < 5) return null;
  const [deviceId, protocol, serial, word, index, ...params] = fields as [string, string, string, string, string, ...string[]];
  return { deviceId, protocol, serial, word, index, command: `${word}${index}`, params };
}

/** A reply's fields after WORD and index, named where the catalogue knows them. */
export function namedReply(command: string, params: readonly string[]): Record<string, string | null> | null {
  const names = COMMANDS[command]?.reply;
  if (!names) return null;
  const out: Record<string, string | null> = {};
  names.forEach((n, i) => { out[n] = params[i] ?? null; });
  return out;
}

export interface PendingCommand<T> {
  deviceId: string;
  command: string;
  serial: string;
  sentAt: number;
  data: T;
}

/**
 * Commands waiting for their replies. A reply goes to the request with the same device, command
 * and serial; if the device did not echo the serial, to the oldest request with the same device
 * and command. The platform's failure replies (commandType MQTT_CMD, no frame) go to the
 * oldest request for the device.
 */
export class PendingCommands<T> {
  private readonly list: Array<PendingCommand<T>> = [];

  get size(): number {
    return this.list.length;
  }

  add(p: PendingCommand<T>): void {
    this.list.push(p);
  }

  remove(p: PendingCommand<T>): boolean {
    const i = this.list.indexOf(p);
    if (i >= 0) this.list.splice(i, 1);
    return i >= 0;
  }

  /** Finds and removes the request a reply answers (see findMatch). */
  take(reply: Pick<CommandReply, 'assetId' | 'ok' | 'frame'>, exactSerial = false): PendingCommand<T> | undefined {
    const found = findMatch(this.list, reply, exactSerial);
    if (found) this.remove(found);
    return found;
  }

  all(): Array<PendingCommand<T>> {
    return [...this.list];
  }
}

/**
 * The entry a reply answers, oldest first (see PendingCommands). With `exactSerial` a reply frame
 * only matches an entry with its serial; failure replies carry no frame and match the oldest
 * entry for the device either way.
 */
export function findMatch<P extends { deviceId: string; command: string; serial: string }>(
  list: readonly P[],
  reply: Pick<CommandReply, 'assetId' | 'ok' | 'frame'>,
  exactSerial = false,
): P | undefined {
  const device = reply.frame?.deviceId ?? reply.assetId;
  const sameDevice = list.filter((p) => p.deviceId === device || p.deviceId === reply.assetId);
  if (!reply.ok || !reply.frame) return sameDevice[0];
  const command = reply.frame.command.toUpperCase();
  const sameCommand = sameDevice.filter((p) => p.command === command);
  const serial = reply.frame.serial.padStart(3, '0');
  const exact = sameCommand.find((p) => p.serial === serial);
  return exact ?? (exactSerial ? undefined : sameCommand[0]);
}
