/**
 * The shared MQTT connection layer inside a real Node-RED runtime, against a real broker
 * (Aedes in-process, or Mosquitto when MQTT_URL is set).
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import type { Node } from 'node-red';
import probeNodes = require('../fixtures/probe-nodes');
import type { ProbeBrokerNode } from '../fixtures/probe-types';
import { brokerLabel, externalUrl, freePort, startMosquittoBroker, startTestBroker, type TestBroker } from '../../tools/broker';
import { withRedAndTestBrokers } from '../support/suite';
import { collect, helper, type FlowNode, lastStatus, mosquittoAvailable, sleep, testClient, waitFor } from '../support/red';

const uniq = () => Math.random().toString(16).slice(2, 10);

function brokerNode(id: string, url: string, connection: Record<string, unknown> = {}): FlowNode {
  return { id, type: 'probe-broker', connection: { url, reconnectMinMs: 100, reconnectMaxMs: 500, ...connection } };
}

describe(`shared MQTT connection against ${brokerLabel()}`, function () {
  this.timeout(20000);
  let broker: TestBroker | undefined;

  const brokers = withRedAndTestBrokers();

  it('gives two nodes one client and one broker subscription for a shared filter', async () => {
    broker = await brokers.use(startTestBroker());
    const topic = `cniot/${uniq()}/data`;
    await helper.load(probeNodes, [
      brokerNode('b1', broker.url),
      { id: 'in1', type: 'probe-in', broker: 'b1', topic, wires: [['h1']] },
      { id: 'in2', type: 'probe-in', broker: 'b1', topic, wires: [['h2']] },
      { id: 'h1', type: 'helper' },
      { id: 'h2', type: 'helper' },
    ]);
    const conn = (helper.getNode('b1') as ProbeBrokerNode).connection!;
    const got1 = collect(helper.getNode('h1'));
    const got2 = collect(helper.getNode('h2'));
    await waitFor(() => conn.connected, 'connection');
    await sleep(100);
    const pub = await testClient(broker.url);
    await pub.publishAsync(topic, 'hello', { qos: 1 });
    await waitFor(() => got1.length === 1 && got2.length === 1, 'both nodes to receive');
    await sleep(200);
    assert.equal(got1.length, 1, 'no duplicate delivery to node 1');
    assert.equal(got2.length, 1, 'no duplicate delivery to node 2');
    assert.equal(got1[0]!.payload, 'hello');
    assert.equal(conn.connectAttempts, 1, 'one network connection for both nodes');
    assert.deepEqual(conn.filters, [topic], 'one subscription per filter');
    assert.equal(lastStatus(helper.getNode('in1'))?.fill, 'green');
    assert.equal(lastStatus(helper.getNode('in2'))?.fill, 'green');
    await pub.endAsync();
  });

  it('reconnects, resubscribes and delivers again after the broker restarts', async () => {
    broker = await brokers.use(startTestBroker({ restartable: true }));
    const topic = `cniot/${uniq()}/restart`;
    await helper.load(probeNodes, [
      brokerNode('b1', broker.url),
      { id: 'in1', type: 'probe-in', broker: 'b1', topic, wires: [['h1']] },
      { id: 'h1', type: 'helper' },
    ]);
    const conn = (helper.getNode('b1') as ProbeBrokerNode).connection!;
    const in1 = helper.getNode('in1');
    const got = collect(helper.getNode('h1'));
    await waitFor(() => conn.connected, 'first connection');
    await broker.stop();
    await waitFor(() => lastStatus(in1)?.fill === 'red', 'red status while the broker is down');
    assert.match(lastStatus(in1)!.text!, /disconnected/);
    await sleep(300);
    await broker.start();
    await waitFor(() => conn.connected, 'reconnection', 10000);
    assert.equal(lastStatus(in1)?.fill, 'green');
    const pub = await testClient(broker.url);
    // The resubscription may land a moment after CONNACK; publish until it arrives.
    await waitFor(() => {
      if (got.length === 0) void pub.publishAsync(topic, 'after-restart', { qos: 0 });
      return got.length > 0;
    }, 'a message after the restart', 5000);
    assert.equal(got[0]!.payload, 'after-restart');
    await pub.endAsync();
  });

  it('shows a refused login in the status and does not hammer the broker', async () => {
    broker = await brokers.use(startTestBroker({ auth: { username: 'alice', password: 'right' } }));
    await helper.load(probeNodes, [
      { ...brokerNode('b1', broker.url, { reconnectMinMs: 100, reconnectMaxMs: 30000 }) },
      { id: 'in1', type: 'probe-in', broker: 'b1', topic: 'x/y', wires: [[]] },
    ], { b1: { username: 'alice', password: 'wrong' } });
    const conn = (helper.getNode('b1') as ProbeBrokerNode).connection!;
    const in1 = helper.getNode('in1');
    await waitFor(() => lastStatus(in1)?.fill === 'red', 'red status');
    assert.match(lastStatus(in1)!.text!, /not authori[sz]ed|bad user name or password/);
    await sleep(1500);
    assert.equal(conn.connectAttempts, 1, 'a refused login waits the longest delay before trying again');
  });

  it('connects with the right password from the credentials', async () => {
    broker = await brokers.use(startTestBroker({ auth: { username: 'alice', password: 'right' } }));
    await helper.load(probeNodes, [
      brokerNode('b1', broker.url),
      { id: 'in1', type: 'probe-in', broker: 'b1', topic: 'x/y', wires: [[]] },
    ], { b1: { username: 'alice', password: 'right' } });
    const conn = (helper.getNode('b1') as ProbeBrokerNode).connection!;
    await waitFor(() => conn.connected, 'connection with credentials');
  });

  it('keeps QoS 1 messages sent while the flow was stopped (clean session off)', async () => {
    broker = await brokers.use(startTestBroker());
    const topic = `cniot/${uniq()}/persist`;
    const clientId = `cniot-test-${uniq()}`;
    const flow = [
      brokerNode('b1', broker.url, { clean: false, clientId }),
      { id: 'in1', type: 'probe-in', broker: 'b1', topic, qos: 1, wires: [['h1']] },
      { id: 'h1', type: 'helper' },
    ];
    await helper.load(probeNodes, flow);
    let conn = (helper.getNode('b1') as ProbeBrokerNode).connection!;
    await waitFor(() => conn.connected && conn.filters.length === 1, 'first connection');
    await sleep(200);
    await helper.unload();

    const pub = await testClient(broker.url);
    for (const n of [1, 2, 3]) await pub.publishAsync(topic, `while-stopped-${n}`, { qos: 1 });
    await pub.endAsync();

    await helper.load(probeNodes, flow);
    conn = (helper.getNode('b1') as ProbeBrokerNode).connection!;
    const got = collect(helper.getNode('h1'));
    await waitFor(() => got.length >= 3, 'the three queued messages', 8000);
    assert.deepEqual(got.map((m) => m.payload).sort(), ['while-stopped-1', 'while-stopped-2', 'while-stopped-3']);

    // Clean up the persistent session at the broker.
    await helper.unload();
    const cleaner = await testClient(broker.url, { clientId, clean: true });
    await cleaner.endAsync();
  });

  it('closes promptly while still waiting for a broker that never answers', async () => {
    const sockets: net.Socket[] = [];
    const silent = net.createServer((s) => { sockets.push(s); });
    const port = await freePort();
    await new Promise<void>((r) => silent.listen(port, '127.0.0.1', () => r()));
    try {
      await helper.load(probeNodes, [
        brokerNode('b1', `mqtt://127.0.0.1:${port}`, { connectTimeoutMs: 30000 }),
        { id: 'in1', type: 'probe-in', broker: 'b1', topic: 'x', wires: [[]] },
      ]);
      await waitFor(() => sockets.length > 0, 'the TCP connection');
      const started = Date.now();
      await helper.unload();
      assert.ok(Date.now() - started < 3000, `close took ${Date.now() - started} ms`);
    } finally {
      for (const s of sockets) s.destroy();
      silent.close();
    }
  });

  it('queues publishes while offline up to the limit, then reports an error', async () => {
    broker = await brokers.use(startTestBroker({ restartable: true }));
    const topic = `cniot/${uniq()}/queued`;
    await helper.load(probeNodes, [
      { id: 'f1', type: 'tab' },
      // Reconnects at least 1 s apart, so that the watcher below subscribes before the queue is flushed.
      { ...brokerNode('b1', broker.url, { queueLimit: 2, reconnectMinMs: 2000, reconnectMaxMs: 3000 }), z: 'f1' },
      { id: 'out1', type: 'probe-out', broker: 'b1', z: 'f1', wires: [['sent']] },
      { id: 'sent', type: 'helper', z: 'f1' },
      { id: 'c1', type: 'catch', z: 'f1', scope: null, uncaught: false, wires: [['caught']] },
      { id: 'caught', type: 'helper', z: 'f1' },
    ]);
    const conn = (helper.getNode('b1') as ProbeBrokerNode).connection!;
    await waitFor(() => conn.connected, 'connection');
    const watcher = await testClient(broker.url);
    const arrived: string[] = [];
    watcher.on('message', (_t, p) => arrived.push(p.toString()));
    await watcher.subscribeAsync(topic, { qos: 1 });
    await watcher.endAsync();
    await broker.stop();
    await waitFor(() => !conn.connected, 'disconnection');
    const caught = collect(helper.getNode('caught'));
    const sent = collect(helper.getNode('sent'));
    const out1 = helper.getNode('out1') as Node;
    for (const n of [1, 2, 3]) out1.receive({ topic, payload: `offline-${n}` });
    await waitFor(() => caught.length === 1, 'an error for the third message');
    assert.match(caught[0]!.error.message, /2 messages already wait/);
    assert.equal(caught[0]!.payload, 'offline-3', 'the rejected message travels with the error');
    assert.equal(conn.queuedPublishes, 2);

    await broker.start();
    const sub = await testClient(broker.url);
    sub.on('message', (_t, p) => arrived.push(p.toString()));
    await sub.subscribeAsync(topic, { qos: 1 });
    await waitFor(() => sent.length === 2, 'the two queued messages to be sent', 10000);
    await waitFor(() => arrived.length === 2, 'the two queued messages at the broker');
    assert.deepEqual(arrived, ['offline-1', 'offline-2']);
    await sub.endAsync();
  });

  it('keeps the connection through a redeploy that does not touch the config node', async () => {
    broker = await brokers.use(startTestBroker());
    const topicA = `cniot/${uniq()}/a`;
    const topicB = `cniot/${uniq()}/b`;
    const flow = [
      brokerNode('b1', broker.url),
      { id: 'in1', type: 'probe-in', broker: 'b1', topic: topicA, wires: [['h1']] },
      { id: 'h1', type: 'helper' },
    ];
    await helper.load(probeNodes, flow);
    const conn = (helper.getNode('b1') as ProbeBrokerNode).connection!;
    await waitFor(() => conn.connected, 'connection');
    await helper.setFlows([flow[0]!, { ...flow[1]!, topic: topicB }, flow[2]!], 'nodes');
    assert.equal((helper.getNode('b1') as ProbeBrokerNode).connection, conn, 'same connection object');
    await waitFor(() => conn.filters.length === 1 && conn.filters[0] === topicB, 'old filter released, new one held', 4000);
    assert.equal(conn.connectAttempts, 1, 'no reconnect for a redeploy of the user node');
    const got = collect(helper.getNode('h1'));
    const pub = await testClient(broker.url);
    await pub.publishAsync(topicA, 'old', { qos: 1 });
    await pub.publishAsync(topicB, 'new', { qos: 1 });
    await waitFor(() => got.length >= 1, 'message on the new filter');
    await sleep(200);
    assert.deepEqual(got.map((m) => m.payload), ['new']);
    await pub.endAsync();
  });

  it('rejects invalid connection settings with a message that names the field', async () => {
    await helper.load(probeNodes, [
      { id: 'b1', type: 'probe-broker', connection: { url: 'http://example.invalid' } },
      { id: 'in1', type: 'probe-in', broker: 'b1', topic: 'x', wires: [[]] },
    ]);
    const b1 = helper.getNode('b1');
    const errorSpy = b1.error as unknown as { firstCall: { args: [string] } };
    assert.match(errorSpy.firstCall.args[0], /url: broker URL must start with mqtt:\/\//);
    assert.equal(lastStatus(helper.getNode('in1'))?.fill, 'red');
  });

  it('splits one stream between two Node-RED instances in a share group', async function () {
    // Aedes has no shared subscriptions, so this runs on Mosquitto: MQTT_URL's, or a private one.
    if (!externalUrl && !mosquittoAvailable()) {
      console.log('      (skipped: shared subscriptions need Mosquitto; Aedes has none and no mosquitto binary was found)');
      this.skip();
    }
    broker = await brokers.use(externalUrl ? startTestBroker() : startMosquittoBroker());
    const topic = `cniot/${uniq()}/shared`;
    const group = `g${uniq()}`;
    await helper.load(probeNodes, [
      brokerNode('b1', broker.url, { shareGroup: group }),
      brokerNode('b2', broker.url, { shareGroup: group }),
      { id: 'in1', type: 'probe-in', broker: 'b1', topic, wires: [['h1']] },
      { id: 'in2', type: 'probe-in', broker: 'b2', topic, wires: [['h2']] },
      { id: 'h1', type: 'helper' },
      { id: 'h2', type: 'helper' },
    ]);
    const c1 = (helper.getNode('b1') as ProbeBrokerNode).connection!;
    const c2 = (helper.getNode('b2') as ProbeBrokerNode).connection!;
    assert.deepEqual(c1.filters, [`$share/${group}/${topic}`]);
    const got1 = collect(helper.getNode('h1'));
    const got2 = collect(helper.getNode('h2'));
    await waitFor(() => c1.connected && c2.connected, 'both connections');
    await sleep(300);
    const pub = await testClient(broker.url);
    const total = 40;
    for (let i = 0; i < total; i++) await pub.publishAsync(topic, String(i), { qos: 1 });
    await waitFor(() => got1.length + got2.length >= total, 'all messages', 8000);
    await sleep(200);
    const all = [...got1, ...got2].map((m) => Number(m.payload)).sort((a, b) => a - b);
    assert.deepEqual(all, Array.from({ length: total }, (_, i) => i), 'each message exactly once across both');
    assert.ok(got1.length > 0 && got2.length > 0, `both instances take a share (${got1.length}/${got2.length})`);
    await pub.endAsync();
  });
});
