/**
 * GB/T 32960.3-2016 frames and data units: decode and encode, every information type of the
 * realtime/reissue data unit, login/logout, platform login/logout, heartbeat and time calibration.
 * FE/FF markers decode to null with the marker kept in `markers`, so that encode(decode(x)) gives
 * the same bytes back.
 */
import { named, type EnumValue } from '../enum-table';
import { ProtocolError } from '../protocol-error';
import { Reader, Writer, bcc, markerOf, markerRaw, type Width } from './binary';
import {
  ALARM_FLAGS, ALARM_LEVELS, COMMANDS, ENCRYPTION, ENGINE_FIELDS, EXTREME_FIELDS, FUEL_CELL_HEAD, FUEL_CELL_TAIL, INFO_TYPES,
  MOTOR_FIELDS, RESPONSE_FLAGS, VEHICLE_FIELDS, VOLTAGE_SUBSYSTEM_HEAD, type Field,
} from './tables';

export type Marker = 'abnormal' | 'invalid';
export type Record_ = Record<string, unknown> & { markers?: Record<string, Marker> };

// ---------------------------------------------------------------------------------------------
// Fields

/**
 * A reader for one field table, compiled once into straight-line code: one bounds check, then
 * each field read, scaled and named in place. A generic loop that stores computed keys into
 * objects of many shapes runs several times slower once every table goes through it.
 */
function compileFields(fields: readonly Field[]): (r: Reader, block: string) => Record_ {
  const tables = fields.map((fd) => fd.enumTable);
  const total = fields.reduce((n, fd) => n + fd.width, 0);
  const lines = [
    `r.need(${total}, block);`,
    'const b = r.buf; let o = r.offset; let raw; let markers;',
    `const out = { ${fields.map((fd) => `${JSON.stringify(fd.name)}: null`).join(', ')} };`,
  ];
  fields.forEach((fd, i) => {
    const name = JSON.stringify(fd.name);
    const read = fd.width === 1 ? 'b[o]' : fd.width === 2 ? '((b[o] << 8) | b[o + 1])' : 'b.readUInt32BE(o)';
    const p = 10 ** fd.decimals;
    const value = fd.enumTable ? `named(tables[${i}], raw)` : fd.factor === 1 ? `raw - ${fd.offset}` : `Math.round((raw * ${fd.factor} - ${fd.offset}) * ${p}) / ${p}`;
    lines.push(`raw = ${read}; o += ${fd.width};`);
    if (fd.plain) {
      lines.push(`out[${name}] = ${value};`);
    } else {
      const max = fd.width === 1 ? 0xff : fd.width === 2 ? 0xffff : 0xffffffff;
      lines.push(`if (raw >= ${max - 1}) { (markers ??= {})[${name}] = raw === ${max} ? 'invalid' : 'abnormal'; } else { out[${name}] = ${value}; }`);
    }
  });
  lines.push('r.offset = o;', 'if (markers) out.markers = markers;', 'return out;');
  const factory = new Function('named', 'tables', `return function readFields(r, block) {\n${lines.join('\n')}\n};`) as
    (n: typeof named, t: typeof tables) => (r: Reader, block: string) => Record_;
  return factory(named, tables);
}

const compiled = new WeakMap<readonly Field[], (r: Reader, block: string) => Record_>();

function readFields(r: Reader, fields: readonly Field[], block: string): Record_ {
  let reader = compiled.get(fields);
  if (!reader) {
    reader = compileFields(fields);
    compiled.set(fields, reader);
  }
  return reader(r, block);
}

function unscale(value: unknown, fd: Field, block: string): number {
  if (fd.enumTable) {
    const code = typeof value === 'object' && value !== null ? (value as EnumValue).code : value;
    if (typeof code !== 'number') throw new ProtocolError('bad-value', `${block}.${fd.name} needs a code`, { value });
    return code;
  }
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new ProtocolError('bad-value', `${block}.${fd.name} must be a number or null with a marker`, { value });
  return Math.round((value + fd.offset) / fd.factor);
}

function writeFields(w: Writer, fields: readonly Field[], value: Record_, block: string): void {
  for (const fd of fields) {
    const marker = value.markers?.[fd.name];
    const raw = marker ? markerRaw(fd.width, marker) : unscale(value[fd.name], fd, block);
    w.uint(fd.width, raw, `${block}.${fd.name}`);
  }
}

/** A count or per-item value: the number, or null plus its marker. */
function readCount(r: Reader, width: Width, what: string): { n: number; marker?: Marker } {
  const raw = r.uint(width, what);
  const marker = markerOf(width, raw);
  return marker ? { n: 0, marker } : { n: raw };
}

function readList(r: Reader, n: number, width: Width, offset: number, factor: number, what: string): Array<number | null> {
  r.need(n * width, what);
  // Preallocated: pushing a mix of null and numbers makes V8 convert the array as it grows.
  const out = new Array<number | null>(n);
  const b = r.buf;
  let o = r.offset;
  // Scaled in integer steps (factor 0.001 = raw / 1000), so no binary noise needs rounding.
  const divisor = Math.round(1 / factor);
  if (width === 1) {
    for (let i = 0; i < n; i++) {
      const raw = b[o++]!;
      out[i] = raw >= 0xfe ? null : raw - offset;
    }
  } else if (width === 2) {
    for (let i = 0; i < n; i++, o += 2) {
      const raw = (b[o]! << 8) | b[o + 1]!;
      out[i] = raw >= 0xfffe ? null : (divisor === 1 ? raw : raw / divisor) - offset;
    }
  } else {
    for (let i = 0; i < n; i++, o += 4) {
      const raw = b.readUInt32BE(o);
      out[i] = raw >= 0xfffffffe ? null : (divisor === 1 ? raw : raw / divisor) - offset;
    }
  }
  r.offset = o;
  return out;
}

/** List items decode FE and FF both to null; they encode back as FF (invalid). */
function writeList(w: Writer, list: ReadonlyArray<number | null>, width: Width, offset: number, factor: number, what: string): void {
  for (const v of list) w.uint(width, v === null ? markerRaw(width, 'invalid') : Math.round((v + offset) / factor), what);
}

// ---------------------------------------------------------------------------------------------
// Time: 6 bytes, Beijing time (GMT+8)

export interface FrameTime {
  /** ISO 8601 with the +08:00 offset the standard uses. */
  time: string;
  timeMs: number;
}

/** Two-digit strings for 0..255: the time fields are bytes. */
const PAD2 = Array.from({ length: 256 }, (_, i) => String(i).padStart(2, '0'));

function readTime(r: Reader, what = 'time'): FrameTime {
  r.need(6, what);
  const b = r.buf;
  const o = r.offset;
  r.offset += 6;
  const y = b[o]!, mo = b[o + 1]!, d = b[o + 2]!, h = b[o + 3]!, mi = b[o + 4]!, s = b[o + 5]!;
  const time = `20${PAD2[y]}-${PAD2[mo]}-${PAD2[d]}T${PAD2[h]}:${PAD2[mi]}:${PAD2[s]}+08:00`;
  return { time, timeMs: Date.UTC(2000 + y, mo - 1, d, h - 8, mi, s) };
}

function writeTime(w: Writer, time: unknown): void {
  const m = typeof time === 'string' ? /^20(\d\d)-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)/.exec(time) : null;
  if (!m) throw new ProtocolError('bad-value', `time must be an ISO string in Beijing time, e.g. 2023-03-21T16:20:12+08:00`, { time });
  for (let i = 1; i <= 6; i++) w.uint(1, Number(m[i]), 'time');
}

// ---------------------------------------------------------------------------------------------
// Information types

function readGear(raw: number): Record<string, unknown> {
  const low = raw & 0x0f;
  const gear = low === 0 ? 'N' : low === 0x0d ? 'R' : low === 0x0e ? 'D' : low === 0x0f ? 'P' : low;
  return { code: raw, gear, driving: (raw & 0x20) !== 0, braking: (raw & 0x10) !== 0 };
}

function readVehicle(r: Reader): Record_ {
  const v = readFields(r, VEHICLE_FIELDS, 'vehicle');
  v.gear = readGear(v.gear as number);
  return v;
}

function writeVehicle(w: Writer, v: Record_): void {
  const gear = v.gear as { code?: number } | number;
  writeFields(w, VEHICLE_FIELDS, { ...v, gear: typeof gear === 'number' ? gear : gear?.code }, 'vehicle');
}

function readMotors(r: Reader): Record_[] {
  const n = r.uint(1, 'motors.count');
  const out: Record_[] = [];
  for (let i = 0; i < n; i++) out.push(readFields(r, MOTOR_FIELDS, `motors[${i}]`));
  return out;
}

function writeMotors(w: Writer, motors: Record_[]): void {
  w.uint(1, motors.length, 'motors.count');
  motors.forEach((m, i) => writeFields(w, MOTOR_FIELDS, m, `motors[${i}]`));
}

function readFuelCell(r: Reader): Record_ {
  const head = readFields(r, FUEL_CELL_HEAD, 'fuelCell');
  const count = readCount(r, 2, 'fuelCell.probeCount');
  const probeTemperatures = readList(r, count.n, 1, 40, 1, 'fuelCell.probeTemperatures');
  const tail = readFields(r, FUEL_CELL_TAIL, 'fuelCell');
  const markers = { ...head.markers, ...tail.markers, ...(count.marker ? { probeCount: count.marker } : {}) };
  return { ...head, probeCount: count.marker ? null : count.n, probeTemperatures, ...tail, ...(Object.keys(markers).length ? { markers } : {}) };
}

function writeFuelCell(w: Writer, v: Record_): void {
  writeFields(w, FUEL_CELL_HEAD, v, 'fuelCell');
  const temps = (v.probeTemperatures as Array<number | null> | undefined) ?? [];
  const marker = v.markers?.probeCount;
  w.uint(2, marker ? markerRaw(2, marker) : temps.length, 'fuelCell.probeCount');
  writeList(w, marker ? [] : temps, 1, 40, 1, 'fuelCell.probeTemperatures');
  writeFields(w, FUEL_CELL_TAIL, v, 'fuelCell');
}

function readPosition(r: Reader): Record_ {
  const status = r.uint(1, 'position.status');
  const lng = r.uint(4, 'position.longitude');
  const lat = r.uint(4, 'position.latitude');
  const west = (status & 0x04) !== 0;
  const south = (status & 0x02) !== 0;
  const out: Record_ = { status, valid: (status & 0x01) === 0, south, west };
  const lngMarker = markerOf(4, lng);
  const latMarker = markerOf(4, lat);
  out.longitude = lngMarker ? null : (west ? -1 : 1) * lng / 1e6;
  out.latitude = latMarker ? null : (south ? -1 : 1) * lat / 1e6;
  if (lngMarker || latMarker) out.markers = { ...(lngMarker ? { longitude: lngMarker } : {}), ...(latMarker ? { latitude: latMarker } : {}) };
  return out;
}

function writePosition(w: Writer, v: Record_): void {
  const status = typeof v.status === 'number' ? v.status : ((v.valid === false ? 1 : 0) | (v.south ? 2 : 0) | (v.west ? 4 : 0));
  w.uint(1, status, 'position.status');
  for (const k of ['longitude', 'latitude'] as const) {
    const marker = v.markers?.[k];
    w.uint(4, marker ? markerRaw(4, marker) : Math.round(Math.abs(Number(v[k])) * 1e6), `position.${k}`);
  }
}

const FAULT_LISTS = ['storageFaults', 'motorFaults', 'engineFaults', 'otherFaults'] as const;

/** The 19 named flags from the DWORD, as one object literal (compiled once from ALARM_FLAGS). */
const alarmFlags = new Function('f', `return { ${ALARM_FLAGS.map(([key], bit) => `${key}: ((f >>> ${bit}) & 1) === 1`).join(', ')} };`) as (f: number) => Record<string, boolean>;

function readAlarm(r: Reader): Record_ {
  const levelRaw = r.uint(1, 'alarm max level');
  const levelMarker = markerOf(1, levelRaw);
  const flagsRaw = r.uint(4, 'alarm flags');
  const out: Record_ = { maxLevel: levelMarker ? null : named(ALARM_LEVELS, levelRaw), flagsRaw, flags: alarmFlags(flagsRaw), storageFaults: null, motorFaults: null, engineFaults: null, otherFaults: null };
  let markers: Record<string, Marker> | undefined = levelMarker ? { maxLevel: levelMarker } : undefined;
  for (const list of FAULT_LISTS) {
    const count = readCount(r, 1, 'alarm fault count');
    if (count.marker) (markers ??= {})[list] = count.marker;
    out[list] = readList(r, count.n, 4, 0, 1, 'alarm fault codes');
  }
  if (markers) out.markers = markers;
  return out;
}

function writeAlarm(w: Writer, v: Record_): void {
  const levelMarker = v.markers?.maxLevel;
  w.uint(1, levelMarker ? markerRaw(1, levelMarker) : unscale(v.maxLevel, { name: 'maxLevel', width: 1, factor: 1, offset: 0, decimals: 0, enumTable: ALARM_LEVELS }, 'alarm'), 'alarm.maxLevel');
  let flags = typeof v.flagsRaw === 'number' ? v.flagsRaw : 0;
  if (typeof v.flagsRaw !== 'number') {
    const named_ = (v.flags ?? {}) as Record<string, boolean>;
    ALARM_FLAGS.forEach(([key], bit) => { if (named_[key]) flags |= 1 << bit; });
    flags >>>= 0;
  }
  w.uint(4, flags, 'alarm.flags');
  for (const list of FAULT_LISTS) {
    const marker = v.markers?.[list];
    const codes = (v[list] as number[] | undefined) ?? [];
    w.uint(1, marker ? markerRaw(1, marker) : codes.length, `alarm.${list}.count`);
    if (!marker) for (const c of codes) w.uint(4, c, `alarm.${list}`);
  }
}

// Hot paths below add properties to the objects they create instead of spreading them: V8 makes
// spread results slow to extend, and these run for every subsystem of every frame.

function readSubsystems(r: Reader, what: string, item: (i: number) => Record_): Record_ {
  const count = readCount(r, 1, what);
  const list: Record_[] = [];
  for (let i = 0; i < count.n; i++) list.push(item(i));
  const out: Record_ = { subsystems: list };
  if (count.marker) out.markers = { count: count.marker };
  return out;
}

function readVoltages(r: Reader): Record_ {
  return readSubsystems(r, 'voltages count', () => {
    const sub = readFields(r, VOLTAGE_SUBSYSTEM_HEAD, 'voltages subsystem');
    const m = r.uint(1, 'voltages frame cell count');
    sub.frameCells = m;
    sub.cellVoltages = readList(r, m, 2, 0, 0.001, 'voltages cell voltages');
    if (sub.markers) {
      // Keep markers last, as readFields puts them.
      const markers = sub.markers;
      delete sub.markers;
      sub.markers = markers;
    }
    return sub;
  });
}

function writeVoltages(w: Writer, v: Record_): void {
  const subs = (v.subsystems as Record_[] | undefined) ?? [];
  const marker = v.markers?.count;
  w.uint(1, marker ? markerRaw(1, marker) : subs.length, 'voltages.count');
  if (marker) return;
  subs.forEach((s, i) => {
    writeFields(w, VOLTAGE_SUBSYSTEM_HEAD, s, `voltages[${i}]`);
    const cells = (s.cellVoltages as Array<number | null> | undefined) ?? [];
    w.uint(1, cells.length, `voltages[${i}].frameCells`);
    writeList(w, cells, 2, 0, 0.001, `voltages[${i}].cellVoltages`);
  });
}

function readTemperatures(r: Reader): Record_ {
  return readSubsystems(r, 'temperatures count', () => {
    const subsystem = r.uint(1, 'temperatures subsystem');
    const count = readCount(r, 2, 'temperatures probe count');
    const sub: Record_ = { subsystem, probeCount: count.marker ? null : count.n, temperatures: readList(r, count.n, 1, 40, 1, 'temperatures') };
    if (count.marker) sub.markers = { probeCount: count.marker };
    return sub;
  });
}

function writeTemperatures(w: Writer, v: Record_): void {
  const subs = (v.subsystems as Record_[] | undefined) ?? [];
  const marker = v.markers?.count;
  w.uint(1, marker ? markerRaw(1, marker) : subs.length, 'temperatures.count');
  if (marker) return;
  subs.forEach((s, i) => {
    w.uint(1, s.subsystem as number, `temperatures[${i}].subsystem`);
    const temps = (s.temperatures as Array<number | null> | undefined) ?? [];
    const pm = s.markers?.probeCount;
    w.uint(2, pm ? markerRaw(2, pm) : temps.length, `temperatures[${i}].probeCount`);
    writeList(w, pm ? [] : temps, 1, 40, 1, `temperatures[${i}].temperatures`);
  });
}

type BlockCodec = { read(r: Reader): unknown; write(w: Writer, v: never): void };
const BLOCKS: Record<number, BlockCodec> = {
  0x01: { read: readVehicle, write: writeVehicle },
  0x02: { read: readMotors, write: writeMotors },
  0x03: { read: readFuelCell, write: writeFuelCell },
  0x04: { read: (r) => readFields(r, ENGINE_FIELDS, 'engine'), write: (w, v: Record_) => writeFields(w, ENGINE_FIELDS, v, 'engine') },
  0x05: { read: readPosition, write: writePosition },
  0x06: { read: (r) => readFields(r, EXTREME_FIELDS, 'extremes'), write: (w, v: Record_) => writeFields(w, EXTREME_FIELDS, v, 'extremes') },
  0x07: { read: readAlarm, write: writeAlarm },
  0x08: { read: readVoltages, write: writeVoltages },
  0x09: { read: readTemperatures, write: writeTemperatures },
};

export interface CustomBlock {
  type: number;
  data: Buffer;
}

export interface RealtimeData extends FrameTime {
  vehicle?: Record_;
  motors?: Record_[];
  fuelCell?: Record_;
  engine?: Record_;
  position?: Record_;
  extremes?: Record_;
  alarm?: Record_;
  voltages?: Record_;
  temperatures?: Record_;
  /** User-defined blocks (0x80-0xFE), kept as raw bytes with their type. */
  custom?: CustomBlock[];
  /** Information types in the order they came (repeats included). */
  order: number[];
  /** Second and later blocks of a type already seen, in order. */
  repeated?: Array<{ type: number; value: unknown }>;
}

/** Puts a block on its named property unless one is there already; plain stores, no computed keys. */
function storeBlock(out: RealtimeData, type: number, value: unknown): boolean {
  const v = value as Record_;
  switch (type) {
    case 0x01: if (out.vehicle) return false; out.vehicle = v; return true;
    case 0x02: if (out.motors) return false; out.motors = value as Record_[]; return true;
    case 0x03: if (out.fuelCell) return false; out.fuelCell = v; return true;
    case 0x04: if (out.engine) return false; out.engine = v; return true;
    case 0x05: if (out.position) return false; out.position = v; return true;
    case 0x06: if (out.extremes) return false; out.extremes = v; return true;
    case 0x07: if (out.alarm) return false; out.alarm = v; return true;
    case 0x08: if (out.voltages) return false; out.voltages = v; return true;
    default: if (out.temperatures) return false; out.temperatures = v; return true;
  }
}

/** Realtime (0x02) and reissue (0x03) data units: time, then [type][body] until the end. */
export function decodeRealtime(unit: Buffer): RealtimeData {
  const r = new Reader(unit);
  // Built field by field: an object made by spreading is several times slower to add to.
  const t = readTime(r);
  const out: RealtimeData = { time: t.time, timeMs: t.timeMs, order: [] };
  while (r.remaining > 0) {
    const at = r.offset;
    const type = r.uint(1, 'information type');
    try {
      if (type >= 0x80 && type <= 0xfe) {
        const len = r.uint(2, `user-defined 0x${type.toString(16)} length`);
        (out.custom ??= []).push({ type, data: Buffer.from(r.bytes(len, `user-defined 0x${type.toString(16)}`)) });
        out.order.push(type);
        continue;
      }
      const codec = BLOCKS[type];
      if (!codec) {
        throw new ProtocolError('unknown-info-type', `information type 0x${type.toString(16).padStart(2, '0')} at byte ${at} has no length, so decoding stops there`, { offset: at, type });
      }
      const value = codec.read(r);
      if (!storeBlock(out, type, value)) (out.repeated ??= []).push({ type, value });
      out.order.push(type);
    } catch (err) {
      if (err instanceof ProtocolError) {
        err.details.partial = out;
        err.details.offset ??= at;
        err.details.type ??= type;
      }
      throw err;
    }
  }
  return out;
}

export function encodeRealtime(data: Partial<RealtimeData> & { time: string }): Buffer {
  const w = new Writer();
  writeTime(w, data.time);
  const order = data.order ?? [
    ...[...INFO_TYPES.keys()].filter((t) => (data as Record<string, unknown>)[INFO_TYPES.get(t)![0]] !== undefined),
    ...(data.custom ?? []).map((c) => c.type),
  ];
  const seen = new Map<number, number>();
  for (const type of order) {
    const n = seen.get(type) ?? 0;
    seen.set(type, n + 1);
    w.uint(1, type, 'information type');
    if (type >= 0x80 && type <= 0xfe) {
      const block = (data.custom ?? []).filter((c) => c.type === type)[n];
      if (!block) throw new ProtocolError('bad-value', `no user-defined block for type 0x${type.toString(16)}`);
      w.uint(2, block.data.length, 'user-defined length').bytes(block.data);
      continue;
    }
    const codec = BLOCKS[type];
    const name = INFO_TYPES.get(type)?.[0];
    if (!codec || !name) throw new ProtocolError('bad-value', `information type 0x${type.toString(16)} cannot be encoded`);
    const value = n === 0 ? (data as Record<string, unknown>)[name] : (data.repeated ?? []).filter((x) => x.type === type)[n - 1]?.value;
    if (value === undefined) throw new ProtocolError('bad-value', `no ${name} data for its place in the order`);
    codec.write(w, value as never);
  }
  return w.toBuffer();
}

// ---------------------------------------------------------------------------------------------
// Other data units

export interface LoginData extends FrameTime { serialNo: number; iccid: string; subsystemCount: number; codeLength: number; systemCodes: string[] }

function decodeLogin(unit: Buffer): LoginData {
  const r = new Reader(unit);
  const t = readTime(r);
  const serialNo = r.uint(2, 'login.serialNo');
  const iccid = r.text(20, 'login.iccid');
  const subsystemCount = r.uint(1, 'login.subsystemCount');
  const codeLength = r.uint(1, 'login.codeLength');
  const systemCodes: string[] = [];
  if (codeLength > 0) for (let i = 0; i < subsystemCount; i++) systemCodes.push(r.text(codeLength, `login.systemCodes[${i}]`));
  return { ...t, serialNo, iccid, subsystemCount, codeLength, systemCodes };
}

function encodeLogin(v: LoginData): Buffer {
  const w = new Writer();
  writeTime(w, v.time);
  w.uint(2, v.serialNo, 'login.serialNo').text(v.iccid, 20, 'login.iccid').uint(1, v.subsystemCount, 'login.subsystemCount').uint(1, v.codeLength, 'login.codeLength');
  if (v.codeLength > 0) v.systemCodes.forEach((c, i) => w.text(c, v.codeLength, `login.systemCodes[${i}]`));
  return w.toBuffer();
}

export interface SerialData extends FrameTime { serialNo: number }

function decodeSerial(unit: Buffer, what: string): SerialData {
  const r = new Reader(unit);
  return { ...readTime(r), serialNo: r.uint(2, `${what}.serialNo`) };
}

function encodeSerial(v: SerialData): Buffer {
  const w = new Writer();
  writeTime(w, v.time);
  return w.uint(2, v.serialNo, 'serialNo').toBuffer();
}

export interface PlatformLoginData extends SerialData { username: string; password: string; encryption: EnumValue }

function decodePlatformLogin(unit: Buffer): PlatformLoginData {
  const r = new Reader(unit);
  return { ...readTime(r), serialNo: r.uint(2, 'platformLogin.serialNo'), username: r.text(12, 'platformLogin.username'), password: r.text(20, 'platformLogin.password'), encryption: named(ENCRYPTION, r.uint(1, 'platformLogin.encryption')) };
}

function encodePlatformLogin(v: PlatformLoginData): Buffer {
  const w = new Writer();
  writeTime(w, v.time);
  return w.uint(2, v.serialNo, 'serialNo').text(v.username, 12, 'username').text(v.password, 20, 'password').uint(1, v.encryption.code, 'encryption').toBuffer();
}

/**
 * A data unit by command. Responses from a platform (flag other than 0xFE) carry only the time;
 * commands this decoder does not read (0x80-0x82, reserved) keep their bytes in `raw`.
 */
export function decodeDataUnit(command: number, unit: Buffer, responseFlag = 0xfe): Record<string, unknown> {
  if (responseFlag !== 0xfe && unit.length === 6) return { ...readTime(new Reader(unit)) };
  switch (command) {
    case 0x01: return { ...decodeLogin(unit) };
    case 0x02:
    case 0x03: return decodeRealtime(unit) as unknown as Record<string, unknown>;
    case 0x04: return { ...decodeSerial(unit, 'logout') };
    case 0x05: return { ...decodePlatformLogin(unit) };
    case 0x06: return { ...decodeSerial(unit, 'platformLogout') };
    case 0x07:
    case 0x08: return unit.length >= 6 ? { ...readTime(new Reader(unit)) } : {};
    default: return { raw: Buffer.from(unit) };
  }
}

export function encodeDataUnit(command: number, data: Record<string, unknown>): Buffer {
  switch (command) {
    case 0x01: return encodeLogin(data as unknown as LoginData);
    case 0x02:
    case 0x03: return encodeRealtime(data as unknown as RealtimeData);
    case 0x04:
    case 0x06: return encodeSerial(data as unknown as SerialData);
    case 0x05: return encodePlatformLogin(data as unknown as PlatformLoginData);
    case 0x07:
    case 0x08: {
      if (typeof data.time !== 'string') return Buffer.alloc(0);
      const w = new Writer();
      writeTime(w, data.time);
      return w.toBuffer();
    }
    default:
      if (Buffer.isBuffer(data.raw)) return data.raw;
      throw new ProtocolError('bad-value', `command 0x${command.toString(16)} is encoded from data.raw bytes`);
  }
}

// ---------------------------------------------------------------------------------------------
// Frames

export interface Frame {
  command: EnumValue;
  responseFlag: EnumValue;
  vin: string;
  encryption: EnumValue;
  length: number;
  checksum: { ok: boolean; expected: number; actual: number };
  data: Record<string, unknown>;
}

export interface FrameOptions {
  /** Decode a frame whose BCC does not match, flagged in `checksum.ok`, instead of failing. */
  ignoreChecksum?: boolean;
}

export function decodeFrame(buf: Buffer, opts: FrameOptions = {}): Frame {
  if (buf.length < 2 || buf[0] !== buf[1] || (buf[0] !== 0x23 && buf[0] !== 0x24)) {
    throw new ProtocolError('bad-start', 'a GB/T 32960 frame starts with "##"', { offset: 0 });
  }
  if (buf[0] === 0x24) {
    throw new ProtocolError('edition-2025', 'this frame starts with "$$" (GB/T 32960.3-2025), which this decoder does not read yet', { offset: 0 });
  }
  const r = new Reader(buf, 2);
  const command = r.uint(1, 'command');
  const responseFlag = r.uint(1, 'response flag');
  const vin = r.text(17, 'VIN');
  const encryption = r.uint(1, 'encryption');
  const length = r.uint(2, 'data unit length');
  if (buf.length !== 25 + length) {
    throw new ProtocolError('length-mismatch', `the header says ${length} data bytes, so the frame should be ${25 + length} bytes, but it is ${buf.length}`, { offset: 22, length, frameLength: buf.length });
  }
  const expected = bcc(buf, 2, 24 + length);
  const actual = buf[24 + length]!;
  if (expected !== actual && !opts.ignoreChecksum) {
    throw new ProtocolError('checksum', `BCC mismatch: computed 0x${expected.toString(16).padStart(2, '0')}, frame has 0x${actual.toString(16).padStart(2, '0')}`, { offset: 24 + length, expected, actual });
  }
  const unit = buf.subarray(24, 24 + length);
  const frame: Frame = {
    command: named(COMMANDS, command), responseFlag: named(RESPONSE_FLAGS, responseFlag), vin, encryption: named(ENCRYPTION, encryption),
    length, checksum: { ok: expected === actual, expected, actual }, data: {},
  };
  if (encryption === 0x02 || encryption === 0x03) {
    frame.data = { encrypted: Buffer.from(unit) };
    return frame;
  }
  try {
    frame.data = decodeDataUnit(command, unit, responseFlag);
    return frame;
  } catch (err) {
    if (err instanceof ProtocolError && typeof err.details.offset === 'number') err.details.frameOffset = 24 + err.details.offset;
    throw err;
  }
}

export interface FrameInput {
  command: number;
  responseFlag?: number;
  vin: string;
  encryption?: number;
  data: Record<string, unknown>;
}

export function encodeFrame(f: FrameInput): Buffer {
  const unit = encodeDataUnit(f.command, f.data);
  const w = new Writer();
  w.uint(1, 0x23, 'start').uint(1, 0x23, 'start').uint(1, f.command, 'command').uint(1, f.responseFlag ?? 0xfe, 'response flag')
    .text(f.vin, 17, 'VIN').uint(1, f.encryption ?? 0x01, 'encryption').uint(2, unit.length, 'data unit length').bytes(unit);
  const frame = Buffer.concat([w.toBuffer(), Buffer.alloc(1)]);
  frame[frame.length - 1] = bcc(frame, 2, frame.length - 1);
  return frame;
}

