/**
 * EZtCloud MQTT application API (MQTT API document): `open/<projectKey>/<deviceUsername>/...`
 * topics, the payloads of each message kind, and the two publish actions.
 */
import { z } from 'zod';
import { parseLenientJson } from '../lenient-json';
import { unknownMembers } from '../message-checks';
import { topicSegment } from '../mqtt-topic';
import { ProtocolError, clip, describeIssues } from '../protocol-error';
import { KINDS, type Kind } from './kinds';

export { KINDS, type Kind };

export const ACTIONS = ['attributes_push', 'command_send'] as const;
export type Action = (typeof ACTIONS)[number];

/** Device usernames look like DU_xxxxxxxxxx. */
export function deviceUsername(value: unknown): string {
  const s = topicSegment(value, 'device username').trim();
  if (!/^DU_[A-Za-z0-9_-]+$/.test(s)) throw new ProtocolError('bad-device', `device "${clip(s)}" must be a device username like DU_xxxxxxxxxx`, { value });
  return s;
}

export function projectKey(value: unknown): string {
  const s = topicSegment(value, 'projectKey').trim();
  if (s === '') throw new ProtocolError('bad-project', 'projectKey is empty');
  return s;
}

/**
 * Filters for the ticked kinds and devices. Custom data goes to `data/<stream>`: one filter per
 * listed stream identifier, or `data/+` for all streams.
 */
export function subscribeFilters(pk: string, kinds: readonly Kind[], devices: readonly string[] | 'all', streams: readonly string[] = []): string[] {
  const key = projectKey(pk);
  const targets = devices === 'all' ? ['+'] : devices.map(deviceUsername);
  const out: string[] = [];
  for (const dev of targets) {
    for (const kind of KINDS.filter((k) => kinds.includes(k))) {
      if (kind !== 'data') out.push(`open/${key}/${dev}/${kind}`);
      else if (streams.length === 0) out.push(`open/${key}/${dev}/data/+`);
      else for (const s of streams) out.push(`open/${key}/${dev}/data/${topicSegment(s, 'stream identifier')}`);
    }
  }
  return [...new Set(out)];
}

export interface OpenTopic {
  projectKey: string;
  device: string;
  kind: Kind;
  stream?: string;
}

export function parseOpenTopic(topic: string): OpenTopic | undefined {
  const p = topic.split('/');
  if (p[0] !== 'open' || p.length < 4) return undefined;
  const [, pk, device, kind, stream] = p as [string, string, string, string, string | undefined];
  if (kind === 'data' && p.length === 5 && stream) return { projectKey: pk, device, kind, stream };
  if (p.length === 4 && (KINDS as readonly string[]).includes(kind) && kind !== 'data') return { projectKey: pk, device, kind: kind as Kind };
  return undefined;
}

export function publishTopic(pk: string, device: string, action: Action): string {
  return `open/${projectKey(pk)}/${deviceUsername(device)}/${action}`;
}

const Params = z.record(z.string(), z.unknown());
/** Attributes are all the product's own keys; the other kinds have the document's fields only. */
const SCHEMAS = {
  attributes: z.record(z.string(), z.unknown()),
  event_report: z.object({ method: z.string().min(1), params: Params.optional() }),
  command_reply: z.object({ method: z.string().optional(), params: Params.optional(), id: z.union([z.number(), z.string()]) }),
  alarm: z.object({ alerting: z.boolean() }),
  online: z.object({ online: z.boolean() }),
} as const;

export type DataFormat = 'buffer' | 'utf8' | 'json';

export interface Decoded {
  payload: unknown;
  /** True when the JSON needed the document-style leniency (trailing commas, comments). */
  lenient: boolean;
  /** Fields the document does not describe for this kind, unchanged. */
  extra?: Record<string, unknown>;
}

/** Decodes one message of `kind`; custom data is raw bytes, kept or read as the user chose. */
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

export const CommandSend = z.object({
  method: z.string().trim().min(1, 'method is empty'),
  params: Params.default({}),
  id: z.union([z.number().int(), z.string().min(1)]),
});
export type CommandSend = z.infer<typeof CommandSend>;
