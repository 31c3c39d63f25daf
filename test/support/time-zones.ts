/**
 * Runs a block of tests once per host time zone (inTimeZones), or a function once per zone
 * (valuesInTimeZones): the platforms' times must not depend on it.
 * Two zones on either side of UTC, so reading a time as local shifts it both ways (under UTC
 * such a fault would not show). Node re-reads the zone when `process.env.TZ` is assigned.
 */
export const TEST_TIME_ZONES = ['Asia/Shanghai', 'America/Los_Angeles'] as const;

/** Fails when `process.env.TZ = tz` did not change the zone (a zone unknown to this Node). */
function assertZoneTook(tz: string): void {
  if (tz === 'UTC') return;
  const offset = new Date(Date.UTC(2021, 6, 1)).getTimezoneOffset();
  if (offset === 0) throw new Error(`TZ=${tz} did not take effect (offset ${offset})`);
}

/** `fn`'s result in each zone, for a test that compares them; the zone is restored afterwards. */
export function valuesInTimeZones<T>(fn: () => T, zones: readonly string[] = ['UTC', ...TEST_TIME_ZONES]): T[] {
  const saved = process.env.TZ;
  try {
    return zones.map((tz) => {
      process.env.TZ = tz;
      assertZoneTook(tz);
      return fn();
    });
  } finally {
    if (saved === undefined) delete process.env.TZ;
    else process.env.TZ = saved;
  }
}

export function inTimeZones(tests: (tz: string) => void, zones: readonly string[] = TEST_TIME_ZONES): void {
  for (const tz of zones) {
    describe(`TZ=${tz}`, () => {
      let before: string | undefined;
      beforeEach(() => {
        before = process.env.TZ;
        process.env.TZ = tz;
        // A zone that did not take would make the rows prove nothing.
        assertZoneTook(tz);
      });
      afterEach(() => {
        if (before === undefined) delete process.env.TZ;
        else process.env.TZ = before;
      });
      tests(tz);
    });
  }
}
