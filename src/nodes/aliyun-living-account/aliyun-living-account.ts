/**
 * aliyun-living-account: an Aliyun IoT Living (Feiyan) app long-connection channel: its MQTT
 * endpoint and credentials, the productKey / deviceName its topics carry, and the one shared
 * connection of every aliyun-living-in node that uses it.
 */
import type { NodeAPI, NodeDef } from 'node-red';
import { z } from 'zod';
import { configProblem } from '../../lib/log-text';
import { openSharedConnection } from '../../lib/mqtt/config-node';
import { registerNode } from '../../lib/red';
import { topicSegment } from '../../protocols/mqtt-topic';
import { describeIssues } from '../../protocols/protocol-error';
import type { AliyunLivingAccountNode } from './types';

const segment = (what: string) => z.string().trim().min(1, `${what} is empty`).refine((v) => {
  try {
    return topicSegment(v, what) === v;
  } catch {
    return false;
  }
}, `${what} must not contain "+", "#" or "/"`);

const AliyunLivingAccountConfig = z.object({ productKey: segment('productKey'), deviceName: segment('deviceName') });

type Def = NodeDef & Record<string, unknown> & { connection?: { clientId?: string }; tls?: string };

function init(RED: NodeAPI): void {
  function AliyunLivingAccount(this: AliyunLivingAccountNode, def: Def) {
    RED.nodes.createNode(this, def);
    const parsed = AliyunLivingAccountConfig.safeParse(def);
    if (!parsed.success) {
      ({ problem: this.problem, text: this.problemText } = configProblem(RED, 'invalidLivingChannel', { issues: describeIssues(parsed.error) }));
      this.error(this.problemText);
      return;
    }
    const creds = (this.credentials ?? {}) as { username?: string; password?: string };
    const opened = openSharedConnection(RED, this, def, creds);
    if (!('connection' in opened)) {
      ({ error: this.problem, text: this.problemText } = opened);
      return;
    }
    this.connection = opened.connection;
    this.channel = { ...parsed.data, clientId: opened.connection.clientId };
  }
  registerNode(RED, 'aliyun-living-account', AliyunLivingAccount, {
    username: { type: 'text' },
    password: { type: 'password' },
  });
}

export = init;
