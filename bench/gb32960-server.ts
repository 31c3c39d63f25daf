/**
 * GB/T 32960 platform ingest: realtime frames from 1,000 vehicle connections (a child process)
 * into the flow through gb32960-server + gb32960-in, against the floor: a bare `net` server that
 * cuts the same streams with the same FrameSplitter and decodes with the same decodeFrame, and
 * does nothing else (no sessions, replies or Node-RED). Frames/s over a flood the vehicles wrote
 * while the receiver was not reading (so the receiver sets the pace, not the vehicles), then
 * send-to-arrival latency (p50/p99) at a steady rate.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import net from 'node:net';
import { join } from 'node:path';
import { decodeFrame } from '../src/protocols/gb32960/codec';
import { replyTo } from '../src/protocols/gb32960/replies';
import { FrameSplitter } from '../src/protocols/gb32960/stream';
import type { Gb32960ServerNode } from '../src/nodes/gb32960-server/types';
import type { BenchRuntime } from './runtime';

const CONNECTIONS = Number(process.env.BENCH_GB32960_CONNECTIONS) || 1000;
const FRAMES = Number(process.env.BENCH_GB32960_FRAMES) || 100_000;
const PACED = Number(process.env.BENCH_GB32960_PACED) || 5000;
const PACED_RATE = Number(process.env.BENCH_GB32960_RATE) || 1000;

/** cpuUs: this process's CPU time per frame during the flood (the receiver's cost, whatever the machine's load). */
export interface ServerIngest { rate: number; p50: number; p99: number; cpuUs: number }
export interface ServerBench {
  connections: number;
  frames: number;
  floor: ServerIngest;
  /** gb32960-in sending one msg per frame. */
  node: ServerIngest;
  /** Median over rounds of node frames/s over floor frames/s in the same round. */
  rateRatio: number;
  /** Median over rounds of floor CPU per frame over node CPU per frame in the same round (1 = as cheap as the floor). */
  cpuRatio: number;
  /** gb32960-in sending one msg per batch (default size and wait), with its ratios as for `node`. */
  batch: ServerIngest;
  batchRateRatio: number;
  batchCpuRatio: number;
  /** CPU µs per frame of floor, node per frame and node per batch in each round, to see how much the rounds differ. */
  roundsCpuUs: Array<[number, number, number]>;
}

/** A frame payload: its 0x80 block holds the send time. */
type Payload = { custom?: Array<{ data: Buffer }> };

const now = () => performance.timeOrigin + performance.now();

function ask(child: ChildProcess, order: unknown): Promise<void> {
  return new Promise((resolve) => {
    child.once('message', () => resolve());
    child.send(order as object);
  });
}

/**
 * Counts arrivals; the flood's time and CPU run from `start()` (the receiver reading again) to the
 * last flood frame's arrival, so work done before the first arrival counts too. After `FRAMES`,
 * records latencies from the frames' send stamps.
 */
function counter() {
  let count = 0;
  let first = 0;
  let last = 0;
  let cpuStart = process.cpuUsage();
  let cpuFlood = 0;
  const latencies: number[] = [];
  return {
    start() {
      first = performance.now();
      cpuStart = process.cpuUsage();
    },
    arrived(payload: Payload) {
      const t = performance.now();
      count++;
      last = t;
      if (count === FRAMES) {
        const used = process.cpuUsage(cpuStart);
        cpuFlood = (used.user + used.system) / FRAMES;
      }
      if (count > FRAMES) latencies.push(now() - payload.custom![0]!.data.readDoubleBE(0));
    },
    get count() { return count; },
    result(): ServerIngest {
      latencies.sort((a, b) => a - b);
      return { rate: FRAMES / ((last - first) / 1000 || 1), cpuUs: cpuFlood, p50: latencies[Math.floor(latencies.length * 0.5)] ?? NaN, p99: latencies[Math.floor(latencies.length * 0.99)] ?? NaN };
    },
  };
}

async function drive(child: ChildProcess, port: number, c: ReturnType<typeof counter>, ready: () => boolean): Promise<ServerIngest> {
  await ask(child, { connect: { port, connections: CONNECTIONS } });
  const until = Date.now() + 30_000;
  while (!ready() && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
  // Preloaded: this process does not run its event loop while the vehicles write the flood, so it
  // waits in the sockets' kernel buffers and the receiver alone sets the pace when it reads again.
  const written = join(mkdtempSync(join(tmpdir(), 'gb32960-bench-')), 'written');
  const flooded = ask(child, { flood: { frames: FRAMES, written } });
  const sleeper = new Int32Array(new SharedArrayBuffer(4));
  const giveUp = Date.now() + 20_000;
  while (!existsSync(written) && Date.now() < giveUp) Atomics.wait(sleeper, 0, 0, 5);
  c.start();
  await flooded;
  while (c.count < FRAMES && Date.now() < until + 120_000) await new Promise((r) => setTimeout(r, 20));
  // Flood done: measure only the rate over the flood, then the paced frames' latency.
  const flood = c.result();
  await ask(child, { paced: { frames: PACED, perSecond: PACED_RATE } });
  while (c.count < FRAMES + PACED && Date.now() < until + 180_000) await new Promise((r) => setTimeout(r, 20));
  await ask(child, { close: true });
  const paced = c.result();
  return { rate: flood.rate, cpuUs: flood.cpuUs, p50: paced.p50, p99: paced.p99 };
}

/** The floor: framing and decoding only, on a plain net server. Logins get their reply so vehicles behave. */
async function floor(child: ChildProcess): Promise<ServerIngest> {
  const c = counter();
  let logins = 0;
  const server = net.createServer((socket) => {
    const splitter = new FrameSplitter();
    const sink = {
      frame(raw: Buffer) {
        const f = decodeFrame(raw);
        if (raw[2] === 0x01) {
          logins++;
          socket.write(replyTo(raw, 0x01, Date.now()));
          return;
        }
        c.arrived(f.data as Payload);
      },
    };
    socket.on('data', (chunk: Buffer) => splitter.push(chunk, sink));
    socket.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const result = await drive(child, (server.address() as net.AddressInfo).port, c, () => logins >= CONNECTIONS);
  await new Promise((r) => server.close(r));
  return result;
}

/** Through gb32960-server and gb32960-in, one msg per frame or one per batch (each frame counted on arrival of its batch). */
async function viaNodeRed(red: BenchRuntime, child: ChildProcess, output: 'frame' | 'batch'): Promise<ServerIngest> {
  await red.deploy([
    { id: 'srv', type: 'gb32960-server', host: '127.0.0.1', port: 0, maxConnections: CONNECTIONS + 10 },
    { id: 'in', type: 'gb32960-in', server: 'srv', kinds: 'realtime', output, wires: [['sink']] },
    { id: 'sink', type: 'junction', wires: [] },
  ]);
  const server = red.node('srv') as Gb32960ServerNode;
  while (!server.platform?.isListening) await new Promise((r) => setTimeout(r, 20));
  const c = counter();
  red.node('sink').on('input', output === 'frame'
    ? (msg: unknown) => c.arrived((msg as { payload: Payload }).payload)
    : (msg: unknown) => { for (const p of (msg as { payload: Payload[] }).payload) c.arrived(p); });
  const result = await drive(child, server.platform.port, c, () => server.platform!.vehicles >= CONNECTIONS);
  await red.deploy([]);
  return result;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/** Each side's median over the rounds, field by field. */
const medianOf = (xs: ServerIngest[]): ServerIngest => ({
  rate: median(xs.map((x) => x.rate)), p50: median(xs.map((x) => x.p50)), p99: median(xs.map((x) => x.p99)), cpuUs: median(xs.map((x) => x.cpuUs)),
});

/**
 * Rounds run floor, node per frame and node per batch in turn on the same vehicles, so both see the same machine load; the
 * ratios are taken within a round (node over floor) and their median is reported, the sides'
 * own figures as medians too.
 */
export async function benchGb32960Server(red: BenchRuntime, rounds: number): Promise<ServerBench> {
  const child = fork(join(__dirname, 'gb32960-fleet.js'), { stdio: 'inherit' });
  const floors: ServerIngest[] = [];
  const nodes: ServerIngest[] = [];
  const batches: ServerIngest[] = [];
  try {
    for (let r = 0; r < rounds; r++) {
      floors.push(await floor(child));
      nodes.push(await viaNodeRed(red, child, 'frame'));
      batches.push(await viaNodeRed(red, child, 'batch'));
    }
  } finally {
    child.kill();
  }
  return {
    connections: CONNECTIONS, frames: FRAMES, floor: medianOf(floors), node: medianOf(nodes),
    rateRatio: median(nodes.map((n, i) => n.rate / floors[i]!.rate)),
    cpuRatio: median(nodes.map((n, i) => floors[i]!.cpuUs / n.cpuUs)),
    batch: medianOf(batches),
    batchRateRatio: median(batches.map((n, i) => n.rate / floors[i]!.rate)),
    batchCpuRatio: median(batches.map((n, i) => floors[i]!.cpuUs / n.cpuUs)),
    roundsCpuUs: floors.map((f, i) => [f.cpuUs, nodes[i]!.cpuUs, batches[i]!.cpuUs]),
  };
}
