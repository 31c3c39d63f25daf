/**
 * A platform's account (config) node, declared: its stored settings through a zod schema, its
 * credentials, and how it opens the one shared connection its user nodes join. The kit logs a
 * problem once, keeps it for the user nodes' status, and closes the connection within Node-RED's
 * timeout.
 */
import type { Node, NodeAPI, NodeDef } from 'node-red';
import type { z } from 'zod';
import { describeIssues } from '../../protocols/protocol-error';
import { configProblem, say, sayConnection } from '../log-text';
import type { LogKey } from '../log-texts';
import { registerNode, type CredentialTypes } from '../red';
import { tlsOptionsFrom } from '../tls-config';
import { ConnectionSettings, type ConnectionSettingsInput } from '../mqtt/connection-settings';
import { SharedMqttConnection } from '../mqtt/shared-connection';
import type { PlatformTransport } from './transport';

/** Why an account has no connection: `problem` in English (status texts), `text` in the runtime's language (logs). */
export interface AccountProblem {
  problem: string;
  text: string;
}

/** What an account opened: the shared connection and what its user nodes need to know of it. */
export interface OpenedAccount<Conn, Info> {
  connection: Conn;
  info: Info;
}

/**
 * The account node as its user nodes find it: with its connection and what they need to know of
 * the account (`info`), or with the problem that kept it from connecting.
 */
export interface PlatformOwner<Conn extends PlatformTransport<never>, Info> extends Node {
  connection?: Conn;
  info?: Info;
  /** Why the account has no connection, in English for the user nodes' status. */
  problem?: string;
  /** The same in the runtime's language, for the user nodes' logs. */
  problemText?: string;
}

function setProblem(node: PlatformOwner<PlatformTransport<never>, unknown>, { problem, text }: AccountProblem): void {
  node.problem = problem;
  node.problemText = text;
}

export interface AccountDeclaration<S extends z.ZodType, C extends string, Conn extends PlatformTransport<never>, Info> {
  type: string;
  credentials: Record<C, { type: 'text' | 'password' }>;
  /** The account's own settings; the stored `connection` object is checked by the transport. */
  schema: S;
  /** The log text for settings the schema refuses (`__issues__` filled in). */
  invalid: LogKey;
  /** Opens the connection from the parsed settings, or says why it cannot. Runs once per deploy. */
  connect(cfg: z.infer<S>, creds: Partial<Record<C, string>>, node: Node, def: NodeDef & Record<string, unknown>): OpenedAccount<Conn, Info> | AccountProblem;
}

export function defineAccountNode<S extends z.ZodType, C extends string, Conn extends PlatformTransport<never>, Info>(
  RED: NodeAPI,
  declared: AccountDeclaration<S, C, Conn, Info>,
): void {
  function AccountNode(this: PlatformOwner<Conn, Info>, def: NodeDef & Record<string, unknown>) {
    RED.nodes.createNode(this, def);
    const node = this;
    const parsed = declared.schema.safeParse(def);
    const opened = parsed.success
      ? declared.connect(parsed.data, (node.credentials ?? {}) as Partial<Record<C, string>>, node, def)
      : configProblem(RED, declared.invalid, { issues: describeIssues(parsed.error) });
    if ('problem' in opened) {
      setProblem(node, opened);
      node.error(opened.text);
      return;
    }
    node.connection = opened.connection;
    node.info = opened.info;
    node.on('close', (removed: boolean, done: () => void) => {
      opened.connection.close(removed).then(done, done);
    });
  }
  registerNode(RED, declared.type, AccountNode, declared.credentials as CredentialTypes, setProblem);
}

/**
 * The shared MQTT connection of account node `node`, from its stored `connection` object and
 * core's `tls-config` node `def.tls`, opened as the account's result: with `info` (what its user
 * nodes need to know, given the connection), or the problem that kept it from opening.
 * `overrides` lets a platform force settings (a fixed client id, say) on top of what the user
 * stored.
 */
export function openMqttTransport<Info>(
  RED: NodeAPI,
  node: Node,
  def: Record<string, unknown>,
  open: {
    auth: { username?: string | undefined; password?: string | undefined };
    info: (connection: SharedMqttConnection) => Info;
    overrides?: Partial<ConnectionSettingsInput>;
  },
): OpenedAccount<SharedMqttConnection, Info> | AccountProblem {
  const { auth } = open;
  const stored = typeof def.connection === 'object' && def.connection !== null ? def.connection : {};
  const parsed = ConnectionSettings.safeParse({ ...stored, ...open.overrides });
  if (!parsed.success) return configProblem(RED, 'invalidConnection', { issues: describeIssues(parsed.error) });
  const tls = tlsOptionsFrom(RED, node, typeof def.tls === 'string' ? def.tls : undefined);
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
  return { connection, info: open.info(connection) };
}
