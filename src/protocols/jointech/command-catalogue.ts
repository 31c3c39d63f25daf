/**
 * The Jointech commands the platform documents and the protocol manuals name (protocols.md A.2),
 * with their parameters and ranges. Plain data with no imports: the runtime validates with it and
 * the edit dialog builds its forms from it.
 */

/** One parameter of a catalogued command, as the edit dialog and the validator see it. */
export type ParamSpec =
  | { name: string; en: string; zh: string; kind: 'int'; min: number; max: number; unit?: string; zeroOff?: boolean; optional?: boolean }
  | {
    name: string; en: string; zh: string; kind: 'text'; pattern: string; example: string; optional?: boolean;
    /** A space-separated list sent as its count followed by its items; an empty list sends count 0. */
    counted?: boolean;
  }
  | { name: string; en: string; zh: string; kind: 'utc-time'; optional?: boolean };

export interface CommandSpec {
  word: string;
  index: number;
  en: string;
  zh: string;
  /** The first parameter is the operation: 1 = set (send the parameters), 0 = query (send none). */
  operation?: boolean;
  /** Fixed fields sent after the operation flag of a set and before the parameters (WLNET8: 1 = unlock). */
  fixed?: string[];
  params: ParamSpec[];
  /** Names for the reply's fields after WORD and index, where the documents show them. */
  reply?: string[];
}

const int = (name: string, en: string, zh: string, min: number, max: number, extra: Partial<Extract<ParamSpec, { kind: 'int' }>> = {}): ParamSpec =>
  ({ name, en, zh, kind: 'int', min, max, ...extra });

/**
 * The commands the platform documents and the protocol manuals name (protocols.md A.2). Each
 * entry's frame is checked against its document row in test/protocols/jointech-document-table.ts.
 */
export const COMMANDS: Record<string, CommandSpec> = {
  BASE1: {
    word: 'BASE', index: 1, en: 'Query firmware version', zh: '查询版本信息', params: [],
    reply: ['firmware', 'flag', 'manufacturer', 'module', 'iccid', 'imei', 'mcc', 'mnc', 'cellId', 'lac'],
  },
  BASE2: {
    word: 'BASE', index: 2, en: 'Set device time (UTC)', zh: '校时（UTC）',
    params: [{ name: 'time', en: 'UTC time, yyyyMMddHHmmss (empty: now)', zh: 'UTC 时间 yyyyMMddHHmmss（留空为当前时间）', kind: 'utc-time', optional: true }],
    reply: ['time'],
  },
  BASE6: {
    word: 'BASE', index: 6, en: 'Upload and wake-up intervals', zh: '上传间隔与休眠唤醒间隔', operation: true,
    params: [
      int('uploadInterval', 'Upload interval', '数据上传间隔', 5, 600, { unit: 's' }),
      int('wakeInterval', 'Sleep wake-up interval', '休眠自动唤醒间隔', 30, 1440, { unit: 'min' }),
    ],
    reply: ['operation', 'uploadInterval', 'wakeInterval'],
  },
  BASE8: {
    word: 'BASE', index: 8, en: 'Local time offset', zh: '本地时区偏移', operation: true,
    params: [int('timeDifference', 'Offset from UTC (480 = UTC+8)', '与 UTC 的偏移（480 = 东八区）', -720, 780, { unit: 'min' })],
    reply: ['operation', 'timeDifference'],
  },
  BASE21: {
    word: 'BASE', index: 21, en: 'Work mode management', zh: '工作模式管理', operation: true,
    params: [
      int('speedUp', 'Report interval when moving', '运动上报间隔', 5, 43200, { unit: 's' }),
      int('slowDown', 'Report interval when still', '静止上报间隔', 15, 43200, { unit: 's' }),
      int('shockModel', 'Shock wake-up (1 on, 2 off)', '震动唤醒（1 开，2 关）', 1, 2),
      int('lowPower', 'Low battery threshold', '低电量阈值', 5, 50, { unit: '%' }),
      int('awakenWork', 'Work time after wake-up', '唤醒后工作时长', 2, 20, { unit: 'min' }),
      int('awakenSource', 'Wake-up source', '唤醒源', 0, 255),
      int('sleepTime', 'Time before sleep', '进入休眠时间', 5, 60, { unit: 'min' }),
      int('sleepModel', 'Sleep threshold', '休眠阈值', 2, 15, { unit: '%' }),
    ],
  },
  GSENS2: {
    word: 'GSENS', index: 2, en: 'Vibration alarm and wake thresholds', zh: '震动报警与唤醒阈值', operation: true,
    params: [
      int('alarmValue', 'Vibration alarm threshold', '震动报警阈值', 500, 8000, { unit: 'mg' }),
      int('awakenValue', 'Wake-up threshold', '唤醒阈值', 63, 504, { unit: 'mg' }),
    ],
    reply: ['operation', 'alarmValue', 'awakenValue'],
  },
  ELOCK2: {
    word: 'ELOCK', index: 2, en: 'Unlock reminder interval', zh: '开锁提醒间隔', operation: true,
    params: [int('remindTime', 'Reminder interval', '提醒间隔', 60, 600, { unit: 's' })],
    reply: ['operation', 'remindTime'],
  },
  WLNET1: {
    word: 'WLNET', index: 1, en: 'Bound peripherals (set replaces the whole list)', zh: '绑定外设（设置会替换整个列表）', operation: true,
    // (master,1,NNN,WLNET,1,1,<count>,<id1>,...): the count comes first; count 0 unbinds all.
    params: [{ name: 'subLocks', en: 'Sub-lock ids, separated by spaces (none: unbind all)', zh: '从机编号，空格分隔（留空：全部解绑）', kind: 'text', pattern: '^[0-9A-Za-z]{4,20}( [0-9A-Za-z]{4,20}){0,19}$', example: 'E017668836 E03B60000A', optional: true, counted: true }],
  },
  WLNET8: {
    word: 'WLNET', index: 8, en: 'Unlock a sub-lock', zh: '从机开锁', operation: true,
    // (7500313609,1,001,WLNET,8,1,1,5,E017668836): set, unlock, minutes, sub-lock id.
    fixed: ['1'],
    params: [
      int('holdMinutes', 'Minutes the master holds the command', '主机保留指令时长', 1, 5, { unit: 'min' }),
      { name: 'subLock', en: 'Sub-lock id', zh: '从机编号', kind: 'text', pattern: '^[0-9A-Za-z]{4,20}$', example: 'E017668836' },
    ],
    reply: ['result', 'subLock'],
  },
  WLNET18: {
    word: 'WLNET', index: 18, en: 'Sub-lock heartbeat and loss alarm', zh: '从机心跳与丢失报警', operation: true,
    params: [
      int('heartbeat', 'Heartbeat interval (0 off)', '心跳间隔（0 关闭）', 5, 86400, { unit: 's', zeroOff: true }),
      int('lossAlarm', 'Loss alarm time (0 off)', '丢失报警时间（0 关闭）', 5, 86400, { unit: 's', zeroOff: true }),
    ],
  },
};

