/**
 * Cases written from the platforms' documents alone, each through the real node on a real broker:
 * what the seeds show (topics, sample bodies, sample replies) and what a platform could send
 * wrong. Each row cites its source: seed 001 (IOTOS MQTT), 003 (EZtCloud MQTT API), 004 (Aliyun
 * Living long connection), research protocols.md sections B, C, D.
 */
import { strict as assert } from 'node:assert';
import type * as mqtt from 'mqtt';
import { startTestBroker, type TestBroker } from '../../tools/broker';
import { builtNode, collect, helper, testClient, waitFor, type FlowNode } from '../support/red';

const iotosConnection = builtNode('iotos-connection');
const iotosDevice = builtNode('iotos-device');
const livingAccount = builtNode('aliyun-living-account');
const livingIn = builtNode('aliyun-living-in');
const eztProject = builtNode('eztcloud-project');
const eztIn = builtNode('eztcloud-in');
const eztOut = builtNode('eztcloud-out');

type Msg = Record<string, any>;

describe('platform documents, reviewed through the real nodes', function () {
  let broker: TestBroker;
  let platform: mqtt.MqttClient;
  const heard: Array<{ topic: string; body: string }> = [];

  before(async () => {
    broker = await startTestBroker();
    await new Promise<void>((r) => helper.startServer(r));
    platform = await testClient(broker.url);
    platform.on('message', (topic, body) => heard.push({ topic, body: body.toString() }));
    await platform.subscribeAsync(['$IOTOS/#', '/sys/#', 'open/#']);
  });
  after(async () => {
    await platform.endAsync();
    await new Promise<void>((r) => helper.stopServer(r));
    await broker.close();
  });
  afterEach(async () => {
    await helper.unload();
    heard.length = 0;
  });

  /** Loads `nodes` with a Catch node; returns the helper outputs' collectors once `user` is connected. */
  async function start(types: unknown[], nodes: FlowNode[], credentials: Record<string, Record<string, string>>, user: string, outs: string[]) {
    const flow: FlowNode[] = [
      { id: 'f1', type: 'tab' },
      ...nodes.map((n) => ({ z: 'f1', ...n })),
      ...outs.map((id) => ({ id, type: 'helper', z: 'f1' })),
      { id: 'c1', type: 'catch', z: 'f1', scope: null, uncaught: false, wires: [['caught']] },
      { id: 'caught', type: 'helper', z: 'f1' },
    ];
    await helper.load(types, flow, credentials);
    const got: Record<string, Msg[]> = {};
    for (const id of [...outs, 'caught']) got[id] = collect(helper.getNode(id));
    const warnings: string[] = [];
    (helper.getNode(user) as unknown as { on(e: string, f: (call: { args: unknown[] }) => void): void }).on('call:warn', (call) => warnings.push(String(call.args[0])));
    await waitFor(() => {
      const s = (helper.getNode(user).status as unknown as { args: Array<[{ fill?: string }]> }).args;
      return s.some(([st]) => st.fill === 'green');
    }, `${user} connected`);
    // Let the node's subscriptions reach the broker.
    await new Promise((r) => setTimeout(r, 150));
    return { got, warnings };
  }

  async function published(topic: string, from = 0): Promise<{ topic: string; body: string }> {
    return waitFor(() => heard.slice(from).find((h) => h.topic === topic), `a publish on ${topic}`);
  }

  // ---------------------------------------------------------------------------------------------
  describe('IOTOS (seed 001, protocols.md B)', () => {
    const GW = 171;
    const DEV = 401;
    const UP = `$IOTOS/device/platform/update/${GW}/${DEV}`;
    const DOWN = `$IOTOS/device/endpoint/update/${GW}/${DEV}`;

    async function startIotos(props: Record<string, unknown> = {}) {
      return start([iotosConnection, iotosDevice], [
        { id: 'conn', type: 'iotos-connection', gatewayId: String(GW), deviceId: String(DEV), connection: { url: broker.url } },
        {
          id: 'dev', type: 'iotos-device', connection: 'conn', points: [{ name: '数据点名称', id: 1963, oid: '7be6' }],
          replyMode: 'auto', timeout: 2, wires: [['up'], ['down'], ['fail']], ...props,
        },
      ], { conn: { username: '平台帐号', password: '帐号密码' } }, 'dev', ['up', 'down', 'fail']);
    }

    // seed 001 "MQTT设备数据上报格式" and "平台将处理结果返回格式": both samples verbatim.
    const UPLINK_SAMPLE = {
      requestId: '966cb44c30464305bbea98694664b103',
      requestTime: 1627737953514.123,
      data: { '179f': { name: '数据点名称', id: 1963, oid: '7be6', ts: 1627737953.514, value: 1627737953.514 } },
    };
    const RESULT_SAMPLE = JSON.stringify({
      id: 1963, oid: '7be6', name: '数据点名称', ts: 1627737953.514, value: 1627737953.514,
      requestId: UPLINK_SAMPLE.requestId, requestTime: 1627737953514.123,
      responseId: UPLINK_SAMPLE.requestId, responseTime: 1627737953514.123, responseCode: 0, responseDesc: 'OK',
    }).replace('"responseCode":0', '"responseCode": 0').replace('"id":1963', '"id": 1963');

    // seed 001 result format: responseCode is the platform's verdict; a result without a number there
    // says nothing about success and must not confirm the uplink.
    for (const [label, code] of [['null', 'null'], ['an empty string', '""'], ['an empty array', '[]'], ['true', 'true'], ['hex text "0x0"', '"0x0"']] as const) {
      it(`seed 001 result with responseCode ${label} is refused through Catch, not taken as success`, async () => {
        const { got } = await startIotos();
        helper.getNode('dev').receive({ payload: UPLINK_SAMPLE });
        await published(UP);
        const body = RESULT_SAMPLE.replace('"responseCode": 0', `"responseCode": ${code}`);
        await platform.publishAsync(`${UP}/1963/result`, body);
        const err = await waitFor(() => got.caught![0], 'a Catch error');
        assert.match(err.error.message, /responseCode/);
        assert.equal(err.payload, body);
        assert.equal(got.up!.length, 0, 'the uplink was confirmed by a result without a code');
      });
    }

    it('seed 001 result with an unknown code and undocumented fields: rejected on output 3, fields kept in extra', async () => {
      const { got } = await startIotos();
      helper.getNode('dev').receive({ payload: { '7be6': 42 } });
      const up = JSON.parse((await published(UP)).body);
      // The table's point goes out under its oid, in seconds (seed 001 uplink ts).
      assert.deepEqual(Object.keys(up.data), ['7be6']);
      assert.equal(up.data['7be6'].id, 1963);
      assert.equal(up.data['7be6'].name, '数据点名称');
      assert.ok(up.data['7be6'].ts < 1e11 && up.data['7be6'].ts > 1.6e9);
      assert.match(up.requestId, /^[0-9a-f]{32}$/);
      await platform.publishAsync(`${UP}/1963/result`, JSON.stringify({ id: 1963, requestId: up.requestId, responseCode: 7, responseDesc: '限流', traceId: 'x1' }));
      const fail = await waitFor(() => got.fail![0], 'uplink rejected');
      assert.equal(fail.error.code, 'rejected');
      assert.equal(fail.error.responseCode, 7);
      assert.match(fail.error.message, /限流/);
      assert.equal(fail.payload.results[0].meaning.unknown, true);
      assert.deepEqual(fail.payload.results[0].extra, { traceId: 'x1' });
    });

    it('seed 001 result whose id names another data point than its topic is refused with the raw body', async () => {
      const { got } = await startIotos();
      helper.getNode('dev').receive({ payload: UPLINK_SAMPLE });
      await published(UP);
      const body = RESULT_SAMPLE.replace('"id": 1963', '"id": 1964');
      await platform.publishAsync(`${UP}/1963/result`, body);
      const err = await waitFor(() => got.caught![0], 'a Catch error');
      assert.match(err.error.message, /1964/);
      assert.equal(err.payload, body);
      assert.equal(err.topic, `${UP}/1963/result`);
    });

    // seed 001 "MQTT设备数据下发格式": the sample verbatim, trailing comma included; the reply
    // (seed 001 "设备端处理结果返回格式") echoes its fields with responseId/Time/Code/Desc.
    const DOWNLINK_SAMPLE = '{ "name": "数据点名称", "id": 1963, "oid": "7be6", "ts": 1642502674510.0, "value": "QWRYGSGSFDGFDS", "requestId": "966cb44c30464305bbea98694664b103", "requestTime":1627737953514.123, }';

    const badDownlinks: Array<[string, string, RegExp]> = [
      ['not JSON', '{"id": 1963, "requestId": ', /JSON/],
      ['a JSON array', '[1963]', /object/],
      ['no requestId', '{"id": 1963, "value": 1}', /requestId/],
      ['id of another data point', '{"id": 1964, "requestId": "r1", "value": 1}', /1964/],
      // A null or empty id is of the wrong type, not data point 0.
      ['id null', '{"id": null, "requestId": "r1", "value": 1}', /\bid: /],
      ['id as an empty string', '{"id": "", "requestId": "r1", "value": 1}', /\bid: /],
      ['ts as text', '{"id": 1963, "requestId": "r1", "value": 1, "ts": "yesterday"}', /ts/],
      ['ts negative', '{"id": 1963, "requestId": "r1", "value": 1, "ts": -5}', /ts/],
      ['ts past 9999', '{"id": 1963, "requestId": "r1", "value": 1, "ts": 1e300}', /ts/],
    ];
    for (const [label, body, why] of badDownlinks) {
      it(`seed 001 downlink with ${label} is refused through Catch with the raw body; the next one still works`, async () => {
        const { got } = await startIotos();
        await platform.publishAsync(`${DOWN}/1963`, body);
        const err = await waitFor(() => got.caught![0], 'a Catch error');
        assert.match(err.error.message, why);
        assert.equal(err.payload, body);
        assert.equal(got.down!.length, 0);
        await platform.publishAsync(`${DOWN}/1963`, DOWNLINK_SAMPLE);
        await waitFor(() => got.down![0], 'the next downlink');
      });
    }

    it('seed 001 uplink entry with ts in milliseconds (the downlink unit) is refused, nothing published', async () => {
      const { got } = await startIotos();
      const from = heard.length;
      helper.getNode('dev').receive({ payload: { '179f': { id: 1963, oid: '7be6', ts: 1627737953514, value: 1 } } });
      const err = await waitFor(() => got.caught![0], 'a Catch error');
      assert.match(err.error.message, /ts/);
      assert.equal(heard.slice(from).filter((h) => h.topic === UP).length, 0);
    });
  });

  // ---------------------------------------------------------------------------------------------
  describe('Aliyun Living (seed 004, protocols.md D.1)', () => {
    const PK = 'X5eCzh6fEH7';
    const DN = 'appChannel1';
    const DOWN = `/sys/${PK}/${DN}/app/down`;

    async function startLiving() {
      return start([livingAccount, livingIn], [
        { id: 'acct', type: 'aliyun-living-account', productKey: PK, deviceName: DN, connection: { url: broker.url, clientId: 'mqttusername1234' } },
        { id: 'liv', type: 'aliyun-living-in', account: 'acct', timeout: 2, wires: [['push'], ['reply']] },
      ], { acct: { username: 'u', password: 'p' } }, 'liv', ['push', 'reply']);
    }

    /** A well-formed property push (seed 004 "设备属性变更推送"), sent after a bad one. */
    const PROPERTIES = JSON.stringify({ id: 'msgid3', version: '1.0', params: { iotId: 'i1', items: { temperature: { time: 1510292697471, value: 30 } } }, method: '' });

    it('seed 004 bind reply with undocumented fields keeps them (unknown fields are kept on every decoded message)', async () => {
      const { got } = await startLiving();
      const from = heard.length;
      helper.getNode('liv').receive({ action: 'bind', iotToken: 'iot_token123' });
      const bind = JSON.parse((await published(`/sys/${PK}/${DN}/app/up/account/bind`, from)).body);
      await platform.publishAsync(`/sys/${PK}/${DN}/app/down/account/bind_reply`, JSON.stringify({ id: bind.id, code: 2064, message: 'identity not found', localizedMsg: '身份不存在', data: { x: 1 } }));
      const r = await waitFor(() => got.reply![0], 'bind reply');
      assert.equal(r.payload.ok, false);
      assert.deepEqual(r.payload.extra, { localizedMsg: '身份不存在', data: { x: 1 } });
    });

    it('seed 004 status value 2 (not among 0/1/3/8) is kept as sent and flagged with a warning', async () => {
      const { got, warnings } = await startLiving();
      await platform.publishAsync(`${DOWN}/thing/status`, JSON.stringify({ id: 'm6', params: { status: { value: 2, time: 1510292697471 } } }));
      const s = await waitFor(() => got.push![0], 'status');
      assert.equal(s.payload.status.code, 2);
      assert.equal(s.payload.status.unknown, true);
      assert.deepEqual(s.aliyun.flags, [{ field: 'params.status.value', value: 2, reason: s.aliyun.flags[0].reason }]);
      assert.ok(warnings.some((w) => /params\.status\.value/.test(w)));
    });

    it('seed 004 property item without value is refused, not delivered as a property that vanishes', async () => {
      const { got } = await startLiving();
      const body = JSON.stringify({ id: 'm8', params: { items: { temperature: { time: 1510292697471 } } } });
      await platform.publishAsync(`${DOWN}/thing/properties`, body);
      const err = await waitFor(() => got.caught![0] ?? got.push![0], 'a result');
      assert.ok(err.error, `delivered instead: ${JSON.stringify(err.payload)}`);
      assert.match(err.error.message, /value/);
    });

    const badPushes: Array<[string, string, string, RegExp]> = [
      ['not JSON', 'thing/properties', '{"id": "m", "params": {', /JSON/],
      ['a JSON array', 'thing/status', '[1, 3]', /object|expected/i],
      ['status value as a word', 'thing/status', '{"params": {"status": {"value": "online", "time": 1510292697471}}}', /status/],
      ['status as a plain value', 'thing/status', '{"params": {"status": 1}}', /status/],
      ['property time negative', 'thing/properties', '{"params": {"items": {"t": {"time": -1, "value": 1}}}}', /time/],
      ['property time as a date text', 'thing/properties', '{"params": {"items": {"t": {"time": "2017-11-10 05:44:57", "value": 1}}}}', /time/],
      ['event time past 9999', 'thing/events', '{"params": {"identifier": "x", "time": 1e20}}', /time/],
      ['event without identifier', 'thing/events', '{"params": {"value": {}}}', /identifier/],
      ['OTA step as text', 'ota/device/forward', '{"params": {"upgradeStatus": 1, "step": "half"}}', /step/],
      ['no params at all', 'thing/properties', '{"id": "m9", "version": "1.0"}', /params/],
    ];
    for (const [label, path, body, why] of badPushes) {
      it(`seed 004 push with ${label} is refused through Catch with the raw body; the next one still works`, async () => {
        const { got } = await startLiving();
        await platform.publishAsync(`${DOWN}/${path}`, body);
        const err = await waitFor(() => got.caught![0], 'a Catch error');
        assert.match(err.error.message, why);
        assert.equal(err.payload, body);
        assert.equal(err.topic, `${DOWN}/${path}`);
        await platform.publishAsync(`${DOWN}/thing/properties`, PROPERTIES);
        await waitFor(() => got.push![0], 'the next push');
      });
    }
  });

  // ---------------------------------------------------------------------------------------------
  describe('EZtCloud (seed 003, protocols.md C)', () => {
    const PK = 'PR_demo01';
    const DU = 'DU_a1b2c3d4e5';
    const OPEN = `open/${PK}/${DU}`;

    async function startEzt(outProps: Record<string, unknown> = {}) {
      return start([eztProject, eztIn, eztOut], [
        { id: 'proj', type: 'eztcloud-project', connection: { url: broker.url }, localTest: true },
        { id: 'ein', type: 'eztcloud-in', project: 'proj', dataFormat: 'buffer', wires: [['in']] },
        { id: 'eout', type: 'eztcloud-out', project: 'proj', action: 'command_send', device: DU, timeout: 2, wires: [['out']], ...outProps },
      ], { proj: { projectKey: PK, projectSecret: 'secret' } }, 'ein', ['in', 'out']);
    }

    const badMessages: Array<[string, string, string, RegExp]> = [
      ['alerting as text', 'alarm', '{"alerting": "true"}', /alerting/],
      ['online missing', 'online', '{}', /online/],
      ['attributes not JSON', 'attributes', 'key1=1', /JSON/],
      ['attributes as an array', 'attributes', '[1, 2]', /record|object|expected/i],
      ['event without method', 'event_report', '{"params": {"a": 1}}', /method/],
      ['event params as text', 'event_report', '{"method": "m", "params": "a=1"}', /params/],
    ];
    for (const [label, kind, body, why] of badMessages) {
      it(`seed 003 ${kind} with ${label} is refused through Catch with the raw body`, async () => {
        const { got } = await startEzt();
        await platform.publishAsync(`${OPEN}/${kind}`, body);
        const err = await waitFor(() => got.caught!.find((c) => c.eztcloud?.mqttTopic), 'a Catch error');
        assert.match(err.error.message, why);
        assert.equal(err.payload, body);
        assert.equal(err.topic, `${OPEN}/${kind}`);
        await platform.publishAsync(`${OPEN}/online`, '{"online": false}');
        await waitFor(() => got.in![0], 'the next message');
      });
    }

    it('seed 003 command_send with a field the document does not have is refused, not sent without it', async () => {
      const { got } = await startEzt();
      const from = heard.length;
      helper.getNode('eout').receive({ payload: { method: 'reboot', params: {}, id: 7, delay: 5 } });
      const err = await waitFor(() => got.caught![0], 'a Catch error');
      assert.match(err.error.message, /delay/);
      assert.equal(heard.slice(from).filter((h) => h.topic === `${OPEN}/command_send`).length, 0);
    });
  });
});
