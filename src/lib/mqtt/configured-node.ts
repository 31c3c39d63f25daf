/**
 * The start of every MQTT user node: validate its settings, find its config node and that node's
 * shared connection, or stop with a red status saying why.
 */
import type { Node, NodeAPI } from 'node-red';
import type { z } from 'zod';
import { ownerProblem } from '../log-text';
import type { LogKey } from '../log-texts';
import { parseNodeConfig } from '../node-config';
import { NodeStatusView } from '../node-status';
import type { SharedMqttConnection } from './shared-connection';

export interface ConnectionOwner {
  connection?: SharedMqttConnection;
  /** Why the config node has no connection, in the user's words. */
  problem?: string;
  /** The same in the runtime's language, for the log. */
  problemText?: string;
}

export interface ConfiguredNode<Cfg, Owner> {
  cfg: Cfg;
  owner: Owner;
  connection: SharedMqttConnection;
  view: NodeStatusView;
}

export function configuredNode<S extends z.ZodType, Owner extends ConnectionOwner>(
  RED: NodeAPI,
  node: Node,
  def: unknown,
  schema: S,
  ownerField: keyof z.infer<S> & string,
  missing: LogKey,
): ConfiguredNode<z.infer<S>, Owner> | undefined {
  const view = new NodeStatusView(node);
  const cfg = parseNodeConfig(RED, node, view, schema, def);
  if (cfg === undefined) return undefined;
  const id = (cfg as Record<string, unknown>)[ownerField];
  const owner = typeof id === 'string' && id !== '' ? (RED.nodes.getNode(id) as unknown as Owner | null) : null;
  if (owner?.connection) return { cfg, owner, connection: owner.connection, view };
  const own = ownerProblem(RED, owner, missing);
  node.error(own.text);
  view.fatal(own.problem);
  return undefined;
}
