/**
 * `npm run bench`: throughput of the package's nodes against baselines measured in the same run.
 * Each scenario receives the same messages from a broker and publisher in a child process.
 * The backlog drain (bench/drain.ts) runs first; every wait in it is bounded, and a receiver that
 * stops making progress fails the bench with its stage and message count instead of hanging it.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import * as mqtt from 'mqtt';
import rhea = require('rhea');
import { FUNCTION_DECODE, benchDrain } from './drain';
import { benchGb32960, gb32960SmallRows, type Speed } from './gb32960';
import { benchGb32960Server } from './gb32960-server';
import { median } from './median';
import { startRuntime, type BenchRuntime, type FlowNode } from './runtime';
import { jointechMqttMessages } from '../tools/samples';

const root = join(__dirname, '..', '..');
const N = Number(process.env.BENCH_MESSAGES) || 20000;
const ROUNDS = Number(process.env.BENCH_ROUNDS) || 3;
const AK = 'bench';
/**
 * BENCH_ONLY=jointech-in,gb32960 runs only the named rows (node names, "amqp", "gb32960", "drain"
 * for the backlog drain of bench/drain.ts).
 */
const ONLY = process.env.BENCH_ONLY?.split(',').map((s) => s.trim()).filter(Boolean);
const selected = (name: string) => !ONLY || ONLY.includes(name);

interface Child { proc: ChildProcess; url: string; amqpPort: number }

async function startChild(): Promise<Child> {
  const proc = fork(join(__dirname, 'broker-child.js'), { stdio: 'inherit' });
  const { url, amqpPort } = await new Promise<{ url: string; amqpPort: number }>((resolve) => proc.once('message', resolve));
  return { proc, url, amqpPort };
}

type Message = { topic: string; payload: string };

/** One inbound node under test: its messages, its flow, and the filter the baselines use. */
interface IngestCase {
  node: string;
  what: string;
  messages: Message[];
  filter: string;
  flow(url: string): FlowNode[];
  credentials: Record<string, Record<string, string>>;
}

const sink: FlowNode = { id: 'sink', type: 'junction', wires: [] };
const conn = (url: string, id: string) => ({ url, clientId: `bench-${id}-${process.pid}` });

const livingBody = (seq: number) => JSON.stringify({
  id: String(seq), version: '1.0', method: 'thing.properties',
  params: { iotId: '0300MSKL03667c544f69342a74Sv4Za4', productKey: 'pkbench', deviceName: 'dev1', items: { temperature: { time: 1510292697471, value: 20 + seq }, alarm: { time: 1510292697470, value: 'normal' } } },
});

const INGEST: IngestCase[] = [
  {
    node: 'jointech-in', what: 'document samples, full decode, enumerations named',
    messages: jointechMqttMessages(AK).map(({ topic, body }) => ({ topic, payload: body })),
    filter: `upload/${AK}/#`,
    flow: (url) => [
      { id: 'acc', type: 'jointech-account', accessKey: AK, qos: 0, connection: conn(url, 'jt') },
      { id: 'in', type: 'jointech-in', account: 'acc', mode: 'mqtt', wires: [['sink']] }, sink,
    ],
    credentials: { acc: { username: 'bench', password: 'bench' } },
  },
  {
    node: 'eztcloud-in', what: 'attributes, events and alarms of one project',
    messages: [
      { topic: 'open/PR_bench/DU_bench01/attributes', payload: JSON.stringify({ temperature: 21.5, humidity: 40, switch: 1 }) },
      { topic: 'open/PR_bench/DU_bench01/event_report', payload: JSON.stringify({ method: 'doorOpened', params: { door: 1 } }) },
      { topic: 'open/PR_bench/DU_bench02/alarm', payload: JSON.stringify({ alerting: true }) },
    ],
    filter: 'open/PR_bench/#',
    flow: (url) => [
      { id: 'proj', type: 'eztcloud-project', localTest: true, connection: conn(url, 'ez') },
      { id: 'in', type: 'eztcloud-in', project: 'proj', wires: [['sink']] }, sink,
    ],
    credentials: { proj: { projectKey: 'PR_bench', projectSecret: 'bench' } },
  },
  {
    node: 'aliyun-living-in', what: 'property pushes, items to {name: value} with times',
    messages: Array.from({ length: 10 }, (_, i) => ({ topic: '/sys/pkbench/dev1/app/down/thing/properties', payload: livingBody(i) })),
    filter: '/sys/pkbench/+/app/down/#',
    flow: (url) => [
      { id: 'acct', type: 'aliyun-living-account', productKey: 'pkbench', deviceName: 'app1', connection: conn(url, 'lv') },
      { id: 'in', type: 'aliyun-living-in', account: 'acct', wires: [['sink'], []] }, sink,
    ],
    credentials: { acct: { username: 'bench', password: 'bench' } },
  },
];

/** cpuUs: CPU time of this process (Node-RED or the raw client) per message, while going flat out. */
interface IngestResult { rate: number; p50: number; p99: number; cpuUs: number }

const PACED = Number(process.env.BENCH_PACED) || 2000;
const PACED_RATE = 1000;

/**
 * Measures one receiver: throughput over N messages published as fast as the child can, then
 * latency (publish to arrival, p50/p99) over PACED messages at PACED_RATE a second.
 */
type PublishOrder = { messages: Message[]; count: number; perSecond?: number };

async function measureReceiver(
  child: Child,
  messages: Message[],
  attach: (arrived: () => void) => Promise<() => Promise<void>>,
  publish: (order: PublishOrder) => void = (order) => child.proc.send(order),
): Promise<IngestResult> {
  const arrivals: number[] = [];
  let count = 0;
  let first = 0;
  let last = 0;
  let paced = false;
  let cpuAtStart = process.cpuUsage();
  let cpuAtLast = cpuAtStart;
  const detach = await attach(() => {
    const now = performance.now();
    if (count === 0) first = now;
    count++;
    last = now;
    if (!paced && count === N) cpuAtLast = process.cpuUsage(cpuAtStart);
    if (paced) arrivals.push(performance.timeOrigin + now);
  });
  try {
    const until = (n: number, what: string) => new Promise<void>((resolve, reject) => {
      const started = Date.now();
      const poll = () => {
        if (count >= n) return resolve();
        if (Date.now() - started > 120_000) return reject(new Error(`only ${count} of ${n} ${what} arrived`));
        setTimeout(poll, 5);
      };
      poll();
    });
    cpuAtStart = process.cpuUsage();
    publish({ messages, count: N });
    await until(N, 'messages');
    const rate = N / ((last - first) / 1000);
    const cpuUs = (cpuAtLast.user + cpuAtLast.system) / N;
    count = 0;
    paced = true;
    const sent = new Promise<number[]>((resolve) => {
      const on = (m: { sentAt?: number[] }) => { if (m.sentAt) { child.proc.off('message', on); resolve(m.sentAt); } };
      child.proc.on('message', on);
    });
    publish({ messages, count: PACED, perSecond: PACED_RATE });
    const sentAt = await sent;
    await until(PACED, 'paced messages');
    const latencies = arrivals.map((t, i) => t - sentAt[i]!).sort((a, b) => a - b);
    const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!;
    return { rate, p50: at(0.5), p99: at(0.99), cpuUs };
  } finally {
    await detach();
  }
}

async function rawMqtt(child: Child, c: IngestCase): Promise<IngestResult> {
  return measureReceiver(child, c.messages, async (arrived) => {
    const client = await mqtt.connectAsync(child.url, { clientId: `bench-raw-${process.pid}` });
    (client.stream as unknown as { setNoDelay(on: boolean): void }).setNoDelay(true);
    client.on('message', (_t, payload) => {
      // Parsed and looked at, as any real consumer would.
      const obj = JSON.parse(payload.toString()) as Record<string, unknown> | null;
      if (obj && typeof obj === 'object') arrived();
    });
    await client.subscribeAsync(c.filter, { qos: 0 });
    return async () => { await client.endAsync(); };
  });
}

/** A flow whose `sink` receives `messages`, published by the child over MQTT unless `publish` says otherwise. */
async function nodeRedFlow(
  red: BenchRuntime,
  child: Child,
  messages: Message[],
  flow: FlowNode[],
  credentials: Record<string, unknown>,
  publish?: (order: PublishOrder) => void,
): Promise<IngestResult> {
  return measureReceiver(child, messages, async (arrived) => {
    await red.deploy(flow, credentials);
    red.node('sink').on('input', arrived);
    await new Promise((r) => setTimeout(r, 500));
    return async () => { await red.deploy([]); };
  }, publish);
}

// ---------------------------------------------------------------------------------------------
// Aliyun AMQP server-side subscription: GB/T 32960 gateway messages pushed by an AMQP 1.0 peer in
// the child process, received by aliyun-amqp-in or by a bare rhea receiver.

const gbExample = JSON.parse(readFileSync(join(root, 'examples', 'gb32960-decode.json'), 'utf8')) as Array<{ id: string; payload?: string }>;
const AMQP_MESSAGES: Message[] = ['gb.inject.login', 'gb.inject.realtime', 'gb.inject.status'].map((id) => ({
  topic: id === 'gb.inject.status' ? '/sys/pk1/LZYTBGBW6J1014194/device/status/notify' : '/sys/pk1/LZYTBGBW6J1014194/device/message/uplink',
  payload: gbExample.find((n) => n.id === id)!.payload!,
}));

const amqpPush = (child: Child) => (order: PublishOrder) => child.proc.send({ amqpPush: order });

async function rawAmqp(child: Child): Promise<IngestResult> {
  return measureReceiver(child, AMQP_MESSAGES, async (arrived) => {
    const container = rhea.create_container({ id: `bench-amqp-raw-${process.pid}` });
    const connection = container.connect({ host: '127.0.0.1', port: child.amqpPort, username: 'bench', password: 'bench', reconnect: false });
    connection.on('message', (ctx) => {
      const body = ctx.message!.body as { content: Buffer };
      // Parsed and looked at, then accepted: the same work the node does before it accepts.
      const obj = JSON.parse(body.content.toString()) as Record<string, unknown> | null;
      ctx.delivery!.accept();
      if (obj && typeof obj === 'object') arrived();
    });
    await new Promise<void>((resolve) => {
      connection.once('receiver_open', () => resolve());
      connection.open_receiver({ autoaccept: false, credit_window: 100 });
    });
    return async () => {
      await new Promise<void>((resolve) => {
        connection.once('connection_close', () => resolve());
        connection.close();
      });
    };
  }, amqpPush(child));
}

function nodeAmqp(red: BenchRuntime, child: Child): Promise<IngestResult> {
  return nodeRedFlow(red, child, AMQP_MESSAGES, [
    { id: 'amqp', type: 'aliyun-amqp-connection', host: '127.0.0.1', port: child.amqpPort, localTest: true, consumerGroupId: 'G', clientId: 'bench', prefetch: 100 },
    { id: 'in', type: 'aliyun-amqp-in', connection: 'amqp', wires: [['sink']] },
    sink,
  ], { amqp: { keyId: 'bench', secret: 'bench' } }, amqpPush(child));
}

/** Node-RED's own floor: core mqtt in straight to the sink, no parsing at all. */
function bareCoreFlow(url: string, c: IngestCase): FlowNode[] {
  return [
    { id: 'b', type: 'mqtt-broker', broker: url, clientid: `bench-bare-${process.pid}`, autoConnect: true, protocolVersion: 4 },
    { id: 'in', type: 'mqtt in', broker: 'b', topic: c.filter, qos: '0', datatype: 'buffer', wires: [['sink']] },
    sink,
  ];
}

function coreFlow(url: string, c: IngestCase): FlowNode[] {
  return [
    { id: 'b', type: 'mqtt-broker', broker: url, clientid: `bench-core-${process.pid}`, autoConnect: true, protocolVersion: 4 },
    { id: 'in', type: 'mqtt in', broker: 'b', topic: c.filter, qos: '0', datatype: 'utf8', wires: [['fn']] },
    { id: 'fn', type: 'function', func: FUNCTION_DECODE, outputs: 1, wires: [['sink']] },
    sink,
  ];
}


// ---------------------------------------------------------------------------------------------
// IOTOS uplink round trips: publish an uplink, wait for the platform's result (answered by the
// child process), with a fixed number of uplinks in flight.

type Sender = 'raw' | 'node' | 'core';
const SENDERS: readonly Sender[] = ['raw', 'node', 'core'];
/**
 * Each sender's own keys (IOTOS gateway, EZtCloud project, Jointech access key), answered by the
 * child under each: no connection receives another sender's replies.
 */
const KEYS: Record<Sender, { gateway: number; project: string; accessKey: string }> = {
  raw: { gateway: 171, project: 'PR_benchR', accessKey: 'benchR' },
  node: { gateway: 172, project: 'PR_benchN', accessKey: 'benchN' },
  core: { gateway: 173, project: 'PR_benchC', accessKey: 'benchC' },
};
const DEV = 401;
const uplinkTopic = (who: Sender) => `$IOTOS/device/platform/update/${KEYS[who].gateway}/${DEV}`;
const CORE_NAGLE = process.env.BENCH_CORE_NAGLE === '1';
/** Round trips per run. Runs are short so that a raw and a node run compared are seconds apart. */
const UPLINKS = Number(process.env.BENCH_UPLINKS) || 4000;
/**
 * Rounds of raw, node, core, core, node, raw, each round starting with the next sender (node, core,
 * raw, raw, core, node; then core, raw, node, ...); BENCH_ROUNDS for the other benches.
 */
const TRIP_ROUNDS = Number(process.env.BENCH_TRIP_ROUNDS) || 24;
/** A run that gets no reply for this long fails the bench, naming the sender. */
const STALL_MS = 30_000;
/** Round trips each sender makes once before the rounds, so that no round meets a cold JIT. */
const WARM_UP = 5000;
const WINDOW = 50;

/**
 * cpuUs: CPU time of this process (Node-RED or the raw client) per round trip; brokerUs: the
 * child's (broker and simulated platform), which shares the machine's cores with it.
 */
interface RoundTrips { count: number; rate: number; p50: number; p99: number; cpuUs: number; brokerUs: number }

/** Two runs of a round as one: the mean of each figure. */
function meanTrips(runs: RoundTrips[]): RoundTrips {
  const mean = (f: (r: RoundTrips) => number) => runs.reduce((sum, r) => sum + f(r), 0) / runs.length;
  return { count: mean((r) => r.count), rate: mean((r) => r.rate), p50: mean((r) => r.p50), p99: mean((r) => r.p99), cpuUs: mean((r) => r.cpuUs), brokerUs: mean((r) => r.brokerUs) };
}

/** The child's CPU time so far, in µs. */
function childCpu(child: Child): Promise<number> {
  return new Promise((resolve) => {
    const onMessage = (m: { cpuUs?: number }) => {
      if (m.cpuUs === undefined) return;
      child.proc.off('message', onMessage);
      resolve(m.cpuUs);
    };
    child.proc.on('message', onMessage);
    child.proc.send({ cpu: true });
  });
}

/** Runs `trips` and adds what the child spent on it per round trip. */
async function withBrokerCpu(child: Child, trips: () => Promise<Omit<RoundTrips, 'brokerUs'>>): Promise<RoundTrips> {
  const before = await childCpu(child);
  const result = await trips();
  return { ...result, brokerUs: (await childCpu(child) - before) / result.count };
}

function summarise(latencies: number[], startedAt: number, cpuAtStart: NodeJS.CpuUsage): Omit<RoundTrips, 'brokerUs'> {
  const cpu = process.cpuUsage(cpuAtStart);
  const sorted = [...latencies].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { count: latencies.length, rate: latencies.length / ((performance.now() - startedAt) / 1000), p50: at(0.5), p99: at(0.99), cpuUs: (cpu.user + cpu.system) / latencies.length };
}

/**
 * Drives `send` with WINDOW uplinks in flight until `count` have come back through `back`; fails
 * when none comes back for STALL_MS (a request or reply lost).
 */
function windowed(who: string, count: number, send: (n: number) => void): { back: (latencyMs: number) => void; result: Promise<Omit<RoundTrips, 'brokerUs'>> } {
  const latencies: number[] = [];
  let sent = 0;
  let lastBack = performance.now();
  let finish: (r: Omit<RoundTrips, 'brokerUs'>) => void = () => undefined;
  let fail: (err: Error) => void = () => undefined;
  const result = new Promise<Omit<RoundTrips, 'brokerUs'>>((resolve, reject) => { finish = resolve; fail = reject; });
  const stall = setInterval(() => {
    if (performance.now() - lastBack < STALL_MS) return;
    clearInterval(stall);
    fail(new Error(`round trips: ${who} got no reply for ${STALL_MS / 1000} s, ${latencies.length} of ${count} back`));
  }, 1000);
  const startedAt = performance.now();
  const cpuAtStart = process.cpuUsage();
  const next = () => { if (sent < count) send(sent++); };
  for (let i = 0; i < WINDOW; i++) next();
  return {
    back(latencyMs) {
      lastBack = performance.now();
      latencies.push(latencyMs);
      if (latencies.length === count) {
        clearInterval(stall);
        finish(summarise(latencies, startedAt, cpuAtStart));
      } else next();
    },
    result,
  };
}

/**
 * A sender that stays connected (the raw client) or deployed (the node, the core flow) between its
 * runs, so that runs can alternate every fraction of a second. Request numbers go on across runs:
 * no key repeats.
 */
interface TripSender {
  run(count: number): Promise<Omit<RoundTrips, 'brokerUs'>>;
}

/** Runs of `count` requests numbered on from the last run's, through `start` (which sends request `n`). */
function tripRuns(who: string, start: (n: number) => void): { run: TripSender['run']; back: (latencyMs: number) => void } {
  let numbered = 0;
  let current: ReturnType<typeof windowed> | undefined;
  return {
    run(count) {
      const first = numbered;
      numbered += count;
      current = windowed(who, count, (n) => start(first + n));
      return current.result;
    },
    back: (latencyMs) => current?.back(latencyMs),
  };
}

/** A request/reply node: what the raw client sends and matches, and the node's flow and input. */
interface RoundTripCase {
  node: string;
  what: string;
  /** Tells the child process to answer like the platform (or device), under a sender's keys. */
  order(who: Sender): Record<string, unknown>;
  /** What the raw client subscribes to, sends and matches. */
  replyFilter: string;
  request(n: number): { topic: string; body: string; key: string };
  /** The key a reply answers, or undefined when it is not a success. */
  replyKey(topic: string, body: string): string | undefined;
  flow(url: string): FlowNode[];
  credentials: Record<string, Record<string, string>>;
  input(n: number): Record<string, unknown>;
  /**
   * The same requests built with core nodes: a function node sends each input's request to
   * `mqtt out` and keeps the msg until `mqtt in` (subscribed to `replyFilter`) brings its reply.
   */
  core: { replyFilter: string; func: string };
}

/** The raw client; `close` ends its connection (the flows leave with the next deploy). */
async function rawSender(child: Child, c: RoundTripCase): Promise<TripSender & { close(): Promise<void> }> {
  // The package's shared connection's tuning (no debug logger, Nagle off below), so that the
  // baseline is not handicapped.
  const client = await mqtt.connectAsync(child.url, { clientId: `bench-rt-raw-${process.pid}`, log: () => undefined });
  (client.stream as unknown as { setNoDelay(on: boolean): void }).setNoDelay(true);
  await client.subscribeAsync(c.replyFilter, { qos: 1 });
  const pending = new Map<string, number>();
  const runs = tripRuns('raw mqtt.js', (n) => {
    const r = c.request(n);
    pending.set(r.key, performance.now());
    client.publish(r.topic, r.body, { qos: 1 });
  });
  client.on('message', (topic, body) => {
    const key = c.replyKey(topic, body.toString());
    const t0 = key === undefined ? undefined : pending.get(key);
    if (t0 === undefined) return;
    pending.delete(key!);
    runs.back(performance.now() - t0);
  });
  return { run: runs.run, close: () => client.endAsync() };
}

/**
 * The flow of the core baseline: one function node gets the bench's inputs (no topic) and the
 * replies from `mqtt in` (a topic), with the waiting msgs in its context.
 */
function coreTripFlow(url: string, c: RoundTripCase): FlowNode[] {
  return [
    { id: 'coreBroker', type: 'mqtt-broker', broker: url, clientid: `bench-rt-core-${process.pid}`, autoConnect: true, protocolVersion: 4 },
    { id: 'coreIn', type: 'mqtt in', broker: 'coreBroker', topic: c.core.replyFilter, qos: '1', datatype: 'utf8', wires: [['coreDev']] },
    { id: 'coreDev', type: 'function', func: `let pending = context.get('pending');\nif (!pending) { pending = new Map(); context.set('pending', pending); }\n${c.core.func}`, outputs: 2, wires: [['coreOut'], ['coreSink']] },
    { id: 'coreOut', type: 'mqtt out', broker: 'coreBroker', topic: '', qos: '', retain: '' },
    { id: 'coreSink', type: 'junction', wires: [] },
  ];
}

/** The node (`dev`, answering to `sink`) and the core flow (`coreDev`, to `coreSink`), deployed once for all runs. */
async function deployTrips(red: BenchRuntime, c: RoundTripCase, url: string): Promise<void> {
  await red.deploy([...c.flow(''), ...coreTripFlow(url, c)], c.credentials);
  await new Promise((r) => setTimeout(r, 700));
  // Core's broker node leaves Nagle's algorithm on: each QoS 1 publish then waits for the broker's
  // delayed ACK (about 40 ms on Linux), and the core flow makes some 1,000 round trips/s. Its
  // client gets the raw client's tuning (Nagle off, no debug logger), on every connect, unless
  // BENCH_CORE_NAGLE=1 asks for it as deployed.
  if (CORE_NAGLE) return;
  type Tunable = mqtt.MqttClient & { log: (...args: unknown[]) => void; stream?: { setNoDelay?(on: boolean): void } };
  const client = (red.node('coreBroker') as unknown as { client?: Tunable }).client;
  if (!client?.stream?.setNoDelay) throw new Error('round trips: core\'s mqtt-broker node has no mqtt.js client with a TCP socket to tune');
  const tune = () => {
    client.log = () => undefined;
    client.stream!.setNoDelay!(true);
  };
  tune();
  client.on('connect', tune);
}

/** Runs through Node-RED, named `who`: inputs into `input`, answers (with the input's t0) out of `output`. */
function flowSender(red: BenchRuntime, c: RoundTripCase, who: string, input: string, output: string): TripSender {
  const node = red.node(input);
  const runs = tripRuns(who, (n) => node.receive({ ...c.input(n), t0: performance.now() } as never));
  red.node(output).on('input', (received: unknown) => {
    const msg = received as { t0: number; error?: unknown };
    if (msg.error) throw new Error(`${c.node} failed in the bench: ${JSON.stringify(msg.error)}`);
    runs.back(performance.now() - msg.t0);
  });
  return { run: runs.run };
}

function roundTripCases(url: string): RoundTripCase[] {
  const now = () => Date.now();
  const ezDevice = (n: number) => `DU_bench${String(n % WINDOW).padStart(2, '0')}`;
  const { raw, node, core } = KEYS;
  return [
    {
      node: 'iotos-device', what: 'uplinks: validation, requestId matching, per-point results',
      order: (who) => ({ iotosPlatform: { gatewayId: KEYS[who].gateway, deviceId: DEV } }),
      replyFilter: `${uplinkTopic('raw')}/+/result`,
      request: (n) => {
        const requestId = randomUUID().replace(/-/g, '');
        return { key: requestId, topic: uplinkTopic('raw'), body: JSON.stringify({ requestId, requestTime: now(), data: { '7be6': { name: 'temperature', id: 1963, oid: '7be6', ts: now() / 1000, value: n } } }) };
      },
      replyKey: (_t, body) => { const r = JSON.parse(body) as { requestId: string; responseCode: number }; return r.responseCode === 0 ? r.requestId : undefined; },
      flow: () => [
        { id: 'conn', type: 'iotos-connection', gatewayId: String(node.gateway), deviceId: String(DEV), connection: { url } },
        { id: 'dev', type: 'iotos-device', connection: 'conn', points: [{ name: 'temperature', id: 1963, oid: '7be6' }], timeout: 30, wires: [['sink'], [], ['sink']] },
        sink,
      ],
      credentials: { conn: { username: 'bench', password: 'bench' } },
      input: (n) => ({ payload: { '7be6': n } }),
      core: {
        replyFilter: `${uplinkTopic('core')}/+/result`,
        // 32 hex digits, as long as the others' requestIds.
        func: `if (msg.topic === undefined) {
  const requestId = (Math.random().toString(16).slice(2) + Date.now().toString(16)).padEnd(32, '0').slice(0, 32);
  pending.set(requestId, msg);
  const now = Date.now();
  return [{ topic: '${uplinkTopic('core')}', qos: 1, payload: JSON.stringify({ requestId, requestTime: now, data: { '7be6': { name: 'temperature', id: 1963, oid: '7be6', ts: now / 1000, value: msg.payload['7be6'] } } }) }, null];
}
const r = JSON.parse(msg.payload);
const sent = r.responseCode === 0 ? pending.get(r.requestId) : undefined;
if (!sent) return null;
pending.delete(r.requestId);
sent.payload = r;
return [null, sent];`,
      },
    },
    {
      node: 'eztcloud-out', what: 'command_send: validation, reply matched by device and id',
      order: (who) => ({ eztcloudPlatform: { projectKey: KEYS[who].project } }),
      replyFilter: `open/${raw.project}/+/command_reply`,
      // Spread over as many devices as there are requests in flight: commands to one device leave
      // one at a time (each after the broker acknowledged the one before).
      request: (n) => ({ key: String(n + 1), topic: `open/${raw.project}/${ezDevice(n)}/command_send`, body: JSON.stringify({ method: 'set', params: { n }, id: n + 1 }) }),
      replyKey: (_t, body) => String((JSON.parse(body) as { id: number }).id),
      flow: () => [
        { id: 'proj', type: 'eztcloud-project', localTest: true, connection: { url } },
        { id: 'dev', type: 'eztcloud-out', project: 'proj', action: 'command_send', device: 'DU_bench01', method: 'set', waitReply: true, timeout: 30, wires: [['sink']] },
        sink,
      ],
      credentials: { proj: { projectKey: node.project, projectSecret: 'bench' } },
      input: (n) => ({ payload: { n }, id: n + 1, device: ezDevice(n) }),
      core: {
        replyFilter: `open/${core.project}/+/command_reply`,
        func: `if (msg.topic === undefined) {
  pending.set(msg.device + '/' + msg.id, msg);
  return [{ topic: 'open/${core.project}/' + msg.device + '/command_send', qos: 1, payload: JSON.stringify({ method: 'set', params: msg.payload, id: msg.id }) }, null];
}
const r = JSON.parse(msg.payload);
const key = msg.topic.split('/')[2] + '/' + r.id;
const sent = pending.get(key);
if (!sent) return null;
pending.delete(key);
sent.payload = r;
return [null, sent];`,
      },
    },
    {
      node: 'lock-command', what: 'BASE1 frames: serials, reply parsed and matched per device',
      order: (who) => ({ jointechDevices: { accessKey: KEYS[who].accessKey } }),
      replyFilter: `upload/${raw.accessKey}/+/cmd`,
      request: (n) => {
        const device = String(8_000_000_000 + n);
        return { key: device, topic: `download/${raw.accessKey}/${device}/cmd`, body: `(${device},1,001,BASE,1)` };
      },
      replyKey: (_t, body) => (JSON.parse(body) as { assetId: string }).assetId,
      flow: () => [
        { id: 'acc', type: 'jointech-account', accessKey: node.accessKey, qos: 1, connection: { url } },
        { id: 'dev', type: 'lock-command', account: 'acc', command: 'BASE1', timeout: 30, wires: [['sink'], ['sink']] },
        sink,
      ],
      credentials: { acc: { username: 'bench', password: 'fe01ce2a7fbac8fafaed7c982a04e229' } },
      input: (n) => ({ device: String(8_000_000_000 + n) }),
      core: {
        replyFilter: `upload/${core.accessKey}/+/cmd`,
        func: `if (msg.topic === undefined) {
  pending.set(msg.device, msg);
  return [{ topic: 'download/${core.accessKey}/' + msg.device + '/cmd', qos: 1, payload: '(' + msg.device + ',1,001,BASE,1)' }, null];
}
const r = JSON.parse(msg.payload);
const sent = pending.get(r.assetId);
if (!sent) return null;
pending.delete(r.assetId);
sent.payload = r;
return [null, sent];`,
      },
    },
  ];
}

const bestTrips = <T extends { rate: number }>(xs: T[]): T => xs.reduce((a, b) => (b.rate > a.rate ? b : a));
const leastCpu = (xs: IngestResult[]): number => Math.min(...xs.map((x) => x.cpuUs));

async function main(): Promise<void> {
  // First, while the machine is fresh: each receiver runs in a process of its own.
  const drainRows = selected('drain') ? await benchDrain() : [];
  const child = await startChild();
  const red = await startRuntime(root);
  const ingestCases = INGEST.filter((c) => selected(c.node));
  const ingest = ingestCases.map(() => ({ raw: [] as IngestResult[], node: [] as IngestResult[], core: [] as IngestResult[], bare: [] as IngestResult[] }));
  const rtCases = roundTripCases(child.url).filter((c) => selected(c.node));
  const trips = rtCases.map(() => ({ raw: [] as RoundTrips[], node: [] as RoundTrips[], core: [] as RoundTrips[] }));
  const amqp = { raw: [] as IngestResult[], node: [] as IngestResult[] };
  for (const c of rtCases) for (const who of SENDERS) child.proc.send(c.order(who));
  for (let round = 0; round < ROUNDS; round++) {
    for (const [i, c] of ingestCases.entries()) {
      ingest[i]!.raw.push(await rawMqtt(child, c));
      ingest[i]!.node.push(await nodeRedFlow(red, child, c.messages, c.flow(child.url), c.credentials));
      ingest[i]!.core.push(await nodeRedFlow(red, child, c.messages, coreFlow(child.url, c), {}));
      ingest[i]!.bare.push(await nodeRedFlow(red, child, c.messages, bareCoreFlow(child.url, c), {}));
    }
    if (selected('amqp')) {
      amqp.raw.push(await rawAmqp(child));
      amqp.node.push(await nodeAmqp(red, child));
    }
  }
  for (const [i, c] of rtCases.entries()) {
    await deployTrips(red, c, child.url);
    const senders = { raw: await rawSender(child, c), node: flowSender(red, c, c.node, 'dev', 'sink'), core: flowSender(red, c, 'core flow', 'coreDev', 'coreSink') };
    for (const who of SENDERS) await senders[who].run(WARM_UP);
    for (let round = 0; round < TRIP_ROUNDS; round++) {
      // raw, node, core, core, node, raw; the next round starts with node, the one after with
      // core: a machine speeding up or slowing down during a round favours none of them, and each
      // sender follows each other one, or itself, as often.
      const forward = [...SENDERS.slice(round % 3), ...SENDERS.slice(0, round % 3)];
      const order = [...forward, ...[...forward].reverse()];
      const runs: Record<Sender, RoundTrips[]> = { raw: [], node: [], core: [] };
      for (const who of order) runs[who].push(await withBrokerCpu(child, () => senders[who].run(UPLINKS)));
      for (const who of SENDERS) trips[i]![who].push(meanTrips(runs[who]));
      const line = (who: Sender) => {
        const x = trips[i]![who].at(-1)!;
        return `${who} ${Math.round(x.rate)}/s ${x.cpuUs.toFixed(1)} µs CPU (broker ${x.brokerUs.toFixed(1)})`;
      };
      const ratio = (who: 'node' | 'core') => (trips[i]![who].at(-1)!.rate / trips[i]!.raw.at(-1)!.rate).toFixed(2);
      console.error(`round trips round ${round + 1} ${c.node}: ${SENDERS.map(line).join(', ')} (node ${ratio('node')}x, core ${ratio('core')}x)`);
    }
    await senders.raw.close();
    await red.deploy([]);
  }
  const gb = selected('gb32960') ? benchGb32960() : undefined;
  const gbServer = selected('gb32960-server') ? await benchGb32960Server(red, ROUNDS) : undefined;
  const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
  const tripRows = rtCases.flatMap((c, i) => {
    const { raw, node, core } = trips[i]!;
    /** The median of same-round ratios of round trips/s. */
    const vs = (xs: RoundTrips[], base: RoundTrips[]) => `${median(xs.map((x, j) => x.rate / base[j]!.rate)).toFixed(2)}x`;
    const row = (label: string, xs: RoundTrips[], ratios: string) =>
      `| ${label} | ${fmt(median(xs.map((x) => x.rate)))} | ${median(xs.map((x) => x.p50)).toFixed(1)} | ${median(xs.map((x) => x.p99)).toFixed(1)} | ${median(xs.map((x) => x.cpuUs)).toFixed(1)} | ${median(xs.map((x) => x.brokerUs)).toFixed(1)} | ${ratios} |`;
    return [
      `| **${c.node}** | | | | | | | |`,
      row('raw mqtt.js client, same envelope and matching, Nagle off, no debug logger (baseline)', raw, `1.00x | ${vs(raw, core)}`),
      row(`${c.node}: ${c.what}`, node, `${vs(node, raw)} | ${vs(node, core)}`),
      row(`core mqtt out + mqtt in + function (same envelope and matching, no checks, no deadline), ${CORE_NAGLE ? 'as deployed (Nagle on)' : 'tuned as the raw client'}`, core, `${vs(core, raw)} | 1.00x`),
    ];
  });
  const ms = (n: number) => n.toFixed(2);
  const ingestRows = ingestCases.flatMap((c, i) => {
    const r = ingest[i]!;
    const raw = bestTrips(r.raw);
    const core = bestTrips(r.core);
    /** One receiver's row: its best round for rate and latency, its least CPU over the rounds. */
    const row = (label: string, rounds: IngestResult[]) => {
      const x = bestTrips(rounds);
      return `| ${label} | ${fmt(x.rate)} | ${ms(x.p50)} | ${ms(x.p99)} | ${leastCpu(rounds).toFixed(1)} | ${(x.rate / raw.rate).toFixed(2)}x | ${(x.rate / core.rate).toFixed(2)}x |`;
    };
    return [
      `| **${c.node}** (${c.messages.length} distinct messages) | | | | | | |`,
      row('raw mqtt.js + JSON.parse (baseline)', r.raw),
      row(`${c.node}: ${c.what}`, r.node),
      row('core mqtt in + function (JSON.parse, nested parses)', r.core),
      row('core mqtt in alone, no parsing (Node-RED\'s own per-message cost)', r.bare),
    ];
  });
  const section = (rows: string[]) => (rows.length > 0 ? [...rows, ''] : []);
  const amqpRows = amqp.raw.length === 0 ? [] : (() => {
    const amqpRaw = bestTrips(amqp.raw);
    const amqpNode = bestTrips(amqp.node);
    return [
      `## Aliyun AMQP subscription ingest (GB/T 32960 gateway messages from an AMQP 1.0 peer in the child process; same counts and pacing; best of ${ROUNDS})`,
      '',
      '| receiver | messages/s | p50 ms | p99 ms | CPU µs/msg | vs raw rhea |',
      '|---|---:|---:|---:|---:|---:|',
      `| raw rhea receiver + JSON.parse, accept after parse (baseline) | ${fmt(amqpRaw.rate)} | ${ms(amqpRaw.p50)} | ${ms(amqpRaw.p99)} | ${leastCpu(amqp.raw).toFixed(1)} | 1.00x |`,
      `| aliyun-amqp-in: topic filter, JSON, accept after hand-over | ${fmt(amqpNode.rate)} | ${ms(amqpNode.p50)} | ${ms(amqpNode.p99)} | ${leastCpu(amqp.node).toFixed(1)} | ${(amqpNode.rate / amqpRaw.rate).toFixed(2)}x |`,
    ];
  })();
  const gbRows = !gb ? [] : (() => {
    const row = (label: string, x: Speed) =>
      `| ${label} | ${fmt(x.rate)} | ${(x.rate * gb.bytes / 1e6).toFixed(1)} | ${x.latency.p50.toFixed(1)} | ${x.latency.p99.toFixed(1)} | ${(x.rate / gb.reference.rate).toFixed(2)}x |`;
    return [
      `## GB/T 32960 realtime frame decoding (${gb.bytes}-byte frame: vehicle, 2 motors, position, extremes, alarms, 96 cell voltages, 32 temperatures; one core, best of 3)`,
      '',
      '| decoder | frames/s | MB/s | p50 µs | p99 µs | vs reference |',
      '|---|---:|---:|---:|---:|---:|',
      row('reference: binary-parser layout, then the same output as decodeFrame (checked equal; baseline)', gb.reference),
      row('gb32960 decodeFrame (BCC, markers, enumerations, gear and alarm flags, ISO times)', gb.ours),
      row('lower bar: binary-parser layout and scale factors only (no BCC, markers, names or flags)', gb.layoutOnly),
      '',
      ...gb32960SmallRows(gb, fmt),
    ];
  })();
  const gbServerRows = !gbServer ? [] : [
    `## GB/T 32960 platform ingest (${gbServer.connections} vehicle connections from a child process; ${gbServer.frames} realtime frames preloaded in the sockets (written while the receiver does not read) for frames/s, then send-to-flow latency at ${process.env.BENCH_GB32960_RATE ?? 1000}/s; ${ROUNDS} rounds of floor, node per frame and node per batch in turn, medians; vs floor = median of the same-round ratios, frames/s and CPU)`,
    '',
    '| receiver | frames/s | p50 ms | p99 ms | CPU µs/frame | vs floor (frames/s) | vs floor (CPU) |',
    '|---|---:|---:|---:|---:|---:|---:|',
    `| floor: bare net server, same FrameSplitter + decodeFrame, nothing else | ${fmt(gbServer.floor.rate)} | ${ms(gbServer.floor.p50)} | ${ms(gbServer.floor.p99)} | ${gbServer.floor.cpuUs.toFixed(1)} | 1.00x | 1.00x |`,
    `| gb32960-server + gb32960-in: sessions, login gate, replies, msg into the flow | ${fmt(gbServer.node.rate)} | ${ms(gbServer.node.p50)} | ${ms(gbServer.node.p99)} | ${gbServer.node.cpuUs.toFixed(1)} | ${gbServer.rateRatio.toFixed(2)}x | ${gbServer.cpuRatio.toFixed(2)}x |`,
    `| gb32960-server + gb32960-in, output one msg per batch (500 frames or 200 ms) | ${fmt(gbServer.batch.rate)} | ${ms(gbServer.batch.p50)} | ${ms(gbServer.batch.p99)} | ${gbServer.batch.cpuUs.toFixed(1)} | ${gbServer.batchRateRatio.toFixed(2)}x | ${gbServer.batchCpuRatio.toFixed(2)}x |`,
    '',
    `CPU µs/frame by round (floor / per frame / per batch): ${gbServer.roundsCpuUs.map((r) => r.map((x) => x.toFixed(1)).join(' / ')).join('; ')}`,
  ];
  const table = [
    ...section(drainRows),
    ...section(ingestRows.length === 0 ? [] : [
      `## MQTT ingest, publisher-paced (every receiver keeps up: ${N} QoS 0 messages as fast as the publisher goes for messages/s; then ${PACED} at ${PACED_RATE}/s for publish-to-flow latency; best of ${ROUNDS}; broker: ${process.env.MQTT_URL ?? 'Aedes in a child process'})`,
      '',
      '| receiver | messages/s | p50 ms | p99 ms | CPU µs/msg | vs raw mqtt.js | vs core mqtt in + function |',
      '|---|---:|---:|---:|---:|---:|---:|',
      ...ingestRows,
    ]),
    ...section(amqpRows),
    ...section(tripRows.length === 0 ? [] : [
      `## Request / reply round trips (${WINDOW} in flight, QoS 1, platform or devices answered from the child process; each sender under keys of its own, all connected throughout; after a warm-up, ${TRIP_ROUNDS} rounds of raw, node, core, core, node, raw, each round starting with the next sender, ${UPLINKS} requests a run, each round's figures the mean of its two runs; medians, ratios the median of same-round ratios)`,
      '',
      '| sender | round trips/s | p50 ms | p99 ms | CPU µs/trip | broker + platform CPU µs/trip | vs raw mqtt.js | vs core flow |',
      '|---|---:|---:|---:|---:|---:|---:|---:|',
      ...tripRows,
    ]),
    ...section(gbRows),
    ...section(gbServerRows),
  ].join('\n');
  console.log(table);
  mkdirSync(join(root, 'bench', 'results'), { recursive: true });
  if (!ONLY) writeFileSync(join(root, 'bench', 'results', 'latest.md'), table);
  await red.stop();
  child.proc.kill();
  process.exit(0);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
