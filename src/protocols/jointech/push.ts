/**
 * Jointech data push (webhook POST body or MQTT `upload/...` message): validation and decoding of
 * the five data types of the push documents. Field names stay as the documents give them;
 * JSON-in-string fields become objects, enumerations become {code, en, zh}, "no value" markers
 * become null, times gain ISO strings and epoch milliseconds.
 */
import { z } from 'zod';
import { ProtocolError, describeIssues } from '../protocol-error';
import {
  ALARM_TYPES, DISASSEMBLY, EMERGENCY_KEY, EVENT_TYPES, KS_CURRENT_STATUS, KS_SHAKE_STATUS, KS_VOLTAGE_STATUS,
  LOCK_ROPE, LOCK_STATUS, LOC_TYPES, MOTOR, NETWORK_TYPES, ON_OFF, OPEN_CLOSED, REPORT_TYPES, SENSOR_TYPES,
  SUB_LOCK_EVENTS, SUB_LOCK_ROPE, SUB_LOCK_STATUS, UNLOCK_TYPES, named, type EnumTable, type EnumValue,
} from './enums';

export const DATA_TYPES = ['location', 'alarm', 'event', 'cmd', 'sublock'] as const;
export type DataType = (typeof DATA_TYPES)[number];

// ---------------------------------------------------------------------------------------------
// Field helpers

export interface Timestamp {
  iso: string;
  ms: number;
}

/** The platform's own form: ISO 8601 in UTC, with or without milliseconds. */
const ISO_UTC = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?Z$/;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * A date-time string as {iso, ms}, or null when it is none. The platform's UTC form is read by
 * hand (Date.parse plus toISOString cost more than the rest of a message's decoding); any other
 * form goes through Date.parse.
 */
export function parseTimestamp(value: string): Timestamp | null {
  const m = ISO_UTC.exec(value);
  if (m) {
    const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number) as [number, number, number, number, number, number];
    const leap = month === 2 && (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)) ? 1 : 0;
    if (month >= 1 && month <= 12 && day >= 1 && day <= DAYS_IN_MONTH[month - 1]! + leap && hour < 24 && minute < 60 && second < 60) {
      const frac = (m[7] ?? '').padEnd(3, '0');
      return { iso: `${value.slice(0, 19)}.${frac}Z`, ms: Date.UTC(year, month - 1, day, hour, minute, second, Number(frac)) };
    }
  }
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : { iso: new Date(ms).toISOString(), ms };
}

/** A number, or a string holding one ("0.0", "12"); anything else is a wrong type. */
const numeric = z.union([z.number(), z.string().trim().regex(/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/).transform(Number)]);
const int = numeric.pipe(z.number().int());
const text = z.string();
/** Parsed once, here: the decoders read {iso, ms}. */
const time = z.string().min(1).transform((s, ctx) => {
  const t = parseTimestamp(s);
  if (!t) ctx.addIssue({ code: 'custom', message: 'not a date-time', input: s });
  return t ?? z.NEVER;
});
const optionalText = z.string().nullish();

const assetId = z.string().trim().min(1, 'assetId is empty');

const common = {
  assetId,
  longitude: numeric.optional(),
  latitude: numeric.optional(),
  speed: numeric.optional(),
  mileage: numeric.optional(),
  cells: optionalText,
};

export const LocationPush = z.looseObject({
  ...common,
  direction: numeric.optional(),
  gpsTime: time,
  recvTime: time.optional(),
  locType: int.optional(),
  cellSignal: int.optional(),
  gnssSignal: int.optional(),
  battery: int.optional(),
  voltage: z.union([z.string(), z.number()]).optional(),
  statusJson: optionalText,
  expandInfo: optionalText,
  ksInfo: optionalText,
});

export const AlarmPush = z.looseObject({
  ...common,
  alarmType: int,
  dateTime: time,
  describe: optionalText,
  fileIndex: z.union([z.string(), z.number()]).nullish(),
});

export const EventPush = z.looseObject({
  ...common,
  eventType: int,
  unLockType: int.optional(),
  dateTime: time,
  card: optionalText,
  password: optionalText,
  describe: optionalText,
  fileIndex: z.union([z.string(), z.number()]).nullish(),
});

export const CommandReplyPush = z.looseObject({
  assetId,
  commandType: text,
  content: text,
  dateTime: time,
});

export const SubLockPush = z.looseObject({
  ...common,
  direction: numeric.optional(),
  gpsTime: time.optional(),
  recvTime: time.optional(),
  subAssetID: z.string().trim().min(1, 'subAssetID is empty'),
  subGpsTime: time.optional(),
  subGpsTimestamp: numeric.optional(),
  battery: int.optional(),
  voltage: z.union([z.string(), z.number()]).optional(),
  sensorType: int.optional(),
  locStatus: int.optional(),
  locRope: int.optional(),
  rssi: numeric.optional(),
  humidity: numeric.optional(),
  temperature: numeric.optional(),
  locTimes: int.optional(),
  eventType: int.optional(),
  statusJson: optionalText,
});

const SCHEMAS = { location: LocationPush, alarm: AlarmPush, event: EventPush, cmd: CommandReplyPush, sublock: SubLockPush } as const;

// ---------------------------------------------------------------------------------------------
// Small converters

/** "null", "", "-1000(.0)" for temperatures and the like: the document's ways of saying "none". */
function num(value: unknown, ...none: number[]): number | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') {
    const s = value.trim();
    if (s === '' || s.toLowerCase() === 'null') return null;
    value = Number(s);
  }
  if (typeof value !== 'number' || !Number.isFinite(value) || none.includes(value)) return null;
  return value;
}

function enumOrNull(t: EnumTable, value: unknown): EnumValue | null {
  const n = num(value);
  return n === null ? null : named(t, n);
}

/** A JSON object carried as a string; "", "null" and absent mean no object. */
function innerJson(value: string | null | undefined, field: string): Record<string, unknown> | null {
  if (value === undefined || value === null) return null;
  const s = value.trim();
  if (s === '' || s === 'null') return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(s);
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
  const parts = value.split(',').map((p) => num(p));
  if (parts.length < 4 || parts.every((p) => p === 0 || p === null)) return null;
  return { mcc: parts[0] ?? null, mnc: parts[1] ?? null, lac: parts[2] ?? null, cid: parts[3] ?? null };
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
  return value.split(/[,，]/).map((p) => num(p, -1));
}

/** "55,3.88,0" -> [55, 3.88, 0]. */
function numberList(value: unknown): Array<number | null> | null {
  if (typeof value !== 'string' || value.trim() === '' || value === 'null') return null;
  return value.split(',').map((p) => num(p));
}

/** Battery percent; 255 means the device is charging. */
function battery(value: number | undefined): { battery: number | null; charging: boolean } {
  if (value === 255) return { battery: null, charging: true };
  return { battery: value ?? null, charging: false };
}

/** Replaces the listed fields of an inner status object by {code, en, zh}; keeps the others. */
function namedFields(obj: Record<string, unknown> | null, tables: Record<string, EnumTable>): Record<string, unknown> | null {
  if (!obj) return null;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    const t = tables[k];
    out[k] = t ? enumOrNull(t, v) : v;
  }
  return out;
}

function pick<K extends string>(obj: Record<string, unknown>, ...keys: K[]): unknown {
  for (const k of keys) if (obj[k] !== undefined) return obj[k];
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Decoders per data type

const STATUS_TABLES = { lockRope: LOCK_ROPE, lockStatus: LOCK_STATUS, acc: ON_OFF, fuelCut: ON_OFF, door: ON_OFF, engine: ON_OFF };
const SUB_STATUS_TABLES = {
  bottomDisassembly: DISASSEMBLY, structuralDisassembly: DISASSEMBLY, emergencyKey: EMERGENCY_KEY,
  lockMotor: MOTOR, lockValve: OPEN_CLOSED, lockKnob: OPEN_CLOSED, lockRope: SUB_LOCK_ROPE,
};

function decodeExpand(raw: Record<string, unknown> | null): Record<string, unknown> | null {
  if (!raw) return null;
  const out: Record<string, unknown> = { ...raw };
  out.temperature = num(raw.temperature, -1000);
  out.humidity = num(raw.humidity);
  out.lux = num(raw.lux);
  out.pressure = num(raw.pressure);
  out.angle = num(raw.angle);
  out.fuels = parseFuels(raw.fuels);
  out.backBattery = numberList(raw.backBattery);
  const posture = pick(raw, 'posture', 'fPosture');
  if (posture !== undefined) out.posture = parseAxes(posture);
  const acceleration = pick(raw, 'acceleration', 'fAcceleration');
  if (acceleration !== undefined) out.acceleration = parseAxes(acceleration);
  const voltage = pick(raw, 'voltage', 'fVoltage');
  if (voltage !== undefined) out.voltage = num(voltage);
  out.reportType = enumOrNull(REPORT_TYPES, pick(raw, 'reportType', 'fReportType'));
  out.networkType = enumOrNull(NETWORK_TYPES, pick(raw, 'networkType', 'fNetworkType'));
  delete out.fPosture;
  delete out.fAcceleration;
  delete out.fVoltage;
  delete out.fReportType;
  delete out.fNetworkType;
  return out;
}

function decodeKs(raw: Record<string, unknown> | null): Record<string, unknown> | null {
  if (!raw) return null;
  const out: Record<string, unknown> = { ...raw };
  out.temperature = num(raw.temperature, -1000);
  out.posture = parseAxes(raw.posture);
  out.volStatus = enumOrNull(KS_VOLTAGE_STATUS, raw.volStatus);
  out.eleStatus = enumOrNull(KS_CURRENT_STATUS, raw.eleStatus);
  out.shakeStatus = enumOrNull(KS_SHAKE_STATUS, raw.shakeStatus);
  return out;
}

function decodeLocation(p: z.infer<typeof LocationPush>): Record<string, unknown> {
  const gps = p.gpsTime;
  const recv = p.recvTime;
  return {
    ...p,
    gpsTime: gps?.iso,
    gpsTimeMs: gps?.ms,
    recvTime: recv?.iso ?? null,
    recvTimeMs: recv?.ms ?? null,
    locType: enumOrNull(LOC_TYPES, p.locType),
    cells: parseCells(p.cells),
    ...battery(p.battery),
    voltage: num(p.voltage),
    statusJson: namedFields(innerJson(p.statusJson, 'statusJson'), STATUS_TABLES),
    expandInfo: decodeExpand(innerJson(p.expandInfo, 'expandInfo')),
    ksInfo: decodeKs(innerJson(p.ksInfo, 'ksInfo')),
  };
}

/** The attachment serial (附件流水号) as a string; absent or empty means no attachment. */
function attachmentId(value: string | number | null | undefined): string | null {
  return value === undefined || value === null || value === '' ? null : String(value);
}

function decodeAlarm(p: z.infer<typeof AlarmPush>): Record<string, unknown> {
  const at = p.dateTime;
  return {
    ...p,
    alarmType: named(ALARM_TYPES, p.alarmType),
    dateTime: at?.iso,
    dateTimeMs: at?.ms,
    cells: parseCells(p.cells),
    fileIndex: attachmentId(p.fileIndex),
  };
}

/** Waybill events (13-18) carry {waybillGUID, waybillNo} as JSON in `describe`. */
function describeValue(value: string | null | undefined): unknown {
  if (!value) return value ?? null;
  const s = value.trim();
  if (s.startsWith('{') || s.startsWith('[')) {
    try {
      return JSON.parse(s);
    } catch {
      return value;
    }
  }
  return value;
}

function decodeEvent(p: z.infer<typeof EventPush>): Record<string, unknown> {
  const at = p.dateTime;
  return {
    ...p,
    eventType: named(EVENT_TYPES, p.eventType),
    unLockType: p.unLockType === undefined ? null : named(UNLOCK_TYPES, p.unLockType),
    dateTime: at?.iso,
    dateTimeMs: at?.ms,
    cells: parseCells(p.cells),
    describe: describeValue(p.describe),
    fileIndex: attachmentId(p.fileIndex),
  };
}

/** The platform's own failure texts (with the full-width "！" the documents show). */
const FAILURES: ReadonlyArray<readonly [RegExp, string]> = [
  [/not online/i, 'device-offline'],
  [/not been registered|not registered/i, 'device-unregistered'],
];

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

export interface CommandReply {
  assetId: string;
  commandType: string;
  dateTime: string | undefined;
  dateTimeMs: number | undefined;
  ok: boolean;
  /** The reply frame's fields, from the JSON array string in `content`. */
  content: string[] | null;
  frame: CommandFrame | null;
  /** For failures: the platform's text and a stable code. */
  error: string | null;
  failure: string | null;
}

export function decodeCommandReply(p: z.infer<typeof CommandReplyPush>): CommandReply & Record<string, unknown> {
  const at = p.dateTime;
  const base = { ...p, dateTime: at?.iso, dateTimeMs: at?.ms };
  const content = p.content.trim();
  if (content.startsWith('[')) {
    let fields: unknown;
    try {
      fields = JSON.parse(content);
    } catch (err) {
      throw new ProtocolError('bad-json-field', `content is not valid JSON: ${(err as Error).message}`, { field: 'content', value: p.content });
    }
    if (!Array.isArray(fields)) throw new ProtocolError('bad-json-field', 'content must hold a JSON array', { field: 'content' });
    const strings = fields.map((f) => (typeof f === 'string' ? f : JSON.stringify(f)));
    return { ...base, ok: true, content: strings, frame: frameFromFields(strings), error: null, failure: null };
  }
  const failure = FAILURES.find(([re]) => re.test(content))?.[1] ?? 'platform-error';
  return { ...base, ok: false, content: null, frame: null, error: p.content, failure };
}

function decodeSubLock(p: z.infer<typeof SubLockPush>): Record<string, unknown> {
  const gps = p.gpsTime;
  const recv = p.recvTime;
  const subGps = p.subGpsTime;
  return {
    ...p,
    gpsTime: gps?.iso ?? null,
    gpsTimeMs: gps?.ms ?? null,
    recvTime: recv?.iso ?? null,
    recvTimeMs: recv?.ms ?? null,
    subGpsTime: subGps?.iso ?? (p.subGpsTimestamp !== undefined ? new Date(p.subGpsTimestamp).toISOString() : null),
    subGpsTimestamp: p.subGpsTimestamp ?? subGps?.ms ?? null,
    ...battery(p.battery),
    voltage: num(p.voltage),
    sensorType: enumOrNull(SENSOR_TYPES, p.sensorType),
    locStatus: enumOrNull(SUB_LOCK_STATUS, p.locStatus),
    locRope: enumOrNull(SUB_LOCK_ROPE, p.locRope),
    humidity: num(p.humidity, 0),
    temperature: num(p.temperature, -1000),
    eventType: enumOrNull(SUB_LOCK_EVENTS, p.eventType),
    cells: parseCells(p.cells),
    statusJson: namedFields(innerJson(p.statusJson, 'statusJson'), SUB_STATUS_TABLES),
  };
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

export interface DecodedPush {
  type: DataType;
  assetId: string;
  subLockId?: string;
  payload: Record<string, unknown>;
}

/** Parses a push body (Buffer, string or object) into a plain object, or throws ProtocolError. */
export function parseBody(body: unknown): Record<string, unknown> {
  let value = body;
  if (Buffer.isBuffer(value)) value = value.toString('utf8');
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch (err) {
      throw new ProtocolError('bad-json', `payload is not valid JSON: ${(err as Error).message}`);
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ProtocolError('bad-shape', 'payload must be a JSON object');
  }
  return value as Record<string, unknown>;
}

/**
 * Decodes one push. `typeHint` comes from the MQTT topic or the webhook path; without it the type
 * is inferred from the fields. A hint that contradicts the fields is an error, not a guess.
 */
export function decodePush(body: unknown, typeHint?: DataType): DecodedPush {
  const obj = parseBody(body);
  const inferred = inferDataType(obj);
  const type = typeHint ?? inferred;
  if (!type) throw new ProtocolError('unknown-type', 'payload fits no Jointech data type (location, alarm, event, cmd, sublock)');
  if (typeHint && inferred && inferred !== typeHint) {
    throw new ProtocolError('type-mismatch', `payload looks like ${inferred} data but arrived as ${typeHint}`);
  }
  const parsed = SCHEMAS[type].safeParse(obj);
  if (!parsed.success) {
    throw new ProtocolError('bad-field', `${type} data: ${describeIssues(parsed.error)}`, { type });
  }
  let payload: Record<string, unknown>;
  switch (type) {
    case 'location': payload = decodeLocation(parsed.data as z.infer<typeof LocationPush>); break;
    case 'alarm': payload = decodeAlarm(parsed.data as z.infer<typeof AlarmPush>); break;
    case 'event': payload = decodeEvent(parsed.data as z.infer<typeof EventPush>); break;
    case 'cmd': payload = decodeCommandReply(parsed.data as z.infer<typeof CommandReplyPush>); break;
    case 'sublock': payload = decodeSubLock(parsed.data as z.infer<typeof SubLockPush>); break;
  }
  const result: DecodedPush = { type, assetId: String(payload.assetId), payload };
  if (type === 'sublock') result.subLockId = String(payload.subAssetID);
  return result;
}
