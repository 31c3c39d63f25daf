/**
 * Which frames a gb32960-in sends on, by kind, and its batch limits. Plain data, no imports: the
 * runtime and the edit dialog (checkboxes, defaults, field checks) both read it.
 */
export const FRAME_KINDS = ['login', 'realtime', 'reissue', 'logout', 'heartbeat', 'time', 'commands', 'other', 'sessions'] as const;
export type Kind = (typeof FRAME_KINDS)[number];
/** A new node's kinds, as stored text: every kind but the frequent heartbeats. */
export const DEFAULT_KINDS = FRAME_KINDS.filter((k) => k !== 'heartbeat').join(',');

/** Batch output limits (whole numbers in [min, max]) and a new node's values, for the runtime schema and the dialog. */
export const BATCH_FIELDS = {
  batchSize: { min: 1, max: 100_000, value: 500 },
  batchMs: { min: 1, max: 3_600_000, value: 200 },
} as const;

/** The kind of a vehicle frame by its command id (table 3 of both editions). */
export function kindOf(command: number): Kind {
  switch (command) {
    case 0x01: return 'login';
    case 0x02: return 'realtime';
    case 0x03: return 'reissue';
    case 0x04: return 'logout';
    case 0x07: return 'heartbeat';
    case 0x08: return 'time';
    case 0x80: case 0x81: case 0x82: return 'commands';
    default: return 'other';
  }
}

