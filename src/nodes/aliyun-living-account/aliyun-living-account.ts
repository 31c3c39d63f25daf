/**
 * aliyun-living-account: an Aliyun IoT Living (Feiyan) app long-connection channel: its MQTT
 * endpoint and credentials, the productKey / deviceName its topics carry, and the one shared
 * connection of every aliyun-living-in node that uses it.
 */
import type { NodeAPI } from 'node-red';
import { z } from 'zod';
import { defineAccountNode, openMqttTransport } from '../../lib/platform/account';
import { topicSegment } from '../../protocols/mqtt-topic';

const segment = (what: string) => z.string().trim().min(1, `${what} is empty`).refine((v) => {
  try {
    return topicSegment(v, what) === v;
  } catch {
    return false;
  }
}, `${what} must not contain "+", "#" or "/"`);

const AliyunLivingAccountConfig = z.object({ productKey: segment('productKey'), deviceName: segment('deviceName') });

function init(RED: NodeAPI): void {
  defineAccountNode(RED, {
    type: 'aliyun-living-account',
    credentials: { username: { type: 'text' }, password: { type: 'password' } },
    schema: AliyunLivingAccountConfig,
    invalid: 'invalidLivingChannel',
    connect(channel, creds, node, def) {
      return openMqttTransport(RED, node, def, { auth: creds, info: (connection) => ({ ...channel, clientId: connection.clientId }) });
    },
  });
}

export = init;
