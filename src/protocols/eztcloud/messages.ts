/**
 * EZtCloud MQTT application API payloads (MQTT API document): what each message kind holds.
 */
import { z } from 'zod';
import { parseLenientJson } from '../lenient-json';
import { unknownMembers } from '../message-checks';
import { ProtocolError, describeIssues } from '../protocol-error';
import type { Kind } from './topics';

export const Params = z.record(z.string(), z.unknown());
/** Attributes are all the product's own keys; the other kinds have the document's fields only. */
const SCHEMAS = {
  attributes: z.record(z.string(), z.unknown()),
  event_report: z.object({ method: z.string().min(1), params: Params.optional() }),
  command_reply: z.object({ method: z.string().optional(), params: Params.optional(), id: z.union([z.number(), z.string()]) }),
  alarm: z.object({ alerting: z.boolean() }),
  online: z.object({ online: z.boolean() }),
} as const;

export type DataFormat = 'buffer' | 'utf8' | 'json';

/** The payload of each kind: the schema's output, and custom data as the chosen format gives it. */
export type PayloadOf<K extends Kind> = K extends keyof typeof SCHEMAS ? z.infer<(typeof SCHEMAS)[K]> : unknown;

export interface Decoded<K extends Kind = Kind> {
  payload: PayloadOf<K>;
  /** True when the JSON needed the document-style leniency (trailing commas, comments). */
  lenient: boolean;
  /** Fields the document does not describe for this kind, unchanged. */
  extra?: Record<string, unknown>;
}

/** Decodes one message of `kind`; custom data is raw bytes, kept or read as the user chose. */
export function decodeMessage<K extends Kind>(kind: K, body: Buffer, dataFormat?: DataFormat): Decoded<K>;
export function decodeMessage(kind: Kind, body: Buffer, dataFormat: DataFormat = 'buffer'): Decoded {
  if (kind === 'data') {
    if (dataFormat === 'buffer') return { payload: body, lenient: false };
    const text = body.toString('utf8');
    if (dataFormat === 'utf8') return { payload: text, lenient: false };
    const { value, lenient } = parseLenientJson(text);
    return { payload: value, lenient };
  }
  const { value, lenient } = parseLenientJson(body.toString('utf8'));
  // Attributes are any JSON object, taken as parsed: the schema would only copy it.
  if (kind === 'attributes' && typeof value === 'object' && value !== null && !Array.isArray(value)) return { payload: value, lenient };
  const parsed = SCHEMAS[kind].safeParse(value);
  if (!parsed.success) throw new ProtocolError('bad-payload', `${kind} payload: ${describeIssues(parsed.error)}`);
  const schema = SCHEMAS[kind];
  const extra = 'shape' in schema ? unknownMembers(value, Object.keys(schema.shape)) : undefined;
  return extra ? { payload: parsed.data, lenient, extra } : { payload: parsed.data, lenient };
}
