/**
 * QoS 1/2 messages are acknowledged only once the flow has them, against a private Mosquitto with
 * persistence: a Node-RED process SIGKILLed in the middle of draining a persistent session's
 * backlog loses nothing when it comes back, and a node restarted by a "modified nodes" deploy
 * under load misses nothing and gets nothing twice.
 */
import assert from 'node:assert/strict';
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as mqtt from 'mqtt';
import { startRuntime, type BenchRuntime } from '../../bench/runtime';
import { mosquittoAvailable, sleep, waitFor } from '../support/red';
import { startMosquittoBroker, type MosquittoBroker } from '../../tools/broker';
import { INBOUND_CASES, type ConnectionOpts, type InboundCase } from './cases';

const root = join(__dirname, '..', '..', '..');
process.env.BENCH_LOG ??= 'fatal';
/** Mosquitto's max_inflight_messages: what it may have sent us unacknowledged at any moment. */
const INFLIGHT_WINDOW = 20;

/** A Node-RED process running `c`'s flow, appending each number its sink receives to `out`. */
async function runtimeProcess(c: InboundCase, conn: ConnectionOpts, out: string): Promise<ChildProcess> {
  const child = fork(join(__dirname, 'ack-child.js'), { stdio: 'inherit' });
  await new Promise<void>((resolve, reject) => {
    child.once('message', (m: 'ready' | { error: string }) => (m === 'ready' ? resolve() : reject(new Error(m.error))));
    child.once('exit', (code) => reject(new Error(`runtime process exited (${code})`)));
    child.send({ caseName: c.name, conn, out });
  });
  return child;
}

async function kill(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill(signal);
  await exited;
}

/** The numbers written so far, in order of arrival. */
function seen(file: string): number[] {
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  return text.split('\n').filter((l) => l !== '').map(Number);
}

function tally(seqs: number[], n: number): { missing: number[]; duplicates: number } {
  const counts = new Map<number, number>();
  for (const s of seqs) counts.set(s, (counts.get(s) ?? 0) + 1);
  const missing = Array.from({ length: n }, (_, i) => i).filter((i) => !counts.has(i));
  const duplicates = [...counts.values()].reduce((sum, k) => sum + (k - 1), 0);
  return { missing, duplicates };
}

/** Publishes `count` messages at `qos`, at most 200 unacknowledged, and resolves when all are acked. */
async function publishAll(url: string, count: number, qos: 1 | 2, make: (i: number) => { topic: string; body: string }): Promise<void> {
  const client = await mqtt.connectAsync(url, { clientId: `ack-pub-${Math.random().toString(16).slice(2, 8)}` });
  let next = 0;
  let acked = 0;
  await new Promise<void>((resolve, reject) => {
    const more = () => {
      while (next < count && next - acked < 200) {
        const m = make(next++);
        client.publish(m.topic, m.body, { qos }, (err) => {
          if (err) return reject(err);
          acked++;
          if (acked === count) resolve();
          else more();
        });
      }
    };
    more();
  });
  await client.endAsync();
}

(mosquittoAvailable() ? describe : describe.skip)('acknowledgement after hand-over, against a private Mosquitto with persistence', function () {
  this.timeout(240_000);
  let broker: MosquittoBroker;
  const dir = mkdtempSync(join(tmpdir(), 'cniot-ack-'));

  before(async () => {
    broker = await startMosquittoBroker();
  });
  after(async () => {
    await broker?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const jointech = INBOUND_CASES.find((c) => c.name === 'jointech-in')!;
  // QoS 1 only: Mosquitto 2.0 sends a resumed session's queued QoS 2 messages only up to its
  // in-flight window (then one per new publish), so a QoS 2 backlog does not drain on any client.
  for (const [label, exactlyOnce] of [['QoS 1', false]] as const) {
    it(`loses nothing when Node-RED is SIGKILLed mid-drain and restarted (${label}, persistent session)`, async () => {
      const n = 20_000;
      const qos = exactlyOnce ? 2 : 1;
      const conn: ConnectionOpts = { url: broker.url, clientId: `ack-kill-q${qos}`, clean: false, exactlyOnce };
      const out = join(dir, `seen-q${qos}.txt`);
      // The session and its subscription exist at the broker; then the backlog builds up.
      let child = await runtimeProcess(jointech, conn, out);
      await sleep(500);
      await kill(child, 'SIGKILL');
      await publishAll(broker.url, n, qos, (i) => jointech.good(i));

      child = await runtimeProcess(jointech, conn, out);
      await waitFor(() => seen(out).length >= n / 4, 'a quarter of the backlog', 60_000);
      await kill(child, 'SIGKILL');
      const atKill = seen(out).length;
      assert.ok(atKill < n, `the kill came before the end of the drain (${atKill} of ${n})`);

      child = await runtimeProcess(jointech, conn, out);
      try {
        await waitFor(() => new Set(seen(out)).size >= n, 'the rest of the backlog', 90_000).catch(() => undefined);
        await sleep(1000);
      } finally {
        await kill(child, 'SIGTERM');
      }
      const { missing, duplicates } = tally(seen(out), n);
      console.log(`      ${label}: killed after ${atKill} of ${n}; ${missing.length} lost, ${duplicates} delivered twice`);
      assert.deepEqual(missing.slice(0, 10), [], `${missing.length} messages lost`);
      // Redelivered: what was in flight, taken by the flow, but whose ack the kill cut off.
      assert.ok(duplicates <= INFLIGHT_WINDOW, `${duplicates} messages delivered twice`);
    });
  }

  // The broker goes away while it is sending a backlog: after the reconnect every message arrives
  // and the broker holds none unacknowledged. Duplicates are only counted: Mosquitto 2.0.11 sends
  // thousands of already acknowledged messages again (DUP set) after such a fault to a plain mqtt.js
  // client as well, which acknowledges every message at once.
  const faults: Array<[string, 4 | 5, (b: MosquittoBroker) => Promise<void>]> = [
    ['hangs (SIGSTOP past the keep-alive, then SIGCONT)', 4, async (b) => {
      b.signal('SIGSTOP');
      await sleep(4000);
      b.signal('SIGCONT');
    }],
    ['hangs (SIGSTOP past the keep-alive, then SIGCONT), MQTT 5', 5, async (b) => {
      b.signal('SIGSTOP');
      await sleep(4000);
      b.signal('SIGCONT');
    }],
    ['restarts (SIGTERM, then started again on its saved state)', 4, async (b) => {
      await b.stop();
      await sleep(500);
      await b.start();
    }],
    ['restarts (SIGTERM, then started again on its saved state), MQTT 5', 5, async (b) => {
      await b.stop();
      await sleep(500);
      await b.start();
    }],
  ];
  for (const [label, protocolVersion, fault] of faults) {
    it(`loses nothing when the broker ${label} mid-drain (persistent session, QoS 1)`, async () => {
      const n = 20_000;
      const id = `ack-broker-${label.replace(/\W/g, '').slice(0, 20)}-${protocolVersion}`;
      const conn: ConnectionOpts = { url: broker.url, clientId: id, clean: false, keepalive: 2, protocolVersion };
      const out = join(dir, `${id}.txt`);
      let child = await runtimeProcess(jointech, conn, out);
      await sleep(500);
      await kill(child, 'SIGKILL');
      await publishAll(broker.url, n, 1, (i) => jointech.good(i));

      child = await runtimeProcess(jointech, conn, out);
      try {
        await waitFor(() => seen(out).length >= n / 4, 'a quarter of the backlog', 60_000);
        await fault(broker);
        const atFault = seen(out).length;
        assert.ok(atFault < n, `the fault came before the end of the drain (${atFault} of ${n})`);
        await waitFor(() => new Set(seen(out)).size >= n, 'the rest of the backlog', 90_000).catch(() => undefined);
        await sleep(1000);
      } finally {
        await kill(child, 'SIGTERM');
      }
      const { missing, duplicates } = tally(seen(out), n);
      console.log(`      broker ${label}: ${missing.length} lost, ${duplicates} delivered twice`);
      assert.deepEqual(missing.slice(0, 10), [], `${missing.length} messages lost`);
      // Nothing left unacknowledged at the broker for the session's next client.
      const heir = await mqtt.connectAsync(broker.url, { clientId: id, clean: false, protocolVersion, reconnectPeriod: 0 });
      let resent = 0;
      heir.on('message', () => { resent++; });
      await sleep(1000);
      await heir.endAsync();
      assert.equal(resent, 0, 'messages the broker sent again after the drain');
    });
  }

  describe('a flood of downlinks that iotos-device answers at once', () => {
    let red: BenchRuntime;
    before(async () => { red = await startRuntime(root); });
    after(async () => { await red?.stop(); });

    const iotos = INBOUND_CASES.find((c) => c.name.startsWith('iotos-device'))!;
    for (const protocolVersion of [4, 5] as const) {
      it(`MQTT ${protocolVersion === 5 ? '5' : '3.1.1'}: every downlink reaches the flow once and is answered once, without a stall`, async () => {
        const n = 10_000;
        // The answers wait for the broker's in-flight window (20) while downlinks keep coming: room
        // for all of them, or beyond 1000 waiting they are refused (node.error) by design.
        const flow = iotos.flow({ url: broker.url, clientId: 'unused', clean: true, protocolVersion, queueLimit: n });
        await red.deploy(flow, iotos.credentials);
        const config = red.node('conn') as unknown as { connection?: { connected: boolean; filters: string[]; connectAttempts: number } };
        await waitFor(() => config.connection?.connected && config.connection.filters.length === 2, 'connected', 10_000);
        const seqs: number[] = [];
        red.node('sink').on('input', (msg: unknown) => seqs.push(iotos.seqOf(msg as Record<string, any>)));
        let errors = 0;
        red.node('errors').on('input', () => { errors++; });
        const watcher = await mqtt.connectAsync(broker.url, { clientId: `ack-watch-${Math.random().toString(16).slice(2, 8)}`, protocolVersion });
        const answered = new Map<string, number>();
        watcher.on('message', (_topic, body) => {
          const { requestId } = JSON.parse(body.toString()) as { requestId: string };
          answered.set(requestId, (answered.get(requestId) ?? 0) + 1);
        });
        await watcher.subscribeAsync('$IOTOS/device/endpoint/update/+/+/+/result', { qos: 1 });
        await sleep(300);
        const started = Date.now();
        await publishAll(broker.url, n, 1, (i) => iotos.good(i));
        await waitFor(() => seqs.length >= n && answered.size >= n, `${n} downlinks and answers`, 60_000).catch(() => undefined);
        const seconds = (Date.now() - started) / 1000;
        await sleep(1000);
        await watcher.endAsync();
        const attempts = config.connection!.connectAttempts;
        await red.deploy([]);
        const { missing, duplicates } = tally(seqs, n);
        const twice = [...answered.values()].filter((k) => k > 1).length;
        console.log(`      ${n} downlinks in ${seconds.toFixed(1)} s: ${missing.length} lost, ${duplicates} twice; ${answered.size} answered, ${twice} answered twice, ${errors} errors`);
        assert.deepEqual({ lost: missing.length, duplicates, answered: answered.size, twice, attempts, errors }, { lost: 0, duplicates: 0, answered: n, twice: 0, attempts: 1, errors: 0 });
      });
    }
  });

  describe('30 modified-node deploys at 200 messages/s (persistent session, QoS 1)', () => {
    let red: BenchRuntime;
    before(async () => {
      red = await startRuntime(root);
    });
    after(async () => {
      await red?.stop();
    });

    for (const c of INBOUND_CASES) {
      it(`${c.name}: every message once`, async () => {
        const flow = c.flow({ url: broker.url, clientId: `ack-redeploy-${c.name.replace(/\W/g, '')}`, clean: false });
        await red.deploy(flow, c.credentials);
        const config = red.node(flow[0]!.id) as unknown as { connection?: { connected: boolean; filters: string[] } };
        await waitFor(() => config.connection?.connected && config.connection.filters.length > 0, 'connected', 10_000);
        await sleep(300);
        const seqs: number[] = [];
        red.node('sink').on('input', (msg: unknown) => seqs.push(c.seqOf(msg as Record<string, any>)));

        const pub = await mqtt.connectAsync(broker.url, { clientId: `ack-pub-${Math.random().toString(16).slice(2, 8)}` });
        const deploys = 30;
        const perDeploy = 80;
        const n = deploys * perDeploy + perDeploy;
        let acked = 0;
        let deployed = 0;
        for (let i = 0; i < n; i += 2) {
          for (const j of [i, i + 1]) {
            const m = c.good(j);
            pub.publish(m.topic, m.body, { qos: 1 }, () => { acked++; });
          }
          if (i % perDeploy === perDeploy / 2 && deployed < deploys) {
            deployed++;
            // A changed name: Node-RED restarts this node alone, on the same connection.
            void red.deploy(flow.map((node) => (node.id === 'in' ? { ...node, name: `in ${deployed}` } : node)), c.credentials, 'nodes');
          }
          await sleep(10);
        }
        await waitFor(() => acked === n, 'every publish acknowledged', 30_000);
        await waitFor(() => seqs.length >= n, `${n} messages`, 20_000).catch(() => undefined);
        await sleep(1000);
        await pub.endAsync();
        await red.deploy([]);
        const { missing, duplicates } = tally(seqs, n);
        assert.equal(deployed, deploys);
        assert.deepEqual({ lost: missing.length, firstLost: missing.slice(0, 5), duplicates }, { lost: 0, firstLost: [], duplicates: 0 });
      });
    }
  });
});
