/**
 * Which frames a gb32960-in sends on, by kind. Plain data, no imports: the runtime and the edit
 * dialog (its checkboxes and default) both read it.
 */
export const FRAME_KINDS = ['login', 'realtime', 'reissue', 'logout', 'heartbeat', 'time', 'commands', 'other', 'sessions'] as const;
export type Kind = (typeof FRAME_KINDS)[number];
/** A new node's kinds, as stored text: every kind but the frequent heartbeats. */
export const DEFAULT_KINDS = FRAME_KINDS.filter((k) => k !== 'heartbeat').join(',');

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

