/**
 * GB/T 32960.3-2016 information types of the realtime/reissue data unit (table 8 + appendix B).
 */
import { named } from '../enum-table';
import { Reader, Writer, markerOf, markerRaw } from './binary';
import { readCount, readCounted, readFields, readList, unscale, writeCounted, writeFields, writeList, type Marker, type Record_ } from './fields';

/** Where a block reader puts a marker that has no place inside its value (a count of a list), and the writer finds it. */
export type BlockContext = { markers?: Record<string, Marker> };
import {
  ALARM_FLAGS, ALARM_LEVELS, COORDINATE_SYSTEMS, ENGINE_FIELDS, EXTREME_FIELDS, FUEL_CELL_HEAD, FUEL_CELL_TAIL, MOTOR_FIELDS, VEHICLE_FIELDS, VOLTAGE_SUBSYSTEM_HEAD,
} from './tables';


export function readGear(raw: number): Record<string, unknown> {
  const low = raw & 0x0f;
  const gear = low === 0 ? 'N' : low === 0x0d ? 'R' : low === 0x0e ? 'D' : low === 0x0f ? 'P' : low;
  return { code: raw, gear, driving: (raw & 0x20) !== 0, braking: (raw & 0x10) !== 0 };
}

function readVehicle(r: Reader): Record_ {
  const v = readFields(r, VEHICLE_FIELDS, 'vehicle');
  v.gear = readGear(v.gear as number);
  return v;
}

function writeVehicle(w: Writer, v: Record_): void {
  const gear = v.gear as { code?: number } | number;
  writeFields(w, VEHICLE_FIELDS, { ...v, gear: typeof gear === 'number' ? gear : gear?.code }, 'vehicle');
}

export function readMotors(r: Reader): Record_[] {
  const n = r.uint(1, 'motors.count');
  const out: Record_[] = [];
  for (let i = 0; i < n; i++) out.push(readFields(r, MOTOR_FIELDS, `motors[${i}]`));
  return out;
}

export function writeMotors(w: Writer, motors: Record_[]): void {
  w.uint(1, motors.length, 'motors.count');
  motors.forEach((m, i) => writeFields(w, MOTOR_FIELDS, m, `motors[${i}]`));
}

function readFuelCell(r: Reader): Record_ {
  const v = readFields(r, FUEL_CELL_HEAD, 'fuelCell');
  readCounted(r, v, 'probeCount', 'probeTemperatures', 1, 40, 1);
  const { markers, ...tail } = readFields(r, FUEL_CELL_TAIL, 'fuelCell');
  Object.assign(v, tail);
  if (markers) v.markers = { ...v.markers, ...markers };
  return v;
}

function writeFuelCell(w: Writer, v: Record_): void {
  writeFields(w, FUEL_CELL_HEAD, v, 'fuelCell');
  writeCounted(w, v, 'probeCount', 'probeTemperatures', 1, 40, 1);
  writeFields(w, FUEL_CELL_TAIL, v, 'fuelCell');
}

/** Position (table 14); the 2025 edition adds a coordinate-system byte after the status. */
export function readPosition(r: Reader, coordinates = false): Record_ {
  const status = r.uint(1, 'position.status');
  const system = coordinates ? named(COORDINATE_SYSTEMS, r.uint(1, 'position.coordinateSystem')) : undefined;
  const lng = r.uint(4, 'position.longitude');
  const lat = r.uint(4, 'position.latitude');
  const west = (status & 0x04) !== 0;
  const south = (status & 0x02) !== 0;
  const out: Record_ = { status, valid: (status & 0x01) === 0, south, west };
  if (system) out.coordinateSystem = system;
  const lngMarker = markerOf(4, lng);
  const latMarker = markerOf(4, lat);
  out.longitude = lngMarker ? null : (west ? -1 : 1) * lng / 1e6;
  out.latitude = latMarker ? null : (south ? -1 : 1) * lat / 1e6;
  if (lngMarker || latMarker) out.markers = { ...(lngMarker ? { longitude: lngMarker } : {}), ...(latMarker ? { latitude: latMarker } : {}) };
  return out;
}

export function writePosition(w: Writer, v: Record_, coordinates = false): void {
  const status = typeof v.status === 'number' ? v.status : ((v.valid === false ? 1 : 0) | (v.south ? 2 : 0) | (v.west ? 4 : 0));
  w.uint(1, status, 'position.status');
  if (coordinates) w.uint(1, unscale(v.coordinateSystem, { name: 'coordinateSystem', width: 1, factor: 1, offset: 0, decimals: 0, enumTable: COORDINATE_SYSTEMS }, 'position'), 'position.coordinateSystem');
  for (const k of ['longitude', 'latitude'] as const) {
    const marker = v.markers?.[k];
    w.uint(4, marker ? markerRaw(4, marker) : Math.round(Math.abs(Number(v[k])) * 1e6), `position.${k}`);
  }
}

const FAULT_LISTS = ['storageFaults', 'motorFaults', 'engineFaults', 'otherFaults'] as const;

/**
 * Named flags from the alarm DWORD, one per bit of the flag table. (A version compiled from source
 * text measured no faster in bench/decode-micro.ts.)
 */
export function flagsReader(flags: ReadonlyArray<readonly [string, string]>): (f: number) => Record<string, boolean> {
  return (f) => {
    const out: Record<string, boolean> = {};
    flags.forEach(([key], bit) => { out[key] = ((f >>> bit) & 1) === 1; });
    return out;
  };
}
const alarmFlags = flagsReader(ALARM_FLAGS);

export function readAlarm(r: Reader, levels = ALARM_LEVELS, flagsOf = alarmFlags): Record_ {
  const levelRaw = r.uint(1, 'alarm max level');
  const levelMarker = markerOf(1, levelRaw);
  const flagsRaw = r.uint(4, 'alarm flags');
  const out: Record_ = { maxLevel: levelMarker ? null : named(levels, levelRaw), flagsRaw, flags: flagsOf(flagsRaw), storageFaults: null, motorFaults: null, engineFaults: null, otherFaults: null };
  let markers: Record<string, Marker> | undefined = levelMarker ? { maxLevel: levelMarker } : undefined;
  for (const list of FAULT_LISTS) {
    const count = readCount(r, 1, 'alarm fault count');
    if (count.marker) (markers ??= {})[list] = count.marker;
    // Fault codes are the maker's DWORDs (table 17): no value is a marker, FFFFFFFE included.
    r.need(4 * count.n, 'alarm fault codes');
    const codes = new Array<number>(count.n);
    for (let i = 0; i < count.n; i++) codes[i] = r.uint(4, 'alarm fault code');
    out[list] = codes;
  }
  if (markers) out.markers = markers;
  return out;
}

export function writeAlarm(w: Writer, v: Record_, levels = ALARM_LEVELS, flagTable = ALARM_FLAGS): void {
  const levelMarker = v.markers?.maxLevel;
  w.uint(1, levelMarker ? markerRaw(1, levelMarker) : unscale(v.maxLevel, { name: 'maxLevel', width: 1, factor: 1, offset: 0, decimals: 0, enumTable: levels }, 'alarm'), 'alarm.maxLevel');
  let flags = typeof v.flagsRaw === 'number' ? v.flagsRaw : 0;
  if (typeof v.flagsRaw !== 'number') {
    const named_ = (v.flags ?? {}) as Record<string, boolean>;
    flagTable.forEach(([key], bit) => { if (named_[key]) flags |= 1 << bit; });
    flags >>>= 0;
  }
  w.uint(4, flags, 'alarm.flags');
  for (const list of FAULT_LISTS) {
    const marker = v.markers?.[list];
    const codes = (v[list] as number[] | undefined) ?? [];
    w.uint(1, marker ? markerRaw(1, marker) : codes.length, `alarm.${list}.count`);
    if (!marker) for (const c of codes) w.uint(4, c, `alarm.${list}`);
  }
}

// Hot paths below add properties to the objects they create instead of spreading them: V8 makes
// spread results slow to extend, and these run for every subsystem of every frame.

export function readSubsystems(r: Reader, what: string, item: (i: number) => Record_, key = 'subsystems'): Record_ {
  const count = readCount(r, 1, what);
  const list: Record_[] = [];
  for (let i = 0; i < count.n; i++) list.push(item(i));
  const out: Record_ = { [key]: list };
  if (count.marker) out.markers = { count: count.marker };
  return out;
}

function readVoltages(r: Reader): Record_ {
  return readSubsystems(r, 'voltages count', () => {
    const sub = readFields(r, VOLTAGE_SUBSYSTEM_HEAD, 'voltages subsystem');
    const m = r.uint(1, 'voltages frame cell count');
    sub.frameCells = m;
    sub.cellVoltages = readList(r, m, 2, 0, 0.001, 'cellVoltages', sub);
    return sub;
  });
}

function writeVoltages(w: Writer, v: Record_): void {
  const subs = (v.subsystems as Record_[] | undefined) ?? [];
  const marker = v.markers?.count;
  w.uint(1, marker ? markerRaw(1, marker) : subs.length, 'voltages.count');
  if (marker) return;
  subs.forEach((s, i) => {
    writeFields(w, VOLTAGE_SUBSYSTEM_HEAD, s, `voltages[${i}]`);
    const cells = (s.cellVoltages as Array<number | null> | undefined) ?? [];
    w.uint(1, cells.length, `voltages[${i}].frameCells`);
    writeList(w, cells, 2, 0, 0.001, 'cellVoltages', s.markers);
  });
}

/**
 * Temperature probes by group: 2016 RESS subsystems (0x09) and 2025 battery packs (0x08) share
 * the layout count, then [number, probe count WORD, temperatures].
 */
export function readTemperatureGroups(r: Reader, key: string, idKey: string): Record_ {
  return readSubsystems(r, `temperatures ${key} count`, () => {
    const group: Record_ = { [idKey]: r.uint(1, `temperatures ${idKey}`) };
    readCounted(r, group, 'probeCount', 'temperatures', 1, 40, 1);
    return group;
  }, key);
}

export function writeTemperatureGroups(w: Writer, v: Record_, key: string, idKey: string): void {
  const groups = (v[key] as Record_[] | undefined) ?? [];
  const marker = v.markers?.count;
  w.uint(1, marker ? markerRaw(1, marker) : groups.length, `temperatures ${key} count`);
  if (marker) return;
  for (const g of groups) {
    w.uint(1, g[idKey] as number, `temperatures ${idKey}`);
    writeCounted(w, g, 'probeCount', 'temperatures', 1, 40, 1);
  }
}

export type BlockCodec = { read(r: Reader, out: BlockContext): unknown; write(w: Writer, v: never, data: BlockContext): void };
export const BLOCKS_2016: Record<number, BlockCodec> = {
  0x01: { read: readVehicle, write: writeVehicle },
  0x02: { read: readMotors, write: writeMotors },
  0x03: { read: readFuelCell, write: writeFuelCell },
  0x04: { read: (r) => readFields(r, ENGINE_FIELDS, 'engine'), write: (w, v: Record_) => writeFields(w, ENGINE_FIELDS, v, 'engine') },
  0x05: { read: (r) => readPosition(r), write: (w, v: Record_) => writePosition(w, v) },
  0x06: { read: (r) => readFields(r, EXTREME_FIELDS, 'extremes'), write: (w, v: Record_) => writeFields(w, EXTREME_FIELDS, v, 'extremes') },
  0x07: { read: (r) => readAlarm(r), write: (w, v: Record_) => writeAlarm(w, v) },
  0x08: { read: readVoltages, write: writeVoltages },
  0x09: { read: (r) => readTemperatureGroups(r, 'subsystems', 'subsystem'), write: (w, v: Record_) => writeTemperatureGroups(w, v, 'subsystems', 'subsystem') },
};

