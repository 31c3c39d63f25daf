/** GB/T 32960 frames written byte by byte from the standard's table 2, independent of the encoder. */
import { bcc } from '../../src/protocols/gb32960/binary';

export const hex = (s: string): Buffer => Buffer.from(s.replace(/[^0-9a-fA-F]/g, ''), 'hex');
export const VIN = 'LZYTBGBW6J1014194';

/** start ("##" 2016, "$$" 2025), command, flag, VIN, encryption 0x01, WORD length, data unit, BCC. */
export function rawFrame(command: number, unit: Buffer, flag = 0xfe, edition: 2016 | 2025 = 2016, encryption = 0x01): Buffer {
  const start = edition === 2025 ? '$$' : '##';
  const head = Buffer.concat([Buffer.from(start), Buffer.from([command, flag]), Buffer.from(VIN, 'latin1'), Buffer.from([encryption, unit.length >> 8, unit.length & 0xff])]);
  const body = Buffer.concat([head, unit]);
  return Buffer.concat([body, Buffer.from([bcc(body, 2, body.length)])]);
}
