/** GB/T 32960 frames written byte by byte from the standard's table 2, independent of the encoder. */
import assert from 'node:assert/strict';
import { bcc } from '../../src/protocols/gb32960/binary';
import { decodeFrame, encodeFrame, type Frame } from '../../src/protocols/gb32960/codec';

export const hex = (s: string): Buffer => Buffer.from(s.replace(/[^0-9a-fA-F]/g, ''), 'hex');
export const VIN = 'LZYTBGBW6J1014194';

/** start ("##" 2016, "$$" 2025), command, flag, VIN, encryption 0x01, WORD length, data unit, BCC. */
export function rawFrame(command: number, unit: Buffer, flag = 0xfe, edition: 2016 | 2025 = 2016, encryption = 0x01): Buffer {
  const start = edition === 2025 ? '$$' : '##';
  const head = Buffer.concat([Buffer.from(start), Buffer.from([command, flag]), Buffer.from(VIN, 'latin1'), Buffer.from([encryption, unit.length >> 8, unit.length & 0xff])]);
  const body = Buffer.concat([head, unit]);
  return Buffer.concat([body, Buffer.from([bcc(body, 2, body.length)])]);
}

/** Decodes, then encodes the decoded data with the same header: the same bytes must come back. */
export function roundTrip(bytes: Buffer): Frame {
  const f = decodeFrame(bytes);
  const again = encodeFrame({ edition: f.edition, command: f.command.code, responseFlag: f.responseFlag.code, vin: f.vin, encryption: f.encryption.code, data: f.data });
  assert.equal(again.toString('hex'), bytes.toString('hex'));
  assert.deepEqual(decodeFrame(again).data, f.data);
  return f;
}
