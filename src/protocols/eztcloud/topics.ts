/**
 * EZtCloud MQTT application API topics (MQTT API document): `open/<projectKey>/<deviceUsername>/...`,
 * one per message kind the platform pushes and per publish action.
 */
import { topicSegment } from '../mqtt-topic';
import { ProtocolError, clip } from '../protocol-error';
import { projectKey } from './open-api';

export const KINDS = ['attributes', 'event_report', 'command_reply', 'data', 'alarm', 'online'] as const;
export type Kind = (typeof KINDS)[number];

export const ACTIONS = ['attributes_push', 'command_send'] as const;
export type Action = (typeof ACTIONS)[number];

/** Device usernames look like DU_xxxxxxxxxx. */
export function deviceUsername(value: unknown): string {
  const s = topicSegment(value, 'device username').trim();
  if (!/^DU_[A-Za-z0-9_-]+$/.test(s)) throw new ProtocolError('bad-device', `device "${clip(s)}" must be a device username like DU_xxxxxxxxxx`, { value });
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
