/** The sample messages of the platform documents, shared by tests, the demo simulator and benches. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DataType } from '../src/protocols/jointech/messages';
import { uploadTopic } from '../src/protocols/jointech/topics';

const root = join(__dirname, '..', '..');

export interface JointechSamples {
  webhook: Record<'location' | 'alarm' | 'event' | 'cmd' | 'sublock', Record<string, unknown>> & { ksInfo: string };
  mqtt: Record<string, { topicDevice: string; topicSubLock?: string; payload: Record<string, unknown> }>;
}

export const jointechSamples = JSON.parse(readFileSync(join(root, 'scripts', 'samples', 'jointech.json'), 'utf8')) as JointechSamples;

/** The data type of an MQTT sample: its key, except the three command-reply samples. */
export function sampleType(key: string): DataType {
  return (key.startsWith('cmd') ? 'cmd' : key) as DataType;
}

export interface JointechMqttMessage {
  key: string;
  type: DataType;
  device: string;
  topic: string;
  body: string;
}

/** Every MQTT sample of the document as it travels: its upload topic for `accessKey` and its JSON body. */
export function jointechMqttMessages(accessKey: string): JointechMqttMessage[] {
  return Object.entries(jointechSamples.mqtt).map(([key, s]) => {
    const type = sampleType(key);
    return { key, type, device: s.topicDevice, topic: uploadTopic(accessKey, s.topicDevice, type, s.topicSubLock), body: JSON.stringify(s.payload) };
  });
}

export interface LivingSamples {
  topic: { productKey: string; deviceName: string };
  /** Each push body exactly as the document prints it (not always valid JSON). */
  pushes: Record<'properties' | 'events' | 'status' | 'topo' | 'ota', string>;
  account: Record<'bindRequest' | 'unbindRequest' | 'bindReply' | 'unbindReply', string>;
}

export const livingSamples = JSON.parse(readFileSync(join(root, 'scripts', 'samples', 'aliyun-living.json'), 'utf8')) as LivingSamples;
