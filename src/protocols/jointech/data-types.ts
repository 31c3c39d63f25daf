/**
 * The five data types of the push documents, in the order of jointech-in's per-type outputs.
 * Plain data, no imports: the runtime and the edit dialog (checkboxes, output labels) share it.
 */
export const DATA_TYPES = ['location', 'alarm', 'event', 'cmd', 'sublock'] as const;
export type DataType = (typeof DATA_TYPES)[number];
