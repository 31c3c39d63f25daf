/**
 * What the platform decoders do with fields they do not know and with ids that disagree, so the
 * nodes follow one policy (the same as Jointech's):
 * - a field the platform's document does not describe is never dropped: it goes, unchanged and at
 *   the path it had in the message, into the message's `extra` object;
 * - a message that cannot be read (not JSON, a required field missing or of the wrong type, a time
 *   that is no time) is refused;
 * - a message whose payload names another device or data point than its topic is refused;
 * - one doubtful value (a code the document does not list, a number outside its range) is kept as
 *   sent and listed in the message's `flags`.
 */
import { z } from 'zod';
import { ProtocolError } from './protocol-error';


/**
 * A whole number as the documents write codes and ids: a JSON integer or a string of digits
 * ("0" in the Living status sample). null, "", true or "0x6E" are no number (z.coerce would read
 * them as 0, 0, 1 and 110).
 */
export const wholeNumber = z.union([z.number().int(), z.string().trim().regex(/^-?\d+$/, 'not a whole number').transform(Number)]);

/** The members of `value` whose names are not in `known`, or undefined when there are none. */
export function unknownMembers(value: unknown, known: readonly string[]): Record<string, unknown> | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  let out: Record<string, unknown> | undefined;
  for (const k of Object.keys(value)) {
    if (!known.includes(k)) (out ??= {})[k] = (value as Record<string, unknown>)[k];
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

/**
 * Refuses a message whose `field` names another `what` than its topic (an absent value agrees):
 * which device or data point it is about cannot be decided, so it is not guessed.
 */
export function refuseTopicMismatch(field: string, value: unknown, what: string, fromTopic: unknown, body?: string): void {
  if (value === undefined || value === null || fromTopic === undefined || String(value) === String(fromTopic)) return;
  throw new ProtocolError('identity-mismatch', `${field} ${JSON.stringify(value)} names another ${what} than the topic's ${JSON.stringify(fromTopic)}`, {
    field, value, fromTopic, ...(body === undefined ? {} : { body }),
  });
}

/** One value kept as sent but outside what the document allows (the same shape as Jointech's). */
export interface Flag {
  /** Where the value is in the message, e.g. `params.status.value`. */
  field: string;
  value: unknown;
  reason: string;
}
