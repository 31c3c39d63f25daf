/**
 * Limits and defaults of the MQTT connection settings every config node shares. Plain data, no
 * imports: the runtime schema (mqtt/connection-settings.ts) and the edit dialog's connection form
 * (src/editor/connection-form.ts) both read them.
 */
export const CONNECTION_LIMITS = {
  /** Seconds. */
  keepalive: { min: 0, max: 65535, default: 30 },
  reconnectMinMs: { min: 100, max: 600_000, default: 1000 },
  reconnectMaxMs: { min: 100, max: 3_600_000, default: 60_000 },
  connectTimeoutMs: { min: 1000, max: 120_000, default: 30_000 },
  /** Publishes held while offline. */
  queueLimit: { min: 0, max: 1_000_000, default: 1000 },
} as const;

export const CONNECTION_DEFAULTS = { protocolVersion: 4, clientIdMaxLength: 128 } as const;

/** Client ids and share groups become topic levels or broker keys: no spaces or "+", "#", "/". */
export const TOPIC_SAFE = /^[^\s+#/]*$/;
