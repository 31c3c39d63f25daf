/**
 * Jointech MQTT topics (MQTT rule description, section 3): the node builds them from the
 * accessKey, data types and device numbers so that nobody types a topic by hand.
 */
import { topicSegment } from '../mqtt-topic';
import { ProtocolError } from '../protocol-error';
import type { DecodedPush } from './messages';

/** The five data types, each on its own upload topic (`upload/{accessKey}/{deviceNum}/{type}`). */
export const DATA_TYPES = ['location', 'alarm', 'event', 'cmd', 'sublock'] as const;
export type DataType = (typeof DATA_TYPES)[number];

/** A device number: digits only (the documents show 10 and 12 digit ids). */
export function deviceNumber(value: unknown, what = 'device number'): string {
  const s = topicSegment(typeof value === 'number' ? String(value) : value, what).trim();
  if (!/^\d{4,20}$/.test(s)) throw new ProtocolError('bad-device', `${what} "${s}" must be 4 to 20 digits`, { value });
  return s;
}

/**
 * Subscription filters for the chosen data types and devices. All types of one device (or of
 * all devices) collapse into one `#` filter, as the document's first two rows do.
 */
export function uploadFilters(accessKey: string, types: readonly DataType[], devices: readonly string[] | 'all'): string[] {
  const key = topicSegment(accessKey, 'accessKey');
  const wanted = DATA_TYPES.filter((t) => types.includes(t));
  if (wanted.length === 0) return [];
  const targets = devices === 'all' ? ['+'] : devices.map((d) => deviceNumber(d));
  const filters: string[] = [];
  for (const dev of targets) {
    if (wanted.length === DATA_TYPES.length) {
      filters.push(dev === '+' ? `upload/${key}/#` : `upload/${key}/${dev}/#`);
      continue;
    }
    for (const t of wanted) {
      filters.push(t === 'sublock' ? `upload/${key}/${dev}/+/sublock` : `upload/${key}/${dev}/${t}`);
    }
  }
  return [...new Set(filters)];
}

export interface UploadTopic {
  accessKey: string;
  deviceNum: string;
  type: DataType;
  subLockNum?: string;
}

const UPLOAD_TYPES: ReadonlySet<string> = new Set(DATA_TYPES.filter((t) => t !== 'sublock'));

/**
 * Reads `upload/{accessKey}/{deviceNum}/{type}` or `upload/{accessKey}/{deviceNum}/{subLockNum}/sublock`.
 * Cut at the slashes by index: it runs for every message.
 */
export function parseUploadTopic(topic: string): UploadTopic | undefined {
  if (!topic.startsWith('upload/')) return undefined;
  const a = 6;
  const b = topic.indexOf('/', a + 1);
  const c = b < 0 ? -1 : topic.indexOf('/', b + 1);
  if (c < 0) return undefined;
  const accessKey = topic.slice(a + 1, b);
  const deviceNum = topic.slice(b + 1, c);
  const d = topic.indexOf('/', c + 1);
  if (d < 0) {
    const type = topic.slice(c + 1);
    return UPLOAD_TYPES.has(type) ? { accessKey, deviceNum, type: type as DataType } : undefined;
  }
  if (topic.indexOf('/', d + 1) >= 0 || topic.slice(d + 1) !== 'sublock') return undefined;
  return { accessKey, deviceNum, subLockNum: topic.slice(c + 1, d), type: 'sublock' };
}

/** The topic the platform pushes one message on: the inverse of parseUploadTopic. */
export function uploadTopic(accessKey: string, deviceNum: string, type: DataType, subLockNum?: string): string {
  const base = `upload/${topicSegment(accessKey, 'accessKey')}/${deviceNumber(deviceNum)}`;
  return type === 'sublock' ? `${base}/${topicSegment(subLockNum, 'sub-lock number')}/sublock` : `${base}/${type}`;
}

export function commandTopic(accessKey: string, deviceNum: string): string {
  return `download/${topicSegment(accessKey, 'accessKey')}/${deviceNumber(deviceNum)}/cmd`;
}

export function replyTopic(accessKey: string, deviceNum: string): string {
  return `upload/${topicSegment(accessKey, 'accessKey')}/${deviceNumber(deviceNum)}/cmd`;
}

/**
 * The upload topic a message arrived on, for the account with `accessKey`; throws ProtocolError
 * for another account's topic, an unknown type or an empty device or sub-lock level.
 */
export function checkedUploadTopic(topic: string, accessKey: string): UploadTopic {
  const info = parseUploadTopic(topic);
  if (!info || info.accessKey !== accessKey) {
    throw new ProtocolError('unknown-topic', `topic "${topic}" is not a Jointech upload topic of this account`, { topic });
  }
  if (info.deviceNum === '' || info.subLockNum === '') {
    throw new ProtocolError('bad-topic', `topic "${topic}" has an empty ${info.deviceNum === '' ? 'device' : 'sub-lock'} level`, { topic });
  }
  return info;
}

/**
 * Refuses a message whose topic and payload name different devices: the topic's device must be
 * the payload's assetId, and a sub-lock topic's level its subAssetID.
 */
export function checkTopicIdentity(info: UploadTopic, decoded: Pick<DecodedPush, 'assetId' | 'subLockId'>): void {
  if (info.deviceNum !== decoded.assetId) {
    throw new ProtocolError('identity-mismatch', `topic device ${info.deviceNum} differs from the payload's assetId ${decoded.assetId}`, { topicDevice: info.deviceNum, assetId: decoded.assetId });
  }
  if (info.subLockNum !== undefined && info.subLockNum !== decoded.subLockId) {
    throw new ProtocolError('identity-mismatch', `topic sub-lock ${info.subLockNum} differs from the payload's subAssetID ${decoded.subLockId ?? '(none)'}`, { topicSubLock: info.subLockNum, subAssetID: decoded.subLockId });
  }
}
