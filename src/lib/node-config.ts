/** A node's stored settings through its zod schema; on failure the node says why and stops. */
import type { Node, NodeAPI } from 'node-red';
import type { z } from 'zod';
import { describeIssues } from '../protocols/protocol-error';
import { say } from './log-text';
import type { NodeStatusView } from './node-status';
import { refuseInputs } from './red';

export function parseNodeConfig<S extends z.ZodType>(RED: NodeAPI, node: Node, view: NodeStatusView, schema: S, def: unknown): z.infer<S> | undefined {
  const parsed = schema.safeParse(def);
  if (parsed.success) return parsed.data;
  const issues = describeIssues(parsed.error);
  const text = say(RED, 'invalidConfig', { issues });
  node.error(text);
  view.fatal(`invalid configuration: ${issues}`);
  refuseInputs(node, text);
  return undefined;
}
