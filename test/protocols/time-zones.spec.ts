/**
 * time.spec.ts again in two child processes with fixed zones, east and west of UTC: the same
 * document times must give the same instants, and impossible ones must be refused, in both.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';

const spec = join(__dirname, 'time.spec.js');
const mocha = require.resolve('mocha/bin/mocha.js');

/** Zone name and its offset on 2025-02-07 as getTimezoneOffset gives it. */
const ZONES: Array<[string, number]> = [['Asia/Shanghai', -480], ['America/New_York', 300]];

function runIn(tz: string, offset: number): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const env = { ...process.env, TZ: tz, TIME_SPEC_TZ_OFFSET: String(offset) };
    execFile(process.execPath, [mocha, '--no-config', '--reporter', 'dot', spec], { env, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, out: `${stdout}${stderr}` });
    });
  });
}

describe('strict times under two host zones', function () {
  this.timeout(90_000);
  for (const [tz, offset] of ZONES) {
    it(`passes every time test with TZ=${tz}`, async () => {
      const { code, out } = await runIn(tz, offset);
      assert.equal(code, 0, out);
      // The zone check ran (was not skipped) and nothing was left pending.
      assert.match(out, /\d+ passing/, out);
      assert.doesNotMatch(out, /pending/, out);
    });
  }
});
