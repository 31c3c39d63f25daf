/**
 * Reading and writing GB/T 32960 fields, shared by both editions: table-driven fixed fields
 * (raw x factor - offset, FE/FF markers kept beside a null value), counts, lists and the
 * 6-byte Beijing time.
 */
import { named, table, type EnumValue } from '../enum-table';
import { ProtocolError } from '../protocol-error';
import { Reader, Writer, markerOf, markerRaw, toBytes, type Width } from './binary';
import type { Field } from './tables';

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

/** The same reader as a loop over the table; bench/decode-micro.ts measures decoding with it against the compiled one. */
function plainFields(fields: readonly Field[]): (r: Reader, block: string) => Record_ {
  const total = fields.reduce((n, fd) => n + fd.width, 0);
  return (r, block) => {
    r.need(total, block);
    const out: Record_ = {};
    for (const fd of fields) out[fd.name] = null;
    let markers: Record<string, Marker> | undefined;
    for (const fd of fields) {
      const raw = r.uint(fd.width, block);
      const max = fd.width === 1 ? 0xff : fd.width === 2 ? 0xffff : 0xffffffff;
      if (!fd.plain && raw >= max - 1) {
        (markers ??= {})[fd.name] = raw === max ? 'invalid' : 'abnormal';
        continue;
      }
      const p = 10 ** fd.decimals;
      out[fd.name] = fd.enumTable ? named(fd.enumTable, raw) : fd.factor === 1 ? raw - fd.offset : Math.round((raw * fd.factor - fd.offset) * p) / p;
    }
    if (markers) out.markers = markers;
    return out;
  };
}

let readerOf = compileFields;
let readers = new WeakMap<readonly Field[], (r: Reader, block: string) => Record_>();

/** Reads field tables the given way from now on (for bench/decode-micro.ts). */
export function useFieldReaders(style: 'compiled' | 'plain'): void {
  readerOf = style === 'compiled' ? compileFields : plainFields;
  readers = new WeakMap();
}

export function readFields(r: Reader, fields: readonly Field[], block: string): Record_ {
  let reader = readers.get(fields);
  if (!reader) {
    reader = readerOf(fields);
    readers.set(fields, reader);
  }
  return reader(r, block);
}

export function unscale(value: unknown, fd: Field, block: string): number {
  if (fd.enumTable) {
    const code = typeof value === 'object' && value !== null ? (value as EnumValue).code : value;
    if (typeof code !== 'number') throw new ProtocolError('bad-value', `${block}.${fd.name} needs a code`, { value });
    return code;
  }
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new ProtocolError('bad-value', `${block}.${fd.name} must be a number or null with a marker`, { value });
  return Math.round((value + fd.offset) / fd.factor);
}

export function writeFields(w: Writer, fields: readonly Field[], value: Record_, block: string): void {
  for (const fd of fields) {
    const marker = value.markers?.[fd.name];
    const raw = marker ? markerRaw(fd.width, marker) : unscale(value[fd.name], fd, block);
    w.uint(fd.width, raw, `${block}.${fd.name}`);
  }
}

/** A count or per-item value: the number, or null plus its marker. */
export function readCount(r: Reader, width: Width, what: string): { n: number; marker?: Marker } {
  const raw = r.uint(width, what);
  const marker = markerOf(width, raw);
  return marker ? { n: 0, marker } : { n: raw };
}

const DOUBLES: readonly number[] = Array.from({ length: 256 }, () => 0.5);

function markItem(sub: Record_, key: string, i: number, invalid: boolean): void {
  (sub.markers ??= {})[`${key}[${i}]`] = invalid ? 'invalid' : 'abnormal';
}

/**
 * n list items, scaled. FE and FF items decode to null; when `sub` is given, which marker each
 * was goes into sub.markers under "key[i]", so that encoding writes the same byte back.
 */
export function readList(r: Reader, n: number, width: Width, offset: number, factor: number, what: string, sub?: Record_, key = what): Array<number | null> {
  r.need(n * width, what);
  // Scaled in integer steps (factor 0.001 = raw / 1000), so no binary noise needs rounding.
  const divisor = Math.round(1 / factor);
  // Preallocated: pushing a mix of null and numbers makes V8 convert the array as it grows. For
  // fractional values, a copy of an array of doubles skips the conversion of a new (integer) array.
  const out: Array<number | null> = divisor !== 1 && n <= DOUBLES.length ? DOUBLES.slice(0, n) : new Array<number | null>(n);
  const b = r.buf;
  let o = r.offset;
  // Separate stores for null and for numbers: one `cond ? null : number` store boxes every number.
  if (width === 1) {
    for (let i = 0; i < n; i++) {
      const raw = b[o++]!;
      if (raw >= 0xfe) {
        out[i] = null;
        if (sub) markItem(sub, key, i, raw === 0xff);
      } else out[i] = raw - offset;
    }
  } else if (width === 2) {
    for (let i = 0; i < n; i++, o += 2) {
      const raw = (b[o]! << 8) | b[o + 1]!;
      if (raw >= 0xfffe) {
        out[i] = null;
        if (sub) markItem(sub, key, i, raw === 0xffff);
      } else out[i] = (divisor === 1 ? raw : raw / divisor) - offset;
    }
  } else {
    for (let i = 0; i < n; i++, o += 4) {
      const raw = b.readUInt32BE(o);
      if (raw >= 0xfffffffe) {
        out[i] = null;
        if (sub) markItem(sub, key, i, raw === 0xffffffff);
      } else out[i] = (divisor === 1 ? raw : raw / divisor) - offset;
    }
  }
  r.offset = o;
  return out;
}

/** Null items encode as FF (invalid), or FE when markers say "key[i]" was abnormal. */
export function writeList(w: Writer, list: ReadonlyArray<number | null>, width: Width, offset: number, factor: number, what: string, markers?: Record<string, Marker>, key = what): void {
  for (let i = 0; i < list.length; i++) {
    const v = list[i];
    w.uint(width, v === null || v === undefined ? markerRaw(width, markers?.[`${key}[${i}]`] === 'abnormal' ? 'abnormal' : 'invalid') : Math.round((v + offset) / factor), what);
  }
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

/** Days in each month of a year 2000-2099 (every year divisible by 4 is a leap year there, 2000 included). */
function daysIn(year: number, month: number): number {
  return month === 2 ? (year % 4 === 0 ? 29 : 28) : month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/**
 * Beijing time from its parts (table 5: year 0-99 from 2000, month 1-12, day 1-31, hour 0-23,
 * minute 0-59, second 0-59), strictly: a day past the month's end is an error, never rolled over
 * into the next month. Epoch milliseconds come from the parts alone, whatever the host's zone.
 */
let isoTimes = true;

/** Whether times are also given as ISO strings; returns the previous setting. Decoding is synchronous, so a decode sets it and puts it back. */
export function setIsoTimes(on: boolean): boolean {
  const was = isoTimes;
  isoTimes = on;
  return was;
}

export function beijingTime(y: number, mo: number, d: number, h: number, mi: number, s: number, what = 'time'): FrameTime {
  if (y > 99 || mo < 1 || mo > 12 || d < 1 || d > daysIn(y, mo) || h > 23 || mi > 59 || s > 59) {
    throw new ProtocolError('bad-time', `${what} ${y}-${mo}-${d} ${h}:${mi}:${s} is not a date and time (table 5: year 0-99, month 1-12, day of the month, hour 0-23, minute and second 0-59)`, { what, parts: [y, mo, d, h, mi, s] });
  }
  const timeMs = Date.UTC(2000 + y, mo - 1, d, h - 8, mi, s);
  if (!isoTimes) return { timeMs } as FrameTime;
  return { time: `20${PAD2[y]}-${PAD2[mo]}-${PAD2[d]}T${PAD2[h]}:${PAD2[mi]}:${PAD2[s]}+08:00`, timeMs };
}

export function readTime(r: Reader, what = 'time'): FrameTime {
  r.need(6, what);
  const b = r.buf;
  const o = r.offset;
  const t = beijingTime(b[o]!, b[o + 1]!, b[o + 2]!, b[o + 3]!, b[o + 4]!, b[o + 5]!, what);
  r.offset += 6;
  return t;
}

const ISO_TIME = /^(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d):(\d\d)(?:\.\d+)?(Z|[+-]\d\d:?\d\d)?$/;

/**
 * Writes a time as 6 Beijing-time bytes. Takes an ISO string (no offset means Beijing time;
 * another offset is converted), epoch milliseconds or a Date; out-of-range parts are refused.
 */
export function writeTime(w: Writer, time: unknown, what = 'time'): void {
  let parts: number[] | undefined;
  const fromMs = (ms: number) => {
    const d = new Date(ms + 8 * 3600_000);
    return [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()];
  };
  if (typeof time === 'string') {
    const m = ISO_TIME.exec(time.trim());
    if (m) {
      parts = m.slice(1, 7).map(Number);
      const zone = m[7];
      if (zone && zone !== '+08:00' && zone !== '+0800') {
        // Checked as written first, so that a bad day is refused rather than rolled over.
        beijingTime(parts[0]! - 2000, parts[1]!, parts[2]!, parts[3]!, parts[4]!, parts[5]!, what);
        const sign = zone === 'Z' ? 0 : zone[0] === '-' ? -1 : 1;
        const offsetMin = zone === 'Z' ? 0 : sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(-2)));
        parts = fromMs(Date.UTC(parts[0]!, parts[1]! - 1, parts[2]!, parts[3]!, parts[4]! - offsetMin, parts[5]!));
      }
    }
  } else if (typeof time === 'number' && Number.isFinite(time)) {
    parts = fromMs(time);
  } else if (time instanceof Date && Number.isFinite(time.getTime())) {
    parts = fromMs(time.getTime());
  }
  if (!parts) throw new ProtocolError('bad-value', `${what} must be an ISO string in Beijing time (e.g. 2023-03-21T16:20:12+08:00), epoch milliseconds or a Date`, { time });
  const [y, mo, d, h, mi, s] = parts as [number, number, number, number, number, number];
  if (y < 2000 || y > 2099) throw new ProtocolError('bad-time', `${what}: year ${y} is outside 2000-2099 (table 5 sends 0-99)`, { time });
  beijingTime(y - 2000, mo, d, h, mi, s, what);
  w.uint(1, y - 2000, what).uint(1, mo, what).uint(1, d, what).uint(1, h, what).uint(1, mi, what).uint(1, s, what);
}

/** The platform's current Beijing time, for commands built without one. */
export function beijingNow(): string {
  return new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 19) + '+08:00';
}

export function writeTimeOrNow(w: Writer, time: unknown): void {
  writeTime(w, time === undefined ? beijingNow() : time);
}

/** A WORD count then that many values; FE/FF counts are kept as markers with no values. */
export function readCounted(r: Reader, sub: Record_, countKey: string, listKey: string, width: 1 | 2, offset: number, factor: number): void {
  const count = readCount(r, 2, countKey);
  sub[countKey] = count.marker ? null : count.n;
  sub[listKey] = readList(r, count.n, width, offset, factor, listKey, sub);
  if (count.marker) (sub.markers ??= {})[countKey] = count.marker;
}

export function writeCounted(w: Writer, v: Record_, countKey: string, listKey: string, width: 1 | 2, offset: number, factor: number): void {
  const marker = v.markers?.[countKey];
  const list = (v[listKey] as Array<number | null> | undefined) ?? [];
  w.uint(2, marker ? markerRaw(2, marker) : list.length, countKey);
  writeList(w, marker ? [] : list, width, offset, factor, listKey, v.markers);
}

// ---------------------------------------------------------------------------------------------
// 2025 signature (table 8): type, WORD-prefixed R, WORD-prefixed S

const SIGNATURE_TYPES = table([[1, 'SM2', 'SM2'], [2, 'RSA', 'RSA'], [3, 'ECC', 'ECC']]);

export interface Signature { type: EnumValue; r: Buffer; s: Buffer }

export function readSignature(r: Reader): Signature {
  const type = named(SIGNATURE_TYPES, r.uint(1, 'signature type'));
  const rPart = Buffer.from(r.bytes(r.uint(2, 'signature R length'), 'signature R'));
  const sPart = Buffer.from(r.bytes(r.uint(2, 'signature S length'), 'signature S'));
  return { type, r: rPart, s: sPart };
}

export function writeSignature(w: Writer, sig: Signature): void {
  if (typeof sig !== 'object' || sig === null) throw new ProtocolError('bad-value', 'signature must be {type, r, s}');
  const code = typeof sig.type === 'number' ? sig.type : sig.type?.code;
  const rPart = toBytes(sig.r, 'signature.r') ?? Buffer.alloc(0);
  const sPart = toBytes(sig.s, 'signature.s') ?? Buffer.alloc(0);
  w.uint(1, code, 'signature type').uint(2, rPart.length, 'signature R length').bytes(rPart).uint(2, sPart.length, 'signature S length').bytes(sPart);
}
