/** A node's stored settings through its zod schema; on failure the node says why and stops. */
import type { Node } from 'node-red';
import type { z } from 'zod';
import { describeIssues } from '../protocols/protocol-error';
import type { NodeStatusView } from './node-status';

export function parseNodeConfig<S extends z.ZodType>(node: Node, view: NodeStatusView, schema: S, def: unknown): z.infer<S> | undefined {
  const parsed = schema.safeParse(def);
  if (parsed.success) return parsed.data;
  const problem = `invalid configuration: ${describeIssues(parsed.error)}`;
  node.error(problem);
  view.fatal(problem);
  return undefined;
}
