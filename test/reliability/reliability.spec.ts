/**
 * Reliability of every inbound MQTT node against a private Mosquitto (started from the machine's
 * binary, with persistence): broker restart and a 10 s outage mid-stream with a persistent QoS 1
 * session, sustained load with malformed messages mixed in (RSS watched), redeploys under load, and
 * two runtimes splitting one stream through a shared subscription. The nodes run in a plain
 * Node-RED runtime (no test-helper spies, which would keep every message alive).
 *
 * RELIABILITY_LOAD_SECONDS (default 30) and RELIABILITY_OUTAGE_SECONDS (default 10) set the
 * durations; `.ci/run` shortens the load.
 */
import assert from 'node:assert/strict';
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import * as mqtt from 'mqtt';
import { startRuntime, type BenchRuntime } from '../../bench/runtime';
import { mosquittoAvailable, sleep, waitFor } from '../support/red';
import { startMosquittoBroker, type TestBroker } from '../../tools/broker';
import { INBOUND_CASES, OUTBOUND_CASES, type InboundCase, type OutboundCase } from './cases';

const root = join(__dirname, '..', '..', '..');
const LOAD_SECONDS = Number(process.env.RELIABILITY_LOAD_SECONDS ?? 30);
const OUTAGE_SECONDS = Number(process.env.RELIABILITY_OUTAGE_SECONDS ?? 10);
const RATE = 2000;
// Every malformed message is logged by Node-RED as well as caught; keep the output readable.
process.env.BENCH_LOG ??= 'fatal';

const gc = (globalThis as { gc?: () => void }).gc;

/** Runs `each(i)` for i < `count`, `perSecond` a second; `during(i)` runs (and is awaited) first. */
async function paced(count: number, perSecond: number, each: (i: number) => void, during?: (i: number) => Promise<void> | void) {
  const batch = Math.max(1, Math.round(perSecond / 100));
  for (let i = 0; i < count; i += batch) {
    for (let j = i; j < Math.min(count, i + batch); j++) {
      await during?.(j);
      each(j);
    }
    await sleep(10);
  }
}

/**
 * Publisher and platform clients a test opened. The suite ends those still open after each test,
 * so that a failed test does not leave a client behind for the next test's client count.
 */
const opened = new Set<mqtt.MqttClient>();
const closer = (client: mqtt.MqttClient) => async () => {
  opened.delete(client);
  await client.endAsync(true);
};

/** Publishes at a steady rate from a publisher with its own persistent session. */
async function publisher(url: string, qos: 1 | 2 = 1) {
  const client = await mqtt.connectAsync(url, { clientId: `rel-pub-${Math.random().toString(16).slice(2, 8)}`, clean: false, reconnectPeriod: 200 });
  opened.add(client);
  // Counted, not kept: holding a promise per message would itself grow the heap under load.
  let unacked = 0;
  let failure: unknown;
  return {
    client,
    send(m: { topic: string; body: string }) {
      unacked++;
      client.publish(m.topic, m.body, { qos }, (err) => {
        unacked--;
        if (err) failure ??= err;
      });
    },
    /** Sends `count` messages from `make`, `perSecond` a second; `during(i)` runs before message i. */
    stream(count: number, perSecond: number, make: (i: number) => { topic: string; body: string }, during?: (i: number) => Promise<void> | void) {
      return paced(count, perSecond, (i) => this.send(make(i)), during);
    },
    async flushed() {
      await waitFor(() => unacked === 0 || failure !== undefined, 'every publish acknowledged', 60_000);
      if (failure) throw failure;
    },
    end: closer(client),
  };
}

/** Counts what the sink (read with `seqOf`) and the Catch of a running flow receive. */
function watch(red: BenchRuntime, seqOf: (msg: Record<string, any>) => number) {
  const seqs: number[] = [];
  let errors = 0;
  red.node('sink').on('input', (msg: unknown) => seqs.push(seqOf(msg as Record<string, any>)));
  red.node('errors').on('input', () => { errors++; });
  return { seqs, get errors() { return errors; } };
}

/** Every number 0..n-1 exactly once. */
function assertExactlyOnce(seqs: number[], n: number, what: string): void {
  const counts = new Map<number, number>();
  for (const s of seqs) counts.set(s, (counts.get(s) ?? 0) + 1);
  const dup = [...counts].filter(([, k]) => k > 1).map(([s]) => s);
  const missing = Array.from({ length: n }, (_, i) => i).filter((i) => !counts.has(i));
  assert.deepEqual({ duplicates: dup.slice(0, 10), missing: missing.slice(0, 10) }, { duplicates: [], missing: [] }, what);
  assert.equal(seqs.length, n, what);
}

/**
 * RSS after a GC, once a second while a load runs. `stop()` gives the sample a quarter of the way
 * in (warmed up by then) and the highest of the last quarter, for a test to compare.
 */
function memorySampler() {
  const rss: number[] = [];
  const timer = setInterval(() => { gc?.(); rss.push(process.memoryUsage().rss); }, 1000);
  return {
    stop() {
      clearInterval(timer);
      const warm = rss[Math.floor(rss.length / 4)]!;
      const late = Math.max(...rss.slice(Math.floor((rss.length * 3) / 4)));
      return { warm, late, text: `RSS ${(warm / 2 ** 20).toFixed(1)} -> ${(late / 2 ** 20).toFixed(1)} MiB` };
    },
  };
}

/**
 * Mosquitto's count of connected clients ($SYS/broker/clients/connected, published within a
 * second of a change), as a watcher connected for the whole suite sees it. The watcher counts
 * itself, so it is subtracted; a client that connects only to read the count may or may not be in
 * the value it reads.
 */
let sysClients = Number.NaN;

/**
 * The connected clients other than the watcher, once they equal `expected` or 6 s have passed:
 * connections replaced by a redeploy may take a moment to close, a leaked one stays.
 */
async function connectedClients(expected: number): Promise<number> {
  const deadline = Date.now() + 6000;
  await sleep(1200);
  while (sysClients - 1 !== expected && Date.now() < deadline) await sleep(200);
  return sysClients - 1;
}

/**
 * The platform side of an outbound node: a client with a persistent session that records the
 * number in every request and answers it; at QoS 2 (so a restart duplicates nothing) or QoS 1.
 */
async function platformFor(url: string, c: OutboundCase, qos: 1 | 2 = 2) {
  const client = await mqtt.connectAsync(url, { clientId: `rel-platform-${Math.random().toString(16).slice(2, 8)}`, clean: false, reconnectPeriod: 200 });
  opened.add(client);
  const requests: number[] = [];
  // Like any well-behaved client: at most 20 answers unacknowledged (Mosquitto's in-flight limit).
  const answers: Array<{ topic: string; body: string }> = [];
  let inflight = 0;
  const drain = () => {
    while (inflight < 20 && answers.length > 0) {
      const a = answers.shift()!;
      inflight++;
      client.publish(a.topic, a.body, { qos }, () => { inflight--; drain(); });
    }
  };
  client.on('message', (topic, body) => {
    requests.push(c.seqOfRequest(topic, body.toString()));
    const answer = c.answer(topic, body.toString());
    if (answer) answers.push(answer);
    drain();
  });
  await client.subscribeAsync(c.platformFilter, { qos });
  return { requests, end: closer(client) };
}

/** Feeds `count` inputs into node `out`, `perSecond` a second; `during(i)` runs before input i. */
function feed(red: BenchRuntime, count: number, perSecond: number, make: (i: number) => Record<string, unknown>, during?: (i: number) => Promise<void> | void) {
  return paced(count, perSecond, (i) => red.node('out').receive(make(i) as never), during);
}

(mosquittoAvailable() ? describe : describe.skip)(`reliability against a private Mosquitto (load ${LOAD_SECONDS} s, outage ${OUTAGE_SECONDS} s)`, function () {
  this.timeout(Math.max(120_000, (LOAD_SECONDS + OUTAGE_SECONDS) * 4000));
  let broker: TestBroker;
  let red: BenchRuntime;

  let sysWatcher: mqtt.MqttClient | undefined;

  before(async () => {
    broker = await startMosquittoBroker();
    red = await startRuntime(root);
    sysWatcher = await mqtt.connectAsync(broker.url, { clientId: 'rel-sys-watcher', reconnectPeriod: 200 });
    sysWatcher.on('message', (_t, p) => { sysClients = Number(p.toString()); });
    await sysWatcher.subscribeAsync('$SYS/broker/clients/connected');
    await warmUp();
  });
  afterEach(async () => {
    for (const client of opened) await client.endAsync(true);
    opened.clear();
  });
  after(async () => {
    await sysWatcher?.endAsync(true);
    await red?.stop();
    await broker?.close();
  });

  /** Deploys the case's flow and waits until its config node is connected and subscribed. */
  async function deploy(c: Pick<InboundCase | OutboundCase, 'name' | 'flow' | 'credentials'>, clientId: string, extra: { shareGroup?: string; exactlyOnce?: boolean; clean?: boolean } = {}) {
    const flow = c.flow({ url: broker.url, clientId, clean: false, ...extra });
    await red.deploy(flow, c.credentials);
    const config = red.node(flow[0]!.id) as unknown as { connection?: { connected: boolean; filters: string[] } };
    await waitFor(() => config.connection?.connected && config.connection.filters.length > 0, `${c.name} connected`, 10_000);
    await sleep(200);
  }

  /**
   * The runtime process grows to its working size under the first load it meets (about 120 to
   * 150 MiB over 10 s in a fresh process), whichever node that is. Ten seconds of load before the
   * tests, so that each memory check measures its node rather than the process warming up.
   */
  async function warmUp() {
    const c = INBOUND_CASES[0]!;
    await deploy(c, 'rel-warmup', { clean: true });
    const pub = await publisher(broker.url);
    await pub.stream(RATE * 10, RATE, (i) => c.good(i));
    await pub.flushed();
    await pub.end();
    await red.deploy([]);
  }

  for (const c of INBOUND_CASES) {
    describe(c.name, () => {
      afterEach(async () => {
        await red.deploy([]);
      });

      for (const [label, downMs] of [['a broker restart', 500], [`a ${OUTAGE_SECONDS} s broker outage`, OUTAGE_SECONDS * 1000]] as const) {
        it(`delivers every message exactly once across ${label} (persistent session, QoS 2)`, async () => {
          await deploy(c, `rel-${c.name.replace(/\W/g, '')}-${downMs}`, { exactlyOnce: true });
          const seen = watch(red, c.seqOf);
          const pub = await publisher(broker.url, 2);
          const n = 600;
          await pub.stream(n, 300, c.good, async (i) => {
            if (i !== 200) return;
            await broker.stop();
            await sleep(downMs);
            await broker.start();
          });
          await pub.flushed();
          await waitFor(() => seen.seqs.length >= n, `${n} messages`, 20_000).catch(() => undefined);
          await sleep(500);
          await pub.end();
          assertExactlyOnce(seen.seqs, n, `${c.name}: ${label}`);
          assert.equal(seen.errors, 0);
        });
      }

      it(`keeps up with ${RATE} messages/s for ${LOAD_SECONDS} s with 1 % malformed, memory flat`, async () => {
        await deploy(c, `rel-${c.name.replace(/\W/g, '')}-load`);
        const seen = watch(red, c.seqOf);
        const pub = await publisher(broker.url);
        const total = RATE * LOAD_SECONDS;
        const memory = memorySampler();
        let bad = 0;
        let good = 0;
        await pub.stream(total, RATE, (i) => {
          if (i % 100 === 99) {
            bad++;
            return c.malformed(i);
          }
          return c.good(good++);
        });
        await pub.flushed();
        await waitFor(() => seen.seqs.length >= good && seen.errors >= bad, 'every message handled', 30_000).catch(() => undefined);
        const { warm, late, text } = memory.stop();
        await pub.end();
        assertExactlyOnce(seen.seqs, good, `${c.name}: good messages under load`);
        assert.equal(seen.errors, bad, 'every malformed message reported to the Catch node');
        console.log(`      ${c.name}: ${good} good + ${bad} malformed in ${LOAD_SECONDS} s; ${text}`);
        // The last quarter must stay within 10 % of the warmed-up sample.
        assert.ok(late <= warm * 1.1, `RSS grew from ${warm} to ${late} bytes`);
      });

      it('survives redeploys under load without duplicate subscriptions or leaked clients', async () => {
        const clientId = `rel-${c.name.replace(/\W/g, '')}-redeploy`;
        await deploy(c, clientId);
        const pub = await publisher(broker.url);
        const n = 900;
        await pub.stream(n, 300, c.good, async (i) => {
          if (i % 300 === 150) await deploy(c, clientId);
        });
        await pub.flushed();
        // After the last redeploy: a fresh watch must see each new message exactly once.
        const seen = watch(red, c.seqOf);
        const m = 100;
        const offset = 100_000;
        await pub.stream(m, 500, (i) => c.good(offset + i));
        await pub.flushed();
        await waitFor(() => seen.seqs.length >= m, `${m} messages after redeploys`, 10_000).catch(() => undefined);
        await sleep(500);
        assertExactlyOnce(seen.seqs.map((s) => s - offset), m, `${c.name}: after redeploys`);
        // The flow's one connection and the publisher: every redeploy replaced the connection.
        assert.equal(await connectedClients(2), 2, 'connected clients');
        await pub.end();
      });

      if (c.shareable) it('splits one stream between two runtimes in a shared subscription, each message once', async () => {
        const group = 'relgroup';
        const child: ChildProcess = fork(join(__dirname, 'runtime-child.js'), { stdio: 'inherit' });
        try {
          const childSeqs: number[] = [];
          const ready = new Promise<void>((resolve, reject) => {
            child.on('message', (m: 'ready' | { msg?: Record<string, any>; error?: string }) => {
              if (m === 'ready') resolve();
              else if (m.error) reject(new Error(m.error));
              else if (m.msg) childSeqs.push(c.seqOf(m.msg));
            });
          });
          child.send({ flows: c.flow({ url: broker.url, clientId: 'rel-share-b', clean: true, shareGroup: group }), credentials: c.credentials });
          await ready;
          await red.deploy(c.flow({ url: broker.url, clientId: 'rel-share-a', clean: true, shareGroup: group }), c.credentials);
          const seen = watch(red, c.seqOf);
          await sleep(500);
          const pub = await publisher(broker.url);
          const n = 2000;
          await pub.stream(n, 1000, c.good);
          await pub.flushed();
          await waitFor(() => seen.seqs.length + childSeqs.length >= n, 'the stream split', 15_000).catch(() => undefined);
          await sleep(500);
          await pub.end();
          console.log(`      ${c.name}: runtime A ${seen.seqs.length}, runtime B ${childSeqs.length}`);
          assertExactlyOnce([...seen.seqs, ...childSeqs], n, `${c.name}: across both runtimes`);
          assert.ok(seen.seqs.length > n / 10 && childSeqs.length > n / 10, 'both runtimes took a share');
        } finally {
          child.send('stop');
          await new Promise((r) => child.once('exit', r));
        }
      });
    });
  }
  for (const c of OUTBOUND_CASES) {
    describe(c.name, () => {
      afterEach(async () => {
        await red.deploy([]);
      });

      for (const [label, downMs] of [['a broker restart', 500], [`a ${OUTAGE_SECONDS} s broker outage`, OUTAGE_SECONDS * 1000]] as const) {
        it(`sends every request exactly once and gets every reply across ${label} (persistent sessions, QoS 2)`, async () => {
          const platform = await platformFor(broker.url, c);
          await deploy(c, `rel-out-${c.name.replace(/\W/g, '').slice(0, 20)}-${downMs}`, { exactlyOnce: true });
          const seen = watch(red, c.seqOfResult);
          const n = 600;
          await feed(red, n, 300, c.input, async (i) => {
            if (i !== 200) return;
            await broker.stop();
            await sleep(downMs);
            await broker.start();
          });
          await waitFor(() => seen.seqs.length >= n, `${n} results`, 30_000).catch(() => undefined);
          await sleep(500);
          await platform.end();
          assertExactlyOnce(platform.requests, n, `${c.name}: requests the platform got`);
          assertExactlyOnce(seen.seqs, n, `${c.name}: results in the flow`);
          assert.equal(seen.errors, 0);
        });
      }

      it(`keeps up with ${RATE} requests/s for ${LOAD_SECONDS} s with 1 % malformed, memory flat`, async () => {
        // QoS 1 like the node under load: four QoS 2 packets per answer would make the platform,
        // in this same process, the bottleneck and the backlog would read as growth.
        const platform = await platformFor(broker.url, c, 1);
        await deploy(c, `rel-out-${c.name.replace(/\W/g, '').slice(0, 20)}-load`);
        const seen = watch(red, c.seqOfResult);
        const memory = memorySampler();
        let bad = 0;
        let good = 0;
        await feed(red, RATE * LOAD_SECONDS, RATE, (i) => {
          if (i % 100 === 99) {
            bad++;
            return c.malformedInput(i);
          }
          return c.input(good++);
        });
        await waitFor(() => seen.seqs.length >= good && seen.errors >= bad, 'every request answered or refused', 30_000).catch(() => undefined);
        const { warm, late, text } = memory.stop();
        await platform.end();
        assertExactlyOnce(seen.seqs, good, `${c.name}: results under load`);
        assertExactlyOnce(platform.requests, good, `${c.name}: requests under load`);
        assert.equal(seen.errors, bad, 'every malformed input reported to the Catch node');
        console.log(`      ${c.name}: ${good} round trips + ${bad} refused in ${LOAD_SECONDS} s; ${text}`);
        assert.ok(late <= warm * 1.1, `RSS grew from ${warm} to ${late} bytes`);
      });

      it('survives redeploys under load without duplicate requests or leaked clients', async () => {
        const platform = await platformFor(broker.url, c, 1);
        const clientId = `rel-out-${c.name.replace(/\W/g, '').slice(0, 20)}-redeploy`;
        await deploy(c, clientId);
        await feed(red, 900, 300, c.input, async (i) => {
          if (i % 300 === 150) await deploy(c, clientId);
        });
        await sleep(500);
        const seen = watch(red, c.seqOfResult);
        const offset = 100_000;
        const before = platform.requests.length;
        await feed(red, 100, 500, (i) => c.input(offset + i));
        await waitFor(() => seen.seqs.length >= 100, '100 results after redeploys', 10_000).catch(() => undefined);
        await sleep(500);
        assertExactlyOnce(seen.seqs.map((s) => s - offset), 100, `${c.name}: results after redeploys`);
        assertExactlyOnce(platform.requests.slice(before).map((s) => s - offset), 100, `${c.name}: requests after redeploys`);
        assert.equal(await connectedClients(2), 2, 'the flow\'s one connection and the platform');
        await platform.end();
      });
    });
  }
});
