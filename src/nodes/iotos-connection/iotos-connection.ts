/**
 * iotos-connection: an IOTOS platform account and one device (gateway id + device id), with the
 * one shared MQTT connection whose client id the platform fixes as device_{gatewayId}_{deviceId}.
 */
import type { NodeAPI, NodeDef } from 'node-red';
import { z } from 'zod';
import { configProblem } from '../../lib/log-text';
import { openSharedConnection } from '../../lib/mqtt/config-node';
import { registerNode } from '../../lib/red';
import { PlatformId, clientIdFor } from '../../protocols/iotos/device';
import { describeIssues } from '../../protocols/protocol-error';
import type { IotosConnectionNode } from './types';

const IotosConnectionConfig = z.object({ gatewayId: PlatformId, deviceId: PlatformId });

type Def = NodeDef & Record<string, unknown> & { connection?: unknown; tls?: string };

function init(RED: NodeAPI): void {
  function IotosConnection(this: IotosConnectionNode, def: Def) {
    RED.nodes.createNode(this, def);
    const parsed = IotosConnectionConfig.safeParse(def);
    if (!parsed.success) {
      ({ problem: this.problem, text: this.problemText } = configProblem(RED, 'invalidIotosDevice', { issues: describeIssues(parsed.error) }));
      this.error(this.problemText);
      return;
    }
    this.device = parsed.data;
    const creds = (this.credentials ?? {}) as { username?: string; password?: string };
    // The platform only accepts its own client id form.
    const opened = openSharedConnection(RED, this, def, creds, { clientId: clientIdFor(parsed.data.gatewayId, parsed.data.deviceId) });
    if ('connection' in opened) this.connection = opened.connection;
    else ({ error: this.problem, text: this.problemText } = opened);
  }
  registerNode(RED, 'iotos-connection', IotosConnection, {
    username: { type: 'text' },
    password: { type: 'password' },
  });
}

export = init;
