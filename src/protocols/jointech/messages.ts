/**
 * Jointech data push (webhook POST body or MQTT `upload/...` message): validation and decoding of
 * the five data types of the push documents. Field names stay as the documents give them;
 * JSON-in-string fields become objects, enumerations become {code, en, zh}, "no value" markers
 * become null, times gain ISO strings and epoch milliseconds.
 */
import { z } from 'zod';
import { ProtocolError, describeIssues } from '../protocol-error';
import { parseJsonSafely } from '../safe-json';
import { fromEpochMs, parseIsoUtc, type Timestamp } from '../time';
import { failureCode, frameFromFields, type CommandFrame } from './commands';
import { DATA_TYPES, type DataType } from './topics';
import {
  ALARM_TYPES, DISASSEMBLY, EMERGENCY_KEY, EVENT_TYPES, KS_CURRENT_STATUS, KS_SHAKE_STATUS, KS_VOLTAGE_STATUS,
  LOCK_BAR, LOCK_ROPE, LOCK_STATUS, LOC_TYPES, MOTOR, NETWORK_TYPES, ON_OFF, OPEN_CLOSED, REPORT_TYPES, SENSOR_TYPES,
  SUB_LOCK_EVENTS, SUB_LOCK_ROPE, SUB_LOCK_STATUS, UNLOCK_TYPES, named, type EnumTable, type EnumValue,
} from './enums';

export { DATA_TYPES, type DataType };

// ---------------------------------------------------------------------------------------------
// Field helpers

export type { Timestamp };

/*
 * Field kinds. Each is a zod schema, the authority on what a field may hold and the source of the
 * error messages, and a hand-written check that accepts exactly what the schema accepts and
 * returns the same value. Messages run through the checks; zod runs only when a check refuses,
 * to say why (the property tests hold the two to the same verdict and output).
 */
const REFUSED = Symbol('refused');
type Check = (value: unknown) => unknown;
interface FieldKind<S extends z.ZodType> {
  schema: S;
  check: Check;
  /** A JS condition on `v`, true only where check(v) returns v itself: the compiled check skips the call then. */
  keeps?: string;
}

const NUMERIC_TEXT = /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/;
const checkNumeric: Check = (v) => {
  if (typeof v === 'number') return Number.isFinite(v) ? v : REFUSED;
  if (typeof v !== 'string') return REFUSED;
  const s = v.trim();
  return NUMERIC_TEXT.test(s) ? Number(s) : REFUSED;
};
const checkInt: Check = (v) => {
  const n = checkNumeric(v);
  return Number.isSafeInteger(n) ? n : REFUSED;
};
const checkText: Check = (v) => (typeof v === 'string' ? v : REFUSED);
const checkTextOrNumber: Check = (v) => (typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v)) ? v : REFUSED);
/** Every Jointech time is documented as UTC, `YYYY-MM-DDTHH:MM:SS[.fff]Z`: nothing else is read. */
const checkTime: Check = (v) => parseIsoUtc(v) ?? REFUSED;
const checkId: Check = (v) => {
  if (typeof v !== 'string') return REFUSED;
  const s = v.trim();
  return s.length > 0 ? s : REFUSED;
};

/** A number, or a string holding one ("0.0", "12"); anything else is a wrong type. */
const numericSchema = z.union([z.number(), z.string().trim().regex(NUMERIC_TEXT).transform(Number)]);
const numeric = { schema: numericSchema, check: checkNumeric, keeps: "typeof v === 'number' && Number.isFinite(v)" };
const int = { schema: numericSchema.pipe(z.number().int()), check: checkInt, keeps: 'Number.isSafeInteger(v)' };
const text = { schema: z.string(), check: checkText, keeps: "typeof v === 'string'" };
const textOrNumber = { schema: z.union([z.string(), z.number()]), check: checkTextOrNumber, keeps: "typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v))" };
/** Parsed once, here: the decoders read {iso, ms}. */
const time = {
  schema: z.string().min(1).transform((s, ctx) => {
    const t = parseIsoUtc(s);
    if (!t) ctx.addIssue({ code: 'custom', message: `"${s.slice(0, 40)}" is not a UTC time (YYYY-MM-DDTHH:MM:SS[.fff]Z) or not a real date`, input: s });
    return t ?? z.NEVER;
  }),
  check: checkTime,
};
/** Epoch milliseconds (subGpsTimestamp, a "long"): a whole number within years 0001..9999. */
const isEpochMs = (n: unknown) => Number.isInteger(n) && fromEpochMs(n) !== null;
const checkEpochMs: Check = (v) => {
  const n = checkNumeric(v);
  return isEpochMs(n) ? n : REFUSED;
};
const epochMs = {
  schema: numericSchema.refine(isEpochMs, 'not whole epoch milliseconds in years 0001..9999'),
  check: checkEpochMs,
};
const id = (field: string) => ({ schema: z.string().trim().min(1, `${field} is empty`), check: checkId });

function optional<S extends z.ZodType>(k: FieldKind<S>) {
  const keeps = k.keeps ? `v === undefined || ${k.keeps}` : 'v === undefined';
  return { schema: k.schema.optional(), check: (v: unknown) => (v === undefined ? v : k.check(v)), keeps };
}
function nullish<S extends z.ZodType>(k: FieldKind<S>) {
  const keeps = k.keeps ? `v === undefined || v === null || ${k.keeps}` : 'v === undefined || v === null';
  return { schema: k.schema.nullish(), check: (v: unknown) => (v === undefined || v === null ? v : k.check(v)), keeps };
}

type Fields = Record<string, FieldKind<z.ZodType>>;
type Shape<F extends Fields> = { [K in keyof F]: F[K]['schema'] };

/** One data type: its zod schema and the equivalent fast check, both from one field list. */
function pushType<F extends Fields>(fields: F) {
  const shape = {} as Shape<F>;
  for (const k of Object.keys(fields) as Array<keyof F>) shape[k] = fields[k]!.schema;
  const schema = z.looseObject(shape);
  return { schema, fields, check: compileCheck<z.infer<typeof schema>>(fields) };
}

/**
 * The fast check of a field list, compiled once into straight-line code so that each field is a
 * plain property read (a loop over names costs as much as the rest of the decoding). It converts
 * `obj` in place and returns it when every field passes, and leaves it untouched otherwise.
 */
function compileCheck<T>(fields: Fields): (obj: Record<string, unknown>) => T | undefined {
  const names = Object.keys(fields);
  const key = (i: number) => `obj[${JSON.stringify(names[i])}]`;
  const read = (i: number) => {
    const call = `v${i} = checks[${i}](v${i}); if (v${i} === REFUSED) return undefined;`;
    const keeps = fields[names[i]!]!.keeps?.replace(/\bv\b/g, `v${i}`);
    return `let v${i} = ${key(i)}; ${keeps ? `if (!(${keeps})) { ${call} }` : call}`;
  };
  const lines = [
    ...names.map((_, i) => read(i)),
    ...names.map((_, i) => `if (v${i} !== ${key(i)}) ${key(i)} = v${i};`),
    'return obj;',
  ];
  const factory = new Function('checks', 'REFUSED', `return function check(obj) {\n${lines.join('\n')}\n};`) as
    (checks: Check[], refused: symbol) => (obj: Record<string, unknown>) => T | undefined;
  return factory(names.map((n) => fields[n]!.check), REFUSED);
}

/**
 * The same check as plain closures, one call per field; bench/decode-micro.ts measures decoding
 * with it against the compiled one.
 */
function plainCheck<T>(fields: Fields): (obj: Record<string, unknown>) => T | undefined {
  const names = Object.keys(fields);
  const checks = names.map((n) => fields[n]!.check);
  return (obj) => {
    const values = new Array<unknown>(names.length);
    for (let i = 0; i < names.length; i++) {
      const v = checks[i]!(obj[names[i]!]);
      if (v === REFUSED) return undefined;
      values[i] = v;
    }
    for (let i = 0; i < names.length; i++) if (values[i] !== obj[names[i]!]) obj[names[i]!] = values[i];
    return obj as T;
  };
}

/** Builds every data type's check the given way (for bench/decode-micro.ts). */
export function useFieldChecks(style: 'compiled' | 'plain'): void {
  for (const t of Object.values(PUSH_TYPES) as Array<{ fields: Fields; check: (obj: Record<string, unknown>) => unknown }>) {
    t.check = style === 'compiled' ? compileCheck(t.fields) : plainCheck(t.fields);
  }
}

const common = {
  assetId: id('assetId'),
  longitude: optional(numeric),
  latitude: optional(numeric),
  speed: optional(numeric),
  mileage: optional(numeric),
  cells: nullish(text),
};

const Location = pushType({
  ...common,
  direction: optional(numeric),
  gpsTime: time,
  recvTime: optional(time),
  locType: optional(int),
  cellSignal: optional(int),
  gnssSignal: optional(int),
  battery: optional(int),
  voltage: optional(textOrNumber),
  statusJson: nullish(text),
  expandInfo: nullish(text),
  ksInfo: nullish(text),
});

const Alarm = pushType({
  ...common,
  alarmType: int,
  dateTime: time,
  describe: nullish(text),
  fileIndex: nullish(textOrNumber),
});

const Event = pushType({
  ...common,
  eventType: int,
  unLockType: optional(int),
  dateTime: time,
  card: nullish(text),
  password: nullish(text),
  describe: nullish(text),
  fileIndex: nullish(textOrNumber),
});

const CommandReplyType = pushType({
  assetId: id('assetId'),
  commandType: text,
  content: text,
  dateTime: time,
});

const SubLock = pushType({
  ...common,
  direction: optional(numeric),
  gpsTime: optional(time),
  recvTime: optional(time),
  subAssetID: id('subAssetID'),
  subGpsTime: optional(time),
  subGpsTimestamp: optional(epochMs),
  battery: optional(int),
  voltage: optional(textOrNumber),
  sensorType: optional(int),
  locStatus: optional(int),
  locRope: optional(int),
  rssi: optional(numeric),
  humidity: optional(numeric),
  temperature: optional(numeric),
  locTimes: optional(int),
  eventType: optional(int),
  statusJson: nullish(text),
});

export const LocationPush = Location.schema;
export const AlarmPush = Alarm.schema;
export const EventPush = Event.schema;
export const CommandReplyPush = CommandReplyType.schema;
export const SubLockPush = SubLock.schema;

export const PUSH_TYPES = { location: Location, alarm: Alarm, event: Event, cmd: CommandReplyType, sublock: SubLock } as const;

// ---------------------------------------------------------------------------------------------
// Flags: values kept but not to be trusted (the policy is in jointech-in's help, "Checks")

/** A value the decoder kept (or, for a wrong type inside a JSON-in-string field, set to null) and reports. */
export interface Flag {
  /** The field, with its parent for nested ones: "latitude", "statusJson.lockBar". */
  field: string;
  /** The value as received. */
  value: unknown;
  reason: string;
}

/** The flags of the message being decoded (decoding is synchronous: one message at a time). */
let flags: Flag[] = [];

function flag(field: string, value: unknown, reason: string): void {
  flags.push({ field, value, reason });
}

/** Flags `p[field]` when it is a number outside min..max. */
function range(p: Record<string, unknown>, field: string, min: number, max: number): void {
  const v = p[field];
  if (typeof v === 'number' && (v < min || v > max)) flag(field, v, max === Infinity ? `below ${min}` : `out of range ${min}..${max}`);
}

/**
 * Documented ranges: WGS-84 coordinates, direction 0~360, no negative speed or mileage (battery:
 * setBattery). An out-of-range value is kept as sent and flagged.
 */
function checkRanges(p: Record<string, unknown>): void {
  range(p, 'latitude', -90, 90);
  range(p, 'longitude', -180, 180);
  range(p, 'direction', 0, 360);
  range(p, 'speed', 0, Infinity);
  range(p, 'mileage', 0, Infinity);
}

// ---------------------------------------------------------------------------------------------
// Small converters

/** "null", "" and the like: the document's ways of saying "none". */
function num(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value !== 'string') return null;
  const s = value.trim();
  if (s === '') return null;
  const n = Number(s);
  return Number.isFinite(n) ? n : null;
}

/** num, with one more code that means "none" (-1000 for temperatures, -1 for fuel tanks). */
function numExcept(value: unknown, none: number): number | null {
  const n = num(value);
  return n === none ? null : n;
}

function enumOrNull(t: EnumTable, value: unknown): EnumValue | null {
  const n = num(value);
  return n === null ? null : named(t, n);
}

/** The document's ways of writing "no value" inside the JSON-in-string fields. */
function isNone(value: unknown): boolean {
  return value === undefined || value === null || value === '' || value === 'null';
}

/** num for a field inside a JSON-in-string object: a value that is there but no number is flagged. */
function innerNum(value: unknown, field: string): number | null {
  const n = num(value);
  if (n === null && !isNone(value)) flag(field, value, 'not a number');
  return n;
}

/** enumOrNull for a field inside a JSON-in-string object, flagging a value that is no number. */
function innerEnum(t: EnumTable, value: unknown, field: string): EnumValue | null {
  const n = innerNum(value, field);
  return n === null ? null : named(t, n);
}

/** A JSON object carried as a string; "", "null" and absent mean no object. */
function innerJson(value: string | null | undefined, field: string): Record<string, unknown> | null {
  if (value === undefined || value === null) return null;
  const s = value.trim();
  if (s === '' || s === 'null') return null;
  let parsed: unknown;
  try {
    parsed = parseJsonSafely(s);
  } catch (err) {
    throw new ProtocolError('bad-json-field', `${field} is not valid JSON: ${(err as Error).message}`, { field, value });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ProtocolError('bad-json-field', `${field} must hold a JSON object`, { field, value });
  }
  return parsed as Record<string, unknown>;
}

export interface CellId {
  mcc: number | null;
  mnc: number | null;
  lac: number | null;
  cid: number | null;
}

/** "460,0,9383,220792647" -> {mcc, mnc, lac, cid}; "0,0,0,0" and "" mean no cell. */
export function parseCells(value: string | null | undefined): CellId | null {
  if (!value) return null;
  const parts = value.split(',');
  if (parts.length < 4) return null;
  let any = false;
  for (const part of parts) {
    const n = num(part);
    if (n !== null && n !== 0) any = true;
  }
  return any ? { mcc: num(parts[0]), mnc: num(parts[1]), lac: num(parts[2]), cid: num(parts[3]) } : null;
}

export interface Axes {
  x: number | null;
  y: number | null;
  z: number | null;
}

/** "x:1;y:-29;z:-2903" -> {x, y, z}. */
export function parseAxes(value: unknown): Axes | null {
  if (typeof value !== 'string' || value.trim() === '' || value === 'null') return null;
  const out: Axes = { x: null, y: null, z: null };
  for (const part of value.split(/[;,]/)) {
    const [k, v] = part.split(':');
    const key = k?.trim().toLowerCase();
    if (key === 'x' || key === 'y' || key === 'z') out[key] = num(v);
  }
  return out;
}

/** "-1,-1,-1" -> [null, null, null]: -1 marks a tank without a sensor. */
export function parseFuels(value: unknown): Array<number | null> | null {
  if (typeof value !== 'string' || value.trim() === '' || value === 'null') return null;
  return (value.includes('，') ? value.split(/[,，]/) : value.split(',')).map((p) => numExcept(p, -1));
}

/** "55,3.88,0" -> [55, 3.88, 0]. */
function numberList(value: unknown): Array<number | null> | null {
  if (typeof value !== 'string' || value.trim() === '' || value === 'null') return null;
  return value.split(',').map(num);
}

/** Battery percent; 255 means the device is charging. Other values above 100 are kept and flagged. */
function setBattery(out: Record<string, unknown>, value: number | undefined): void {
  if (value !== undefined && value !== 255 && (value < 0 || value > 100)) flag('battery', value, 'out of range 0..100 (or 255: charging)');
  out.battery = value === 255 ? null : value ?? null;
  out.charging = value === 255;
}

type FieldTables = ReadonlyArray<readonly [field: string, table: EnumTable]>;

/**
 * Replaces the listed fields of an inner status object by {code, en, zh}, in place; keeps the
 * others. A text or object where the document has an Integer becomes null and is flagged.
 */
function nameFields(obj: Record<string, unknown> | null, tables: FieldTables, parent: string): Record<string, unknown> | null {
  if (!obj) return null;
  for (const [field, t] of tables) {
    if (field in obj) obj[field] = innerEnum(t, obj[field], `${parent}.${field}`);
  }
  return obj;
}

// ---------------------------------------------------------------------------------------------
// Decoded payloads: each data type's fields as its schema reads them, with the fields the decoder
// rewrites given their decoded types. The node's output (msg.payload) is one of these.

/** (Omit would drop every named field: a loose object's type has an index signature.) */
type Decoded<S extends z.ZodType, Rewritten> = { [K in keyof z.infer<S> as K extends keyof Rewritten ? never : K]: z.infer<S>[K] } & Rewritten;
/** An inner JSON-in-string object, its known fields named or converted, the others kept. */
type InnerObject = Record<string, unknown> | null;
/** A time field as an ISO string and, under the name + "Ms", as epoch milliseconds. */
type Times<F extends string> = { [K in F]: string | null } & { [K in F as `${K}Ms`]: number | null };
interface BatteryFields { battery: number | null; charging: boolean; voltage: number | null }

export type LocationMessage = Decoded<typeof LocationPush, Times<'gpsTime' | 'recvTime'> & BatteryFields & {
  locType: EnumValue | null;
  cells: CellId | null;
  statusJson: InnerObject;
  expandInfo: InnerObject;
  ksInfo: InnerObject;
}>;

export type AlarmMessage = Decoded<typeof AlarmPush, Times<'dateTime'> & {
  alarmType: EnumValue;
  cells: CellId | null;
  fileIndex: string | null;
}>;

export type EventMessage = Decoded<typeof EventPush, Times<'dateTime'> & {
  eventType: EnumValue;
  unLockType: EnumValue | null;
  cells: CellId | null;
  /** Text, or the JSON object waybill events (13-18) carry. */
  describe: unknown;
  fileIndex: string | null;
}>;

/** A command reply: the reply frame when the command reached the device, the platform's text when not. */
export type CommandReply = Decoded<typeof CommandReplyPush, Times<'dateTime'> & {
  ok: boolean;
  /** The reply frame's fields, from the JSON array string in `content`. */
  content: string[] | null;
  frame: CommandFrame | null;
  /** For failures: the platform's text and a stable code. */
  error: string | null;
  failure: string | null;
}>;

export type SubLockMessage = Decoded<typeof SubLockPush, Times<'gpsTime' | 'recvTime'> & BatteryFields & {
  subGpsTime: string | null;
  subGpsTimestamp: number | null;
  sensorType: EnumValue | null;
  locStatus: EnumValue | null;
  locRope: EnumValue | null;
  humidity: number | null;
  temperature: number | null;
  eventType: EnumValue | null;
  cells: CellId | null;
  statusJson: InnerObject;
}>;

/** The decoded payload of each data type. */
export interface MessageOf {
  location: LocationMessage;
  alarm: AlarmMessage;
  event: EventMessage;
  cmd: CommandReply;
  sublock: SubLockMessage;
}

// ---------------------------------------------------------------------------------------------
// Decoders per data type. Each rewrites the object the payload was parsed into, in place: it was
// made for this message alone, and copying it costs more than the rest of the decoding.

type Out = Record<string, unknown>;

const STATUS_TABLES: FieldTables = [
  ['lockBar', LOCK_BAR], ['lockRope', LOCK_ROPE], ['lockStatus', LOCK_STATUS], ['acc', ON_OFF], ['fuelCut', ON_OFF], ['door', ON_OFF], ['engine', ON_OFF],
];
const SUB_STATUS_TABLES: FieldTables = [
  ['bottomDisassembly', DISASSEMBLY], ['structuralDisassembly', DISASSEMBLY], ['emergencyKey', EMERGENCY_KEY],
  ['lockMotor', MOTOR], ['lockValve', OPEN_CLOSED], ['lockKnob', OPEN_CLOSED], ['lockRope', SUB_LOCK_ROPE],
];

/** Older firmware writes fPosture, fVoltage, ...: the value moves to the plain name. */
function renamed(raw: Out, name: string, old: string): unknown {
  const v = raw[name] !== undefined ? raw[name] : raw[old];
  if (old in raw) delete raw[old];
  return v;
}

function decodeExpand(raw: Out | null): Out | null {
  if (!raw) return null;
  const temperature = innerNum(raw.temperature, 'expandInfo.temperature');
  raw.temperature = temperature === -1000 ? null : temperature;
  raw.humidity = innerNum(raw.humidity, 'expandInfo.humidity');
  raw.lux = innerNum(raw.lux, 'expandInfo.lux');
  raw.pressure = innerNum(raw.pressure, 'expandInfo.pressure');
  raw.angle = innerNum(raw.angle, 'expandInfo.angle');
  raw.fuels = parseFuels(raw.fuels);
  raw.backBattery = numberList(raw.backBattery);
  const posture = renamed(raw, 'posture', 'fPosture');
  if (posture !== undefined) raw.posture = parseAxes(posture);
  const acceleration = renamed(raw, 'acceleration', 'fAcceleration');
  if (acceleration !== undefined) raw.acceleration = parseAxes(acceleration);
  const voltage = renamed(raw, 'voltage', 'fVoltage');
  if (voltage !== undefined) raw.voltage = innerNum(voltage, 'expandInfo.voltage');
  raw.reportType = innerEnum(REPORT_TYPES, renamed(raw, 'reportType', 'fReportType'), 'expandInfo.reportType');
  raw.networkType = innerEnum(NETWORK_TYPES, renamed(raw, 'networkType', 'fNetworkType'), 'expandInfo.networkType');
  return raw;
}

function decodeKs(raw: Out | null): Out | null {
  if (!raw) return null;
  const temperature = innerNum(raw.temperature, 'ksInfo.temperature');
  raw.temperature = temperature === -1000 ? null : temperature;
  raw.posture = parseAxes(raw.posture);
  raw.volStatus = innerEnum(KS_VOLTAGE_STATUS, raw.volStatus, 'ksInfo.volStatus');
  raw.eleStatus = innerEnum(KS_CURRENT_STATUS, raw.eleStatus, 'ksInfo.eleStatus');
  raw.shakeStatus = innerEnum(KS_SHAKE_STATUS, raw.shakeStatus, 'ksInfo.shakeStatus');
  return raw;
}

/** Writes `field` as an ISO string and `msField` (`field + 'Ms'`, written out: a key built per message costs a lookup) as epoch ms, both null when absent. */
function setTime(out: Out, field: string, msField: string, t: Timestamp | null | undefined): void {
  out[field] = t ? t.iso : null;
  out[msField] = t ? t.ms : null;
}

function decodeLocation(p: z.infer<typeof LocationPush>): LocationMessage {
  const out: Out = p;
  setTime(out, 'gpsTime', 'gpsTimeMs', p.gpsTime);
  setTime(out, 'recvTime', 'recvTimeMs', p.recvTime);
  out.locType = enumOrNull(LOC_TYPES, p.locType);
  out.cells = parseCells(p.cells);
  setBattery(out, p.battery);
  out.voltage = num(p.voltage);
  out.statusJson = nameFields(innerJson(p.statusJson, 'statusJson'), STATUS_TABLES, 'statusJson');
  out.expandInfo = decodeExpand(innerJson(p.expandInfo, 'expandInfo'));
  out.ksInfo = decodeKs(innerJson(p.ksInfo, 'ksInfo'));
  return out as LocationMessage;
}

/** The attachment serial (附件流水号) as a string; absent or empty means no attachment. */
function attachmentId(value: string | number | null | undefined): string | null {
  return value === undefined || value === null || value === '' ? null : String(value);
}

function decodeAlarm(p: z.infer<typeof AlarmPush>): AlarmMessage {
  const out: Out = p;
  out.alarmType = named(ALARM_TYPES, p.alarmType);
  setTime(out, 'dateTime', 'dateTimeMs', p.dateTime);
  out.cells = parseCells(p.cells);
  out.fileIndex = attachmentId(p.fileIndex);
  return out as AlarmMessage;
}

/** Waybill events (13-18) carry {waybillGUID, waybillNo} as JSON in `describe`. */
function describeValue(value: string | null | undefined): unknown {
  if (!value) return value ?? null;
  const s = value.trim();
  if (s.startsWith('{') || s.startsWith('[')) {
    try {
      return parseJsonSafely(s);
    } catch {
      return value;
    }
  }
  return value;
}

function decodeEvent(p: z.infer<typeof EventPush>): EventMessage {
  const out: Out = p;
  out.eventType = named(EVENT_TYPES, p.eventType);
  out.unLockType = p.unLockType === undefined ? null : named(UNLOCK_TYPES, p.unLockType);
  setTime(out, 'dateTime', 'dateTimeMs', p.dateTime);
  out.cells = parseCells(p.cells);
  out.describe = describeValue(p.describe);
  out.fileIndex = attachmentId(p.fileIndex);
  return out as EventMessage;
}

function decodeCommandReply(p: z.infer<typeof CommandReplyPush>): CommandReply {
  const out: Out = p;
  const content = p.content.trim();
  setTime(out, 'dateTime', 'dateTimeMs', p.dateTime);
  if (content.startsWith('[')) {
    let fields: unknown;
    try {
      fields = parseJsonSafely(content);
    } catch (err) {
      throw new ProtocolError('bad-json-field', `content is not valid JSON: ${(err as Error).message}`, { field: 'content', value: p.content });
    }
    if (!Array.isArray(fields)) throw new ProtocolError('bad-json-field', 'content must hold a JSON array', { field: 'content' });
    const strings = fields.map((f) => (typeof f === 'string' ? f : JSON.stringify(f)));
    const frame = frameFromFields(strings);
    if (frame && frame.deviceId !== p.assetId) flag('content', frame.deviceId, `reply frame is from device ${frame.deviceId}, not ${p.assetId}`);
    Object.assign(out, { ok: true, content: strings, frame, error: null, failure: null });
  } else {
    const failure = failureCode(content);
    Object.assign(out, { ok: false, error: p.content, content: null, frame: null, failure });
  }
  return out as CommandReply;
}

function decodeSubLock(p: z.infer<typeof SubLockPush>): SubLockMessage {
  const out: Out = p;
  const subGps = p.subGpsTime;
  const subTs = p.subGpsTimestamp;
  setTime(out, 'gpsTime', 'gpsTimeMs', p.gpsTime);
  setTime(out, 'recvTime', 'recvTimeMs', p.recvTime);
  out.subGpsTime = subGps?.iso ?? (subTs !== undefined ? fromEpochMs(subTs)?.iso ?? null : null);
  out.subGpsTimestamp = subTs ?? subGps?.ms ?? null;
  setBattery(out, p.battery);
  out.voltage = num(p.voltage);
  out.sensorType = enumOrNull(SENSOR_TYPES, p.sensorType);
  out.locStatus = enumOrNull(SUB_LOCK_STATUS, p.locStatus);
  out.locRope = enumOrNull(SUB_LOCK_ROPE, p.locRope);
  out.humidity = numExcept(p.humidity, 0);
  out.temperature = numExcept(p.temperature, -1000);
  out.eventType = enumOrNull(SUB_LOCK_EVENTS, p.eventType);
  out.cells = parseCells(p.cells);
  out.statusJson = nameFields(innerJson(p.statusJson, 'statusJson'), SUB_STATUS_TABLES, 'statusJson');
  return out as SubLockMessage;
}

// ---------------------------------------------------------------------------------------------
// Entry points

/** The data type a payload belongs to, from the fields only the type carries. */
export function inferDataType(obj: Record<string, unknown>): DataType | undefined {
  if ('subAssetID' in obj) return 'sublock';
  if ('commandType' in obj && 'content' in obj) return 'cmd';
  if ('alarmType' in obj) return 'alarm';
  if ('eventType' in obj) return 'event';
  if ('gpsTime' in obj || 'locType' in obj || 'statusJson' in obj || 'expandInfo' in obj) return 'location';
  return undefined;
}

interface DecodedOf<T extends DataType> {
  type: T;
  assetId: string;
  /** The sub-lock's number, for sublock data only. */
  subLockId?: string;
  payload: MessageOf[T];
  /** Values kept but out of their documented range or of the wrong type (see Flag); usually empty. */
  flags: Flag[];
}

/** One decoded push: narrow on `type` to get its payload's type. */
export type DecodedPush =
  | DecodedOf<'location'> | DecodedOf<'alarm'> | DecodedOf<'event'> | DecodedOf<'cmd'>
  | (DecodedOf<'sublock'> & { subLockId: string });

/**
 * Parses a push body (Buffer, string or object) into a plain object of its own, which the decoders
 * may rewrite (an object passed in is copied, not changed), or throws ProtocolError.
 */
export function parseBody(body: unknown): Record<string, unknown> {
  let value = body;
  if (Buffer.isBuffer(value)) value = value.toString('utf8');
  if (typeof value === 'string') {
    try {
      value = parseJsonSafely(value);
    } catch (err) {
      throw new ProtocolError('bad-json', `payload is not valid JSON: ${(err as Error).message}`);
    }
  } else if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    value = { ...value };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ProtocolError('bad-shape', 'payload must be a JSON object');
  }
  return value as Record<string, unknown>;
}

/** The fields of `obj` as the type's schema reads them: the fast check, or zod to say what is wrong. */
function validFields(type: DataType, obj: Record<string, unknown>): Record<string, unknown> {
  const pushType = PUSH_TYPES[type];
  const checked = pushType.check(obj);
  if (checked) return checked;
  const parsed = pushType.schema.safeParse(obj);
  if (!parsed.success) throw new ProtocolError('bad-field', `${type} data: ${describeIssues(parsed.error)}`, { type });
  return parsed.data;
}

/**
 * Decodes one push. `typeHint` comes from the MQTT topic or the webhook path; without it the type
 * is inferred from the fields. A hint that contradicts the fields is an error, not a guess.
 */
export function decodePush<T extends DataType>(body: unknown, typeHint: T): Extract<DecodedPush, { type: T }>;
export function decodePush(body: unknown, typeHint?: DataType): DecodedPush;
export function decodePush(body: unknown, typeHint?: DataType): DecodedPush {
  const obj = parseBody(body);
  const inferred = inferDataType(obj);
  const type = typeHint ?? inferred;
  if (!type) throw new ProtocolError('unknown-type', 'payload fits no Jointech data type (location, alarm, event, cmd, sublock)');
  if (typeHint && inferred && inferred !== typeHint) {
    throw new ProtocolError('type-mismatch', `payload looks like ${inferred} data but arrived as ${typeHint}`);
  }
  const data = validFields(type, obj);
  flags = [];
  if (type !== 'cmd') checkRanges(data);
  const assetId = String(data.assetId);
  switch (type) {
    case 'location': return { type, assetId, payload: decodeLocation(data as z.infer<typeof LocationPush>), flags };
    case 'alarm': return { type, assetId, payload: decodeAlarm(data as z.infer<typeof AlarmPush>), flags };
    case 'event': return { type, assetId, payload: decodeEvent(data as z.infer<typeof EventPush>), flags };
    case 'cmd': return { type, assetId, payload: decodeCommandReply(data as z.infer<typeof CommandReplyPush>), flags };
    case 'sublock': {
      const payload = decodeSubLock(data as z.infer<typeof SubLockPush>);
      return { type, assetId, payload, flags, subLockId: String(payload.subAssetID) };
    }
  }
}
