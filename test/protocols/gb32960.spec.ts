import assert from 'node:assert/strict';
import { bcc } from '../../src/protocols/gb32960/binary';
import { decodeFrame, decodeRealtime, encodeFrame, encodeRealtime } from '../../src/protocols/gb32960/codec';
import { decodeInput } from '../../src/protocols/gb32960/input';
import { isProtocolError } from '../../src/protocols/protocol-error';

const hex = (s: string) => Buffer.from(s.replace(/[^0-9a-fA-F]/g, ''), 'hex');
const VIN = 'LZYTBGBW6J1014194';

/** A frame written byte by byte from the standard's tables, independent of the encoder. */
function frame(command: number, unit: Buffer, flag = 0xfe): Buffer {
  const head = Buffer.concat([Buffer.from('##'), Buffer.from([command, flag]), Buffer.from(VIN, 'latin1'), Buffer.from([0x01, unit.length >> 8, unit.length & 0xff])]);
  const body = Buffer.concat([head, unit]);
  return Buffer.concat([body, Buffer.from([bcc(body, 2, body.length)])]);
}

const TIME = '17 03 15 0a 14 0c'; // 2023-03-21 10:20:12 Beijing time
const REALTIME_UNIT = hex(`${TIME}
  01  01 03 01 0258 000186a0 0dac 2774 50 01 3e 1388 1e 65
  02  02  01 01 5a 59d8 4ee2 64 1770 2774  02 04 fe ffff fffe 46 1770 2710
  03  0fa0 0064 01f4 0002 41 42 0474 03 0064 05 01f4 07 01
  04  01 0bb8 0190
  05  06 0708c1a8 01c9c380
  06  01 02 0e74 01 05 0ce4 01 03 50 01 04 3c
  07  02 00040821 01 00000101 00 fe 02 0000aaaa 0000bbbb
  08  01  01 0dac 2774 0060 0001 03 0e74 0d48 ffff
  09  01  01 0002 50 ff
  81  0003 aabbcc`);

describe('GB/T 32960.3-2016 decoding', () => {
  it('decodes every information type of a hand-built realtime frame with the standard\'s scaling', () => {
    const f = decodeFrame(frame(0x02, REALTIME_UNIT));
    assert.deepEqual(f.command, { code: 2, en: 'Realtime report', zh: '实时信息上报' });
    assert.equal(f.vin, VIN);
    assert.equal(f.checksum.ok, true);
    const d = f.data as any;
    assert.equal(d.time, '2023-03-21T10:20:12+08:00');
    assert.equal(d.timeMs, Date.parse('2023-03-21T02:20:12Z'));
    const v = d.vehicle;
    assert.deepEqual(v.vehicleStatus, { code: 1, en: 'Started', zh: '车辆启动状态' });
    assert.equal(v.chargingStatus.en, 'Not charging');
    assert.equal(v.speed, 60);
    assert.equal(v.mileage, 10000);
    assert.equal(v.totalVoltage, 350);
    assert.equal(v.totalCurrent, 10, '10100 × 0.1 − 1000');
    assert.equal(v.soc, 80);
    assert.deepEqual(v.gear, { code: 0x3e, gear: 'D', driving: true, braking: true });
    assert.equal(v.insulationResistance, 5000);
    assert.equal(v.acceleratorPedal, 30);
    assert.equal(v.brakePedal, 101);
    const [m1, m2] = d.motors;
    assert.equal(m1.sequence, 1);
    assert.equal(m1.status.en, 'Consuming');
    assert.equal(m1.controllerTemperature, 50);
    assert.equal(m1.speed, 3000, '23000 − 20000');
    assert.equal(m1.torque, 19.4, '20194 × 0.1 − 2000');
    assert.equal(m1.temperature, 60);
    assert.equal(m1.controllerVoltage, 600);
    assert.equal(m1.controllerCurrent, 10);
    assert.equal(m2.controllerCurrent, 0);
    assert.equal(m2.temperature, 30);
    assert.equal(m2.controllerTemperature, null);
    assert.equal(m2.speed, null);
    assert.equal(m2.torque, null);
    assert.deepEqual(m2.markers, { controllerTemperature: 'abnormal', speed: 'invalid', torque: 'abnormal' });
    const fc = d.fuelCell;
    assert.equal(fc.voltage, 400);
    assert.equal(fc.current, 10);
    assert.equal(fc.fuelConsumption, 5);
    assert.deepEqual(fc.probeTemperatures, [25, 26]);
    assert.equal(fc.hydrogenMaxTemperature, 74, '1140 × 0.1 − 40');
    assert.equal(fc.hydrogenMaxPressure, 50);
    assert.equal(fc.dcdcStatus.en, 'Working');
    assert.deepEqual(d.engine, { status: { code: 1, en: 'On', zh: '启动状态' }, crankshaftSpeed: 3000, fuelConsumption: 4 });
    assert.deepEqual(d.position, { status: 6, valid: true, south: true, west: true, longitude: -118.014376, latitude: -30 });
    assert.equal(d.extremes.maxCellVoltage, 3.7);
    assert.equal(d.extremes.minCellVoltage, 3.3);
    assert.equal(d.extremes.maxTemperature, 40);
    assert.equal(d.extremes.minTemperature, 20);
    const a = d.alarm;
    assert.equal(a.maxLevel.code, 2);
    assert.equal(a.flags.temperatureDifference, true);
    assert.equal(a.flags.cellOvervoltage, true, 'bit 5');
    assert.equal(a.flags.socJump, false, 'bit 8');
    assert.equal(a.flags.socHigh, false, 'bit 7');
    assert.equal(a.flags.insulation, true, 'bit 11');
    assert.equal(a.flags.storageOvercharge, true, 'bit 18');
    assert.equal(a.flags.motorTemperature, false);
    assert.deepEqual(a.storageFaults, [0x101]);
    assert.deepEqual(a.motorFaults, []);
    assert.deepEqual(a.engineFaults, [], 'count FE: no codes follow');
    assert.equal(a.markers.engineFaults, 'abnormal');
    assert.deepEqual(a.otherFaults, [0xaaaa, 0xbbbb]);
    const vs = d.voltages.subsystems[0];
    assert.equal(vs.voltage, 350);
    assert.equal(vs.current, 10);
    assert.equal(vs.totalCells, 96);
    assert.deepEqual(vs.cellVoltages, [3.7, 3.4, null]);
    assert.deepEqual(d.temperatures.subsystems[0], { subsystem: 1, probeCount: 2, temperatures: [40, null], markers: { 'temperatures[1]': 'invalid' } });
    assert.deepEqual(d.custom, [{ type: 0x81, data: hex('aabbcc') }]);
    assert.deepEqual(d.order, [1, 2, 3, 4, 5, 6, 7, 8, 9, 0x81]);
  });

  it('encodes back to the same bytes, and decode(encode(x)) equals x', () => {
    const bytes = frame(0x02, REALTIME_UNIT);
    const f = decodeFrame(bytes);
    const again = encodeFrame({ command: 2, responseFlag: 0xfe, vin: f.vin, data: f.data });
    assert.deepEqual(again, bytes);
    assert.deepEqual(decodeFrame(again).data, f.data);
    // Built from scratch, without order: canonical type order.
    const built = encodeRealtime({ time: '2024-01-02T03:04:05+08:00', engine: { status: { code: 2 }, crankshaftSpeed: 0, fuelConsumption: 0.5 } as any });
    assert.deepEqual(decodeRealtime(built).engine, { status: { code: 2, en: 'Off', zh: '关闭状态' }, crankshaftSpeed: 0, fuelConsumption: 0.5 });
  });

  it('round-trips login, logout, platform login, heartbeat and responses', () => {
    const login = { time: '2023-03-21T16:20:12+08:00', timeMs: Date.parse('2023-03-21T08:20:12Z'), serialNo: 1, iccid: '12345678901234567890', subsystemCount: 2, codeLength: 8, systemCodes: ['12345678', '87654321'] };
    const lf = encodeFrame({ command: 1, vin: VIN, data: login });
    assert.equal(lf.length, 25 + 30 + 16);
    assert.deepEqual(decodeFrame(lf).data, login);
    const logout = { time: login.time, timeMs: login.timeMs, serialNo: 1 };
    assert.deepEqual(decodeFrame(encodeFrame({ command: 4, vin: VIN, data: logout })).data, logout);
    const pl = { time: login.time, timeMs: login.timeMs, serialNo: 7, username: 'platform01', password: 'pw', encryptionRule: { code: 1, en: 'None', zh: '不加密' } };
    assert.deepEqual(decodeFrame(encodeFrame({ command: 5, vin: VIN, data: pl })).data, pl);
    assert.deepEqual(decodeFrame(encodeFrame({ command: 7, vin: VIN, data: {} })).data, {});
    const ack = decodeFrame(frame(0x02, hex(TIME), 0x01));
    assert.equal(ack.responseFlag.en, 'Success');
    assert.deepEqual(ack.data, { time: '2023-03-21T10:20:12+08:00', timeMs: Date.parse('2023-03-21T02:20:12Z') });
  });

  it('rejects a bad checksum unless told to decode anyway, and a wrong length', () => {
    const bad = frame(0x02, REALTIME_UNIT);
    bad[bad.length - 1]! ^= 0xff;
    assert.throws(() => decodeFrame(bad), (e: unknown) => isProtocolError(e) && e.code === 'checksum');
    const anyway = decodeFrame(bad, { ignoreChecksum: true });
    assert.equal(anyway.checksum.ok, false);
    assert.equal((anyway.data as any).vehicle.speed, 60);
    const short = frame(0x02, REALTIME_UNIT).subarray(0, 60);
    assert.throws(() => decodeFrame(short), (e: unknown) => isProtocolError(e) && e.code === 'length-mismatch');
    assert.throws(() => decodeFrame(hex('2424')), (e: unknown) => isProtocolError(e) && e.code === 'truncated');
    assert.throws(() => decodeFrame(hex('2324')), (e: unknown) => isProtocolError(e) && e.code === 'bad-start');
  });

  it('stops at an information type without a length, with its offset and the part decoded so far', () => {
    const unit = Buffer.concat([hex(`${TIME} 04 01 0bb8 0190`), hex('30 0102')]);
    assert.throws(() => decodeRealtime(unit), (e: unknown) => {
      if (!isProtocolError(e) || e.code !== 'unknown-info-type') return false;
      assert.equal(e.details.offset, 12);
      assert.equal(e.details.type, 0x30);
      assert.equal((e.details.partial as any).engine.crankshaftSpeed, 3000);
      return true;
    });
  });

  it('never reads past the data: every truncation ends in the decoder\'s own error', () => {
    const complete: number[] = [];
    for (let n = 0; n < REALTIME_UNIT.length; n++) {
      try {
        decodeRealtime(REALTIME_UNIT.subarray(0, n));
        complete.push(n);
      } catch (e) {
        assert.ok(isProtocolError(e) && e.code === 'truncated', `cut at ${n}: ${String(e)}`);
      }
    }
    // Only cuts between information types leave a complete data unit.
    assert.deepEqual(complete, [6, 27, 53, 74, 80, 90, 105, 127, 145, 152]);
  });
});

const UNIT_2025 = hex(`${TIME}
  01  01 03 01 0258 000186a0 0dac 7594 50 01 be 1388
  02  01  01 01 5a 88b8 000311f5 64
  03  0050 03 2710 05 01f4 07 01 5a 50
  04  0bb8
  05  00 02 06c1e1f0 01c9d7c8
  06  04 00880000 00 01 00000042 00 00 02 13 03 17 04
  07  01  01 0dac 7594 0003 0cdc 0d48 ffff
  08  01  01 0002 50 4f
  30  01  01 0fa0 0064 09c4 0898 46 0002 5a 5b
  31  01 0fa0 7594 0002 0a8c 0a8c 0001 46
  32  01 0001 0a8c 01 0002 0a28 01 0001 46 01 0002 41
  ff  01 0002 aabb 0002 ccdd`);

function frame2025(command: number, unit: Buffer): Buffer {
  const f = frame(command, unit);
  f[0] = 0x24;
  f[1] = 0x24;
  return f;
}

describe('GB/T 32960.3-2025 decoding ("$$" frames)', () => {
  it('decodes every 2025 information type with its new widths and offsets, and the signature', () => {
    const f = decodeFrame(frame2025(0x02, UNIT_2025));
    assert.equal(f.edition, 2025);
    const d = f.data as any;
    assert.equal(d.vehicle.totalCurrent, 10, '30100 × 0.1 − 3000');
    assert.equal(d.vehicle.insulationResistance, 5000);
    assert.equal(d.vehicle.acceleratorPedal, undefined, 'no pedal bytes in 2025');
    assert.deepEqual(d.vehicle.gear, { code: 0xbe, gear: 'D', driving: true, braking: true, valid: false });
    assert.equal(d.motors[0].speed, 3000, '35000 − 32000');
    assert.equal(d.motors[0].torque, 120.5, 'DWORD 201205 × 0.1 − 20000');
    assert.equal(d.motors[0].controllerVoltage, undefined);
    assert.equal(d.fuelCell.hydrogenMaxTemperature, 40);
    assert.equal(d.fuelCell.hydrogenMaxConcentration, 1, '10000 × 0.0001 %');
    assert.equal(d.fuelCell.hydrogenRemaining, 90);
    assert.equal(d.fuelCell.dcdcControllerTemperature, 40);
    assert.deepEqual(d.engine, { crankshaftSpeed: 3000 });
    assert.deepEqual(d.position.coordinateSystem, { code: 2, en: 'GCJ02', zh: 'GCJ02' });
    assert.equal(d.position.latitude, 30.005192);
    assert.equal(d.alarm.maxLevel.code, 4);
    assert.match(d.alarm.maxLevel.en, /thermal event/);
    assert.equal(d.alarm.flags.motorOverspeed, true, 'bit 19');
    assert.equal(d.alarm.flags.storageThermalEvent, true, 'bit 23');
    assert.equal(d.alarm.flags.unitOvervoltage, false);
    assert.deepEqual(d.alarm.motorFaults, [0x42]);
    assert.deepEqual(d.alarm.flagLevels.map((l: any) => [l.flag, l.level.code]), [['motorOverspeed', 3], ['storageThermalEvent', 4]]);
    assert.deepEqual(d.voltages.packs[0], { pack: 1, voltage: 350, current: 10, unitCount: 3, unitVoltages: [3.292, 3.4, null], markers: { 'unitVoltages[2]': 'invalid' } });
    assert.deepEqual(d.temperatures.packs[0], { pack: 1, probeCount: 2, temperatures: [40, 39] });
    assert.deepEqual(d.fuelCellStacks[0], { sequence: 1, voltage: 400, current: 10, hydrogenInletPressure: 150, airInletPressure: 120, airInletTemperature: 30, coolantProbeCount: 2, coolantOutletTemperatures: [50, 51] });
    assert.deepEqual(d.supercapacitor, { system: 1, totalVoltage: 400, totalCurrent: 10, cellCount: 2, cellVoltages: [2.7, 2.7], probeCount: 1, temperatures: [30] });
    assert.equal(d.supercapacitorExtremes.minCellVoltage, 2.6);
    assert.equal(d.supercapacitorExtremes.minTemperature, 25);
    assert.deepEqual(d.signature, { type: { code: 1, en: 'SM2', zh: 'SM2' }, r: hex('aabb'), s: hex('ccdd') });
    assert.deepEqual(d.order, [1, 2, 3, 4, 5, 6, 7, 8, 0x30, 0x31, 0x32]);
  });

  it('encodes 2025 frames back to the same bytes, login included', () => {
    const bytes = frame2025(0x02, UNIT_2025);
    const f = decodeFrame(bytes);
    assert.deepEqual(encodeFrame({ edition: 2025, command: 2, vin: f.vin, data: f.data }), bytes);
    const login = { time: '2025-11-01T08:00:00+08:00', timeMs: Date.parse('2025-11-01T00:00:00Z'), serialNo: 3, iccid: '89860000000000000001', bmsCount: 2, packsPerBms: [1, 2], packCodes: ['A'.repeat(24), 'B'.repeat(24), 'C'.repeat(24)] };
    const lf = encodeFrame({ edition: 2025, command: 1, vin: VIN, data: login });
    assert.equal(lf.subarray(0, 2).toString(), '$$');
    assert.deepEqual(decodeFrame(lf).data, login);
  });

  it('rejects data after the signature and 2016-only types in a 2025 unit', () => {
    assert.throws(() => decodeRealtime(Buffer.concat([UNIT_2025, hex('00')]), 2025), (e: unknown) => isProtocolError(e) && e.code === 'trailing-data');
    assert.throws(() => decodeRealtime(hex(`${TIME} 09 01`), 2025), (e: unknown) => isProtocolError(e) && e.code === 'unknown-info-type');
  });
});

describe('GB/T 32960 inputs (Aliyun cloud gateway)', () => {
  it('normalises the seed\'s login and logout bodies to the frame shape', () => {
    const login = decodeInput({ header: { command: 1, responseFlag: 254, vin: 'onepart1234567891' }, body: { iccid: '12345678901234567890', month: 3, hour: 16, year: 23, subSystemNumber: 2, systemEncode: ['12345678', '87654321'], systemEncodeLength: 8, day: 21, serialNo: 1, minute: 20, second: 12 } });
    assert.equal(login.source, 'aliyun');
    assert.equal(login.vin, 'onepart1234567891');
    assert.equal(login.command!.en, 'Vehicle login');
    assert.equal(login.time, '2023-03-21T16:20:12+08:00');
    assert.equal(login.timeMs, Date.parse('2023-03-21T08:20:12Z'));
    assert.deepEqual(login.systemCodes, ['12345678', '87654321']);
    assert.equal(login.subsystemCount, 2);
    const fromFrame = decodeFrame(encodeFrame({ command: 1, vin: 'onepart1234567891', data: { time: login.time, serialNo: 1, iccid: '12345678901234567890', subsystemCount: 2, codeLength: 8, systemCodes: ['12345678', '87654321'] } })).data;
    for (const k of ['time', 'timeMs', 'serialNo', 'iccid', 'subsystemCount', 'codeLength', 'systemCodes']) assert.deepEqual(login[k], fromFrame[k], k);
    const logout = decodeInput(JSON.stringify({ header: { command: 4, responseFlag: 254, vin: 'onepart1234567891' }, body: { month: 3, hour: 16, year: 23, day: 21, minute: 20, second: 12, serialNo: 1 } }));
    assert.equal(logout.command!.en, 'Vehicle logout');
    assert.equal(logout.serialNo, 1);
  });

  it('reads the status notifications', () => {
    const off = decodeInput({ protocol: 'gb32960', status: 'offline', iotId: 'x', offlineReasonCode: 427, productKey: 'al12345', deviceName: 'd1', time: '2018-08-31 15:32:28.205', utcTime: '2018-08-31T07:32:28.205Z', clientIp: '192.0.2.1' });
    assert.equal(off.source, 'status');
    assert.equal(off.online, false);
    assert.equal(off.offlineReasonCode, 427);
  });

  it('decodes body.data as a data unit or as a whole frame, and rejects bad base64', () => {
    const unit = decodeInput({ header: { command: 2, responseFlag: 254, vin: VIN }, body: { data: REALTIME_UNIT.toString('base64') } });
    assert.equal((unit.vehicle as any).speed, 60);
    const whole = decodeInput({ header: { command: 2, responseFlag: 254, vin: VIN }, body: { data: frame(0x02, REALTIME_UNIT).toString('base64') } });
    assert.equal((whole.vehicle as any).speed, 60);
    assert.equal((whole.checksum as any).ok, true);
    assert.throws(() => decodeInput({ header: { command: 2, vin: VIN }, body: { data: 'not base64!' } }), (e: unknown) => isProtocolError(e) && e.code === 'bad-base64');
    // A whole frame with a bad BCC is a checksum error (or decoded and flagged), never read as a data unit.
    const corrupt = frame(0x02, REALTIME_UNIT);
    corrupt[corrupt.length - 1]! ^= 0x01;
    const gateway = { header: { command: 2, responseFlag: 254, vin: VIN }, body: { data: corrupt.toString('base64') } };
    assert.throws(() => decodeInput(gateway), (e: unknown) => isProtocolError(e) && e.code === 'checksum');
    const flagged = decodeInput(gateway, { ignoreChecksum: true });
    assert.equal((flagged.checksum as any).ok, false);
    assert.equal((flagged.vehicle as any).speed, 60);
    assert.throws(() => decodeInput({ header: { command: 2, vin: 'OTHERVIN000000000' }, body: { data: frame(0x02, REALTIME_UNIT).toString('base64') } }), /differs/);
  });

  it('takes raw frames as Buffer, hex or base64, and bare data units with a command', () => {
    const bytes = frame(0x02, REALTIME_UNIT);
    for (const input of [bytes, bytes.toString('hex'), bytes.toString('base64')]) assert.equal((decodeInput(input).position as any).latitude, -30);
    assert.equal((decodeInput(REALTIME_UNIT, { command: 2 }).engine as any).crankshaftSpeed, 3000);
    assert.throws(() => decodeInput(REALTIME_UNIT), /need the command/);
    assert.throws(() => decodeInput('hello'), (e: unknown) => isProtocolError(e) && e.code === 'bad-shape');
    assert.throws(() => decodeInput({ foo: 1 }), (e: unknown) => isProtocolError(e) && e.code === 'bad-shape');
  });
});
