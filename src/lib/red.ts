/** Small typed wrappers around the Node-RED runtime API used by every node of the package. */
import type { Node, NodeAPI, NodeDef } from 'node-red';
import { migrateStored } from './config-versions';
import { configProblem } from './log-text';

/**
 * A node that cannot work (settings refused, no account) still finishes every input it gets, as
 * an error saying why: a Catch node sees it and a Complete node is not left waiting.
 */
export function refuseInputs(node: Node, text: string): void {
  node.on('input', (_msg: unknown, _send: unknown, done: (err?: Error) => void) => done(new Error(text)));
}

export type CredentialTypes = Record<string, { type: 'text' | 'password' }>;

/**
 * `RED.nodes.registerType` with a constructor typed for our own node interfaces. Node-RED needs a
 * `function` constructor (it sets the prototype chain), never an arrow function.
 *
 * The stored settings reach `ctor` in today's layout (src/lib/config-versions.ts). Settings saved
 * by a newer release are refused before `ctor` runs: the node logs why and shows it in red, and
 * `refused` lets a config node tell its user nodes.
 */
export function registerNode<TNode extends Node, TDef>(
  RED: NodeAPI,
  type: string,
  ctor: (this: TNode, def: TDef) => void,
  credentials?: CredentialTypes,
  refused?: (node: TNode, problem: { problem: string; text: string }) => void,
): void {
  function Migrating(this: TNode, def: TDef) {
    const migrated = migrateStored(type, def as Record<string, unknown>);
    if ('stored' in migrated) {
      // Into Node-RED's own copy of the settings: it carries hidden properties (the node's flow).
      ctor.call(this, Object.assign(def as object, migrated.stored) as TDef);
      return;
    }
    RED.nodes.createNode(this, def as unknown as NodeDef);
    const problem = configProblem(RED, 'newerConfig', migrated.newer);
    this.error(problem.text);
    this.status({ fill: 'red', shape: 'ring', text: problem.problem });
    refuseInputs(this, problem.text);
    refused?.(this, problem);
  }
  type AnyCtor = Parameters<NodeAPI['nodes']['registerType']>[1];
  RED.nodes.registerType(type, Migrating as unknown as AnyCtor, credentials ? { credentials } : undefined);
}
