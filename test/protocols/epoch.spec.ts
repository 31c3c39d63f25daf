import assert from 'node:assert/strict';
import { epochField, epochTime } from '../../src/protocols/epoch';
import { isProtocolError } from '../../src/protocols/protocol-error';
import { inTimeZones } from '../support/time-zones';

describe('epoch counts of IOTOS and Aliyun Living', () => {
  inTimeZones((tz) => {
    it(`reads the documents' counts the same in every zone (TZ=${tz})`, () => {
      // seed 004 property time; seed 001 uplink ts (seconds with a fraction) and downlink ts.
      assert.deepEqual(epochTime(1510292697471, 'ms', 'time'), { ms: 1510292697471, iso: '2017-11-10T05:44:57.471Z' });
      assert.deepEqual(epochTime('1510292697471', 'ms', 'time'), { ms: 1510292697471, iso: '2017-11-10T05:44:57.471Z' });
      assert.deepEqual(epochTime(1627737953.514, 's', 'ts'), { ms: 1627737953514, iso: '2021-07-31T13:25:53.514Z' });
      assert.deepEqual(epochTime(1627737953514.123, 'ms', 'requestTime'), { ms: 1627737953514.123, iso: '2021-07-31T13:25:53.514Z' });
      assert.deepEqual(epochTime(0, 'ms', 't'), { ms: 0, iso: '1970-01-01T00:00:00.000Z' });
      assert.deepEqual(epochTime(253402300799999, 'ms', 't'), { ms: 253402300799999, iso: '9999-12-31T23:59:59.999Z' });
    });
  });

  it('refuses what is no count instead of making a date of it', () => {
    for (const bad of ['', ' ', true, null, '1e3', '0x10', -1, 253402300800000, Number.NaN, Infinity, '2021-07-31', {}]) {
      assert.throws(() => epochTime(bad, 'ms', 'time'), (e: unknown) => isProtocolError(e) && e.code === 'bad-time' && /^time: /.test(e.message), String(bad));
      assert.equal(epochField('ms').safeParse(bad).success, false, String(bad));
    }
    assert.throws(() => epochTime(253402300800, 's', 'ts'), /outside 1970-01-01 to 9999-12-31/);
    assert.equal(epochField('ms').parse('1510292697471'), 1510292697471);
  });
});
