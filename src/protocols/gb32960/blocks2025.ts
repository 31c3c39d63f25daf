/**
 * GB/T 32960.3-2025 information types of the realtime/reissue data unit (tables 9-27): new
 * widths and offsets, pack voltages and temperatures, fuel-cell stacks, supercapacitors, and
 * per-flag alarm levels. Layouts as summarised in the package's GB/T 32960 research notes.
 */
import { named } from '../enum-table';
import type { Reader, Writer } from './binary';
import { markerRaw } from './binary';
import {
  flagsReader, readAlarm, readGear, readPosition, readSubsystems, readTemperatureGroups, writeAlarm, writePosition, writeTemperatureGroups, type BlockCodec, type BlockContext,
} from './blocks2016';
import { readCount, readCounted, readFields, writeCounted, writeFields, type Record_ } from './fields';
import {
  ALARM_FLAGS_2025, ALARM_LEVELS_2025, ENGINE_FIELDS_2025, FUEL_CELL_STACK_HEAD_2025, FUEL_CELL_SYSTEM_FIELDS_2025, MOTOR_FIELDS_2025,
  PACK_VOLTAGE_HEAD_2025, SUPERCAPACITOR_EXTREMES_2025, SUPERCAPACITOR_HEAD_2025, VEHICLE_FIELDS_2025,
} from './tables';

function readVehicle(r: Reader): Record_ {
  const v = readFields(r, VEHICLE_FIELDS_2025, 'vehicle');
  const raw = v.gear as number;
  // 2025: bit 7 set means the gear is invalid.
  const gear = readGear(raw & 0x7f);
  gear.code = raw;
  gear.valid = (raw & 0x80) === 0;
  v.gear = gear;
  return v;
}

function writeVehicle(w: Writer, v: Record_): void {
  const gear = v.gear as { code?: number } | number;
  writeFields(w, VEHICLE_FIELDS_2025, { ...v, gear: typeof gear === 'number' ? gear : gear?.code }, 'vehicle');
}

/**
 * A 2025 list count (motors table 15, fuel-cell stacks table 18, alarm N5 table 23): 0xFE/0xFF
 * mean no entries follow; the marker is kept under `key` so the same byte is written back.
 */
function readListCount(r: Reader, what: string, ctx: BlockContext, key: string): number {
  const count = readCount(r, 1, what);
  if (count.marker) (ctx.markers ??= {})[key] = count.marker;
  return count.n;
}

function writeListCount(w: Writer, n: number, what: string, ctx: BlockContext, key: string): boolean {
  const marker = ctx.markers?.[key];
  w.uint(1, marker ? markerRaw(1, marker) : n, what);
  return marker === undefined;
}

function readMotors(r: Reader, ctx: BlockContext): Record_[] {
  const n = readListCount(r, 'motors count', ctx, 'motors');
  const out: Record_[] = [];
  for (let i = 0; i < n; i++) out.push(readFields(r, MOTOR_FIELDS_2025, 'motor'));
  return out;
}

function writeMotors(w: Writer, motors: Record_[], ctx: BlockContext): void {
  if (writeListCount(w, motors.length, 'motors count', ctx, 'motors')) for (const m of motors) writeFields(w, MOTOR_FIELDS_2025, m, 'motor');
}

function readPackVoltages(r: Reader): Record_ {
  return readSubsystems(r, 'voltages pack count', () => {
    const pack = readFields(r, PACK_VOLTAGE_HEAD_2025, 'voltages pack');
    readCounted(r, pack, 'unitCount', 'unitVoltages', 2, 0, 0.001);
    return pack;
  }, 'packs');
}

function writePackVoltages(w: Writer, v: Record_): void {
  const packs = (v.packs as Record_[] | undefined) ?? [];
  const marker = v.markers?.count;
  w.uint(1, marker ? markerRaw(1, marker) : packs.length, 'voltages pack count');
  if (marker) return;
  for (const p of packs) {
    writeFields(w, PACK_VOLTAGE_HEAD_2025, p, 'voltages pack');
    writeCounted(w, p, 'unitCount', 'unitVoltages', 2, 0, 0.001);
  }
}

function readStacks(r: Reader, ctx: BlockContext): Record_[] {
  const n = readListCount(r, 'fuel-cell stack count', ctx, 'fuelCellStacks');
  const out: Record_[] = [];
  for (let i = 0; i < n; i++) {
    const stack = readFields(r, FUEL_CELL_STACK_HEAD_2025, 'fuel-cell stack');
    readCounted(r, stack, 'coolantProbeCount', 'coolantOutletTemperatures', 1, 40, 1);
    out.push(stack);
  }
  return out;
}

function writeStacks(w: Writer, stacks: Record_[], ctx: BlockContext): void {
  if (!writeListCount(w, stacks.length, 'fuel-cell stack count', ctx, 'fuelCellStacks')) return;
  for (const s of stacks) {
    writeFields(w, FUEL_CELL_STACK_HEAD_2025, s, 'fuel-cell stack');
    writeCounted(w, s, 'coolantProbeCount', 'coolantOutletTemperatures', 1, 40, 1);
  }
}

function readSupercapacitor(r: Reader): Record_ {
  const v = readFields(r, SUPERCAPACITOR_HEAD_2025, 'supercapacitor');
  readCounted(r, v, 'cellCount', 'cellVoltages', 2, 0, 0.001);
  readCounted(r, v, 'probeCount', 'temperatures', 1, 40, 1);
  return v;
}

function writeSupercapacitor(w: Writer, v: Record_): void {
  writeFields(w, SUPERCAPACITOR_HEAD_2025, v, 'supercapacitor');
  writeCounted(w, v, 'cellCount', 'cellVoltages', 2, 0, 0.001);
  writeCounted(w, v, 'probeCount', 'temperatures', 1, 40, 1);
}

const alarmFlags2025 = flagsReader(ALARM_FLAGS_2025);

/** 2025 alarm: as 2016 with levels 0-4 and new flags, then N5 x [flag bit, level]. */
function readAlarm2025(r: Reader): Record_ {
  const a = readAlarm(r, ALARM_LEVELS_2025, alarmFlags2025);
  const n = readListCount(r, 'alarm flag level count', a, 'flagLevels');
  const flagLevels: Array<{ bit: number; flag: string | null; level: ReturnType<typeof named> }> = [];
  for (let i = 0; i < n; i++) {
    const bit = r.uint(1, 'alarm flag bit');
    flagLevels.push({ bit, flag: ALARM_FLAGS_2025[bit]?.[0] ?? null, level: named(ALARM_LEVELS_2025, r.uint(1, 'alarm flag level')) });
  }
  a.flagLevels = flagLevels;
  return a;
}

function writeAlarm2025(w: Writer, v: Record_): void {
  writeAlarm(w, v, ALARM_LEVELS_2025, ALARM_FLAGS_2025);
  const levels = (v.flagLevels as Array<{ bit: number; level: { code: number } | number }> | undefined) ?? [];
  if (!writeListCount(w, levels.length, 'alarm flag level count', v, 'flagLevels')) return;
  for (const l of levels) w.uint(1, l.bit, 'alarm flag bit').uint(1, typeof l.level === 'number' ? l.level : l.level.code, 'alarm flag level');
}

export const BLOCKS_2025: Record<number, BlockCodec> = {
  0x01: { read: readVehicle, write: writeVehicle },
  0x02: { read: readMotors, write: writeMotors },
  0x03: { read: (r) => readFields(r, FUEL_CELL_SYSTEM_FIELDS_2025, 'fuel-cell system'), write: (w, v: Record_) => writeFields(w, FUEL_CELL_SYSTEM_FIELDS_2025, v, 'fuelCell') },
  0x04: { read: (r) => readFields(r, ENGINE_FIELDS_2025, 'engine'), write: (w, v: Record_) => writeFields(w, ENGINE_FIELDS_2025, v, 'engine') },
  0x05: { read: (r) => readPosition(r, true), write: (w, v: Record_) => writePosition(w, v, true) },
  0x06: { read: readAlarm2025, write: writeAlarm2025 },
  0x07: { read: readPackVoltages, write: writePackVoltages },
  0x08: { read: (r) => readTemperatureGroups(r, 'packs', 'pack'), write: (w, v: Record_) => writeTemperatureGroups(w, v, 'packs', 'pack') },
  0x30: { read: readStacks, write: writeStacks },
  0x31: { read: readSupercapacitor, write: writeSupercapacitor },
  0x32: { read: (r) => readFields(r, SUPERCAPACITOR_EXTREMES_2025, 'supercapacitor extremes'), write: (w, v: Record_) => writeFields(w, SUPERCAPACITOR_EXTREMES_2025, v, 'supercapacitorExtremes') },
};
