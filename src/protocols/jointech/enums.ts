/**
 * Every enumeration of the Jointech push documents (data push service description and MQTT rule
 * description), one table each: code, English name, Chinese name as the document gives it.
 */

import { named, table, type EnumTable, type EnumValue } from '../enum-table';

export { named, type EnumTable, type EnumValue };

/** Alarm types (报警类型说明), every code of the document (help pages state the count from this table). */
export const ALARM_TYPES = table([
  [1, 'Overspeed', '超速报警'],
  [2, 'Fatigue driving', '疲劳驾驶'],
  [3, 'Danger warning', '危险预警'],
  [4, 'GNSS module fault', 'GNSS模块发生故障'],
  [5, 'GNSS antenna disconnected or cut', 'GNSS天线未接或被剪断'],
  [6, 'GNSS antenna short circuit', 'GNSS天线短路'],
  [7, 'Main power undervoltage', '终端主电源欠压'],
  [8, 'Main power lost', '终端主电源掉电'],
  [9, 'LCD or display fault', '终端LCD或显示器故障'],
  [10, 'TTS module fault', 'TTS模块故障'],
  [11, 'Camera fault', '摄像头故障'],
  [12, 'Road transport permit IC card module fault', '道路运输证IC卡模块故障'],
  [13, 'Overspeed warning', '超速预警'],
  [15, 'Power cut', '断电报警'],
  [19, 'Parking overtime', '超时停车'],
  [23, 'Route deviation', '路线偏离报警'],
  [24, 'Vehicle VSS fault', '车辆VSS故障'],
  [26, 'Vehicle stolen', '车辆被盗'],
  [27, 'Illegal ignition', '车辆非法点火'],
  [28, 'Illegal displacement', '车辆非法位移'],
  [29, 'Collision warning', '碰撞预警'],
  [30, 'Rollover warning', '侧翻预警'],
  [31, 'Illegal door opening', '非法开门报警'],
  [32, 'Video signal lost', '视频信号丢失报警'],
  [33, 'Video signal blocked', '视频信号遮挡报警'],
  [34, 'Storage unit fault', '存储单元故障报警'],
  [35, 'Other video device fault', '其他视频设备故障报警'],
  [36, 'Bus overcrowded', '客车超员报警'],
  [37, 'Abnormal driving behaviour', '异常驾驶行为报警'],
  [38, 'Special alarm recording reached storage threshold', '特殊报警录像达到存储阈值报警'],
  [40, 'Lock rope cut', '锁绳剪断'],
  [41, 'Vibration', '震动'],
  [42, 'Unlocked for a long time', '长时间开锁'],
  [43, 'Wrong unlock password 5 times in a row', '开锁密码连续5次错误'],
  [44, 'Illegal card swiped', '刷非法卡'],
  [45, 'Low battery', '低电量'],
  [46, 'Back cover opened', '开后盖'],
  [47, 'Lock jammed', '卡锁'],
  [48, 'Entered area', '进区域报警'],
  [49, 'Left area', '出区域报警'],
  [50, 'Backup battery in use', '启用后备电池'],
  [51, 'SOS', 'SOS'],
  [52, 'Towing', '拖吊报警'],
  [54, 'Fuel level', '油位报警'],
  [55, 'Entered hotspot', '进热点报警'],
  [56, 'Left hotspot', '出热点报警'],
  [57, 'Entered road', '进道路报警'],
  [58, 'Left road', '出道路报警'],
  [63, 'Temperature / humidity', '温湿度报警'],
  [64, 'Forward collision', '前向碰撞报警'],
  [65, 'Lane departure', '车道偏离报警'],
  [66, 'Following too closely', '车距过近报警'],
  [67, 'Pedestrian collision', '行人碰撞报警'],
  [68, 'Frequent lane changes', '频繁变道报警'],
  [69, 'Road sign limit exceeded', '道路标识超限报警'],
  [70, 'Obstacle', '障碍物报警'],
  [71, 'Road sign recognised', '道路标志识别事件'],
  [72, 'Active snapshot', '主动抓拍事件'],
  [73, 'Lane change across solid line', '实线变道报警'],
  [74, 'Pedestrian in compartment aisle', '车厢过道行人监测报警'],
  [92, 'Fatigue driving (DSM)', '疲劳驾驶报警'],
  [93, 'Phone call while driving', '接打电话报警'],
  [94, 'Smoking', '抽烟报警'],
  [95, 'Distracted driving', '分神驾驶报警'],
  [96, 'Driver abnormal', '驾驶员异常报警'],
  [97, 'Automatic snapshot', '自动抓拍事件'],
  [98, 'Driver changed', '驾驶员变更事件'],
  [99, 'Camera covered', '探头遮挡报警'],
  [100, 'Driving overtime', '超时驾驶报警'],
  [101, 'Seat belt not fastened', '未系安全带报警'],
  [102, 'Infrared-blocking sunglasses', '红外阻断型墨镜失效报警'],
  [103, 'Both hands off the wheel', '双脱把报警'],
  [104, 'Using phone', '玩手机报警'],
  [110, 'Tyre pressure', '胎压报警'],
  [125, 'Rear approach', '后方接近报警'],
  [126, 'Left rear approach', '左侧后方接近报警'],
  [127, 'Right rear approach', '右侧后方接近报警'],
  [131, 'Harsh acceleration', '急加速报警'],
  [132, 'Harsh braking', '急减速报警'],
  [133, 'Sharp turn', '急转弯报警'],
  [134, 'Idling', '怠速报警'],
  [135, 'Abnormal engine stop', '异常熄火报警'],
  [136, 'Coasting in neutral', '空挡滑行报警'],
  [137, 'Engine over-revving', '发动机超转报警'],
  [141, 'Overspeed (CAN)', '超速报警'],
  [145, 'Over rated vehicle load', '超过车辆额定载重报警'],
  [146, 'Over road load limit', '超过道路承重报警'],
  [151, 'Height limit', '限高报警'],
  [160, 'Seat belt', '安全带报警'],
  [161, 'Emergency braking', '紧急刹车报警'],
  [162, 'Coasting in neutral (CAN)', '空挡滑行'],
  [163, 'GPRS reconnected', 'GPRS重连'],
  [164, 'Dispatch screen connected', '调度屏连接'],
  [165, 'Dispatch screen disconnected', '调度屏断开'],
  [166, 'CAN bus disconnected', 'CANBUS断开连接报警'],
  [167, 'CAN bus fault code uploaded', 'CANBUS故障码上传报警'],
  [168, 'Driving restricted', '限制开车报警'],
  [180, 'Device removed', '主机拆卸'],
  [190, 'Top cover damaged', '上盖破坏'],
  [191, 'GPS antenna jamming', 'Gps天线干扰'],
  [192, 'Low-battery sleep', '低电量休眠报警'],
  [193, 'Lock abnormal', '锁异常'],
  [194, 'Wrong unlock password', '开锁密码错误'],
  [195, 'Unlock refused: no position fix', '没有定位不执行开锁'],
  [196, 'Unlock refused: outside fence', '围栏外禁止开锁'],
  [197, 'Posture', '姿态报警'],
  [198, 'Sub-lock signal lost', '从机信号丢失'],
  [199, 'Unlock refused: under supervision', '监管状态禁止开锁'],
  [200, 'Main battery replaced', '主电池更换'],
  [201, 'Self-test abnormal', '自检异常'],
  [202, 'Storage space low', '存储空间不足'],
  [203, 'Lock bar bent', '锁条弯曲'],
  [204, 'Lock bar sawn', '锁条锯断'],
  [205, 'Lock bar missing', '锁条丢失'],
  [206, 'Unlock refused: sealed', '施封状态禁止开锁'],
  [216, 'Shaking', '摇晃'],
  [316, 'Light sensor', '光感报警'],
  [332, 'Air pressure', '气压报警'],
  [400, 'Idling overtime', '超时怠速报警'],
  [402, 'Stayed in fence too long', '围栏超时停留报警'],
  [403, 'Left fence unlocked', '出围栏未上锁报警'],
  [404, 'Late departure warning', '晚发预警'],
  [405, 'Late departure', '晚发报警'],
  [406, 'Late arrival warning', '晚到预警'],
  [407, 'Late arrival', '晚到报警'],
  [1000, 'Custom alarm', '自定义报警'],
]);

/** Event types (事件类型说明). */
export const EVENT_TYPES = table([
  [1, 'Unlocked', '开锁'],
  [2, 'Locked', '关锁'],
  [3, 'Sealed on leaving area', '出区域施封'],
  [4, 'Unsealed on entering area', '进区域解封'],
  [5, 'Box / door opened', '开箱/门'],
  [6, 'Box / door closed', '关箱/门'],
  [7, 'Sealed by Bluetooth', '蓝牙施封'],
  [8, 'Unsealed by Bluetooth', '蓝牙解封'],
  [9, 'Sealed remotely', '远程施封'],
  [10, 'Unsealed remotely', '远程解封'],
  [11, 'Snapshot', '抓拍'],
  [12, 'Timed photo', '定时拍'],
  [13, 'Left starting point', '离开起点'],
  [14, 'Arrived at destination', '到达目的地'],
  [15, 'Left destination', '离开目的地'],
  [16, 'Waybill completed', '完成运单'],
  [17, 'Entered waypoint', '进入途经点'],
  [18, 'Left waypoint', '离开途经点'],
  [19, 'Lock rope pulled out / unlock key pressed (JT705A/JT705C)', '拔出锁绳/按下开锁按键(JT705A/JT705C)'],
  [20, 'Entered starting point', '进入起点'],
  [10000, 'Custom event', '自定义事件'],
]);

/** Unlock types of lock events (开锁类型). */
export const UNLOCK_TYPES = table([
  [-3, 'Emergency compartment closed', '应急仓关'],
  [-2, 'Locked with photo', '拍照上锁'],
  [-1, 'Locked', '关锁'],
  [1, 'Card', '刷卡开锁'],
  [2, 'Remote', '远程开锁'],
  [3, 'Bluetooth', '蓝牙开锁'],
  [4, 'Rope cut', '剪绳开锁'],
  [5, 'SMS', '短信开锁'],
  [6, 'Area trigger', '区域触发'],
]);

/** Positioning type (定位类型). */
export const LOC_TYPES = table([
  [0, 'No fix', '不定位'],
  [1, 'GPS', 'GPS定位'],
  [2, 'Cell (LBS)', '基站定位'],
]);

/** Lock rope state of the master lock (锁绳状态). */
export const LOCK_ROPE = table([
  [1, 'Pulled out', '拔出'],
  [0, 'Inserted', '插入'],
  [-1, 'None', '无'],
]);

/** Lock bar state (索条状态), from the document's StatusJson class (Java sample, 车载/锁信息JSON说明). */
export const LOCK_BAR = table([
  [0, 'Unknown', '未知'],
  [1, 'Online', '在线'],
  [2, 'Bent', '弯曲'],
  [3, 'Sawn', '锯断'],
  [4, 'Lost', '丢失'],
]);

/** Lock state (锁状态). */
export const LOCK_STATUS = table([
  [0, 'Closed', '关'],
  [1, 'Open', '开'],
]);

/** On / off / none switches of the vehicle status JSON (acc, fuelCut, door, engine). */
export const ON_OFF = table([
  [1, 'On', '开'],
  [0, 'Off', '关'],
  [-1, 'None', '无'],
]);

/** Report type in expandInfo (数据类型). */
export const REPORT_TYPES = table([
  [0, 'Real time', '实时'],
  [1, 'Reissued', '补报'],
  [2, 'Alarm', '报警'],
]);

/** Network type in expandInfo (网络类型). */
export const NETWORK_TYPES = table([
  [0, 'Unknown', '未知'],
  [1, '1G', '1G'],
  [2, '2G', '2G'],
  [3, '3G', '3G'],
  [4, '4G', '4G'],
  [5, '5G', '5G'],
]);

/** Sub-lock model (从机类型). */
export const SENSOR_TYPES = table([
  [1, 'JT126', 'JT126'],
  [4, 'JT709', 'JT709'],
  [5, 'JT801', 'JT801'],
  [6, 'JT802', 'JT802'],
]);

/** Sub-lock lock state (从机锁状态). */
export const SUB_LOCK_STATUS = table([
  [0, 'Closed', '关'],
  [1, 'Open', '开'],
]);

/** Sub-lock rope state (从机锁绳状态). */
export const SUB_LOCK_ROPE = table([
  [0, 'Inserted', '插入'],
  [1, 'Pulled out', '拔出'],
]);

/** Sub-lock events (从机事件). */
export const SUB_LOCK_EVENTS = table([
  [-1, 'None', '无'],
  [0, 'Locked', '关锁事件'],
  [1, 'Unlocked by Bluetooth', '蓝牙开锁事件'],
  [2, 'Back cover opened', '开后盖报警'],
  [3, 'Unlocked remotely', '远程开锁事件'],
  [4, 'Lock rope cut', '锁绳剪断报警'],
  [5, 'Woken by key', '按键唤醒事件'],
  [6, 'Heartbeat', '心跳包事件'],
  [7, 'Woken by charging', '充电唤醒事件'],
  [8, 'Lock rope pulled out', '拔出锁绳事件'],
  [9, 'Unlocked by RFID', 'RFID开锁事件'],
  [10, 'Illegal card swiped', '刷非法卡报警'],
  [14, 'Sub-lock signal lost', '从机信号丢失报警'],
  [15, 'Valve closed', '阀门关闭事件'],
  [16, 'Valve opened', '阀门打开事件'],
  [17, 'Low battery', '低电量报警'],
  [18, 'Tamper (removal)', '防拆卸报警'],
  [19, 'Electronics compartment removed', '电子仓拆卸事件'],
  [20, 'Lock rope pulled out', '拔出锁绳事件'],
  [21, 'Lock rope inserted', '锁绳插入'],
  [22, 'Woken by Bluetooth connection', '蓝牙连接唤醒'],
  [23, 'Emergency compartment opened', '应急仓打开报警'],
  [24, 'Emergency compartment closed', '应急仓关闭报警'],
  [25, 'Valve opened abnormally', '阀门异常打开报警'],
  [26, 'Lock pin closed', '锁销关闭事件'],
  [27, 'Lock pin opened', '锁销开启事件'],
  [28, 'Locking abnormal', '关锁异常'],
  [29, 'Motor abnormal', '电机异常'],
  [30, 'NFC triggered', 'NFC触发'],
]);

/** JT802 sub-lock statusJson switches. */
export const DISASSEMBLY = table([
  [0, 'Intact', '无拆卸'],
  [1, 'Removed', '拆卸'],
]);
export const EMERGENCY_KEY = table([
  [0, 'Sealed', '封存'],
  [1, 'Enabled', '启用'],
]);
export const MOTOR = table([
  [0, 'Off', '电机关'],
  [1, 'On', '电机开'],
]);
export const OPEN_CLOSED = table([
  [0, 'Closed', '关闭'],
  [1, 'Open', '打开'],
]);

/** KS20A board states. */
export const KS_VOLTAGE_STATUS = table([
  [0, 'Normal', 'LED电压正常'],
  [1, 'Overvoltage', 'LED电压过压'],
  [2, 'Undervoltage', '电压欠压'],
]);
export const KS_CURRENT_STATUS = table([
  [0, 'Normal', 'LED电流正常'],
  [1, 'Overcurrent', 'LED电流过流'],
  [2, 'Undercurrent', '电流欠流'],
]);
export const KS_SHAKE_STATUS = table([
  [0, 'Still', '静止'],
  [1, 'Shaking', '摇晃'],
]);
