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
  events: { once(event: string, listener: () => void): void; on(event: string, listener: (e: unknown) => void): void };
  nodes: { getNode(id: string): Node | null };
  httpAdmin: (req: http.IncomingMessage, res: http.ServerResponse, next: () => void) => void;
  httpNode: http.RequestListener;
  runtime: { flows: { setFlows(opts: { flows: { flows: FlowNode[]; credentials?: Record<string, unknown> }; deploymentType?: string }): Promise<unknown> } };
}

export interface BenchRuntime {
  /**
   * Deploys `flows`. `type` 'nodes' is the editor's "modified nodes" deploy: only nodes that
   * changed (or are new or gone) are stopped and started.
   */
  deploy(flows: FlowNode[], credentials?: Record<string, unknown>, type?: 'full' | 'nodes'): Promise<void>;
  node(id: string): Node;
  /** The user directory (flows.json, flows_cred.json). */
  userDir: string;
  /** With `admin`: the base URL of the admin HTTP API. */
  adminUrl?: string;
  /** Every status any node shows, as the editor would receive it. */
  onStatus(listener: (e: { id: string; status: Record<string, unknown> }) => void): void;
  stop(): Promise<void>;
}

export interface RuntimeOptions {
  /** Serve the admin HTTP API (GET /flows, ...) on a free loopback port. */
  admin?: boolean;
  /** Receives every log record, whatever the console level. */
  onLog?: (record: { level: number; msg: unknown; type?: string; id?: string }) => void;
}

export async function startRuntime(root: string, opts: RuntimeOptions = {}): Promise<BenchRuntime> {
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
    httpAdminRoot: opts.admin ? '/' : false,
    logging: {
      console: { level: process.env.BENCH_LOG ?? 'error' },
      ...(opts.onLog ? { capture: { level: 'trace', metrics: false, audit: true, handler: () => opts.onLog } } : {}),
    },
    telemetry: { enabled: false, updateNotification: false },
  });
  const initial = new Promise<void>((r) => RED.events.once('flows:started', r));
  await RED.start();
  await initial;
  let adminUrl: string | undefined;
  if (opts.admin) {
    // The admin API first; what it does not know goes to the nodes' own routes (webhooks).
    server.on('request', (req, res) => RED.httpAdmin(req, res, () => RED.httpNode(req, res)));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    adminUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  }
  return {
    userDir,
    ...(adminUrl ? { adminUrl } : {}),
    onStatus(listener) {
      RED.events.on('node-status', listener as (e: unknown) => void);
    },
    async deploy(flows, credentials, type = 'full') {
      // Nodes with wires go on one tab; config nodes (no wires) stay global.
      const tab: FlowNode = { id: 'bench-tab', type: 'tab', label: 'bench' };
      const placed = flows.map((n) => ('wires' in n && !n.z ? { ...n, z: tab.id } : n));
      // setFlows resolves before the new flows have started.
      const started = new Promise<void>((r) => RED.events.once('flows:started', r));
      await RED.runtime.flows.setFlows({ flows: { flows: [tab, ...placed], credentials: credentials ?? {} }, deploymentType: type });
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
