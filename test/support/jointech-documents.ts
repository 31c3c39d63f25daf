/**
 * Every Jointech frame and payload the documents show, as rows with their source: the seed
 * documents (/work/shared/seeds/000: "数据推送服务说明" = data push service, sections 1-5; "MQTT规则配置说明"
 * = MQTT rule description, sections 3.1-3.6) and the research notes (protocols.md A.2, A.3).
 * The expected values are the documents' own: frames as printed, times as the UTC they name,
 * enumerations by their code and the document's Chinese name.
 */
import { jointechSamples as S } from '../../tools/samples';

const SEED = 'seed 000';
const PUSH = `${SEED} data push service (数据推送服务说明)`;
const MQTT = `${SEED} MQTT rule description (MQTT规则配置说明)`;
const A2 = 'protocols.md A.2';

/** A command fed to lock-command and the exact frame expected on download/{accessKey}/{device}/cmd (serial as 001). */
export interface CommandRow {
  source: string;
  /** The catalogue entry the row checks; rows without one are frames the node must pass through unchanged. */
  catalogue?: string;
  input: Record<string, unknown>;
  frame: string;
}

export const COMMAND_ROWS: CommandRow[] = [
  {
    source: `${MQTT} 3.6 服务器指令下发, example`,
    catalogue: 'BASE1',
    input: { device: '794308010642', command: 'BASE1' },
    frame: '(794308010642,1,001,BASE,1)',
  },
  {
    source: `${A2} JointCloud app example "(79100500005,1,001,BASE,1)"`,
    input: { payload: '(79100500005,1,001,BASE,1)' },
    frame: '(79100500005,1,001,BASE,1)',
  },
  {
    source: `${A2} BASE2 row (UTC yyyyMMddHHmmss) with the time of ${PUSH} 4 (指令应答数据) "20220901081402"`,
    catalogue: 'BASE2',
    input: { device: '742207000010', command: 'BASE2', params: ['20220901081402'] },
    frame: '(742207000010,1,001,BASE,2,20220901081402)',
  },
  {
    source: `${A2} BASE6 row: FOperationType 1 (set), FUpLoadInterval 5-600 s, FAwakenInterval 30-1440 min`,
    catalogue: 'BASE6',
    input: { device: '8130630001', command: 'BASE6', params: { uploadInterval: 5, wakeInterval: 1440 } },
    frame: '(8130630001,1,001,BASE,6,1,5,1440)',
  },
  {
    source: `${A2} BASE6 row: FOperationType 0 (query)`,
    catalogue: 'BASE6',
    input: { device: '8130630001', command: 'BASE6', operation: 0 },
    frame: '(8130630001,1,001,BASE,6,0)',
  },
  {
    source: `${A2} BASE8 row: FTimeDifference -720…780 min (default 480)`,
    catalogue: 'BASE8',
    input: { device: '8130630001', command: 'BASE8', params: { timeDifference: 480 } },
    frame: '(8130630001,1,001,BASE,8,1,480)',
  },
  {
    source: `${A2} BASE8 row: lowest offset -720`,
    catalogue: 'BASE8',
    input: { device: '8130630001', command: 'BASE8', params: [-720] },
    frame: '(8130630001,1,001,BASE,8,1,-720)',
  },
  {
    source: `${A2} BASE21 row, fields in the console's order (FSpeedUp, FSlowDown, FShockModel, FLowPower, FAwakenWork, FAwakenSource, FSleepTime, FSleepModel)`,
    catalogue: 'BASE21',
    input: { device: '8130630001', command: 'BASE21', params: [5, 15, 1, 5, 2, 0, 10, 5] },
    frame: '(8130630001,1,001,BASE,21,1,5,15,1,5,2,0,10,5)',
  },
  {
    source: `${A2} GSENS2 row: set FAlarmValue 500-8000 mg, FAwakenValue 63-504 mg`,
    catalogue: 'GSENS2',
    input: { device: '700160818000', command: 'GSENS2', params: { alarmValue: 500, awakenValue: 80 } },
    frame: '(700160818000,1,001,GSENS,2,1,500,80)',
  },
  {
    source: `${A2} GSENS2 text example "(id,1,001,GSENS,2,0,500,80)" (AT100G server)`,
    input: { payload: '(700160818000,1,001,GSENS,2,0,500,80)' },
    frame: '(700160818000,1,001,GSENS,2,0,500,80)',
  },
  {
    source: `${A2} BASE11 "debug" example "(id,1,001,BASE,11,123)"`,
    input: { payload: '(700160818000,1,001,BASE,11,123)' },
    frame: '(700160818000,1,001,BASE,11,123)',
  },
  {
    source: `${A2} ELOCK2 row: FRemindTime 60-600 s`,
    catalogue: 'ELOCK2',
    input: { device: '8130630001', command: 'ELOCK2', params: { remindTime: 60 } },
    frame: '(8130630001,1,001,ELOCK,2,1,60)',
  },
  {
    source: `${A2} WLNET: "(master,1,NNN,WLNET,1,1,<count>,<id1>,…)" binds`,
    catalogue: 'WLNET1',
    input: { device: '7500313609', command: 'WLNET1', params: { subLocks: 'E017668836 E03B60000A' } },
    frame: '(7500313609,1,001,WLNET,1,1,2,E017668836,E03B60000A)',
  },
  {
    source: `${A2} WLNET: "count 0 unbinds all"`,
    catalogue: 'WLNET1',
    input: { device: '7500313609', command: 'WLNET1', operation: 1 },
    frame: '(7500313609,1,001,WLNET,1,1,0)',
  },
  {
    source: `${A2} WLNET: "(master,1,NNN,WLNET,1,0)" queries the bound peripherals`,
    catalogue: 'WLNET1',
    input: { device: '7500313609', command: 'WLNET1' },
    frame: '(7500313609,1,001,WLNET,1,0)',
  },
  {
    source: `${A2} WLNET8, the manual's example (set, unlock, minutes, id), from named parameters as examples/lock-command.json sends it`,
    catalogue: 'WLNET8',
    input: { payload: { device: '7500313609', command: 'WLNET8', params: { holdMinutes: 5, subLock: 'E017668836' } } },
    frame: '(7500313609,1,001,WLNET,8,1,1,5,E017668836)',
  },
  {
    source: `${A2} WLNET8, the manual's example as a raw frame`,
    input: { payload: '(7500313609,1,001,WLNET,8,1,1,5,E017668836)' },
    frame: '(7500313609,1,001,WLNET,8,1,1,5,E017668836)',
  },
  {
    source: `${A2} WLNET: "WLNET,18,1,<beatSec>,<alarmSec>" (0 = off; otherwise 5-86400)`,
    catalogue: 'WLNET18',
    input: { device: '7500313609', command: 'WLNET18', params: { heartbeat: 0, lossAlarm: 86400 } },
    frame: '(7500313609,1,001,WLNET,18,1,0,86400)',
  },
  {
    source: `${A2} WLNET: "WLNET,18,0" queries`,
    catalogue: 'WLNET18',
    input: { device: '7500313609', command: 'WLNET18', operation: 0 },
    frame: '(7500313609,1,001,WLNET,18,0)',
  },
];

/** A document reply answering a command lock-command sent: which output it leaves on, with which fields. */
export interface ReplyRow {
  source: string;
  request: Record<string, unknown>;
  /** The reply exactly as the document prints it (serial included). */
  reply: Record<string, unknown>;
  output: 0 | 1;
  expect: Record<string, unknown>;
}

export const REPLY_ROWS: ReplyRow[] = [
  {
    source: `${MQTT} 3.4 指令应答上报, normal reply (正常回复) to BASE1`,
    request: { device: '794308010642', command: 'BASE1' },
    reply: S.mqtt.cmd!.payload,
    output: 0,
    expect: {
      ok: true,
      commandType: 'BASE1',
      dateTime: '2025-02-07T03:52:39.964Z',
      dateTimeMs: Date.UTC(2025, 1, 7, 3, 52, 39, 964),
      fields: {
        firmware: 'JT709A_20241115_HW-V1.2_RFID_7600_V2_8', flag: '0', manufacturer: 'Jointech', module: 'LE20B05SIM7600M21-A_CUS_JT',
        iccid: '898604B81022C1046673', imei: '868822046635957', mcc: '460', mnc: '0', cellId: '188975300', lac: '10352',
      },
    },
  },
  {
    source: `${PUSH} 4 指令应答数据, BASE2 reply`,
    request: { device: '742207000010', command: 'BASE2', params: ['20220901081402'] },
    reply: S.webhook.cmd,
    output: 0,
    expect: { ok: true, commandType: 'BASE2', dateTime: '2022-09-01T08:14:03.564Z', fields: { time: '20220901081402' } },
  },
  {
    source: `${A2} WLNET8: "(id,1,001,WLNET,8,0,E03B60000A)" is the unlock reply, in the envelope of ${MQTT} 3.4 / protocols.md A.3`,
    request: { device: '7500313609', command: 'WLNET8', params: { holdMinutes: 5, subLock: 'E03B60000A' } },
    // The envelope's dateTime is not in the document: any UTC time of the documented form.
    reply: { assetId: '7500313609', commandType: 'WLNET8', content: JSON.stringify(['7500313609', '1', '001', 'WLNET', '8', '0', 'E03B60000A']), dateTime: '2025-02-07T07:30:00.000Z' },
    output: 0,
    expect: { ok: true, commandType: 'WLNET8', 'frame.command': 'WLNET8', fields: { result: '0', subLock: 'E03B60000A' } },
  },
  {
    source: `${MQTT} 3.4 failure reply (失败回复) "Device not online！"`,
    request: { device: '8294630003', command: 'BASE1' },
    reply: S.mqtt.cmdOffline!.payload,
    output: 1,
    expect: { ok: false, failure: 'device-offline', error: 'Device not online！', dateTime: '2025-01-07T09:49:43.158Z' },
  },
  {
    source: `${MQTT} 3.4 failure reply (失败回复) "Device has not been registered！"`,
    request: { device: '8294630481', command: 'BASE1' },
    reply: S.mqtt.cmdUnregistered!.payload,
    output: 1,
    expect: { ok: false, failure: 'device-unregistered', error: 'Device has not been registered！', dateTime: '2025-01-07T09:48:32.975Z' },
  },
];

/** An enumeration as the document gives it: its code and Chinese name. */
export const doc = (code: number, zh: string | null) => ({ code, zh });

/** A push published on its upload topic to jointech-in, and the decoded fields expected. */
export interface PushRow {
  source: string;
  type: 'location' | 'alarm' | 'event' | 'cmd' | 'sublock';
  body: Record<string, unknown>;
  /** Expected payload fields; an enumeration is given as doc(code, zh) and compared on those two. */
  expect: Record<string, unknown>;
}

const JT802_STATUS = '{"bottomDisassembly":0,"emergencyKey":0,"lockMotor":0,"structuralDisassembly":0,"gateway":0,"lockValve":0}';

export const PUSH_ROWS: PushRow[] = [
  {
    source: `${PUSH} 1 定位数据, JSON字符串示例`,
    type: 'location',
    body: S.webhook.location,
    expect: {
      assetId: '8022300001', longitude: 0, latitude: 0, speed: 0, direction: 0, mileage: 16,
      gpsTime: '2022-09-01T08:59:56.000Z', gpsTimeMs: Date.UTC(2022, 8, 1, 8, 59, 56),
      recvTime: '2022-09-01T08:59:56.964Z', recvTimeMs: Date.UTC(2022, 8, 1, 8, 59, 56, 964),
      locType: doc(0, '不定位'), cellSignal: 19, gnssSignal: 0, cells: { mcc: 460, mnc: 0, lac: 9383, cid: 220792647 },
      battery: 100, charging: false, voltage: 0, ksInfo: null,
      'statusJson.lockBar': { code: -1, zh: null }, 'statusJson.lockRope': doc(0, '插入'), 'statusJson.lockStatus': doc(0, '关'),
      'expandInfo.temperature': null, 'expandInfo.humidity': 0, 'expandInfo.lux': 0, 'expandInfo.pressure': 0, 'expandInfo.angle': null,
      'expandInfo.fuels': [null, null, null], 'expandInfo.backBattery': null,
      'expandInfo.networkType': doc(0, '未知'), 'expandInfo.reportType': doc(0, '实时'),
    },
  },
  {
    source: `${PUSH} 1 定位数据, ksInfo example (KS20A设备信息JSON)`,
    type: 'location',
    body: { ...S.webhook.location, ksInfo: S.webhook.ksInfo },
    expect: {
      'ksInfo.temperature': 36, 'ksInfo.humidity': 0, 'ksInfo.volStatus': doc(0, 'LED电压正常'), 'ksInfo.volValue': 23.5,
      'ksInfo.eleStatus': doc(0, 'LED电流正常'), 'ksInfo.eleValue': 3.48, 'ksInfo.shakeStatus': doc(1, '摇晃'),
      'ksInfo.angVelocity': 21000, 'ksInfo.posture': { x: 0, y: 0, z: 230 }, 'ksInfo.vibrate': 0, 'ksInfo.subLockId': '022408000000',
      'ksInfo.luminance1': 50, 'ksInfo.subInfo': { 112408000035: { dateTime: '2025-05-14T09:39:03Z', humidity: 60, lux: 0, subId: '112408000035', temperature: 29.3 } },
    },
  },
  {
    source: `${PUSH} 1 锁/车载状态JSON, StatusJson class (Java): lockBar 2 = 弯曲 (bent)`,
    type: 'location',
    body: { ...S.webhook.location, statusJson: '{"lockBar":2,"lockRope":1,"lockStatus":1,"acc":1,"fuelCut":0,"door":-1,"engine":1}' },
    expect: {
      'statusJson.lockBar': doc(2, '弯曲'), 'statusJson.lockRope': doc(1, '拔出'), 'statusJson.lockStatus': doc(1, '开'),
      'statusJson.acc': doc(1, '开'), 'statusJson.fuelCut': doc(0, '关'), 'statusJson.door': doc(-1, '无'), 'statusJson.engine': doc(1, '开'),
    },
  },
  ...([[0, '未知'], [1, '在线'], [3, '锯断'], [4, '丢失']] as const).map(([code, zh]): PushRow => ({
    source: `${PUSH} StatusJson class (Java): lockBar ${code} = ${zh}`,
    type: 'location',
    body: { ...S.webhook.location, statusJson: `{"lockBar":${code}}` },
    expect: { 'statusJson.lockBar': doc(code, zh) },
  })),
  {
    source: `${PUSH} 2 报警数据, 推送JSON示例`,
    type: 'alarm',
    body: S.webhook.alarm,
    expect: {
      assetId: '875011000025', alarmType: doc(46, '开后盖'), dateTime: '2020-04-01T00:00:13.000Z', dateTimeMs: Date.UTC(2020, 3, 1, 0, 0, 13),
      longitude: 0, latitude: 0, speed: 0, mileage: 0, cells: null, describe: '', fileIndex: '1585699212',
    },
  },
  {
    source: `${PUSH} 3 事件数据, 推送JSON示例`,
    type: 'event',
    body: S.webhook.event,
    expect: {
      assetId: '795206001104', eventType: doc(1, '开锁'), unLockType: doc(1, '刷卡开锁'), dateTime: '2022-08-19T02:07:28.000Z',
      mileage: 5, cells: { mcc: 460, mnc: 0, lac: 10352, cid: 220726855 }, card: '0003116836', password: '', fileIndex: '1767002445',
      describe: { waybillGUID: '190db1a2-3df1-4857-b94e-ee5937334409', waybillNo: '45435345' },
    },
  },
  {
    source: `${PUSH} 4 指令应答数据, 推送JSON示例`,
    type: 'cmd',
    body: S.webhook.cmd,
    expect: {
      assetId: '742207000010', commandType: 'BASE2', ok: true, dateTime: '2022-09-01T08:14:03.564Z',
      content: ['742207000010', '8', '001', 'BASE', '2', '20220901081402'],
      frame: { deviceId: '742207000010', protocol: '8', serial: '001', word: 'BASE', index: '2', command: 'BASE2', params: ['20220901081402'] },
    },
  },
  {
    source: `${PUSH} 5 从机数据, JSON字符串示例`,
    type: 'sublock',
    body: S.webhook.sublock,
    expect: {
      assetId: '8012600005', subAssetID: 'E0171E0365', longitude: 113.92294, latitude: 22.670017,
      gpsTime: '2023-12-07T08:30:31.000Z', recvTime: '2023-12-07T08:30:52.474Z',
      subGpsTime: '2023-12-07T08:29:50.000Z', subGpsTimestamp: 1701937790000,
      battery: 71, charging: false, voltage: 3.93, sensorType: doc(4, 'JT709'), locStatus: doc(0, '关'), locRope: doc(0, '插入'),
      rssi: 57, temperature: null, humidity: null, eventType: doc(6, '心跳包事件'), locTimes: 5,
      'statusJson.lockRope': doc(0, '插入'), 'statusJson.gateway': 0,
    },
  },
  {
    source: `${PUSH} 5 statusJson字段说明 (JT802 FStatusJson example)`,
    type: 'sublock',
    body: { ...S.webhook.sublock, sensorType: 6, statusJson: JT802_STATUS },
    expect: {
      sensorType: doc(6, 'JT802'),
      'statusJson.bottomDisassembly': doc(0, '无拆卸'), 'statusJson.emergencyKey': doc(0, '封存'), 'statusJson.lockMotor': doc(0, '电机关'),
      'statusJson.structuralDisassembly': doc(0, '无拆卸'), 'statusJson.lockValve': doc(0, '关闭'), 'statusJson.gateway': 0,
    },
  },
  {
    source: `${MQTT} 3.1 终端状态上报, 示例`,
    type: 'location',
    body: S.mqtt.location!.payload,
    expect: {
      assetId: '8052400203', battery: null, charging: true, cellSignal: 31, cells: { mcc: 460, mnc: 0, lac: 10352, cid: 188975300 },
      gpsTime: '2025-02-07T07:26:30.000Z', recvTime: '2025-02-07T07:25:20.832Z', latitude: 22.6700711039462, longitude: 113.922999834147,
      locType: doc(2, '基站定位'), mileage: 0, voltage: 0,
      'statusJson.lockRope': doc(0, '插入'), 'statusJson.lockStatus': doc(0, '关'),
      'expandInfo.lux': null, 'expandInfo.pressure': null, 'expandInfo.reportType': null, 'expandInfo.temperature': null,
    },
  },
  {
    source: `${MQTT} 3.2 终端报警上报, 示例`,
    type: 'alarm',
    body: S.mqtt.alarm!.payload,
    expect: {
      assetId: '8454601010', alarmType: doc(44, '刷非法卡'), dateTime: '2020-04-01T00:00:25.000Z',
      cells: { mcc: 460, mnc: 0, lac: 9383, cid: 149428936 }, fileIndex: '1585728025', mileage: 59,
    },
  },
  {
    source: `${MQTT} 3.3 终端事件上报, 示例`,
    type: 'event',
    body: S.mqtt.event!.payload,
    expect: { assetId: '8454601010', eventType: doc(1, '开锁'), unLockType: doc(2, '远程开锁'), dateTime: '2025-02-07T06:54:52.000Z', card: '', describe: '' },
  },
  {
    source: `${MQTT} 3.4 指令应答上报, 正常回复`,
    type: 'cmd',
    body: S.mqtt.cmd!.payload,
    expect: { assetId: '794308010642', commandType: 'BASE1', ok: true, dateTime: '2025-02-07T03:52:39.964Z', 'frame.serial': '001', 'frame.protocol': '8', 'frame.command': 'BASE1' },
  },
  {
    source: `${MQTT} 3.4 失败回复 (Device not online)`,
    type: 'cmd',
    body: S.mqtt.cmdOffline!.payload,
    expect: { assetId: '8294630003', commandType: 'MQTT_CMD', ok: false, failure: 'device-offline', error: 'Device not online！', frame: null },
  },
  {
    source: `${MQTT} 3.4 失败回复 (Device has not been registered)`,
    type: 'cmd',
    body: S.mqtt.cmdUnregistered!.payload,
    expect: { assetId: '8294630481', ok: false, failure: 'device-unregistered', dateTime: '2025-01-07T09:48:32.975Z' },
  },
  {
    source: `${MQTT} 3.5 从机状态上报, 示例`,
    type: 'sublock',
    body: S.mqtt.sublock!.payload,
    expect: {
      assetId: '8052400203', subAssetID: 'E0171E0366', battery: 41, eventType: doc(3, '远程开锁事件'), locTimes: 54, rssi: 15,
      gpsTime: '2025-02-07T07:16:07.000Z', recvTime: '2025-02-07T07:14:57.315Z',
      subGpsTime: '2025-02-07T07:15:14.000Z', subGpsTimestamp: 1738912514000, sensorType: doc(4, 'JT709'), voltage: 3.75,
    },
  },
];
