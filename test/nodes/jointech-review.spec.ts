/**
 * Jointech cases written from the documents alone (seed 000 "数据推送服务说明" / "MQTT规则配置说明",
 * research protocols.md A.2/A.3), run through the real nodes: lock-command and jointech-in on a
 * real broker, jointech-in's webhook over real HTTP. Each row names its source. The whole file
 * runs again in two child processes with fixed host zones (east and west of UTC).
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MqttClient } from 'mqtt';
import { buildRequest } from '../../src/protocols/jointech/commands';
import { decodePush } from '../../src/protocols/jointech/messages';
import { captured, httpNodeProbe } from '../fixtures/http-node-probe';
import { withRedAndBroker } from '../support/suite';
import { inTimeZones } from '../support/time-zones';
import { builtNode, collect, helper, sleep, testClient, waitFor, type FlowNode } from '../support/red';

const nodes = [builtNode('jointech-account'), builtNode('jointech-in'), builtNode('lock-command'), httpNodeProbe];
const AK = 'RV' + Math.random().toString(16).slice(2, 8);
const S000 = 'seed 000';

// Document samples, verbatim (seed 000).
const LOCATION_WEBHOOK = '{"assetId":"8022300001","longitude":0.0,"latitude":0.0,"speed":0,"direction":0,"mileage":16,"gpsTime":"2022-09-01T08:59:56Z","ksInfo":"","recvTime":"2022-09-01T08:59:56.964Z","locType":0,"cellSignal":19,"gnssSignal":0,"cells":"460,0,9383,220792647","battery":100,"voltage":"0.0","statusJson":"{\\"lockBar\\":-1,\\"lockRope\\":0,\\"lockStatus\\":0}","expandInfo":"{\\"angle\\":\\"null\\",\\"backBattery\\":\\"null\\",\\"fuels\\":\\"-1,-1,-1\\",\\"humidity\\":\\"0\\",\\"lux\\":\\"0.0\\",\\"networkType\\":\\"0\\",\\"pressure\\":\\"0.0\\",\\"reportType\\":\\"0\\",\\"temperature\\":\\"-1000.0\\"}"}';
const LOCATION_MQTT = '{"assetId":"8052400203","battery":255,"cellSignal":31,"cells":"460,0,10352,188975300","direction":0,"expandInfo":"{\\"angle\\":\\"null\\",\\"backBattery\\":\\"null\\",\\"fuels\\":\\"-1,-1,-1\\",\\"humidity\\":\\"0\\",\\"lux\\":\\"null\\",\\"networkType\\":\\"0\\",\\"pressure\\":\\"null\\",\\"reportType\\":\\"null\\",\\"temperature\\":\\"-1000.0\\"}","gnssSignal":0,"gpsTime":"2025-02-07T07:26:30Z","latitude":22.6700711039462,"locType":2,"longitude":113.922999834147,"mileage":0,"recvTime":"2025-02-07T07:25:20.832Z","speed":0,"statusJson":"{\\"lockRope\\":0,\\"lockStatus\\":0}","voltage":"0.0"}';
const ALARM_WEBHOOK = '{"assetId":"875011000025","alarmType":46,"dateTime":"2020-04-01T00:00:13Z","longitude":0.0,"latitude":0.0,"speed":0,"mileage":0,"cells":"0,0,0,0","describe":"","fileIndex":"1585699212"}';
const ALARM_MQTT = '{"alarmType":44,"assetId":"8454601010","cells":"460,0,9383,149428936","dateTime":"2020-04-01T00:00:25Z","describe":"","fileIndex":"1585728025","latitude":22.6766686619127,"longitude":113.928864975252,"mileage":59,"speed":0}';
const EVENT_WEBHOOK = '{"assetId":"795206001104","eventType":1,"unLockType":1,"dateTime":"2022-08-19T02:07:28Z","longitude":0.0,"latitude":0.0,"speed":0,"mileage":5,"cells":"460,0,10352,220726855","card":"0003116836","password":"","fileIndex":"1767002445","describe":"{\\"waybillGUID\\":\\"190db1a2-3df1-4857-b94e-ee5937334409\\",\\"waybillNo\\":\\"45435345\\"}"}';
const EVENT_MQTT = '{"assetId":"8454601010","card":"","cells":"460,0,9383,149428936","dateTime":"2025-02-07T06:54:52Z","describe":"","eventType":1,"latitude":22.6766686619127,"longitude":113.928864975252,"mileage":59,"password":"","speed":0,"unLockType":2}';
const CMD_BASE2 = '{"assetId":"742207000010","commandType":"BASE2","content":"[\\"742207000010\\",\\"8\\",\\"001\\",\\"BASE\\",\\"2\\",\\"20220901081402\\"]","dateTime":"2022-09-01T08:14:03.564Z"}';
const CMD_BASE1 = '{"assetId":"794308010642","commandType":"BASE1","content":"[\\"794308010642\\",\\"8\\",\\"001\\",\\"BASE\\",\\"1\\",\\"JT709A_20241115_HW-V1.2_RFID_7600_V2_8\\",\\"0\\",\\"Jointech\\",\\"LE20B05SIM7600M21-A_CUS_JT\\",\\"898604B81022C1046673\\",\\"868822046635957\\",\\"460\\",\\"0\\",\\"188975300\\",\\"10352\\"]","dateTime":"2025-02-07T03:52:39.964Z"}';
const CMD_OFFLINE = '{"assetId":"8294630003","commandType":"MQTT_CMD","content":"Device not online！","dateTime":"2025-01-07T09:49:43.158Z"}';
const CMD_UNREGISTERED = '{"assetId":"8294630481","commandType":"MQTT_CMD","content":"Device has not been registered！","dateTime":"2025-01-07T09:48:32.975Z"}';
const SUBLOCK_WEBHOOK = '{"assetId":"8012600005","longitude":113.92294,"latitude":22.670017,"speed":0,"direction":0,"gpsTime":"2023-12-07T08:30:31Z","recvTime":"2023-12-07T08:30:52.474Z","subGpsTime":"2023-12-07T08:29:50Z","battery":71,"voltage":"3.93","subAssetID":"E0171E0365","sensorType":4,"statusJson":"{\\"lockRope\\":0,\\"gateway\\":0}","locStatus":0,"locRope":0,"rssi":57,"temperature":-1000.0,"humidity":0,"eventType":6,"locTimes":5,"subGpsTimestamp":1701937790000}';
const SUBLOCK_MQTT = '{"assetId":"8052400203","battery":41,"direction":0,"eventType":3,"gpsTime":"2025-02-07T07:16:07Z","humidity":0,"latitude":-0.0,"locRope":0,"locStatus":0,"locTimes":54,"longitude":-0.0,"recvTime":"2025-02-07T07:14:57.315Z","rssi":15,"sensorType":4,"speed":0,"statusJson":"{\\"lockRope\\":0,\\"gateway\\":0}","subAssetID":"E0171E0366","subGpsTime":"2025-02-07T07:15:14Z","subGpsTimestamp":1738912514000,"temperature":-1000.0,"voltage":"3.75"}';

const up = (device: string, type: string) => `upload/${AK}/${device}/${type}`;
const with_ = (body: string, patch: Record<string, unknown>) => JSON.stringify({ ...JSON.parse(body), ...patch });

describe('Jointech review: cases from the documents through the real nodes', function () {
  this.timeout(20000);
  const ctx = withRedAndBroker();
  let client: MqttClient;
  const sent: Array<{ topic: string; frame: string }> = [];

  async function loadFlow(extra: FlowNode[], inProps: Record<string, unknown> = {}) {
    await helper.load(nodes, [
      { id: 'f1', type: 'tab' },
      { id: 'acc', type: 'jointech-account', z: 'f1', accessKey: AK, qos: 1, connection: { url: ctx.broker.url, reconnectMinMs: 100, reconnectMaxMs: 1000 } },
      { id: 'in', type: 'jointech-in', z: 'f1', account: 'acc', mode: 'mqtt', wires: [['out']], ...inProps },
      { id: 'out', type: 'helper', z: 'f1' },
      { id: 'c1', type: 'catch', z: 'f1', scope: null, uncaught: false, wires: [['caught']] },
      { id: 'caught', type: 'helper', z: 'f1' },
      ...extra,
    ], { acc: { username: 'u', password: 'p' } });
    const acc = helper.getNode('acc') as unknown as { connection: { connected: boolean; filters: string[] } };
    await waitFor(() => acc.connection.connected && acc.connection.filters.length > 0, 'subscription');
    await sleep(100);
    client = await testClient(ctx.broker.url);
    sent.length = 0;
    await client.subscribeAsync(`download/${AK}/#`, { qos: 1 });
    client.on('message', (topic, body) => sent.push({ topic, frame: body.toString() }));
  }
  afterEach(async () => { await client?.endAsync(); });

  /** Publishes `rows` and waits until each one came out or was caught. */
  async function publishAll(rows: Array<{ topic: string; body: string }>) {
    const out = collect(helper.getNode('out'));
    const caught = collect(helper.getNode('caught'));
    for (const r of rows) await client.publishAsync(r.topic, r.body, { qos: 1 });
    await waitFor(() => out.length + caught.length >= rows.length, `${rows.length} results`);
    await sleep(50);
    const result = (body: string, topic?: string) => ({
      out: out.find((m) => m.jointech.raw === body && (topic === undefined || m.jointech.mqttTopic === topic)),
      caught: caught.find((m) => m.payload === body && (topic === undefined || m.topic === topic)),
    });
    return result;
  }

  describe('jointech-in over MQTT: every document sample (3.1-3.5)', () => {
    const rows: Array<{ src: string; topic: string; body: string; check: (p: Record<string, any>, j: Record<string, any>) => void }> = [
      { src: `${S000} 数据推送 1.定位数据`, topic: up('8022300001', 'location'), body: LOCATION_WEBHOOK, check: (p, j) => {
        assert.equal(p.gpsTime, '2022-09-01T08:59:56.000Z'); assert.equal(p.gpsTimeMs, Date.UTC(2022, 8, 1, 8, 59, 56));
        assert.equal(p.recvTimeMs, Date.UTC(2022, 8, 1, 8, 59, 56, 964));
        assert.deepEqual(p.cells, { mcc: 460, mnc: 0, lac: 9383, cid: 220792647 });
        assert.equal(p.battery, 100); assert.equal(p.charging, false); assert.equal(p.voltage, 0);
        assert.equal(p.statusJson.lockRope.code, 0); assert.equal(p.statusJson.lockStatus.code, 0);
        // lockBar -1 is what the sample sends; the StatusJson class names 0..4 only.
        assert.equal(p.statusJson.lockBar.code, -1);
        assert.equal(p.expandInfo.temperature, null); assert.deepEqual(p.expandInfo.fuels, [null, null, null]);
        assert.deepEqual(j.flags, []);
      } },
      { src: `${S000} MQTT 3.1 终端状态上报`, topic: up('8052400203', 'location'), body: LOCATION_MQTT, check: (p, j) => {
        assert.equal(p.gpsTimeMs, Date.UTC(2025, 1, 7, 7, 26, 30));
        assert.equal(p.battery, null); assert.equal(p.charging, true); // 255表示充电中
        assert.equal(p.locType.code, 2); assert.equal(p.latitude, 22.6700711039462);
        assert.deepEqual(j.flags, []);
      } },
      { src: `${S000} 数据推送 2.报警数据`, topic: up('875011000025', 'alarm'), body: ALARM_WEBHOOK, check: (p) => {
        assert.deepEqual(p.alarmType, { code: 46, en: p.alarmType.en, zh: '开后盖' });
        assert.equal(p.cells, null); assert.equal(p.fileIndex, '1585699212');
        assert.equal(p.dateTimeMs, Date.UTC(2020, 3, 1, 0, 0, 13));
      } },
      { src: `${S000} MQTT 3.2 终端报警上报`, topic: up('8454601010', 'alarm'), body: ALARM_MQTT, check: (p) => {
        assert.equal(p.alarmType.zh, '刷非法卡');
      } },
      { src: `${S000} 数据推送 3.事件数据`, topic: up('795206001104', 'event'), body: EVENT_WEBHOOK, check: (p) => {
        assert.equal(p.eventType.zh, '开锁'); assert.equal(p.unLockType.code, 1);
        assert.equal(p.card, '0003116836');
        assert.deepEqual(p.describe, { waybillGUID: '190db1a2-3df1-4857-b94e-ee5937334409', waybillNo: '45435345' });
      } },
      { src: `${S000} MQTT 3.3 终端事件上报`, topic: up('8454601010', 'event'), body: EVENT_MQTT, check: (p) => {
        assert.equal(p.unLockType.code, 2); assert.equal(p.dateTimeMs, Date.UTC(2025, 1, 7, 6, 54, 52));
      } },
      { src: `${S000} 数据推送 4.指令应答数据`, topic: up('742207000010', 'cmd'), body: CMD_BASE2, check: (p, j) => {
        assert.equal(p.ok, true); assert.equal(p.frame.protocol, '8'); assert.equal(p.frame.serial, '001');
        assert.equal(p.frame.command, 'BASE2'); assert.deepEqual(p.frame.params, ['20220901081402']);
        assert.deepEqual(j.flags, []);
      } },
      { src: `${S000} MQTT 3.4 正常回复`, topic: up('794308010642', 'cmd'), body: CMD_BASE1, check: (p) => {
        assert.equal(p.content.length, 15); assert.equal(p.frame.params[0], 'JT709A_20241115_HW-V1.2_RFID_7600_V2_8');
      } },
      { src: `${S000} MQTT 3.4 失败回复 Device not online`, topic: up('8294630003', 'cmd'), body: CMD_OFFLINE, check: (p) => {
        assert.equal(p.ok, false); assert.equal(p.failure, 'device-offline'); assert.equal(p.error, 'Device not online！');
      } },
      { src: `${S000} MQTT 3.4 失败回复 not registered`, topic: up('8294630481', 'cmd'), body: CMD_UNREGISTERED, check: (p) => {
        assert.equal(p.failure, 'device-unregistered');
      } },
      { src: `${S000} 数据推送 5.从机数据`, topic: `upload/${AK}/8012600005/E0171E0365/sublock`, body: SUBLOCK_WEBHOOK, check: (p, j) => {
        assert.equal(j.subLockId, 'E0171E0365');
        // subGpsTime and subGpsTimestamp name the same instant in the document's sample.
        assert.equal(p.subGpsTimestamp, Date.UTC(2023, 11, 7, 8, 29, 50)); assert.equal(p.subGpsTime, '2023-12-07T08:29:50.000Z');
        assert.equal(p.temperature, null); assert.equal(p.humidity, null); assert.equal(p.sensorType.code, 4);
        assert.equal(p.eventType.code, 6); assert.equal(p.voltage, 3.93);
      } },
      { src: `${S000} MQTT 3.5 从机状态上报`, topic: `upload/${AK}/8052400203/E0171E0366/sublock`, body: SUBLOCK_MQTT, check: (p, j) => {
        assert.equal(p.subGpsTimestamp, Date.UTC(2025, 1, 7, 7, 15, 14)); assert.equal(p.eventType.code, 3);
        assert.deepEqual(j.flags, [], '-0.0 coordinates are in range');
      } },
    ];
    // seed 000 示例说明: 有些字段数据可能会因为不同设备类型的原因… fields beyond the tables (KS20A, newer firmware) are kept.
    rows.push({ src: `${S000} fields not in the tables are kept`, topic: up('8454601010', 'alarm'), body: with_(ALARM_MQTT, { alarmLevel: 2, extra: { a: 1 } }), check: (p) => {
      assert.equal(p.alarmLevel, 2); assert.deepEqual(p.extra, { a: 1 });
    } });
    it('decodes each sample with the document\'s values and no flags', async () => {
      await loadFlow([]);
      const result = await publishAll(rows);
      for (const r of rows) {
        const { out, caught } = result(r.body);
        assert.ok(out, `${r.src}: decoded (caught: ${caught?.error?.message})`);
        assert.equal(out.jointech.mqttTopic, r.topic, r.src);
        r.check(out.payload, out.jointech);
      }
    });
  });

  describe('jointech-in over MQTT: refusals and flags (policy: refuse what cannot be read, keep and flag what is only out of range)', () => {
    type Row = { src: string; topic: string; body: string; refuse?: RegExp; flag?: string };
    const rows: Row[] = [
      // Times: every Jointech time is "UTC时间" (seed 000 field tables); examples end in Z.
      { src: `${S000} gpsTime 定位时间（UTC时间）: zone-less`, topic: up('8052400203', 'location'), body: with_(LOCATION_MQTT, { gpsTime: '2025-02-07T07:26:30' }), refuse: /gpsTime/ },
      { src: `${S000} gpsTime: impossible date`, topic: up('8052400203', 'location'), body: with_(LOCATION_MQTT, { gpsTime: '2025-02-30T07:26:30Z' }), refuse: /gpsTime/ },
      { src: `${S000} gpsTime: "1"`, topic: up('8052400203', 'location'), body: with_(LOCATION_MQTT, { gpsTime: '1' }), refuse: /gpsTime/ },
      { src: `${S000} gpsTime: 24:00:00`, topic: up('8052400203', 'location'), body: with_(LOCATION_MQTT, { gpsTime: '2025-02-07T24:00:00Z' }), refuse: /gpsTime/ },
      { src: `${S000} dateTime（UTC时间）: a number`, topic: up('8454601010', 'alarm'), body: with_(ALARM_MQTT, { dateTime: 1585728025000 }), refuse: /dateTime/ },
      { src: `${S000} subGpsTimestamp long: a fraction`, topic: `upload/${AK}/8052400203/E0171E0366/sublock`, body: with_(SUBLOCK_MQTT, { subGpsTimestamp: 1738912514000.5 }), refuse: /subGpsTimestamp/ },
      { src: `${S000} subGpsTimestamp long: text`, topic: `upload/${AK}/8052400203/E0171E0366/sublock`, body: with_(SUBLOCK_MQTT, { subGpsTimestamp: 'soon' }), refuse: /subGpsTimestamp/ },
      // Ranges: 经度/纬度(WGS-84), 方向(0~360), 电量 (255 charging).
      { src: `${S000} latitude 纬度(WGS-84)`, topic: up('8052400203', 'location'), body: with_(LOCATION_MQTT, { latitude: 999.5 }), flag: 'latitude' },
      { src: `${S000} longitude 经度(WGS-84)`, topic: up('8052400203', 'location'), body: with_(LOCATION_MQTT, { longitude: -200 }), flag: 'longitude' },
      { src: `${S000} direction 方向(0~360)`, topic: up('8052400203', 'location'), body: with_(LOCATION_MQTT, { direction: 361 }), flag: 'direction' },
      { src: `${S000} battery 电量，255表示充电中`, topic: up('8052400203', 'location'), body: with_(LOCATION_MQTT, { battery: 300 }), flag: 'battery' },
      { src: `${S000} 从机电量`, topic: `upload/${AK}/8052400203/E0171E0366/sublock`, body: with_(SUBLOCK_MQTT, { battery: 101 }), flag: 'battery' },
      { src: `${S000} alarm 纬度(WGS-84)`, topic: up('8454601010', 'alarm'), body: with_(ALARM_MQTT, { latitude: -90.5 }), flag: 'latitude' },
      { src: `${S000} 从机 longitude`, topic: `upload/${AK}/8052400203/E0171E0366/sublock`, body: with_(SUBLOCK_MQTT, { longitude: 180.01 }), flag: 'longitude' },
      // StatusJson class (Java sample): lockBar Integer 0..4; a text where an Integer belongs is flagged.
      { src: `${S000} StatusJson.lockBar Integer`, topic: up('8052400203', 'location'), body: with_(LOCATION_MQTT, { statusJson: '{"lockBar":"bent","lockRope":0,"lockStatus":0}' }), flag: 'statusJson.lockBar' },
      { src: `${S000} StatusJson.lockStatus Integer`, topic: up('8052400203', 'location'), body: with_(LOCATION_MQTT, { statusJson: '{"lockRope":0,"lockStatus":{"x":1}}' }), flag: 'statusJson.lockStatus' },
      { src: `${S000} statusJson String (JSON object)`, topic: up('8052400203', 'location'), body: with_(LOCATION_MQTT, { statusJson: '[1,2]' }), refuse: /statusJson/ },
      { src: `${S000} 从机 statusJson 802 lockValve Integer`, topic: `upload/${AK}/8052400203/E0171E0366/sublock`, body: with_(SUBLOCK_MQTT, { statusJson: '{"lockValve":"open"}' }), flag: 'statusJson.lockValve' },
      // Wrong types against the field tables.
      { src: `${S000} assetId String: empty`, topic: up('8052400203', 'location'), body: with_(LOCATION_MQTT, { assetId: '' }), refuse: /assetId/ },
      { src: `${S000} speed Integer: text`, topic: up('8454601010', 'alarm'), body: with_(ALARM_MQTT, { speed: 'fast' }), refuse: /speed/ },
      { src: `${S000} alarmType Integer: 44.5`, topic: up('8454601010', 'alarm'), body: with_(ALARM_MQTT, { alarmType: 44.5 }), refuse: /alarmType/ },
      { src: `${S000} eventType Integer: missing`, topic: up('8454601010', 'event'), body: with_(EVENT_MQTT, { eventType: null }), refuse: /eventType|fits no|looks like/ },
      { src: `${S000} content String: an array`, topic: up('742207000010', 'cmd'), body: with_(CMD_BASE2, { content: ['x'] }), refuse: /content/ },
      { src: `${S000} content JSON array string: broken`, topic: up('742207000010', 'cmd'), body: with_(CMD_BASE2, { content: '["742207000010",' }), refuse: /content/ },
      { src: 'malformed JSON', topic: up('8052400203', 'location'), body: '{"assetId":"8052400203",', refuse: /JSON/ },
      { src: 'JSON that is no object', topic: up('8052400203', 'location'), body: '[1]', refuse: /object/ },
      // Identity: topic levels {deviceNum} and {subLockNum} (MQTT 3 订阅说明) against assetId / subAssetID.
      { src: `${S000} MQTT 3 {deviceNum} vs assetId`, topic: up('8022300001', 'location'), body: LOCATION_MQTT, refuse: /8022300001.*8052400203|assetId/ },
      { src: `${S000} MQTT 3 {subLockNum} vs subAssetID`, topic: `upload/${AK}/8052400203/E0171E0365/sublock`, body: SUBLOCK_MQTT, refuse: /subAssetID|sub-lock/ },
      { src: `${S000} MQTT 3 {deviceNum} of a sublock vs assetId`, topic: `upload/${AK}/8012600005/E0171E0366/sublock`, body: SUBLOCK_MQTT, refuse: /assetId/ },
      { src: `${S000} MQTT 3 empty {subLockNum} level`, topic: `upload/${AK}/8052400203//sublock`, body: SUBLOCK_MQTT, refuse: /empty/ },
      { src: `${S000} MQTT 3 empty device level`, topic: `upload/${AK}//location`, body: LOCATION_MQTT, refuse: /empty/ },
      { src: `${S000} MQTT 3 type level vs payload (alarm body on location)`, topic: up('8454601010', 'location'), body: ALARM_MQTT, refuse: /alarm/ },
      // protocols.md A.3: content is the device's reply frame; a frame of another device is flagged.
      { src: 'protocols.md A.3 content frame deviceId vs assetId', topic: up('742207000010', 'cmd'), body: with_(CMD_BASE2, { content: '["742207000011","8","001","BASE","2","20220901081402"]' }), flag: 'content' },
    ];
    it('refuses with a Catch-able error carrying the raw input, or keeps the message and flags the field', async () => {
      await loadFlow([]);
      const warnings: string[] = [];
      const inNode = helper.getNode('in') as unknown as { warn: (m: unknown) => void };
      const origWarn = inNode.warn.bind(inNode);
      inNode.warn = (m: unknown) => { warnings.push(String(m)); origWarn(m); };
      const result = await publishAll(rows);
      for (const r of rows) {
        const { out, caught } = result(r.body, r.topic);
        if (r.refuse) {
          assert.ok(!out, `${r.src}: not emitted`);
          assert.ok(caught, `${r.src}: caught`);
          assert.match(caught.error.message, r.refuse, r.src);
          assert.equal(caught.topic, r.topic, `${r.src}: the topic goes with the error`);
          assert.equal(caught.jointech.raw, r.body, r.src);
        } else {
          assert.ok(out, `${r.src}: emitted (caught: ${caught?.error?.message})`);
          const f = out.jointech.flags.find((x: { field: string }) => x.field === r.flag);
          assert.ok(f, `${r.src}: ${r.flag} flagged, got ${JSON.stringify(out.jointech.flags)}`);
          assert.equal(typeof f.reason, 'string');
          assert.ok(warnings.some((w) => w.includes(r.flag!)), `${r.src}: a warning names ${r.flag}`);
        }
      }
      // Kept values stay as sent.
      const lat = result(rows.find((r) => r.flag === 'latitude')!.body).out!;
      assert.equal(lat.payload.latitude, 999.5);
      const bat = result(rows.find((r) => r.flag === 'battery')!.body).out!;
      assert.equal(bat.payload.battery, 300);
      // After all of this the next good message still flows.
      const next = await publishAll([{ topic: up('8454601010', 'alarm'), body: ALARM_MQTT }]);
      assert.ok(next(ALARM_MQTT).out);
    });
  });

  describe('lock-command: catalogue frames (protocols.md A.2, seed 000 MQTT 3.6)', () => {
    type Row = { src: string; device: string; command: string; params?: unknown; operation?: 0 | 1; frame?: string; refuse?: RegExp };
    const rows: Row[] = [
      { src: `${S000} MQTT 3.6 (794308010642,1,001,BASE,1)`, device: '794308010642', command: 'BASE1', frame: '(794308010642,1,S,BASE,1)' },
      { src: 'A.2 BASE2 platform push (id,1,001,BASE,2,yyyyMMddHHmmss) UTC', device: '742207000010', command: 'BASE2', params: ['20220901081402'], frame: '(742207000010,1,S,BASE,2,20220901081402)' },
      { src: 'A.2 BASE2: an impossible time is refused', device: '742207000010', command: 'BASE2', params: ['20250230000000'], refuse: /time/ },
      { src: 'A.2 BASE2: a zone-less ISO time is refused', device: '742207000010', command: 'BASE2', params: { time: '2025-02-07T07:26:30' }, refuse: /time/ },
      { src: 'A.2 BASE2: "1" is refused', device: '742207000010', command: 'BASE2', params: ['1'], refuse: /time/ },
      { src: 'A.2 BASE6 FUpLoadInterval 5-600, FAwakenInterval 30-1440', device: '794308010642', command: 'BASE6', params: [600, 30], frame: '(794308010642,1,S,BASE,6,1,600,30)' },
      { src: 'A.2 BASE6 query (FOperationType 0)', device: '794308010642', command: 'BASE6', operation: 0, frame: '(794308010642,1,S,BASE,6,0)' },
      { src: 'A.2 BASE6 upload 4 s', device: '794308010642', command: 'BASE6', params: [4, 30], refuse: /5\.\.600/ },
      { src: 'A.2 BASE6 wake 1441 min', device: '794308010642', command: 'BASE6', params: { uploadInterval: 60, wakeInterval: 1441 }, refuse: /30\.\.1440/ },
      { src: 'A.2 BASE8 FTimeDifference -720…780', device: '794308010642', command: 'BASE8', params: [-720], frame: '(794308010642,1,S,BASE,8,1,-720)' },
      { src: 'A.2 BASE8 781', device: '794308010642', command: 'BASE8', params: [781], refuse: /780/ },
      { src: 'A.2 BASE21 eight ranges', device: '794308010642', command: 'BASE21', params: [5, 15, 2, 50, 20, 1, 60, 15], frame: '(794308010642,1,S,BASE,21,1,5,15,2,50,20,1,60,15)' },
      { src: 'A.2 BASE21 FShockModel 1/2', device: '794308010642', command: 'BASE21', params: [5, 15, 3, 50, 20, 1, 60, 15], refuse: /shockModel/ },
      { src: 'A.2 GSENS2 FAlarmValue 500-8000, FAwakenValue 63-504', device: '794308010642', command: 'GSENS2', params: [500, 504], frame: '(794308010642,1,S,GSENS,2,1,500,504)' },
      { src: 'A.2 GSENS2 awaken 62', device: '794308010642', command: 'GSENS2', params: [500, 62], refuse: /63\.\.504/ },
      { src: 'A.2 ELOCK2 FRemindTime 60-600', device: '794308010642', command: 'ELOCK2', params: [60], frame: '(794308010642,1,S,ELOCK,2,1,60)' },
      { src: 'A.2 ELOCK2 601', device: '794308010642', command: 'ELOCK2', params: [601], refuse: /60\.\.600/ },
      { src: 'A.2 WLNET1 query (master,1,NNN,WLNET,1,0)', device: '7500313609', command: 'WLNET1', operation: 0, frame: '(7500313609,1,S,WLNET,1,0)' },
      { src: 'A.2 WLNET1 bind (…,WLNET,1,1,<count>,<id1>,…)', device: '7500313609', command: 'WLNET1', params: { subLocks: 'E017668836 E03B60000A' }, frame: '(7500313609,1,S,WLNET,1,1,2,E017668836,E03B60000A)' },
      { src: 'A.2 WLNET1 ids as a list', device: '7500313609', command: 'WLNET1', params: { subLocks: ['E017668836', 'E03B60000A'] }, frame: '(7500313609,1,S,WLNET,1,1,2,E017668836,E03B60000A)' },
      { src: 'A.2 WLNET1 count 0 unbinds all', device: '7500313609', command: 'WLNET1', operation: 1, frame: '(7500313609,1,S,WLNET,1,1,0)' },
      // The manual's own tail spelled as a list (operation, count, ids): the count must match, never be taken for an id.
      { src: 'A.2 WLNET1 spelled as the manual: 1,2,id1,id2', device: '7500313609', command: 'WLNET1', params: [1, 2, 'E017668836', 'E03B60000A'], frame: '(7500313609,1,S,WLNET,1,1,2,E017668836,E03B60000A)' },
      { src: 'A.2 WLNET1 spelled as the manual: 1,0 unbinds all', device: '7500313609', command: 'WLNET1', params: [1, 0], frame: '(7500313609,1,S,WLNET,1,1,0)' },
      { src: 'A.2 WLNET1 operation then ids without the count', device: '7500313609', command: 'WLNET1', params: [1, 'E017668836', 'E03B60000A'], frame: '(7500313609,1,S,WLNET,1,1,2,E017668836,E03B60000A)' },
      { src: 'A.2 WLNET1 a lone 1 is no sub-lock id (ids look like E017668836)', device: '7500313609', command: 'WLNET1', params: [1], refuse: /subLocks/ },
      { src: 'A.2 WLNET1 the ids alone, as typed in the dialog', device: '7500313609', command: 'WLNET1', params: ['E017668836', 'E03B60000A'], frame: '(7500313609,1,S,WLNET,1,1,2,E017668836,E03B60000A)' },
      { src: 'A.2 WLNET1 spelled with a wrong count', device: '7500313609', command: 'WLNET1', params: [1, 3, 'E017668836', 'E03B60000A'], refuse: /count|WLNET1/ },
      { src: 'A.2 WLNET8 manual (7500313609,1,001,WLNET,8,1,1,5,E017668836)', device: '7500313609', command: 'WLNET8', params: [5, 'E017668836'], frame: '(7500313609,1,S,WLNET,8,1,1,5,E017668836)' },
      { src: 'A.2 WLNET8 by name', device: '7500313609', command: 'WLNET8', params: { holdMinutes: 1, subLock: 'E017668836' }, frame: '(7500313609,1,S,WLNET,8,1,1,1,E017668836)' },
      { src: 'A.2 WLNET8 spelled as the manual: 1,1,5,id', device: '7500313609', command: 'WLNET8', params: [1, 1, 5, 'E017668836'], frame: '(7500313609,1,S,WLNET,8,1,1,5,E017668836)' },
      { src: 'A.2 WLNET8 minutes 1..5: 6', device: '7500313609', command: 'WLNET8', params: [6, 'E017668836'], refuse: /1\.\.5/ },
      { src: 'A.2 WLNET8 minutes 1..5: 0', device: '7500313609', command: 'WLNET8', params: [0, 'E017668836'], refuse: /1\.\.5/ },
      { src: 'A.2 WLNET8 no sub-lock id', device: '7500313609', command: 'WLNET8', params: [5], refuse: /subLock/ },
      { src: 'A.2 WLNET8 id with a comma would split the frame', device: '7500313609', command: 'WLNET8', params: [5, 'E0176,88836'], refuse: /","|\(|subLock/ },
      { src: 'A.2 WLNET8 minutes as 5.5', device: '7500313609', command: 'WLNET8', params: [5.5, 'E017668836'], refuse: /whole/ },
      { src: 'A.2 WLNET18 0 = off', device: '7500313609', command: 'WLNET18', params: [0, 86400], frame: '(7500313609,1,S,WLNET,18,1,0,86400)' },
      { src: 'A.2 WLNET18 4 s', device: '7500313609', command: 'WLNET18', params: [4, 5], refuse: /heartbeat/ },
      { src: 'A.2 BASE11 (id,1,001,BASE,11,123), not catalogued', device: '794308010642', command: 'BASE11', params: [123], frame: '(794308010642,1,S,BASE,11,123)' },
      { src: 'A.2 GSENS2 query', device: '794308010642', command: 'GSENS2', operation: 0, frame: '(794308010642,1,S,GSENS,2,0)' },
      // A.2 GSENS2 text example (id,1,001,GSENS,2,0,500,80): a 0 followed by values in a list must not become a bare query.
      { src: 'A.2 GSENS2 list 0,500,80', device: '794308010642', command: 'GSENS2', params: [0, 500, 80], refuse: /query/ },
      { src: 'A.2 BASE6 list 0 alone is the query', device: '794308010642', command: 'BASE6', params: [0], refuse: /uploadInterval/ },
      { src: 'A.2 deviceId digits', device: 'E017668836', command: 'BASE1', refuse: /digits/ },
      { src: 'A.2 command WORD+index', device: '794308010642', command: 'BASE', refuse: /WORD|index/ },
      { src: 'wrong type: params a number', device: '794308010642', command: 'BASE6', params: 5, refuse: /params|parameters/ },
      { src: 'wrong type: operation 2', device: '794308010642', command: 'BASE6', params: [60, 60], operation: 2 as 1, refuse: /operation/ },
    ];
    it('publishes each frame on download/{accessKey}/{deviceNum}/cmd, or refuses it through Catch before sending', async () => {
      await loadFlow([
        { id: 'cmd', type: 'lock-command', z: 'f1', account: 'acc', command: 'BASE1', timeout: 1, wires: [['r1'], ['r2']] },
        { id: 'r1', type: 'helper', z: 'f1' }, { id: 'r2', type: 'helper', z: 'f1' },
      ]);
      const caught = collect(helper.getNode('caught'));
      const errs = { get length() { return caught.filter((m) => m.error?.source?.id === 'cmd').length; } } as { length: number } & Array<Record<string, any>>;
      const lastErr = () => caught.filter((m) => m.error?.source?.id === 'cmd').at(-1)!;
      const cmd = helper.getNode('cmd');
      for (const [i, r] of rows.entries()) {
        const before = sent.length;
        const beforeErr = errs.length;
        const msg: Record<string, unknown> = { _row: i, device: r.device, command: r.command };
        if (r.params !== undefined) msg.params = r.params;
        if (r.operation !== undefined) msg.operation = r.operation;
        cmd.receive(msg);
        if (r.refuse) {
          await waitFor(() => errs.length > beforeErr, `${r.src}: refusal`);
          const e = lastErr();
          assert.match(e.error.message, r.refuse, r.src);
          assert.equal(e._row, i, `${r.src}: the offending msg goes with the error`);
          await sleep(30);
          assert.equal(sent.length, before, `${r.src}: nothing sent`);
        } else {
          await waitFor(() => sent.length > before || errs.length > beforeErr, `${r.src}: frame`);
          assert.equal(errs.length, beforeErr, `${r.src}: ${lastErr()?.error?.message}`);
          const s = sent[sent.length - 1]!;
          assert.equal(s.topic, `download/${AK}/${r.device}/cmd`, r.src);
          const m = /^\((\d+),1,(\d{3}),(.*)\)$/.exec(s.frame);
          assert.ok(m, `${r.src}: frame shape ${s.frame}`);
          assert.equal(s.frame.replace(`,1,${m[2]},`, ',1,S,'), r.frame, r.src);
        }
      }
    });

    it('matches the documents\' replies: BASE2 reply, WLNET8 unlock reply, platform failure', async () => {
      await loadFlow([
        { id: 'cmd', type: 'lock-command', z: 'f1', account: 'acc', command: 'BASE1', timeout: 5, wires: [['r1'], ['r2']] },
        { id: 'r1', type: 'helper', z: 'f1' }, { id: 'r2', type: 'helper', z: 'f1' },
      ], { types: ['location'] });
      const ok = collect(helper.getNode('r1'));
      const failed = collect(helper.getNode('r2'));
      const cmd = helper.getNode('cmd');
      // seed 000 数据推送 4: the BASE2 reply of 742207000010 (serial 001, field 2 = 8).
      cmd.receive({ device: '742207000010', command: 'BASE2', params: ['20220901081402'] });
      await waitFor(() => sent.length === 1, 'BASE2 sent');
      await client.publishAsync(up('742207000010', 'cmd'), CMD_BASE2, { qos: 1 });
      await waitFor(() => ok.length === 1, 'BASE2 reply');
      assert.deepEqual(ok[0]!.payload.fields, { time: '20220901081402' });
      // protocols.md A.2: (id,1,001,WLNET,8,0,E03B60000A) is the unlock reply.
      cmd.receive({ device: '7500313609', command: 'WLNET8', params: [5, 'E03B60000A'] });
      await waitFor(() => sent.length === 2, 'WLNET8 sent');
      const serial = /^\(7500313609,1,(\d{3}),/.exec(sent[1]!.frame)![1]!;
      await client.publishAsync(up('7500313609', 'cmd'), JSON.stringify({ assetId: '7500313609', commandType: 'WLNET8', content: JSON.stringify(['7500313609', '1', serial, 'WLNET', '8', '0', 'E03B60000A']), dateTime: '2025-02-07T03:52:39.964Z' }), { qos: 1 });
      await waitFor(() => ok.length === 2, 'WLNET8 reply');
      assert.deepEqual(ok[1]!.payload.fields, { result: '0', subLock: 'E03B60000A' });
      // seed 000 MQTT 3.4 失败回复.
      cmd.receive({ device: '8294630003', command: 'BASE1' });
      await waitFor(() => sent.length === 3, 'BASE1 sent');
      await client.publishAsync(up('8294630003', 'cmd'), CMD_OFFLINE, { qos: 1 });
      await waitFor(() => failed.length === 1, 'failure');
      assert.equal(failed[0]!.error.code, 'device-offline');
      // seed 000 MQTT 3 {deviceNum}: a reply on another device's topic is refused, not taken as the answer.
      const caught = collect(helper.getNode('caught'));
      cmd.receive({ device: '742207000010', command: 'BASE2', params: ['20220901081402'] });
      await waitFor(() => sent.length === 4, 'second BASE2 sent');
      await client.publishAsync(up('742207000011', 'cmd'), CMD_BASE2, { qos: 1 });
      await waitFor(() => caught.some((m) => m.error?.source?.id === 'cmd'), 'identity refusal');
      const refusal = caught.find((m) => m.error?.source?.id === 'cmd')!;
      assert.match(refusal.error.message, /742207000011.*742207000010/);
      assert.equal(refusal.payload, CMD_BASE2);
      assert.equal(ok.length, 2, 'not settled by the mismatched reply');
      await client.publishAsync(up('742207000010', 'cmd'), CMD_BASE2, { qos: 1 });
      await waitFor(() => ok.length === 3, 'settled by the right reply');
    });
  });

  describe('jointech-in webhook (real HTTP): every document sample and the refusals', () => {
    let server: http.Server | undefined;
    afterEach(async () => { if (server) await new Promise<void>((r) => server!.close(() => r())); server = undefined; });

    it('answers 200 for each sample, 400 with the error for what it refuses, and keeps going', async () => {
      await helper.load(nodes, [
        { id: 'f1', type: 'tab' },
        { id: 'in', type: 'jointech-in', z: 'f1', mode: 'webhook', path: '/jtrv', wires: [['out']] },
        { id: 'out', type: 'helper', z: 'f1' },
        { id: 'c1', type: 'catch', z: 'f1', scope: null, uncaught: false, wires: [['caught']] },
        { id: 'caught', type: 'helper', z: 'f1' },
      ]);
      server = http.createServer((req, res) => captured.app!(req, res));
      await new Promise<void>((r) => server!.listen(0, '127.0.0.1', () => r()));
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const post = async (body: string) => (await fetch(`${base}/jtrv`, { method: 'POST', body, headers: { 'content-type': 'application/json' } })).status;
      const out = collect(helper.getNode('out'));
      const caught = collect(helper.getNode('caught'));
      const good: Array<[string, string, string]> = [
        [`${S000} 数据推送 1`, LOCATION_WEBHOOK, 'location'], [`${S000} 数据推送 2`, ALARM_WEBHOOK, 'alarm'],
        [`${S000} 数据推送 3`, EVENT_WEBHOOK, 'event'], [`${S000} 数据推送 4`, CMD_BASE2, 'cmd'],
        [`${S000} 数据推送 5`, SUBLOCK_WEBHOOK, 'sublock'], [`${S000} MQTT 3.4 失败回复`, CMD_OFFLINE, 'cmd'],
      ];
      for (const [src, body, type] of good) {
        assert.equal(await post(body), 200, src);
        const msg = out.find((m) => m.jointech.raw === body);
        assert.ok(msg, src);
        assert.equal(msg.jointech.type, type, src);
        assert.equal(msg.jointech.via, 'webhook');
      }
      const bad: Array<[string, string, RegExp]> = [
        [`${S000} gpsTime zone-less`, with_(LOCATION_WEBHOOK, { gpsTime: '2022-09-01 08:59:56' }), /gpsTime/],
        [`${S000} dateTime 2020-02-30`, with_(ALARM_WEBHOOK, { dateTime: '2020-02-30T00:00:13Z' }), /dateTime/],
        [`${S000} subAssetID String: empty`, with_(SUBLOCK_WEBHOOK, { subAssetID: ' ' }), /subAssetID/],
        ['malformed JSON', '{"assetId":', /JSON/],
      ];
      for (const [src, body, re] of bad) {
        assert.equal(await post(body), 400, src);
        const c = caught.find((m) => m.payload === body);
        assert.ok(c, `${src}: caught with the raw body`);
        assert.match(c.error.message, re, src);
      }
      const flagged = with_(LOCATION_WEBHOOK, { latitude: 999.5, battery: 300 });
      assert.equal(await post(flagged), 200, 'kept and flagged over the webhook too');
      const f = out.find((m) => m.jointech.raw === flagged)!;
      assert.deepEqual(f.jointech.flags.map((x: { field: string }) => x.field).sort(), ['battery', 'latitude']);
    });
  });
});

describe('Jointech review: document times under two host zones', () => {
  inTimeZones(() => {
    it("reads the documents' UTC times the same way", () => {
      const p = decodePush(LOCATION_MQTT, 'location').payload;
      assert.equal(p.gpsTimeMs, 1738913190000); // 2025-02-07T07:26:30Z
      assert.equal(p.gpsTime, '2025-02-07T07:26:30.000Z');
      assert.throws(() => decodePush(with_(LOCATION_MQTT, { gpsTime: '2025-02-07T07:26:30' }), 'location'));
      assert.throws(() => decodePush(with_(LOCATION_MQTT, { gpsTime: '2025-02-29T07:26:30Z' }), 'location'));
      assert.equal(decodePush(with_(LOCATION_MQTT, { gpsTime: '2024-02-29T07:26:30Z' }), 'location').payload.gpsTimeMs, Date.UTC(2024, 1, 29, 7, 26, 30));
      // BASE2 carries UTC: a Date given by a flow goes out as its UTC fields, whatever the host zone.
      assert.deepEqual(buildRequest('742207000010', 'BASE2', [new Date(Date.UTC(2022, 8, 1, 8, 14, 2))]).params, ['20220901081402']);
      assert.deepEqual(buildRequest('742207000010', 'BASE2', { time: new Date(Date.UTC(2022, 8, 1, 0, 30, 0)) }).params, ['20220901003000']);
      const now = buildRequest('742207000010', 'BASE2', []).params[0]!;
      assert.ok(Math.abs(Date.UTC(+now.slice(0, 4), +now.slice(4, 6) - 1, +now.slice(6, 8), +now.slice(8, 10), +now.slice(10, 12), +now.slice(12, 14)) - Date.now()) < 5000, `BASE2 now ${now} is UTC`);
    });
  });
});
