/**
 * QoS 1 acknowledgements written by the shared connection, seen from the broker: over MQTT 5, TLS
 * and WebSockets, a persistent session's backlog drains whole (Mosquitto sends no more than its
 * in-flight window, 20, until PUBACKs arrive) and the broker holds nothing unacknowledged once
 * the flow has every message (a client taking over the session gets nothing).
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import probeNodes = require('../fixtures/probe-nodes');
import type { ProbeBrokerNode } from '../fixtures/probe-types';
import { startMosquittoBroker, type MosquittoBroker } from '../../tools/broker';
import { makeCertificates, startSecureBroker, type SecureBroker } from '../../tools/secure-broker';
import { collect, helper, type FlowNode, mosquittoAvailable, sleep, testClient, waitFor } from '../support/red';

const coreTls = require(require.resolve('@node-red/nodes/core/network/05-tls.js', { paths: [join(__dirname, '..', '..', '..', 'node_modules', 'node-red')] }));

const uniq = () => Math.random().toString(16).slice(2, 10);

interface Transport {
  /** The URL the config node connects to. */
  url: string;
  protocolVersion: 4 | 5;
  /** The broker's plain MQTT URL, for the publisher and the client that takes the session over. */
  plainUrl: string;
  ca?: string;
  auth?: { username: string; password: string };
}

/** Publishes `seqs` at QoS 1 and waits for every PUBACK. */
async function publishSeqs(t: Transport, topic: string, seqs: number[]): Promise<void> {
  const pub = await testClient(t.plainUrl, { clientId: `ack-pub-${uniq()}`, ...(t.auth ?? {}), ...(t.ca ? { ca: readFileSync(t.ca) } : {}) });
  await Promise.all(seqs.map((i) => pub.publishAsync(topic, String(i), { qos: 1 })));
  await pub.endAsync();
}

/**
 * A persistent session at `t` is left with `n` messages, then the flow takes them and `n` more
 * published while it runs; every one arrives once, on one network connection, and none is left
 * at the broker.
 */
async function drainsWhole(t: Transport, n: number): Promise<void> {
  const topic = `cniot/${uniq()}/ack`;
  const clientId = `cniot-ack-${uniq()}`;
  const flow: FlowNode[] = [
    {
      id: 'b1', type: 'probe-broker', ...(t.ca ? { tls: 'tls' } : {}),
      connection: { url: t.url, clientId, clean: false, protocolVersion: t.protocolVersion, reconnectMinMs: 100, reconnectMaxMs: 500 },
    },
    { id: 'in1', type: 'probe-in', broker: 'b1', topic, qos: 1, wires: [['h1']] },
    { id: 'h1', type: 'helper' },
    ...(t.ca ? [{ id: 'tls', type: 'tls-config', cert: '', key: '', ca: t.ca, servername: '', verifyservercert: true }] : []),
  ];
  const creds: Record<string, Record<string, string>> = t.auth ? { b1: t.auth } : {};
  await helper.load([coreTls, probeNodes], flow, creds);
  let conn = (helper.getNode('b1') as ProbeBrokerNode).connection!;
  await waitFor(() => conn.connected && conn.filters.length === 1, 'the session and its subscription');
  await sleep(200);
  await helper.unload();

  const backlog = Array.from({ length: n }, (_, i) => i);
  await publishSeqs(t, topic, backlog);

  await helper.load([coreTls, probeNodes], flow, creds);
  conn = (helper.getNode('b1') as ProbeBrokerNode).connection!;
  const got = collect(helper.getNode('h1'));
  await waitFor(() => got.length >= n, `the backlog of ${n}`, 10_000).catch(() => undefined);
  assert.equal(new Set(got.map((m) => m.payload)).size, n, `backlog delivered: ${got.length} of ${n}`);
  await publishSeqs(t, topic, backlog.map((i) => i + n));
  await waitFor(() => got.length >= 2 * n, `${n} more published while running`, 10_000).catch(() => undefined);
  await sleep(300);
  const seqs = got.map((m) => Number(m.payload));
  assert.equal(new Set(seqs).size, 2 * n, `every message: ${new Set(seqs).size} of ${2 * n}`);
  assert.equal(seqs.length, 2 * n, `none twice: ${seqs.length - new Set(seqs).size} duplicates`);
  assert.equal(conn.connectAttempts, 1, 'the broker never dropped the connection');
  await helper.unload();

  // Whatever the broker still held unacknowledged it sends to the next client of the session.
  const heir = await testClient(t.plainUrl, {
    clientId, clean: false, protocolVersion: t.protocolVersion, ...(t.auth ?? {}), ...(t.ca ? { ca: readFileSync(t.ca) } : {}),
  });
  const resent: string[] = [];
  heir.on('message', (_topic, payload) => resent.push(payload.toString()));
  await sleep(1000);
  await heir.endAsync();
  assert.deepEqual(resent.slice(0, 10), [], `${resent.length} messages sent again to the session's next client`);
  const cleaner = await testClient(t.plainUrl, { clientId, clean: true, ...(t.auth ?? {}), ...(t.ca ? { ca: readFileSync(t.ca) } : {}) });
  await cleaner.endAsync();
}

describe('QoS 1 acknowledgements seen from the broker', function () {
  this.timeout(60_000);
  before(async () => { await new Promise<void>((r) => helper.startServer(r)); });
  after(async () => { await new Promise<void>((r) => helper.stopServer(r)); });
  afterEach(() => helper.unload());

  (mosquittoAvailable() ? describe : describe.skip)('a private Mosquitto with TCP, WebSocket and TLS listeners', () => {
    let broker: MosquittoBroker;
    let dir: string;
    let caFile: string;
    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'cniot-ack-tls-'));
      chmodSync(dir, 0o755);
      const certs = makeCertificates(dir);
      caFile = certs.caFile;
      // Mosquitto started as root reads them as its own user.
      for (const f of ['server.key', 'server.pem']) chmodSync(join(dir, f), 0o644);
      broker = await startMosquittoBroker({ websockets: true, tls: { key: join(dir, 'server.key'), cert: join(dir, 'server.pem'), caFile } });
    });
    after(async () => {
      await broker?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    for (const protocolVersion of [5, 4] as const) {
      it(`MQTT ${protocolVersion === 5 ? '5' : '3.1.1'} over TCP: the backlog drains whole and nothing is left unacknowledged`, async () => {
        await drainsWhole({ url: broker.url, plainUrl: broker.url, protocolVersion }, 500);
      });
      it(`MQTT ${protocolVersion === 5 ? '5' : '3.1.1'} over WebSocket: the backlog drains whole and nothing is left unacknowledged`, async () => {
        await drainsWhole({ url: broker.wsUrl!, plainUrl: broker.url, protocolVersion }, 500);
      });
      it(`MQTT ${protocolVersion === 5 ? '5' : '3.1.1'} over TLS: the backlog drains whole and nothing is left unacknowledged`, async () => {
        await drainsWhole({ url: broker.mqttsUrl!, plainUrl: broker.url, protocolVersion, ca: caFile }, 500);
      });
    }
  });

  describe('Aedes (MQTT 3.1.1; it refuses MQTT 5) over TLS and secure WebSocket', () => {
    let secure: SecureBroker;
    const auth = { username: 'alice', password: 'right' };
    before(async () => { secure = await startSecureBroker(auth); });
    after(async () => { await secure?.close(); });

    it('over TLS: the backlog drains whole and nothing is left unacknowledged', async () => {
      await drainsWhole({ url: secure.mqttsUrl, plainUrl: secure.mqttsUrl, protocolVersion: 4, ca: secure.caFile, auth }, 500);
    });
    it('over secure WebSocket: the backlog drains whole and nothing is left unacknowledged', async () => {
      await drainsWhole({ url: secure.wssUrl, plainUrl: secure.mqttsUrl, protocolVersion: 4, ca: secure.caFile, auth }, 500);
    });
  });
});
