/** gb32960-decode in a real Node-RED runtime: the seed's gateway messages, frames and errors. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeFrame } from '../../src/protocols/gb32960/codec';
import { builtNode, collect, helper, lastStatus, waitFor } from '../support/red';

const node = builtNode('gb32960-decode');
const example = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'examples', 'gb32960-decode.json'), 'utf8')) as Array<{ id: string; payload?: string; payloadType?: string }>;
const samplePayload = (id: string) => {
  const node = example.find((n) => n.id === id)!;
  return node.payloadType === 'json' ? JSON.parse(node.payload!) : node.payload;
};

describe('gb32960-decode node', function () {
  this.timeout(10000);
  before((done) => { helper.startServer(done); });
  after((done) => { helper.stopServer(done); });
  afterEach(() => helper.unload());

  async function load(props: Record<string, unknown> = {}) {
    await helper.load(node, [
      { id: 'f1', type: 'tab' },
      { id: 'dec', type: 'gb32960-decode', z: 'f1', wires: [['out']], ...props },
      { id: 'out', type: 'helper', z: 'f1' },
    ]);
    return { dec: helper.getNode('dec'), out: collect(helper.getNode('out')) };
  }

  it('decodes the example\'s gateway login, base64 realtime report and status notification', async () => {
    const { dec, out } = await load();
    dec.receive({ payload: samplePayload('gb.inject.login') });
    dec.receive({ payload: JSON.stringify(samplePayload('gb.inject.realtime')) });
    dec.receive({ payload: samplePayload('gb.inject.status') });
    await waitFor(() => out.length === 3, 'three messages');
    const [login, realtime, status] = out as [any, any, any];
    assert.equal(login.topic, 'gb32960/1/onepart1234567891');
    assert.equal(login.payload.time, '2023-03-21T16:20:12+08:00');
    assert.deepEqual(login.payload.systemCodes, ['12345678', '87654321']);
    assert.equal(realtime.payload.vehicle.speed, 60);
    assert.equal(realtime.payload.position.longitude, 113.369584);
    assert.deepEqual(realtime.payload.voltages.subsystems[0].cellVoltages, [3.7, 3.4, 3.6, 3.63]);
    assert.deepEqual(realtime.payload.temperatures.subsystems[0].temperatures, [40, 39, 38, 41]);
    assert.equal(realtime.gb32960.vin, 'onepart1234567891');
    assert.equal(status.payload.online, false);
    assert.equal(status.topic, 'gb32960/status/deviceName1234');
  });

  it('names the gateway\'s device events (status notification, lifecycle change) and leaves the device secret out', async () => {
    const { dec, out } = await load();
    dec.receive({ payload: samplePayload('gb.inject.status') });
    dec.receive({ payload: { ...samplePayload('gb.inject.lifecycle'), deviceSecret: 'do-not-forward' } });
    dec.receive({ payload: JSON.stringify({ action: 'disable', iotId: 'x', productKey: 'al123450000', deviceName: 'car2', messageCreateTime: 1535700748205 }) });
    await waitFor(() => out.length === 3, 'three messages');
    const [status, created, disabled] = out as [any, any, any];
    assert.deepEqual(status.payload.event, { type: 'offline', en: 'Device offline', zh: '设备下线' });
    assert.equal(created.topic, 'gb32960/lifecycle/deviceName1234');
    assert.deepEqual(created.payload.event, { type: 'create', en: 'Device created', zh: '设备创建' });
    assert.equal(created.payload.time, '2018-08-31T07:32:28.205Z');
    assert.equal('deviceSecret' in created.payload, false);
    assert.equal(disabled.payload.event.zh, '设备禁用');
  });

  it('decodes downlink commands and replies, and keeps the header\'s encryption byte', async () => {
    const { dec, out } = await load();
    dec.receive({ payload: samplePayload('gb.inject.query') });
    const platformLogin = encodeFrame({ command: 5, vin: 'PLATFORM000000001', encryption: 1, data: { time: '2023-03-21T16:20:12+08:00', serialNo: 1, username: 'u', password: 'p', encryptionRule: 3 } });
    dec.receive({ payload: platformLogin });
    await waitFor(() => out.length === 2, 'two messages');
    const [reply, login] = out as [any, any];
    assert.equal(reply.topic, 'gb32960/128/LZYTBGBW6J1014194');
    assert.deepEqual(reply.payload.parameters.map((p: any) => [p.name, p.value]), [['heartbeatPeriod', 30], ['terminalResponseTimeout', 60]]);
    assert.equal(login.payload.encryption.code, 1);
    assert.equal(login.payload.encryptionRule.en, 'AES128');
  });

  it('emits one message per information type when asked, from a raw frame Buffer', async () => {
    const { dec, out } = await load({ split: 'per-type' });
    const frame = encodeFrame({ command: 2, vin: 'LZYTBGBW6J1014194', data: {
      time: '2024-05-06T07:08:09+08:00', engine: { status: { code: 1 }, crankshaftSpeed: 900, fuelConsumption: 1.25 },
      position: { status: 0, longitude: 121.5, latitude: 31.25 },
    } });
    dec.receive({ payload: frame });
    await waitFor(() => out.length === 2, 'two messages');
    assert.deepEqual(out.map((m) => m.topic), ['gb32960/2/LZYTBGBW6J1014194/engine', 'gb32960/2/LZYTBGBW6J1014194/position']);
    assert.equal(out[0]!.payload.engine.fuelConsumption, 1.25);
    assert.equal(out[1]!.payload.position.latitude, 31.25);
    assert.equal(out[1]!.payload.time, '2024-05-06T07:08:09+08:00');
  });

  it('reads 2025 frames by their "$$" start, and 2025 data units when the dialog or msg says so', async () => {
    const { dec, out } = await load({ command: 2, edition: 2016 });
    const data = { time: '2025-11-02T10:00:00+08:00', engine: { crankshaftSpeed: 800 }, position: { status: 0, coordinateSystem: { code: 1 }, longitude: 121.5, latitude: 31.25 } };
    const frame = encodeFrame({ edition: 2025, command: 2, vin: 'LZYTBGBW6J1014194', data });
    dec.receive({ payload: frame });
    dec.receive({ payload: frame.subarray(24, frame.length - 1), edition: 2025 });
    await waitFor(() => out.length === 2, 'two messages');
    for (const m of out) {
      assert.equal(m.payload.edition, 2025);
      assert.deepEqual(m.payload.engine, { crankshaftSpeed: 800 });
      assert.equal(m.payload.position.coordinateSystem.en, 'WGS84');
    }
  });

  it('reports bad input with the offset and the partial result, and keeps decoding', async () => {
    const { dec, out } = await load({ command: 2 });
    const errors = dec.error as unknown as { getCalls(): Array<{ args: [unknown, Record<string, any>] }> };
    dec.receive({ payload: '2323' });
    dec.receive({ payload: { header: { command: 2, vin: 'x' }, body: { data: '!!' } } });
    dec.receive({ payload: Buffer.from('17031510140c0401 0bb8 0190 30 01'.replace(/\s/g, ''), 'hex') });
    dec.receive({ payload: { hello: 'world' } });
    await waitFor(() => errors.getCalls().length === 4, 'four errors');
    const calls = errors.getCalls();
    assert.match(String(calls[0]!.args[0]), /data ends at byte 2 of 2: command needs 1 more byte/);
    assert.equal(calls[1]!.args[1].gb32960Error.code, 'bad-base64');
    assert.equal(calls[2]!.args[1].gb32960Error.code, 'unknown-info-type');
    assert.equal(calls[2]!.args[1].gb32960Error.offset, 12);
    assert.equal(calls[2]!.args[1].partial.engine.crankshaftSpeed, 3000);
    assert.match(lastStatus(dec)!.text!, /4 errors/);
    dec.receive({ payload: samplePayload('gb.inject.login') });
    await waitFor(() => out.length === 1, 'the next message still decodes');
  });
});
