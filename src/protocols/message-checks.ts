/**
 * What every platform decoder does with fields it does not know and with ids that disagree, so
 * the nodes follow one policy:
 * - a field the platform's document does not describe is never dropped: it goes, unchanged and at
 *   the path it had in the message, into the message's `extra` object;
 * - a message that cannot be read (not JSON, a required field missing or of the wrong type, a time
 *   that is no time) is refused;
 * - a readable message whose ids disagree with its topic is delivered, with a flag saying so.
 */

/** The members of `value` whose names are not in `known`, or undefined when there are none. */
export function unknownMembers(value: unknown, known: readonly string[]): Record<string, unknown> | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  let out: Record<string, unknown> | undefined;
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (known.includes(k)) continue;
    (out ??= {})[k] = v;
  }
  return out;
}

/** Puts `members` under `path` of `extra` (creating the levels), when there are any. */
export function addExtra(extra: Record<string, unknown>, path: readonly string[], members: Record<string, unknown> | undefined): void {
  if (!members) return;
  let at = extra;
  for (const key of path) at = (at[key] ??= {}) as Record<string, unknown>;
  Object.assign(at, members);
}

/** A readable message that disagrees with itself or its topic: delivered, with this attached. */
export interface Flag {
  /** Where the value is in the message, e.g. `params.deviceName`. */
  field: string;
  value: unknown;
  expected: unknown;
  problem: string;
}

/** A flag when a message names a different `what` than its topic does (absent values agree). */
export function topicMismatch(field: string, value: unknown, fromTopic: unknown): Flag | undefined {
  if (value === undefined || value === null || fromTopic === undefined || String(value) === String(fromTopic)) return undefined;
  return { field, value, expected: fromTopic, problem: `${field} ${JSON.stringify(value)} differs from the topic's ${JSON.stringify(fromTopic)}` };
}
