/**
 * Epoch counts as IOTOS and Aliyun Living send them: milliseconds or seconds since
 * 1970-01-01T00:00:00Z, as a JSON number or a string of digits, read through the strict time
 * module (no host zone, years up to 9999). A count is never negative; text such as `""`, `true`
 * or `"1e3"` is no count. A value that is no time is refused, never turned into another date.
 */
import { z } from 'zod';
import { ProtocolError } from './protocol-error';
import { MAX_MS, fromEpochMs, type Timestamp } from './time';

export type EpochUnit = 'ms' | 's';

function asNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string' && /^\d+(\.\d+)?$/.test(value.trim())) return Number(value.trim());
  return undefined;
}

/**
 * The time `value` counts in `unit`, or why it is none. Counts may carry a fraction (IOTOS writes
 * 1627737953.514 s and 1627737953514.123 ms): seconds are rounded to the millisecond, a fraction
 * of a millisecond is kept in `ms` and left out of `iso`.
 */
function readEpoch(value: unknown, unit: EpochUnit): Timestamp | string {
  const n = asNumber(value);
  if (n === undefined) return `${JSON.stringify(value) ?? String(value)} is not a number of ${unit === 's' ? 'seconds' : 'milliseconds'} since 1970`;
  const ms = unit === 's' ? Math.round(n * 1000) : n;
  if (ms < 0 || ms > MAX_MS) return `${n} ${unit} is outside 1970-01-01 to 9999-12-31`;
  const t = fromEpochMs(Math.floor(ms));
  return t ? { iso: t.iso, ms } : `${n} ${unit} is no time`;
}

/** The time `value` names; throws a `bad-time` ProtocolError naming `field` when it names none. */
export function epochTime(value: unknown, unit: EpochUnit, field: string): Timestamp {
  const t = readEpoch(value, unit);
  if (typeof t === 'string') throw new ProtocolError('bad-time', `${field}: ${t}`, { field, value });
  return t;
}

/** The time `value` counts in `unit` (`ms` the number epochField makes of it), or undefined where epochField refuses it. */
export function epochIfValid(value: unknown, unit: EpochUnit): Timestamp | undefined {
  const t = readEpoch(value, unit);
  return typeof t === 'string' ? undefined : t;
}

/** A zod field for an epoch count in `unit`: the number kept as sent (a digit string becomes its number). */
export function epochField(unit: EpochUnit) {
  return z.union([z.number(), z.string()]).superRefine((v, ctx) => {
    const t = readEpoch(v, unit);
    if (typeof t === 'string') ctx.addIssue({ code: 'custom', message: t });
  }).transform((v) => asNumber(v)!);
}
