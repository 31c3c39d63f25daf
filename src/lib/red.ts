/** Small typed wrappers around the Node-RED runtime API used by every node of the package. */
import type { Node, NodeAPI } from 'node-red';

export type CredentialTypes = Record<string, { type: 'text' | 'password' }>;

/**
 * `RED.nodes.registerType` with a constructor typed for our own node interfaces. Node-RED needs a
 * `function` constructor (it sets the prototype chain), never an arrow function.
 */
export function registerNode<TNode extends Node, TDef>(
  RED: NodeAPI,
  type: string,
  ctor: (this: TNode, def: TDef) => void,
  credentials?: CredentialTypes,
): void {
  type AnyCtor = Parameters<NodeAPI['nodes']['registerType']>[1];
  RED.nodes.registerType(type, ctor as unknown as AnyCtor, credentials ? { credentials } : undefined);
}
