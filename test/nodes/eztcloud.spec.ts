/**
 * eztcloud-in / eztcloud-out against a real broker over TLS (mqtts) and secure WebSocket (wss),
 * with a CA generated for the run, checked through core's tls-config node; a test client plays
 * the platform's devices.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import * as mqtt from 'mqtt';
import { startSecureBroker, type SecureBroker } from '../../tools/secure-broker';
import { startAedes } from '../../tools/broker';
import { builtNode, collect, helper, lastStatus, sleep, waitFor, type FlowNode } from '../support/red';

const root = join(__dirname, '..', '..', '..');
const coreTls = require(require.resolve('@node-red/nodes/core/network/05-tls.js', { paths: [join(root, 'node_modules', 'node-red')] }));
const nodes = [builtNode('eztcloud-project'), builtNode('eztcloud-in'), builtNode('eztcloud-out'), coreTls];
const PK = 'PR_' + Math.random().toString(36).slice(2, 12);
const SECRET = 'secret-' + Math.random().toString(36).slice(2, 8);
const DEV = 'DU_abc123';

describe('eztcloud-in / eztcloud-out over TLS and WebSocket', function () {
  this.timeout(20000);
  let broker: SecureBroker;
  const clients: mqtt.MqttClient[] = [];

  before(async () => {
    await new Promise<void>((r) => helper.startServer(r));
    broker = await startSecureBroker({ username: PK, password: SECRET });
  });
  after(async () => {
    await broker.close();
    await new Promise<void>((r) => helper.stopServer(r));
  });
  afterEach(async () => {
    await helper.unload();
    await Promise.all(clients.splice(0).map((c) => c.endAsync(true)));
  });

  /** The platform side: a client with the project's credentials and the test CA. */
  async function platform(url = broker.mqttsUrl): Promise<mqtt.MqttClient> {
    const c = await mqtt.connectAsync(url, { username: PK, password: SECRET, ca: broker.ca, reconnectPeriod: 0 });
    clients.push(c);
    return c;
  }

  function project(url: string, extra: Record<string, unknown> = {}): FlowNode[] {
    return [
      { id: 'tls', type: 'tls-config', cert: '', key: '', ca: broker.caFile, servername: '', verifyservercert: true },
      { id: 'proj', type: 'eztcloud-project', tls: 'tls', connection: { url, reconnectMinMs: 100, reconnectMaxMs: 1000 }, ...extra },
    ];
  }

  async function load(url: string, flow: FlowNode[], creds: Record<string, string> = { projectKey: PK, projectSecret: SECRET }) {
    await helper.load(nodes, [{ id: 'f1', type: 'tab' }, ...project(url), ...flow.map((n) => ({ z: 'f1', ...n }))], { proj: creds });
    const proj = helper.getNode('proj') as unknown as { connection?: { connected: boolean; filters: string[] }; problem?: string };
    return proj;
  }

  async function connected(proj: { connection?: { connected: boolean; filters: string[] } }, filters: number) {
    await waitFor(() => proj.connection?.connected && proj.connection.filters.length === filters, 'connected and subscribed');
    await sleep(100);
  }

  it('receives every message kind over mqtts, the documents\' near-JSON samples included', async () => {
    const proj = await load(broker.mqttsUrl, [
      { id: 'in', type: 'eztcloud-in', project: 'proj', dataFormat: 'buffer', wires: [['out']] },
      { id: 'out', type: 'helper' },
    ]);
    await connected(proj, 6);
    assert.deepEqual([...proj.connection!.filters].sort(), [
      `open/${PK}/+/alarm`, `open/${PK}/+/attributes`, `open/${PK}/+/command_reply`, `open/${PK}/+/data/+`, `open/${PK}/+/event_report`, `open/${PK}/+/online`,
    ]);
    const got = collect(helper.getNode('out'));
    const p = await platform();
    const send = (suffix: string, body: string | Buffer) => p.publishAsync(`open/${PK}/${DEV}/${suffix}`, body, { qos: 1 });
    await send('attributes', '{"key1": "v1", "temperature": 21.5}');
    await send('event_report', '{\n "method": "overheat",\n "params": {\n  "key1": "v1",\n  "key2": "v2",\n }\n}');
    await send('command_reply', '{"method": "open", "params": {"ok": 1}, "id": 1}');
    await send('data/stream01', Buffer.from([0x7e, 0x00, 0xff, 0x10]));
    await send('alarm', '{\n    // true=告警;false=恢复\n    "alerting": true\n}');
    await send('online', '{"online": false}');
    await waitFor(() => got.length === 6, 'six messages');
    const by = (kind: string) => got.find((m) => m.eztcloud.kind === kind)!;
    assert.deepEqual(by('attributes').payload, { key1: 'v1', temperature: 21.5 });
    assert.equal(by('attributes').topic, `eztcloud/attributes/${DEV}`);
    assert.deepEqual(by('event_report').payload, { method: 'overheat', params: { key1: 'v1', key2: 'v2' } });
    assert.equal(by('event_report').eztcloud.lenient, true);
    assert.deepEqual(by('command_reply').payload, { method: 'open', params: { ok: 1 }, id: 1 });
    assert.ok(Buffer.isBuffer(by('data').payload));
    assert.deepEqual([...by('data').payload], [0x7e, 0x00, 0xff, 0x10]);
    assert.equal(by('data').eztcloud.stream, 'stream01');
    assert.equal(by('data').topic, `eztcloud/data/${DEV}/stream01`);
    assert.deepEqual(by('alarm').payload, { alerting: true });
    assert.deepEqual(by('online').payload, { online: false });
    const warn = helper.getNode('in').warn as unknown as { getCalls(): Array<{ args: unknown[] }> };
    assert.ok(warn.getCalls().some((c) => /not strict JSON/.test(String(c.args[0]))), 'near-JSON is accepted with a warning');
  });

  it('subscribes only to the ticked kinds, devices and streams, one output per kind, over wss', async () => {
    const proj = await load(broker.wssUrl, [
      { id: 'in', type: 'eztcloud-in', project: 'proj', kinds: ['data', 'online'], devicesMode: 'list', devices: `${DEV}, DU_other`, streams: 'temp', dataFormat: 'json', split: 'per-kind', outputs: 6, wires: [['o0'], ['o1'], ['o2'], ['o3'], ['o4'], ['o5']] },
      ...['o0', 'o1', 'o2', 'o3', 'o4', 'o5'].map((id) => ({ id, type: 'helper' })),
    ]);
    await connected(proj, 4);
    assert.deepEqual([...proj.connection!.filters].sort(), [`open/${PK}/DU_other/data/temp`, `open/${PK}/DU_other/online`, `open/${PK}/${DEV}/data/temp`, `open/${PK}/${DEV}/online`].sort());
    const outs = ['o0', 'o1', 'o2', 'o3', 'o4', 'o5'].map((id) => collect(helper.getNode(id)));
    const p = await platform(broker.wssUrl);
    await p.publishAsync(`open/${PK}/${DEV}/data/temp`, '{"c": 36.6}', { qos: 1 });
    await p.publishAsync(`open/${PK}/${DEV}/data/other`, '{"c": 1}', { qos: 1 });
    await p.publishAsync(`open/${PK}/DU_third/online`, '{"online": true}', { qos: 1 });
    await p.publishAsync(`open/${PK}/DU_other/online`, '{"online": true}', { qos: 1 });
    await waitFor(() => outs[3]!.length === 1 && outs[5]!.length === 1, 'data and online');
    await sleep(200);
    assert.deepEqual(outs.map((o) => o.length), [0, 0, 0, 1, 0, 1]);
    assert.deepEqual(outs[3]![0]!.payload, { c: 36.6 });
    assert.equal(outs[5]![0]!.eztcloud.device, 'DU_other');
  });

  for (const transport of ['mqtts', 'wss'] as const) it(`pushes attributes and round-trips many commands in flight over ${transport}, matched by device and id`, async () => {
    const url = transport === 'mqtts' ? broker.mqttsUrl : broker.wssUrl;
    const proj = await load(url, [
      { id: 'cmd', type: 'eztcloud-out', project: 'proj', action: 'command_send', method: 'setLevel', waitReply: true, timeout: 5, wires: [['replies']] },
      { id: 'attr', type: 'eztcloud-out', project: 'proj', action: 'attributes_push', device: DEV, wires: [['pushed']] },
      { id: 'replies', type: 'helper' },
      { id: 'pushed', type: 'helper' },
    ]);
    await connected(proj, 1);
    const p = await platform(url);
    const seen: Array<{ topic: string; body: any }> = [];
    p.on('message', (topic, body) => {
      const cmd = JSON.parse(body.toString());
      seen.push({ topic, body: cmd });
      if (!topic.endsWith('/command_send')) return;
      const device = topic.split('/')[2]!;
      // Devices answer out of order, echoing the id and the level.
      setTimeout(() => p.publish(`open/${PK}/${device}/command_reply`, JSON.stringify({ method: cmd.method, params: { level: cmd.params.level, device }, id: cmd.id }), { qos: 1 }), Math.random() * 200);
    });
    await p.subscribeAsync(`open/${PK}/+/+`, { qos: 1 });
    const pushed = collect(helper.getNode('pushed'));
    helper.getNode('attr').receive({ payload: { switch: 1 } });
    await waitFor(() => pushed.length === 1, 'attributes published');
    const replies = collect(helper.getNode('replies'));
    const devices = ['DU_a1', 'DU_a2', 'DU_a3', 'DU_a4'];
    for (let i = 0; i < 20; i++) helper.getNode('cmd').receive({ device: devices[i % 4], payload: { level: i } });
    await waitFor(() => replies.length === 20, '20 replies');
    for (const r of replies) {
      assert.equal(r.payload.params.device, r.request.device);
      assert.equal(r.payload.params.level, r.request.body.params.level, 'each reply with its own command');
      assert.equal(r.payload.id, r.request.body.id);
      assert.equal(r.topic, `eztcloud/command_reply/${r.request.device}`);
      assert.ok(r.roundTripMs >= 0);
    }
    const attr = seen.find((s) => s.topic === `open/${PK}/${DEV}/attributes_push`)!;
    assert.deepEqual(attr.body, { switch: 1 });
    const sends = seen.filter((s) => s.topic.endsWith('/command_send'));
    assert.equal(sends.length, 20);
    assert.ok(sends.every((s) => s.body.method === 'setLevel' && Number.isInteger(s.body.id)));
    assert.equal(new Set(sends.map((s) => s.body.id)).size, 20, 'the node assigns unique ids');
  });

  it('reports a missing reply as a timeout error, and rejects bad input before publishing', async () => {
    const proj = await load(broker.mqttsUrl, [
      { id: 'cmd', type: 'eztcloud-out', project: 'proj', action: 'command_send', waitReply: true, timeout: 5, wires: [['replies']] },
      { id: 'replies', type: 'helper' },
    ]);
    await connected(proj, 1);
    const p = await platform();
    const seen: string[] = [];
    p.on('message', (t) => seen.push(t));
    await p.subscribeAsync(`open/${PK}/+/command_send`, { qos: 1 });
    const node = helper.getNode('cmd');
    const errors = node.error as unknown as { getCalls(): Array<{ args: [unknown, Record<string, any>?] }> };
    node.receive({ device: DEV, method: 'reboot', timeout: 0.3, payload: {} });
    await waitFor(() => errors.getCalls().length === 1, 'timeout error');
    assert.match(String(errors.getCalls()[0]!.args[0]), /no command_reply from DU_abc123 for id \d+ within 0\.3 s/);
    assert.equal(errors.getCalls()[0]!.args[1]!.request.body.method, 'reboot');
    assert.equal(seen.length, 1);
    node.receive({ device: 'abc', method: 'x', payload: {} });
    node.receive({ device: DEV, payload: { level: 1 } });
    node.receive({ device: 'DU_x/#', method: 'x', payload: {} });
    node.receive({ device: DEV, action: 'attributes_push', payload: 5 });
    await waitFor(() => errors.getCalls().length === 5, 'four input errors');
    const texts = errors.getCalls().slice(1).map((c) => String(c.args[0]));
    assert.match(texts[0]!, /must be a device username like DU_/);
    assert.match(texts[1]!, /method is empty/);
    assert.match(texts[2]!, /must not contain/);
    assert.match(texts[3]!, /attributes_push needs msg\.payload as an object/);
    await sleep(200);
    assert.equal(seen.length, 1, 'nothing invalid published');
    assert.equal(collect(helper.getNode('replies')).length, 0);
    // An id still waiting for its reply from that device cannot be sent again: the replies could not be told apart.
    node.receive({ device: DEV, method: 'reboot', id: 77, payload: {} });
    await waitFor(() => seen.length === 2, 'the command with id 77');
    node.receive({ device: DEV, method: 'reboot', id: 77, payload: {} });
    await waitFor(() => errors.getCalls().length === 6, 'the second id 77 refused');
    assert.match(String(errors.getCalls()[5]!.args[0]), /a command with id 77 to DU_abc123 is still waiting for its reply/);
    await sleep(200);
    assert.equal(seen.length, 2, 'the second id 77 not published');
  });

  it('takes device and method from msg, flow context or env per message, msg.device first; a bad value is refused with its msg; old flows keep typed text', async () => {
    process.env.EZTCLOUD_TEST_DEVICE = 'DU_env42';
    try {
      const proj = await load(broker.mqttsUrl, [
        { id: 'typed', type: 'eztcloud-out', project: 'proj', action: 'command_send', device: 'target', deviceType: 'msg', method: 'ezMethod', methodType: 'flow', waitReply: false, wires: [['sent']] },
        { id: 'fromEnv', type: 'eztcloud-out', project: 'proj', action: 'command_send', device: 'EZTCLOUD_TEST_DEVICE', deviceType: 'env', method: 'reboot', waitReply: false, wires: [['sent']] },
        // Saved before the fields had types: "target" is a text field and stays the device.
        { id: 'old', type: 'eztcloud-out', project: 'proj', action: 'command_send', device: 'DU_old1', method: 'ezMethod', waitReply: false, wires: [['sent']] },
        { id: 'sent', type: 'helper' },
      ]);
      await connected(proj, 0);
      const p = await platform();
      const seen: Array<{ topic: string; body: Record<string, unknown> }> = [];
      p.on('message', (topic, body) => seen.push({ topic, body: JSON.parse(body.toString()) as Record<string, unknown> }));
      await p.subscribeAsync(`open/${PK}/+/command_send`, { qos: 1 });
      const typed = helper.getNode('typed');
      (typed as unknown as { context(): { flow: { set(k: string, v: unknown): void } } }).context().flow.set('ezMethod', 'open_door');
      typed.receive({ target: 'DU_msg1', payload: {} });
      typed.receive({ target: 'DU_msg1', device: 'DU_over1', payload: {} });
      helper.getNode('fromEnv').receive({ payload: {} });
      helper.getNode('old').receive({ target: 'DU_msg1', payload: {} });
      await waitFor(() => seen.length === 4, 'four commands');
      const byDevice = Object.fromEntries(seen.map((m) => [m.topic.split('/')[2], m.body.method]));
      assert.deepEqual(byDevice, { DU_msg1: 'open_door', DU_over1: 'open_door', DU_env42: 'reboot', DU_old1: 'ezMethod' });
      const errors = typed.error as unknown as { getCalls(): Array<{ args: [unknown, Record<string, any>?] }> };
      typed.receive({ target: 'abc', tag: 1, payload: {} });
      typed.receive({ target: 7, tag: 2, payload: {} });
      await waitFor(() => errors.getCalls().length === 2, 'two errors');
      assert.match(String(errors.getCalls()[0]!.args[0]), /device from msg\.target: .*must be a device username like DU_/, 'the refused value is named with where it came from');
      assert.equal(errors.getCalls()[0]!.args[1]!.tag, 1);
      assert.match(String(errors.getCalls()[1]!.args[0]), /device from msg\.target/);
      await sleep(200);
      assert.equal(seen.length, 4, 'nothing invalid published');
    } finally {
      delete process.env.EZTCLOUD_TEST_DEVICE;
    }
  });

  it('reports malformed payloads with the raw text and keeps receiving', async () => {
    const proj = await load(broker.mqttsUrl, [
      { id: 'in', type: 'eztcloud-in', project: 'proj', kinds: ['alarm', 'attributes'], wires: [['out']] },
      { id: 'out', type: 'helper' },
    ]);
    await connected(proj, 2);
    const got = collect(helper.getNode('out'));
    const node = helper.getNode('in');
    const errors = node.error as unknown as { getCalls(): Array<{ args: [unknown, Record<string, any>?] }> };
    const p = await platform();
    await p.publishAsync(`open/${PK}/${DEV}/alarm`, '{"alerting": "yes"}', { qos: 1 });
    await p.publishAsync(`open/${PK}/${DEV}/attributes`, '{"a": ', { qos: 1 });
    await p.publishAsync(`open/${PK}/${DEV}/attributes`, '[1, 2]', { qos: 1 });
    await p.publishAsync(`open/${PK}/${DEV}/alarm`, '{"alerting": false}', { qos: 1 });
    await waitFor(() => errors.getCalls().length === 3 && got.length === 1, 'three errors, then the good message');
    assert.match(String(errors.getCalls()[0]!.args[0]), /alarm payload: alerting/);
    assert.equal(errors.getCalls()[1]!.args[1]!.payload, '{"a": ');
    assert.deepEqual(got[0]!.payload, { alerting: false });
    assert.match(lastStatus(node)!.text!, /3 errors/);
  });

  it('shows wrong credentials in the status and never connects', async () => {
    await load(broker.mqttsUrl, [{ id: 'in', type: 'eztcloud-in', project: 'proj', wires: [[]] }], { projectKey: PK, projectSecret: 'wrong' });
    const node = helper.getNode('in');
    await waitFor(() => /disconnected: .*(not authori[sz]ed|bad user name or password)/i.test(lastStatus(node)?.text ?? ''), 'auth failure in the status');
    const proj = helper.getNode('proj') as unknown as { connection: { connected: boolean } };
    assert.equal(proj.connection.connected, false);
    assert.ok(!JSON.stringify((node.status as unknown as { getCalls(): Array<{ args: unknown[] }> }).getCalls().map((c) => c.args)).includes('wrong'), 'the secret never shows in the status');
  });

  it('refuses plain mqtt:// unless the project is marked as a local test broker', async () => {
    await load('mqtt://127.0.0.1:1', [{ id: 'in', type: 'eztcloud-in', project: 'proj', wires: [[]] }]);
    const refused = helper.getNode('proj') as unknown as { problem?: string; connection?: unknown };
    assert.match(refused.problem!, /only encrypted connections/);
    assert.equal(refused.connection, undefined);
    assert.match(lastStatus(helper.getNode('in'))!.text!, /only encrypted connections/);
    await helper.unload();
    const local = await startAedes();
    try {
      await helper.load(nodes, [
        { id: 'f1', type: 'tab' },
        { id: 'proj', type: 'eztcloud-project', localTest: true, connection: { url: local.url } },
        { id: 'in', type: 'eztcloud-in', z: 'f1', project: 'proj', kinds: ['online'], wires: [['out']] },
        { id: 'out', type: 'helper', z: 'f1' },
      ], { proj: { projectKey: PK, projectSecret: SECRET } });
      const proj = helper.getNode('proj') as unknown as { connection: { connected: boolean; filters: string[] } };
      await connected(proj, 1);
      const got = collect(helper.getNode('out'));
      const c = await mqtt.connectAsync(local.url, { reconnectPeriod: 0 });
      await c.publishAsync(`open/${PK}/${DEV}/online`, '{"online": true}', { qos: 1 });
      await waitFor(() => got.length === 1, 'message from the local broker');
      await c.endAsync();
      await helper.unload();
    } finally {
      await local.close();
    }
  });
});
