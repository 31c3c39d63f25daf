/**
 * Cases written from the platforms' documents alone, each through the real node on a real broker:
 * what the seeds show (topics, sample bodies, sample replies) and what a platform could send
 * wrong. Each row cites its source: seed 001 (IOTOS MQTT), 003 (EZtCloud MQTT API), 004 (Aliyun
 * Living long connection), research protocols.md sections B, C, D.
 */
import { strict as assert } from 'node:assert';
import type * as mqtt from 'mqtt';
import { startTestBroker, type TestBroker } from '../support/broker';
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
    const RESULT_SAMPLE = `{
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

    it('seed 001 uplink sample goes out as given (key "179f", oid "7be6") and the result sample confirms it', async () => {
      const { got } = await startIotos();
      helper.getNode('dev').receive({ payload: UPLINK_SAMPLE });
      const up = await published(UP);
      assert.deepEqual(JSON.parse(up.body), UPLINK_SAMPLE);
      await platform.publishAsync(`${UP}/1963/result`, RESULT_SAMPLE);
      const ok = await waitFor(() => got.up![0], 'uplink confirmed');
      assert.equal(ok.payload.requestId, UPLINK_SAMPLE.requestId);
      assert.equal(ok.payload.results.length, 1);
      assert.equal(ok.payload.results[0].responseCode, 0);
      assert.equal(ok.payload.results[0].responseDesc, 'OK');
      assert.equal(ok.payload.results[0].meaning.en, 'OK');
      assert.equal(ok.payload.results[0].extra, undefined);
      assert.equal(got.caught!.length, 0);
    });

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

    it('seed 001 downlink sample reaches output 2 with a zone-free time and is answered as the reply sample shows', async () => {
      const { got, warnings } = await startIotos();
      const from = heard.length;
      await platform.publishAsync(`${DOWN}/1963`, DOWNLINK_SAMPLE);
      const down = await waitFor(() => got.down![0], 'downlink');
      assert.equal(down.payload, 'QWRYGSGSFDGFDS');
      assert.equal(down.topic, 'iotos/downlink/数据点名称');
      assert.equal(down.iotos.dataId, 1963);
      assert.equal(down.iotos.requestId, '966cb44c30464305bbea98694664b103');
      assert.equal(down.iotos.tsMs, 1642502674510);
      assert.equal(down.iotos.time, '2022-01-18T10:44:34.510Z');
      assert.equal(down.iotos.extra, undefined);
      assert.ok(warnings.some((w) => /not strict JSON/.test(w)));
      const reply = JSON.parse((await published(`${DOWN}/1963/result`, from)).body);
      assert.deepEqual(Object.keys(reply).sort(), ['id', 'name', 'oid', 'requestId', 'requestTime', 'responseCode', 'responseDesc', 'responseId', 'responseTime', 'ts', 'value']);
      assert.equal(reply.id, 1963);
      assert.equal(reply.oid, '7be6');
      assert.equal(reply.value, 'QWRYGSGSFDGFDS');
      assert.equal(reply.ts, 1642502674510);
      assert.equal(reply.requestId, '966cb44c30464305bbea98694664b103');
      assert.equal(reply.requestTime, 1627737953514.123);
      assert.equal(reply.responseCode, 0);
      assert.ok(reply.responseId.length <= 32);
    });

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

    it('seed 001 downlink ts in seconds and undocumented fields: same time, fields in msg.iotos.extra', async () => {
      const { got } = await startIotos();
      await platform.publishAsync(`${DOWN}/1963`, JSON.stringify({ id: 1963, requestId: 'r2', value: 5, ts: 1642502674.51, unit: '℃', meta: { a: 1 } }));
      const down = await waitFor(() => got.down![0], 'downlink');
      assert.equal(down.iotos.time, '2022-01-18T10:44:34.510Z');
      assert.deepEqual(down.iotos.extra, { unit: '℃', meta: { a: 1 } });
    });

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

    // seed 004 "设备属性变更推送", verbatim.
    const PROPERTIES = `{
  "id": "msgid3",
  "version": "1.0",
  "params": {
          "iotId":"0300MSKL03667c544f69342a74Sv4Za4",
          "productKey":"X5eCzh6fEH7",
          "deviceName":"5gJtxDVeGAkaEztpisjX",
          "items":{
              "temperature":{
                  "time":1510292697471,
                  "value":30
              },
              "meterReadingMonth":{
                  "time":1510292697470,
                  "value":715665571
              },
              "alarm":{
                  "time":1510292697470,
                  "value":"normal"
              }
          }
    },
  "method":""
}`;
    // seed 004 "设备事件变更推送", verbatim (its missing commas included).
    const EVENT = `{
  "id": "msgid4",
  "version": "1.0",
  "params":{
      "identifier":"BrokenInfo"
      "name":"损坏率上报",
      "type":"info",
      "iotId":"4z819VQHk6VSLmmBJfrf00107ee200",
      "productKey":"X5eCzh6fEH7",
      "deviceName":"5gJtxDVeGAkaEztpisjX",
      "value":{
        "Power":"on"
        "structParam":{
                "param1":"abc",
                "param2":123
            }
       },
       "time":1510799670074
   }
   "method":"thing.events"
}`;
    // seed 004 "设备连接状态变更推送", verbatim (comment included).
    const STATUS = `{
  "id": "msgid4",
  "version": "1.0",
  "params":{
        "iotId":"0300MSKL03667c544f69342a74Sv4Za4",
        "productKey":"X5eCzh6fEH7",
        "deviceName":"5gJtxDVeGAkaEztpisjX",
        "status":{
             "time":1510292697471,
             "value":"0"
         }
  }
  "method":"thing.status"  //0:未激活;1:上线;3:离线;8:禁用; 
}`;
    // seed 004 "添加子设备结果推送到移动客户端", verbatim.
    const TOPO = `{
    "id":"msgId1",
    "version":"1.0",
    "param":{
        "status":0, //0 添加topo成功,1 子设备注册,设备已被其它网关绑定, 2 子设备注册,注册失败
        "subIotId":"xxx",
        "subProductKey":"xxx",
        "subDeviceName":"xxx",
        "oldGwIotId":"xxx",
        "oldGwProductKey":"xxx",
        "oldGwDeviceName":"xxx",
        "newGwIotId":"xxx",
        "newGwProductKey":"xxx",
        "newGwDeviceName":"xxx"
    },
    "method":"thing.topo.add.status"
}`;
    // seed 004 "固件升级进度推送到移动客户端", verbatim.
    const OTA = `{
    "id": "123456790123",
    "version": "1.0",
    "params": {
        "iotId": "",
        "srcVersion": "", //最近一次升级源版本
        "destVersion": "", //最近一次升级目标版本
        "step": 1, //升级进度百分比及错误码
        "desc": "", //升级进度错误码对应信息描述
        "upgradeStatus": 1 //0:待升级或待确认,1:升级中,2:升级异常,3:升级失败,4:升级完成。
    },
    "method":"ota.device.forward"
}`;

    it('seed 004 samples of all five push kinds decode as documented, times in UTC whatever the host zone', async () => {
      const { got } = await startLiving();
      await platform.publishAsync(`${DOWN}/thing/properties`, PROPERTIES);
      await platform.publishAsync(`${DOWN}/thing/events`, EVENT);
      await platform.publishAsync(`${DOWN}/thing/status`, STATUS);
      await platform.publishAsync(`${DOWN}/thing/topo/add/status`, TOPO);
      await platform.publishAsync(`${DOWN}/ota/device/forward`, OTA);
      await waitFor(() => got.push!.length === 5, 'five pushes');
      const [p, e, s, t, o] = ['properties', 'events', 'status', 'topo', 'ota'].map((k) => got.push!.find((m) => m.aliyun.kind === k)!);
      assert.deepEqual(p!.payload.properties, { temperature: 30, meterReadingMonth: 715665571, alarm: 'normal' });
      assert.deepEqual(p!.payload.times.temperature, { ms: 1510292697471, iso: '2017-11-10T05:44:57.471Z' });
      assert.equal(p!.topic, 'aliyun-living/properties/5gJtxDVeGAkaEztpisjX');
      assert.deepEqual(p!.aliyun.device, { iotId: '0300MSKL03667c544f69342a74Sv4Za4', productKey: PK, deviceName: '5gJtxDVeGAkaEztpisjX' });
      assert.equal(p!.aliyun.id, 'msgid3');
      assert.deepEqual(p!.aliyun.flags, []);
      assert.equal(e!.payload.identifier, 'BrokenInfo');
      assert.equal(e!.payload.name, '损坏率上报');
      assert.equal(e!.payload.type, 'info');
      assert.deepEqual(e!.payload.value, { Power: 'on', structParam: { param1: 'abc', param2: 123 } });
      assert.deepEqual(e!.payload.time, { ms: 1510799670074, iso: '2017-11-16T02:34:30.074Z' });
      assert.equal(e!.aliyun.method, 'thing.events');
      assert.equal(e!.aliyun.lenient, true);
      assert.deepEqual({ ...s!.payload.status }, { code: 0, en: 'inactive', zh: '未激活' });
      assert.equal(s!.payload.time.iso, '2017-11-10T05:44:57.471Z');
      assert.equal(t!.payload.status.code, 0);
      assert.equal(t!.payload.subDeviceName, 'xxx');
      assert.equal(t!.payload.newGwIotId, 'xxx');
      assert.equal(o!.payload.upgradeStatus.code, 1);
      assert.equal(o!.payload.progress, 1);
      assert.equal(o!.aliyun.id, '123456790123');
      assert.equal(got.caught!.length, 0);
    });

    it('seed 004 bind and unbind: the request body is the document\'s, and the sample reply answers it', async () => {
      const { got } = await startLiving();
      let from = heard.length;
      helper.getNode('liv').receive({ action: 'bind', iotToken: 'iot_token123', clientId: 'mqttusername1234' });
      const bind = JSON.parse((await published(`/sys/${PK}/${DN}/app/up/account/bind`, from)).body);
      assert.deepEqual({ ...bind, id: 'msgid1' }, { id: 'msgid1', version: '1.0', request: { clientId: 'mqttusername1234' }, params: { iotToken: 'iot_token123' } });
      await platform.publishAsync(`/sys/${PK}/${DN}/app/down/account/bind_reply`, `{\n    "id":"${bind.id}",\n    "code":200,\n    "message":"success"\n}`);
      const r1 = await waitFor(() => got.reply![0], 'bind reply');
      assert.deepEqual(r1.payload, { id: bind.id, code: 200, message: 'success', ok: true });
      from = heard.length;
      helper.getNode('liv').receive({ action: 'unbind' });
      const unbind = JSON.parse((await published(`/sys/${PK}/${DN}/app/up/account/unbind`, from)).body);
      assert.deepEqual({ ...unbind, id: 'msgid2' }, { id: 'msgid2', version: '1.0', request: { clientId: 'mqttusername1234' }, params: {} });
    });

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

    it('seed 004 and D.1 undocumented fields (statusLast, clientIp, gmtCreate) are kept at their path in extra', async () => {
      const { got } = await startLiving();
      await platform.publishAsync(`${DOWN}/thing/status`, JSON.stringify({
        id: 'm5', version: '1.0', method: 'thing.status', gmtCreate: 1510292697000,
        params: { iotId: 'i', productKey: PK, deviceName: 'd1', clientIp: '10.0.0.1', status: { time: 1510292697471, value: 1, statusLast: 3 } },
      }));
      const s = await waitFor(() => got.push![0], 'status');
      assert.equal(s.payload.status.en, 'online');
      assert.deepEqual(s.aliyun.extra, { gmtCreate: 1510292697000, params: { clientIp: '10.0.0.1', status: { statusLast: 3 } } });
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

    it('seed 004 event without value is delivered with value null', async () => {
      const { got } = await startLiving();
      await platform.publishAsync(`${DOWN}/thing/events`, JSON.stringify({ id: 'm7', params: { identifier: 'Ring', type: 'info', time: 1510799670074 } }));
      const e = await waitFor(() => got.push![0], 'event');
      assert.equal(e.payload.value, null);
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

    const SAMPLES: Array<[string, string, unknown]> = [
      ['attributes', '{\n    "key1": "{value1}",\n    "key2": "{value2}"\n}', { key1: '{value1}', key2: '{value2}' }],
      ['event_report', '{\n    "method": "{name}",\n    "params": {\n        "key1": "{value1}",\n        "key2": "{value2}",\n    }\n}', { method: '{name}', params: { key1: '{value1}', key2: '{value2}' } }],
      ['command_reply', '{\n    "method": "{name}",\n    "params": {\n        "key1": "{value1}",\n        "key2": "{value2}",\n    },\n    "id": 1\n}', { method: '{name}', params: { key1: '{value1}', key2: '{value2}' }, id: 1 }],
      ['alarm', '{\n    // true=告警;false=恢复\n    "alerting": true\n}', { alerting: true }],
      ['online', '{\n    // true=上线;false=下线\n    "online": true\n}', { online: true }],
    ];

    it('seed 003 subscription samples of every kind (and custom data bytes) decode as documented', async () => {
      const { got } = await startEzt();
      for (const [kind, body] of SAMPLES) await platform.publishAsync(`${OPEN}/${kind}`, body);
      await platform.publishAsync(`${OPEN}/data/stream1`, 'fek34j==');
      await waitFor(() => got.in!.length === 6, 'six messages');
      for (const [kind, , expected] of SAMPLES) {
        const m = got.in!.find((x) => x.eztcloud.kind === kind)!;
        assert.deepEqual(m.payload, expected, kind);
        assert.equal(m.topic, `eztcloud/${kind}/${DU}`);
        assert.equal(m.eztcloud.device, DU);
        assert.equal(m.eztcloud.extra, undefined);
      }
      const data = got.in!.find((x) => x.eztcloud.kind === 'data')!;
      assert.ok(Buffer.isBuffer(data.payload));
      assert.equal(data.payload.toString(), 'fek34j==');
      assert.equal(data.eztcloud.stream, 'stream1');
      assert.equal(data.topic, `eztcloud/data/${DU}/stream1`);
    });

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

    it('seed 003 alarm with fields beyond alerting keeps them in msg.eztcloud.extra', async () => {
      const { got } = await startEzt();
      await platform.publishAsync(`${OPEN}/alarm`, JSON.stringify({ alerting: false, alerting_degree: 2, rule: 'temp' }));
      const m = await waitFor(() => got.in![0], 'alarm');
      assert.deepEqual(m.payload, { alerting: false });
      assert.deepEqual(m.eztcloud.extra, { alerting_degree: 2, rule: 'temp' });
    });

    it('seed 003 publish samples: attributes_push and command_send bodies exactly, the reply matched by id', async () => {
      const { got } = await startEzt();
      let from = heard.length;
      helper.getNode('eout').receive({ action: 'attributes_push', payload: { key1: '{value1}', key2: '{value2}' } });
      const attrs = await published(`${OPEN}/attributes_push`, from);
      assert.deepEqual(JSON.parse(attrs.body), { key1: '{value1}', key2: '{value2}' });
      from = heard.length;
      helper.getNode('eout').receive({ payload: { method: '{name}', params: { key1: '{value1}', key2: '{value2}' }, id: 1 } });
      const cmd = await published(`${OPEN}/command_send`, from);
      assert.deepEqual(JSON.parse(cmd.body), { method: '{name}', params: { key1: '{value1}', key2: '{value2}' }, id: 1 });
      // C: the platform matches the reply by the same id; the app-side sample carries it.
      await platform.publishAsync(`${OPEN}/command_reply`, JSON.stringify({ method: '{name}', params: { ok: 1 }, id: 1, ts: 1700000000 }));
      const reply = await waitFor(() => got.out!.find((m) => m.payload?.id === 1 && m.request?.action === 'command_send'), 'command reply');
      assert.deepEqual(reply.payload, { method: '{name}', params: { ok: 1 }, id: 1 });
      assert.deepEqual(reply.eztcloud.extra, { ts: 1700000000 });
      assert.equal(typeof reply.roundTripMs, 'number');
    });

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
