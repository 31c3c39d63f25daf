/**
 * The data unit of a platform command (0x80 query, 0x81 set, 0x82 control) from what a flow or
 * the dialog gives, in the vehicle's edition, stamped with the platform's Beijing time (the time
 * the vehicle's reply is matched on).
 */
import { z } from 'zod';
import { ProtocolError, describeIssues } from '../../protocols/protocol-error';
import { encodeDataUnit, type Edition } from '../../protocols/gb32960/codec';
import { beijingIso, beijingTime } from '../../protocols/gb32960/replies';

export type CommandKind = 'query' | 'set' | 'control';
export const COMMAND_CODES: Record<CommandKind, number> = { query: 0x80, set: 0x81, control: 0x82 };

/** A parameter id by number (9, "9", "0x09") or by key ("heartbeatPeriod"). */
const ParamId = z.union([z.number().int().min(0).max(255), z.string().trim().min(1)])
  .transform((v) => (typeof v === 'string' && /^(0x[0-9a-f]+|\d+)$/i.test(v) ? Number(v) : v));

const Query = z.union([
  z.array(ParamId).min(1).max(252).transform((ids) => ({ ids })),
  z.looseObject({ ids: z.array(ParamId).min(1).max(252) }),
]);

const ParamItem = z.object({ id: ParamId, value: z.unknown() });
const SetBody = z.union([
  z.array(ParamItem).min(1).max(252).transform((parameters) => ({ parameters })),
  z.looseObject({ parameters: z.array(ParamItem).min(1).max(252) }),
  // {"heartbeatPeriod": 30, "9": 30}: one parameter per key.
  z.record(z.string(), z.unknown()).refine((o) => Object.keys(o).length > 0, 'no parameters given')
    .transform((o) => ({ parameters: Object.entries(o).map(([id, value]) => ({ id: /^(0x[0-9a-f]+|\d+)$/i.test(id) ? Number(id) : id, value })) })),
]);

const Control = z.looseObject({
  control: z.union([z.number().int(), z.string()]).optional(),
  command: z.union([z.number().int(), z.string()]).optional(),
  id: z.union([z.number().int(), z.string()]).optional(),
}).refine((c) => c.control !== undefined || c.command !== undefined || c.id !== undefined, 'give the control id as control (1-7 or a name such as "reset")')
  .transform(({ id, command, ...rest }) => ({ ...rest, control: rest.control ?? command ?? id }));

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

/** What each command takes, for the error when the parameters have another shape. */
const SHAPES: Record<CommandKind, string> = {
  query: 'a list of parameter ids or keys, e.g. [9, 10] or ["heartbeatPeriod"], or {ids: [...]}',
  set: 'parameters by key or id, e.g. {"heartbeatPeriod": 30}, or [{id, value}], or {parameters: [...]}',
  control: 'the control and its parameters, e.g. {"control": "reset"} or {"control": 6, "alarm": {"level": 1}}',
};

export function commandUnit(kind: CommandKind, body: unknown, edition: Edition, nowMs: number): Buffer {
  const raw = rawBytes(body);
  if (raw) return Buffer.concat([beijingTime(nowMs), raw]);
  if (body === undefined) throw new ProtocolError('bad-param', `${kind}: no parameters (set them in the dialog or msg.payload)`);
  const schema = kind === 'query' ? Query : kind === 'set' ? SetBody : Control;
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new ProtocolError('bad-param', `${kind} parameters: ${describeIssues(parsed.error)}; ${kind} takes ${SHAPES[kind]}`);
  return encodeDataUnit(COMMAND_CODES[kind], { ...(parsed.data as Record<string, unknown>), time: beijingIso(nowMs) }, edition);
}
