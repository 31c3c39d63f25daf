/**
 * gb32960-server under a fleet: 1,000 simulated vehicles (in a child process) connected at once,
 * each sending a realtime frame every second for GB32960_FLEET_SECONDS (default 30) s to a plain
 * Node-RED runtime. Every frame must come out of gb32960-in exactly once, every frame must get
 * its reply (reply policy "every frame"), and the runtime's RSS must stay flat.
 */
import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import { join } from 'node:path';
import { startRuntime, type BenchRuntime } from '../../bench/runtime';
import type { Gb32960ServerNode } from '../../src/nodes/gb32960-server/types';
import { waitFor } from '../support/red';

const root = join(__dirname, '..', '..', '..');
const VEHICLES = Number(process.env.GB32960_FLEET_VEHICLES ?? 1000);
const SECONDS = Number(process.env.GB32960_FLEET_SECONDS ?? 30);
/** The fleet numbers its frames in the mileage: MILEAGE_BASE + seq / 10 km. */
const MILEAGE_BASE = 1000;
const gc = (globalThis as { gc?: () => void }).gc;

type ChildReport = { phase: 'logged-in'; loginOk: number } | { phase: 'done'; sent: number; replies: number; closed: number } | { phase: 'failed'; error: string };

describe('gb32960-server with 1,000 vehicles', function () {
  this.timeout(SECONDS * 1000 + 180_000);
  let red: BenchRuntime;

  before(async () => {
    process.env.BENCH_LOG ??= 'fatal';
    red = await startRuntime(root);
  });
  after(async () => { await red?.stop(); });

  it(`every frame out once, every reply sent, RSS flat (${VEHICLES} vehicles × ${SECONDS} s)`, async () => {
    await red.deploy([
      { id: 'srv', type: 'gb32960-server', host: '127.0.0.1', port: 0, realtimeReplies: 'all', maxConnections: VEHICLES + 10 },
      { id: 'in', type: 'gb32960-in', server: 'srv', kinds: 'realtime', wires: [['sink']] },
      { id: 'sink', type: 'junction', wires: [] },
      { id: 'catcher', type: 'catch', scope: null, uncaught: false, wires: [['errors']] },
      { id: 'errors', type: 'junction', wires: [] },
    ]);
    const server = red.node('srv') as Gb32960ServerNode;
    await waitFor(() => server.platform?.isListening, 'the server listening');
    // A bitmap of sequence numbers seen: one byte per frame, so the count itself does not grow the heap.
    const total = VEHICLES * SECONDS;
    const seen = new Uint8Array(total);
    let out = 0;
    let errors = 0;
    red.node('sink').on('input', (msg: unknown) => {
      const seq = Math.round(((msg as { payload: { vehicle: { mileage: number } } }).payload.vehicle.mileage - MILEAGE_BASE) * 10);
      if (seq >= 0 && seq < total && seen[seq]! < 255) seen[seq]!++;
      out++;
    });
    red.node('errors').on('input', () => { errors++; });

    const child = fork(join(__dirname, 'gb32960-fleet-child.js'), { stdio: 'inherit' });
    const reports: ChildReport[] = [];
    child.on('message', (m: ChildReport) => reports.push(m));
    child.send({ port: server.platform!.port, vehicles: VEHICLES, seconds: SECONDS, mileageBase: MILEAGE_BASE });
    try {
      const login = await waitFor(() => reports.find((r) => r.phase !== 'done'), 'the fleet logged in', 120_000);
      if (login.phase === 'failed') throw new Error(login.error);
      assert.equal(login.phase === 'logged-in' && login.loginOk, VEHICLES);
      assert.equal(server.platform!.vehicles, VEHICLES);

      const rss: number[] = [];
      const sampler = setInterval(() => { gc?.(); rss.push(process.memoryUsage().rss); }, 1000);
      const done = await waitFor(() => reports.find((r) => r.phase === 'done' || r.phase === 'failed'), 'the fleet done', SECONDS * 1000 + 60_000);
      clearInterval(sampler);
      if (done.phase === 'failed') throw new Error(done.error);
      assert.ok(done.phase === 'done');
      await waitFor(() => out >= total, `${total} frames out`, 30_000);

      assert.equal(done.sent, total);
      assert.equal(done.replies, total, 'a reply for every frame');
      assert.equal(done.closed, 0, 'no vehicle dropped');
      assert.equal(out, total);
      const missing = seen.reduce((n, c) => n + (c === 0 ? 1 : 0), 0);
      const twice = seen.reduce((n, c) => n + (c > 1 ? 1 : 0), 0);
      assert.deepEqual({ missing, twice }, { missing: 0, twice: 0 });
      assert.equal(errors, 0);
      // Warmed up a quarter of the way in; the last quarter may not rise more than 10 % above it.
      const warm = rss[Math.floor(rss.length / 4)]!;
      const late = Math.max(...rss.slice(Math.floor((rss.length * 3) / 4)));
      console.log(`      ${VEHICLES} vehicles, ${total} frames: RSS ${(warm / 2 ** 20).toFixed(1)} -> ${(late / 2 ** 20).toFixed(1)} MiB`);
      assert.ok(late <= warm * 1.1, `RSS grew from ${warm} to ${late} bytes`);
    } finally {
      child.kill();
    }
  });
});
