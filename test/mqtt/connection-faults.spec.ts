/**
 * The shared connection under an operator's faults: a broker that accepts the login and drops the
 * connection at once, topics with control characters, a password written into the broker URL, and
 * a persistent session whose node was deleted. Real TCP throughout: a minimal MQTT server speaking
 * the real packets (mqtt-packet), a private Mosquitto where the broker's own behaviour matters.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import * as mqtt from 'mqtt';
import mqttPacket from 'mqtt-packet';
import probeNodes = require('../fixtures/probe-nodes');
import type { ProbeBrokerNode } from '../fixtures/probe-types';
import { ConnectionSettings } from '../../src/lib/mqtt/connection-settings';
import { STABLE_CONNECTION_MS } from '../../src/lib/mqtt/shared-connection';
import { isValidFilter, isValidPublishTopic, topicSegment } from '../../src/protocols/mqtt-topic';
import { isProtocolError } from '../../src/protocols/protocol-error';
import { freePort, startAedes, startMosquittoBroker, startTestBroker, type TestBroker } from '../../tools/broker';
import { withRedAndTestBrokers } from '../support/suite';
import { helper, lastStatus, mosquittoAvailable, sleep, testClient, waitFor, type FlowNode } from '../support/red';

const uniq = () => Math.random().toString(16).slice(2, 10);

/** C0 controls and DEL: Mosquitto drops a client that subscribes or publishes with one. */
const CONTROLS = [...Array.from({ length: 0x20 }, (_, i) => String.fromCharCode(i)), '\u007f'];

describe('shared MQTT connection under operator faults', function () {
  this.timeout(30000);
  let broker: TestBroker | undefined;

  const brokers = withRedAndTestBrokers();

  it('backs off against a broker that accepts the login and drops the connection at once, and sends keep-alive 30 s', async () => {
    // Like Mosquitto after a subscription it refuses: CONNACK accepted, then the socket closes.
    const connects: Array<{ at: number; keepalive: number }> = [];
    const server = net.createServer((socket) => {
      const parser = mqttPacket.parser({ protocolVersion: 4 });
      parser.on('packet', (packet) => {
        if (packet.cmd !== 'connect') return;
        connects.push({ at: Date.now(), keepalive: packet.keepalive ?? -1 });
        socket.end(mqttPacket.generate({ cmd: 'connack', returnCode: 0, sessionPresent: false }));
      });
      socket.on('data', (d) => parser.parse(d));
      socket.on('error', () => undefined);
    });
    const port = await freePort();
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
    try {
      await helper.load(probeNodes, [
        { id: 'b1', type: 'probe-broker', connection: { url: `mqtt://127.0.0.1:${port}`, reconnectMinMs: 100, reconnectMaxMs: 60000 } },
        { id: 'in1', type: 'probe-in', broker: 'b1', topic: 'x/y', wires: [[]] },
      ]);
      await sleep(4000);
      // Delays of 50-100, 100-200, 200-400, 400-800, 800-1600 ms: at most 6 connections in 4 s.
      // Reset on every CONNACK it was one every 50-100 ms, 40 or more.
      assert.ok(connects.length >= 3 && connects.length <= 7, `${connects.length} connections in 4 s`);
      assert.ok(STABLE_CONNECTION_MS >= 10_000);
      assert.deepEqual([...new Set(connects.map((c) => c.keepalive))], [30], 'keep-alive sent in CONNECT');
    } finally {
      server.close();
    }
  });

  it('keeps the filters a broker accepted in a SUBACK that refused another: a resumed session does not subscribe them again', async () => {
    const aedesBroker = await brokers.use(startAedes());
    broker = aedesBroker;
    // Like an ACL without read rights on one topic: SUBACK 0x80 for it, the rest granted.
    aedesBroker.aedes.authorizeSubscribe = (_client, sub, callback) => callback(null, sub.topic.startsWith('denied/') ? null : sub);
    const subscribes: string[] = [];
    aedesBroker.aedes.on('subscribe', (subs) => { for (const s of subs) subscribes.push(s.topic); });
    const clientId = `cniot-suback-${uniq()}`;
    await helper.load(probeNodes, [
      { id: 'b1', type: 'probe-broker', connection: { url: aedesBroker.url, clientId, clean: false, reconnectMinMs: 100, reconnectMaxMs: 300 } },
      { id: 'in1', type: 'probe-in', broker: 'b1', topic: 'ok/topic', qos: 1, wires: [[]] },
      { id: 'in2', type: 'probe-in', broker: 'b1', topic: 'denied/topic', qos: 1, wires: [[]] },
    ]);
    const conn = (helper.getNode('b1') as ProbeBrokerNode).connection!;
    await waitFor(() => subscribes.includes('ok/topic'), 'the first subscription');
    await sleep(200);
    await aedesBroker.stop();
    await aedesBroker.start();
    await waitFor(() => conn.connected, 'reconnected');
    await sleep(500);
    assert.deepEqual(subscribes.filter((t) => t === 'ok/topic'), ['ok/topic'], 'the session kept it: not subscribed again');
  });

  it('refuses control characters (U+0000-U+001F, U+007F) in every topic level, with a clear error', async () => {
    for (const ch of CONTROLS) {
      const code = `U+${ch.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
      for (const level of [0, 1, 2]) {
        const levels = ['upload', 'key', 'location'];
        levels[level] = `a${ch}b`;
        const topic = levels.join('/');
        assert.equal(isValidFilter(topic), false, `filter with ${code} at level ${level + 1}`);
        assert.equal(isValidPublishTopic(topic), false, `topic with ${code} at level ${level + 1}`);
      }
      assert.throws(() => topicSegment(`dev${ch}1`, 'device'), (err: Error) => isProtocolError(err) && /control characters/.test(err.message), code);
    }
    broker = await brokers.use(startTestBroker());
    await helper.load(probeNodes, [
      { id: 'b1', type: 'probe-broker', connection: { url: broker.url } },
      { id: 'in1', type: 'probe-in', broker: 'b1', topic: 'ok/topic', wires: [[]] },
    ]);
    const conn = (helper.getNode('b1') as ProbeBrokerNode).connection!;
    assert.throws(() => conn.subscribe('x', 'upload/key\u0001/+/location', 1, () => undefined),
      (err: Error) => isProtocolError(err) && err.message.includes('U+0001 at level 2') && err.message.includes('\\u0001'));
    await assert.rejects(conn.publish('download/key\u007f/1/cmd', 'x'), /not a valid MQTT publish topic/);
    assert.deepEqual(conn.filters, ['ok/topic'], 'nothing sent to the broker');
  });

  it('refuses a password written into the broker URL and never shows it', async () => {
    const parsed = ConnectionSettings.safeParse({ url: 'mqtt://alice:s3cr3t-pw@127.0.0.1:1883' });
    assert.equal(parsed.success, false);
    assert.equal(ConnectionSettings.safeParse({ url: 'mqtt://alice@127.0.0.1:1883' }).success, true, 'a user name alone is fine');
    await helper.load(probeNodes, [
      { id: 'b1', type: 'probe-broker', connection: { url: 'mqtt://alice:s3cr3t-pw@127.0.0.1:1883' } },
      { id: 'in1', type: 'probe-in', broker: 'b1', topic: 'x', wires: [[]] },
    ]);
    const b1 = helper.getNode('b1') as ProbeBrokerNode;
    assert.equal(b1.connection, undefined, 'no connection opened');
    const errors = (b1.error as unknown as { args: unknown[][] }).args.map((a) => String(a[0]));
    assert.match(errors.join('\n'), /must not contain a password/);
    const shown = JSON.stringify([errors, lastStatus(helper.getNode('in1'))]);
    assert.ok(!shown.includes('s3cr3t-pw'), shown);
  });

  describe('persistent session against a private Mosquitto', function () {
    before(function () {
      if (!mosquittoAvailable()) this.skip();
    });

    /** Deploys in1 on a persistent session, applies `change`, stops the flow, and counts what the session queued meanwhile. */
    async function queuedAfter(change: (flow: FlowNode[]) => Promise<void>): Promise<number> {
      broker = await brokers.use(startMosquittoBroker());
      const topic = `cniot/${uniq()}/persist`;
      const clientId = `cniot-del-${uniq()}`;
      const flow: FlowNode[] = [
        { id: 'b1', type: 'probe-broker', connection: { url: broker.url, clean: false, clientId, reconnectMinMs: 100, reconnectMaxMs: 500 } },
        { id: 'in1', type: 'probe-in', broker: 'b1', topic, qos: 1, wires: [[]] },
      ];
      await helper.load(probeNodes, flow);
      const conn = (helper.getNode('b1') as ProbeBrokerNode).connection!;
      await waitFor(() => conn.connected && conn.filters.length === 1, 'subscribed');
      await sleep(300);
      await change(flow);
      await sleep(300);
      await helper.unload();
      const pub = await testClient(broker.url);
      await pub.publishAsync(topic, 'while stopped', { qos: 1 });
      await pub.endAsync();
      // Listening before CONNACK: a resumed session delivers right after it.
      const resumed = mqtt.connect(broker.url, { clientId, clean: false, reconnectPeriod: 0 });
      let queued = 0;
      resumed.on('message', () => { queued++; });
      await waitFor(() => resumed.connected, 'resumed session');
      await sleep(1000);
      await resumed.endAsync();
      return queued;
    }

    it('unsubscribes the filter of a deleted node, so the broker stops queueing for it', async () => {
      const queued = await queuedAfter(async (flow) => {
        await helper.setFlows([flow[0]!], 'nodes');
      });
      assert.equal(queued, 0);
    });

    it('keeps the subscription when the node is only restarted by a redeploy', async () => {
      const queued = await queuedAfter(async (flow) => {
        await helper.setFlows([flow[0]!, { ...flow[1]!, name: 'changed' }], 'nodes');
      });
      assert.equal(queued, 1);
    });
  });
});
