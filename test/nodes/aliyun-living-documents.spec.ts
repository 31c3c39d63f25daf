/**
 * The Aliyun IoT Living long-connection document (seed 004, 长连接服务) and research notes
 * (protocols.md D.1) as a test table: every topic, push and reply they print is one row, fed
 * through aliyun-living-in in a real Node-RED runtime over a real broker, with the exact decoded
 * fields expected. The push bodies are the document's own text (scripts/samples/aliyun-living.json).
 * Each row runs under two host time zones.
 */
import assert from 'node:assert/strict';
import type * as mqtt from 'mqtt';
import { LIVING_KINDS } from '../../src/protocols/aliyun/topics';
import { parseLenientJson } from '../../src/protocols/lenient-json';
import { brokerLabel } from '../../tools/broker';
import { livingSamples } from '../../tools/samples';
import { withRedAndBroker } from '../support/suite';
import { builtNode, collect, helper, sleep, testClient, waitFor } from '../support/red';
import { inTimeZones } from '../support/time-zones';

const nodes = [builtNode('aliyun-living-account'), builtNode('aliyun-living-in')];
/** The document's product key and device name (seed 004, every push sample's params). */
const PK = 'X5eCzh6fEH7';
const DN = '5gJtxDVeGAkaEztpisjX';
const down = (path: string, dn = DN) => `/sys/${PK}/${dn}/app/down/${path}`;
const doc = (text: string) => parseLenientJson(text).value as Record<string, any>;
const named = (code: number, en: string, zh: string) => ({ code, en, zh });

interface Row {
  source: string;
  topic: string;
  body: string;
  payload: Record<string, unknown>;
  aliyun: Record<string, unknown>;
}

/** One row per push the document and the notes print; expected values written out from the text. */
const ROWS: Row[] = [
  {
    source: 'seed 004 设备属性变更推送',
    topic: down('thing/properties'),
    body: livingSamples.pushes.properties,
    payload: {
      properties: { temperature: 30, meterReadingMonth: 715665571, alarm: 'normal' },
      times: {
        temperature: { ms: 1510292697471, iso: '2017-11-10T05:44:57.471Z' },
        meterReadingMonth: { ms: 1510292697470, iso: '2017-11-10T05:44:57.470Z' },
        alarm: { ms: 1510292697470, iso: '2017-11-10T05:44:57.470Z' },
      },
    },
    aliyun: { kind: 'properties', id: 'msgid3', device: { iotId: '0300MSKL03667c544f69342a74Sv4Za4', productKey: PK, deviceName: DN } },
  },
  {
    source: 'seed 004 设备事件变更推送 (printed without some commas)',
    topic: down('thing/events'),
    body: livingSamples.pushes.events,
    payload: {
      identifier: 'BrokenInfo', name: '损坏率上报', type: 'info',
      value: { Power: 'on', structParam: { param1: 'abc', param2: 123 } },
      time: { ms: 1510799670074, iso: '2017-11-16T02:34:30.074Z' },
    },
    aliyun: { kind: 'events', id: 'msgid4', method: 'thing.events', lenient: true, device: { iotId: '4z819VQHk6VSLmmBJfrf00107ee200', productKey: PK, deviceName: DN } },
  },
  {
    source: 'seed 004 设备连接状态变更推送 (status value "0", a // comment)',
    topic: down('thing/status'),
    body: livingSamples.pushes.status,
    payload: { status: named(0, 'inactive', '未激活'), time: { ms: 1510292697471, iso: '2017-11-10T05:44:57.471Z' } },
    aliyun: { kind: 'status', id: 'msgid4', method: 'thing.status', lenient: true, device: { iotId: '0300MSKL03667c544f69342a74Sv4Za4', productKey: PK, deviceName: DN } },
  },
  {
    source: 'seed 004 添加子设备结果推送到移动客户端 (param, not params)',
    topic: down('thing/topo/add/status'),
    body: livingSamples.pushes.topo,
    payload: {
      status: named(0, 'added', '添加topo成功'), subIotId: 'xxx', subProductKey: 'xxx', subDeviceName: 'xxx',
      oldGwIotId: 'xxx', oldGwProductKey: 'xxx', oldGwDeviceName: 'xxx', newGwIotId: 'xxx', newGwProductKey: 'xxx', newGwDeviceName: 'xxx',
    },
    aliyun: { kind: 'topo', id: 'msgId1', method: 'thing.topo.add.status', lenient: true, device: { iotId: 'xxx', productKey: 'xxx', deviceName: 'xxx' } },
  },
  {
    source: 'seed 004 固件升级进度推送到移动客户端',
    topic: down('ota/device/forward'),
    body: livingSamples.pushes.ota,
    payload: { iotId: '', srcVersion: '', destVersion: '', desc: '', upgradeStatus: named(1, 'upgrading', '升级中'), progress: 1 },
    aliyun: { kind: 'ota', id: '123456790123', method: 'ota.device.forward', lenient: true, device: {} },
  },
  {
    source: 'protocols.md D.1 status push: value 1 online, with statusLast',
    topic: down('thing/status'),
    body: JSON.stringify({ id: 's1', version: '1.0', method: 'thing.status', params: { iotId: 'i1', productKey: PK, deviceName: DN, status: { value: 1, time: 1510292697471 }, statusLast: 3 } }),
    payload: { status: named(1, 'online', '上线'), time: { ms: 1510292697471, iso: '2017-11-10T05:44:57.471Z' } },
    aliyun: { kind: 'status', id: 's1', method: 'thing.status', device: { iotId: 'i1', productKey: PK, deviceName: DN }, extra: { params: { statusLast: 3 } } },
  },
  {
    source: 'protocols.md D.1 status push: value 3 offline; issue 15 item 10: clientIp and gmtCreate kept',
    topic: down('thing/status'),
    body: JSON.stringify({ id: 's2', version: '1.0', method: 'thing.status', params: { productKey: PK, deviceName: DN, status: { value: '3', time: '1510292697471', lastTime: 1510292690000 }, statusLast: 1, clientIp: '10.1.2.3', gmtCreate: 1510292697000 } }),
    payload: { status: named(3, 'offline', '离线'), time: { ms: 1510292697471, iso: '2017-11-10T05:44:57.471Z' } },
    aliyun: {
      kind: 'status', id: 's2', method: 'thing.status', device: { productKey: PK, deviceName: DN },
      extra: { params: { statusLast: 1, clientIp: '10.1.2.3', gmtCreate: 1510292697000, status: { lastTime: 1510292690000 } } },
    },
  },
  {
    source: 'issue 15 item 10: an event with eventCode, checkFailedData and gmtCreate keeps them',
    topic: down('thing/events'),
    body: JSON.stringify({ id: 'e1', version: '1.0', method: 'thing.events', traceId: 't9', params: { identifier: 'Error', type: 'error', productKey: PK, deviceName: DN, value: { code: 7 }, time: 1510799670074, eventCode: 'E07', checkFailedData: { code: 'bad' }, gmtCreate: 1510799670100 } }),
    payload: { identifier: 'Error', name: null, type: 'error', value: { code: 7 }, time: { ms: 1510799670074, iso: '2017-11-16T02:34:30.074Z' } },
    aliyun: {
      kind: 'events', id: 'e1', method: 'thing.events', device: { productKey: PK, deviceName: DN },
      extra: { traceId: 't9', params: { eventCode: 'E07', checkFailedData: { code: 'bad' }, gmtCreate: 1510799670100 } },
    },
  },
  {
    source: 'issue 15 item 10: properties with gmtCreate, and an item with its own extra field',
    topic: down('thing/properties'),
    body: JSON.stringify({ id: 'p1', version: '1.0', params: { productKey: PK, deviceName: DN, gmtCreate: 1510292697500, items: { temperature: { time: 1510292697471, value: 30, unit: '°C' } } } }),
    payload: { properties: { temperature: 30 }, times: { temperature: { ms: 1510292697471, iso: '2017-11-10T05:44:57.471Z' } } },
    aliyun: { kind: 'properties', id: 'p1', device: { productKey: PK, deviceName: DN }, extra: { params: { gmtCreate: 1510292697500, items: { temperature: { unit: '°C' } } } } },
  },
  {
    source: 'issue 15 item 11: an event without value (an event with no parameters)',
    topic: down('thing/events'),
    body: JSON.stringify({ id: 'e2', version: '1.0', method: 'thing.events', params: { identifier: 'Reset', name: '复位', type: 'info', productKey: PK, deviceName: DN, time: 1510799670074 } }),
    payload: { identifier: 'Reset', name: '复位', type: 'info', value: null, time: { ms: 1510799670074, iso: '2017-11-16T02:34:30.074Z' } },
    aliyun: { kind: 'events', id: 'e2', method: 'thing.events', device: { productKey: PK, deviceName: DN } },
  },
  {
    source: 'seed 004 topics: /sys/${productKey}/${deviceName} is the app channel (the bind topic is the same), so params name the device and are not compared',
    topic: down('thing/status', 'appChannel01'),
    body: JSON.stringify({ id: 's3', params: { productKey: PK, deviceName: DN, status: { value: 1, time: 1510292697471 } } }),
    payload: { status: named(1, 'online', '上线'), time: { ms: 1510292697471, iso: '2017-11-10T05:44:57.471Z' } },
    aliyun: { kind: 'status', id: 's3', device: { productKey: PK, deviceName: DN } },
  },
  {
    source: 'seed 004 status codes 0, 1, 3, 8 only: another code is kept as sent and flagged',
    topic: down('thing/status'),
    body: JSON.stringify({ id: 's4', params: { productKey: PK, deviceName: DN, status: { value: 5, time: 1510292697471 } } }),
    payload: { status: { code: 5, en: null, zh: null, unknown: true }, time: { ms: 1510292697471, iso: '2017-11-10T05:44:57.471Z' } },
    aliyun: { kind: 'status', id: 's4', device: { productKey: PK, deviceName: DN }, flags: [{ field: 'params.status.value', value: 5, reason: 'not a code the document lists (0, 1, 3, 8)' }] },
  },
  {
    source: 'seed 004 OTA step is a percentage (or a negative error code): 150 is kept as sent and flagged',
    topic: down('ota/device/forward'),
    body: JSON.stringify({ id: 'o2', params: { iotId: 'i1', step: 150, upgradeStatus: 1 } }),
    payload: { iotId: 'i1', upgradeStatus: named(1, 'upgrading', '升级中'), progress: 150 },
    aliyun: { kind: 'ota', id: 'o2', device: { iotId: 'i1' }, flags: [{ field: 'params.step', value: 150, reason: 'a progress above 100 %' }] },
  },
];

/** Bodies that cannot be read: refused with node.error and the raw text; the next push still arrives. */
const REFUSED: Array<{ source: string; topic: string; body: string; error: RegExp }> = [
  { source: 'strict times: an empty time is no time (not 1970)', topic: down('thing/status'), body: '{"id":"x","params":{"status":{"value":1,"time":""}}}', error: /status\.time: "" is not a number of milliseconds/ },
  { source: 'strict times: a negative time', topic: down('thing/properties'), body: '{"id":"x","params":{"items":{"t":{"time":-1,"value":1}}}}', error: /items\.t\.time: -1 ms is outside/ },
  { source: 'strict times: a time past the year 9999', topic: down('thing/events'), body: '{"id":"x","params":{"identifier":"a","time":1e17}}', error: /time: 100000000000000000 ms is outside/ },
  { source: 'strict codes: an empty status value is not 0 (inactive)', topic: down('thing/status'), body: '{"id":"x","params":{"status":{"value":"","time":1}}}', error: /status\.value/ },
];

describe(`Aliyun Living document table through aliyun-living-in against ${brokerLabel()}`, function () {
  this.timeout(20000);
  const ctx = withRedAndBroker();
  let platform: mqtt.MqttClient;
  afterEach(async () => {
    await platform?.endAsync(true);
  });

  async function load() {
    platform = await testClient(ctx.broker.url);
    await helper.load(nodes, [
      { id: 'f1', type: 'tab' },
      { id: 'acct', type: 'aliyun-living-account', productKey: PK, deviceName: DN, connection: { url: ctx.broker.url, clientId: 'mqttusername1234', reconnectMinMs: 100, reconnectMaxMs: 1000 } },
      { id: 'in', z: 'f1', type: 'aliyun-living-in', account: 'acct', timeout: 2, wires: [['pushes'], ['replies']] },
      { id: 'pushes', z: 'f1', type: 'helper' },
      { id: 'replies', z: 'f1', type: 'helper' },
    ], { acct: { username: 'u', password: 'pw' } });
    const acct = helper.getNode('acct') as unknown as { connection?: { connected: boolean; filters: string[] } };
    await waitFor(() => acct.connection?.connected && acct.connection.filters.length === 6, 'connected and subscribed');
    await sleep(100);
    return { acct, node: helper.getNode('in'), pushes: collect(helper.getNode('pushes')), replies: collect(helper.getNode('replies')) };
  }

  it('has a document row for every push kind the node decodes', () => {
    assert.deepEqual([...new Set(ROWS.filter((r) => r.source.startsWith('seed 004')).map((r) => r.aliyun.kind))].sort(), [...LIVING_KINDS].sort());
  });

  inTimeZones((tz) => {
    it(`seed 004 topics: subscribes to the five push topics and the account replies (TZ=${tz})`, async () => {
      const { acct } = await load();
      assert.deepEqual([...acct.connection!.filters].sort(), [
        `/sys/${PK}/+/app/down/ota/device/forward`, `/sys/${PK}/+/app/down/thing/events`, `/sys/${PK}/+/app/down/thing/properties`,
        `/sys/${PK}/+/app/down/thing/status`, `/sys/${PK}/+/app/down/thing/topo/add/status`, `/sys/${PK}/${DN}/app/down/account/+`,
      ].sort());
    });

    for (const row of ROWS) it(`${row.source} (TZ=${tz})`, async () => {
      const { pushes } = await load();
      await platform.publishAsync(row.topic, row.body, { qos: 1 });
      await waitFor(() => pushes.length === 1, row.source);
      const got = pushes[0]!;
      assert.deepEqual(got.payload, row.payload);
      const { productKey, deviceName, mqttTopic, ...aliyun } = got.aliyun;
      assert.deepEqual(aliyun, { flags: [], ...row.aliyun });
      assert.equal(mqttTopic, row.topic);
      assert.equal(productKey, PK);
      assert.equal(deviceName, row.topic.split('/')[3]);
      assert.equal(got.topic, `aliyun-living/${row.aliyun.kind}/${(row.aliyun.device as { deviceName?: string }).deviceName ?? row.topic.split('/')[3]}`);
    });

    for (const row of REFUSED) it(`refuses ${row.source}, with the raw text, and handles the next push (TZ=${tz})`, async () => {
      const { node, pushes } = await load();
      const errors = (node.error as unknown as { getCalls(): Array<{ args: [Error, Record<string, unknown>] }> });
      await platform.publishAsync(row.topic, row.body, { qos: 1 });
      await platform.publishAsync(ROWS[0]!.topic, ROWS[0]!.body, { qos: 1 });
      await waitFor(() => pushes.length === 1 && errors.getCalls().length === 1, row.source);
      const [error, msg] = errors.getCalls()[0]!.args;
      assert.match(error.message, row.error);
      assert.equal(msg.payload, row.body);
      assert.equal(msg.topic, row.topic);
    });

    it(`seed 004 绑定/解绑mqtt消息通道: sends the document's requests and takes the document's replies (TZ=${tz})`, async () => {
      const { node, replies } = await load();
      const requests: Array<{ topic: string; body: Record<string, any> }> = [];
      platform.on('message', (topic, body) => {
        const req = JSON.parse(body.toString());
        requests.push({ topic, body: req });
        const reply = doc(topic.endsWith('/unbind') ? livingSamples.account.unbindReply : livingSamples.account.bindReply);
        void platform.publish(`${topic.replace('/app/up/', '/app/down/')}_reply`, JSON.stringify({ ...reply, id: req.id }), { qos: 1 });
      });
      await platform.subscribeAsync(`/sys/${PK}/${DN}/app/up/account/+`, { qos: 1 });
      node.receive({ action: 'bind', iotToken: 'iot_token123' });
      await waitFor(() => replies.length === 1, 'the bind reply');
      node.receive({ action: 'unbind' });
      await waitFor(() => replies.length === 2, 'the unbind reply');
      assert.equal(requests[0]!.topic, `/sys/${PK}/${DN}/app/up/account/bind`);
      assert.deepEqual(requests[0]!.body, { ...doc(livingSamples.account.bindRequest), id: requests[0]!.body.id });
      assert.equal(requests[1]!.topic, `/sys/${PK}/${DN}/app/up/account/unbind`);
      assert.deepEqual(requests[1]!.body, { ...doc(livingSamples.account.unbindRequest), id: requests[1]!.body.id });
      assert.deepEqual(replies[0]!.payload, { id: requests[0]!.body.id, code: 200, message: 'success', ok: true });
      assert.deepEqual(replies[1]!.payload, { id: requests[1]!.body.id, code: 200, message: 'success', ok: true });
    });
  });
});
