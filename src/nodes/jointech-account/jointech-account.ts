/**
 * jointech-account: the Jointech MQTT push account (broker, user, MD5 password, accessKey) and the
 * one shared connection that jointech-in and lock-command use.
 */
import type { NodeAPI } from 'node-red';
import { say } from '../../lib/log-text';
import { defineAccountNode, openMqttTransport } from '../../lib/platform/account';
import { JointechAccountConfig, platformPassword } from '../../protocols/jointech/account';

function init(RED: NodeAPI): void {
  defineAccountNode(RED, {
    type: 'jointech-account',
    credentials: { username: { type: 'text' }, password: { type: 'password' } },
    schema: JointechAccountConfig,
    invalid: 'invalidAccount',
    connect(account, creds, node, def) {
      const password = creds.password ? platformPassword(creds.password, account.passwordMode) : undefined;
      if (password && account.passwordMode === 'md5' && !/^[0-9a-f]{32}$/.test(password)) {
        node.warn(say(RED, 'md5Password'));
      }
      return openMqttTransport(RED, node, def, { auth: { username: creds.username, password }, info: () => account });
    },
  });
}

export = init;
