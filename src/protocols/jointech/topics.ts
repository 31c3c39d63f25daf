/**
 * Jointech MQTT topics (MQTT rule description, section 3): the node builds them from the
 * accessKey, data types and device numbers so that nobody types a topic by hand.
 */
import { topicSegment } from '../mqtt-topic';
import { ProtocolError } from '../protocol-error';
import { DATA_TYPES, type DataType } from './push';

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

/** Reads `upload/{accessKey}/{deviceNum}/{type}` or `upload/{accessKey}/{deviceNum}/{subLockNum}/sublock`. */
export function parseUploadTopic(topic: string): UploadTopic | undefined {
  const p = topic.split('/');
  if (p[0] !== 'upload') return undefined;
  if (p.length === 4 && (DATA_TYPES as readonly string[]).includes(p[3]!) && p[3] !== 'sublock') {
    return { accessKey: p[1]!, deviceNum: p[2]!, type: p[3] as DataType };
  }
  if (p.length === 5 && p[4] === 'sublock') return { accessKey: p[1]!, deviceNum: p[2]!, subLockNum: p[3]!, type: 'sublock' };
  return undefined;
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
