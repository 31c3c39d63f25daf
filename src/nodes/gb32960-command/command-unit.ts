/** The data unit of a platform command (0x80 query, 0x81 set, 0x82 control) from what a flow gives. */
import { ProtocolError } from '../../protocols/protocol-error';
import type { Edition } from '../../protocols/gb32960/codec';
import { beijingTime } from '../../protocols/gb32960/replies';

export type CommandKind = 'query' | 'set' | 'control';
export const COMMAND_CODES: Record<CommandKind, number> = { query: 0x80, set: 0x81, control: 0x82 };

/** `{raw}`: the bytes after the 6-byte time, as a Buffer or hex text. */
function rawBytes(body: unknown): Buffer | undefined {
  if (Buffer.isBuffer(body)) return body;
  const raw = body && typeof body === 'object' ? (body as { raw?: unknown }).raw : undefined;
  if (Buffer.isBuffer(raw)) return raw;
  if (typeof raw === 'string') {
    const hex = raw.replace(/\s+/g, '');
    if (!/^([0-9a-fA-F]{2})*$/.test(hex)) throw new ProtocolError('bad-param', 'raw must be hex text or a Buffer');
    return Buffer.from(hex, 'hex');
  }
  return undefined;
}

export function commandUnit(kind: CommandKind, body: unknown, _edition: Edition, nowMs: number): Buffer {
  const raw = rawBytes(body);
  if (raw) return Buffer.concat([beijingTime(nowMs), raw]);
  throw new ProtocolError('bad-param', `${kind}: give the data unit after the time as {raw: "hex"}`);
}
