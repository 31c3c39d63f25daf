/**
 * Connection settings every MQTT config node of this package shares. The editor stores them as one
 * object property (`connection`) so that all config nodes keep the same shape; the runtime
 * validates it here before anything connects.
 */
import { z } from 'zod';
import { CONNECTION_DEFAULTS, CONNECTION_LIMITS, TOPIC_SAFE } from '../connection-limits';

export { CONNECTION_DEFAULTS, CONNECTION_LIMITS };

const brokerUrl = z
  .string()
  .trim()
  .min(1, 'broker URL is empty')
  .refine((v) => {
    try {
      return ['mqtt:', 'mqtts:', 'ws:', 'wss:'].includes(new URL(v).protocol);
    } catch {
      return false;
    }
  }, 'broker URL must start with mqtt://, mqtts://, ws:// or wss:// and name a host')
  // A password in the URL would be stored in flows.json in clear and shown wherever the URL is.
  .refine((v) => {
    try {
      return new URL(v).password === '';
    } catch {
      return true;
    }
  }, 'broker URL must not contain a password: enter the user name and password in their own fields');

const clientId = z
  .string()
  .trim()
  .max(CONNECTION_DEFAULTS.clientIdMaxLength)
  .regex(TOPIC_SAFE, 'client id must not contain spaces, "+", "#" or "/"');

const shareGroup = z
  .string()
  .trim()
  .regex(TOPIC_SAFE, 'share group must not contain spaces, "+", "#" or "/"');

/** Numbers may arrive as strings from older exports or hand-edited flows. */
const num = (l: { min: number; max: number; default: number }) => z.coerce.number().int().min(l.min).max(l.max).default(l.default);

export const ConnectionSettings = z.object({
  url: brokerUrl,
  clientId: clientId.default(''),
  /** false keeps a persistent session: QoS 1 messages wait at the broker while we are away. */
  clean: z.boolean().default(true),
  /**
   * Subscribe, and publish what would go at QoS 1, at QoS 2: with a persistent session the broker
   * and mqtt.js then pass each message exactly once, even across a broker restart.
   */
  exactlyOnce: z.boolean().default(false),
  /** Seconds; a half-open connection is noticed after 1.5 times this (mqtt.js's ping timeout). */
  keepalive: num(CONNECTION_LIMITS.keepalive),
  protocolVersion: z.coerce.number().pipe(z.union([z.literal(4), z.literal(5)])).default(CONNECTION_DEFAULTS.protocolVersion),
  reconnectMinMs: num(CONNECTION_LIMITS.reconnectMinMs),
  reconnectMaxMs: num(CONNECTION_LIMITS.reconnectMaxMs),
  connectTimeoutMs: num(CONNECTION_LIMITS.connectTimeoutMs),
  /** Publishes held while offline; beyond this the publish fails with a clear error. */
  queueLimit: num(CONNECTION_LIMITS.queueLimit),
  shareGroup: shareGroup.default(''),
}).refine((s) => s.clean || s.clientId !== '', {
  message: 'a persistent session (clean session off) needs a fixed client id',
  path: ['clientId'],
}).refine((s) => s.reconnectMaxMs >= s.reconnectMinMs, {
  message: 'the longest reconnect delay must not be shorter than the first one',
  path: ['reconnectMaxMs'],
});

export type ConnectionSettings = z.infer<typeof ConnectionSettings>;
export type ConnectionSettingsInput = z.input<typeof ConnectionSettings>;

