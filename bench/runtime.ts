/**
 * A plain Node-RED runtime embedded in the bench process (no test-helper: its sinon spies on
 * send/status would slow every Node-RED row). This package is linked into a temporary user dir
 * as an installed module, exactly as a user installs it.
 */
import http from 'node:http';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Node } from 'node-red';

export type FlowNode = Record<string, unknown> & { id: string; type: string };

interface EmbeddedRed {
  init(server: http.Server, settings: Record<string, unknown>): void;
  start(): Promise<void>;
  stop(): Promise<void>;
  events: { once(event: string, listener: () => void): void };
  nodes: { getNode(id: string): Node | null };
  runtime: { flows: { setFlows(opts: { flows: { flows: FlowNode[]; credentials?: Record<string, unknown> }; deploymentType?: string }): Promise<unknown> } };
}

export interface BenchRuntime {
  deploy(flows: FlowNode[], credentials?: Record<string, unknown>): Promise<void>;
  node(id: string): Node;
  stop(): Promise<void>;
}

export async function startRuntime(root: string): Promise<BenchRuntime> {
  const pkg = require(join(root, 'package.json')) as { name: string };
  const userDir = mkdtempSync(join(tmpdir(), 'cniot-bench-'));
  const modDir = join(userDir, 'node_modules', ...pkg.name.split('/'));
  mkdirSync(join(modDir, '..'), { recursive: true });
  symlinkSync(root, modDir, 'dir');
  writeFileSync(join(userDir, 'package.json'), JSON.stringify({ name: 'cniot-bench', private: true }));
  const RED = require(join(root, 'node_modules', 'node-red')) as EmbeddedRed;
  const server = http.createServer();
  RED.init(server, {
    userDir,
    flowFile: 'flows.json',
    credentialSecret: false,
    httpAdminRoot: false,
    logging: { console: { level: process.env.BENCH_LOG ?? 'error' } },
    telemetry: { enabled: false, updateNotification: false },
  });
  const initial = new Promise<void>((r) => RED.events.once('flows:started', r));
  await RED.start();
  await initial;
  return {
    async deploy(flows, credentials) {
      // Nodes with wires go on one tab; config nodes (no wires) stay global.
      const tab: FlowNode = { id: 'bench-tab', type: 'tab', label: 'bench' };
      const placed = flows.map((n) => ('wires' in n && !n.z ? { ...n, z: tab.id } : n));
      // setFlows resolves before the new flows have started.
      const started = new Promise<void>((r) => RED.events.once('flows:started', r));
      await RED.runtime.flows.setFlows({ flows: { flows: [tab, ...placed], credentials: credentials ?? {} }, deploymentType: 'full' });
      await started;
    },
    node(id) {
      const n = RED.nodes.getNode(id);
      if (!n) throw new Error(`node ${id} is not running`);
      return n;
    },
    async stop() {
      await RED.stop();
      server.close();
      rmSync(userDir, { recursive: true, force: true });
    },
  };
}
