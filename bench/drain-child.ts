/**
 * One receiver of the backlog drain, in a process of its own: resumes a persistent session that
 * holds `count` messages and takes them all, then reports its rate, CPU and GC time per message.
 * Receivers: a raw mqtt.js client doing the parses a user would, or a Node-RED flow (core
 * `mqtt in` with or without a `function`, or one of this package's inbound nodes) whose `sink`
 * counts what arrives.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
import * as mqtt from 'mqtt';
import { startRuntime, type FlowNode } from './runtime';

const root = join(__dirname, '..', '..');

export interface DrainOrder {
  receiver: 'raw' | 'flow';
  count: number;
  /** raw: the broker, session and filter to resume. */
  url?: string;
  clientId?: string;
  filter?: string;
  caFile?: string;
  /** flow: the flow, whose node `in` receives and whose `sink` counts. */
  flow?: FlowNode[];
  credentials?: Record<string, unknown>;
}

export interface DrainResult {
  rate: number;
  cpuUs: number;
  gcUs: number;
}

/** What a user's code does with a Jointech push: the body, then the JSON held in its strings. */
function parseNested(body: string): unknown {
  const p = JSON.parse(body) as Record<string, unknown>;
  for (const k of ['statusJson', 'expandInfo', 'ksInfo']) {
    const v = p[k];
    if (typeof v === 'string' && v.startsWith('{')) p[k] = JSON.parse(v);
  }
  if (typeof p.content === 'string' && p.content.startsWith('[')) p.content = JSON.parse(p.content);
  return p;
}

/** GC pauses of this process, in ms, as Node reports them. */
const gcPauses: Array<{ start: number; duration: number }> = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) gcPauses.push({ start: e.startTime, duration: e.duration });
}).observe({ entryTypes: ['gc'] });

async function drain(order: DrainOrder): Promise<DrainResult> {
  let count = 0;
  let first = 0;
  let last = 0;
  let cpuAtFirst = process.cpuUsage();
  let cpuUsed = { user: 0, system: 0 };
  let finished: () => void = () => undefined;
  const done = new Promise<void>((r) => { finished = r; });
  const arrived = () => {
    if (count === 0) {
      first = performance.now();
      cpuAtFirst = process.cpuUsage();
    }
    if (++count === order.count) {
      last = performance.now();
      cpuUsed = process.cpuUsage(cpuAtFirst);
      finished();
    }
  };
  let stop: () => Promise<void>;
  if (order.receiver === 'raw') {
    const client = await mqtt.connectAsync(order.url!, {
      clientId: order.clientId!, clean: false, ...(order.caFile ? { ca: readFileSync(order.caFile) } : {}),
    });
    client.on('message', (_t, payload) => {
      const obj = parseNested(payload.toString());
      if (obj && typeof obj === 'object') arrived();
    });
    stop = () => client.endAsync();
  } else {
    const red = await startRuntime(root);
    const flow = order.flow!;
    // The sink is watched before the receiver starts: the resumed session delivers at once.
    await red.deploy(flow.filter((n) => n.id !== 'in'), order.credentials);
    red.node('sink').on('input', arrived);
    await red.deploy(flow, order.credentials, 'nodes');
    stop = () => red.stop();
  }
  const timeout = setTimeout(() => {
    process.send!({ error: `only ${count} of ${order.count} messages arrived` });
    process.exit(1);
  }, 600_000);
  await done;
  clearTimeout(timeout);
  // GC entries are reported asynchronously.
  await new Promise((r) => setTimeout(r, 100));
  const gcMs = gcPauses.filter((g) => g.start >= first && g.start <= last).reduce((sum, g) => sum + g.duration, 0);
  await stop();
  return {
    rate: order.count / ((last - first) / 1000),
    cpuUs: (cpuUsed.user + cpuUsed.system) / order.count,
    gcUs: (gcMs * 1000) / order.count,
  };
}

process.once('message', (order: DrainOrder) => {
  drain(order).then(
    (result) => { process.send!({ result }, () => process.exit(0)); },
    (err: unknown) => { process.send!({ error: String(err) }, () => process.exit(1)); },
  );
});
