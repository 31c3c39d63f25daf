/**
 * One receiver of the backlog drain, in a process of its own: resumes a persistent session that
 * holds `count` messages and takes them all, then reports its rate, CPU and GC time per message.
 * Receivers: a raw mqtt.js client doing the parses a user would, or a Node-RED flow (core
 * `mqtt in` with or without a `function`, or one of this package's inbound nodes) whose `sink`
 * counts what arrives.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
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

/** Sent to the parent every second: where the receiver is and how many messages arrived. */
export interface DrainProgress {
  stage: string;
  count: number;
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
  // BENCH_DRAIN_PROFILE=<dir>: a CPU profile of the drain itself (first to last message) per receiver.
  const profileDir = process.env.BENCH_DRAIN_PROFILE;
  const profiler = profileDir ? new Session() : undefined;
  let stage = 'starting';
  const report = setInterval(() => process.send!({ progress: { stage, count } satisfies DrainProgress }), 1000);
  let stop: () => Promise<void>;
  if (order.receiver === 'raw') {
    stage = 'connecting (raw mqtt.js)';
    const client = mqtt.connect(order.url!, {
      clientId: order.clientId!, clean: false, reconnectPeriod: 0, connectTimeout: 10_000, ...(order.caFile ? { ca: readFileSync(order.caFile) } : {}),
    });
    // Listening before the CONNACK: the resumed session's first messages share its TCP read, and
    // mqtt.js emits (and acknowledges) them before an awaited connectAsync() would return.
    client.on('message', (_t, payload) => {
      const obj = parseNested(payload.toString());
      if (obj && typeof obj === 'object') arrived();
    });
    client.on('error', (err) => { stage = `connection error: ${err.message}`; });
    client.on('close', () => { if (count < order.count) stage = `disconnected after ${count} messages`; });
    stop = () => client.endAsync();
  } else {
    stage = 'starting Node-RED';
    const red = await startRuntime(root);
    const flow = order.flow!;
    // The sink is watched before the receiver starts: the resumed session delivers at once.
    stage = 'deploying the flow without its receiver';
    await red.deploy(flow.filter((n) => n.id !== 'in'), order.credentials);
    red.node('sink').on('input', arrived);
    stage = 'deploying the receiver';
    await red.deploy(flow, order.credentials, 'nodes');
    stop = () => red.stop();
  }
  if (profiler) {
    profiler.connect();
    await profiler.post('Profiler.enable');
    await profiler.post('Profiler.start');
  }
  stage = 'draining';
  // The parent kills a receiver that stops making progress; this process need not time itself.
  await done;
  stage = 'stopping';
  if (profiler) {
    const { profile } = await profiler.post('Profiler.stop');
    const inNode = order.flow?.find((n) => n.id === 'in');
    const name = order.receiver === 'raw' ? 'raw' : `${String(inNode?.type).replace(/ /g, '-')}${order.flow?.some((n) => n.id === 'fn') ? '+function' : ''}`;
    writeFileSync(join(profileDir!, `${name}-${process.pid}.cpuprofile`), JSON.stringify(profile));
    profiler.disconnect();
  }
  // GC entries are reported asynchronously.
  await new Promise((r) => setTimeout(r, 100));
  const gcMs = gcPauses.filter((g) => g.start >= first && g.start <= last).reduce((sum, g) => sum + g.duration, 0);
  await stop();
  clearInterval(report);
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
