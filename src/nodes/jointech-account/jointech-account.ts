/**
 * jointech-account: the Jointech MQTT push account (broker, user, MD5 password, accessKey) and the
 * one shared connection that jointech-in and lock-command use.
 */
import type { NodeAPI, NodeDef } from 'node-red';
import { configProblem, say } from '../../lib/log-text';
import { openSharedConnection } from '../../lib/mqtt/config-node';
import { registerNode } from '../../lib/red';
import { JointechAccountConfig, platformPassword } from '../../protocols/jointech/account';
import { describeIssues } from '../../protocols/protocol-error';
import type { JointechAccountNode } from './types';

type Def = NodeDef & Record<string, unknown> & { connection?: unknown; tls?: string };

function init(RED: NodeAPI): void {
  function JointechAccount(this: JointechAccountNode, def: Def) {
    RED.nodes.createNode(this, def);
    const parsed = JointechAccountConfig.safeParse(def);
    if (!parsed.success) {
      ({ problem: this.problem, text: this.problemText } = configProblem(RED, 'invalidAccount', { issues: describeIssues(parsed.error) }));
      this.error(this.problemText);
      return;
    }
    this.account = parsed.data;
    const creds = (this.credentials ?? {}) as { username?: string; password?: string };
    const password = creds.password ? platformPassword(creds.password, parsed.data.passwordMode) : undefined;
    if (password && parsed.data.passwordMode === 'md5' && !/^[0-9a-f]{32}$/.test(password)) {
      this.warn(say(RED, 'md5Password'));
    }
    const opened = openSharedConnection(RED, this, def, {
      ...(creds.username ? { username: creds.username } : {}),
      ...(password ? { password } : {}),
    });
    if ('connection' in opened) this.connection = opened.connection;
    else ({ error: this.problem, text: this.problemText } = opened);
  }
  registerNode(RED, 'jointech-account', JointechAccount, {
    username: { type: 'text' },
    password: { type: 'password' },
  });
}

export = init;
