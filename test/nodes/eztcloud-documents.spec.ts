/**
 * The EZtCloud MQTT API document (seed 003) and research notes (protocols.md C) as a test table:
 * every topic and payload they print is one row, fed through eztcloud-in / eztcloud-out in a real
 * Node-RED runtime over a real broker (the project marked as a local test broker, so plain MQTT
 * is allowed), with the exact fields or bytes expected. The application API carries no times.
 */
import assert from 'node:assert/strict';
import type * as mqtt from 'mqtt';
import { KINDS } from '../../src/protocols/eztcloud/topics';
import { parseLenientJson } from '../../src/protocols/lenient-json';
import { brokerLabel } from '../../tools/broker';
import { withRedAndBroker } from '../support/suite';
import { builtNode, collect, helper, sleep, testClient, waitFor } from '../support/red';

const nodes = [builtNode('eztcloud-project'), builtNode('eztcloud-in'), builtNode('eztcloud-out')];
const PK = 'PR_' + Math.random().toString(36).slice(2, 12);
/** seed 003 "MQTT 订阅主题": device usernames look like DU_xxxxxxxxxx. */
const DU = 'DU_xxxxxxxxxx';
const open = (suffix: string, device = DU) => `open/${PK}/${device}/${suffix}`;
const doc = (text: string) => parseLenientJson(text).value as Record<string, any>;

/** The samples exactly as seed 003 prints them (trailing commas and // comments included). */
const ATTRIBUTES = '{\n    "key1": "{value1}",\n    "key2": "{value2}"\n}';
const EVENT = '{\n    "method": "{name}",\n    "params": {\n        "key1": "{value1}",\n        "key2": "{value2}",\n    }\n}';
const COMMAND = '{\n    "method": "{name}",\n    "params": {\n        "key1": "{value1}",\n        "key2": "{value2}",\n    },\n    "id": 1\n}';
const ALARM = '{\n    // true=告警;false=恢复\n    "alerting": true\n}';
const ONLINE = '{\n    // true=上线;false=下线\n    "online": true\n}';

interface Row {
  source: string;
  topic: string;
  body: string | Buffer;
  config?: Record<string, unknown>;
  topicOut: string;
  payload: unknown;
  eztcloud: Record<string, unknown>;
}

const ROWS: Row[] = [
  {
    source: 'seed 003 订阅指定设备属性上报', topic: open('attributes'), body: ATTRIBUTES, topicOut: `eztcloud/attributes/${DU}`,
    payload: { key1: '{value1}', key2: '{value2}' }, eztcloud: { kind: 'attributes', device: DU },
  },
  {
    source: 'seed 003 订阅指定设备事件上报 (a trailing comma)', topic: open('event_report'), body: EVENT, topicOut: `eztcloud/event_report/${DU}`,
    payload: { method: '{name}', params: { key1: '{value1}', key2: '{value2}' } }, eztcloud: { kind: 'event_report', device: DU, lenient: true },
  },
  {
    source: 'seed 003 订阅指定设备命令回复', topic: open('command_reply'), body: COMMAND, topicOut: `eztcloud/command_reply/${DU}`,
    payload: { method: '{name}', params: { key1: '{value1}', key2: '{value2}' }, id: 1 }, eztcloud: { kind: 'command_reply', device: DU, lenient: true },
  },
  {
    source: 'seed 003 订阅指定设备自定义数据上报: any bytes, kept as bytes', topic: open('data/stream01'), body: 'fek34j==', topicOut: `eztcloud/data/${DU}/stream01`,
    payload: Buffer.from('fek34j=='), eztcloud: { kind: 'data', device: DU, stream: 'stream01' },
  },
  {
    source: 'seed 003 订阅指定设备自定义数据上报, read as text', topic: open('data/stream01'), body: 'fek34j==', config: { dataFormat: 'utf8' }, topicOut: `eztcloud/data/${DU}/stream01`,
    payload: 'fek34j==', eztcloud: { kind: 'data', device: DU, stream: 'stream01' },
  },
  {
    source: 'seed 003 订阅指定设备告警消息 (a // comment)', topic: open('alarm'), body: ALARM, topicOut: `eztcloud/alarm/${DU}`,
    payload: { alerting: true }, eztcloud: { kind: 'alarm', device: DU, lenient: true },
  },
  {
    source: 'seed 003 订阅指定设备上线/下线通知 (a // comment)', topic: open('online'), body: ONLINE, topicOut: `eztcloud/online/${DU}`,
    payload: { online: true }, eztcloud: { kind: 'online', device: DU, lenient: true },
  },
  {
    source: 'protocols.md C: the alarm engine\'s alerting_degree, not in the document, is kept in extra',
    topic: open('alarm', 'DU_other01'), body: '{"alerting": false, "alerting_degree": 2}', topicOut: 'eztcloud/alarm/DU_other01',
    payload: { alerting: false }, eztcloud: { kind: 'alarm', device: 'DU_other01', extra: { alerting_degree: 2 } },
  },
  {
    source: 'unknown fields of an event report are kept in extra, its params as sent',
    topic: open('event_report'), body: '{"method": "overheat", "params": {"t": 90}, "ts": 1700000000}', topicOut: `eztcloud/event_report/${DU}`,
    payload: { method: 'overheat', params: { t: 90 } }, eztcloud: { kind: 'event_report', device: DU, extra: { ts: 1700000000 } },
  },
];

describe(`EZtCloud document table through eztcloud-in / eztcloud-out against ${brokerLabel()}`, function () {
  this.timeout(20000);
  const ctx = withRedAndBroker();
  let platform: mqtt.MqttClient;
  afterEach(async () => {
    await platform?.endAsync(true);
  });

  async function load(flow: Array<Record<string, unknown> & { id: string; type: string }>, filters: number) {
    platform = await testClient(ctx.broker.url);
    await helper.load(nodes, [
      { id: 'f1', type: 'tab' },
      { id: 'proj', type: 'eztcloud-project', localTest: true, connection: { url: ctx.broker.url, reconnectMinMs: 100, reconnectMaxMs: 1000 } },
      ...flow.map((n) => ({ z: 'f1', ...n })),
    ], { proj: { projectKey: PK, projectSecret: 'secret' } });
    const proj = helper.getNode('proj') as unknown as { connection: { connected: boolean; filters: string[] } };
    await waitFor(() => proj.connection?.connected && proj.connection.filters.length === filters, 'connected and subscribed');
    await sleep(100);
    return proj;
  }

  it('has a document row for every message kind the node decodes', () => {
    assert.deepEqual([...new Set(ROWS.filter((r) => r.source.startsWith('seed 003')).map((r) => r.eztcloud.kind))].sort(), [...KINDS].sort());
  });

  it('seed 003 订阅项目内所有设备…: subscribes to the document\'s topics for every device of the project', async () => {
    const proj = await load([{ id: 'in', type: 'eztcloud-in', project: 'proj', wires: [[]] }], 6);
    assert.deepEqual([...proj.connection.filters].sort(), [
      `open/${PK}/+/alarm`, `open/${PK}/+/attributes`, `open/${PK}/+/command_reply`, `open/${PK}/+/data/+`, `open/${PK}/+/event_report`, `open/${PK}/+/online`,
    ]);
  });

  it('seed 003 订阅指定设备…: subscribes to the document\'s topics of one device and one stream', async () => {
    const proj = await load([{ id: 'in', type: 'eztcloud-in', project: 'proj', devicesMode: 'list', devices: DU, streams: 'stream01', wires: [[]] }], 6);
    assert.deepEqual([...proj.connection.filters].sort(), [
      open('alarm'), open('attributes'), open('command_reply'), open('data/stream01'), open('event_report'), open('online'),
    ]);
  });

  for (const row of ROWS) it(row.source, async () => {
    await load([{ id: 'in', type: 'eztcloud-in', project: 'proj', ...row.config, wires: [['out']] }, { id: 'out', type: 'helper' }], 6);
    const got = collect(helper.getNode('out'));
    await platform.publishAsync(row.topic, row.body, { qos: 1 });
    await waitFor(() => got.length === 1, row.source);
    assert.equal(got[0]!.topic, row.topicOut);
    assert.deepEqual(got[0]!.payload, row.payload);
    assert.deepEqual(got[0]!.eztcloud, { ...row.eztcloud, mqttTopic: row.topic });
  });

  it('seed 003 发布指定设备属性下发: eztcloud-out publishes the document\'s attributes_push payload', async () => {
    await load([{ id: 'send', type: 'eztcloud-out', project: 'proj', action: 'attributes_push', device: DU, wires: [[]] }], 1);
    const heard: Array<{ topic: string; body: string }> = [];
    platform.on('message', (topic, body) => heard.push({ topic, body: body.toString() }));
    await platform.subscribeAsync(open('+'), { qos: 1 });
    helper.getNode('send').receive({ payload: doc(ATTRIBUTES) });
    await waitFor(() => heard.length === 1, 'the attributes push');
    assert.equal(heard[0]!.topic, open('attributes_push'));
    assert.equal(heard[0]!.body, JSON.stringify(doc(ATTRIBUTES)));
  });

  it('seed 003 发布指定设备命令下发 and 订阅指定设备命令回复: eztcloud-out sends the document\'s command and takes its reply by id', async () => {
    await load([{ id: 'send', type: 'eztcloud-out', project: 'proj', action: 'command_send', device: DU, timeout: 2, wires: [['out']] }, { id: 'out', type: 'helper' }], 1);
    const got = collect(helper.getNode('out'));
    const heard: Array<{ topic: string; body: string }> = [];
    platform.on('message', (topic, body) => {
      heard.push({ topic, body: body.toString() });
      void platform.publish(open('command_reply'), COMMAND.replace('"id": 1', '"id": 1, "costMs": 12'), { qos: 1 });
    });
    await platform.subscribeAsync(open('command_send'), { qos: 1 });
    helper.getNode('send').receive({ payload: doc(COMMAND) });
    await waitFor(() => got.length === 1, 'the command reply');
    assert.equal(heard[0]!.body, JSON.stringify(doc(COMMAND)));
    assert.deepEqual(got[0]!.payload, doc(COMMAND));
    assert.deepEqual(got[0]!.eztcloud, { extra: { costMs: 12 } });
  });
});
