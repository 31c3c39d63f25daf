/**
 * Bounded big-endian reading and writing for GB/T 32960 (all integers unsigned, table 1). The
 * reader never reads past its buffer: every read checks first and throws the decoder's own error
 * with the offset.
 */
import { ProtocolError } from '../protocol-error';

export type Width = 1 | 2 | 4;

export class Reader {
  offset: number;

  constructor(readonly buf: Buffer, offset = 0, readonly end = buf.length) {
    this.offset = offset;
  }

  get remaining(): number {
    return this.end - this.offset;
  }

  need(n: number, what: string): void {
    if (this.offset + n > this.end) {
      throw new ProtocolError('truncated', `data ends at byte ${this.offset} of ${this.end}: ${what} needs ${n} more byte(s)`, { offset: this.offset, need: n, what });
    }
  }

  uint(width: Width, what: string): number {
    this.need(width, what);
    const o = this.offset;
    this.offset += width;
    const b = this.buf;
    if (width === 1) return b[o]!;
    if (width === 2) return (b[o]! << 8) | b[o + 1]!;
    return b[o]! * 0x1000000 + ((b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!);
  }

  bytes(n: number, what: string): Buffer {
    this.need(n, what);
    const out = this.buf.subarray(this.offset, this.offset + n);
    this.offset += n;
    return out;
  }

  /** A fixed-length STRING field; trailing NULs and spaces are padding. */
  text(n: number, what: string): string {
    this.need(n, what);
    const start = this.offset;
    let end = start + n;
    this.offset = end;
    while (end > start && (this.buf[end - 1] === 0 || this.buf[end - 1] === 0x20)) end--;
    return this.buf.toString('latin1', start, end);
  }
}

export class Writer {
  private parts: number[] = [];

  uint(width: Width, value: number, what: string): this {
    const max = width === 1 ? 0xff : width === 2 ? 0xffff : 0xffffffff;
    if (!Number.isInteger(value) || value < 0 || value > max) {
      throw new ProtocolError('out-of-range', `${what}: ${value} does not fit in ${width} byte(s)`, { what, value });
    }
    if (width === 4) this.parts.push((value >>> 24) & 0xff, (value >>> 16) & 0xff);
    if (width >= 2) this.parts.push((value >>> 8) & 0xff);
    this.parts.push(value & 0xff);
    return this;
  }

  bytes(data: Uint8Array): this {
    for (const b of data) this.parts.push(b);
    return this;
  }

  /** A fixed-length STRING field, padded with NULs. */
  text(value: string, n: number, what: string): this {
    const b = Buffer.from(value, 'latin1');
    if (b.length > n) throw new ProtocolError('out-of-range', `${what} "${value}" is longer than ${n} bytes`, { what });
    this.bytes(b);
    for (let i = b.length; i < n; i++) this.parts.push(0);
    return this;
  }

  get length(): number {
    return this.parts.length;
  }

  toBuffer(): Buffer {
    return Buffer.from(this.parts);
  }
}

/** The "abnormal" (FE) and "invalid" (FF) raw values of a field of this width. */
export function markerOf(width: Width, raw: number): 'abnormal' | 'invalid' | undefined {
  const max = width === 1 ? 0xff : width === 2 ? 0xffff : 0xffffffff;
  if (raw === max) return 'invalid';
  if (raw === max - 1) return 'abnormal';
  return undefined;
}

export function markerRaw(width: Width, marker: 'abnormal' | 'invalid'): number {
  const max = width === 1 ? 0xff : width === 2 ? 0xffff : 0xffffffff;
  return marker === 'invalid' ? max : max - 1;
}

/**
 * XOR of every byte in [from, to). The aligned middle is read as 32-bit words through a typed
 * view of the same memory and folded to one byte at the end (byte order does not matter to XOR);
 * Buffer's readInt32LE costs five times as much.
 */
export function bcc(buf: Uint8Array, from: number, to: number): number {
  let x = 0;
  let i = from;
  const lead = Math.min(to, i + ((4 - ((buf.byteOffset + i) & 3)) & 3));
  for (; i < lead; i++) x ^= buf[i]!;
  const words = (to - i) >> 2;
  if (words > 0) {
    const view = new Int32Array(buf.buffer, buf.byteOffset + i, words);
    let w = 0;
    for (let k = 0; k < words; k++) w ^= view[k]!;
    w ^= w >>> 16;
    x ^= (w ^ (w >>> 8)) & 0xff;
    i += words * 4;
  }
  for (; i < to; i++) x ^= buf[i]!;
  return x;
}

/** Bytes a user can give: a Buffer, an array of byte values, or a Buffer that went through JSON. */
export function toBytes(v: unknown, what: string): Buffer | undefined {
  if (Buffer.isBuffer(v)) return v;
  if (v instanceof Uint8Array) return Buffer.from(v);
  const data = Array.isArray(v) ? v : typeof v === 'object' && v !== null && (v as { type?: unknown }).type === 'Buffer' ? (v as { data?: unknown }).data : undefined;
  if (!Array.isArray(data)) return undefined;
  if (!data.every((b) => Number.isInteger(b) && b >= 0 && b <= 255)) throw new ProtocolError('bad-value', `${what}: byte values must be 0-255`);
  return Buffer.from(data as number[]);
}
