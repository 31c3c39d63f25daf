/**
 * Aliyun IoT Living (Feiyan) app long connection topics: the `/sys/{productKey}/{deviceName}/app/down/...`
 * pushes a bound app account receives and the account bind/unbind requests and replies
 * (长连接服务 document).
 */
import { topicSegment } from '../mqtt-topic';
import { LIVING_KINDS, type LivingKind } from './kinds';

export { LIVING_KINDS, type LivingKind };

/** Where each push kind arrives under `/sys/{pk}/{dn}/app/down/`. */
const KIND_PATHS: Record<LivingKind, string> = {
  properties: 'thing/properties',
  events: 'thing/events',
  status: 'thing/status',
  topo: 'thing/topo/add/status',
  ota: 'ota/device/forward',
};

export const ACCOUNT_ACTIONS = ['bind', 'unbind'] as const;
export type AccountAction = (typeof ACCOUNT_ACTIONS)[number];

/** `/sys/{pk}/{dn}/` for a product key and a device name, or `+` for every device of the product. */
export function sysPrefix(productKey: string, deviceName: string): string {
  const pk = productKey === '+' ? '+' : topicSegment(productKey, 'productKey').trim();
  const dn = deviceName === '+' ? '+' : topicSegment(deviceName, 'deviceName').trim();
  return `/sys/${pk}/${dn}`;
}

export function livingFilters(productKey: string, deviceName: string, kinds: readonly LivingKind[]): string[] {
  const prefix = sysPrefix(productKey, deviceName);
  return LIVING_KINDS.filter((k) => kinds.includes(k)).map((k) => `${prefix}/app/down/${KIND_PATHS[k]}`);
}

/** Where bind and unbind replies arrive. */
export function accountReplyFilter(productKey: string, deviceName: string): string {
  return `${sysPrefix(productKey, deviceName)}/app/down/account/+`;
}

export interface LivingTopic {
  productKey: string;
  deviceName: string;
  kind: LivingKind | 'bind_reply' | 'unbind_reply';
}

export function parseLivingTopic(topic: string): LivingTopic | undefined {
  const m = /^\/sys\/([^/]+)\/([^/]+)\/app\/down\/(.+)$/.exec(topic);
  if (!m) return undefined;
  const [, productKey, deviceName, rest] = m as unknown as [string, string, string, string];
  if (rest === 'account/bind_reply') return { productKey, deviceName, kind: 'bind_reply' };
  if (rest === 'account/unbind_reply') return { productKey, deviceName, kind: 'unbind_reply' };
  const kind = LIVING_KINDS.find((k) => KIND_PATHS[k] === rest);
  return kind ? { productKey, deviceName, kind } : undefined;
}
