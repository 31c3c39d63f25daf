/**
 * aliyun-amqp-in against a real AMQP 1.0 peer on loopback (rhea, TLS, SASL PLAIN) that checks the
 * platform's signed user name, recomputes the signature and redelivers what was not accepted.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startAmqpPeer, type AmqpPeer, type PeerAccount } from '../support/amqp-peer';
import { builtNode, collect, helper, lastStatus, sleep, waitFor, type FlowNode } from '../support/red';

const root = join(__dirname, '..', '..', '..');
const coreTls = require(require.resolve('@node-red/nodes/core/network/05-tls.js', { paths: [join(root, 'node_modules', 'node-red')] }));
const coreDelay = require(require.resolve('@node-red/nodes/core/function/89-delay.js', { paths: [join(root, 'node_modules', 'node-red')] }));
const hooks = (require(require.resolve('@node-red/util', { paths: [join(root, 'node_modules', 'node-red')] })) as {
  hooks: { add(name: string, fn: (events: Array<{ source: { node: { id: string } }; msg: Record<string, any> }>) => void): void; remove(name: string): void };
}).hooks;
const nodes = [builtNode('aliyun-amqp-connection'), builtNode('aliyun-amqp-in'), builtNode('gb32960-decode'), coreTls, coreDelay];
const gbExample = JSON.parse(readFileSync(join(root, 'examples', 'gb32960-decode.json'), 'utf8')) as Array<{ id: string; payload?: string }>;
const gbSample = (id: string) => gbExample.find((n) => n.id === id)!.payload!;

const ACCOUNT: PeerAccount = {
  authMode: 'aksign',
  keyId: 'LTAI' + Math.random().toString(36).slice(2, 10),
  secret: 'sk-' + Math.random().toString(36).slice(2, 14),
  instanceId: 'iot-06z00ax1',
  consumerGroupId: 'DEFAULT_GROUP',
};

interface SubscriptionView {
  connection?: { connected: boolean; delivered: number; connectionState: { phase: string; reason?: string } };
}

describe('aliyun-amqp-in against an AMQP 1.0 peer over TLS', function () {
  this.timeout(20000);
  let peer: AmqpPeer;

  before(async () => {
    await new Promise<void>((r) => helper.startServer(r));
  });
  after(async () => {
    await new Promise<void>((r) => helper.stopServer(r));
  });
  afterEach(async () => {
    await helper.unload();
    await peer?.close();
  });

  async function load(flow: FlowNode[], opts: { secret?: string; account?: Partial<FlowNode>; authMode?: 'aksign' | 'appkey' } = {}) {
    await helper.load(nodes, [
      { id: 'f1', type: 'tab' },
      { id: 'tls', type: 'tls-config', cert: '', key: '', ca: peer.caFile, servername: '', verifyservercert: true },
      {
        id: 'conn', type: 'aliyun-amqp-connection', host: '127.0.0.1', port: peer.port, authMode: opts.authMode ?? 'aksign',
        instanceId: ACCOUNT.instanceId, consumerGroupId: ACCOUNT.consumerGroupId, clientId: 'nr-test-1', idleTimeoutS: 60,
        reconnectMinMs: 100, reconnectMaxMs: 400, tls: 'tls', ...opts.account,
      },
      ...flow.map((n) => ({ z: 'f1', ...n })),
    ], { conn: { keyId: ACCOUNT.keyId, secret: opts.secret ?? ACCOUNT.secret } });
    return helper.getNode('conn') as unknown as SubscriptionView;
  }

  it('signs in as the platform requires, emits each message and accepts it only after it was sent on', async () => {
    peer = await startAmqpPeer(ACCOUNT);
    const settledAtSend: number[] = [];
    let conn: SubscriptionView | undefined;
    hooks.add('onSend.amqp-test', (events) => {
      for (const e of events) if (e.source.node.id === 'in') settledAtSend.push(conn!.connection!.delivered);
    });
    try {
      conn = await load([{ id: 'in', type: 'aliyun-amqp-in', connection: 'conn', wires: [['out']] }, { id: 'out', type: 'helper' }]);
      const got = collect(helper.getNode('out'));
      await waitFor(() => conn!.connection?.connected, 'connected');
      const ids = [
        peer.push('/a1b2c3/dev1/user/update', '{"temperature": 21.5}'),
        peer.push('/as/mqtt/status/a1b2c3/dev1', JSON.stringify({ status: 'online', productKey: 'a1b2c3', deviceName: 'dev1', time: '2024-01-01 00:00:00.000' })),
        peer.push('/a1b2c3/dev1/user/update', '{"temperature": 22}'),
      ];
      await waitFor(() => peer.accepted.length === 3, 'three accepted');
      assert.equal(got.length, 3);
      assert.deepEqual(got.map((m) => m.aliyun.messageId), ids);
      assert.deepEqual(peer.accepted, ids);
      assert.deepEqual(got[0]!.payload, { temperature: 21.5 });
      assert.equal(got[1]!.topic, '/as/mqtt/status/a1b2c3/dev1');
      assert.equal(got[1]!.payload.status, 'online');
      assert.equal(typeof got[1]!.aliyun.generateTime, 'number');
      // At each hand-over none of that message's own delivery had been settled yet.
      assert.deepEqual(settledAtSend, [0, 1, 2]);
    } finally {
      hooks.remove('onSend.amqp-test');
    }
    const login = peer.logins[0]!;
    assert.equal(login.ok, true, login.reason);
    assert.equal(login.clientId, 'nr-test-1');
    assert.deepEqual(Object.keys(login.params).sort(), ['authId', 'authMode', 'consumerGroupId', 'iotInstanceId', 'signMethod', 'timestamp']);
    assert.equal(peer.idleTimeouts[0], 60000);
    assert.equal(peer.links, 1);
    assert.equal(lastStatus(helper.getNode('in'))?.fill, 'green');
  });

  it('reports a wrong signature in the status and keeps retrying with backoff', async () => {
    peer = await startAmqpPeer(ACCOUNT);
    const conn = await load([{ id: 'in', type: 'aliyun-amqp-in', connection: 'conn', wires: [[]] }], { secret: 'wrong-secret' });
    await waitFor(() => peer.logins.length >= 2, 'two login attempts');
    assert.equal(peer.logins[0]!.ok, false);
    assert.equal(peer.logins[0]!.reason, 'signature');
    await waitFor(() => /authentication failed/.test(lastStatus(helper.getNode('in'))?.text ?? ''), 'status names the failure');
    assert.equal(lastStatus(helper.getNode('in'))?.fill, 'red');
    assert.equal(conn.connection!.connected, false);
    const warn = helper.getNode('conn').warn as unknown as { getCalls(): Array<{ args: unknown[] }> };
    const logged = warn.getCalls().map((c) => String(c.args[0])).join('\n');
    assert.ok(!logged.includes('wrong-secret') && !logged.includes(ACCOUNT.keyId), 'no secret or key id in the log');
  });

  it('reconnects after the peer drops, signs again, and gets what was sent meanwhile', async () => {
    peer = await startAmqpPeer(ACCOUNT);
    const conn = await load([{ id: 'in', type: 'aliyun-amqp-in', connection: 'conn', wires: [['out']] }, { id: 'out', type: 'helper' }]);
    const got = collect(helper.getNode('out'));
    await waitFor(() => conn.connection?.connected, 'connected');
    peer.push('/p/d/user/a', '{"n":1}');
    await waitFor(() => got.length === 1, 'first message');
    peer.dropAll();
    await waitFor(() => conn.connection?.connectionState.phase === 'disconnected', 'disconnected');
    peer.push('/p/d/user/a', '{"n":2}');
    peer.push('/p/d/user/a', '{"n":3}');
    await waitFor(() => got.length === 3, 'messages sent while away', 8000);
    assert.deepEqual(got.map((m) => m.payload.n), [1, 2, 3]);
    assert.deepEqual(peer.unaccepted(), []);
    assert.ok(peer.logins.length >= 2 && peer.logins.every((l) => l.ok));
    assert.notEqual(peer.logins[0]!.params.timestamp, peer.logins.at(-1)!.params.timestamp, 'signed again with a new timestamp');
  });

  it('reports a body that is not JSON with its raw text, accepts it, and handles the next message', async () => {
    peer = await startAmqpPeer(ACCOUNT);
    const conn = await load([{ id: 'in', type: 'aliyun-amqp-in', connection: 'conn', wires: [['out']] }, { id: 'out', type: 'helper' }]);
    const got = collect(helper.getNode('out'));
    await waitFor(() => conn.connection?.connected, 'connected');
    peer.push('/p/d/user/a', '{"broken": ');
    peer.push('/p/d/user/a', '{"ok": true}');
    await waitFor(() => got.length === 1 && peer.accepted.length === 2, 'good message out, both accepted');
    const errors = (helper.getNode('in').error as unknown as { getCalls(): Array<{ args: [Error, Record<string, any>] }> }).getCalls();
    assert.equal(errors.length, 1);
    assert.match(errors[0]!.args[0].message, /not valid JSON/);
    assert.equal(errors[0]!.args[1].payload, '{"broken": ');
    assert.equal(errors[0]!.args[1].topic, '/p/d/user/a');
    assert.deepEqual(got[0]!.payload, { ok: true });
  });

  it('shares one connection and one link between nodes with topic filters; GB/T 32960 uplinks decode downstream', async () => {
    peer = await startAmqpPeer(ACCOUNT);
    const conn = await load([
      { id: 'in', type: 'aliyun-amqp-in', connection: 'conn', topicFilter: '/sys/+/+/device/message/uplink', wires: [['dec']] },
      { id: 'status', type: 'aliyun-amqp-in', connection: 'conn', topicFilter: '/sys/+/+/device/status/notify', wires: [['st']] },
      { id: 'dec', type: 'gb32960-decode', wires: [['out']] },
      { id: 'out', type: 'helper' },
      { id: 'st', type: 'helper' },
    ]);
    const decoded = collect(helper.getNode('out'));
    const statuses = collect(helper.getNode('st'));
    await waitFor(() => conn.connection?.connected, 'connected');
    peer.push('/sys/pk1/LZYTBGBW6J1014194/device/message/uplink', gbSample('gb.inject.realtime'));
    peer.push('/sys/pk1/LZYTBGBW6J1014194/device/status/notify', gbSample('gb.inject.status'));
    peer.push('/sys/pk1/LZYTBGBW6J1014194/thing/event/property/post', '{}');
    await waitFor(() => decoded.length === 1 && statuses.length === 1 && peer.accepted.length === 3, 'both routed, all accepted');
    assert.equal(decoded[0]!.payload.vehicle.speed, 60);
    assert.equal(statuses[0]!.payload.status, 'offline');
    assert.equal(peer.links, 1);
    assert.equal(peer.logins.length, 1);
  });

  it('signs Living data sync logins with the AppKey (authMode=appkey, HMAC-SHA256)', async () => {
    peer = await startAmqpPeer({ ...ACCOUNT, authMode: 'appkey', instanceId: '' });
    const conn = await load([{ id: 'in', type: 'aliyun-amqp-in', connection: 'conn', wires: [['out']] }, { id: 'out', type: 'helper' }], { authMode: 'appkey' });
    await waitFor(() => conn.connection?.connected, 'connected');
    assert.equal(peer.logins[0]!.ok, true, peer.logins[0]!.reason);
    assert.equal(peer.logins[0]!.params.authMode, 'appkey');
    await sleep(50);
  });

  describe('with a slow node downstream (a 600 ms delay node)', () => {
    // The test helper's runtime leaves out the hooks engine a real runtime gives each node module.
    const registry = (helper as unknown as { _registryUtil: { createNodeApi(n: unknown): Record<string, unknown> } })._registryUtil;
    const createNodeApi = registry.createNodeApi;
    before(() => {
      registry.createNodeApi = (n) => Object.assign(createNodeApi.call(registry, n), { hooks });
    });
    after(() => {
      registry.createNodeApi = createNodeApi;
    });
    const slowFlow = (accept?: string) => [
      { id: 'in', type: 'aliyun-amqp-in', connection: 'conn', ...(accept ? { accept } : {}), wires: [['slow']] },
      { id: 'slow', type: 'delay', pauseType: 'delay', timeout: '600', timeoutUnits: 'milliseconds', wires: [['out']] },
      { id: 'out', type: 'helper' },
    ];

    it('accepts only once the flow is done with the message, and a stop before that leaves it to be redelivered', async () => {
      peer = await startAmqpPeer(ACCOUNT);
      const conn = await load(slowFlow('completed'));
      // The end of the flow finishes with each message as a node should: it calls done().
      const got: unknown[] = [];
      helper.getNode('out').on('input', (msg: unknown, _send: unknown, done: () => void) => {
        got.push(msg);
        done();
      });
      await waitFor(() => conn.connection?.connected, 'connected');
      const ids = [peer.push('/a1b2c3/dev1/user/update', '{"n": 1}'), peer.push('/a1b2c3/dev1/user/update', '{"n": 2}')];
      await sleep(300);
      assert.equal(got.length, 0, 'still in the delay node');
      assert.deepEqual(peer.accepted, [], 'nothing accepted while the flow still holds the messages');
      await waitFor(() => got.length === 2 && peer.accepted.length === 2, 'both through the flow, then accepted', 5000);
      assert.deepEqual([...peer.accepted].sort(), [...ids].sort());
      // Node-RED stops (as in a crash) while two more wait in the delay node: neither is accepted.
      const held = [peer.push('/a1b2c3/dev1/user/update', '{"n": 3}'), peer.push('/a1b2c3/dev1/user/update', '{"n": 4}')];
      await sleep(200);
      await helper.unload();
      await sleep(200);
      assert.deepEqual(peer.unaccepted().sort(), [...held].sort(), 'the platform still holds them for redelivery');
    });

    it('by default accepts once sent on, even while the message is still in the flow', async () => {
      peer = await startAmqpPeer(ACCOUNT);
      const conn = await load(slowFlow());
      const got = collect(helper.getNode('out'));
      await waitFor(() => conn.connection?.connected, 'connected');
      peer.push('/a1b2c3/dev1/user/update', '{"n": 1}');
      await waitFor(() => peer.accepted.length === 1, 'accepted');
      assert.equal(got.length, 0, 'accepted while still in the delay node');
    });
  });

  it('logs messages that match no node once a minute with their count, not once each', async () => {
    peer = await startAmqpPeer(ACCOUNT);
    const conn = await load([{ id: 'in', type: 'aliyun-amqp-in', connection: 'conn', topicFilter: '/only/this', wires: [[]] }]);
    await waitFor(() => conn.connection?.connected, 'connected');
    for (let i = 0; i < 20; i++) peer.push(`/other/topic/${i}`, '{}');
    await waitFor(() => peer.accepted.length === 20, 'all accepted');
    const warn = helper.getNode('conn').warn as unknown as { getCalls(): Array<{ args: unknown[] }> };
    const unmatched = warn.getCalls().filter((c) => /matched no node/.test(String(c.args[0])));
    assert.equal(unmatched.length, 1, 'one warning');
    assert.match(String(unmatched[0]!.args[0]), /\/other\/topic\/0/);
  });
});
