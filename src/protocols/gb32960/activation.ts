/**
 * GB/T 32960.3-2025 ("$$" frames) only: 0x09 vehicle activation (table B.3), 0x0A activation
 * response (table B.4) and 0x0B data-unit key exchange (table 31). In "##" frames these ids are
 * vendors' own and stay raw.
 *
 * JS shapes (decode returns them, encode takes them; decode(encode(x)) gives x back):
 *   0x09 { time?, chipId: string (16 chars, space padded), publicKey: bytes, vehicleVin: string,
 *          signature: { type: 1 SM2 | 2 RSA | 3 ECC, r: bytes, s: bytes } }
 *        decoded also carries timeMs, and chipIdRaw when the padding is not spaces.
 *   0x0A { status: 1 activated | 2 failed, info: 0 success | 1 chip already activated | 2 VIN duplicate }
 *        (decoded as {code, en, zh}; sent by the platform as a command, flag 0xFE)
 *   0x0B { keyType: 2 RSA | 3 AES | 4 SM2 | 5 SM4, key: bytes, startTime, expiryTime }
 *        (no leading collection time; decoded times carry startTimeMs / expiryTimeMs)
 * bytes: a Buffer, an array of byte values, or a Buffer that went through JSON.
 */
import { named, table, type EnumValue } from '../enum-table';
import { ProtocolError } from '../protocol-error';
import { Reader, Writer, toBytes } from './binary';
import { readSignature, readTime, writeSignature, writeTime, writeTimeOrNow, type Signature } from './fields';

export const ACTIVATION_STATUS = table([[1, 'Activated', '激活成功'], [2, 'Failed', '激活失败']]);
export const ACTIVATION_INFO = table([[0, 'Success', '成功'], [1, 'Chip already activated', '芯片已激活'], [2, 'VIN duplicate', 'VIN重复']]);
export const KEY_TYPES = table([[2, 'RSA', 'RSA'], [3, 'AES', 'AES'], [4, 'SM2', 'SM2'], [5, 'SM4', 'SM4']]);

const codeOf = (v: unknown, what: string): number => {
  const code = typeof v === 'object' && v !== null ? (v as EnumValue).code : v;
  if (typeof code !== 'number') throw new ProtocolError('bad-value', `${what} needs a code`, { value: v });
  return code;
};

function bytesOf(v: unknown, what: string): Buffer {
  const b = toBytes(v, what);
  if (!b) throw new ProtocolError('bad-value', `${what} must be bytes (a Buffer or an array of byte values)`, { value: v });
  return b;
}

export interface Activation {
  time: string;
  timeMs: number;
  chipId: string;
  /** The chip id's 16 bytes, when they are not the id padded with spaces (some senders pad with NULs). */
  chipIdRaw?: Buffer;
  publicKey: Buffer;
  /** The VIN inside the data unit (named apart from the frame header's `vin`). */
  vehicleVin: string;
  signature: Signature;
}

export function decodeActivation(unit: Buffer): Activation {
  const r = new Reader(unit);
  const t = readTime(r);
  const rawId = r.bytes(16, 'activation chip id');
  const chipId = r.buf.toString('latin1', r.offset - 16, r.offset).replace(/[\0 ]+$/, '');
  const publicKey = Buffer.from(r.bytes(r.uint(2, 'activation public key length'), 'activation public key'));
  const vehicleVin = r.text(17, 'activation VIN');
  const signature = readSignature(r);
  if (r.remaining > 0) throw new ProtocolError('trailing-data', `${r.remaining} byte(s) follow the activation signature`, { offset: r.offset });
  const out: Activation = { time: t.time, timeMs: t.timeMs, chipId, publicKey, vehicleVin, signature };
  if (!Buffer.from(chipId.padEnd(16, ' '), 'latin1').equals(rawId)) out.chipIdRaw = Buffer.from(rawId);
  return out;
}

export function encodeActivation(v: Record<string, unknown>): Buffer {
  const w = new Writer();
  writeTimeOrNow(w, v.time);
  const raw = toBytes(v.chipIdRaw, 'chipIdRaw');
  if (raw && raw.length === 16) w.bytes(raw);
  else {
    const id = String(v.chipId ?? '');
    if (id.length > 16) throw new ProtocolError('out-of-range', `chipId "${id}" is longer than 16 characters`);
    w.bytes(Buffer.from(id.padEnd(16, ' '), 'latin1'));
  }
  const key = bytesOf(v.publicKey, 'publicKey');
  w.uint(2, key.length, 'publicKey length').bytes(key).text(String(v.vehicleVin ?? ''), 17, 'vehicleVin');
  writeSignature(w, v.signature as Signature);
  return w.toBuffer();
}

export function decodeActivationResponse(unit: Buffer): { status: EnumValue; info: EnumValue } {
  const r = new Reader(unit);
  const out = { status: named(ACTIVATION_STATUS, r.uint(1, 'activation status')), info: named(ACTIVATION_INFO, r.uint(1, 'activation info')) };
  if (r.remaining > 0) throw new ProtocolError('trailing-data', `${r.remaining} byte(s) follow the activation response`, { offset: r.offset });
  return out;
}

export function encodeActivationResponse(v: Record<string, unknown>): Buffer {
  return new Writer().uint(1, codeOf(v.status, 'status'), 'status').uint(1, codeOf(v.info ?? 0, 'info'), 'info').toBuffer();
}

export interface KeyExchange {
  keyType: EnumValue;
  key: Buffer;
  startTime: string;
  startTimeMs: number;
  expiryTime: string;
  expiryTimeMs: number;
}

export function decodeKeyExchange(unit: Buffer): KeyExchange {
  const r = new Reader(unit);
  const keyType = named(KEY_TYPES, r.uint(1, 'key type'));
  const key = Buffer.from(r.bytes(r.uint(2, 'key length'), 'key'));
  const start = readTime(r, 'key start time');
  const expiry = readTime(r, 'key expiry time');
  if (r.remaining > 0) throw new ProtocolError('trailing-data', `${r.remaining} byte(s) follow the key exchange`, { offset: r.offset });
  return { keyType, key, startTime: start.time, startTimeMs: start.timeMs, expiryTime: expiry.time, expiryTimeMs: expiry.timeMs };
}

export function encodeKeyExchange(v: Record<string, unknown>): Buffer {
  const key = bytesOf(v.key, 'key');
  const w = new Writer().uint(1, codeOf(v.keyType, 'keyType'), 'key type').uint(2, key.length, 'key length').bytes(key);
  writeTime(w, v.startTime);
  writeTime(w, v.expiryTime);
  return w.toBuffer();
}
