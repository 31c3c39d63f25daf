/**
 * Dialog fields edited with a TypedInput (text, msg, flow, global or env): the kinds a field may
 * have, and their evaluation for one message with Node-RED's own evaluateNodeProperty.
 */
import type { Node, NodeAPI, NodeMessageInFlow } from 'node-red';
import { z } from 'zod';
import { ProtocolError, isProtocolError } from '../protocols/protocol-error';

/** A field's kind; flows saved before the field had one keep plain text. */
export const PropertyType = z.enum(['str', 'msg', 'flow', 'global', 'env']).default('str');
export type PropertyTypeName = z.infer<typeof PropertyType>;

export interface TypedProperty {
  value: string;
  type: PropertyTypeName;
}

/** How the help and errors name a field's source: "msg.target", "flow.lock", "env LOCK_ID". */
export function describeSource(p: TypedProperty): string {
  return p.type === 'env' ? `env ${p.value}` : `${p.type}.${p.value}`;
}

/**
 * Runs `build`; when it refuses a value (a ProtocolError of one of `codes`) that a field read from
 * msg, context or env, the error names it as the type checks do: "device from flow.lock: ...".
 */
export function namingSources<T>(build: () => T, sources: Array<{ name: string; codes: string[]; from: TypedProperty | undefined }>): T {
  try {
    return build();
  } catch (err) {
    if (!isProtocolError(err)) throw err;
    const source = sources.find((s) => s.from && s.from.type !== 'str' && s.codes.includes(err.code));
    if (!source?.from) throw err;
    throw new ProtocolError(err.code, `${source.name} from ${describeSource(source.from)}: ${err.message}`, err.details);
  }
}

/**
 * Evaluates the given fields for one message and calls `then` with their values (undefined when
 * unset). Plain text and msg/env fields answer at once, so a flow without context fields keeps its
 * timing; a flow/global field may wait for its context store.
 */
export function evaluateProperties<K extends string>(
  RED: NodeAPI, node: Node, props: Record<K, TypedProperty>, msg: NodeMessageInFlow,
  then: (values: Record<K, unknown>) => void, fail: (err: Error) => void,
): void {
  const keys = Object.keys(props) as K[];
  const values = {} as Record<K, unknown>;
  let left = keys.length;
  let failed = false;
  const settle = (key: K, p: TypedProperty) => (err: Error | null | undefined, value?: unknown) => {
    if (failed) return;
    if (err) {
      failed = true;
      fail(new Error(`cannot read ${describeSource(p)}: ${err.message}`));
      return;
    }
    values[key] = value;
    if (--left > 0) return;
    failed = true; // finished: an error thrown by `then` is its own to report
    then(values);
  };
  if (left === 0) {
    then(values);
    return;
  }
  for (const key of keys) {
    const p = props[key];
    try {
      RED.util.evaluateNodeProperty(p.value, p.type, node, msg, settle(key, p) as (err: Error | null, result: unknown) => void);
    } catch (err) {
      settle(key, p)(err instanceof Error ? err : new Error(String(err)));
    }
  }
}
