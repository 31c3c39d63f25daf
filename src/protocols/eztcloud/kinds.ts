/**
 * The open-API message kinds, in the order of eztcloud-in's per-kind outputs. Plain data, no
 * imports: the runtime and the edit dialog (its checkboxes and output labels) both read this list.
 */
export const KINDS = ['attributes', 'event_report', 'command_reply', 'data', 'alarm', 'online'] as const;
export type Kind = (typeof KINDS)[number];
