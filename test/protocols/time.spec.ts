/**
 * The strict time module and the Jointech times that use it, under two host zones on either side
 * of UTC: the same document times must give the same instants, impossible ones be refused, in both.
 */
import assert from 'node:assert/strict';
import {
  formatCompactUtc, fromEpochMs, fromEpochSeconds, fromFields, parseCompactUtc, parseIsoUtc, parseIsoZoned,
} from '../../src/protocols/time';
import { buildRequest } from '../../src/protocols/jointech/commands';
import { decodePush } from '../../src/protocols/jointech/messages';
import { isProtocolError } from '../../src/protocols/protocol-error';
import { jointechSamples as S } from '../../tools/samples';
import { inTimeZones } from '../support/time-zones';

inTimeZones(() => {
  describe('strict times', () => {
    // Every UTC string the Jointech documents print (data push service description sections 1-5,
    // MQTT rule description 3.1-3.5), with the instant it names.
    const documentTimes: Array<[string, string, number]> = [
      ['push 1 location gpsTime', '2022-09-01T08:59:56Z', Date.UTC(2022, 8, 1, 8, 59, 56)],
      ['push 1 location recvTime', '2022-09-01T08:59:56.964Z', Date.UTC(2022, 8, 1, 8, 59, 56, 964)],
      ['push 1 ksInfo subInfo dateTime', '2025-05-14T09:39:03Z', Date.UTC(2025, 4, 14, 9, 39, 3)],
      ['push 2 alarm dateTime', '2020-04-01T00:00:13Z', Date.UTC(2020, 3, 1, 0, 0, 13)],
      ['push 3 event dateTime', '2022-08-19T02:07:28Z', Date.UTC(2022, 7, 19, 2, 7, 28)],
      ['push 4 cmd dateTime', '2022-09-01T08:14:03.564Z', Date.UTC(2022, 8, 1, 8, 14, 3, 564)],
      ['push 5 sublock subGpsTime', '2023-12-07T08:29:50Z', Date.UTC(2023, 11, 7, 8, 29, 50)],
      ['MQTT 3.1 gpsTime', '2025-02-07T07:26:30Z', Date.UTC(2025, 1, 7, 7, 26, 30)],
      ['MQTT 3.1 recvTime', '2025-02-07T07:25:20.832Z', Date.UTC(2025, 1, 7, 7, 25, 20, 832)],
      ['MQTT 3.4 cmd dateTime', '2025-02-07T03:52:39.964Z', Date.UTC(2025, 1, 7, 3, 52, 39, 964)],
    ];
    for (const [source, text, ms] of documentTimes) {
      it(`reads ${source} "${text}"`, () => {
        const t = parseIsoUtc(text);
        assert.deepEqual(t, { iso: new Date(ms).toISOString(), ms });
      });
    }

    it('reads one or two fraction digits as tenths and hundredths', () => {
      assert.equal(parseIsoUtc('2025-02-07T07:25:20.8Z')?.ms, Date.UTC(2025, 1, 7, 7, 25, 20, 800));
      assert.equal(parseIsoUtc('2025-02-07T07:25:20.83Z')?.ms, Date.UTC(2025, 1, 7, 7, 25, 20, 830));
      assert.equal(parseIsoUtc('2025-02-07T07:25:20.8Z')?.iso, '2025-02-07T07:25:20.800Z');
      assert.equal(parseIsoUtc('2025-02-07T07:25:20.83Z')?.iso, '2025-02-07T07:25:20.830Z');
      assert.equal(parseIsoUtc('0001-01-01T00:00:00.05Z')?.iso, '0001-01-01T00:00:00.050Z');
    });

    const refusedUtc: Array<[string, unknown]> = [
      ['a lone digit (Date.parse makes it 2001)', '1'],
      ['February 30th (Date.parse rolls it to 2 March)', '2025-02-30T00:00:00Z'],
      ['29 February of a common year', '2023-02-29T12:00:00Z'],
      ['31 April', '2025-04-31T00:00:00Z'],
      ['hour 24', '2025-02-07T24:00:00Z'],
      ['minute 60', '2025-02-07T07:60:00Z'],
      ['second 60', '2025-02-07T07:26:60Z'],
      ['month 13', '2025-13-07T07:26:30Z'],
      ['month 0', '2025-00-07T07:26:30Z'],
      ['day 0', '2025-02-00T07:26:30Z'],
      ['year 0000', '0000-01-01T00:00:00Z'],
      ['no zone (would be host-local time)', '2025-02-07T07:26:30'],
      ['an offset where the document says UTC', '2025-02-07T15:26:30+08:00'],
      ['a space instead of T', '2025-02-07 07:26:30Z'],
      ['a date alone', '2025-02-07'],
      ['an empty fraction', '2025-02-07T07:26:30.Z'],
      ['four fraction digits', '2025-02-07T07:26:30.8321Z'],
      ['trailing text', '2025-02-07T07:26:30Z '],
      ['lower-case z', '2025-02-07T07:26:30z'],
      ['an RFC 2822 date', 'Fri, 07 Feb 2025 07:26:30 GMT'],
      ['epoch ms as a string', '1738912514000'],
      ['a number', 1738912514000],
      ['null', null],
    ];
    for (const [what, value] of refusedUtc) {
      it(`refuses ${what}`, () => assert.equal(parseIsoUtc(value), null));
    }

    it('accepts 29 February of a leap year and the last day of 9999', () => {
      assert.equal(parseIsoUtc('2024-02-29T00:00:00Z')?.ms, Date.UTC(2024, 1, 29));
      assert.equal(parseIsoUtc('2000-02-29T00:00:00Z')?.ms, Date.UTC(2000, 1, 29));
      assert.equal(parseIsoUtc('1900-02-29T00:00:00Z'), null, '1900 is not a leap year');
      assert.equal(parseIsoUtc('9999-12-31T23:59:59.999Z')?.iso, '9999-12-31T23:59:59.999Z');
    });

    it('reads years before 100 as written, not as 19xx', () => {
      assert.equal(parseIsoUtc('0050-03-01T00:00:00Z')?.iso, '0050-03-01T00:00:00.000Z');
    });

    it('reads ISO with a required zone: Z or ±HH:MM, never host-local', () => {
      const at = Date.UTC(2025, 1, 7, 7, 26, 30);
      assert.equal(parseIsoZoned('2025-02-07T07:26:30Z')?.ms, at);
      assert.equal(parseIsoZoned('2025-02-07T15:26:30+08:00')?.ms, at);
      assert.equal(parseIsoZoned('2025-02-07T02:26:30-05:00')?.ms, at);
      assert.equal(parseIsoZoned('2025-02-07T15:26:30.5+08:00')?.iso, '2025-02-07T07:26:30.500Z');
      for (const bad of ['2025-02-07T15:26:30', '2025-02-07T15:26:30+0800', '2025-02-07T15:26:30+08', '2025-02-30T15:26:30+08:00', '2025-02-07T15:26:30+15:00']) {
        assert.equal(parseIsoZoned(bad), null, bad);
      }
    });

    it('reads BASE2 yyyyMMddHHmmss as UTC (data push 4, reply 20220901081402)', () => {
      assert.deepEqual(parseCompactUtc('20220901081402'), { iso: '2022-09-01T08:14:02.000Z', ms: Date.UTC(2022, 8, 1, 8, 14, 2) });
      for (const bad of ['20250230000000', '20251301000000', '20250207240000', '2025020707263', '202502070726300', '2025020707263a', '1', '']) {
        assert.equal(parseCompactUtc(bad), null, bad);
      }
      assert.equal(formatCompactUtc(Date.UTC(2022, 8, 1, 8, 14, 2)), '20220901081402');
      assert.throws(() => formatCompactUtc(Number.NaN), RangeError);
    });

    it('reads epoch forms in years 0001..9999 only', () => {
      // Data push 5: subGpsTimestamp 1701937790000 is subGpsTime 2023-12-07T08:29:50Z.
      assert.equal(fromEpochMs(1701937790000)?.iso, '2023-12-07T08:29:50.000Z');
      assert.equal(fromEpochSeconds(1701937790)?.iso, '2023-12-07T08:29:50.000Z');
      // Fractions as other platforms send them (seconds with milliseconds, milliseconds with a fraction).
      assert.deepEqual(fromEpochSeconds(1627737953.514), { iso: '2021-07-31T13:25:53.514Z', ms: 1627737953514 });
      assert.equal(fromEpochMs(1627737953514.123)?.ms, 1627737953514);
      assert.equal(fromEpochMs(-0.5)?.ms, 0);
      for (const bad of [1e300, Number.NaN, Infinity, '1701937790000', 253402300800000, -62135596800001]) assert.equal(fromEpochMs(bad), null, String(bad));
      assert.equal(fromEpochSeconds(1e300), null);
    });

    it('writes every epoch ms in years 0001..9999 as toISOString does, across day, leap-day and century edges', () => {
      // A fixed pseudo-random sequence (LCG), so that a failure names a value that fails again.
      let seed = 20251202;
      const next = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
      const edges = [-62135596800000, 253402300799999, 0, -1, 1, 86_399_999, 86_400_000, -86_400_000, -86_400_001,
        Date.UTC(2000, 1, 29, 23, 59, 59, 999), Date.UTC(1900, 2, 1), Date.UTC(1600, 1, 29), Date.UTC(2100, 1, 28, 12)];
      const span = 253402300799999 + 62135596800000;
      const values = [...edges, ...Array.from({ length: 20_000 }, () => Math.floor(-62135596800000 + next() * span))];
      // Consecutive values on one day and across midnight, as a backlog of pushes brings them.
      for (let ms = Date.UTC(2025, 1, 7, 23, 59, 58); ms < Date.UTC(2025, 1, 8, 0, 0, 2); ms += 7) values.push(ms);
      for (const ms of values) assert.equal(fromEpochMs(ms)?.iso, new Date(ms).toISOString(), String(ms));
      assert.equal(fromFields({ year: 1, month: 1, day: 1, hour: 8, minute: 0, second: 0 }, 480)?.iso, '0001-01-01T00:00:00.000Z');
    });

    it('builds times from fields in a given zone, refusing impossible fields', () => {
      assert.equal(fromFields({ year: 2025, month: 2, day: 7, hour: 15, minute: 26, second: 30 }, 480)?.iso, '2025-02-07T07:26:30.000Z');
      assert.equal(fromFields({ year: 2025, month: 2, day: 30, hour: 0, minute: 0, second: 0 }), null);
      assert.equal(fromFields({ year: 2025, month: 2, day: 7, hour: 0, minute: 0, second: 0, millisecond: 1000 }), null);
      assert.equal(fromFields({ year: 2025.5, month: 2, day: 7, hour: 0, minute: 0, second: 0 }), null);
    });
  });

  describe('Jointech times through the decoder and BASE2', () => {
    it('decodes the MQTT 3.1 location times to the same instants in any zone', () => {
      const p = decodePush(S.mqtt.location!.payload, 'location').payload;
      assert.equal(p.gpsTime, '2025-02-07T07:26:30.000Z');
      assert.equal(p.gpsTimeMs, Date.UTC(2025, 1, 7, 7, 26, 30));
      assert.equal(p.recvTime, '2025-02-07T07:25:20.832Z');
    });

    for (const [what, gpsTime] of [['"1"', '1'], ['2025-02-30', '2025-02-30T07:26:30Z'], ['a zone-less time', '2025-02-07T07:26:30']] as const) {
      it(`refuses a location whose gpsTime is ${what}`, () => {
        assert.throws(() => decodePush({ ...S.mqtt.location!.payload, gpsTime }, 'location'), (err: unknown) => isProtocolError(err) && /gpsTime/.test((err as Error).message));
      });
    }

    it('refuses a sub-lock subGpsTimestamp outside Date range instead of printing null', () => {
      assert.throws(() => decodePush({ ...S.mqtt.sublock!.payload, subGpsTime: undefined, subGpsTimestamp: 1e300 }, 'sublock'), /subGpsTimestamp/);
    });

    it('sends the BASE2 time given, and refuses an impossible one instead of sending it', () => {
      assert.deepEqual(buildRequest('742207000010', 'BASE2', ['20220901081402']).params, ['20220901081402']);
      assert.deepEqual(buildRequest('742207000010', 'BASE2', [new Date(Date.UTC(2022, 8, 1, 8, 14, 2))]).params, ['20220901081402']);
      for (const bad of ['20250230000000', '20250207240000', '1', '2022-09-01T08:14:02Z']) {
        assert.throws(() => buildRequest('742207000010', 'BASE2', [bad]), (err: unknown) => isProtocolError(err) && /BASE2 time/.test((err as Error).message), bad);
      }
      assert.throws(() => buildRequest('742207000010', 'BASE2', [new Date(Number.NaN)]), /BASE2 time/);
    });

    it('fills an empty BASE2 time with the current UTC time', () => {
      const before = Math.floor(Date.now() / 1000) * 1000;
      const [stamp] = buildRequest('742207000010', 'BASE2').params;
      const t = parseCompactUtc(stamp);
      assert.ok(t && t.ms >= before && t.ms <= Date.now(), stamp);
    });
  });
});
