/**
 * A gb32960-in or gb32960-command node's set-up: its settings and its server, with the status view
 * that shows the server's state (listening, vehicles online, failed) plus the node's own note.
 */
import type { Node, NodeAPI } from 'node-red';
import type { z } from 'zod';
import { say } from '../../lib/log-text';
import { NodeStatusView } from '../../lib/node-status';
import { describeIssues } from '../../protocols/protocol-error';
import type { Gb32960ServerNode } from './types';

/**
 * A user node's set-up: its dialog settings through `schema` and the server they name, with the
 * status view; on a problem the node says why, shows it in red and gets undefined.
 */
export function serverUser<S extends z.ZodType<{ server: string }>>(RED: NodeAPI, node: Node, schema: S, def: unknown):
  { cfg: z.infer<S>; server: Gb32960ServerNode; view: NodeStatusView } | undefined {
  const view = new NodeStatusView(node);
  const parsed = schema.safeParse(def);
  const issues = !parsed.success ? describeIssues(parsed.error) : undefined;
  const problem = issues === undefined ? undefined : `invalid configuration: ${issues}`;
  const server = parsed.success ? RED.nodes.getNode((parsed.data as { server: string }).server) as Gb32960ServerNode | null : null;
  if (problem || !server || typeof server.register !== 'function') {
    node.error(issues === undefined ? say(RED, 'noServerNode') : say(RED, 'invalidConfig', { issues }));
    view.fatal(problem ?? 'no server');
    return undefined;
  }
  return { cfg: parsed.data as z.infer<S>, server, view };
}
