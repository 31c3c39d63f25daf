/**
 * The IOTOS MQTT document (seed 001) and research notes (protocols.md B) as a test table: every
 * topic, payload and reply they print is one row, fed through iotos-device in a real Node-RED
 * runtime over a real broker, with the exact fields or bytes the document shows. Gateway 171 and
 * device 401 are the document's own example ids. Each row runs under two host time zones.
 */
import assert from 'node:assert/strict';
import type * as mqtt from 'mqtt';
import { RESPONSE_CODES } from '../../src/protocols/iotos/enums';
import { parseLenientJson } from '../../src/protocols/lenient-json';
import { brokerLabel } from '../../tools/broker';
import { withRedAndBroker } from '../support/suite';
import { builtNode, collect, helper, sleep, testClient, waitFor } from '../support/red';
import { inTimeZones } from '../support/time-zones';

const nodes = [builtNode('iotos-connection'), builtNode('iotos-device')];
const UP = '$IOTOS/device/platform/update/171/401';
const DOWN = '$IOTOS/device/endpoint/update/171/401';

/** Seed 001, "MQTT设备数据上报格式": the uplink sample, as printed. */
const DOC_UPLINK = `{
"requestId": "966cb44c30464305bbea98694664b103",
"requestTime":1627737953514.123,
"data": {
"179f": {
"name": "数据点名称",
"id": 1963,
"oid": "7be6",
"ts": 1627737953.514,
"value": 1627737953.514
}
}
}`;
/** Seed 001, "MQTT设备数据上报,平台将处理结果返回格式". */
const DOC_UPLINK_RESULT = `{
"id": 1963,
"oid": "7be6",
"name": "数据点名称",
"ts": 1627737953.514,
"value": 1627737953.514,
"requestId": "966cb44c30464305bbea98694664b103",
"requestTime": 1627737953514.123,
"responseId": "966cb44c30464305bbea98694664b103",
"responseTime": 1627737953514.123,
"responseCode": 0,
"responseDesc": "OK"
}`;
/** Seed 001, "MQTT设备数据下发格式": printed with a trailing comma. */
const DOC_DOWNLINK = '{ "name": "数据点名称", "id": 1963, "oid": "7be6", "ts": 1642502674510.0, "value": "QWRYGSGSFDGFDS", "requestId": "966cb44c30464305bbea98694664b103", "requestTime":1627737953514.123, }';
/** Seed 001, "MQTT设备数据下发,设备端处理结果返回格式": the device's reply, with the document's "responseCode," slip. */
const DOC_DOWNLINK_REPLY = `{
"id": 1963,
"oid": "7be6",
"name": "数据点名称",
"value": "QWRYGSGSFDGFDS",
"ts": 1642502674510.0,
"requestId": "966cb44c30464305bbea98694664b103",
"requestTime": 1627737953514.123,
"responseId": "966cb44c30464305bbea98694664b103",
"responseTime": 1627737953514.123,
"responseCode,": 0,
"responseDesc": "OK"
}`;
const doc = (text: string) => parseLenientJson(text).value as Record<string, any>;

/** protocols.md B: the IOTOS SDK's ErrorEnum, the codes a result may carry besides 0. */
const ERROR_ENUM: Array<[number, string]> = [
  [2, 'This end is offline'], [3, 'Target is offline'], [6, 'No web service'], [101, 'Unknown error'],
  [108, 'Gateway does not exist'], [109, 'Device does not exist'], [110, 'Data point does not exist'], [112, 'Request not authorised'],
];

describe(`IOTOS document table through iotos-device against ${brokerLabel()}`, function () {
  this.timeout(20000);
  const ctx = withRedAndBroker();
  let platform: mqtt.MqttClient;
  let heard: Array<{ topic: string; body: string }>;
  afterEach(async () => {
    await platform?.endAsync(true);
  });

  async function load(props: Record<string, unknown> = {}) {
    platform = await testClient(ctx.broker.url);
    heard = [];
    platform.on('message', (topic, body) => heard.push({ topic, body: body.toString() }));
    await platform.subscribeAsync([UP, `${DOWN}/+/result`], { qos: 1 });
    await helper.load(nodes, [
      { id: 'f1', type: 'tab' },
      { id: 'conn', type: 'iotos-connection', gatewayId: '171', deviceId: '401', connection: { url: ctx.broker.url, reconnectMinMs: 100, reconnectMaxMs: 1000 } },
      { id: 'dev', type: 'iotos-device', z: 'f1', connection: 'conn', points: [{ name: '数据点名称', id: 1963, oid: '7be6' }], timeout: 5, wires: [['up'], ['down'], ['err']], ...props },
      { id: 'up', type: 'helper', z: 'f1' },
      { id: 'down', type: 'helper', z: 'f1' },
      { id: 'err', type: 'helper', z: 'f1' },
    ], { conn: { username: 'account', password: 'secret' } });
    const conn = helper.getNode('conn') as unknown as { connection: { connected: boolean; filters: string[]; clientId: string } };
    await waitFor(() => conn.connection.connected && conn.connection.filters.length === 2, 'subscriptions');
    await sleep(100);
    return { conn, node: helper.getNode('dev'), up: collect(helper.getNode('up')), down: collect(helper.getNode('down')), err: collect(helper.getNode('err')) };
  }

  const errorCalls = (node: unknown) => (node as { error: { getCalls(): Array<{ args: [Error, Record<string, unknown>] }> } }).error.getCalls();

  it('names exactly the response codes the notes list (0 and the SDK ErrorEnum)', () => {
    assert.deepEqual(Object.keys(RESPONSE_CODES).map(Number).sort((a, b) => a - b), [0, ...ERROR_ENUM.map(([c]) => c)]);
  });

  inTimeZones((tz) => {
    it(`seed 001 接入要求: connects as device_171_401 and subscribes to the result and downlink topics (TZ=${tz})`, async () => {
      const { conn } = await load();
      assert.equal(conn.connection.clientId, 'device_171_401');
      assert.deepEqual([...conn.connection.filters].sort(), [`${DOWN}/+`, `${UP}/+/result`]);
    });

    it(`seed 001 上报格式: the document's uplink envelope goes out as the document prints it (TZ=${tz})`, async () => {
      const { node } = await load();
      node.receive({ payload: doc(DOC_UPLINK) });
      await waitFor(() => heard.find((h) => h.topic === UP), 'the uplink');
      assert.equal(heard.find((h) => h.topic === UP)!.body, JSON.stringify(doc(DOC_UPLINK)));
    });

    it(`seed 001 上报格式: the document's data map goes out keyed "179f" with oid "7be6", as printed (TZ=${tz})`, async () => {
      const { node } = await load();
      node.receive({ payload: doc(DOC_UPLINK).data });
      await waitFor(() => heard.find((h) => h.topic === UP), 'the uplink');
      const sent = JSON.parse(heard.find((h) => h.topic === UP)!.body);
      assert.deepEqual(sent.data, doc(DOC_UPLINK).data);
      assert.match(sent.requestId, /^[0-9a-f]{32}$/);
    });

    it(`seed 001 结果返回格式: the document's result answers the document's uplink on output 1 (TZ=${tz})`, async () => {
      const { node, up } = await load();
      node.receive({ payload: doc(DOC_UPLINK) });
      await waitFor(() => heard.find((h) => h.topic === UP), 'the uplink');
      await platform.publishAsync(`${UP}/1963/result`, DOC_UPLINK_RESULT, { qos: 1 });
      await waitFor(() => up.length === 1, 'the result');
      assert.equal(up[0]!.payload.requestId, '966cb44c30464305bbea98694664b103');
      assert.deepEqual(up[0]!.payload.results, [{ ...doc(DOC_UPLINK_RESULT), meaning: { code: 0, en: 'OK', zh: '成功' } }]);
    });

    it(`seed 001 下发格式 and 设备端处理结果返回格式: the document's downlink is emitted and answered as the document's reply (TZ=${tz})`, async () => {
      const { down } = await load();
      await platform.publishAsync(`${DOWN}/1963`, DOC_DOWNLINK, { qos: 1 });
      await waitFor(() => down.length === 1 && heard.find((h) => h.topic === `${DOWN}/1963/result`), 'the downlink and its reply');
      const m = down[0]!;
      assert.equal(m.payload, 'QWRYGSGSFDGFDS');
      assert.equal(m.topic, 'iotos/downlink/数据点名称');
      const { extra, flags, ...iotos } = m.iotos;
      assert.deepEqual(iotos, {
        kind: 'downlink', gatewayId: 171, deviceId: 401, dataId: 1963, name: '数据点名称', id: 1963, oid: '7be6', ts: 1642502674510,
        value: 'QWRYGSGSFDGFDS', requestId: '966cb44c30464305bbea98694664b103', requestTime: 1627737953514.123,
        tsMs: 1642502674510, tsSeconds: 1642502674.51, time: '2022-01-18T10:44:34.510Z', mqttTopic: `${DOWN}/1963`,
      });
      assert.equal(extra, undefined);
      assert.equal(flags, undefined);
      const reply = JSON.parse(heard.find((h) => h.topic === `${DOWN}/1963/result`)!.body);
      const expected = doc(DOC_DOWNLINK_REPLY);
      // The reply spells responseCode without the document's stray comma; responseId is ours ("最大字符32").
      expected.responseCode = expected['responseCode,'];
      delete expected['responseCode,'];
      assert.match(reply.responseId, /^[0-9a-f]{32}$/);
      assert.equal(typeof reply.responseTime, 'number');
      assert.deepEqual({ ...reply, responseId: expected.responseId, responseTime: expected.responseTime }, expected);
    });

    it(`seed 001 结果返回格式 with the reply sample's "responseCode," slip, and protocols.md B ErrorEnum codes by name (TZ=${tz})`, async () => {
      const { node, err } = await load();
      for (const [code, name] of ERROR_ENUM) {
        heard.length = 0;
        node.receive({ payload: { '7be6': 1 } });
        await waitFor(() => heard.find((h) => h.topic === UP), 'the uplink');
        const sent = JSON.parse(heard.find((h) => h.topic === UP)!.body);
        const result = { ...doc(DOC_UPLINK_RESULT), requestId: sent.requestId, responseDesc: name } as Record<string, unknown>;
        delete result.responseCode;
        result['responseCode,'] = code;
        await platform.publishAsync(`${UP}/1963/result`, JSON.stringify(result), { qos: 1 });
        await waitFor(() => err.length === ERROR_ENUM.findIndex(([c]) => c === code) + 1, `the result ${code}`);
        const last = err[err.length - 1]!;
        assert.equal(last.error.responseCode, code);
        assert.equal(last.error.meaning.en, name);
      }
    });

    it(`keeps fields the document does not describe in msg.iotos.extra and in each result's extra (TZ=${tz})`, async () => {
      const { down, up, node } = await load();
      await platform.publishAsync(`${DOWN}/1963`, JSON.stringify({ ...doc(DOC_DOWNLINK), unit: '℃', gmtCreate: 1642502674000 }), { qos: 1 });
      await waitFor(() => down.length === 1, 'the downlink');
      assert.deepEqual(down[0]!.iotos.extra, { unit: '℃', gmtCreate: 1642502674000 });
      assert.equal(down[0]!.iotos.unit, undefined);
      node.receive({ payload: doc(DOC_UPLINK) });
      await waitFor(() => heard.find((h) => h.topic === UP), 'the uplink');
      await platform.publishAsync(`${UP}/1963/result`, JSON.stringify({ ...doc(DOC_UPLINK_RESULT), quality: 'good' }), { qos: 1 });
      await waitFor(() => up.length === 1, 'the result');
      assert.deepEqual(up[0]!.payload.results[0].extra, { quality: 'good' });
    });

    it(`refuses a downlink whose id names another data point than its topic, with the raw text (TZ=${tz})`, async () => {
      const { down, node } = await load();
      const crossed = JSON.stringify({ ...doc(DOC_DOWNLINK), id: 1964 });
      await platform.publishAsync(`${DOWN}/1963`, crossed, { qos: 1 });
      await platform.publishAsync(`${DOWN}/1963`, DOC_DOWNLINK, { qos: 1 });
      await waitFor(() => down.length === 1 && errorCalls(node).length === 1, 'the refusal and the good downlink');
      const [error, msg] = errorCalls(node)[0]!.args;
      assert.match(error.message, /id 1964 names another data point than the topic's 1963/);
      assert.equal(msg.payload, crossed);
      assert.equal(down[0]!.iotos.id, 1963);
    });

    it(`refuses a downlink time that is no time, with the raw text, and handles the next (TZ=${tz})`, async () => {
      const { down, node } = await load();
      const bad = JSON.stringify({ ...doc(DOC_DOWNLINK), ts: -1642502674510 });
      await platform.publishAsync(`${DOWN}/1963`, bad, { qos: 1 });
      await platform.publishAsync(`${DOWN}/1963`, DOC_DOWNLINK, { qos: 1 });
      await waitFor(() => down.length === 1, 'the good downlink');
      await waitFor(() => errorCalls(node).length === 1, 'the error');
      const [error, msg] = errorCalls(node)[0]!.args;
      assert.match(error.message, /ts: -1642502674510 \w+ is outside 1970-01-01 to 9999-12-31/);
      assert.equal(msg.payload, bad);
      assert.equal(down[0]!.iotos.time, '2022-01-18T10:44:34.510Z');
    });

    it(`refuses an uplink whose full-map ts is no time (before 1970) before anything is sent (TZ=${tz})`, async () => {
      const { node } = await load();
      const sample = doc(DOC_UPLINK).data;
      node.receive({ payload: { '179f': { ...sample['179f'], ts: -1627737953.514 } } });
      await waitFor(() => errorCalls(node).length === 1, 'the error');
      await sleep(100);
      assert.match(errorCalls(node)[0]!.args[0].message, /data point 179f: ts: -1627737953.514 s is outside 1970-01-01/);
      assert.equal(heard.filter((h) => h.topic === UP).length, 0);
    });
  });
});
