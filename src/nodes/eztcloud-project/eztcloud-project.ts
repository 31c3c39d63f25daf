/**
 * eztcloud-project: an EZtCloud project's MQTT application API endpoint (TLS only) with the
 * projectKey / projectSecret pair, and the one shared connection of eztcloud-in and eztcloud-out.
 */
import type { NodeAPI } from 'node-red';
import { z } from 'zod';
import { configProblem, describe, english, say } from '../../lib/log-text';
import { defineAccountNode, openMqttTransport } from '../../lib/platform/account';
import { projectKey } from '../../protocols/eztcloud/account';
import { asError } from '../../protocols/protocol-error';

/** Only what the project reads itself; the connection settings are checked when it connects. */
const EztcloudProjectConfig = z.object({
  connection: z.object({ url: z.unknown() }).partial().passthrough().optional().catch(undefined),
  localTest: z.unknown().optional().transform(Boolean),
});

function init(RED: NodeAPI): void {
  defineAccountNode(RED, {
    type: 'eztcloud-project',
    credentials: { projectKey: { type: 'text' }, projectSecret: { type: 'password' } },
    schema: EztcloudProjectConfig,
    invalid: 'invalidConfig',
    connect(cfg, creds, node, def) {
      let key: string;
      try {
        key = projectKey(creds.projectKey ?? '');
      } catch (err) {
        return { problem: english('badProjectKey', { error: asError(err).message }), text: say(RED, 'badProjectKey', { error: describe(RED, err) }) };
      }
      if (/^(mqtt|ws):\/\//i.test(String(cfg.connection?.url ?? '')) && !cfg.localTest) return configProblem(RED, 'eztcloudPlain');
      // The projectKey is the MQTT user name, and the topics must carry the same key.
      return openMqttTransport(RED, node, def, { auth: { username: key, password: creds.projectSecret }, info: () => ({ projectKey: key }) });
    },
  });
}

export = init;
