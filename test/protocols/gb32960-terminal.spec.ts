/**
 * GB/T 32960.3 downlink commands 0x80 / 0x81 / 0x82 and the vehicle's replies, both editions.
 * Every frame is written byte by byte from the standard's tables (2016 B.9-B.17, 2025 B.5-B.13).
 */
import assert from 'node:assert/strict';
import { decodeFrame, encodeFrame, type Edition } from '../../src/protocols/gb32960/codec';
import { isProtocolError } from '../../src/protocols/protocol-error';
import { VIN, hex, rawFrame, roundTrip } from '../support/gb32960-frames';

const TIME = '17 03 15 0a 14 0c'; // 2023-03-21 10:20:12 Beijing time
const ISO = '2023-03-21T10:20:12+08:00';
const txt = (s: string) => Buffer.from(s, 'latin1').toString('hex');

const ownError = (code: string) => (e: unknown) => isProtocolError(e) && e.code === code;

// 2016 table B.12: every parameter id with its 2016 width.
const REPLY_2016 = hex(`${TIME} 10
  01 2710   02 000a   03 03e8   04 0f   05 ${txt('iot.example.com')}   06 4e20
  07 ${txt('HW001')}   08 ${txt('FW1')}0000   09 1e   0a 003c   0b fffe   0c 0a
  0d 04   0e 0a000001   0f ffff   10 02`);

// 2025 table B.8: 0x02 and 0x03 are one byte (1-30 s, 0-1 s).
const REPLY_2025 = hex(`${TIME} 04  01 2710  02 0a  03 01  09 fe`);

describe('GB/T 32960 parameter query 0x80 (2016 B.9-B.12, 2025 B.5-B.8)', () => {
  it('decodes a platform query and builds the same bytes from ids given as numbers or keys', () => {
    const bytes = rawFrame(0x80, hex(`${TIME} 02 09 0a`));
    const f = roundTrip(bytes);
    assert.equal(f.command.en, 'Parameter query');
    assert.deepEqual(f.data, { time: ISO, timeMs: Date.parse('2023-03-21T02:20:12Z'), count: 2, ids: [9, 10], names: ['heartbeatPeriod', 'terminalResponseTimeout'] });
    assert.deepEqual(encodeFrame({ command: 0x80, vin: VIN, data: { time: ISO, ids: ['heartbeatPeriod', 0x0a] } }), bytes);
  });

  it('reads every 2016 parameter of a reply with its table B.12 width, markers and domain lengths', () => {
    const f = roundTrip(rawFrame(0x80, REPLY_2016, 0x01));
    const d = f.data as any;
    assert.equal(d.count, 16);
    const byName = Object.fromEntries(d.parameters.map((p: any) => [p.name, p]));
    assert.deepEqual(d.parameters.map((p: any) => p.id), Array.from({ length: 16 }, (_, i) => i + 1));
    assert.equal(byName.storagePeriod.value, 10000);
    assert.equal(byName.reportPeriod.value, 10);
    assert.equal(byName.alarmReportPeriod.value, 1000);
    assert.equal(byName.platformDomainLength.value, 15);
    assert.equal(byName.platformDomain.value, 'iot.example.com');
    assert.equal(byName.platformPort.value, 20000);
    assert.equal(byName.hardwareVersion.value, 'HW001');
    assert.equal(byName.firmwareVersion.value, 'FW1', 'NUL padding stripped');
    assert.equal(byName.heartbeatPeriod.value, 30);
    assert.deepEqual([byName.platformResponseTimeout.value, byName.platformResponseTimeout.marker], [null, 'abnormal']);
    assert.deepEqual(byName.publicDomain.value, hex('0a000001'), 'a binary address stays bytes');
    assert.deepEqual([byName.publicPort.value, byName.publicPort.marker], [null, 'invalid']);
    assert.equal(byName.samplingMonitoring.value, 2);
  });

  it('reads 0x02 and 0x03 as one byte in the 2025 edition (table B.8)', () => {
    const d = roundTrip(rawFrame(0x80, REPLY_2025, 0x01, 2025)).data as any;
    assert.deepEqual(d.parameters.map((p: any) => [p.name, p.value, p.marker]), [
      ['storagePeriod', 10000, undefined], ['reportPeriod', 10, undefined], ['alarmReportPeriod', 1, undefined], ['heartbeatPeriod', null, 'abnormal'],
    ]);
    // The same bytes read with 2016 widths are something else: the edition matters.
    assert.notDeepEqual((decodeFrame(rawFrame(0x80, REPLY_2025, 0x01)).data as any).parameters[1], d.parameters[1]);
  });

  it('takes a reply flagged 0xFE (some terminals do) by its layout, not as a query', () => {
    const d = roundTrip(rawFrame(0x80, REPLY_2016)).data as any;
    assert.equal(d.parameters.length, 16);
  });

  it('stops at an unknown parameter id (it has no length) and keeps the rest', () => {
    const f = roundTrip(rawFrame(0x80, hex(`${TIME} 03 09 1e 11 aabb 0a 003c`), 0x01));
    assert.deepEqual((f.data as any).parameters.map((p: any) => p.id), [9]);
    assert.deepEqual((f.data as any).rest, hex('11 aabb 0a 003c'));
    // A domain without its length parameter first cannot be read either.
    assert.deepEqual((decodeFrame(rawFrame(0x80, hex(`${TIME} 01 05 6162`), 0x01)).data as any).rest, hex('05 6162'));
  });

  it('reads a time-only or empty reply (flag 0x02: nothing answered) and re-encodes it', () => {
    assert.deepEqual(roundTrip(rawFrame(0x80, hex(TIME), 0x02)).data, { time: ISO, timeMs: Date.parse('2023-03-21T02:20:12Z') });
    assert.deepEqual(roundTrip(rawFrame(0x80, Buffer.alloc(0), 0x02)).data, {});
  });

  it('keeps a malformed reply raw but rejects a malformed command', () => {
    const cut = hex(`${TIME} 01 0a 00`);
    assert.deepEqual(roundTrip(rawFrame(0x80, cut, 0x01)).data, { raw: cut });
    assert.throws(() => decodeFrame(rawFrame(0x81, cut)), ownError('truncated'));
  });
});

describe('GB/T 32960 parameter set 0x81 (2016 B.13, 2025 B.9)', () => {
  const SET = hex(`${TIME} 04  04 0f  05 ${txt('iot.example.com')}  06 4e20  09 1e`);

  it('builds a set from {id, value} pairs, adding the domain length the list leaves out', () => {
    const bytes = rawFrame(0x81, SET);
    const built = encodeFrame({ command: 0x81, vin: VIN, data: { time: ISO, parameters: [{ id: 'platformDomain', value: 'iot.example.com' }, { id: 'platformPort', value: 20000 }, { id: 9, value: 30 }] } });
    assert.equal(built.toString('hex'), bytes.toString('hex'));
    assert.equal((roundTrip(bytes).data as any).parameters[1].value, 'iot.example.com');
  });

  it('refuses the read-only versions 0x07/0x08, out-of-range values and a wrong domain length', () => {
    const set = (parameters: unknown[], edition: Edition = 2016) => () => encodeFrame({ edition, command: 0x81, vin: VIN, data: { time: ISO, parameters } });
    assert.throws(set([{ id: 7, value: 'HW002' }]), /read-only/);
    assert.throws(set([{ id: 'reportPeriod', value: 31 }], 2025), ownError('out-of-range'), '2025 B.8: 1-30 s');
    assert.doesNotThrow(set([{ id: 'reportPeriod', value: 600 }]), '2016 B.12: 1-600 s');
    assert.throws(set([{ id: 'reportPeriod', value: 601 }]), ownError('out-of-range'));
    assert.throws(set([{ id: 'alarmReportPeriod', value: 2 }], 2025), ownError('out-of-range'), '2025 B.8: 0-1 s');
    assert.throws(set([{ id: 4, value: 3 }, { id: 5, value: 'abcd' }]), /length parameter says 3/);
    assert.throws(set([{ id: 'noSuchThing', value: 1 }]), /unknown parameter/);
    assert.doesNotThrow(set([{ id: 'heartbeatPeriod', value: null, marker: 'invalid' }]));
  });

  it('decodes the vehicle\'s reply in each shape seen: time only, empty, or items echoed', () => {
    assert.equal((roundTrip(rawFrame(0x81, hex(TIME), 0x01)).data as any).time, ISO);
    assert.deepEqual(roundTrip(rawFrame(0x81, Buffer.alloc(0), 0x01)).data, {});
    assert.equal((roundTrip(rawFrame(0x81, SET, 0x01)).data as any).parameters.length, 4);
    assert.equal(roundTrip(rawFrame(0x81, SET, 0x01, 2025)).edition, 2025);
  });
});

describe('GB/T 32960 terminal control 0x82 (2016 B.14-B.17, 2025 B.10-B.13)', () => {
  // Text order (B.15 / B.11): URL;APN;user;password;address;port;maker;hw;fw;time limit, the
  // address 6 bytes 00 00 a b c d; octet 59 is the separator byte ";" itself.
  const UPGRADE = hex(`${TIME} 01 ${txt('ftp://up.example.com/fw.bin;cmnet;user;pw;')} 0000c0a8013b 3b 0015 3b ${txt('TIZA')} 3b ${txt('HW001')} 3b ${txt('FW002')} 3b 001e`);
  const upgrade = { url: 'ftp://up.example.com/fw.bin', apn: 'cmnet', user: 'user', password: 'pw', address: '192.168.1.59', port: 21, manufacturer: 'TIZA', hardwareVersion: 'HW001', firmwareVersion: 'FW002', timeLimit: 30 };

  it('reads and builds a remote upgrade in the text order, a ";" inside the binary address included', () => {
    const bytes = rawFrame(0x82, UPGRADE);
    const d = roundTrip(bytes).data as any;
    assert.deepEqual(d.control, { code: 1, en: 'Remote upgrade', zh: '远程升级' });
    assert.deepEqual(d.upgrade, upgrade);
    assert.equal(encodeFrame({ command: 0x82, vin: VIN, data: { time: ISO, control: 'upgrade', upgrade } }).toString('hex'), bytes.toString('hex'));
    assert.equal(encodeFrame({ command: 0x82, vin: VIN, data: { time: ISO, command: 1, upgrade } }).toString('hex'), bytes.toString('hex'), 'command as another name for control');
  });

  it('reads the table order (B.16 / B.12, URL ninth) and writes it back in that order', () => {
    const unit = hex(`${TIME} 01 ${txt('cmnet;user;pw;')} 0000c0a80102 3b 0015 3b ${txt('TIZA')} 3b ${txt('HW001')} 3b ${txt('FW002')} 3b ${txt('ftp://up.example.com/fw.bin')} 3b 001e`);
    const d = roundTrip(rawFrame(0x82, unit, 0xfe, 2025)).data as any;
    assert.deepEqual(d.upgrade, { ...upgrade, address: '192.168.1.2', order: 'table' });
  });

  it('reads and builds the alarm command with its GB18030 message; level 4 exists only in 2025 (B.13)', () => {
    const unit = hex(`${TIME} 06 04 b5e7b3d8b9fdc8c8`); // 电池过热
    const bytes = rawFrame(0x82, unit, 0xfe, 2025);
    const d = roundTrip(bytes).data as any;
    assert.deepEqual(d.alarm.level, { code: 4, en: 'Level 4 (highest)', zh: '4级报警' });
    assert.equal(d.alarm.message, '电池过热');
    const built = encodeFrame({ edition: 2025, command: 0x82, vin: VIN, data: { time: ISO, control: 'alarm', alarm: { level: 4, message: '电池过热' } } });
    assert.equal(built.toString('hex'), bytes.toString('hex'));
    const shorthand = encodeFrame({ edition: 2025, command: 0x82, vin: VIN, data: { time: ISO, command: 'alarm', alarmLevel: 4, alarmMessage: '电池过热' } });
    assert.equal(shorthand.toString('hex'), bytes.toString('hex'));
    assert.throws(() => encodeFrame({ command: 0x82, vin: VIN, data: { time: ISO, control: 6, alarm: { level: 4 } } }), ownError('out-of-range'));
    assert.equal((decodeFrame(rawFrame(0x82, unit)).data as any).alarm.level.unknown, true, 'level 4 is not in 2016 B.17');
    const plain = roundTrip(rawFrame(0x82, hex(`${TIME} 06 03 ${txt('check brakes')}`))).data as any;
    assert.deepEqual([plain.alarm.level.code, plain.alarm.message], [3, 'check brakes']);
  });

  it('decodes and builds every control id of both editions (B.15 / B.11)', () => {
    const names = ['Remote upgrade', 'Terminal shutdown', 'Terminal reset', 'Factory reset', 'Disconnect the data link', 'Terminal alarm or warning', 'Open the sampling-monitoring link'];
    for (const edition of [2016, 2025] as const) {
      for (const [i, en] of names.entries()) {
        const id = i + 1;
        const params = id === 1 ? UPGRADE.subarray(7) : id === 6 ? hex('02') : Buffer.alloc(0);
        const f = roundTrip(rawFrame(0x82, Buffer.concat([hex(`${TIME} ${id.toString(16).padStart(2, '0')}`), params]), 0xfe, edition));
        assert.equal((f.data as any).control.en, en);
      }
    }
    for (const key of ['shutdown', 'reset', 'factoryReset', 'disconnect', 'samplingLink']) {
      const f = decodeFrame(encodeFrame({ command: 0x82, vin: VIN, data: { control: key } }));
      assert.equal((f.data as any).control.code, ['', 'upgrade', 'shutdown', 'reset', 'factoryReset', 'disconnect', 'alarm', 'samplingLink'].indexOf(key));
    }
    assert.throws(() => encodeFrame({ command: 0x82, vin: VIN, data: { control: 'selfDestruct' } }), /unknown command/);
  });

  it('keeps a user-defined control id\'s parameters as bytes, and reads replies leniently', () => {
    const d = roundTrip(rawFrame(0x82, hex(`${TIME} 80 0102 0304`))).data as any;
    assert.equal(d.control.unknown, true);
    assert.deepEqual(d.params, hex('0102 0304'));
    assert.equal((roundTrip(rawFrame(0x82, hex(`${TIME} 02`), 0x01)).data as any).control.code, 2, 'reply: time + control id');
    assert.equal((roundTrip(rawFrame(0x82, hex(TIME), 0x02)).data as any).time, ISO, 'reply: time only');
  });

  it('puts the platform\'s Beijing time into a command built without one', () => {
    const before = Date.now();
    const d = decodeFrame(encodeFrame({ command: 0x82, vin: VIN, data: { control: 'reset' } })).data as any;
    assert.match(d.time, /\+08:00$/);
    assert.ok(d.timeMs >= Math.floor(before / 1000) * 1000 && d.timeMs <= Date.now(), `${d.time} is now`);
  });
});

describe('GB/T 32960.3-2025 activation 0x09, activation response 0x0A, key exchange 0x0B', () => {
  const R = '11'.repeat(32);
  const S = '22'.repeat(32);
  const KEY = `04${'33'.repeat(64)}`;
  // Table B.3: time, chip id 16 (space padded), WORD key length, key, VIN 17, signature (table 8 layout, no 0xFF marker).
  const ACTIVATION = hex(`${TIME} ${txt('CHIP0123456789  ')} 0041 ${KEY} ${txt(VIN)} 01 0020 ${R} 0020 ${S}`);

  it('reads and builds an activation (table B.3), the signature without a 0xFF marker', () => {
    const bytes = rawFrame(0x09, ACTIVATION, 0xfe, 2025);
    const f = roundTrip(bytes);
    assert.equal(f.command.en, 'Activation');
    const d = f.data as any;
    assert.equal(d.chipId, 'CHIP0123456789');
    assert.deepEqual(d.publicKey, hex(KEY));
    assert.equal(d.vehicleVin, VIN);
    assert.deepEqual(d.signature, { type: { code: 1, en: 'SM2', zh: 'SM2' }, r: hex(R), s: hex(S) });
    const built = encodeFrame({ edition: 2025, command: 0x09, vin: VIN, data: { time: ISO, chipId: 'CHIP0123456789', publicKey: [...hex(KEY)], vehicleVin: VIN, signature: { type: 1, r: hex(R), s: hex(S) } } });
    assert.equal(built.toString('hex'), bytes.toString('hex'));
  });

  it('keeps a NUL-padded chip id and an RSA signature with an empty S byte-identical', () => {
    const unit = hex(`${TIME} ${txt('CHIP01')}${'00'.repeat(10)} 0002 aabb ${txt(VIN)} 02 0004 01020304 0000`);
    const d = roundTrip(rawFrame(0x09, unit, 0xfe, 2025)).data as any;
    assert.equal(d.chipId, 'CHIP01');
    assert.deepEqual(d.signature.s, Buffer.alloc(0));
  });

  it('reads and builds the activation response (table B.4) as a platform command', () => {
    const bytes = rawFrame(0x0a, hex('02 01'), 0xfe, 2025);
    const d = roundTrip(bytes).data as any;
    assert.deepEqual(d, { status: { code: 2, en: 'Failed', zh: '激活失败' }, info: { code: 1, en: 'Chip already activated', zh: '芯片已激活' } });
    assert.deepEqual(decodeFrame(encodeFrame({ edition: 2025, command: 0x0a, vin: VIN, data: { status: 1, info: 0 } })).data, {
      status: { code: 1, en: 'Activated', zh: '激活成功' }, info: { code: 0, en: 'Success', zh: '成功' },
    });
  });

  it('reads and builds a key exchange (table 31): no leading time, a start and an expiry time', () => {
    const unit = hex(`05 0010 ${'44'.repeat(16)} 190b01000000 1a0b01000000`);
    const d = roundTrip(rawFrame(0x0b, unit, 0xfe, 2025)).data as any;
    assert.deepEqual(d.keyType, { code: 5, en: 'SM4', zh: 'SM4' });
    assert.deepEqual(d.key, hex('44'.repeat(16)));
    assert.equal(d.startTime, '2025-11-01T00:00:00+08:00');
    assert.equal(d.expiryTimeMs, Date.parse('2026-10-31T16:00:00Z'));
    assert.equal((decodeFrame(rawFrame(0x0b, hex('01 0000 190b01000000 1a0b01000000'), 0xfe, 2025)).data as any).keyType.unknown, true, 'type 0x01 is not a key type');
  });

  it('leaves 0x09-0x0B of "##" frames raw: vendors use those ids in the 2016 edition', () => {
    assert.deepEqual(roundTrip(rawFrame(0x09, ACTIVATION)).data, { raw: ACTIVATION });
    assert.deepEqual(roundTrip(rawFrame(0x0a, hex('0201'))).data, { raw: hex('0201') });
  });
});
