/**
 * GB/T 32960.3 frames and data units, 2016 ("##") and 2025 ("$$") editions: decode and encode,
 * every information type of the realtime/reissue data unit, login/logout, platform
 * login/logout, heartbeat and time calibration. FE/FF markers decode to null with the marker
 * kept in `markers`, so that encode(decode(x)) gives the same bytes back.
 */
import { named, type EnumValue } from '../enum-table';
import { ProtocolError } from '../protocol-error';
import { Reader, Writer, bcc } from './binary';
import { BLOCKS_2016, type BlockCodec, type BlockContext } from './blocks2016';
import { BLOCKS_2025 } from './blocks2025';
import { readSignature, readTime, setIsoTimes, writeSignature, writeTime, type FrameTime, type Marker, type Record_, type Signature } from './fields';
import { decodeActivation, decodeActivationResponse, decodeKeyExchange, encodeActivation, encodeActivationResponse, encodeKeyExchange } from './activation';
import { decodeControl, decodeParameters, decodeQuery, encodeControl, encodeParameters, encodeQuery, isQueryLayout } from './terminal';
import {
  COMMANDS, COMMANDS_2025, ENCRYPTION, ENCRYPTION_2025, INFO_TYPES, INFO_TYPES_2025, RESPONSE_FLAGS, RESPONSE_FLAGS_2025,
} from './tables';

export type Edition = 2016 | 2025;

/** Information type names by code, as an array for a plain indexed lookup per block. */
const namesOf = (types: typeof INFO_TYPES) => Array.from({ length: 256 }, (_, code) => types.get(code)?.[0]);

const EDITIONS = {
  2016: { blocks: BLOCKS_2016, types: INFO_TYPES, names: namesOf(INFO_TYPES), commands: COMMANDS, flags: RESPONSE_FLAGS, encryption: ENCRYPTION, start: 0x23 },
  2025: { blocks: BLOCKS_2025, types: INFO_TYPES_2025, names: namesOf(INFO_TYPES_2025), commands: COMMANDS_2025, flags: RESPONSE_FLAGS_2025, encryption: ENCRYPTION_2025, start: 0x24 },
} as const satisfies Record<Edition, { blocks: Record<number, BlockCodec>; start: number } & Record<string, unknown>>;


export type { FrameTime, Marker, Record_ } from './fields';

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
  repeated?: Array<{ type: number; value: unknown; markers?: Record<string, Marker> }>;
  /** 2025 edition only. */
  fuelCellStacks?: Record_[];
  supercapacitor?: Record_;
  supercapacitorExtremes?: Record_;
  /** FE/FF list counts that have no place in their (empty) list: 2025 `motors`, `fuelCellStacks`. */
  markers?: Record<string, Marker>;
  /** 2025 edition: the 0xFF signature that closes the data unit. */
  signature?: Signature;
}

/** Puts a block on its named property unless one is there already; plain stores, no computed keys. */
function storeBlock(out: RealtimeData, name: string, value: unknown): boolean {
  const v = value as Record_;
  switch (name) {
    case 'vehicle': if (out.vehicle) return false; out.vehicle = v; return true;
    case 'motors': if (out.motors) return false; out.motors = value as Record_[]; return true;
    case 'fuelCell': if (out.fuelCell) return false; out.fuelCell = v; return true;
    case 'engine': if (out.engine) return false; out.engine = v; return true;
    case 'position': if (out.position) return false; out.position = v; return true;
    case 'extremes': if (out.extremes) return false; out.extremes = v; return true;
    case 'alarm': if (out.alarm) return false; out.alarm = v; return true;
    case 'voltages': if (out.voltages) return false; out.voltages = v; return true;
    case 'temperatures': if (out.temperatures) return false; out.temperatures = v; return true;
    case 'fuelCellStacks': if (out.fuelCellStacks) return false; out.fuelCellStacks = value as Record_[]; return true;
    case 'supercapacitor': if (out.supercapacitor) return false; out.supercapacitor = v; return true;
    default: if (out.supercapacitorExtremes) return false; out.supercapacitorExtremes = v; return true;
  }
}

/**
 * Realtime (0x02) and reissue (0x03) data units: time, then [type][body] until the end; in the
 * 2025 edition a 0xFF signature closes the unit.
 */
export function decodeRealtime(unit: Buffer, edition: Edition = 2016): RealtimeData {
  const { blocks, names } = EDITIONS[edition];
  const r = new Reader(unit);
  // Built field by field: an object made by spreading is several times slower to add to.
  const t = readTime(r);
  const out: RealtimeData = { time: t.time, timeMs: t.timeMs, order: [] };
  let at = 0;
  let type = -1;
  let seenLow = 0;
  let seenHigh = 0;
  try {
    while (r.remaining > 0) {
      at = r.offset;
      type = r.uint(1, 'information type');
      if (type >= 0x80 && type <= 0xfe) {
        const len = r.uint(2, 'user-defined block length');
        (out.custom ??= []).push({ type, data: Buffer.from(r.bytes(len, 'user-defined block')) });
        out.order.push(type);
        continue;
      }
      if (type === 0xff && edition === 2025) {
        out.signature = readSignature(r);
        if (r.remaining > 0) throw new ProtocolError('trailing-data', `${r.remaining} byte(s) follow the signature at byte ${r.offset}`, { offset: r.offset });
        continue;
      }
      const codec = blocks[type];
      if (!codec) {
        throw new ProtocolError('unknown-info-type', `information type 0x${type.toString(16).padStart(2, '0')} at byte ${at} has no length (or is not defined in the ${edition} edition), so decoding stops there`, { offset: at, type });
      }
      // Types seen so far, as bits (named types are below 64): a repeated block keeps its own count markers.
      const bit = 1 << (type & 31);
      const repeat = ((type < 32 ? seenLow : seenHigh) & bit) !== 0;
      if (type < 32) seenLow |= bit;
      else seenHigh |= bit;
      const ctx: BlockContext = repeat ? {} : out;
      const value = codec.read(r, ctx);
      if (repeat || !storeBlock(out, names[type]!, value)) (out.repeated ??= []).push(ctx.markers ? { type, value, markers: ctx.markers } : { type, value });
      out.order.push(type);
    }
  } catch (err) {
    if (err instanceof ProtocolError) {
      err.details.partial = out;
      err.details.offset ??= at;
      err.details.type ??= type;
    }
    throw err;
  }
  return out;
}

export function encodeRealtime(data: Partial<RealtimeData> & { time: string }, edition: Edition = 2016): Buffer {
  const { blocks, types } = EDITIONS[edition];
  const w = new Writer();
  writeTime(w, data.time);
  const order = data.order ?? [
    ...[...types.keys()].filter((t) => (data as Record<string, unknown>)[types.get(t)![0]] !== undefined),
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
    const codec = blocks[type];
    const name = types.get(type)?.[0];
    if (!codec || !name) throw new ProtocolError('bad-value', `information type 0x${type.toString(16)} cannot be encoded`);
    const again = n === 0 ? undefined : (data.repeated ?? []).filter((x) => x.type === type)[n - 1];
    const value = n === 0 ? (data as Record<string, unknown>)[name] : again?.value;
    if (value === undefined) throw new ProtocolError('bad-value', `no ${name} data for its place in the order`);
    codec.write(w, value as never, n === 0 ? data : again!);
  }
  if (edition === 2025 && data.signature) {
    w.uint(1, 0xff, 'signature marker');
    writeSignature(w, data.signature);
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
  return { time: t.time, timeMs: t.timeMs, serialNo, iccid, subsystemCount, codeLength, systemCodes };
}

function encodeLogin(v: LoginData): Buffer {
  const w = new Writer();
  writeTime(w, v.time);
  w.uint(2, v.serialNo, 'login.serialNo').text(v.iccid, 20, 'login.iccid').uint(1, v.subsystemCount, 'login.subsystemCount').uint(1, v.codeLength, 'login.codeLength');
  if (v.codeLength > 0) v.systemCodes.forEach((c, i) => w.text(c, v.codeLength, `login.systemCodes[${i}]`));
  return w.toBuffer();
}

/** 2025 login (table 6): BMS count, battery packs per BMS, then 24-byte pack codes (GB/T 34014). */
export interface LoginData2025 extends FrameTime { serialNo: number; iccid: string; bmsCount: number; packsPerBms: number[]; packCodes: string[] }

function decodeLogin2025(unit: Buffer): LoginData2025 {
  const r = new Reader(unit);
  const t = readTime(r);
  const serialNo = r.uint(2, 'login serial number');
  const iccid = r.text(20, 'login ICCID');
  const bmsCount = r.uint(1, 'login BMS count');
  const packsPerBms: number[] = [];
  for (let i = 0; i < bmsCount; i++) packsPerBms.push(r.uint(1, 'login packs per BMS'));
  const packCodes: string[] = [];
  for (const m of packsPerBms) for (let j = 0; j < m; j++) packCodes.push(r.text(24, 'login pack code'));
  return { time: t.time, timeMs: t.timeMs, serialNo, iccid, bmsCount, packsPerBms, packCodes };
}

function encodeLogin2025(v: LoginData2025): Buffer {
  const w = new Writer();
  writeTime(w, v.time);
  w.uint(2, v.serialNo, 'login serial number').text(v.iccid, 20, 'login ICCID').uint(1, v.packsPerBms.length, 'login BMS count');
  for (const m of v.packsPerBms) w.uint(1, m, 'login packs per BMS');
  const total = v.packsPerBms.reduce((a, b) => a + b, 0);
  if (v.packCodes.length !== total) throw new ProtocolError('bad-value', `login lists ${total} packs but ${v.packCodes.length} pack codes`);
  for (const c of v.packCodes) w.text(c, 24, 'login pack code');
  return w.toBuffer();
}

export interface SerialData extends FrameTime { serialNo: number }

function decodeSerial(unit: Buffer, what: string): SerialData {
  const r = new Reader(unit);
  const t = readTime(r);
  return { time: t.time, timeMs: t.timeMs, serialNo: r.uint(2, `${what}.serialNo`) };
}

function encodeSerial(v: SerialData): Buffer {
  const w = new Writer();
  writeTime(w, v.time);
  return w.uint(2, v.serialNo, 'serialNo').toBuffer();
}

/**
 * Platform login (2016 table 21): the encryption rule is read with the frame's own edition table
 * (2025 adds SM2 and SM4), and named `encryptionRule` so that it never hides the header's byte.
 */
export interface PlatformLoginData extends SerialData { username: string; password: string; encryptionRule: EnumValue }

function decodePlatformLogin(unit: Buffer, edition: Edition): PlatformLoginData {
  const r = new Reader(unit);
  const t = readTime(r);
  return {
    time: t.time, timeMs: t.timeMs, serialNo: r.uint(2, 'platformLogin.serialNo'), username: r.text(12, 'platformLogin.username'), password: r.text(20, 'platformLogin.password'),
    encryptionRule: named(EDITIONS[edition].encryption, r.uint(1, 'platformLogin.encryptionRule')),
  };
}

function encodePlatformLogin(v: PlatformLoginData & { encryption?: EnumValue | number }): Buffer {
  const w = new Writer();
  writeTime(w, v.time);
  const rule = v.encryptionRule ?? v.encryption;
  const code = typeof rule === 'number' ? rule : rule?.code;
  if (typeof code !== 'number') throw new ProtocolError('bad-value', 'platform login needs encryptionRule (1 none, 2 RSA, 3 AES; 2025 also 4 SM2, 5 SM4)');
  return w.uint(2, v.serialNo, 'serialNo').text(v.username, 12, 'username').text(v.password, 20, 'password').uint(1, code, 'encryptionRule').toBuffer();
}

/** A decoded data unit as the loose record decodeDataUnit returns, without copying it. */
const rec = (v: object) => v as Record<string, unknown>;

/** Only the time: what a platform's reply to a vehicle frame carries (§6.3.2), or nothing at all. */
function isTimeOnly(data: Record<string, unknown>): boolean {
  for (const k in data) if (k !== 'time' && k !== 'timeMs') return false;
  return true;
}

/**
 * 0x80-0x82 (terminal.ts). A vehicle's reply may be empty, the time alone, or the command's layout
 * with its values; a reply that fits none keeps its bytes in `raw`, a command that does not fit fails.
 */
function decodeTerminalUnit(command: number, unit: Buffer, responseFlag: number, edition: Edition): Record<string, unknown> {
  if (unit.length === 0) return {};
  try {
    if (command === 0x82) return rec(decodeControl(unit, edition));
    // A vehicle's reply (flag not 0xFE) may overstate its count (a terminal writes the number of
    // ids asked for) and so have a query's length: read it as values first.
    if (command === 0x80 && isQueryLayout(unit) && (responseFlag === 0xfe || !readsAsValues(unit, edition))) return rec(decodeQuery(unit));
    return rec(decodeParameters(unit, edition));
  } catch (err) {
    if (responseFlag === 0xfe || !(err instanceof ProtocolError)) throw err;
    return { raw: Buffer.from(unit) };
  }
}

/** The unit reads as a parameter list to its end, every id known. */
function readsAsValues(unit: Buffer, edition: Edition): boolean {
  try {
    return decodeParameters(unit, edition).rest === undefined;
  } catch {
    return false;
  }
}

function encodeTerminalUnit(command: number, data: Record<string, unknown>, edition: Edition, responseFlag: number): Buffer {
  if (command === 0x82 && (data.control !== undefined || data.command !== undefined)) return encodeControl(data, edition);
  if (command === 0x80 && data.ids !== undefined) return encodeQuery(data);
  if (command !== 0x82 && data.parameters !== undefined) return encodeParameters(data, edition, { set: command === 0x81 && responseFlag === 0xfe });
  if (typeof data.time === 'string') {
    const w = new Writer();
    writeTime(w, data.time);
    return w.toBuffer();
  }
  if (responseFlag !== 0xfe && Object.keys(data).length === 0) return Buffer.alloc(0);
  const needs = command === 0x80 ? 'ids (a query) or parameters (a reply)' : command === 0x81 ? 'parameters' : 'control';
  throw new ProtocolError('bad-value', `command 0x${command.toString(16)} needs ${needs}`);
}

/**
 * A data unit by command. Responses from a platform (flag other than 0xFE) carry only the time;
 * commands this decoder does not read (reserved, user-defined) keep their bytes in `raw`.
 */
export function decodeDataUnit(command: number, unit: Buffer, responseFlag = 0xfe, edition: Edition = 2016): Record<string, unknown> {
  if (responseFlag !== 0xfe && (unit.length === 6 || unit.length === 0)) return unit.length ? rec(readTime(new Reader(unit))) : {};
  switch (command) {
    case 0x01: return edition === 2025 ? rec(decodeLogin2025(unit)) : rec(decodeLogin(unit));
    case 0x02:
    case 0x03: return decodeRealtime(unit, edition) as unknown as Record<string, unknown>;
    case 0x04: return rec(decodeSerial(unit, 'logout'));
    case 0x05: return rec(decodePlatformLogin(unit, edition));
    case 0x06: return rec(decodeSerial(unit, 'platformLogout'));
    case 0x07:
    case 0x08: return unit.length >= 6 ? rec(readTime(new Reader(unit))) : {};
    case 0x80:
    case 0x81:
    case 0x82: return decodeTerminalUnit(command, unit, responseFlag, edition);
    // 2025 only; in "##" frames vendors use these ids for their own messages.
    case 0x09: return edition === 2025 ? rec(decodeActivation(unit)) : { raw: Buffer.from(unit) };
    case 0x0a: return edition === 2025 ? rec(decodeActivationResponse(unit)) : { raw: Buffer.from(unit) };
    case 0x0b: return edition === 2025 && unit.length > 0 ? rec(decodeKeyExchange(unit)) : unit.length === 0 ? {} : { raw: Buffer.from(unit) };
    default: return { raw: Buffer.from(unit) };
  }
}

export function encodeDataUnit(command: number, data: Record<string, unknown>, edition: Edition = 2016, responseFlag = 0xfe): Buffer {
  if (Buffer.isBuffer(data.raw)) return data.raw;
  if (Buffer.isBuffer(data.encrypted)) return data.encrypted;
  // A reply (any flag but 0xFE) holding only the request's time, or nothing.
  if (responseFlag !== 0xfe && isTimeOnly(data)) {
    const w = new Writer();
    if (data.time !== undefined) writeTime(w, data.time);
    return w.toBuffer();
  }
  switch (command) {
    case 0x01: return edition === 2025 ? encodeLogin2025(data as unknown as LoginData2025) : encodeLogin(data as unknown as LoginData);
    case 0x02:
    case 0x03: return encodeRealtime(data as unknown as RealtimeData, edition);
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
    case 0x80:
    case 0x81:
    case 0x82: return encodeTerminalUnit(command, data, edition, responseFlag);
    case 0x09: if (edition === 2025) return encodeActivation(data); break;
    case 0x0a: if (edition === 2025) return encodeActivationResponse(data); break;
    case 0x0b:
      if (edition === 2025 && data.key !== undefined) return encodeKeyExchange(data);
      if (Object.keys(data).length === 0) return Buffer.alloc(0);
      break;
    default:
      break;
  }
  throw new ProtocolError('bad-value', `command 0x${command.toString(16)} is encoded from data.raw bytes`);
}

// ---------------------------------------------------------------------------------------------
// Frames

export interface Frame {
  edition: Edition;
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
  /** false: times come as epoch milliseconds only (`timeMs`), without the ISO string `time`. */
  isoTimes?: boolean;
}

export function decodeFrame(buf: Buffer, opts: FrameOptions = {}): Frame {
  if (buf.length < 2 || buf[0] !== buf[1] || (buf[0] !== 0x23 && buf[0] !== 0x24)) {
    throw new ProtocolError('bad-start', 'a GB/T 32960 frame starts with "##" (2016 edition) or "$$" (2025 edition)', { offset: 0 });
  }
  const edition: Edition = buf[0] === 0x24 ? 2025 : 2016;
  const tables = EDITIONS[edition];
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
    edition, command: named(tables.commands, command), responseFlag: named(tables.flags, responseFlag), vin, encryption: named(tables.encryption, encryption),
    length, checksum: { ok: expected === actual, expected, actual }, data: {},
  };
  // Only 0x01 says the data unit is plain; FE/FF (abnormal, invalid) are read as plain too. Any
  // other code, a reserved one included (e.g. 0x04 in a 2016 frame), is kept as it came.
  if (encryption !== 0x01 && encryption < 0xfe) {
    frame.data = { encrypted: Buffer.from(unit) };
    return frame;
  }
  const iso = setIsoTimes(opts.isoTimes !== false);
  try {
    frame.data = decodeDataUnit(command, unit, responseFlag, edition);
    return frame;
  } catch (err) {
    if (err instanceof ProtocolError && typeof err.details.offset === 'number') err.details.frameOffset = 24 + err.details.offset;
    throw err;
  } finally {
    setIsoTimes(iso);
  }
}

export interface FrameInput {
  /** 2016 ("##", the default) or 2025 ("$$"). */
  edition?: Edition;
  command: number;
  responseFlag?: number;
  vin: string;
  encryption?: number;
  data: Record<string, unknown>;
}

export function encodeFrame(f: FrameInput): Buffer {
  const edition = f.edition ?? 2016;
  const unit = encodeDataUnit(f.command, f.data, edition, f.responseFlag ?? 0xfe);
  const start = EDITIONS[edition].start;
  const w = new Writer();
  w.uint(1, start, 'start').uint(1, start, 'start').uint(1, f.command, 'command').uint(1, f.responseFlag ?? 0xfe, 'response flag')
    .text(f.vin, 17, 'VIN').uint(1, f.encryption ?? 0x01, 'encryption').uint(2, unit.length, 'data unit length').bytes(unit);
  const frame = Buffer.concat([w.toBuffer(), Buffer.alloc(1)]);
  frame[frame.length - 1] = bcc(frame, 2, frame.length - 1);
  return frame;
}

