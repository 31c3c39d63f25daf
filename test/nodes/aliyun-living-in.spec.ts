/**
 * aliyun-living-in in a real Node-RED runtime against a real broker: a test client plays the Living
 * platform, publishing every push sample of the long-connection document and answering binds.
 */
import assert from 'node:assert/strict';
import type * as mqtt from 'mqtt';
import { brokerLabel, freePort, startAedes } from '../../tools/broker';
import { livingSamples } from '../../tools/samples';
import { withRedAndBroker } from '../support/suite';
import { builtNode, collect, helper, lastStatus, sleep, testClient, waitFor, type FlowNode } from '../support/red';

const nodes = [builtNode('aliyun-living-account'), builtNode('aliyun-living-in')];
const PK = 'pk' + Math.random().toString(36).slice(2, 10);
const CHANNEL = 'app' + Math.random().toString(36).slice(2, 8);
const CLIENT_ID = 'living-' + Math.random().toString(36).slice(2, 8);
const PATHS = { properties: 'thing/properties', events: 'thing/events', status: 'thing/status', topo: 'thing/topo/add/status', ota: 'ota/device/forward' } as const;

describe(`aliyun-living-in against ${brokerLabel()}`, function () {
  this.timeout(20000);
  const ctx = withRedAndBroker();
  const clients: mqtt.MqttClient[] = [];
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.endAsync(true)));
  });

  async function platform(): Promise<mqtt.MqttClient> {
    const c = await testClient(ctx.broker.url);
    clients.push(c);
    return c;
  }

  async function load(props: Record<string, unknown> = {}, filters = 6) {
    const flow: FlowNode[] = [
      { id: 'f1', type: 'tab' },
      { id: 'acct', type: 'aliyun-living-account', productKey: PK, deviceName: CHANNEL, connection: { url: ctx.broker.url, clientId: CLIENT_ID, reconnectMinMs: 100, reconnectMaxMs: 1000 } },
      { id: 'in', z: 'f1', type: 'aliyun-living-in', account: 'acct', wires: [['pushes'], ['replies']], ...props },
      { id: 'pushes', z: 'f1', type: 'helper' },
      { id: 'replies', z: 'f1', type: 'helper' },
    ];
    await helper.load(nodes, flow, { acct: { username: 'u', password: 'secret-pw' } });
    const acct = helper.getNode('acct') as unknown as { connection?: { connected: boolean; filters: string[] } };
    await waitFor(() => acct.connection?.connected && acct.connection.filters.length === filters, 'connected and subscribed');
    await sleep(100);
    return { acct, pushes: collect(helper.getNode('pushes')), replies: collect(helper.getNode('replies')) };
  }

  it('subscribes to every push kind for all devices and decodes every sample of the document', async () => {
    const { acct, pushes } = await load();
    assert.deepEqual([...acct.connection!.filters].sort(), [
      `/sys/${PK}/+/app/down/ota/device/forward`, `/sys/${PK}/+/app/down/thing/events`, `/sys/${PK}/+/app/down/thing/properties`,
      `/sys/${PK}/+/app/down/thing/status`, `/sys/${PK}/+/app/down/thing/topo/add/status`, `/sys/${PK}/${CHANNEL}/app/down/account/+`,
    ].sort());
    const p = await platform();
    for (const [kind, path] of Object.entries(PATHS)) {
      await p.publishAsync(`/sys/${PK}/${CHANNEL}/app/down/${path}`, livingSamples.pushes[kind as keyof typeof PATHS], { qos: 1 });
    }
    await waitFor(() => pushes.length === 5, 'five pushes');
    const by = (kind: string) => pushes.find((m) => m.aliyun.kind === kind)!;
    assert.deepEqual(by('properties').payload.properties, { temperature: 30, meterReadingMonth: 715665571, alarm: 'normal' });
    assert.equal(by('properties').payload.times.alarm.ms, 1510292697470);
    assert.equal(by('properties').topic, 'aliyun-living/properties/5gJtxDVeGAkaEztpisjX');
    assert.equal(by('properties').aliyun.device.iotId, '0300MSKL03667c544f69342a74Sv4Za4');
    assert.equal(by('events').payload.identifier, 'BrokenInfo');
    assert.deepEqual(by('events').payload.value, { Power: 'on', structParam: { param1: 'abc', param2: 123 } });
    assert.equal(by('events').aliyun.lenient, true);
    assert.equal(by('status').payload.status.en, 'inactive');
    assert.equal(by('topo').payload.status.zh, '添加topo成功');
    assert.equal(by('ota').payload.upgradeStatus.en, 'upgrading');
    assert.equal(by('ota').payload.progress, 1);
    assert.equal(by('ota').aliyun.mqttTopic, `/sys/${PK}/${CHANNEL}/app/down/ota/device/forward`);
    const warn = helper.getNode('in').warn as unknown as { getCalls(): Array<{ args: unknown[] }> };
    assert.ok(warn.getCalls().some((c) => /not strict JSON/.test(String(c.args[0]))));
  });

  it('subscribes only to the ticked kinds of one device', async () => {
    const { acct, pushes } = await load({ kinds: ['status'], deviceName: 'dev1' }, 2);
    assert.deepEqual([...acct.connection!.filters].sort(), [`/sys/${PK}/${CHANNEL}/app/down/account/+`, `/sys/${PK}/dev1/app/down/thing/status`]);
    const p = await platform();
    await p.publishAsync(`/sys/${PK}/dev2/app/down/thing/status`, '{"id":"1","params":{"status":{"value":1,"time":1}}}', { qos: 1 });
    await p.publishAsync(`/sys/${PK}/dev1/app/down/thing/events`, livingSamples.pushes.events, { qos: 1 });
    await p.publishAsync(`/sys/${PK}/dev1/app/down/thing/status`, '{"id":"2","params":{"deviceName":"dev1","status":{"value":3,"time":1}}}', { qos: 1 });
    await waitFor(() => pushes.length === 1, 'the one status push');
    await sleep(200);
    assert.equal(pushes.length, 1);
    assert.deepEqual(pushes[0]!.payload.status, { code: 3, en: 'offline', zh: '离线' });
    assert.equal(pushes[0]!.topic, 'aliyun-living/status/dev1');
  });

  it('reports a bad push to a Catch node with the raw text, turns red, and handles the next one', async () => {
    const { pushes } = await load({ kinds: ['status'] }, 2);
    const p = await platform();
    const topic = `/sys/${PK}/d1/app/down/thing/status`;
    await p.publishAsync(topic, '{"id":"1","params":{"status":{"value":"on"}}}', { qos: 1 });
    await p.publishAsync(topic, 'garbage', { qos: 1 });
    await p.publishAsync(topic, '{"id":"3","params":{"status":{"value":8,"time":5}}}', { qos: 1 });
    await waitFor(() => pushes.length === 1, 'the good push');
    const inNode = helper.getNode('in');
    const spy = inNode.error as unknown as { callCount: number; getCalls(): Array<{ args: [Error, Record<string, unknown>] }> };
    await waitFor(() => spy.callCount === 2, 'two errors');
    const calls = spy.getCalls();
    assert.match(calls[0]!.args[0].message, /status push/);
    assert.equal(calls[0]!.args[1].payload, '{"id":"1","params":{"status":{"value":"on"}}}');
    assert.equal(calls[1]!.args[1].payload, 'garbage');
    assert.equal(calls[1]!.args[1].topic, topic);
    assert.equal(pushes[0]!.payload.status.en, 'disabled');
    assert.equal(lastStatus(inNode)?.fill, 'red');
  });

  it('binds and unbinds the channel, matching each _reply by id; a missing reply times out', async () => {
    const { replies } = await load({ kinds: ['status'], timeout: 0.5 }, 2);
    const p = await platform();
    const requests: Array<{ topic: string; body: Record<string, any> }> = [];
    p.on('message', (topic, body) => {
      const req = JSON.parse(body.toString()) as Record<string, any>;
      requests.push({ topic, body: req });
      if (req.params.iotToken === 'silent') return;
      const action = topic.endsWith('/unbind') ? 'unbind' : 'bind';
      // a reply to somebody else's request first: it must not be taken for ours
      void p.publish(`/sys/${PK}/${CHANNEL}/app/down/account/${action}_reply`, JSON.stringify({ id: 'other', code: 200, message: 'success' }));
      void p.publish(`/sys/${PK}/${CHANNEL}/app/down/account/${action}_reply`, JSON.stringify({ id: req.id, code: req.params.iotToken === 'expired' ? 401 : 200, message: 'success' }), { qos: 1 });
    });
    await p.subscribeAsync(`/sys/${PK}/${CHANNEL}/app/up/account/+`, { qos: 1 });
    const inNode = helper.getNode('in');
    inNode.receive({ action: 'bind', payload: { iotToken: 'iot_token123' }, _msgid: 'm1' } as never);
    await waitFor(() => replies.length === 1, 'bind reply');
    assert.equal(requests[0]!.topic, `/sys/${PK}/${CHANNEL}/app/up/account/bind`);
    assert.deepEqual(requests[0]!.body.request, { clientId: CLIENT_ID });
    assert.deepEqual(requests[0]!.body.params, { iotToken: 'iot_token123' });
    assert.equal(replies[0]!.payload.ok, true);
    assert.equal(replies[0]!.payload.id, requests[0]!.body.id);
    assert.equal(replies[0]!.request.action, 'bind');
    assert.equal(replies[0]!.topic, `aliyun-living/bind/${CHANNEL}`);

    inNode.receive({ action: 'unbind', clientId: 'other-channel' } as never);
    inNode.receive({ action: 'bind', iotToken: 'expired' } as never);
    await waitFor(() => replies.length === 3, 'unbind and refused bind replies');
    const unbind = requests.find((r) => r.topic.endsWith('/unbind'))!;
    assert.deepEqual(unbind.body, { id: unbind.body.id, version: '1.0', request: { clientId: 'other-channel' }, params: {} });
    const refused = replies.find((r) => r.request.body.params.iotToken === 'expired')!;
    assert.equal(refused.payload.ok, false);
    assert.equal(refused.payload.code, 401);

    const errorSpy = inNode.error as unknown as { getCalls(): Array<{ args: [unknown, Record<string, any>?] }> };
    inNode.receive({ action: 'bind', iotToken: 'silent' } as never);
    inNode.receive({ action: 'bind' } as never);
    inNode.receive({ action: 'subscribe', iotToken: 'x' } as never);
    await waitFor(() => errorSpy.getCalls().some((c) => /no bind_reply/.test(String(c.args[0]))), 'timeout error', 3000);
    const messages = errorSpy.getCalls().map((c) => String(c.args[0]));
    assert.ok(messages.some((m) => /iotToken/.test(m)), 'bind without a token is refused');
    assert.ok(messages.some((m) => /bind" or "unbind/.test(m)), 'unknown action is refused');
    assert.equal(replies.length, 3);
  });

  it('withdraws a bind that timed out while the broker was away, and reports one waiting at a stop as closed', async () => {
    const port = await freePort();
    const url = `mqtt://127.0.0.1:${port}`;
    await helper.load(nodes, [
      { id: 'f1', type: 'tab' },
      { id: 'acct', type: 'aliyun-living-account', productKey: PK, deviceName: CHANNEL, connection: { url, clientId: CLIENT_ID, reconnectMinMs: 100, reconnectMaxMs: 300 } },
      { id: 'in', z: 'f1', type: 'aliyun-living-in', account: 'acct', kinds: ['status'], timeout: 0.5, wires: [[], []] },
    ], { acct: { username: 'u', password: 'secret-pw' } });
    const inNode = helper.getNode('in');
    // Catch-able errors as the node reports them, also while it is being stopped.
    const errors: Array<{ err: Error; msg: Record<string, any> }> = [];
    inNode.error = ((err: Error, msg: Record<string, any>) => { errors.push({ err, msg }); }) as typeof inNode.error;
    inNode.receive({ action: 'bind', iotToken: 'first' } as never);
    await waitFor(() => errors.length === 1, 'the timeout', 3000);
    assert.match(errors[0]!.err.message, /no bind_reply .*withdrawn before it was sent/);
    assert.equal(errors[0]!.msg.request.sent, false);
    const broker = await startAedes({}, port);
    try {
      const p = await testClient(url);
      clients.push(p);
      const requests: string[] = [];
      p.on('message', (_t, body) => requests.push((JSON.parse(body.toString()) as { params: { iotToken: string } }).params.iotToken));
      await p.subscribeAsync(`/sys/${PK}/${CHANNEL}/app/up/account/+`, { qos: 1 });
      const acct = helper.getNode('acct') as unknown as { connection: { connected: boolean } };
      await waitFor(() => acct.connection.connected, 'reconnected', 5000);
      inNode.receive({ action: 'bind', iotToken: 'second', timeout: 30 } as never);
      await waitFor(() => requests.length >= 1, 'the fresh bind');
      await sleep(300);
      assert.deepEqual(requests, ['second'], 'the timed-out bind was never sent');
      await helper.unload();
      assert.equal(errors.length, 2);
      assert.match(errors[1]!.err.message, /stopped before the bind_reply arrived; the request was sent/);
      assert.equal(errors[1]!.msg.request.sent, true);
    } finally {
      await Promise.all(clients.splice(0).map((c) => c.endAsync(true)));
      await broker.close();
    }
  });
});
