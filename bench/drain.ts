/**
 * Backlog drain: the receiver is the bottleneck. `count` realistic messages are preloaded at QoS 1
 * into a persistent session on a private Mosquitto (max_inflight_messages 20, its default); each
 * receiver then resumes its session in a process of its own and takes the whole backlog. Rounds
 * alternate the receivers' order; the table gives medians over rounds, and the ratios are medians
 * of the same round's ratios.
 *
 * BENCH_DRAIN_MESSAGES (default 200000) sets the backlog, BENCH_DRAIN_ROUNDS (default 3) the rounds,
 * BENCH_DRAIN_NODES (comma-separated) limits the nodes, BENCH_DRAIN_RECEIVERS (raw, node, core,
 * bare) the receivers; BENCH_DRAIN_PROFILE=<dir> writes each receiver's CPU profile of its drain there.
 */
import { spawn, fork, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as mqtt from 'mqtt';
import { freePort } from '../tools/broker';
import { makeCertificates } from '../tools/secure-broker';
import { jointechSamples } from '../tools/samples';
import { median } from './median';
import type { DrainOrder, DrainProgress, DrainResult } from './drain-child';
import type { FlowNode } from './runtime';

const COUNT = Number(process.env.BENCH_DRAIN_MESSAGES) || 200_000;
const ROUNDS = Number(process.env.BENCH_DRAIN_ROUNDS) || 3;
const NODES = process.env.BENCH_DRAIN_NODES?.split(',').map((s) => s.trim()).filter(Boolean);

const log = (line: string) => console.error(`drain ${new Date().toISOString().slice(11, 19)} ${line}`);

/** `p`, or an error naming `what` once `ms` pass without it settling: no wait here is unbounded. */
function within<T>(p: Promise<T>, ms: number, what: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`drain: ${what()} (no progress for ${ms / 1000} s)`)), ms);
  });
  return Promise.race([p, expired]).finally(() => clearTimeout(timer));
}

interface Broker { url: string; tlsUrl: string; caFile: string; close(): Promise<void> }

/** A private Mosquitto with a plain and a TLS listener, queueing without limit. */
async function startMosquitto(): Promise<Broker> {
  const dir = mkdtempSync(join(tmpdir(), 'cniot-drain-'));
  chmodSync(dir, 0o777);
  const { caFile } = makeCertificates(dir);
  for (const f of ['server.key', 'server.pem', 'ca.pem']) chmodSync(join(dir, f), 0o644);
  const [port, tlsPort] = [await freePort(), await freePort()];
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(conf, [
    'per_listener_settings false', 'allow_anonymous true', 'log_dest none',
    'max_queued_messages 0', 'max_queued_bytes 0', 'max_inflight_messages 20',
    `listener ${port} 127.0.0.1`,
    `listener ${tlsPort} 127.0.0.1`, `cafile ${caFile}`, `certfile ${join(dir, 'server.pem')}`, `keyfile ${join(dir, 'server.key')}`,
  ].join('\n') + '\n');
  const proc = spawn('mosquitto', ['-c', conf], { stdio: ['ignore', 'ignore', 'inherit'] });
  // The bench exiting on an error must not leave its broker behind.
  const killBroker = () => { proc.kill('SIGKILL'); };
  process.on('exit', killBroker);
  const url = `mqtt://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try {
      const probe = await mqtt.connectAsync(url, { reconnectPeriod: 0, connectTimeout: 500 });
      await probe.endAsync();
      break;
    } catch (err) {
      if (i > 50) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    url, tlsUrl: `mqtts://127.0.0.1:${tlsPort}`, caFile,
    close: async () => {
      process.off('exit', killBroker);
      if (proc.exitCode === null && proc.signalCode === null) {
        const exited = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGTERM');
        await within(exited, 10_000, () => 'stopping Mosquitto').catch(() => { proc.kill('SIGKILL'); return exited; });
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

type Message = { topic: string; payload: string };

interface DrainCase {
  node: string;
  tls: boolean;
  filter: string;
  message(i: number): Message;
  /** The package's flow: config node with this session, node `in` wired to `sink`. */
  flow(url: string, clientId: string, tlsNode: FlowNode | undefined): FlowNode[];
  credentials: Record<string, Record<string, string>>;
}

const AK = 'drain';
const location = jointechSamples.mqtt.location!.payload;
const sink: FlowNode = { id: 'sink', type: 'junction', wires: [] };
const session = (url: string, clientId: string) => ({ url, clientId, clean: false, keepalive: 30 });

const CASES: DrainCase[] = [
  {
    node: 'jointech-in', tls: false, filter: `upload/${AK}/#`,
    // 1,000 devices reporting their position: the document's location push, ~560 bytes.
    message: (i) => {
      const device = String(8_052_400_000 + (i % 1000));
      const body = { ...location, assetId: device, latitude: 22.67 + (i % 997) / 1e5, longitude: 113.92 + (i % 991) / 1e5, mileage: i };
      return { topic: `upload/${AK}/${device}/location`, payload: JSON.stringify(body) };
    },
    flow: (url, clientId) => [
      { id: 'acc', type: 'jointech-account', accessKey: AK, qos: 1, connection: session(url, clientId) },
      { id: 'in', type: 'jointech-in', account: 'acc', mode: 'mqtt', types: ['location'], wires: [['sink']] }, sink,
    ],
    credentials: { acc: { username: 'bench', password: 'bench' } },
  },
  {
    node: 'eztcloud-in', tls: true, filter: 'open/PR_drain/#',
    message: (i) => {
      const device = `DU_drain${String(i % 1000).padStart(4, '0')}`;
      return { topic: `open/PR_drain/${device}/attributes`, payload: JSON.stringify({ temperature: 20 + (i % 100) / 10, humidity: 40 + (i % 30), switch: i % 2, voltage: 3.3, rssi: -60 - (i % 20) }) };
    },
    flow: (url, clientId, tlsNode) => [
      ...(tlsNode ? [tlsNode] : []),
      { id: 'proj', type: 'eztcloud-project', tls: tlsNode?.id, connection: session(url, clientId) },
      { id: 'in', type: 'eztcloud-in', project: 'proj', kinds: ['attributes'], wires: [['sink']] }, sink,
    ],
    credentials: { proj: { projectKey: 'PR_drain', projectSecret: 'bench' } },
  },
  {
    node: 'aliyun-living-in', tls: false, filter: '/sys/pkdrain/+/app/down/#',
    message: (i) => ({
      topic: '/sys/pkdrain/app1/app/down/thing/properties',
      payload: JSON.stringify({
        id: String(i), version: '1.0', method: 'thing.properties',
        params: { iotId: `0300MSKL03667c544f69342a74Sv${String(i % 1000).padStart(4, '0')}`, productKey: 'pkdrain', deviceName: `dev${i % 1000}`, items: { temperature: { time: 1510292697471 + i, value: 20 + (i % 10) }, alarm: { time: 1510292697470 + i, value: 'normal' } } },
      }),
    }),
    flow: (url, clientId) => [
      { id: 'acct', type: 'aliyun-living-account', productKey: 'pkdrain', deviceName: 'app1', connection: session(url, clientId) },
      { id: 'in', type: 'aliyun-living-in', account: 'acct', kinds: ['properties'], deviceName: '+', wires: [['sink'], []] }, sink,
    ],
    credentials: { acct: { username: 'bench', password: 'bench' } },
  },
];

type Receiver = 'raw' | 'node' | 'core' | 'bare';
const ALL_RECEIVERS: Receiver[] = ['raw', 'node', 'core', 'bare'];
/** To compare one build against another; the ratios need all four. */
const RECEIVERS = ALL_RECEIVERS.filter((r) => !process.env.BENCH_DRAIN_RECEIVERS || process.env.BENCH_DRAIN_RECEIVERS.split(',').map((s) => s.trim()).includes(r));

/** What a user writes without this package: core mqtt in + a function node doing the nested parses. */
export const FUNCTION_DECODE = `
const p = JSON.parse(msg.payload);
for (const k of ['statusJson', 'expandInfo', 'ksInfo']) {
  if (typeof p[k] === 'string' && p[k].startsWith('{')) p[k] = JSON.parse(p[k]);
}
if (typeof p.content === 'string' && p.content.startsWith('[')) p.content = JSON.parse(p.content);
msg.payload = p;
return msg;`;

function coreFlow(url: string, clientId: string, filter: string, tlsNode: FlowNode | undefined, withFunction: boolean): FlowNode[] {
  return [
    ...(tlsNode ? [tlsNode] : []),
    { id: 'b', type: 'mqtt-broker', broker: url, clientid: clientId, cleansession: false, autoConnect: true, protocolVersion: 4, keepalive: 30, ...(tlsNode ? { usetls: true, tls: tlsNode.id } : {}) },
    { id: 'in', type: 'mqtt in', broker: 'b', topic: filter, qos: '1', datatype: withFunction ? 'utf8' : 'buffer', wires: [[withFunction ? 'fn' : 'sink']] },
    ...(withFunction ? [{ id: 'fn', type: 'function', func: FUNCTION_DECODE, outputs: 1, wires: [['sink']] }] : []),
    sink,
  ];
}

/** Creates the session (subscribed at QoS 1) and fills it with `count` messages. */
async function preload(broker: Broker, c: DrainCase, url: string, clientId: string): Promise<void> {
  // No reconnecting: a refused or lost connection is an error here, not a silent retry loop.
  const opts = { reconnectPeriod: 0, connectTimeout: 10_000, ...(c.tls ? { ca: readFileSync(broker.caFile) } : {}) };
  const step = <T>(p: Promise<T>, what: string) => within(p, 15_000, () => `preload ${clientId}: ${what}`);
  const sub = await step(mqtt.connectAsync(url, { ...opts, clientId, clean: true }), 'connecting to clear the session');
  await step(sub.endAsync(), 'closing the cleared session');
  const owner = await step(mqtt.connectAsync(url, { ...opts, clientId, clean: false }), 'creating the persistent session');
  await step(owner.subscribeAsync(c.filter, { qos: 1 }), `subscribing ${c.filter}`);
  await step(owner.endAsync(), 'closing the persistent session');
  const pub = await step(mqtt.connectAsync(broker.url, { reconnectPeriod: 0, clientId: `drain-pub-${process.pid}` }), 'connecting the publisher');
  let sent = 0;
  let acked = 0;
  const published = new Promise<void>((resolve, reject) => {
    pub.once('close', () => reject(new Error(`drain: preload ${clientId}: publisher disconnected after ${acked} of ${COUNT} acknowledged`)));
    const more = () => {
      while (sent < COUNT && sent - acked < 1000) {
        const m = c.message(sent++);
        pub.publish(m.topic, m.payload, { qos: 1 }, (err) => {
          if (err) return reject(err);
          if (++acked === COUNT) resolve();
          else if (sent - acked < 500) more();
        });
      }
    };
    more();
  });
  // Bounded by progress, not by total time: a slow machine may take long, a stuck broker not.
  let seen = -1;
  await within(new Promise<void>((resolve, reject) => {
    const watch = setInterval(() => {
      if (acked === seen) { clearInterval(watch); reject(new Error(`drain: preload ${clientId}: stuck at ${acked} of ${COUNT} acknowledged (${sent} sent)`)); }
      seen = acked;
    }, 15_000);
    published.then(() => { clearInterval(watch); resolve(); }, (err: unknown) => { clearInterval(watch); reject(err as Error); });
  }), 3_600_000, () => `preload ${clientId}: ${acked} of ${COUNT} acknowledged`);
  pub.removeAllListeners('close');
  await step(pub.endAsync(), 'closing the publisher');
  log(`preloaded ${COUNT} messages for ${clientId}`);
}

/**
 * Runs one receiver in a child process. The child reports its stage and count every second; a
 * child that makes no progress (no new message while draining, no next stage while starting
 * Node-RED or deploying, which a loaded machine makes slow) is killed, and its last report
 * becomes the error.
 */
const stallMs = (stage: string) => (stage === 'draining' ? 30_000 : 120_000);
async function runReceiver(order: DrainOrder, label: string): Promise<DrainResult> {
  const child: ChildProcess = fork(join(__dirname, 'drain-child.js'), { stdio: 'inherit' });
  let last: DrainProgress = { stage: 'starting', count: 0 };
  let lastChange = Date.now();
  let watch: NodeJS.Timeout | undefined;
  try {
    return await new Promise<DrainResult>((resolve, reject) => {
      watch = setInterval(() => {
        if (Date.now() - lastChange > stallMs(last.stage)) {
          reject(new Error(`drain ${label}: stuck ${stallMs(last.stage) / 1000} s at "${last.stage}", ${last.count} of ${order.count} messages arrived`));
        }
      }, 1000);
      child.on('message', (m: { result?: DrainResult; error?: string; progress?: DrainProgress }) => {
        if (m.progress) {
          if (m.progress.stage !== last.stage || m.progress.count !== last.count) lastChange = Date.now();
          last = m.progress;
        } else if (m.result) resolve(m.result);
        else reject(new Error(`drain ${label}: ${m.error} (at "${last.stage}", ${last.count} of ${order.count} arrived)`));
      });
      child.once('exit', (code, signal) => reject(new Error(`drain ${label}: receiver exited (${signal ?? code}) at "${last.stage}", ${last.count} of ${order.count} arrived`)));
      child.send(order);
    });
  } finally {
    clearInterval(watch);
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await exited;
    }
  }
}

/** Runs the drain for each selected node and returns the README table (markdown lines). */
export async function benchDrain(): Promise<string[]> {
  const broker = await startMosquitto();
  const cases = CASES.filter((c) => !NODES || NODES.includes(c.node));
  const results = cases.map(() => new Map<Receiver, DrainResult[]>(RECEIVERS.map((r) => [r, []])));
  try {
    for (let round = 0; round < ROUNDS; round++) {
      // Alternate who drains first, so that no receiver always meets a warmer or cooler machine.
      const order = round % 2 === 0 ? RECEIVERS : [...RECEIVERS].reverse();
      for (const [i, c] of cases.entries()) {
        const url = c.tls ? broker.tlsUrl : broker.url;
        const tlsNode: FlowNode | undefined = c.tls ? { id: 'tls', type: 'tls-config', cert: '', key: '', ca: broker.caFile, servername: '', verifyservercert: true } : undefined;
        for (const r of order) {
          const clientId = `drain-${c.node}-${r}`;
          await preload(broker, c, url, clientId);
          const drainOrder: DrainOrder = r === 'raw'
            ? { receiver: 'raw', count: COUNT, url, clientId, filter: c.filter, ...(c.tls ? { caFile: broker.caFile } : {}) }
            : {
              receiver: 'flow', count: COUNT,
              flow: r === 'node' ? c.flow(url, clientId, tlsNode) : coreFlow(url, clientId, c.filter, tlsNode, r === 'core'),
              credentials: r === 'node' ? c.credentials : {},
            };
          log(`round ${round + 1} ${c.node} ${r}: draining`);
          const result = await runReceiver(drainOrder, `round ${round + 1} ${c.node} ${r}`);
          results[i]!.get(r)!.push(result);
          console.error(`drain round ${round + 1} ${c.node} ${r}: ${Math.round(result.rate)}/s, ${result.cpuUs.toFixed(1)} µs CPU, ${result.gcUs.toFixed(1)} µs GC per message`);
        }
      }
    }
  } finally {
    await broker.close();
  }
  const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
  const rows = cases.flatMap((c, i) => {
    const r = results[i]!;
    const per = (k: Receiver, f: (x: DrainResult) => number) => median(r.get(k)!.map(f));
    /** Median over rounds of this receiver's rate divided by `base`'s in the same round. */
    const ratio = (k: Receiver, base: Receiver) => (r.has(base) ? median(r.get(k)!.map((x, j) => x.rate / r.get(base)![j]!.rate)) : Number.NaN);
    const row = (k: Receiver, label: string) => !r.has(k) ? [] :
      `| ${label} | ${fmt(per(k, (x) => x.rate))} | ${per(k, (x) => x.cpuUs).toFixed(1)} | ${per(k, (x) => x.gcUs).toFixed(1)} | ${ratio(k, 'raw').toFixed(2)}x | ${ratio(k, 'bare').toFixed(2)}x | ${ratio(k, 'core').toFixed(2)}x |`;
    return [
      `| **${c.node}**${c.tls ? ' (TLS)' : ''} | | | | | | |`,
      row('raw', 'raw mqtt.js + JSON.parse + nested parses'),
      row('node', `${c.node}`),
      row('core', 'core mqtt in + function (nested parses)'),
      row('bare', 'core mqtt in alone (Node-RED\'s floor)'),
    ].flat();
  });
  return [
    `## MQTT ingest: backlog drain (${COUNT} messages preloaded at QoS 1 into a persistent session on a private Mosquitto, max_inflight 20; each receiver resumes it in its own process; ${ROUNDS} alternating rounds; medians, ratios are medians of same-round ratios)`,
    '',
    '| receiver | messages/s | CPU µs/msg | GC µs/msg | vs raw | vs bare core mqtt in | vs core mqtt in + function |',
    '|---|---:|---:|---:|---:|---:|---:|',
    ...rows,
  ];
}
