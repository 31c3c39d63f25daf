/**
 * The push kinds aliyun-living-in subscribes to, in the order of its dialog's checkboxes. Plain
 * data, no imports: the runtime and the edit dialog both read this list.
 */
export const LIVING_KINDS = ['properties', 'events', 'status', 'topo', 'ota'] as const;
export type LivingKind = (typeof LIVING_KINDS)[number];
