/** Node-RED test-helper set-up and small waiting helpers shared by the suites. */
import testHelper from 'node-red-node-test-helper';
import type { Node } from 'node-red';
import * as mqtt from 'mqtt';
import { execFileSync } from 'node:child_process';

testHelper.init(require.resolve('node-red'));

/** A node in a test flow: any properties the node type reads. */
export type FlowNode = { id: string; type: string } & Record<string, unknown>;

interface Helper {
  startServer(done: () => void): void;
  stopServer(done: () => void): void;
  load(nodes: unknown, flow: FlowNode[], credentials?: Record<string, Record<string, string>>): Promise<void>;
  setFlows(flow: FlowNode[], type: 'full' | 'nodes' | 'flows', credentials?: Record<string, Record<string, string>>): Promise<void>;
  unload(): Promise<void>;
  getNode(id: string): Node;
  settings(s: Record<string, unknown>): void;
  url(): string;
}

/** node-red-node-test-helper, typed for how these suites call it. */
export const helper = testHelper as unknown as Helper;

/** Loads a built node file, the same file Node-RED loads from package.json. */
export function builtNode(type: string): unknown {
  return require(require('node:path').join(__dirname, '..', '..', '..', 'nodes', type, `${type}.js`));
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls `check` until it returns a truthy value or the time runs out. */
export async function waitFor<T>(check: () => T | undefined | false | null, what: string, timeoutMs = 5000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = check();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** Collects every message a helper node receives. */
export function collect(node: Node): Array<Record<string, any>> {
  const got: Array<Record<string, any>> = [];
  node.on('input', (msg: Record<string, any>) => { got.push(msg); });
  return got;
}

/**
 * The last status this node set. test-helper spies on `status` once for every node, so the spy's
 * own last call may be another node's (one still closing from the previous test, say).
 */
export function lastStatus(node: Node): { fill?: string; shape?: string; text?: string } | undefined {
  return statuses(node).at(-1);
}

/** Every status this node set, in order. */
export function statuses(node: Node): Array<{ fill?: string; shape?: string; text?: string }> {
  type Call = { thisValue: unknown; args: [{ fill?: string; shape?: string; text?: string }] };
  const spy = node.status as unknown as { getCalls?: () => Call[]; lastCall?: Call };
  const calls = spy.getCalls?.() ?? (spy.lastCall ? [spy.lastCall] : []);
  return calls.filter((c) => c.thisValue === node).map((c) => c.args[0]);
}

/** A plain mqtt.js client, connected, for publishing test data or watching a topic. */
export async function testClient(url: string, opts: mqtt.IClientOptions = {}): Promise<mqtt.MqttClient> {
  return mqtt.connectAsync(url, { reconnectPeriod: 0, ...opts });
}

export function mosquittoAvailable(): boolean {
  try {
    execFileSync('mosquitto', ['-h'], { stdio: 'ignore' });
    return true;
  } catch (err) {
    // `mosquitto -h` exits 3 after printing its usage; only a missing binary is a failure.
    return (err as { code?: string }).code !== 'ENOENT';
  }
}
