/**
 * jointech-in's webhook limits and defaults. Plain data, no imports: the runtime schema and the
 * edit dialog (defaults, validators, field bounds) both read them.
 */
export const WEBHOOK_LIMITS = {
  path: '/jointech',
  /** Bytes of one request body. */
  maxBytes: { min: 256, max: 10_485_760, default: 262_144 },
  /** Requests a second (bursts of the same size); 0 turns the limit off. */
  rateLimit: { min: 0, max: 100_000, default: 200 },
  /** Seconds a body may take to arrive before the request is cut with 408. */
  readTimeout: { min: 1, max: 600, default: 10 },
} as const;
