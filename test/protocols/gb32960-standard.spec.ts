/**
 * GB/T 32960.3 corners of the standard's tables: list-count and fault-code markers, strict
 * collection times, header fields against data-unit fields, encryption tables, platform replies
 * and marker-exact re-encoding. Every frame is written byte by byte from the tables cited.
 */
import assert from 'node:assert/strict';
import { decodeFrame, decodeRealtime, encodeFrame, encodeRealtime } from '../../src/protocols/gb32960/codec';
import { decodeInput } from '../../src/protocols/gb32960/input';
import { isProtocolError } from '../../src/protocols/protocol-error';
import { VIN, hex, rawFrame, roundTrip } from '../support/gb32960-frames';
import { valuesInTimeZones } from '../support/time-zones';

const TIME = '17 03 15 0a 14 0c'; // 2023-03-21 10:20:12 Beijing time
const ownError = (code: string) => (e: unknown) => isProtocolError(e) && e.code === code;
const txt = (s: string) => Buffer.from(s, 'latin1').toString('hex');


describe('GB/T 32960.3-2025 list counts of 0xFE/0xFF: no entries follow', () => {
  // Table 15 motors count FF, table 18 stack count FE, table 23 alarm with N5 = FF.
  const unit = hex(`${TIME} 02 ff  30 fe  06 01 00000000 00 00 00 00 ff  04 0bb8`);

  it('reads motors (table 15), fuel-cell stacks (table 18) and alarm levels N5 (table 23) as empty, keeping the marker', () => {
    const d = decodeRealtime(unit, 2025) as any;
    assert.deepEqual(d.motors, []);
    assert.deepEqual(d.fuelCellStacks, []);
    assert.deepEqual(d.markers, { motors: 'invalid', fuelCellStacks: 'abnormal' });
    assert.deepEqual(d.alarm.flagLevels, []);
    assert.equal(d.alarm.markers.flagLevels, 'invalid');
    assert.equal(d.engine.crankshaftSpeed, 3000, 'the blocks after them are read from the right place');
    assert.equal(encodeRealtime(d, 2025).toString('hex'), unit.toString('hex'));
    roundTrip(rawFrame(0x02, unit, 0xfe, 2025));
  });
});

describe('GB/T 32960 alarm fault codes (2016 table 17, 2025 table 23) have no markers', () => {
  it('keeps 0xFFFFFFFE and 0xFFFFFFFF as the codes they are and encodes them back', () => {
    const unit = hex(`${TIME} 07 01 00000000 02 fffffffe ffffffff 00 01 fffffffe 00`);
    const d = roundTrip(rawFrame(0x02, unit)).data as any;
    assert.deepEqual(d.alarm.storageFaults, [0xfffffffe, 0xffffffff]);
    assert.deepEqual(d.alarm.engineFaults, [0xfffffffe]);
    const unit2025 = hex(`${TIME} 06 01 00000000 01 fffffffe 00 00 00 00`);
    assert.deepEqual((roundTrip(rawFrame(0x02, unit2025, 0xfe, 2025)).data as any).alarm.storageFaults, [0xfffffffe]);
  });
});

describe('GB/T 32960 collection times (table 5) are checked strictly and read in Beijing time', () => {
  it('rejects a month 13, day 45, hour 25 and minute 61 instead of rolling them over', () => {
    for (const [t, why] of [['120d2d193d3d', '2018-13-45T25:61:61'], ['17021d000000', '2023-02-29 (not a leap year)'], ['17041f000000', '2023-04-31'], ['170300000000', 'day 0'], ['640101000000', 'year 100'], ['1703150a140c'.slice(0, 6) + '183c00', 'hour 24']] as const) {
      assert.throws(() => decodeFrame(rawFrame(0x04, hex(`${t} 0001`))), ownError('bad-time'), why);
      assert.throws(() => decodeRealtime(hex(t)), ownError('bad-time'), why);
    }
    assert.equal((decodeFrame(rawFrame(0x04, hex('18021d173b3b 0001'))).data as any).time, '2024-02-29T23:59:59+08:00', 'leap day');
  });

  it('gives the same epoch milliseconds whatever the host zone', () => {
    const [utc, shanghai, la] = valuesInTimeZones(() => {
      const f = decodeFrame(rawFrame(0x04, hex('180101000000 0001')));
      const login = decodeInput({ header: { command: 4, responseFlag: 254, vin: VIN }, body: { year: 24, month: 1, day: 1, hour: 0, minute: 0, second: 0, serialNo: 1 } });
      const built = encodeFrame({ command: 4, vin: VIN, data: { time: Date.UTC(2023, 11, 31, 16), serialNo: 1 } });
      return [(f.data as any).timeMs, login.timeMs, built.subarray(24, 30).toString('hex')];
    });
    assert.deepEqual(utc, [Date.UTC(2023, 11, 31, 16), Date.UTC(2023, 11, 31, 16), '180101000000']);
    assert.deepEqual(shanghai, utc);
    assert.deepEqual(la, utc);
  });

  it('gives epoch milliseconds alone when ISO strings are not wanted, and only for that call', () => {
    const bytes = rawFrame(0x04, hex(`${TIME} 0001`));
    const msOnly = decodeFrame(bytes, { isoTimes: false }).data as any;
    assert.equal(msOnly.time, undefined);
    assert.equal(msOnly.timeMs, Date.UTC(2023, 2, 21, 2, 20, 12));
    assert.throws(() => decodeFrame(rawFrame(0x04, hex('170d01000000 0001')), { isoTimes: false }), ownError('bad-time'));
    assert.equal((decodeFrame(bytes).data as any).time, '2023-03-21T10:20:12+08:00', 'the next decode has its ISO time again');
  });

  it('refuses impossible times when encoding and converts other offsets to Beijing time', () => {
    const logout = (time: unknown) => encodeFrame({ command: 4, vin: VIN, data: { time, serialNo: 1 } });
    assert.throws(() => logout('2023-02-30T10:00:00+08:00'), ownError('bad-time'));
    assert.throws(() => logout('2023-03-21T24:00:00+08:00'), ownError('bad-time'));
    assert.throws(() => logout('1999-12-31T23:59:59+08:00'), ownError('bad-time'));
    assert.equal(logout('2023-03-21T02:20:12Z').subarray(24, 30).toString('hex'), '1703150a140c');
    assert.equal(logout('2023-03-20T21:20:12-05:00').subarray(24, 30).toString('hex'), '1703150a140c');
    assert.throws(() => decodeInput({ header: { command: 4, vin: VIN }, body: { year: 23, month: 4, day: 31, hour: 0, minute: 0, second: 0, serialNo: 1 } }), ownError('bad-time'));
  });
});

describe('GB/T 32960 platform login (table 21) and the frame\'s encryption byte (table 2)', () => {
  const platformLogin = (rule: number) => hex(`${TIME} 0007 ${txt('platform01')}0000 ${txt('secret')}${'00'.repeat(14)} ${rule.toString(16).padStart(2, '0')}`);

  it('keeps the header\'s encryption byte and the data unit\'s encryption rule apart', () => {
    const d = decodeInput(rawFrame(0x05, platformLogin(0x03)));
    assert.deepEqual(d.encryption, { code: 1, en: 'None', zh: '不加密' }, 'header byte 0x01');
    assert.equal((d.encryptionRule as any).code, 3);
    roundTrip(rawFrame(0x05, platformLogin(0x03)));
  });

  it('reads a 2025 encryption rule with the 2025 table: 0x04 SM2, 0x05 SM4', () => {
    assert.equal((roundTrip(rawFrame(0x05, platformLogin(0x04), 0xfe, 2025)).data as any).encryptionRule.en, 'SM2');
    assert.equal((roundTrip(rawFrame(0x05, platformLogin(0x05), 0xfe, 2025)).data as any).encryptionRule.en, 'SM4');
    assert.equal((decodeFrame(rawFrame(0x05, platformLogin(0x04))).data as any).encryptionRule.unknown, true, '0x04 is reserved in 2016');
  });

  it('does not read a 2016 frame with the reserved encryption byte 0x04 as plain text', () => {
    const unit = hex('0102030405060708');
    const f = roundTrip(rawFrame(0x02, unit, 0xfe, 2016, 0x04));
    assert.deepEqual(f.data, { encrypted: unit });
    assert.equal(f.encryption.unknown, true);
    assert.equal((roundTrip(rawFrame(0x02, unit, 0xfe, 2025, 0x05)).encryption.en), 'SM4');
  });
});

describe('GB/T 32960 decode -> encode gives the same bytes for every frame of both editions', () => {
  const LOGIN_2016 = hex(`${TIME} 0001 ${txt('89860000000000000001')} 02 04 ${txt('AB12CD34')}`);
  const LOGIN_2025 = hex(`${TIME} 0003 ${txt('89860000000000000001')} 02 01 01 ${txt('P'.repeat(24))} ${txt('Q'.repeat(24))}`);
  const REALTIME_2016 = hex(`${TIME} 01 01 03 01 0258 000186a0 0dac 2774 50 01 3e 1388 1e 65  08 01 01 0dac 2774 0060 0001 03 fffe 0d48 ffff  09 01 01 0003 fe 50 ff`);
  const REALTIME_2025 = hex(`${TIME} 01 01 03 01 0258 000186a0 0dac 7594 50 01 be 1388  07 01 01 0dac 7594 0003 fffe 0d48 ffff  08 01 01 0002 fe ff  ff 01 0002 aabb 0002 ccdd`);
  const LOGOUT = hex(`${TIME} 0001`);
  const PLATFORM_LOGIN = hex(`${TIME} 0007 ${txt('platform01')}0000 ${txt('secret')}${'00'.repeat(14)} 01`);

  const frames: Array<[string, Buffer]> = [];
  for (const edition of [2016, 2025] as const) {
    const vehicle: Array<[number, Buffer]> = [
      [0x01, edition === 2025 ? LOGIN_2025 : LOGIN_2016], [0x02, edition === 2025 ? REALTIME_2025 : REALTIME_2016], [0x03, edition === 2025 ? REALTIME_2025 : REALTIME_2016],
      [0x04, LOGOUT], [0x05, PLATFORM_LOGIN], [0x06, LOGOUT], [0x07, Buffer.alloc(0)], [0x08, Buffer.alloc(0)],
    ];
    // Table 4: 0x01-0x03 in both editions, 0x04-0x07 added in 2025.
    const flags = edition === 2025 ? [1, 2, 3, 4, 5, 6, 7] : [1, 2, 3];
    for (const [command, unit] of vehicle) {
      frames.push([`${edition} 0x0${command} command`, rawFrame(command, unit, 0xfe, edition)]);
      // Replies (§6.3.2): the request's time only; a heartbeat's is empty; some platforms echo it all.
      for (const flag of flags) frames.push([`${edition} 0x0${command} reply ${flag} with the time`, rawFrame(command, hex(TIME), flag, edition)]);
      frames.push([`${edition} 0x0${command} empty reply`, rawFrame(command, Buffer.alloc(0), 0x01, edition)]);
      if (unit.length > 6) frames.push([`${edition} 0x0${command} full echo reply`, rawFrame(command, unit, 0x01, edition)]);
    }
  }

  it('for each command and reply, the data unit included', () => {
    assert.ok(frames.length > 100);
    for (const [name, bytes] of frames) {
      try {
        roundTrip(bytes);
      } catch (err) {
        assert.fail(`${name}: ${(err as Error).message}`);
      }
    }
  });

  it('keeps 0xFE and 0xFF list items apart (2016 tables B.6 and B.8, 2025 tables 20 and 22)', () => {
    const d16 = decodeRealtime(REALTIME_2016) as any;
    assert.deepEqual(d16.voltages.subsystems[0].cellVoltages, [null, 3.4, null]);
    assert.deepEqual(d16.voltages.subsystems[0].markers, { 'cellVoltages[0]': 'abnormal', 'cellVoltages[2]': 'invalid' });
    assert.deepEqual(d16.temperatures.subsystems[0].markers, { 'temperatures[0]': 'abnormal', 'temperatures[2]': 'invalid' });
    assert.equal(encodeRealtime(d16).toString('hex'), REALTIME_2016.toString('hex'));
    const d25 = decodeRealtime(REALTIME_2025, 2025) as any;
    assert.deepEqual(d25.temperatures.packs[0].markers, { 'temperatures[0]': 'abnormal', 'temperatures[1]': 'invalid' });
    assert.equal(encodeRealtime(d25, 2025).toString('hex'), REALTIME_2025.toString('hex'));
  });

  it('builds a time-only reply from {time} and an empty one from {}', () => {
    const reply = encodeFrame({ command: 0x01, responseFlag: 0x01, vin: VIN, data: { time: '2023-03-21T10:20:12+08:00' } });
    assert.equal(reply.toString('hex'), rawFrame(0x01, hex(TIME), 0x01).toString('hex'));
    assert.equal(encodeFrame({ command: 0x07, responseFlag: 0x01, vin: VIN, data: {} }).length, 25);
  });
});
