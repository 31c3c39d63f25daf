/**
 * Strict times for every platform. Each function accepts one documented form and returns
 * `{iso, ms}` or null; none of them guesses (no `Date.parse`), none of them reads the host's time
 * zone, and impossible dates (2025-02-30, 24:00:00, month 13) are null, never rolled over.
 *
 *   parseIsoUtc('2022-09-01T08:59:56Z')        Jointech gpsTime/recvTime/dateTime (Z only)
 *   parseIsoZoned('2025-02-07T15:26:30+08:00') ISO with a required zone: Z or ±HH:MM
 *   parseCompactUtc('20220901081402')          yyyyMMddHHmmss in UTC (Jointech BASE2)
 *   fromFields({year, month, ...}, 480)        calendar fields in a zone given in minutes east of UTC
 *   fromEpochMs(1701937790000)                 epoch milliseconds (a fraction is cut, as Date does)
 *   fromEpochSeconds(1627737953.514)           epoch seconds (a fraction is kept to the millisecond)
 *   formatCompactUtc(ms)                       the inverse of parseCompactUtc
 *
 * All results lie in years 0001..9999, so `iso` is always `YYYY-MM-DDTHH:MM:SS.sssZ`.
 */

/** One moment: ISO 8601 in UTC with milliseconds, and epoch milliseconds. */
export interface Timestamp {
  iso: string;
  ms: number;
}

/** Calendar fields as written; `millisecond` defaults to 0. */
export interface TimeFields {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond?: number;
}

const MS_PER_DAY = 86_400_000;
/** 0001-01-01T00:00:00.000Z and 9999-12-31T23:59:59.999Z. */
export const MIN_MS = -62_135_596_800_000;
export const MAX_MS = 253_402_300_799_999;

function isLeap(year: number): boolean {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

function daysInMonth(year: number, month: number): number {
  return month === 2 ? (isLeap(year) ? 29 : 28) : month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Days from 1970-01-01 to a proleptic Gregorian date, by arithmetic alone (no Date, no zone). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

const isInt = (n: number, min: number, max: number) => Number.isInteger(n) && n >= min && n <= max;

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** 0..99 as two digits. */
const two = (n: number): string => (n < 10 ? `0${n}` : `${n}`);

/** The proleptic Gregorian date `days` after 1970-01-01 as `YYYY-MM-DD` (the inverse of daysFromCivil). */
function civilFromDays(days: number): string {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return `${pad(yoe + era * 400 + (month <= 2 ? 1 : 0), 4)}-${two(month)}-${two(day)}`;
}

/** The last day formatted: the times of one backlog mostly fall on the same day. */
let lastDay = Number.NaN;
let lastDate = '';

/**
 * Whole epoch ms in MIN_MS..MAX_MS as `YYYY-MM-DDTHH:MM:SS.sssZ`, the string toISOString gives,
 * by arithmetic: a Date per time cost the decoders more than the rest of a timestamp.
 */
function isoFromMs(ms: number): string {
  const days = Math.floor(ms / MS_PER_DAY);
  if (days !== lastDay) {
    lastDate = civilFromDays(days);
    lastDay = days;
  }
  let rest = ms - days * MS_PER_DAY;
  const hour = Math.floor(rest / 3_600_000);
  rest -= hour * 3_600_000;
  const minute = Math.floor(rest / 60_000);
  rest -= minute * 60_000;
  const second = Math.floor(rest / 1000);
  const milli = rest - second * 1000;
  return `${lastDate}T${two(hour)}:${two(minute)}:${two(second)}.${milli < 10 ? '00' : milli < 100 ? '0' : ''}${milli}Z`;
}

/**
 * Epoch ms (a number; a fraction of a millisecond is cut toward zero, as Date does) in
 * 0001..9999 as a Timestamp (toISOString is zone-free); null for NaN, Infinity or out of range.
 * A platform whose document says "long" checks Number.isInteger itself.
 */
export function fromEpochMs(value: unknown): Timestamp | null {
  if (typeof value !== 'number' || !Number.isFinite(value)) return null;
  const ms = Math.trunc(value) + 0; // + 0 turns -0 into 0
  if (ms < MIN_MS || ms > MAX_MS) return null;
  return { iso: isoFromMs(ms), ms };
}

/** Epoch seconds, fractions to the nearest millisecond, as a Timestamp; null as fromEpochMs. */
export function fromEpochSeconds(value: unknown): Timestamp | null {
  return typeof value === 'number' && Number.isFinite(value) ? fromEpochMs(Math.round(value * 1000)) : null;
}

/**
 * Calendar fields read in a zone `offsetMinutes` east of UTC (0 for UTC, 480 for China), as a
 * Timestamp; null when any field is out of range or the day does not exist in that month.
 */
export function fromFields(f: TimeFields, offsetMinutes = 0): Timestamp | null {
  const ms = msFromFields(f, offsetMinutes);
  if (ms === null) return null;
  // Built from the fields in UTC: cheaper than toISOString, and the same string.
  const iso = offsetMinutes === 0
    ? `${pad(f.year, 4)}-${pad(f.month, 2)}-${pad(f.day, 2)}T${pad(f.hour, 2)}:${pad(f.minute, 2)}:${pad(f.second, 2)}.${pad(f.millisecond ?? 0, 3)}Z`
    : isoFromMs(ms);
  return { iso, ms };
}

/** The epoch ms of fromFields, or null where it is null. */
function msFromFields(f: TimeFields, offsetMinutes: number): number | null {
  const millisecond = f.millisecond ?? 0;
  if (!isInt(f.year, 1, 9999) || !isInt(f.month, 1, 12) || !isInt(f.day, 1, daysInMonth(f.year, f.month))) return null;
  if (!isInt(f.hour, 0, 23) || !isInt(f.minute, 0, 59) || !isInt(f.second, 0, 59) || !isInt(millisecond, 0, 999)) return null;
  if (!isInt(offsetMinutes, -1440, 1440)) return null;
  const ms = daysFromCivil(f.year, f.month, f.day) * MS_PER_DAY
    + ((f.hour * 60 + f.minute - offsetMinutes) * 60 + f.second) * 1000 + millisecond;
  return ms < MIN_MS || ms > MAX_MS ? null : ms;
}

/** `n` ASCII digits of `s` from `at` as a number, or -1. */
function digits(s: string, at: number, n: number): number {
  let v = 0;
  for (let i = at; i < at + n; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

/**
 * `YYYY-MM-DDTHH:MM:SS` plus an optional 1-3 digit fraction at `s[0..]`; returns the fields and
 * where the zone starts, or null.
 */
function isoFields(s: string): { fields: TimeFields; end: number } | null {
  if (s.length < 20 || s[4] !== '-' || s[7] !== '-' || s[10] !== 'T' || s[13] !== ':' || s[16] !== ':') return null;
  const fields: TimeFields = {
    year: digits(s, 0, 4), month: digits(s, 5, 2), day: digits(s, 8, 2),
    hour: digits(s, 11, 2), minute: digits(s, 14, 2), second: digits(s, 17, 2), millisecond: 0,
  };
  let end = 19;
  if (s[19] === '.') {
    let n = 0;
    while (n < 3 && s.charCodeAt(20 + n) >= 48 && s.charCodeAt(20 + n) <= 57) n++;
    if (n === 0) return null;
    fields.millisecond = digits(s, 20, n) * (n === 1 ? 100 : n === 2 ? 10 : 1);
    end = 20 + n;
  }
  return { fields, end };
}

/**
 * `YYYY-MM-DDTHH:MM:SS[.f{1,3}]Z`, the form of every Jointech time (定位时间/接收时间, "UTC时间").
 * A string without the `Z`, with an offset or with other text is null.
 */
export function parseIsoUtc(value: unknown): Timestamp | null {
  if (typeof value !== 'string') return null;
  const parsed = isoFields(value);
  if (!parsed || parsed.end !== value.length - 1 || value[parsed.end] !== 'Z') return null;
  const ms = msFromFields(parsed.fields, 0);
  if (ms === null) return null;
  // The date and time as written are the canonical ones (isoFields read them digit by digit): the
  // platform's usual form with milliseconds is the whole string, the others gain the fraction.
  if (value.length === 24) return { iso: value, ms };
  const milli = parsed.fields.millisecond ?? 0;
  return { iso: `${value.slice(0, 19)}.${milli < 10 ? '00' : milli < 100 ? '0' : ''}${milli}Z`, ms };
}

/** ISO 8601 with a required zone: `...Z` or `...±HH:MM`. A zone-less time is null, never local. */
export function parseIsoZoned(value: unknown): Timestamp | null {
  if (typeof value !== 'string') return null;
  const parsed = isoFields(value);
  if (!parsed) return null;
  const rest = value.slice(parsed.end);
  if (rest === 'Z') return fromFields(parsed.fields);
  if (rest.length !== 6 || (rest[0] !== '+' && rest[0] !== '-') || rest[3] !== ':') return null;
  const hh = digits(rest, 1, 2);
  const mm = digits(rest, 4, 2);
  if (hh < 0 || hh > 14 || mm < 0 || mm > 59) return null;
  return fromFields(parsed.fields, (rest[0] === '-' ? -1 : 1) * (hh * 60 + mm));
}

/** `yyyyMMddHHmmss` (exactly 14 digits) read as UTC, the form of Jointech's BASE2. */
export function parseCompactUtc(value: unknown): Timestamp | null {
  if (typeof value !== 'string' || value.length !== 14 || !/^\d{14}$/.test(value)) return null;
  return fromFields({
    year: digits(value, 0, 4), month: digits(value, 4, 2), day: digits(value, 6, 2),
    hour: digits(value, 8, 2), minute: digits(value, 10, 2), second: digits(value, 12, 2),
  });
}

/** Epoch ms as `yyyyMMddHHmmss` in UTC; throws RangeError outside 0001..9999. */
export function formatCompactUtc(ms: number): string {
  const t = fromEpochMs(ms);
  if (!t) throw new RangeError(`${ms} is not an epoch millisecond in years 0001..9999`);
  return t.iso.slice(0, 19).replace(/[-:T]/g, '');
}
