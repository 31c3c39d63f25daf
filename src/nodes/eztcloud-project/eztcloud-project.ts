/**
 * eztcloud-project: an EZtCloud project's MQTT application API endpoint (TLS only) with the
 * projectKey / projectSecret pair, and the one shared connection of eztcloud-in and eztcloud-out.
 */
import type { NodeAPI, NodeDef } from 'node-red';
import { configProblem, describe, english, say } from '../../lib/log-text';
import { openSharedConnection } from '../../lib/mqtt/config-node';
import { registerNode } from '../../lib/red';
import { projectKey } from '../../protocols/eztcloud/open-api';
import { asError } from '../../protocols/protocol-error';
import type { EztcloudProjectNode } from './types';

type Def = NodeDef & { connection?: { url?: string }; tls?: string; localTest?: boolean };

function init(RED: NodeAPI): void {
  function EztcloudProject(this: EztcloudProjectNode, def: Def) {
    RED.nodes.createNode(this, def);
    const creds = (this.credentials ?? {}) as { projectKey?: string; projectSecret?: string };
    try {
      this.projectKey = projectKey(creds.projectKey ?? '');
    } catch (err) {
      this.problem = english('badProjectKey', { error: asError(err).message });
      this.problemText = say(RED, 'badProjectKey', { error: describe(RED, err) });
      this.error(this.problemText);
      return;
    }
    const url = String(def.connection?.url ?? '');
    if (/^(mqtt|ws):\/\//i.test(url) && !def.localTest) {
      ({ problem: this.problem, text: this.problemText } = configProblem(RED, 'eztcloudPlain'));
      this.error(this.problemText);
      return;
    }
    // The projectKey is the MQTT user name, and the topics must carry the same key.
    const opened = openSharedConnection(RED, this, def, { username: this.projectKey, ...(creds.projectSecret ? { password: creds.projectSecret } : {}) });
    if ('connection' in opened) this.connection = opened.connection;
    else ({ error: this.problem, text: this.problemText } = opened);
  }
  registerNode(RED, 'eztcloud-project', EztcloudProject, {
    projectKey: { type: 'text' },
    projectSecret: { type: 'password' },
  });
}

export = init;
