/**
 * GB/T 32960.3-2016 enumerations and the fixed-layout fields of each information type
 * (tables 3, 9-19 and appendix B), one table each. Decoder and encoder both read these.
 */
import { table } from '../enum-table';
import type { Width } from './binary';

export const COMMANDS = table([
  [0x01, 'Vehicle login', '车辆登入'],
  [0x02, 'Realtime report', '实时信息上报'],
  [0x03, 'Reissue report', '补发信息上报'],
  [0x04, 'Vehicle logout', '车辆登出'],
  [0x05, 'Platform login', '平台登入'],
  [0x06, 'Platform logout', '平台登出'],
  [0x07, 'Heartbeat', '心跳'],
  [0x08, 'Terminal time calibration', '终端校时'],
  [0x80, 'Parameter query', '查询命令'],
  [0x81, 'Parameter set', '设置命令'],
  [0x82, 'Terminal control', '车载终端控制命令'],
]);

export const RESPONSE_FLAGS = table([
  [0x01, 'Success', '成功'],
  [0x02, 'Error', '错误'],
  [0x03, 'VIN duplicate', 'VIN重复'],
  [0xfe, 'Command', '命令'],
]);

export const ENCRYPTION = table([
  [0x01, 'None', '不加密'],
  [0x02, 'RSA', 'RSA'],
  [0x03, 'AES128', 'AES128'],
  [0xfe, 'Abnormal', '异常'],
  [0xff, 'Invalid', '无效'],
]);

const VEHICLE_STATUS = table([[1, 'Started', '车辆启动状态'], [2, 'Off', '熄火'], [3, 'Other', '其他状态']]);
const CHARGING_STATUS = table([[1, 'Parked charging', '停车充电'], [2, 'Driving charging', '行驶充电'], [3, 'Not charging', '未充电状态'], [4, 'Charging complete', '充电完成']]);
const RUNNING_MODE = table([[1, 'Electric', '纯电'], [2, 'Hybrid', '混动'], [3, 'Fuel', '燃油']]);
const WORKING = table([[1, 'Working', '工作'], [2, 'Off', '断开']]);
const MOTOR_STATUS = table([[1, 'Consuming', '耗电'], [2, 'Generating', '发电'], [3, 'Off', '关闭状态'], [4, 'Ready', '准备状态']]);
const ENGINE_STATUS = table([[1, 'On', '启动状态'], [2, 'Off', '关闭状态']]);
export const ALARM_LEVELS = table([
  [0, 'No fault', '无故障'],
  [1, 'Level 1: does not affect driving', '1级故障：不影响车辆正常行驶'],
  [2, 'Level 2: limits performance', '2级故障：影响车辆性能，需驾驶员限制行驶'],
  [3, 'Level 3: stop immediately or call for help', '3级故障：驾驶员应立即停车处理或请求救援'],
]);

/** General alarm flag bits (2016 table 18), bit 0 first. */
export const ALARM_FLAGS: ReadonlyArray<readonly [key: string, zh: string]> = [
  ['temperatureDifference', '温度差异报警'],
  ['batteryHighTemperature', '电池高温报警'],
  ['storageOvervoltage', '车载储能装置类型过压报警'],
  ['storageUndervoltage', '车载储能装置类型欠压报警'],
  ['socLow', 'SOC低报警'],
  ['cellOvervoltage', '单体电池过压报警'],
  ['cellUndervoltage', '单体电池欠压报警'],
  ['socHigh', 'SOC过高报警'],
  ['socJump', 'SOC跳变报警'],
  ['storageMismatch', '可充电储能系统不匹配报警'],
  ['cellConsistencyPoor', '电池单体一致性差报警'],
  ['insulation', '绝缘报警'],
  ['dcdcTemperature', 'DC-DC温度报警'],
  ['brakeSystem', '制动系统报警'],
  ['dcdcStatus', 'DC-DC状态报警'],
  ['motorControllerTemperature', '驱动电机控制器温度报警'],
  ['highVoltageInterlock', '高压互锁状态报警'],
  ['motorTemperature', '驱动电机温度报警'],
  ['storageOvercharge', '车载储能装置类型过充'],
];

/** One fixed-width field: physical value = raw × factor − offset; FE/FF markers unless `plain`. */
export interface Field {
  name: string;
  width: Width;
  factor: number;
  offset: number;
  /** Decimal places of the factor, to round away binary noise. */
  decimals: number;
  enumTable?: ReturnType<typeof table>;
  /** No abnormal/invalid markers for this field (e.g. insulation resistance). */
  plain?: boolean;
}

function f(name: string, width: Width, factor = 1, offset = 0, extra: Partial<Field> = {}): Field {
  const decimals = factor >= 1 ? 0 : Math.round(-Math.log10(factor));
  return { name, width, factor, offset, decimals, ...extra };
}
const e = (name: string, t: ReturnType<typeof table>): Field => f(name, 1, 1, 0, { enumTable: t });

export const VEHICLE_FIELDS: Field[] = [
  e('vehicleStatus', VEHICLE_STATUS),
  e('chargingStatus', CHARGING_STATUS),
  e('runningMode', RUNNING_MODE),
  f('speed', 2, 0.1),
  f('mileage', 4, 0.1),
  f('totalVoltage', 2, 0.1),
  f('totalCurrent', 2, 0.1, 1000),
  f('soc', 1),
  e('dcdcStatus', WORKING),
  f('gear', 1, 1, 0, { plain: true }),
  f('insulationResistance', 2, 1, 0, { plain: true }),
  f('acceleratorPedal', 1),
  f('brakePedal', 1),
];

export const MOTOR_FIELDS: Field[] = [
  f('sequence', 1, 1, 0, { plain: true }),
  e('status', MOTOR_STATUS),
  f('controllerTemperature', 1, 1, 40),
  f('speed', 2, 1, 20000),
  f('torque', 2, 0.1, 2000),
  f('temperature', 1, 1, 40),
  f('controllerVoltage', 2, 0.1),
  f('controllerCurrent', 2, 0.1, 1000),
];

export const FUEL_CELL_HEAD: Field[] = [f('voltage', 2, 0.1), f('current', 2, 0.1), f('fuelConsumption', 2, 0.01)];
export const FUEL_CELL_TAIL: Field[] = [
  f('hydrogenMaxTemperature', 2, 0.1, 40),
  f('hydrogenMaxTemperatureProbe', 1),
  f('hydrogenMaxConcentration', 2),
  f('hydrogenMaxConcentrationSensor', 1),
  f('hydrogenMaxPressure', 2, 0.1),
  f('hydrogenMaxPressureSensor', 1),
  e('dcdcStatus', WORKING),
];

export const ENGINE_FIELDS: Field[] = [e('status', ENGINE_STATUS), f('crankshaftSpeed', 2), f('fuelConsumption', 2, 0.01)];

export const EXTREME_FIELDS: Field[] = [
  f('maxVoltageSubsystem', 1), f('maxVoltageCell', 1), f('maxCellVoltage', 2, 0.001),
  f('minVoltageSubsystem', 1), f('minVoltageCell', 1), f('minCellVoltage', 2, 0.001),
  f('maxTemperatureSubsystem', 1), f('maxTemperatureProbe', 1), f('maxTemperature', 1, 1, 40),
  f('minTemperatureSubsystem', 1), f('minTemperatureProbe', 1), f('minTemperature', 1, 1, 40),
];

export const VOLTAGE_SUBSYSTEM_HEAD: Field[] = [
  f('subsystem', 1, 1, 0, { plain: true }), f('voltage', 2, 0.1), f('current', 2, 0.1, 1000), f('totalCells', 2), f('startCell', 2, 1, 0, { plain: true }),
];

/** Information types of the realtime/reissue data unit (table 8 + B.3), by code. */
export const INFO_TYPES = table([
  [0x01, 'vehicle', '整车数据'],
  [0x02, 'motors', '驱动电机数据'],
  [0x03, 'fuelCell', '燃料电池数据'],
  [0x04, 'engine', '发动机数据'],
  [0x05, 'position', '车辆位置数据'],
  [0x06, 'extremes', '极值数据'],
  [0x07, 'alarm', '报警数据'],
  [0x08, 'voltages', '可充电储能装置电压数据'],
  [0x09, 'temperatures', '可充电储能装置温度数据'],
]);

// ---------------------------------------------------------------------------------------------
// GB/T 32960.3-2025 ("$$" frames): what changed (tables 2-31).

export const RESPONSE_FLAGS_2025 = table([
  [0x01, 'Success', '成功'],
  [0x02, 'Other error', '其他错误'],
  [0x03, 'VIN duplicate', 'VIN重复'],
  [0x04, 'VIN does not exist', 'VIN不存在'],
  [0x05, 'Signature verification error', '验签错误'],
  [0x06, 'Data structure error', '数据结构错误'],
  [0x07, 'Decryption error', '解密错误'],
  [0xfe, 'Command', '命令'],
]);

export const ENCRYPTION_2025 = table([
  [0x01, 'None', '不加密'],
  [0x02, 'RSA', 'RSA'],
  [0x03, 'AES', 'AES'],
  [0x04, 'SM2', 'SM2'],
  [0x05, 'SM4', 'SM4'],
  [0xfe, 'Abnormal', '异常'],
  [0xff, 'Invalid', '无效'],
]);

export const COMMANDS_2025 = table([
  ...[...COMMANDS].map(([code, [en, zh]]) => [code, en, zh] as const),
  [0x09, 'Activation', '激活'],
  [0x0a, 'Activation response', '激活应答'],
  [0x0b, 'Key exchange', '密钥交换'],
]);

export const ALARM_LEVELS_2025 = table([
  ...[...ALARM_LEVELS].map(([code, [en, zh]]) => [code, en, zh] as const),
  [4, 'Level 4: thermal event', '4级故障：热事件'],
]);

/** 2025 general alarm flags (table 24): bits 5, 6, 10, 11 renamed, 19-27 new. */
export const ALARM_FLAGS_2025: ReadonlyArray<readonly [key: string, zh: string]> = [
  ...ALARM_FLAGS.slice(0, 5),
  ['unitOvervoltage', '最小并联单元过压报警'],
  ['unitUndervoltage', '最小并联单元欠压报警'],
  ...ALARM_FLAGS.slice(7, 10),
  ['unitConsistencyPoor', '最小并联单元一致性差报警'],
  ['insulationFailure', '绝缘电阻失效报警'],
  ...ALARM_FLAGS.slice(12, 18),
  ['storageOvercharge', '车载储能装置类型过充报警'],
  ['motorOverspeed', '驱动电机超速报警'],
  ['motorOvercurrent', '驱动电机过流报警'],
  ['supercapacitorOverTemperature', '超级电容器超温报警'],
  ['supercapacitorOvervoltage', '超级电容器过压报警'],
  ['storageThermalEvent', '可充电储能系统热事件报警'],
  ['hydrogenLeak', '氢气泄漏报警'],
  ['hydrogenPressureAbnormal', '车载氢系统压力异常报警'],
  ['hydrogenTemperatureAbnormal', '车载氢系统温度异常报警'],
  ['fuelCellStackOverTemperature', '燃料电池电堆超温报警'],
];

const COORDINATES = table([[1, 'WGS84', 'WGS84'], [2, 'GCJ02', 'GCJ02'], [3, 'Other', '其他']]);
export const COORDINATE_SYSTEMS = COORDINATES;

/** 2025 vehicle (18 bytes): total current offset 3000 A, insulation with markers, no pedal bytes. */
export const VEHICLE_FIELDS_2025: Field[] = [
  ...VEHICLE_FIELDS.slice(0, 9).map((fd) => (fd.name === 'totalCurrent' ? f('totalCurrent', 2, 0.1, 3000) : fd)),
  f('gear', 1, 1, 0, { plain: true }),
  f('insulationResistance', 2),
];

export const MOTOR_FIELDS_2025: Field[] = [
  f('sequence', 1, 1, 0, { plain: true }),
  e('status', MOTOR_STATUS),
  f('controllerTemperature', 1, 1, 40),
  f('speed', 2, 1, 32000),
  f('torque', 4, 0.1, 20000),
  f('temperature', 1, 1, 40),
];

export const FUEL_CELL_SYSTEM_FIELDS_2025: Field[] = [
  f('hydrogenMaxTemperature', 2, 1, 40),
  f('hydrogenMaxTemperatureProbe', 1),
  f('hydrogenMaxConcentration', 2, 0.0001),
  f('hydrogenMaxConcentrationSensor', 1),
  f('hydrogenMaxPressure', 2, 0.1),
  f('hydrogenMaxPressureSensor', 1),
  e('dcdcStatus', WORKING),
  f('hydrogenRemaining', 1),
  f('dcdcControllerTemperature', 1, 1, 40),
];

export const FUEL_CELL_STACK_HEAD_2025: Field[] = [
  f('sequence', 1, 1, 0, { plain: true }),
  f('voltage', 2, 0.1),
  f('current', 2, 0.1),
  f('hydrogenInletPressure', 2, 0.1, 100),
  f('airInletPressure', 2, 0.1, 100),
  f('airInletTemperature', 1, 1, 40),
];

export const ENGINE_FIELDS_2025: Field[] = [f('crankshaftSpeed', 2)];

export const PACK_VOLTAGE_HEAD_2025: Field[] = [f('pack', 1, 1, 0, { plain: true }), f('voltage', 2, 0.1), f('current', 2, 0.1, 3000)];

export const SUPERCAPACITOR_HEAD_2025: Field[] = [f('system', 1, 1, 0, { plain: true }), f('totalVoltage', 2, 0.1), f('totalCurrent', 2, 0.1, 3000)];

export const SUPERCAPACITOR_EXTREMES_2025: Field[] = [
  f('maxVoltageSystem', 1), f('maxVoltageCell', 2), f('maxCellVoltage', 2, 0.001),
  f('minVoltageSystem', 1), f('minVoltageCell', 2), f('minCellVoltage', 2, 0.001),
  f('maxTemperatureSystem', 1), f('maxTemperatureProbe', 2), f('maxTemperature', 1, 1, 40),
  f('minTemperatureSystem', 1), f('minTemperatureProbe', 2), f('minTemperature', 1, 1, 40),
];

/** Information types of the 2025 realtime/reissue data unit (table 9), by code. */
export const INFO_TYPES_2025 = table([
  [0x01, 'vehicle', '整车数据'],
  [0x02, 'motors', '驱动电机数据'],
  [0x03, 'fuelCell', '燃料电池发动机及车载氢系统数据'],
  [0x04, 'engine', '发动机数据'],
  [0x05, 'position', '车辆位置数据'],
  [0x06, 'alarm', '报警数据'],
  [0x07, 'voltages', '动力蓄电池最小并联单元电压数据'],
  [0x08, 'temperatures', '动力蓄电池温度数据'],
  [0x30, 'fuelCellStacks', '燃料电池电堆数据'],
  [0x31, 'supercapacitor', '超级电容器数据'],
  [0x32, 'supercapacitorExtremes', '超级电容器极值数据'],
]);
