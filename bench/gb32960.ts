/**
 * GB/T 32960 decoding speed: a typical realtime frame (vehicle, 2 motors, position, extremes,
 * alarms, 96 cell voltages, 32 temperatures) through gb32960's decodeFrame, against a
 * straightforward reference decoder written with binary-parser, in the same run.
 */
import { Parser } from 'binary-parser';
import { decodeFrame, encodeFrame } from '../src/protocols/gb32960/codec';

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

// The reference: the layout declared with binary-parser, then the standard's scaling applied.
const vehicle = new Parser().uint8('vehicleStatus').uint8('chargingStatus').uint8('runningMode').uint16('speed').uint32('mileage').uint16('totalVoltage')
  .uint16('totalCurrent').uint8('soc').uint8('dcdcStatus').uint8('gear').uint16('insulationResistance').uint8('acceleratorPedal').uint8('brakePedal');
const motor = new Parser().uint8('sequence').uint8('status').uint8('controllerTemperature').uint16('speed').uint16('torque').uint8('temperature')
  .uint16('controllerVoltage').uint16('controllerCurrent');
const motors = new Parser().uint8('count').array('items', { type: motor, length: 'count' });
const position = new Parser().uint8('status').uint32('longitude').uint32('latitude');
const extremes = new Parser().uint8('maxVoltageSubsystem').uint8('maxVoltageCell').uint16('maxCellVoltage').uint8('minVoltageSubsystem').uint8('minVoltageCell')
  .uint16('minCellVoltage').uint8('maxTemperatureSubsystem').uint8('maxTemperatureProbe').uint8('maxTemperature').uint8('minTemperatureSubsystem')
  .uint8('minTemperatureProbe').uint8('minTemperature');
const faults = (name: string) => (p: Parser) => p.uint8(`${name}Count`).array(name, { type: 'uint32be', length: `${name}Count` });
const alarm = [faults('storage'), faults('motor'), faults('engine'), faults('other')].reduce((p, f) => f(p), new Parser().uint8('maxLevel').uint32('flags'));
const voltageSub = new Parser().uint8('subsystem').uint16('voltage').uint16('current').uint16('totalCells').uint16('startCell').uint8('frameCells')
  .array('cells', { type: 'uint16be', length: 'frameCells' });
const voltages = new Parser().uint8('count').array('subsystems', { type: voltageSub, length: 'count' });
const temperatureSub = new Parser().uint8('subsystem').uint16('probeCount').array('temperatures', { type: 'uint8', length: 'probeCount' });
const temperatures = new Parser().uint8('count').array('subsystems', { type: temperatureSub, length: 'count' });
const block = new Parser().uint8('type').choice('body', {
  tag: 'type',
  choices: { 1: vehicle, 2: motors, 5: position, 6: extremes, 7: alarm, 8: voltages, 9: temperatures },
});
const referenceFrame = new Parser().endianness('big').string('start', { length: 2 }).uint8('command').uint8('responseFlag')
  .string('vin', { length: 17 }).uint8('encryption').uint16('length').array('time', { type: 'uint8', length: 6 })
  .array('blocks', { type: block, lengthInBytes: (item: { length: number }) => item.length - 6 }).uint8('bcc');

export function referenceDecode(buf: Buffer): unknown {
  const f = referenceFrame.parse(buf) as any;
  const out: Record<string, any> = { command: f.command, vin: f.vin, time: f.time };
  for (const b of f.blocks) {
    const v = b.body;
    switch (b.type) {
      case 1: out.vehicle = { ...v, speed: v.speed / 10, mileage: v.mileage / 10, totalVoltage: v.totalVoltage / 10, totalCurrent: v.totalCurrent / 10 - 1000 }; break;
      case 2: out.motors = v.items.map((m: any) => ({ ...m, controllerTemperature: m.controllerTemperature - 40, speed: m.speed - 20000, torque: m.torque / 10 - 2000, temperature: m.temperature - 40, controllerVoltage: m.controllerVoltage / 10, controllerCurrent: m.controllerCurrent / 10 - 1000 })); break;
      case 5: out.position = { valid: (v.status & 1) === 0, longitude: v.longitude / 1e6, latitude: v.latitude / 1e6 }; break;
      case 6: out.extremes = { ...v, maxCellVoltage: v.maxCellVoltage / 1000, minCellVoltage: v.minCellVoltage / 1000, maxTemperature: v.maxTemperature - 40, minTemperature: v.minTemperature - 40 }; break;
      case 7: out.alarm = v; break;
      case 8: out.voltages = v.subsystems.map((s: any) => ({ ...s, voltage: s.voltage / 10, current: s.current / 10 - 1000, cells: s.cells.map((c: number) => c / 1000) })); break;
      case 9: out.temperatures = v.subsystems.map((s: any) => ({ ...s, temperatures: s.temperatures.map((t: number) => t - 40) })); break;
    }
  }
  return out;
}

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

export interface DecodeBench {
  bytes: number;
  ours: number;
  reference: number;
  oursLatency: { p50: number; p99: number };
  referenceLatency: { p50: number; p99: number };
}

export function benchGb32960(ms = 2000): DecodeBench {
  const frame = typicalFrame();
  // Both decoders read the same values before anything is timed.
  const ours = decodeFrame(frame).data as { vehicle: { speed: number }; voltages: { subsystems: Array<{ cellVoltages: number[] }> } };
  const ref = referenceDecode(frame) as { vehicle: { speed: number }; voltages: Array<{ cells: number[] }> };
  if (ours.vehicle.speed !== ref.vehicle.speed || ours.voltages.subsystems[0]!.cellVoltages.length !== ref.voltages[0]!.cells.length) {
    throw new Error('the reference decoder and gb32960 disagree on the bench frame');
  }
  let best = { ours: 0, reference: 0 };
  for (let round = 0; round < 3; round++) {
    best = { ours: Math.max(best.ours, rate(() => decodeFrame(frame), ms / 3)), reference: Math.max(best.reference, rate(() => referenceDecode(frame), ms / 3)) };
  }
  return { bytes: frame.length, ...best, oursLatency: latencyUs(() => decodeFrame(frame)), referenceLatency: latencyUs(() => referenceDecode(frame)) };
}
