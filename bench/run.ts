/**
 * `npm run bench`: throughput of the package's nodes against baselines measured in the same run.
 * Each scenario receives the same messages from a broker and publisher in a child process.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import * as mqtt from 'mqtt';
import { benchGb32960 } from './gb32960';
import { startRuntime, type BenchRuntime, type FlowNode } from './runtime';
import { jointechMqttMessages } from '../test/support/samples';

const root = join(__dirname, '..', '..');
const N = Number(process.env.BENCH_MESSAGES) || 20000;
const ROUNDS = Number(process.env.BENCH_ROUNDS) || 3;
const AK = 'bench';

interface Child { proc: ChildProcess; url: string }

async function startChild(): Promise<Child> {
  const proc = fork(join(__dirname, 'broker-child.js'), { stdio: 'inherit' });
  const url = await new Promise<string>((resolve) => proc.once('message', (m: { url: string }) => resolve(m.url)));
  return { proc, url };
}

const messages = jointechMqttMessages(AK).map(({ topic, body }) => ({ topic, payload: body }));

/** Publishes N messages and resolves with messages/s between the first and the last arrival. */
async function measure(child: Child, counter: { count: number; first?: number; last?: number }): Promise<number> {
  counter.count = 0;
  counter.first = undefined;
  counter.last = undefined;
  const started = Date.now();
  child.proc.send({ messages, count: N });
  while (counter.count < N) {
    if (Date.now() - started > 120_000) throw new Error(`only ${counter.count} of ${N} messages arrived`);
    await new Promise((r) => setTimeout(r, 5));
  }
  return N / ((counter.last! - counter.first!) / 1000);
}

function tick(counter: { count: number; first?: number; last?: number }): void {
  const now = performance.now();
  if (counter.count === 0) counter.first = now;
  counter.count++;
  counter.last = now;
}

async function rawMqtt(child: Child): Promise<number> {
  const counter = { count: 0 } as { count: number; first?: number; last?: number };
  const client = await mqtt.connectAsync(child.url, { clientId: `bench-raw-${process.pid}` });
  let sink = 0;
  client.on('message', (_t, payload) => {
    const obj = JSON.parse(payload.toString());
    sink += obj.assetId ? 1 : 0;
    tick(counter);
  });
  await client.subscribeAsync(`upload/${AK}/#`, { qos: 0 });
  const rate = await measure(child, counter);
  await client.endAsync();
  return sink >= 0 ? rate : 0;
}

/** What a user writes without this package: core mqtt in + a function node doing the nested parses. */
const FUNCTION_DECODE = `
const p = JSON.parse(msg.payload);
for (const k of ['statusJson', 'expandInfo', 'ksInfo']) {
  if (typeof p[k] === 'string' && p[k].startsWith('{')) p[k] = JSON.parse(p[k]);
}
if (typeof p.content === 'string' && p.content.startsWith('[')) p.content = JSON.parse(p.content);
msg.payload = p;
return msg;`;

async function nodeRedFlow(red: BenchRuntime, child: Child, flow: FlowNode[]): Promise<number> {
  const counter = { count: 0 } as { count: number; first?: number; last?: number };
  await red.deploy(flow, { acc: { username: 'bench', password: 'bench' } });
  red.node('sink').on('input', () => tick(counter));
  await new Promise((r) => setTimeout(r, 500));
  try {
    return await measure(child, counter);
  } finally {
    await red.deploy([]);
  }
}

function jointechFlow(url: string): FlowNode[] {
  return [
    { id: 'acc', type: 'jointech-account', accessKey: AK, qos: 0, connection: { url, clientId: `bench-jt-${process.pid}` } },
    { id: 'in', type: 'jointech-in', account: 'acc', mode: 'mqtt', wires: [['sink']] },
    { id: 'sink', type: 'junction', wires: [] },
  ];
}

function coreFlow(url: string): FlowNode[] {
  return [
    { id: 'b', type: 'mqtt-broker', broker: url, clientid: `bench-core-${process.pid}`, autoConnect: true, protocolVersion: 4 },
    { id: 'in', type: 'mqtt in', broker: 'b', topic: `upload/${AK}/#`, qos: '0', datatype: 'utf8', wires: [['fn']] },
    { id: 'fn', type: 'function', func: FUNCTION_DECODE, outputs: 1, wires: [['sink']] },
    { id: 'sink', type: 'junction', wires: [] },
  ];
}

const best = (xs: number[]) => Math.max(...xs);

// ---------------------------------------------------------------------------------------------
// IOTOS uplink round trips: publish an uplink, wait for the platform's result (answered by the
// child process), with a fixed number of uplinks in flight.

const GW = 171;
const DEV = 401;
const UP = `$IOTOS/device/platform/update/${GW}/${DEV}`;
const UPLINKS = Number(process.env.BENCH_UPLINKS) || 5000;
const WINDOW = 50;

interface RoundTrips { rate: number; p50: number; p99: number }

function summarise(latencies: number[], startedAt: number): RoundTrips {
  const sorted = [...latencies].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { rate: latencies.length / ((performance.now() - startedAt) / 1000), p50: at(0.5), p99: at(0.99) };
}

/** Drives `send` with WINDOW uplinks in flight until UPLINKS have come back through `onBack`. */
function windowed(send: (n: number) => void): { back: (latencyMs: number) => void; result: Promise<RoundTrips> } {
  const latencies: number[] = [];
  let sent = 0;
  let finish: (r: RoundTrips) => void = () => undefined;
  const result = new Promise<RoundTrips>((r) => { finish = r; });
  const startedAt = performance.now();
  const next = () => { if (sent < UPLINKS) send(sent++); };
  for (let i = 0; i < WINDOW; i++) next();
  return {
    back(latencyMs) {
      latencies.push(latencyMs);
      if (latencies.length === UPLINKS) finish(summarise(latencies, startedAt));
      else next();
    },
    result,
  };
}

async function rawIotos(child: Child): Promise<RoundTrips> {
  const client = await mqtt.connectAsync(child.url, { clientId: `bench-iotos-raw-${process.pid}` });
  // Same socket tuning as the package's shared connection, so that the baseline is not handicapped.
  (client.stream as unknown as { setNoDelay(on: boolean): void }).setNoDelay(true);
  await client.subscribeAsync(`${UP}/+/result`, { qos: 1 });
  const pending = new Map<string, number>();
  const run = windowed((n) => {
    const requestId = randomBytes(16).toString('hex');
    const now = Date.now();
    pending.set(requestId, performance.now());
    client.publish(UP, JSON.stringify({ requestId, requestTime: now, data: { '7be6': { name: 'temperature', id: 1963, oid: '7be6', ts: now / 1000, value: n } } }), { qos: 1 });
  });
  client.on('message', (_t, body) => {
    const r = JSON.parse(body.toString()) as { requestId: string; responseCode: number };
    const t0 = pending.get(r.requestId);
    if (t0 === undefined || r.responseCode !== 0) return;
    pending.delete(r.requestId);
    run.back(performance.now() - t0);
  });
  const result = await run.result;
  await client.endAsync();
  return result;
}

async function nodeIotos(red: BenchRuntime, child: Child): Promise<RoundTrips> {
  await red.deploy([
    { id: 'conn', type: 'iotos-connection', gatewayId: String(GW), deviceId: String(DEV), connection: { url: child.url } },
    { id: 'dev', type: 'iotos-device', connection: 'conn', points: [{ name: 'temperature', id: 1963, oid: '7be6' }], timeout: 30, wires: [['sink'], [], ['sink']] },
    { id: 'sink', type: 'junction', wires: [] },
  ], { conn: { username: 'bench', password: 'bench' } });
  await new Promise((r) => setTimeout(r, 500));
  const dev = red.node('dev');
  const run = windowed((n) => dev.receive({ payload: { '7be6': n }, t0: performance.now() } as never));
  red.node('sink').on('input', (input: unknown) => {
    const msg = input as { t0: number; error?: unknown };
    if (msg.error) throw new Error(`uplink failed in the bench: ${JSON.stringify(msg.error)}`);
    run.back(performance.now() - msg.t0);
  });
  try {
    return await run.result;
  } finally {
    await red.deploy([]);
  }
}

async function main(): Promise<void> {
  const child = await startChild();
  const red = await startRuntime(root);
  const results: Record<string, number[]> = { raw: [], jointech: [], core: [] };
  const iotos: { raw: RoundTrips[]; node: RoundTrips[] } = { raw: [], node: [] };
  child.proc.send({ iotosPlatform: { gatewayId: GW, deviceId: DEV } });
  for (let round = 0; round < ROUNDS; round++) {
    results.raw!.push(await rawMqtt(child));
    results.jointech!.push(await nodeRedFlow(red, child, jointechFlow(child.url)));
    results.core!.push(await nodeRedFlow(red, child, coreFlow(child.url)));
    iotos.raw.push(await rawIotos(child));
    iotos.node.push(await nodeIotos(red, child));
  }
  const bestTrips = (xs: RoundTrips[]) => xs.reduce((a, b) => (b.rate > a.rate ? b : a));
  const iotosRaw = bestTrips(iotos.raw);
  const iotosNode = bestTrips(iotos.node);
  const gb = benchGb32960();
  const raw = best(results.raw!);
  const jt = best(results.jointech!);
  const core = best(results.core!);
  const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
  const table = [
    `## jointech-in MQTT ingest (${N} document-sample messages, best of ${ROUNDS}, broker: ${process.env.MQTT_URL ?? 'Aedes in a child process'})`,
    '',
    '| receiver | messages/s | vs raw mqtt.js + JSON.parse | vs core mqtt in + function |',
    '|---|---:|---:|---:|',
    `| raw mqtt.js + JSON.parse (baseline) | ${fmt(raw)} | 1.00x | ${(raw / core).toFixed(2)}x |`,
    `| jointech-in (full decode, enumerations named) | ${fmt(jt)} | ${(jt / raw).toFixed(2)}x | ${(jt / core).toFixed(2)}x |`,
    `| core mqtt in + function (nested JSON.parse only) | ${fmt(core)} | ${(core / raw).toFixed(2)}x | 1.00x |`,
    '',
    `## iotos-device uplink round trips (${UPLINKS} uplinks, ${WINDOW} in flight, QoS 1, platform answered from the child process, best of ${ROUNDS})`,
    '',
    '| sender | round trips/s | p50 ms | p99 ms | vs raw mqtt.js |',
    '|---|---:|---:|---:|---:|',
    `| raw mqtt.js client, same envelope and matching (baseline) | ${fmt(iotosRaw.rate)} | ${iotosRaw.p50.toFixed(1)} | ${iotosRaw.p99.toFixed(1)} | 1.00x |`,
    `| iotos-device (validation, requestId matching, per-point results) | ${fmt(iotosNode.rate)} | ${iotosNode.p50.toFixed(1)} | ${iotosNode.p99.toFixed(1)} | ${(iotosNode.rate / iotosRaw.rate).toFixed(2)}x |`,
    '',
    `## GB/T 32960 realtime frame decoding (${gb.bytes}-byte frame: vehicle, 2 motors, position, extremes, alarms, 96 cell voltages, 32 temperatures; one core, best of 3)`,
    '',
    '| decoder | frames/s | MB/s | vs reference |',
    '|---|---:|---:|---:|',
    `| reference: binary-parser layout + scaling (baseline) | ${fmt(gb.reference)} | ${(gb.reference * gb.bytes / 1e6).toFixed(1)} | 1.00x |`,
    `| gb32960 decodeFrame (BCC, markers, enumerations, alarm flags, ISO times) | ${fmt(gb.ours)} | ${(gb.ours * gb.bytes / 1e6).toFixed(1)} | ${(gb.ours / gb.reference).toFixed(2)}x |`,
    '',
  ].join('\n');
  console.log(table);
  mkdirSync(join(root, 'bench', 'results'), { recursive: true });
  writeFileSync(join(root, 'bench', 'results', 'latest.md'), table);
  await red.stop();
  child.proc.kill();
  process.exit(0);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
