/**
 * Glue between a platform's config node and the shared connection: validates the stored settings,
 * applies TLS from core's `tls-config` node, and closes the client within Node-RED's timeout.
 */
import type { Node, NodeAPI } from 'node-red';
import { describeIssues } from '../../protocols/protocol-error';
import { configProblem, say, sayConnection } from '../log-text';
import { tlsOptionsFrom } from '../tls-config';
import { ConnectionSettings, type ConnectionSettingsInput } from './connection-settings';
import { SharedMqttConnection } from './shared-connection';

export interface ConnectionConfigDef {
  connection?: unknown;
  tls?: string;
}

/** `error` in English (status texts), `text` the same in the runtime's language (logs). */
export type OpenResult = { connection: SharedMqttConnection } | { error: string; text: string };

/**
 * Builds the shared connection for config node `node`. `overrides` lets a platform force settings
 * (a fixed client id, say) on top of what the user stored.
 */
export function openSharedConnection(
  RED: NodeAPI,
  node: Node,
  def: ConnectionConfigDef,
  auth: { username?: string; password?: string },
  overrides: Partial<ConnectionSettingsInput> = {},
): OpenResult {
  const stored = typeof def.connection === 'object' && def.connection !== null ? def.connection : {};
  const parsed = ConnectionSettings.safeParse({ ...stored, ...overrides });
  if (!parsed.success) {
    const { problem, text } = configProblem(RED, 'invalidConnection', { issues: describeIssues(parsed.error) });
    node.error(text);
    return { error: problem, text };
  }
  const tls = tlsOptionsFrom(RED, node, def.tls);
  const connection = new SharedMqttConnection({
    settings: parsed.data,
    ...(auth.username ? { username: auth.username } : {}),
    ...(auth.password ? { password: auth.password } : {}),
    tls,
    logger: {
      log: (m) => node.log(m),
      warn: (m) => node.warn(m),
      error: (m) => node.error(m),
      problem: (url, reason) => node.warn(sayConnection(RED, 'mqttProblem', { url, reason })),
      subscriptionRefused: (topic) => node.error(say(RED, 'subscriptionRefused', { topic })),
    },
  });
  node.on('close', (_removed: boolean, done: () => void) => {
    connection.close().then(done, done);
  });
  return { connection };
}
