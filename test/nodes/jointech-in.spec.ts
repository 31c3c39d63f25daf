/**
 * jointech-in and jointech-account in a real Node-RED runtime: document samples published to a
 * real broker and POSTed to the webhook over real HTTP.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodePush } from '../../src/protocols/jointech/messages';
import { captured, httpNodeProbe } from '../fixtures/http-node-probe';
import { brokerLabel, startTestBroker } from '../../tools/broker';
import { withRedAndBroker } from '../support/suite';
import { builtNode, collect, helper, lastStatus, sleep, testClient, waitFor, type FlowNode } from '../support/red';
import { jointechMqttMessages, jointechSamples as S } from '../../tools/samples';
import { uploadTopic } from '../../src/protocols/jointech/topics';

const accountNode = builtNode('jointech-account');
const inNode = builtNode('jointech-in');
const nodes = [accountNode, inNode, httpNodeProbe];
const AK = 'AK' + Math.random().toString(16).slice(2, 8);

function account(url: string, extra: Record<string, unknown> = {}): FlowNode {
  return { id: 'acc', type: 'jointech-account', accessKey: AK, qos: 1, connection: { url, reconnectMinMs: 100, reconnectMaxMs: 1000 }, ...extra };
}

/** The sample named `key`, as published on its upload topic. */
const sample = (key: string) => jointechMqttMessages(AK).find((m) => m.key === key)!;

describe(`jointech-in over MQTT against ${brokerLabel()}`, function () {
  this.timeout(20000);
  const ctx = withRedAndBroker();

  async function loadWith(inProps: Record<string, unknown>, extraNodes: FlowNode[] = []) {
    await helper.load(nodes, [
      { id: 'f1', type: 'tab' },
      { ...account(ctx.broker.url), z: 'f1' },
      { id: 'in', type: 'jointech-in', z: 'f1', account: 'acc', mode: 'mqtt', wires: [['out']], ...inProps },
      { id: 'out', type: 'helper', z: 'f1' },
      ...extraNodes,
    ], { acc: { username: 'u', password: 'p' } });
    const acc = helper.getNode('acc') as unknown as { connection: { connected: boolean; filters: string[] } };
    await waitFor(() => acc.connection.connected && acc.connection.filters.length > 0, 'subscription');
    await sleep(100);
    return acc.connection;
  }

  it('decodes every MQTT sample of the document from its upload topic', async () => {
    const conn = await loadWith({});
    assert.deepEqual(conn.filters, [`upload/${AK}/#`]);
    const got = collect(helper.getNode('out'));
    const pub = await testClient(ctx.broker.url);
    const messages = jointechMqttMessages(AK);
    for (const m of messages) await pub.publishAsync(m.topic, m.body, { qos: 1 });
    await waitFor(() => got.length === messages.length, `${messages.length} decoded messages`);
    for (const m of messages) {
      const msg = got.find((g) => g.jointech.raw === m.body);
      assert.ok(msg, `output for ${m.key}`);
      assert.equal(msg.jointech.type, m.type);
      assert.equal(msg.jointech.assetId, m.device);
      assert.equal(msg.jointech.mqttTopic, m.topic);
      assert.equal(msg.topic, `jointech/${m.type}/${m.device}`);
      assert.deepEqual(msg.payload, decodePush(m.body, m.type).payload, `${m.key} decoded as the decoder does`);
    }
    const alarm = got.find((m) => m.jointech.type === 'alarm')!;
    assert.deepEqual(alarm.payload.alarmType, { code: 44, en: 'Illegal card swiped', zh: '刷非法卡' });
    const sub = got.find((m) => m.jointech.type === 'sublock')!;
    assert.equal(sub.jointech.subLockId, 'E0171E0366');
    assert.deepEqual(sub.payload.eventType, { code: 3, en: 'Unlocked remotely', zh: '远程开锁事件' });
    const offline = got.find((m) => m.jointech.assetId === '8294630003')!;
    assert.equal(offline.payload.ok, false);
    assert.equal(offline.payload.failure, 'device-offline');
    await pub.endAsync();
  });

  it('also decodes the webhook samples when they arrive over MQTT', async () => {
    await loadWith({});
    const got = collect(helper.getNode('out'));
    const pub = await testClient(ctx.broker.url);
    const types = ['location', 'alarm', 'event', 'cmd', 'sublock'] as const;
    for (const t of types) {
      const body = S.webhook[t];
      const topic = uploadTopic(AK, String(body.assetId), t, String(body.subAssetID));
      await pub.publishAsync(topic, JSON.stringify(body), { qos: 1 });
    }
    await waitFor(() => got.length === types.length, 'five messages');
    for (const t of types) {
      const msg = got.find((m) => m.jointech.type === t)!;
      assert.deepEqual(msg.payload, decodePush(S.webhook[t]).payload);
    }
    await pub.endAsync();
  });

  it('subscribes only to the chosen types and devices, and can split outputs per type', async () => {
    const conn = await loadWith({ types: ['alarm', 'sublock'], devicesMode: 'list', devices: '8454601010, 8052400203', split: 'per-type', outputs: 5, wires: [['o0'], ['o1'], ['o2'], ['o3'], ['o4']] }, [
      { id: 'o0', type: 'helper', z: 'f1' }, { id: 'o1', type: 'helper', z: 'f1' }, { id: 'o2', type: 'helper', z: 'f1' },
      { id: 'o3', type: 'helper', z: 'f1' }, { id: 'o4', type: 'helper', z: 'f1' },
    ]);
    assert.deepEqual(conn.filters.sort(), [
      `upload/${AK}/8052400203/+/sublock`, `upload/${AK}/8052400203/alarm`, `upload/${AK}/8454601010/+/sublock`, `upload/${AK}/8454601010/alarm`,
    ]);
    const outs = ['o0', 'o1', 'o2', 'o3', 'o4'].map((id) => collect(helper.getNode(id)));
    const pub = await testClient(ctx.broker.url);
    await pub.publishAsync(sample('alarm').topic, sample('alarm').body, { qos: 1 });
    await pub.publishAsync(sample('sublock').topic, sample('sublock').body, { qos: 1 });
    await pub.publishAsync(sample('location').topic, sample('location').body, { qos: 1 });
    await pub.publishAsync(`upload/${AK}/8022300001/alarm`, JSON.stringify(S.webhook.alarm), { qos: 1 });
    await waitFor(() => outs[1]!.length === 1 && outs[4]!.length === 1, 'alarm on output 2 and sub-lock on output 5');
    await sleep(200);
    assert.deepEqual(outs.map((o) => o.length), [0, 1, 0, 0, 1], 'unselected type and device not delivered');
    await pub.endAsync();
  });

  it('changes its device subscriptions from msg.action', async () => {
    await helper.load(nodes, [
      account(ctx.broker.url),
      { id: 'in', type: 'jointech-in', account: 'acc', mode: 'mqtt', devicesMode: 'msg', types: ['alarm'], wires: [['out']] },
      { id: 'out', type: 'helper' },
    ]);
    const acc = helper.getNode('acc') as unknown as { connection: { connected: boolean; filters: string[] } };
    await waitFor(() => acc.connection.connected, 'connection');
    assert.deepEqual(acc.connection.filters, []);
    assert.match(lastStatus(helper.getNode('in'))!.text!, /no devices subscribed/);
    const got = collect(helper.getNode('out'));
    helper.getNode('in').receive({ action: 'subscribe', payload: ['8454601010'] });
    await waitFor(() => got.length === 1, 'subscription report');
    assert.deepEqual(got[0]!.payload, { devices: ['8454601010'], types: ['alarm'], filters: [`upload/${AK}/8454601010/alarm`] });
    await waitFor(() => acc.connection.filters.length === 1, 'broker subscription');
    await sleep(100);
    const pub = await testClient(ctx.broker.url);
    await pub.publishAsync(sample('alarm').topic, sample('alarm').body, { qos: 1 });
    await waitFor(() => got.length === 2, 'alarm after dynamic subscribe');
    helper.getNode('in').receive({ action: 'unsubscribe', payload: true });
    await waitFor(() => got.length === 3, 'unsubscribe report');
    assert.deepEqual(got[2]!.payload.filters, []);
    await pub.endAsync();
  });

  it('reports malformed messages through Catch with the raw payload, and keeps going', async () => {
    await loadWith({}, [
      { id: 'c1', type: 'catch', z: 'f1', scope: null, uncaught: false, wires: [['caught']] },
      { id: 'caught', type: 'helper', z: 'f1' },
    ]);
    const got = collect(helper.getNode('out'));
    const caught = collect(helper.getNode('caught'));
    const pub = await testClient(ctx.broker.url);
    const bad: Array<[string, string, RegExp]> = [
      [`upload/${AK}/8022300001/location`, '{"assetId": "8022300001", ', /not valid JSON/],
      [`upload/${AK}/8022300001/alarm`, JSON.stringify({ ...S.webhook.alarm, assetId: undefined }), /assetId/],
      [`upload/${AK}/8022300001/alarm`, JSON.stringify({ ...S.webhook.alarm, speed: 'fast' }), /speed/],
      [`upload/${AK}/8022300001/whatever`, JSON.stringify(S.webhook.alarm), /not a Jointech upload topic/],
    ];
    for (const [topic, body] of bad) await pub.publishAsync(topic, body, { qos: 1 });
    await pub.publishAsync(sample('alarm').topic, sample('alarm').body, { qos: 1 });
    await waitFor(() => caught.length === bad.length && got.length === 1, 'errors and the good message');
    for (const [i, [topic, body, re]] of bad.entries()) {
      const c = caught.find((m) => m.payload === body && m.topic === topic);
      assert.ok(c, `error ${i} caught with its raw payload`);
      assert.match(c.error.message, re);
    }
    const status = lastStatus(helper.getNode('in'))!;
    assert.equal(status.fill, 'red');
    assert.match(status.text!, /\(4 errors\)/);
    assert.equal(got[0]!.jointech.type, 'alarm', 'the next good message still flows');
    await pub.endAsync();
  });

  it('hashes a plain login password to the MD5 the platform expects', async () => {
    const expected = createHash('md5').update('secret').digest('hex');
    const authBroker = await startTestBroker({ auth: { username: 'jt-user', password: expected } });
    try {
      await helper.load(nodes, [
        { ...account(authBroker.url), passwordMode: 'plain' },
        { id: 'in', type: 'jointech-in', account: 'acc', mode: 'mqtt', wires: [[]] },
      ], { acc: { username: 'jt-user', password: 'secret' } });
      const acc = helper.getNode('acc') as unknown as { connection: { connected: boolean } };
      await waitFor(() => acc.connection.connected, 'login with the hashed password');
    } finally {
      await helper.unload();
      await authBroker.close();
    }
  });
});

describe('jointech-in as a webhook (real HTTP)', function () {
  this.timeout(10000);
  let server: http.Server;
  let base: string;

  before((done) => { helper.startServer(done); });
  after((done) => { helper.stopServer(done); });
  afterEach(async () => {
    await helper.unload();
    await new Promise<void>((r) => server.close(() => r()));
  });

  async function loadWebhook(props: Record<string, unknown>, creds: Record<string, string> = {}) {
    await helper.load(nodes, [
      { id: 'f1', type: 'tab' },
      { id: 'in', type: 'jointech-in', z: 'f1', mode: 'webhook', path: '/jt', wires: [['out']], ...props },
      { id: 'out', type: 'helper', z: 'f1' },
      { id: 'c1', type: 'catch', z: 'f1', scope: null, uncaught: false, wires: [['caught']] },
      { id: 'caught', type: 'helper', z: 'f1' },
    ], { in: creds });
    server = http.createServer((req, res) => captured.app!(req, res));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  async function post(path: string, body: string, headers: Record<string, string> = {}) {
    const res = await fetch(base + path, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });
    return { status: res.status, body: await res.json().catch(() => null) as Record<string, unknown> | null };
  }

  it('answers 200 {"Result":200} for every data type and emits the decoded data', async () => {
    await loadWebhook({});
    const got = collect(helper.getNode('out'));
    for (const t of ['location', 'alarm', 'event', 'cmd', 'sublock'] as const) {
      const res = await post('/jt', JSON.stringify(S.webhook[t]));
      assert.equal(res.status, 200, t);
      assert.deepEqual(res.body, { Result: 200 });
    }
    for (const key of Object.keys(S.mqtt)) {
      const res = await post('/jt', JSON.stringify(S.mqtt[key]!.payload));
      assert.equal(res.status, 200, key);
    }
    assert.equal(got.length, 5 + Object.keys(S.mqtt).length);
    for (const t of ['location', 'alarm', 'event', 'cmd', 'sublock'] as const) {
      const msg = got.find((m) => m.jointech.raw === JSON.stringify(S.webhook[t]))!;
      assert.equal(msg.jointech.type, t);
      assert.equal(msg.jointech.via, 'webhook');
      assert.deepEqual(msg.payload, decodePush(S.webhook[t]).payload);
    }
    const event = got.find((m) => m.jointech.type === 'event')!;
    assert.deepEqual(event.payload.unLockType, { code: 1, en: 'Card', zh: '刷卡开锁' });
  });

  it('answers 429 beyond the rate limit, and takes requests again a second later', async () => {
    await loadWebhook({ rateLimit: 5 });
    const got = collect(helper.getNode('out'));
    const body = JSON.stringify(S.webhook.location);
    const burst = await Promise.all(Array.from({ length: 20 }, () => post('/jt', body)));
    const ok = burst.filter((r) => r.status === 200).length;
    const limited = burst.filter((r) => r.status === 429);
    assert.ok(ok >= 5 && ok <= 6, `${ok} accepted`);
    assert.equal(ok + limited.length, 20);
    assert.match(String(limited[0]!.body!.error), /5 requests a second/);
    await sleep(1100);
    assert.equal((await post('/jt', body)).status, 200);
    await waitFor(() => got.length === ok + 1, 'only accepted requests emitted');
  });

  it('serves one path per type when asked, using the path as the type', async () => {
    await loadWebhook({ pathPerType: true });
    const got = collect(helper.getNode('out'));
    assert.equal((await post('/jt/alarm', JSON.stringify(S.webhook.alarm))).status, 200);
    const mismatch = await post('/jt/location', JSON.stringify(S.webhook.alarm));
    assert.equal(mismatch.status, 400);
    assert.match(String(mismatch.body!.error), /looks like alarm data but arrived as location/);
    assert.equal(got.length, 1);
    assert.equal(got[0]!.jointech.type, 'alarm');
  });

  it('answers 401 and emits nothing without the right header', async () => {
    await loadWebhook({ headerName: 'X-Token' }, { headerValue: 's3cret' });
    const got = collect(helper.getNode('out'));
    assert.equal((await post('/jt', JSON.stringify(S.webhook.alarm))).status, 401);
    assert.equal((await post('/jt', JSON.stringify(S.webhook.alarm), { 'X-Token': 'wrong' })).status, 401);
    assert.equal(got.length, 0);
    assert.equal((await post('/jt', JSON.stringify(S.webhook.alarm), { 'X-Token': 's3cret' })).status, 200);
    assert.equal(got.length, 1);
  });

  it('answers 400 with a reason for bad JSON and unknown payloads, reporting them to Catch', async () => {
    await loadWebhook({});
    const got = collect(helper.getNode('out'));
    const caught = collect(helper.getNode('caught'));
    const bad = await post('/jt', '{"assetId":');
    assert.equal(bad.status, 400);
    assert.match(String(bad.body!.error), /not valid JSON/);
    const unknown = await post('/jt', JSON.stringify({ assetId: '8022300001', hello: 1 }));
    assert.equal(unknown.status, 400);
    assert.match(String(unknown.body!.error), /fits no Jointech data type/);
    assert.equal(got.length, 0);
    await waitFor(() => caught.length === 2, 'two caught errors');
    assert.equal(caught[0]!.payload, '{"assetId":');
    assert.equal((await post('/jt', JSON.stringify(S.webhook.alarm))).status, 200, 'next request still accepted');
  });

  it('answers 413 above the size limit and 415 for non-JSON content', async () => {
    await loadWebhook({ maxBytes: 1024 });
    const got = collect(helper.getNode('out'));
    const big = JSON.stringify({ ...S.webhook.alarm, describe: 'x'.repeat(2000) });
    assert.equal((await post('/jt', big)).status, 413);
    assert.equal((await post('/jt', JSON.stringify(S.webhook.alarm), { 'content-type': 'application/x-www-form-urlencoded' })).status, 415);
    assert.equal(got.length, 0);
  });

  it('removes its route when the flow stops', async () => {
    await loadWebhook({});
    assert.equal((await post('/jt', JSON.stringify(S.webhook.alarm))).status, 200);
    await helper.unload();
    assert.equal((await post('/jt', JSON.stringify(S.webhook.alarm))).status, 404);
  });
});
