/**
 * Epoch times as the platforms send them: a count of milliseconds or seconds since
 * 1970-01-01T00:00:00Z, as a number or a string of digits. Nothing here reads the host's time
 * zone. A value that cannot be such a time (negative, not finite, text, past the year 9999) is
 * refused rather than turned into some other date.
 */
import { z } from 'zod';
import { ProtocolError } from './protocol-error';

/** 9999-12-31T23:59:59.999Z, the last instant an ISO 8601 string with a four-digit year can hold. */
export const MAX_EPOCH_MS = 253402300799999;

export interface EpochTime {
  ms: number;
  iso: string;
}

export type EpochUnit = 'ms' | 's';

/** A number, or a string that is only a (decimal) number: never `""`, `true` or `"1e3"`. */
function asNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string' && /^\d+(\.\d+)?$/.test(value.trim())) return Number(value.trim());
  return undefined;
}

/** Why `value` is not an epoch time in `unit`, or undefined when it is one. */
export function epochProblem(value: unknown, unit: EpochUnit): string | undefined {
  const n = asNumber(value);
  if (n === undefined) return `${JSON.stringify(value) ?? String(value)} is not a number of ${unit === 's' ? 'seconds' : 'milliseconds'} since 1970`;
  const ms = unit === 's' ? n * 1000 : n;
  if (ms < 0 || ms > MAX_EPOCH_MS) return `${n} ${unit} is outside 1970-01-01 to 9999-12-31`;
  return undefined;
}

/** The time `value` names, in UTC; throws a `bad-time` ProtocolError naming `field` when it names none. */
export function epochTime(value: unknown, unit: EpochUnit, field: string): EpochTime {
  const problem = epochProblem(value, unit);
  if (problem) throw new ProtocolError('bad-time', `${field}: ${problem}`, { field, value });
  const n = asNumber(value)!;
  const ms = unit === 's' ? Math.round(n * 1e6) / 1e3 : n;
  return { ms, iso: new Date(Math.floor(ms)).toISOString() };
}

/** A zod field for an epoch time in `unit`: the number kept as sent (a digit string becomes its number). */
export function epochField(unit: EpochUnit) {
  return z.union([z.number(), z.string()]).superRefine((v, ctx) => {
    const problem = epochProblem(v, unit);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  }).transform((v) => asNumber(v)!);
}
