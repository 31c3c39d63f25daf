/**
 * lock-command in a real Node-RED runtime against a real broker, with a small simulated device:
 * a test client that subscribes to the download topic and answers as the documents show.
 */
import assert from 'node:assert/strict';
import type * as mqtt from 'mqtt';
import { brokerLabel, freePort } from '../../tools/broker';
import { withRedAndBroker } from '../support/suite';
import { builtNode, collect, helper, sleep, testClient, waitFor } from '../support/red';

const nodes = [builtNode('jointech-account'), builtNode('lock-command')];
const AK = 'AK' + Math.random().toString(16).slice(2, 8);

type Behaviour = 'ok' | 'offline' | 'unregistered' | 'silent' | { delayMs: number };

interface Received { device: string; fields: string[]; frame: string }

/** A device (or several) behind the platform: answers each frame on upload/{ak}/{dev}/cmd. */
async function simulatedDevices(url: string, behaviour: (device: string, fields: string[]) => Behaviour) {
  const client: mqtt.MqttClient = await testClient(url);
  const received: Received[] = [];
  const reply = (device: string, commandType: string, content: string) =>
    client.publish(`upload/${AK}/${device}/cmd`, JSON.stringify({ assetId: device, commandType, content, dateTime: new Date().toISOString() }), { qos: 1 });
  client.on('message', (topic, body) => {
    const frame = body.toString();
    const device = topic.split('/')[2]!;
    const fields = frame.slice(1, -1).split(',');
    received.push({ device, fields, frame });
    const [id, , serial, word, index] = fields as [string, string, string, string, string];
    const b = behaviour(device, fields);
    // Devices answer with their own type code in field 2 and echo the serial; BASE1 firmware
    // names carry the serial so that tests can see which request a reply belongs to.
    const answer = () => reply(device, `${word}${index}`, JSON.stringify([id, '8', serial, word, index, `FW-${device}-${serial}`, '0', 'Jointech']));
    if (b === 'ok') answer();
    else if (b === 'offline') reply(device, 'MQTT_CMD', 'Device not online！');
    else if (b === 'unregistered') reply(device, 'MQTT_CMD', 'Device has not been registered！');
    else if (b !== 'silent') setTimeout(answer, b.delayMs);
  });
  await client.subscribeAsync(`download/${AK}/+/cmd`, { qos: 1 });
  return { received, end: () => client.endAsync() };
}

describe(`lock-command against ${brokerLabel()}`, function () {
  this.timeout(20000);
  const ctx = withRedAndBroker();

  async function load(props: Record<string, unknown> = {}) {
    await helper.load(nodes, [
      { id: 'f1', type: 'tab' },
      { id: 'acc', type: 'jointech-account', accessKey: AK, qos: 1, connection: { url: ctx.broker.url, reconnectMinMs: 100, reconnectMaxMs: 1000 } },
      { id: 'cmd', type: 'lock-command', z: 'f1', account: 'acc', command: 'BASE1', timeout: 5, wires: [['ok'], ['fail']], ...props },
      { id: 'ok', type: 'helper', z: 'f1' },
      { id: 'fail', type: 'helper', z: 'f1' },
    ], { acc: { username: 'u', password: 'p' } });
    const acc = helper.getNode('acc') as unknown as { connection: { connected: boolean; filters: string[] } };
    await waitFor(() => acc.connection.connected && acc.connection.filters.includes(`upload/${AK}/+/cmd`), 'reply subscription');
    await sleep(100);
    return { node: helper.getNode('cmd'), ok: collect(helper.getNode('ok')), fail: collect(helper.getNode('fail')) };
  }

  it('sends the document frame and emits the parsed reply with the request and round trip', async () => {
    const sim = await simulatedDevices(ctx.broker.url, () => 'ok');
    const { node, ok, fail } = await load({ device: '794308010642' });
    node.receive({ payload: 'go', keep: 'me' });
    await waitFor(() => ok.length === 1, 'reply');
    const sent = sim.received[0]!;
    assert.match(sent.frame, /^\(794308010642,1,\d{3},BASE,1\)$/);
    const msg = ok[0]!;
    assert.equal(msg.keep, 'me', 'the input msg travels on');
    assert.equal(msg.topic, 'jointech/cmd/794308010642');
    assert.equal(msg.request.frame, sent.frame);
    assert.equal(msg.request.topic, `download/${AK}/794308010642/cmd`);
    assert.equal(msg.payload.ok, true);
    assert.equal(msg.payload.frame.serial, sent.fields[2]);
    assert.equal(msg.payload.frame.protocol, '8');
    assert.deepEqual(msg.payload.content, ['794308010642', '8', sent.fields[2], 'BASE', '1', `FW-794308010642-${sent.fields[2]}`, '0', 'Jointech']);
    assert.equal(msg.payload.fields.firmware, `FW-794308010642-${sent.fields[2]}`);
    assert.equal(msg.payload.fields.manufacturer, 'Jointech');
    assert.equal(typeof msg.roundTripMs, 'number');
    assert.ok(msg.roundTripMs >= 0 && msg.roundTripMs < 5000);
    assert.equal(fail.length, 0);
    await sim.end();
  });

  it('sends each platform failure reply to the second output with the request', async () => {
    const sim = await simulatedDevices(ctx.broker.url, (d) => (d === '8294630003' ? 'offline' : 'unregistered'));
    const { node, ok, fail } = await load();
    node.receive({ device: '8294630003' });
    node.receive({ device: '8294630481', command: 'BASE6', params: { uploadInterval: 60, wakeInterval: 30 } });
    await waitFor(() => fail.length === 2, 'two failures');
    const offline = fail.find((m) => m.request.device === '8294630003')!;
    assert.equal(offline.error.code, 'device-offline');
    assert.match(offline.error.message, /Device not online/);
    assert.equal(offline.payload.commandType, 'MQTT_CMD');
    const unregistered = fail.find((m) => m.request.device === '8294630481')!;
    assert.equal(unregistered.error.code, 'device-unregistered');
    assert.match(unregistered.request.frame, /^\(8294630481,1,\d{3},BASE,6,1,60,30\)$/);
    assert.equal(ok.length, 0);
    await sim.end();
  });

  it('times out, and reports a late reply as a warning instead of sending it on', async () => {
    const sim = await simulatedDevices(ctx.broker.url, () => ({ delayMs: 700 }));
    const { node, ok, fail } = await load({ device: '8130630001' });
    node.receive({ timeout: 0.3 });
    await waitFor(() => fail.length === 1, 'timeout');
    assert.equal(fail[0]!.error.code, 'timeout');
    assert.match(fail[0]!.error.message, /no reply from 8130630001 to BASE1 within 0\.3 s/);
    assert.equal(fail[0]!.payload, null);
    const warn = node.warn as unknown as { getCalls(): Array<{ args: unknown[] }> };
    await waitFor(() => warn.getCalls().some((c) => /late reply from 8130630001/.test(String(c.args[0]))), 'late-reply warning');
    await sleep(100);
    assert.equal(ok.length, 0, 'late reply not emitted');
    assert.equal(fail.length, 1);
    await sim.end();
  });

  it('matches 20 concurrent commands to 5 devices, answered out of order', async () => {
    const devices = ['8000000001', '8000000002', '8000000003', '8000000004', '8000000005'];
    const sim = await simulatedDevices(ctx.broker.url, () => ({ delayMs: Math.floor(Math.random() * 300) }));
    const { node, ok, fail } = await load();
    for (let i = 0; i < 20; i++) node.receive({ device: devices[i % 5], n: i });
    await waitFor(() => ok.length === 20, '20 replies');
    assert.equal(fail.length, 0);
    assert.deepEqual(ok.map((m) => m.n).sort((a, b) => a - b), [...Array(20).keys()]);
    for (const m of ok) {
      assert.equal(m.payload.assetId, m.request.device);
      assert.equal(m.payload.frame.serial, m.request.serial);
      assert.equal(m.payload.fields.firmware, `FW-${m.request.device}-${m.request.serial}`, 'each reply with its own request');
    }
    for (const d of devices) {
      const serials = sim.received.filter((r) => r.device === d).map((r) => r.fields[2]);
      assert.equal(serials.length, 4);
      assert.equal(new Set(serials).size, 4, `serials of ${d} all different`);
    }
    await sim.end();
  });

  it('rotates the serial for consecutive commands to one device, also in raw frames', async () => {
    const sim = await simulatedDevices(ctx.broker.url, () => 'ok');
    const { node, ok } = await load();
    for (let i = 0; i < 5; i++) {
      node.receive({ payload: '(7500313609,1,001,WLNET,8,1,1,5,E017668836)' });
      await waitFor(() => ok.length === i + 1, `reply ${i + 1}`);
    }
    const serials = sim.received.map((r) => Number(r.fields[2]));
    for (let i = 1; i < serials.length; i++) assert.equal(serials[i], (serials[i - 1]! % 999) + 1);
    assert.deepEqual(sim.received[0]!.fields.slice(3), ['WLNET', '8', '1', '1', '5', 'E017668836']);
    await sim.end();
  });

  it('rejects invalid input before publishing anything', async () => {
    const sim = await simulatedDevices(ctx.broker.url, () => 'ok');
    const { node, ok, fail } = await load();
    const errors = node.error as unknown as { getCalls(): Array<{ args: unknown[] }> };
    node.receive({ device: '79430801064X' });
    node.receive({ device: '8130630001', command: 'BASE6', params: { uploadInterval: 1, wakeInterval: 30 } });
    node.receive({ device: '8130630001', command: 'WLNET8', params: [1, 5, 'E01,7'] });
    node.receive({ device: '8130630001', command: 'nonsense' });
    node.receive({ payload: '(8130630001,1,001)' });
    node.receive({});
    await waitFor(() => errors.getCalls().length === 6, 'six errors');
    const texts = errors.getCalls().map((c) => String(c.args[0]));
    assert.match(texts[0]!, /4 to 20 digits/);
    assert.match(texts[1]!, /uploadInterval must be a whole number in 5\.\.600 s/);
    assert.match(texts[2]!, /must not contain/);
    assert.match(texts[3]!, /WORD followed by its index/);
    assert.match(texts[4]!, /at least deviceId/);
    assert.match(texts[5]!, /no device number/);
    await sleep(300);
    assert.equal(sim.received.length, 0, 'nothing published');
    assert.equal(ok.length + fail.length, 0);
    await sim.end();
  });

  it('takes the device from msg and the command from flow context per message; msg.device still wins; a bad value is refused with its msg', async () => {
    const sim = await simulatedDevices(ctx.broker.url, () => 'ok');
    const { node, ok, fail } = await load({ device: 'target', deviceType: 'msg', command: 'lockCmd', commandType: 'flow' });
    const errors = node.error as unknown as { getCalls(): Array<{ args: unknown[] }> };
    const flow = (node as unknown as { context(): { flow: { set(k: string, v: unknown): void } } }).context().flow;
    flow.set('lockCmd', 'BASE1');
    node.receive({ target: '794308010642', tag: 1 });
    await waitFor(() => ok.length === 1, 'first reply');
    node.receive({ target: '794308010642', device: '8130630001', tag: 2 });
    await waitFor(() => ok.length === 2, 'second reply');
    assert.match(sim.received[0]!.frame, /^\(794308010642,1,\d{3},BASE,1\)$/);
    assert.match(sim.received[1]!.frame, /^\(8130630001,1,\d{3},BASE,1\)$/, 'msg.device takes precedence over the dialog field');
    node.receive({ target: '79430801064X', tag: 3 });
    node.receive({ tag: 4 });
    flow.set('lockCmd', 42);
    node.receive({ target: '794308010642', tag: 5 });
    await waitFor(() => errors.getCalls().length === 3, 'three errors');
    const calls = errors.getCalls();
    assert.match(String(calls[0]!.args[0]), /^ProtocolError: device from msg\.target: .*4 to 20 digits/, 'the refused value is named with where it came from');
    assert.equal((calls[0]!.args[1] as { tag: number }).tag, 3, 'the offending msg goes with the error');
    assert.match(String(calls[1]!.args[0]), /no device number: msg\.target is not set/);
    assert.match(String(calls[2]!.args[0]), /command from flow\.lockCmd/);
    await sleep(300);
    assert.equal(sim.received.length, 2, 'nothing published for the bad ones');
    assert.equal(fail.length, 0);
    await sim.end();
  });

  it('takes the device from an environment variable', async () => {
    const sim = await simulatedDevices(ctx.broker.url, () => 'ok');
    process.env.LOCK_COMMAND_TEST_DEVICE = '8294630481';
    try {
      const { node, ok } = await load({ device: 'LOCK_COMMAND_TEST_DEVICE', deviceType: 'env' });
      node.receive({ payload: 'go' });
      await waitFor(() => ok.length === 1, 'reply');
      assert.match(sim.received[0]!.frame, /^\(8294630481,1,\d{3},BASE,1\)$/);
    } finally {
      delete process.env.LOCK_COMMAND_TEST_DEVICE;
      await sim.end();
    }
  });

  it('treats a flow saved without the type fields as typed text, as before', async () => {
    const sim = await simulatedDevices(ctx.broker.url, () => 'ok');
    // "target" would be read from msg.target if the missing type defaulted to msg.
    const { node, ok } = await load({ device: '794308010642', command: 'BASE1' });
    node.receive({ target: '8130630001' });
    await waitFor(() => ok.length === 1, 'reply');
    assert.match(sim.received[0]!.frame, /^\(794308010642,1,\d{3},BASE,1\)$/);
    await sim.end();
  });

  it('queues commands while disconnected up to the bound, then fails them clearly', async () => {
    const down = `mqtt://127.0.0.1:${await freePort()}`;
    await helper.load(nodes, [
      { id: 'f1', type: 'tab' },
      { id: 'acc', type: 'jointech-account', accessKey: AK, qos: 1, connection: { url: down, reconnectMinMs: 100, reconnectMaxMs: 500, queueLimit: 2 } },
      { id: 'cmd', type: 'lock-command', z: 'f1', account: 'acc', command: 'BASE1', timeout: 1, wires: [['ok'], ['fail']] },
      { id: 'ok', type: 'helper', z: 'f1' },
      { id: 'fail', type: 'helper', z: 'f1' },
    ], { acc: { username: 'u', password: 'p' } });
    const fail = collect(helper.getNode('fail'));
    for (const d of ['8000000001', '8000000002', '8000000003']) helper.getNode('cmd').receive({ device: d });
    await waitFor(() => fail.length === 1, 'queue-full failure', 900);
    assert.equal(fail[0]!.error.code, 'not-sent');
    assert.equal(fail[0]!.request.device, '8000000003');
    assert.match(fail[0]!.error.message, /2 messages already wait to be sent/);
    await waitFor(() => fail.length === 3, 'the queued two time out');
    assert.deepEqual(fail.slice(1).map((m) => m.error.code), ['timeout', 'timeout']);
  });

  it('logs each command still waiting when the flow stops, since output 2 stops with it on a full deploy', async () => {
    const sim = await simulatedDevices(ctx.broker.url, () => 'silent');
    const { node } = await load({ device: '8130630009' });
    node.receive({ payload: 1 });
    await waitFor(() => sim.received.length === 1, 'command delivered');
    const warn = node.warn as unknown as { getCalls(): Array<{ args: unknown[] }> };
    await helper.setFlows([{ id: 'f1', type: 'tab' }], 'full');
    const texts = warn.getCalls().map((c) => String(c.args[0]));
    assert.ok(texts.some((t) => /stopped before 8130630009 replied to BASE1; the command was sent and may still take effect/.test(t)), texts.join('\n'));
    await sim.end();
  });

  it('reports failures as Catch-able errors when the dialog says so', async () => {
    const sim = await simulatedDevices(ctx.broker.url, () => 'offline');
    const { node, fail } = await load({ device: '8294630003', failures: 'error' });
    const errors = node.error as unknown as { getCalls(): Array<{ args: [unknown, Record<string, any>] }> };
    node.receive({ payload: 1 });
    await waitFor(() => errors.getCalls().length === 1, 'error');
    const [err, msg] = errors.getCalls()[0]!.args;
    assert.match(String(err), /Device not online/);
    assert.equal(msg.request.device, '8294630003');
    assert.equal(msg.reply.error, 'Device not online！');
    assert.equal(fail.length, 0);
    await sim.end();
  });
});
