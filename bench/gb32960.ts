/**
 * GB/T 32960 decoding speed: a typical realtime frame (vehicle, 2 motors, position, extremes,
 * alarms, 96 cell voltages, 32 temperatures) through gb32960's decodeFrame, against a
 * straightforward reference decoder written with binary-parser, in the same run.
 */
import { Parser } from 'binary-parser';
import assert from 'node:assert/strict';
import { named } from '../src/protocols/enum-table';
import { decodeFrame, encodeFrame } from '../src/protocols/gb32960/codec';
import {
  ALARM_FLAGS, ALARM_LEVELS, COMMANDS, ENCRYPTION, EXTREME_FIELDS, MOTOR_FIELDS, RESPONSE_FLAGS, VEHICLE_FIELDS, VOLTAGE_SUBSYSTEM_HEAD, type Field,
} from '../src/protocols/gb32960/tables';

export function typicalFrame(): Buffer {
  const motor = (sequence: number) => ({
    sequence, status: { code: 1 }, controllerTemperature: 45, speed: 3200, torque: 120.5, temperature: 60, controllerVoltage: 540.2, controllerCurrent: 35.5,
  });
  return encodeFrame({
    command: 2,
    vin: 'LZYTBGBW6J1014194',
    data: {
      time: '2024-06-01T12:30:45+08:00',
      vehicle: {
        vehicleStatus: { code: 1 }, chargingStatus: { code: 3 }, runningMode: { code: 1 }, speed: 62.5, mileage: 12345.6, totalVoltage: 540.2,
        totalCurrent: 35.5, soc: 78, dcdcStatus: { code: 1 }, gear: 0x2e, insulationResistance: 5000, acceleratorPedal: 20, brakePedal: 0,
      },
      motors: [motor(1), motor(2)],
      position: { status: 0, longitude: 121.473701, latitude: 31.230416 },
      extremes: {
        maxVoltageSubsystem: 1, maxVoltageCell: 17, maxCellVoltage: 3.412, minVoltageSubsystem: 1, minVoltageCell: 80, minCellVoltage: 3.371,
        maxTemperatureSubsystem: 1, maxTemperatureProbe: 5, maxTemperature: 31, minTemperatureSubsystem: 1, minTemperatureProbe: 20, minTemperature: 27,
      },
      alarm: { maxLevel: { code: 0 }, flagsRaw: 0, storageFaults: [], motorFaults: [], engineFaults: [], otherFaults: [] },
      voltages: { subsystems: [{ subsystem: 1, voltage: 540.2, current: 35.5, totalCells: 96, startCell: 1, cellVoltages: Array.from({ length: 96 }, (_, i) => 3.37 + (i % 5) / 100) }] },
      temperatures: { subsystems: [{ subsystem: 1, temperatures: Array.from({ length: 32 }, (_, i) => 27 + (i % 5)) }] },
    },
  });
}

// The reference: what a developer writes with a generic binary-parsing library. binary-parser
// declares the byte layout; a plain pass then does the same job as decodeFrame on this frame
// (checksum, Beijing time, scaling, FE/FF markers, enumeration names from the package's tables,
// gear and alarm flag bits), so that both produce the same object and the ratio compares equals.
const vehicle = new Parser().uint8('vehicleStatus').uint8('chargingStatus').uint8('runningMode').uint16('speed').uint32('mileage').uint16('totalVoltage')
  .uint16('totalCurrent').uint8('soc').uint8('dcdcStatus').uint8('gear').uint16('insulationResistance').uint8('acceleratorPedal').uint8('brakePedal');
const motor = new Parser().uint8('sequence').uint8('status').uint8('controllerTemperature').uint16('speed').uint16('torque').uint8('temperature')
  .uint16('controllerVoltage').uint16('controllerCurrent');
const motors = new Parser().uint8('count').array('items', { type: motor, length: 'count' });
const position = new Parser().uint8('status').uint32('longitude').uint32('latitude');
const extremes = new Parser().uint8('maxVoltageSubsystem').uint8('maxVoltageCell').uint16('maxCellVoltage').uint8('minVoltageSubsystem').uint8('minVoltageCell')
  .uint16('minCellVoltage').uint8('maxTemperatureSubsystem').uint8('maxTemperatureProbe').uint8('maxTemperature').uint8('minTemperatureSubsystem')
  .uint8('minTemperatureProbe').uint8('minTemperature');
/** A count byte or word: FE/FF mean no items follow. */
const counted = (field: string) => function (this: Record<string, number>) { const n = this[field]!; return n >= (field.endsWith('Word') ? 0xfffe : 0xfe) ? 0 : n; };
const faults = (name: string) => (p: Parser) => p.uint8(`${name}Count`).array(name, { type: 'uint32be', length: counted(`${name}Count`) });
const alarm = [faults('storageFaults'), faults('motorFaults'), faults('engineFaults'), faults('otherFaults')].reduce((p, f) => f(p), new Parser().uint8('maxLevel').uint32('flags'));
const voltageSub = new Parser().uint8('subsystem').uint16('voltage').uint16('current').uint16('totalCells').uint16('startCell').uint8('frameCells')
  .array('cells', { type: 'uint16be', length: 'frameCells' });
const voltages = new Parser().uint8('count').array('subsystems', { type: voltageSub, length: counted('count') });
const temperatureSub = new Parser().uint8('subsystem').uint16('probeCountWord').array('temperatures', { type: 'uint8', length: counted('probeCountWord') });
const temperatures = new Parser().uint8('count').array('subsystems', { type: temperatureSub, length: counted('count') });
const block = new Parser().uint8('type').choice('body', {
  tag: 'type',
  choices: { 1: vehicle, 2: motors, 5: position, 6: extremes, 7: alarm, 8: voltages, 9: temperatures },
});
const referenceFrame = new Parser().endianness('big').string('start', { length: 2 }).uint8('command').uint8('responseFlag')
  .string('vin', { length: 17 }).uint8('encryption').uint16('length').array('time', { type: 'uint8', length: 6 })
  .array('blocks', { type: block, lengthInBytes: (item: { length: number }) => item.length - 6 }).uint8('bcc');

type Obj = Record<string, any>;
const MAX = { 1: 0xff, 2: 0xffff, 4: 0xffffffff } as const;

/** Scaling, markers and names for one field table, the obvious way. */
function applyFields(raw: Obj, fields: readonly Field[]): Obj {
  const out: Obj = {};
  const markers: Obj = {};
  for (const fd of fields) {
    const v = raw[fd.name] as number;
    if (!fd.plain && v >= MAX[fd.width] - 1) {
      out[fd.name] = null;
      markers[fd.name] = v === MAX[fd.width] ? 'invalid' : 'abnormal';
    } else if (fd.enumTable) {
      out[fd.name] = named(fd.enumTable, v);
    } else {
      out[fd.name] = fd.factor === 1 ? v - fd.offset : Math.round((v * fd.factor - fd.offset) * 10 ** fd.decimals) / 10 ** fd.decimals;
    }
  }
  return Object.keys(markers).length > 0 ? { ...out, markers } : out;
}

const marker = (raw: number, width: 1 | 2 | 4) => (raw === MAX[width] ? 'invalid' : raw === MAX[width] - 1 ? 'abnormal' : undefined);
const list = (values: number[], width: 1 | 2 | 4, f: (v: number) => number) => values.map((v) => (v >= MAX[width] - 1 ? null : f(v)));
function xorOf(buf: Buffer, from: number, to: number): number {
  let x = 0;
  for (let i = from; i < to; i++) x ^= buf[i]!;
  return x;
}

function flagsOf(raw: number): Obj {
  const flags: Obj = {};
  for (let bit = 0; bit < ALARM_FLAGS.length; bit++) flags[ALARM_FLAGS[bit]![0]] = ((raw >>> bit) & 1) === 1;
  return flags;
}
const withMarkers = (out: Obj, markers: Obj) => (Object.values(markers).some(Boolean) ? { ...out, markers: Object.fromEntries(Object.entries(markers).filter(([, m]) => m)) } : out);

function gearOf(raw: number): Obj {
  const low = raw & 0x0f;
  return { code: raw, gear: ({ 0: 'N', 13: 'R', 14: 'D', 15: 'P' } as Record<number, string>)[low] ?? low, driving: (raw & 0x20) !== 0, braking: (raw & 0x10) !== 0 };
}

export function referenceDecode(buf: Buffer): unknown {
  const f = referenceFrame.parse(buf) as Obj;
  const expected = xorOf(buf, 2, buf.length - 1);
  if (expected !== f.bcc) throw new Error('BCC mismatch');
  const [y, mo, d, h, mi, sec] = f.time as number[];
  const pad = (n: number) => String(n).padStart(2, '0');
  const data: Obj = {
    time: `20${pad(y!)}-${pad(mo!)}-${pad(d!)}T${pad(h!)}:${pad(mi!)}:${pad(sec!)}+08:00`,
    timeMs: Date.UTC(2000 + y!, mo! - 1, d!, h! - 8, mi!, sec!),
    order: f.blocks.map((b: Obj) => b.type),
  };
  for (const b of f.blocks) {
    const v = b.body;
    switch (b.type) {
      case 1: data.vehicle = { ...applyFields(v, VEHICLE_FIELDS), gear: gearOf(v.gear) }; break;
      case 2: data.motors = v.items.map((m: Obj) => applyFields(m, MOTOR_FIELDS)); break;
      case 5: {
        const south = (v.status & 2) !== 0;
        const west = (v.status & 4) !== 0;
        data.position = withMarkers({
          status: v.status, valid: (v.status & 1) === 0, south, west,
          longitude: marker(v.longitude, 4) ? null : (west ? -1 : 1) * v.longitude / 1e6,
          latitude: marker(v.latitude, 4) ? null : (south ? -1 : 1) * v.latitude / 1e6,
        }, { longitude: marker(v.longitude, 4), latitude: marker(v.latitude, 4) });
        break;
      }
      case 6: data.extremes = applyFields(v, EXTREME_FIELDS); break;
      case 7: {
        const lists = ['storageFaults', 'motorFaults', 'engineFaults', 'otherFaults'];
        data.alarm = withMarkers({
          maxLevel: marker(v.maxLevel, 1) ? null : named(ALARM_LEVELS, v.maxLevel),
          flagsRaw: v.flags,
          flags: flagsOf(v.flags),
          ...Object.fromEntries(lists.map((l) => [l, list(v[l], 4, (c) => c)])),
        }, { maxLevel: marker(v.maxLevel, 1), ...Object.fromEntries(lists.map((l) => [l, marker(v[`${l}Count`], 1)])) });
        break;
      }
      case 8: data.voltages = withMarkers({
        subsystems: v.subsystems.map((sub: Obj) => ({ ...applyFields(sub, VOLTAGE_SUBSYSTEM_HEAD), frameCells: sub.frameCells, cellVoltages: list(sub.cells, 2, (c) => c / 1000) })),
      }, { count: marker(v.count, 1) }); break;
      case 9: data.temperatures = withMarkers({
        subsystems: v.subsystems.map((sub: Obj) => withMarkers({
          subsystem: sub.subsystem, probeCount: marker(sub.probeCountWord, 2) ? null : sub.probeCountWord, temperatures: list(sub.temperatures, 1, (t) => t - 40),
        }, { probeCount: marker(sub.probeCountWord, 2) })),
      }, { count: marker(v.count, 1) }); break;
    }
  }
  return {
    edition: f.start === '$$' ? 2025 : 2016, command: named(COMMANDS, f.command), responseFlag: named(RESPONSE_FLAGS, f.responseFlag), vin: f.vin,
    encryption: named(ENCRYPTION, f.encryption), length: f.length, checksum: { ok: true, expected, actual: f.bcc }, data,
  };
}

/**
 * A lower bar, shown beside the reference: the layout and the scale factors only, with no
 * checksum, markers, names, gear or flag bits (the output is not what decodeFrame gives).
 */
export function layoutOnlyDecode(buf: Buffer): unknown {
  const f = referenceFrame.parse(buf) as Obj;
  const out: Obj = { command: f.command, vin: f.vin, time: f.time };
  for (const b of f.blocks) {
    const v = b.body;
    switch (b.type) {
      case 1: out.vehicle = { ...v, speed: v.speed / 10, mileage: v.mileage / 10, totalVoltage: v.totalVoltage / 10, totalCurrent: v.totalCurrent / 10 - 1000 }; break;
      case 2: out.motors = v.items.map((m: Obj) => ({ ...m, controllerTemperature: m.controllerTemperature - 40, speed: m.speed - 20000, torque: m.torque / 10 - 2000, temperature: m.temperature - 40, controllerVoltage: m.controllerVoltage / 10, controllerCurrent: m.controllerCurrent / 10 - 1000 })); break;
      case 5: out.position = { valid: (v.status & 1) === 0, longitude: v.longitude / 1e6, latitude: v.latitude / 1e6 }; break;
      case 6: out.extremes = { ...v, maxCellVoltage: v.maxCellVoltage / 1000, minCellVoltage: v.minCellVoltage / 1000, maxTemperature: v.maxTemperature - 40, minTemperature: v.minTemperature - 40 }; break;
      case 7: out.alarm = v; break;
      case 8: out.voltages = v.subsystems.map((sub: Obj) => ({ ...sub, voltage: sub.voltage / 10, current: sub.current / 10 - 1000, cells: sub.cells.map((c: number) => c / 1000) })); break;
      case 9: out.temperatures = v.subsystems.map((sub: Obj) => ({ ...sub, temperatures: sub.temperatures.map((t: number) => t - 40) })); break;
    }
  }
  return out;
}

// Small frames: what most of a vehicle's traffic is besides the big realtime report. The reference
// reads the header with binary-parser, then the data unit by command, with the same output.
export function smallFrames(): Buffer[] {
  const vin = 'LZYTBGBW6J1014194';
  const time = '2024-06-01T12:30:45+08:00';
  return [
    encodeFrame({ command: 1, vin, data: { time, serialNo: 7, iccid: '89860000000000000001', subsystemCount: 1, codeLength: 0, systemCodes: [] } }),
    encodeFrame({ command: 7, vin, data: {} }),
    encodeFrame({ command: 2, vin, data: { time, vehicle: {
      vehicleStatus: { code: 1 }, chargingStatus: { code: 3 }, runningMode: { code: 1 }, speed: 62.5, mileage: 12345.6, totalVoltage: 540.2,
      totalCurrent: 35.5, soc: 78, dcdcStatus: { code: 1 }, gear: 0x2e, insulationResistance: 5000, acceleratorPedal: 20, brakePedal: 0,
    } } }),
  ];
}

const header = new Parser().endianness('big').string('start', { length: 2 }).uint8('command').uint8('responseFlag')
  .string('vin', { length: 17, stripNull: true }).uint8('encryption').uint16('length');
const realtimeUnit = new Parser().array('time', { type: 'uint8', length: 6 }).array('blocks', { type: block, readUntil: 'eof' });
const loginUnit = new Parser().endianness('big').array('time', { type: 'uint8', length: 6 }).uint16('serialNo').string('iccid', { length: 20, stripNull: true })
  .uint8('subsystemCount').uint8('codeLength').string('codes', { length: function (this: Obj) { return this.codeLength * this.subsystemCount; } });

const timeOf = (t: number[]) => {
  const [y, mo, d, h, mi, sec] = t as [number, number, number, number, number, number];
  const pad = (n: number) => String(n).padStart(2, '0');
  return { time: `20${pad(y)}-${pad(mo)}-${pad(d)}T${pad(h)}:${pad(mi)}:${pad(sec)}+08:00`, timeMs: Date.UTC(2000 + y, mo - 1, d, h - 8, mi, sec) };
};

/** The reference for any of the small frames: header, then login, heartbeat or a vehicle-only realtime unit. */
export function referenceDecodeSmall(buf: Buffer): unknown {
  const f = header.parse(buf) as Obj;
  const expected = xorOf(buf, 2, buf.length - 1);
  if (expected !== buf[buf.length - 1]) throw new Error('BCC mismatch');
  const unit = buf.subarray(24, 24 + f.length);
  let data: Obj = {};
  if (f.command === 1) {
    const l = loginUnit.parse(unit) as Obj;
    const codes: string[] = [];
    for (let i = 0; l.codeLength > 0 && i < l.subsystemCount; i++) codes.push(l.codes.slice(i * l.codeLength, (i + 1) * l.codeLength));
    data = { ...timeOf(l.time), serialNo: l.serialNo, iccid: l.iccid, subsystemCount: l.subsystemCount, codeLength: l.codeLength, systemCodes: codes };
  } else if (f.command === 2) {
    const r = realtimeUnit.parse(unit) as Obj;
    data = { ...timeOf(r.time), order: r.blocks.map((b: Obj) => b.type) };
    for (const b of r.blocks) if (b.type === 1) data.vehicle = { ...applyFields(b.body, VEHICLE_FIELDS), gear: gearOf(b.body.gear) };
  }
  return {
    edition: f.start === '$$' ? 2025 : 2016, command: named(COMMANDS, f.command), responseFlag: named(RESPONSE_FLAGS, f.responseFlag), vin: f.vin,
    encryption: named(ENCRYPTION, f.encryption), length: f.length, checksum: { ok: true, expected, actual: buf[buf.length - 1] }, data,
  };
}

const MS_ONLY = { isoTimes: false } as const;

function rate(fn: () => unknown, ms: number): number {
  for (let i = 0; i < 2000; i++) fn();
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < ms) {
    for (let i = 0; i < 500; i++) fn();
    n += 500;
  }
  return n / ((performance.now() - start) / 1000);
}

/** Time of single calls, in microseconds: p50 and p99 over `n` calls after a warm-up. */
function latencyUs(fn: () => unknown, n = 20000): { p50: number; p99: number } {
  for (let i = 0; i < 2000; i++) fn();
  const t: number[] = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const s = performance.now();
    fn();
    t[i] = (performance.now() - s) * 1000;
  }
  t.sort((a, b) => a - b);
  return { p50: t[Math.floor(n * 0.5)]!, p99: t[Math.floor(n * 0.99)]! };
}

export interface Speed {
  rate: number;
  latency: { p50: number; p99: number };
}

export interface DecodeBench {
  bytes: number;
  ours: Speed;
  reference: Speed;
  layoutOnly: Speed;
  /** The small-frame mix, per frame: login, heartbeat, realtime with a vehicle block only. */
  small: { bytes: number[]; ours: Speed; oursMsOnly: Speed; reference: Speed };
}

export function benchGb32960(ms = 3000): DecodeBench {
  const frame = typicalFrame();
  // Both decoders give the same object before anything is timed: the ratio compares equal work.
  assert.deepStrictEqual(referenceDecode(frame), decodeFrame(frame));
  const small = smallFrames();
  for (const f of small) assert.deepStrictEqual(referenceDecodeSmall(f), decodeFrame(f));
  // One call decodes the three small frames; rates are reported per frame.
  const decoders = {
    ours: () => decodeFrame(frame), reference: () => referenceDecode(frame), layoutOnly: () => layoutOnlyDecode(frame),
    smallOurs: () => { decodeFrame(small[0]!); decodeFrame(small[1]!); return decodeFrame(small[2]!); },
    smallOursMsOnly: () => { decodeFrame(small[0]!, MS_ONLY); decodeFrame(small[1]!, MS_ONLY); return decodeFrame(small[2]!, MS_ONLY); },
    smallReference: () => { referenceDecodeSmall(small[0]!); referenceDecodeSmall(small[1]!); return referenceDecodeSmall(small[2]!); },
  };
  const keys = Object.keys(decoders) as Array<keyof typeof decoders>;
  const best = Object.fromEntries(keys.map((k) => [k, 0])) as Record<keyof typeof decoders, number>;
  for (let round = 0; round < 3; round++) {
    for (const k of keys) best[k] = Math.max(best[k], rate(decoders[k], ms / 9));
  }
  const speed = (k: keyof typeof decoders, per = 1): Speed => {
    const l = latencyUs(decoders[k]);
    return { rate: best[k] * per, latency: { p50: l.p50 / per, p99: l.p99 / per } };
  };
  return {
    bytes: frame.length, ours: speed('ours'), reference: speed('reference'), layoutOnly: speed('layoutOnly'),
    small: { bytes: small.map((f) => f.length), ours: speed('smallOurs', 3), oursMsOnly: speed('smallOursMsOnly', 3), reference: speed('smallReference', 3) },
  };
}

/** The small-frame table, next to the big frame's in the bench report; rates and latencies per frame. */
export function gb32960SmallRows(gb: DecodeBench, fmt: (n: number) => string): string[] {
  const row = (label: string, x: Speed) => `| ${label} | ${fmt(x.rate)} | ${x.latency.p50.toFixed(2)} | ${x.latency.p99.toFixed(2)} | ${(x.rate / gb.small.reference.rate).toFixed(2)}x |`;
  return [
    `## GB/T 32960 small frames (login, heartbeat, realtime with a vehicle block only: ${gb.small.bytes.join(', ')} bytes, decoded in turn; per frame; one core, best of 3)`,
    '',
    '| decoder | frames/s | mean µs (p50 of 3) | mean µs (p99 of 3) | vs reference |',
    '|---|---:|---:|---:|---:|',
    row('reference: binary-parser header, then the data unit by command, same output as decodeFrame (checked equal; baseline)', gb.small.reference),
    row('gb32960 decodeFrame (ISO and epoch times)', gb.small.ours),
    row('gb32960 decodeFrame with isoTimes false (epoch milliseconds only)', gb.small.oursMsOnly),
  ];
}
