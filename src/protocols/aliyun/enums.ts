/** Aliyun IoT Living code tables (长连接服务 document). */
import { table } from '../enum-table';

/** Device lifecycle of a status push. */
export const DEVICE_STATUS = table([
  [0, 'inactive', '未激活'],
  [1, 'online', '上线'],
  [3, 'offline', '离线'],
  [8, 'disabled', '禁用'],
]);

/** Result of adding a sub-device to a gateway (topo/add/status). */
export const TOPO_STATUS = table([
  [0, 'added', '添加topo成功'],
  [1, 'bound to another gateway', '子设备注册,设备已被其它网关绑定'],
  [2, 'registration failed', '子设备注册,注册失败'],
]);

/** Firmware upgrade state of an OTA progress push. */
export const OTA_STATUS = table([
  [0, 'pending or awaiting confirmation', '待升级或待确认'],
  [1, 'upgrading', '升级中'],
  [2, 'upgrade error', '升级异常'],
  [3, 'upgrade failed', '升级失败'],
  [4, 'upgrade complete', '升级完成'],
]);
