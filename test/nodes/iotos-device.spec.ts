/**
 * iotos-device in a real Node-RED runtime against a real broker, with a simulated IOTOS platform:
 * a test client that answers uplinks per data point and sends downlink control messages.
 */
import assert from 'node:assert/strict';
import type * as mqtt from 'mqtt';
import { brokerLabel, freePort, startAedes } from '../../tools/broker';
import { withRedAndBroker } from '../support/suite';
import { builtNode, collect, helper, sleep, testClient, waitFor } from '../support/red';

const nodes = [builtNode('iotos-connection'), builtNode('iotos-device')];
const GW = 100 + Math.floor(Math.random() * 800);
const DEV = 401;
const UP = `$IOTOS/device/platform/update/${GW}/${DEV}`;
const DOWN = `$IOTOS/device/endpoint/update/${GW}/${DEV}`;
const POINTS = [{ name: 'temperature', id: 1963, oid: '7be6' }, { name: 'switch', id: 1964, oid: '179f' }];

type Answer = { code: number; desc?: string; typo?: boolean } | 'silent' | { delayMs: number };

/** The platform side: answers each uplink data point, publishes downlinks, collects replies. */
async function simulatedPlatform(url: string, answer: (point: { id: number; value: unknown }) => Answer = () => ({ code: 0 })) {
  const client: mqtt.MqttClient = await testClient(url);
  const uplinks: Array<Record<string, any>> = [];
  const replies: Array<{ topic: string; body: Record<string, any> }> = [];
  client.on('message', (topic, body) => {
    if (topic.endsWith('/result')) {
      replies.push({ topic, body: JSON.parse(body.toString()) });
      return;
    }
    const up = JSON.parse(body.toString());
    uplinks.push(up);
    for (const point of Object.values(up.data) as Array<Record<string, any>>) {
      const a = answer({ id: point.id, value: point.value });
      if (a === 'silent') continue;
      const send = (code: number, desc = 'OK', typo = false) => client.publish(`${UP}/${point.id}/result`, JSON.stringify({
        ...point, requestId: up.requestId, requestTime: up.requestTime, responseId: 'r' + Math.random().toString(16).slice(2),
        responseTime: Date.now(), [typo ? 'responseCode,' : 'responseCode']: code, responseDesc: desc,
      }), { qos: 1 });
      if ('delayMs' in a) setTimeout(() => send(0), a.delayMs);
      else send(a.code, a.desc, a.typo);
    }
  });
  await client.subscribeAsync([UP, `${DOWN}/+/result`], { qos: 1 });
  return {
    uplinks,
    replies,
    downlink: (dataId: number, body: string | Record<string, unknown>) =>
      client.publishAsync(`${DOWN}/${dataId}`, typeof body === 'string' ? body : JSON.stringify(body), { qos: 1 }),
    end: () => client.endAsync(),
  };
}

describe(`iotos-device against ${brokerLabel()}`, function () {
  this.timeout(20000);
  const ctx = withRedAndBroker();

  async function load(props: Record<string, unknown> = {}, extra: Array<Record<string, unknown> & { id: string; type: string }> = []) {
    await helper.load(nodes, [
      { id: 'f1', type: 'tab' },
      { id: 'conn', type: 'iotos-connection', gatewayId: String(GW), deviceId: String(DEV), connection: { url: ctx.broker.url, reconnectMinMs: 100, reconnectMaxMs: 1000 } },
      { id: 'dev', type: 'iotos-device', z: 'f1', connection: 'conn', points: POINTS, point: '179f', timeout: 5, wires: [['up'], ['down'], ['err']], ...props },
      { id: 'up', type: 'helper', z: 'f1' },
      { id: 'down', type: 'helper', z: 'f1' },
      { id: 'err', type: 'helper', z: 'f1' },
      ...extra,
    ], { conn: { username: 'account', password: 'secret' } });
    const conn = helper.getNode('conn') as unknown as { connection: { connected: boolean; filters: string[]; clientId?: string } };
    await waitFor(() => conn.connection.connected && conn.connection.filters.length === 2, 'subscriptions');
    await sleep(100);
    return { node: helper.getNode('dev'), up: collect(helper.getNode('up')), down: collect(helper.getNode('down')), err: collect(helper.getNode('err')) };
  }

  it('connects with the client id the platform fixes', async () => {
    await load();
    const conn = helper.getNode('conn') as unknown as { connection: { connected: boolean } };
    // A second client with the same id takes the session over: only our node's id is pushed off.
    const other = await testClient(ctx.broker.url, { clientId: `device_${GW}_${DEV}_other` });
    await sleep(300);
    assert.equal(conn.connection.connected, true, 'a different id leaves the node connected');
    const twin = await testClient(ctx.broker.url, { clientId: `device_${GW}_${DEV}` });
    await waitFor(() => !conn.connection.connected, 'the node pushed off by a client with its id', 3000);
    await twin.endAsync(true);
    await other.endAsync();
    await waitFor(() => conn.connection.connected, 'reconnected');
  });

  it('confirms an uplink once every data point has its result', async () => {
    const platform = await simulatedPlatform(ctx.broker.url);
    const { node, up, err } = await load();
    node.receive({ payload: { '7be6': 21.5, switch: true }, tag: 'a' });
    await waitFor(() => up.length === 1, 'confirmation');
    const sent = platform.uplinks[0]!;
    assert.match(sent.requestId, /^[0-9a-f]{32}$/);
    assert.equal(typeof sent.requestTime, 'number');
    assert.deepEqual(Object.keys(sent.data).sort(), ['179f', '7be6']);
    assert.equal(sent.data['7be6'].id, 1963);
    assert.ok(Math.abs(sent.data['7be6'].ts - Date.now() / 1000) < 10, 'uplink ts in seconds');
    const msg = up[0]!;
    assert.equal(msg.tag, 'a');
    assert.equal(msg.payload.requestId, sent.requestId);
    assert.deepEqual(msg.payload.results.map((r: any) => r.id).sort(), [1963, 1964]);
    assert.ok(msg.payload.results.every((r: any) => r.responseCode === 0 && r.meaning.en === 'OK'));
    assert.ok(msg.roundTripMs >= 0 && msg.roundTripMs < 5000);
    assert.equal(msg.iotosRequest.requestId, sent.requestId);
    assert.equal(err.length, 0);
    // A single value goes to the point chosen in the dialog.
    node.receive({ payload: 'on' });
    await waitFor(() => up.length === 2, 'single-value confirmation');
    assert.deepEqual(Object.keys(platform.uplinks[1]!.data), ['179f']);
    assert.equal(platform.uplinks[1]!.data['179f'].value, 'on');
    await platform.end();
  });

  it('sends a rejected uplink to the error output with the code meaning (typo key too)', async () => {
    const platform = await simulatedPlatform(ctx.broker.url, (p) => (p.id === 1964 ? { code: 110, desc: 'data not exist', typo: true } : { code: 0 }));
    const { node, up, err } = await load();
    node.receive({ payload: { '7be6': 1, '179f': 0 } });
    await waitFor(() => err.length === 1, 'rejection');
    assert.equal(err[0]!.error.code, 'rejected');
    assert.equal(err[0]!.error.responseCode, 110);
    assert.deepEqual(err[0]!.error.meaning, { code: 110, en: 'Data point does not exist', zh: '数据点不存在' });
    assert.match(err[0]!.error.message, /responseCode 110 \(Data point does not exist\): data not exist/);
    assert.equal(up.length, 0);
    await platform.end();
  });

  it('times out an uplink without results and reports a late result as a warning', async () => {
    const platform = await simulatedPlatform(ctx.broker.url, () => ({ delayMs: 600 }));
    const { node, up, err } = await load();
    node.receive({ payload: 7, timeout: 0.3 });
    await waitFor(() => err.length === 1, 'timeout');
    assert.equal(err[0]!.error.code, 'timeout');
    assert.deepEqual(err[0]!.error.missing, [1964]);
    const warn = node.warn as unknown as { getCalls(): Array<{ args: unknown[] }> };
    await waitFor(() => warn.getCalls().some((c) => /late result for uplink/.test(String(c.args[0]))), 'late warning');
    assert.equal(up.length, 0);
    await platform.end();
  });

  it('matches many uplinks in flight by requestId', async () => {
    const platform = await simulatedPlatform(ctx.broker.url, () => ({ delayMs: Math.floor(Math.random() * 200) }));
    const { node, up, err } = await load();
    for (let i = 0; i < 30; i++) node.receive({ payload: { '7be6': i }, n: i });
    await waitFor(() => up.length === 30, '30 confirmations');
    assert.equal(err.length, 0);
    for (const m of up) {
      assert.equal(m.payload.results[0].value, m.n, 'each result with its own uplink');
      assert.equal(m.payload.requestId, m.iotosRequest.requestId);
    }
    assert.equal(new Set(up.map((m) => m.payload.requestId)).size, 30);
    await platform.end();
  });

  it('emits downlinks and answers them automatically', async () => {
    const platform = await simulatedPlatform(ctx.broker.url);
    const { down } = await load();
    // The document's own sample, trailing comma included.
    await platform.downlink(1963, '{ "name": "数据点名称", "id": 1963, "oid": "7be6", "ts": 1642502674510.0, "value": "QWRYGSGSFDGFDS", "requestId": "966cb44c30464305bbea98694664b103", "requestTime":1627737953514.123, }');
    await waitFor(() => down.length === 1 && platform.replies.length === 1, 'downlink and reply');
    const msg = down[0]!;
    assert.equal(msg.payload, 'QWRYGSGSFDGFDS');
    assert.equal(msg.topic, 'iotos/downlink/temperature');
    assert.equal(msg.iotos.dataId, 1963);
    assert.equal(msg.iotos.tsMs, 1642502674510);
    assert.equal(msg.iotos.tsSeconds, 1642502674.51);
    assert.equal(msg.iotos.requestId, '966cb44c30464305bbea98694664b103');
    const reply = platform.replies[0]!;
    assert.equal(reply.topic, `${DOWN}/1963/result`);
    assert.equal(reply.body.responseCode, 0);
    assert.equal(reply.body.requestId, '966cb44c30464305bbea98694664b103');
    assert.ok(typeof reply.body.responseId === 'string' && reply.body.responseId.length <= 32);
    assert.ok(Math.abs(reply.body.responseTime - Date.now()) < 10000);
    await platform.end();
  });

  it('reports each result it could not send (queue full under a flood) to Catch with the downlink it answers', async () => {
    const platform = await simulatedPlatform(ctx.broker.url);
    await helper.load(nodes, [
      { id: 'f1', type: 'tab' },
      { id: 'conn', type: 'iotos-connection', gatewayId: String(GW), deviceId: String(DEV), connection: { url: ctx.broker.url, queueLimit: 2 } },
      { id: 'dev', type: 'iotos-device', z: 'f1', connection: 'conn', points: POINTS, wires: [[], ['down'], []] },
      { id: 'down', type: 'helper', z: 'f1' },
      { id: 'catcher', type: 'catch', z: 'f1', scope: ['dev'], uncaught: false, wires: [['caught']] },
      { id: 'caught', type: 'helper', z: 'f1' },
    ], { conn: { username: 'account', password: 'secret' } });
    const conn = helper.getNode('conn') as unknown as { connection: { connected: boolean; filters: string[] } };
    await waitFor(() => conn.connection.connected && conn.connection.filters.length === 2, 'subscriptions');
    const down = collect(helper.getNode('down'));
    const caught = collect(helper.getNode('caught'));
    const bodies = Array.from({ length: 40 }, (_, i) => ({ name: 'temperature', id: 1963, oid: '7be6', value: i, requestId: `flood${String(i).padStart(27, '0')}`, requestTime: Date.now() }));
    await Promise.all(bodies.map((b) => platform.downlink(1963, b)));
    await waitFor(() => down.length === 40 && platform.replies.length + caught.length === 40, 'every downlink answered or reported', 5000);
    assert.ok(caught.length > 0, 'a queue limit of 2 refuses some results of a burst of 40');
    const answered = new Set(platform.replies.map((r) => r.body.requestId));
    for (const c of caught) {
      const sent = JSON.parse(c.payload);
      assert.match(c.error.message, new RegExp(`result for downlink ${sent.requestId} not sent`));
      assert.equal(c.topic, `${DOWN}/1963`);
      assert.ok(!answered.has(sent.requestId), 'reported only when its result was not sent');
    }
    await platform.end();
  });

  it('lets the flow answer a downlink with a code or a value', async () => {
    const platform = await simulatedPlatform(ctx.broker.url);
    const { node, down } = await load({ replyMode: 'flow', replyTimeout: 5 });
    await platform.downlink(1964, { id: 1964, oid: '179f', name: 'switch', ts: Date.now(), value: 1, requestId: 'req-code', requestTime: Date.now() });
    await platform.downlink(1963, { id: 1963, oid: '7be6', name: 'temperature', ts: Date.now(), value: 30, requestId: 'req-value', requestTime: Date.now() });
    await waitFor(() => down.length === 2, 'two downlinks');
    await sleep(200);
    assert.equal(platform.replies.length, 0, 'no automatic reply');
    const byId = (id: string) => down.find((m) => m.iotos.requestId === id)!;
    node.receive({ ...byId('req-code'), payload: { code: 3, desc: 'relay offline' } });
    node.receive({ ...byId('req-value'), payload: 29.5 });
    await waitFor(() => platform.replies.length === 2, 'two replies');
    const code = platform.replies.find((r) => r.body.requestId === 'req-code')!;
    assert.equal(code.body.responseCode, 3);
    assert.equal(code.body.responseDesc, 'relay offline');
    const value = platform.replies.find((r) => r.body.requestId === 'req-value')!;
    assert.equal(value.body.responseCode, 0);
    assert.equal(value.body.value, 29.5);
    // A second answer to the same downlink is an error, not a second reply.
    const errors = node.error as unknown as { getCalls(): Array<{ args: unknown[] }> };
    node.receive({ ...byId('req-code'), payload: { code: 0 } });
    await waitFor(() => errors.getCalls().some((c) => /already answered or timed out/.test(String(c.args[0]))), 'duplicate answer error');
    assert.equal(platform.replies.length, 2);
    await platform.end();
  });

  it('replies with a timeout when the flow does not answer in time', async () => {
    const platform = await simulatedPlatform(ctx.broker.url);
    const { node, down } = await load({ replyMode: 'flow', replyTimeout: 0.3 });
    await platform.downlink(1963, { id: 1963, oid: '7be6', value: 1, requestId: 'req-late', requestTime: Date.now(), ts: Date.now() });
    await waitFor(() => platform.replies.length === 1, 'timeout reply');
    assert.equal(down.length, 1);
    assert.equal(platform.replies[0]!.body.responseCode, 101);
    assert.match(platform.replies[0]!.body.responseDesc, /no answer within 0\.3 s/);
    const warn = node.warn as unknown as { getCalls(): Array<{ args: unknown[] }> };
    assert.ok(warn.getCalls().some((c) => /not answered by the flow/.test(String(c.args[0]))));
    await platform.end();
  });

  it('reports malformed platform messages and keeps working', async () => {
    const platform = await simulatedPlatform(ctx.broker.url);
    const { node, up, down } = await load();
    const errors = node.error as unknown as { getCalls(): Array<{ args: [unknown, Record<string, any>?] }> };
    await platform.downlink(1963, '{"value": ');
    await platform.downlink(1963, '{"value": 1}');
    await platform.downlink(1963, '[1,2]');
    await waitFor(() => errors.getCalls().length === 3, 'three errors');
    assert.equal(errors.getCalls()[0]!.args[1]!.payload, '{"value": ');
    assert.match(String(errors.getCalls()[1]!.args[0]), /requestId/);
    node.receive({ payload: { nope: 1 } });
    await waitFor(() => errors.getCalls().length === 4, 'bad uplink rejected');
    assert.match(String(errors.getCalls()[3]!.args[0]), /"nope" is not a data point/);
    assert.equal(platform.uplinks.length, 0, 'nothing published for a bad uplink');
    await platform.downlink(1963, { id: 1963, value: 2, requestId: 'ok-after', ts: Date.now() });
    node.receive({ payload: { '7be6': 3 } });
    await waitFor(() => down.length === 1 && up.length === 1, 'next messages still work');
    await platform.end();
  });

  // IOTOS document (001 seed), "MQTT设备数据下发格式": each downlink goes to one data point's topic
  // and its /result names that point; one requestId may be sent to several points.
  it('answers each data point of a downlink requestId that carries several points', async () => {
    const platform = await simulatedPlatform(ctx.broker.url);
    const { node, down } = await load({ replyMode: 'flow', replyTimeout: 5 });
    await platform.downlink(1963, { id: 1963, oid: '7be6', name: 'temperature', ts: Date.now(), value: 30, requestId: 'req-multi', requestTime: Date.now() });
    await platform.downlink(1964, { id: 1964, oid: '179f', name: 'switch', ts: Date.now(), value: 1, requestId: 'req-multi', requestTime: Date.now() });
    await waitFor(() => down.length === 2, 'two downlinks');
    const byPoint = (id: number) => down.find((m) => m.iotos.dataId === id)!;
    node.receive({ ...byPoint(1963), payload: { code: 0 } });
    node.receive({ ...byPoint(1964), payload: { code: 110 } });
    await waitFor(() => platform.replies.length === 2, 'a result for each point');
    const result = (id: number) => platform.replies.find((r) => r.topic === `${DOWN}/${id}/result`)?.body;
    assert.equal(result(1963)?.responseCode, 0);
    assert.equal(result(1963)?.id, 1963);
    assert.equal(result(1964)?.responseCode, 110);
    assert.equal(result(1964)?.id, 1964);
    const errors = node.error as unknown as { getCalls(): unknown[] };
    assert.equal(errors.getCalls().length, 0, 'neither answer refused');
    await platform.end();
  });

  it('answers 101 and reports a downlink whose time is out of range or whose value JSON cannot hold', async () => {
    const platform = await simulatedPlatform(ctx.broker.url);
    const { node, down } = await load();
    const errors = node.error as unknown as { getCalls(): Array<{ args: [unknown, Record<string, any>?] }> };
    await platform.downlink(1963, { id: 1963, oid: '7be6', ts: 1e300, value: 1, requestId: 'req-time', requestTime: Date.now() });
    const depth = 50_000;
    const deep = `{"id": 1964, "oid": "179f", "value": ${'['.repeat(depth)}${']'.repeat(depth)}, "requestId": "req-deep"}`;
    await platform.downlink(1964, deep);
    await waitFor(() => platform.replies.length === 2 && errors.getCalls().length === 2, 'a result and an error for each');
    const time = platform.replies.find((r) => r.body.requestId === 'req-time')!;
    assert.equal(time.topic, `${DOWN}/1963/result`);
    assert.equal(time.body.responseCode, 101);
    const value = platform.replies.find((r) => r.body.requestId === 'req-deep')!;
    assert.equal(value.topic, `${DOWN}/1964/result`);
    assert.equal(value.body.responseCode, 101);
    const [timeErr, valueErr] = errors.getCalls().map((c) => c.args);
    assert.match(String(timeErr![0]), /outside 1970-01-01 to 9999-12-31/);
    assert.match(String(valueErr![0]), /nested deeper than 100 levels/);
    assert.equal(valueErr![1]!.payload, deep, 'the raw downlink goes with the error');
    assert.ok(String(valueErr![0]).length < 300, 'the error text does not repeat the value');
    assert.equal(down.length, 0, 'neither reaches the flow as a good downlink');
    // The next downlink is handled as usual.
    await platform.downlink(1963, { id: 1963, value: 2, requestId: 'req-next', ts: Date.now() });
    await waitFor(() => down.length === 1 && platform.replies.length === 3, 'next downlink');
    await platform.end();
  });

  it('answers 101 to a downlink with a readable requestId but a field of the wrong type', async () => {
    const platform = await simulatedPlatform(ctx.broker.url);
    const { node, down } = await load();
    const errors = node.error as unknown as { getCalls(): Array<{ args: [unknown, Record<string, any>?] }> };
    await platform.downlink(1963, { id: 1963, oid: '7be6', ts: 'yesterday', value: 1, requestId: 'req-ts-text', requestTime: 1 });
    await waitFor(() => platform.replies.length === 1 && errors.getCalls().length === 1, 'a result and an error');
    const result = platform.replies[0]!;
    assert.equal(result.topic, `${DOWN}/1963/result`);
    assert.equal(result.body.requestId, 'req-ts-text');
    assert.equal(result.body.responseCode, 101);
    assert.equal(down.length, 0);
    await platform.end();
  });

  it('refuses a gateway id that is empty or hex instead of reading it as another id', async () => {
    for (const gatewayId of ['', '0x1A', ' ', '1e3']) {
      await helper.load(nodes, [
        { id: 'f1', type: 'tab' },
        { id: 'conn', type: 'iotos-connection', gatewayId, deviceId: '401', connection: { url: ctx.broker.url } },
        { id: 'dev', type: 'iotos-device', z: 'f1', connection: 'conn', points: POINTS, wires: [[], [], []] },
      ], { conn: { username: 'account', password: 'secret' } });
      const conn = helper.getNode('conn') as unknown as { problem?: string; connection?: unknown };
      assert.equal(conn.connection, undefined, `gateway id ${JSON.stringify(gatewayId)} opened a connection`);
      assert.match(conn.problem ?? '', /gatewayId: must be a whole number written in decimal digits/, JSON.stringify(gatewayId));
      await helper.unload();
    }
  });

  it('quotes at most 200 characters of a huge bad key in the error text', async () => {
    const { node } = await load();
    const key = 'k'.repeat(100_000);
    node.receive({ payload: { [key]: 1 } });
    const errors = node.error as unknown as { getCalls(): Array<{ args: [unknown, Record<string, any>?] }> };
    await waitFor(() => errors.getCalls().length === 1, 'error');
    const text = String(errors.getCalls()[0]!.args[0]);
    assert.ok(text.length < 400, `error text is ${text.length} characters`);
    assert.match(text, /100000 characters/);
    assert.ok(key in errors.getCalls()[0]!.args[1]!.payload, 'the input stays on the msg');
  });

  it('withdraws an uplink that timed out while the broker was away, and reports uplinks waiting at a stop as closed', async () => {
    const port = await freePort();
    const url = `mqtt://127.0.0.1:${port}`;
    await helper.load(nodes, [
      { id: 'f1', type: 'tab' },
      { id: 'conn', type: 'iotos-connection', gatewayId: String(GW), deviceId: String(DEV), connection: { url, reconnectMinMs: 100, reconnectMaxMs: 300 } },
      { id: 'dev', type: 'iotos-device', z: 'f1', connection: 'conn', points: POINTS, timeout: 0.5, wires: [['up'], ['down'], ['err']] },
      { id: 'up', type: 'helper', z: 'f1' },
      { id: 'down', type: 'helper', z: 'f1' },
      { id: 'err', type: 'helper', z: 'f1' },
    ], { conn: { username: 'account', password: 'secret' } });
    const node = helper.getNode('dev');
    // Output 3 as the node sends it, also while the node is being stopped.
    const failed: Array<Record<string, any>> = [];
    const send = node.send.bind(node);
    node.send = ((out: Array<Record<string, any> | null>) => {
      if (Array.isArray(out) && out[2]) failed.push(out[2]);
      send(out as never);
    }) as typeof node.send;
    node.receive({ payload: { '7be6': 1 } });
    await waitFor(() => failed.length === 1, 'the timeout', 3000);
    assert.equal(failed[0]!.error.code, 'timeout');
    assert.equal(failed[0]!.error.sent, false);
    const broker = await startAedes({}, port);
    try {
      const platform = await simulatedPlatform(url, () => 'silent');
      const conn = helper.getNode('conn') as unknown as { connection: { connected: boolean } };
      await waitFor(() => conn.connection.connected, 'reconnected', 5000);
      node.receive({ payload: { '7be6': 2 }, timeout: 30 });
      await waitFor(() => platform.uplinks.length >= 1, 'the fresh uplink');
      await sleep(300);
      assert.deepEqual(platform.uplinks.map((u) => u.data['7be6'].value), [2], 'the timed-out uplink was never sent');
      await helper.unload();
      assert.equal(failed.length, 2);
      assert.equal(failed[1]!.error.code, 'closed');
      assert.equal(failed[1]!.error.sent, true);
      await platform.end();
    } finally {
      await broker.close();
    }
  });
});
