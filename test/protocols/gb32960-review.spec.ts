/**
 * GB/T 32960.3 commands, data units written byte by byte from the standard's tables (hex by hand,
 * not through the encoder), decoded, checked value by value and re-encoded byte-identically.
 * Time 1A 0C 02 0A 14 1E = 2026-12-02 10:20:30 Beijing time.
 */
import assert from 'node:assert/strict';
import { decodeFrame, encodeFrame } from '../../src/protocols/gb32960/codec';
import { isProtocolError } from '../../src/protocols/protocol-error';
import { hex, rawFrame, roundTrip } from '../support/gb32960-frames';
import { builtNode, collect, helper, waitFor } from '../support/red';

const T = '1A0C020A141E';
const TIME = '2026-12-02T10:20:30+08:00';
const TIME_MS = Date.UTC(2026, 11, 2, 2, 20, 30);

const throwsClearly = (fn: () => unknown, pattern: RegExp) => assert.throws(fn, (err: unknown) => isProtocolError(err) && pattern.test((err as Error).message));

describe('GB/T 32960 commands, hand-built frames', () => {
  it('0x80 query of every parameter id 0x01-0x10 (2016 B.9 / 2025 B.5)', () => {
    for (const edition of [2016, 2025] as const) {
      const f = roundTrip(rawFrame(0x80, hex(`${T} 10 0102030405060708090A0B0C0D0E0F10`), 0xfe, edition));
      assert.equal(f.data.time, TIME);
      assert.equal(f.data.timeMs, TIME_MS);
      assert.deepEqual(f.data.ids, [...Array(16).keys()].map((i) => i + 1));
      assert.deepEqual((f.data.names as string[]).slice(0, 3), ['storagePeriod', 'reportPeriod', 'alarmReportPeriod']);
    }
  });

  const reply2016 = `${T} 10 01EA60 020258 03EA60 040B 05${Buffer.from('example.com').toString('hex')} 06FFFB 07${Buffer.from('HW001').toString('hex')}`
    + ` 08${Buffer.from('FW2').toString('hex')}0000 09F0 0A0258 0B0001 0CFE 0D04 0EC0A80001 0FFFFF 1001`;
  const expected = (edition: 2016 | 2025) => [
    [0x01, 60000], [0x02, edition === 2016 ? 600 : 30], [0x03, edition === 2016 ? 60000 : 1], [0x04, 11], [0x05, 'example.com'], [0x06, 65531],
    [0x07, 'HW001'], [0x08, 'FW2'], [0x09, 240], [0x0a, 600], [0x0b, 1], [0x0c, null], [0x0d, 4], [0x0e, Buffer.from([192, 168, 0, 1])], [0x0f, null], [0x10, 1],
  ];

  it('0x80 reply with every parameter, 2016 widths (table B.12: 0x02/0x03 WORD; FE/FFFF markers)', () => {
    const f = roundTrip(rawFrame(0x80, hex(reply2016), 0x01));
    const items = f.data.parameters as Array<{ id: number; value: unknown; marker?: string }>;
    assert.deepEqual(items.map((p) => [p.id, p.value]), expected(2016));
    assert.equal(items[11]!.marker, 'abnormal');
    assert.equal(items[14]!.marker, 'invalid');
  });

  it('0x80 reply and 0x81 set, 2025 widths (table B.8: 0x02/0x03 BYTE)', () => {
    const unit = reply2016.replace('020258 03EA60', '021E 0301');
    const reply = roundTrip(rawFrame(0x80, hex(unit), 0x01, 2025));
    assert.deepEqual((reply.data.parameters as Array<{ id: number; value: unknown }>).map((p) => [p.id, p.value]), expected(2025));
    // A set from the platform may not carry 0x07/0x08 (table B.9); the rest decodes and re-encodes.
    const set = roundTrip(rawFrame(0x81, hex(`${T} 03 021E 0301 0978`), 0xfe, 2025));
    assert.deepEqual((set.data.parameters as Array<{ id: number; value: unknown }>).map((p) => [p.id, p.value]), [[2, 30], [3, 1], [9, 120]]);
  });

  it('0x80 reply whose count overstates its items (a terminal counts requested ids): read as a reply, not a query (§4.1 TIZA)', () => {
    // count 4, two 1-byte parameters: 7 + 4 bytes, the length of a query for four ids.
    const f = roundTrip(rawFrame(0x80, hex(`${T} 04 091E 0C05`), 0x01));
    assert.deepEqual((f.data.parameters as Array<{ id: number; value: unknown }>).map((p) => [p.id, p.value]), [[9, 30], [12, 5]]);
  });

  it('0x81 set as a Node-RED user types it, by key; out-of-range and read-only refused clearly (B.13 / B.9)', () => {
    const frame = encodeFrame({ command: 0x81, vin: 'LZYTBGBW6J1014194', data: { time: TIME, parameters: [{ id: 'heartbeatPeriod', value: 30 }, { id: 'platformDomain', value: 'a.cn' }] } });
    assert.equal(frame.subarray(24, -1).toString('hex'), hex(`${T} 03 091E 0404 05${Buffer.from('a.cn').toString('hex')}`).toString('hex'));
    throwsClearly(() => encodeFrame({ command: 0x81, vin: 'LZYTBGBW6J1014194', data: { parameters: [{ id: 7, value: 'HW001' }] } }), /read-only/);
    throwsClearly(() => encodeFrame({ edition: 2025, command: 0x81, vin: 'LZYTBGBW6J1014194', data: { parameters: [{ id: 'reportPeriod', value: 60 }] } }), /1-30/);
    throwsClearly(() => encodeFrame({ command: 0x81, vin: 'LZYTBGBW6J1014194', data: { parameters: [{ id: 'heartbeat', value: 30 }] } }), /unknown parameter/);
    throwsClearly(() => encodeFrame({ command: 0x80, vin: 'LZYTBGBW6J1014194', data: { ids: [] } }), /ids/);
  });

  it('0x82 control ids without parameters: shutdown, reset, factory reset, disconnect, sampling link (B.15 / B.11)', () => {
    const names = { 2: 'shutdown', 3: 'reset', 4: 'factoryReset', 5: 'disconnect', 7: 'samplingLink' } as const;
    for (const [code, key] of Object.entries(names)) {
      const bytes = rawFrame(0x82, hex(`${T} 0${code}`));
      const f = roundTrip(bytes);
      assert.equal((f.data.control as { code: number }).code, Number(code));
      // What a user types: the key, with the time given.
      assert.equal(encodeFrame({ command: 0x82, vin: 'LZYTBGBW6J1014194', data: { time: TIME, control: key } }).toString('hex'), bytes.toString('hex'));
    }
  });

  it('0x82/0x06 alarm level 3 (2016 B.17) and level 4 (2025 B.13), with a message; level 4 refused in 2016', () => {
    const f16 = roundTrip(rawFrame(0x82, hex(`${T} 06 03 414243`)));
    assert.deepEqual(f16.data.alarm, { level: { code: 3, en: 'Level 3 (highest)', zh: '3级报警' }, message: 'ABC' });
    const f25 = roundTrip(rawFrame(0x82, hex(`${T} 06 04 BEAF`), 0xfe, 2025));
    assert.equal((f25.data.alarm as { level: { code: number } }).level.code, 4);
    assert.equal((f25.data.alarm as { message: string }).message, '警');
    throwsClearly(() => encodeFrame({ command: 0x82, vin: 'LZYTBGBW6J1014194', data: { control: 'alarm', alarm: { level: 4 } } }), /0, 1, 2, 3, 255/);
  });

  it('0x82/0x01 remote upgrade in text order with ";" (0x3B) inside the binary address (B.15/B.16)', () => {
    const ascii = (s: string) => Buffer.from(s).toString('hex');
    const unit = `${T} 01 ${ascii('ftp://u.cn/f.bin;cmnet;usr;pw;')} 0000C0A8013B 3B 1F90 3B ${ascii('ABCD')} 3B ${ascii('HW001')} 3B ${ascii('FW002')} 3B 003C`;
    const f = roundTrip(rawFrame(0x82, hex(unit)));
    assert.deepEqual(f.data.upgrade, {
      url: 'ftp://u.cn/f.bin', apn: 'cmnet', user: 'usr', password: 'pw', address: '192.168.1.59', port: 8080,
      manufacturer: 'ABCD', hardwareVersion: 'HW001', firmwareVersion: 'FW002', timeLimit: 60,
    });
  });

  it('2025 0x09 activation, 0x0A reply, 0x0B key exchange (tables B.3, B.4, 31)', () => {
    const act = roundTrip(rawFrame(0x09, hex(`${T} ${Buffer.from('CHIP0123456789AB').toString('hex')} 0004 01020304 ${Buffer.from('LZYTBGBW6J1014194').toString('hex')} 01 0002 AABB 0000`), 0xfe, 2025));
    assert.equal(act.data.chipId, 'CHIP0123456789AB');
    assert.deepEqual(act.data.publicKey, Buffer.from([1, 2, 3, 4]));
    assert.equal(act.data.vehicleVin, 'LZYTBGBW6J1014194');
    const res = roundTrip(rawFrame(0x0a, hex('02 01'), 0xfe, 2025));
    assert.equal((res.data.status as { code: number; en: string }).en, 'Failed');
    assert.equal((res.data.info as { en: string }).en, 'Chip already activated');
    const key = roundTrip(rawFrame(0x0b, hex(`05 0004 DEADBEEF ${T} 1B0C020A141E`), 0xfe, 2025));
    assert.equal((key.data.keyType as { en: string }).en, 'SM4');
    assert.equal(key.data.expiryTime, '2027-12-02T10:20:30+08:00');
  });

  it('platform login 0x05 with each encryption rule: 2025 has SM2/SM4, 2016 does not (2016 table 6 / 2025 table 6)', () => {
    for (const [edition, rule, en] of [[2016, 1, false], [2016, 3, false], [2025, 4, 'SM2'], [2025, 5, 'SM4'], [2016, 4, null]] as const) {
      const unit = `${T} 0001 ${Buffer.from('user'.padEnd(12, '\0')).toString('hex')} ${Buffer.from('pass'.padEnd(20, '\0')).toString('hex')} 0${rule}`;
      const f = roundTrip(rawFrame(0x05, hex(unit), 0xfe, edition));
      const r = f.data.encryptionRule as { code: number; en: string; unknown?: boolean };
      assert.equal(r.code, rule);
      if (typeof en === 'string') assert.equal(r.en, en);
      if (en === null) assert.equal(r.unknown, true);
      assert.equal(f.encryption.code, 1);
    }
  });

  it('time-only platform replies and an empty heartbeat reply re-encode byte-identically (§6.3.2)', () => {
    for (const cmd of [0x01, 0x02, 0x04, 0x08, 0x80, 0x81, 0x82]) assert.equal(roundTrip(rawFrame(cmd, hex(T), 0x01)).data.time, TIME);
    assert.deepEqual(roundTrip(rawFrame(0x07, Buffer.alloc(0), 0x01)).data, {});
  });

  it('impossible collection times are refused (table 2 time: month 1-12, day by month, hour 0-23)', () => {
    for (const t of ['1A0D020A141E', '1A021E0A141E', '1A0C02180000', '1A0C020A3C00']) {
      assert.throws(() => decodeFrame(rawFrame(0x80, hex(`${t} 01 09`))), (err: unknown) => isProtocolError(err));
    }
  });
});

describe('gb32960-decode node, hand-built command frames', function () {
  this.timeout(10000);
  before((done) => { helper.startServer(done); });
  after((done) => { helper.stopServer(done); });
  afterEach(() => helper.unload());

  it('keeps the frame header beside the 0x82 control, 0x80 reply and 2025 0x0A fields (B.14, B.10, B.4)', async () => {
    await helper.load(builtNode('gb32960-decode'), [
      { id: 'f1', type: 'tab' },
      { id: 'dec', type: 'gb32960-decode', z: 'f1', wires: [['out']] },
      { id: 'out', type: 'helper', z: 'f1' },
    ]);
    const out = collect(helper.getNode('out'));
    const dec = helper.getNode('dec');
    dec.receive({ payload: rawFrame(0x82, hex(`${T} 06 02 414243`)) });
    dec.receive({ payload: rawFrame(0x80, hex(`${T} 04 091E 0C05`), 0x01) });
    dec.receive({ payload: rawFrame(0x0a, hex('01 00'), 0xfe, 2025) });
    await waitFor(() => out.length === 3, 'three messages');
    const [control, reply, activation] = out.map((m) => m.payload) as [any, any, any];
    assert.equal(control.command.code, 0x82);
    assert.equal(control.control.code, 6);
    assert.equal(control.alarm.level.code, 2);
    assert.equal(control.alarm.message, 'ABC');
    assert.equal(control.time, TIME);
    assert.equal(reply.responseFlag.code, 1);
    assert.deepEqual(reply.parameters.map((p: { name: string; value: number }) => [p.name, p.value]), [['heartbeatPeriod', 30], ['loginRetryInterval', 5]]);
    assert.equal(activation.edition, 2025);
    assert.equal(activation.status.en, 'Activated');
    assert.equal(activation.info.en, 'Success');
  });
});
