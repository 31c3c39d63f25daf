/**
 * gb32960-server, gb32960-in and gb32960-command in a real Node-RED runtime, with simulated
 * vehicles on real TCP (and TLS) connections to 127.0.0.1.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Node } from 'node-red';
import { decodeFrame } from '../../src/protocols/gb32960/codec';
import { beijingIso } from '../../src/protocols/gb32960/replies';
import type { Gb32960ServerNode } from '../../src/nodes/gb32960-server/types';
import { SimVehicle, realtimeData, vinOf, withBadBcc } from '../../tools/gb32960-vehicle';
import { builtNode, collect, helper, lastStatus, sleep, waitFor, type FlowNode } from '../support/red';
import { makeCertificates } from '../../tools/secure-broker';
import { importEsm } from '../../tools/esm';

const root = join(__dirname, '..', '..', '..');
const coreTls = require(require.resolve('@node-red/nodes/core/network/05-tls.js', { paths: [join(root, 'node_modules', 'node-red')] }));
const nodes = [builtNode('gb32960-server'), builtNode('gb32960-in'), builtNode('gb32960-command'), coreTls];

const VIN = 'LZYTBGBW6J1014194';

type Msg = Record<string, any>;

interface Loaded {
  server: Gb32960ServerNode;
  port: number;
  out: Msg[];
  replies: Msg[];
  failures: Msg[];
  errors: Msg[];
  cmd: Node;
}

function flow(serverProps: Record<string, unknown> = {}, inProps: Record<string, unknown> = {}, cmdProps: Record<string, unknown> = {}): FlowNode[] {
  return [
    { id: 'f1', type: 'tab' },
    { id: 'srv', type: 'gb32960-server', host: '127.0.0.1', port: 0, ...serverProps },
    { id: 'in', type: 'gb32960-in', z: 'f1', server: 'srv', wires: [['out']], ...inProps },
    { id: 'cmd', type: 'gb32960-command', z: 'f1', server: 'srv', timeout: 2, wires: [['replies'], ['failures']], ...cmdProps },
    { id: 'catcher', type: 'catch', z: 'f1', scope: null, uncaught: false, wires: [['errors']] },
    { id: 'out', type: 'helper', z: 'f1' },
    { id: 'replies', type: 'helper', z: 'f1' },
    { id: 'failures', type: 'helper', z: 'f1' },
    { id: 'errors', type: 'helper', z: 'f1' },
  ];
}

async function attach(): Promise<Loaded> {
  const server = helper.getNode('srv') as Gb32960ServerNode;
  await waitFor(() => server.platform?.isListening, 'the server to listen');
  return {
    server, port: server.platform!.port, out: collect(helper.getNode('out')), replies: collect(helper.getNode('replies')),
    failures: collect(helper.getNode('failures')), errors: collect(helper.getNode('errors')), cmd: helper.getNode('cmd'),
  };
}

async function load(serverProps: Record<string, unknown> = {}, inProps: Record<string, unknown> = {}, cmdProps: Record<string, unknown> = {}): Promise<Loaded> {
  await helper.load(nodes, flow(serverProps, inProps, cmdProps));
  return attach();
}

/** The statuses `node` itself set (the test helper spies on every node's status at once). */
function statusesOf(node: Node): Array<{ fill?: string; text?: string }> {
  const spy = node.status as unknown as { thisValues: unknown[]; args: Array<[{ fill?: string; text?: string }]> };
  return spy.args.filter((_, i) => spy.thisValues[i] === node).map((a) => a[0]);
}

const vehicles: SimVehicle[] = [];
async function vehicle(port: number, vin = VIN, opts: Partial<ConstructorParameters<typeof SimVehicle>[0]> = {}): Promise<SimVehicle> {
  const v = await new SimVehicle({ port, vin, ...opts }).connect();
  vehicles.push(v);
  return v;
}

describe('gb32960-server, gb32960-in and gb32960-command nodes', function () {
  this.timeout(20000);
  before((done) => { helper.startServer(done); });
  after((done) => { helper.stopServer(done); });
  afterEach(async () => {
    for (const v of vehicles.splice(0)) v.close();
    await helper.unload();
  });

  it('answers login, heartbeat, time calibration and logout, not a good realtime frame, and sends every frame on (2016)', async () => {
    const t = await load();
    const v = await vehicle(t.port);
    const login = await v.login();
    assert.equal(login.frame.responseFlag.code, 0x01);
    assert.equal(login.raw.subarray(0, 2).toString(), '##');
    assert.equal(login.frame.vin, VIN);
    const sentLogin = v.loginFrame('2024-06-03T12:30:45+08:00');
    const before = v.received.length;
    v.send(sentLogin);
    const again = await v.replyTo(0x01, before);
    assert.equal(again.raw.subarray(24, 30).toString('hex'), '1806030c1e2d');

    v.send(v.realtimeFrame(7));
    v.send(v.heartbeatFrame());
    const hb = await v.replyTo(0x07);
    assert.equal(hb.frame.length, 0);
    v.send(v.timeFrame());
    const tc = await v.replyTo(0x08);
    assert.ok(Math.abs((tc.frame.data.timeMs as number) - Date.now()) < 3000, 'the time calibration reply carries the platform clock');
    v.send(v.logoutFrame('2024-06-03T13:00:00+08:00'));
    const lo = await v.replyTo(0x04);
    assert.equal(lo.raw.subarray(24, 30).toString('hex'), '1806030d0000');

    await waitFor(() => t.out.filter((m) => m.command === 4).length === 1, 'the logout in the flow');
    assert.equal(v.received.filter((r) => r.raw[2] === 0x02).length, 0, 'no reply to a good realtime frame (appendix B.2.1)');
    const realtime = t.out.find((m) => m.command === 2)!;
    assert.equal(realtime.vin, VIN);
    assert.equal(realtime.topic, `gb32960/2/${VIN}`);
    assert.equal(realtime.payload.source, 'frame');
    assert.equal(realtime.payload.edition, 2016);
    assert.equal(realtime.payload.vehicle.speed, 0.7);
    assert.equal(realtime.payload.position.longitude, 121.473701);
    assert.equal(realtime.session.vin, VIN);
    assert.match(realtime.session.remote, /^127\.0\.0\.1:\d+$/);
    const events = t.out.filter((m) => m.event).map((m) => m.event);
    assert.deepEqual(events, ['connected', 'login', 'login', 'logout']);
    assert.equal(t.out.filter((m) => m.command === 7).length, 0, 'heartbeats are off by default');
    assert.equal(t.out.filter((m) => m.command === 8).length, 1);
    const ids = t.out.filter((m) => m.command).map((m) => m._msgid as string);
    assert.ok(ids.every((id) => /^[0-9a-f]{16}$/.test(id)), 'message ids shaped like Node-RED\'s');
    assert.equal(new Set(ids).size, ids.length, 'one id per message');
  });

  it('speaks 2025 ("$$") to a 2025 vehicle and 2016 to a 2016 one on the same port', async () => {
    const t = await load();
    const old = await vehicle(t.port, vinOf(1));
    const neu = await vehicle(t.port, vinOf(2), { edition: 2025 });
    const [a, b] = await Promise.all([old.login(), neu.login()]);
    assert.equal(a.raw.subarray(0, 2).toString(), '##');
    assert.equal(b.raw.subarray(0, 2).toString(), '$$');
    neu.send(neu.frame(0x02, { time: beijingIso(Date.now()), position: { status: 0, coordinateSystem: { code: 1 }, longitude: 116.4, latitude: 39.9 } }));
    await waitFor(() => t.out.find((m) => m.command === 2), '2025 realtime');
    const rt = t.out.find((m) => m.command === 2)!;
    assert.equal(rt.payload.edition, 2025);
    assert.equal(rt.payload.position.latitude, 39.9);
  });

  it('frames split and merged, garbage between frames and a bad BCC: every good frame once, an error reply and a catchable error for the bad one', async () => {
    const t = await load();
    const v = await vehicle(t.port);
    await v.login();
    const frames = [0, 1, 2, 3].map((i) => v.realtimeFrame(i));
    await v.sendSplit(frames[0]!, 7);
    v.send(Buffer.concat([frames[1]!, Buffer.from('\r\nGARBAGE#$#'), frames[2]!]));
    const bad = withBadBcc(v.realtimeFrame(99, 0x02, '2024-06-03T12:30:45+08:00'));
    v.send(Buffer.concat([bad, frames[3]!]));
    await waitFor(() => t.out.filter((m) => m.command === 2).length === 4, 'four realtime frames');
    await sleep(100);
    assert.deepEqual(t.out.filter((m) => m.command === 2).map((m) => m.payload.vehicle.speed), [0, 0.1, 0.2, 0.3]);
    const errorReply = await v.replyTo(0x02);
    assert.equal(errorReply.frame.responseFlag.code, 0x02, 'B.2.1: a bad realtime frame gets an error reply so the vehicle resends');
    assert.equal(errorReply.raw.subarray(24, 30).toString('hex'), '1806030c1e2d');
    await waitFor(() => t.errors.length >= 1, 'a catchable error');
    assert.equal(t.errors[0]!.gb32960Error.code, 'checksum');
    assert.ok(Buffer.isBuffer(t.errors[0]!.payload), 'the offending bytes go with the error');
    assert.equal(t.errors[0]!.vin, VIN);
    assert.match(t.errors[0]!.error.message, new RegExp(`${VIN}: frame 0x02 with a wrong BCC`), 'the message names the logged-in vehicle, not only its address');
  });

  it('ignores frames before login, and lets in only the listed VINs (2016 refusal 0x02, 2025 0x04 "VIN does not exist")', async () => {
    const t = await load({ vinCheck: 'list', vins: `${vinOf(1)}\n${vinOf(2)}` });
    const early = await vehicle(t.port, vinOf(1));
    early.send(early.realtimeFrame(1));
    await waitFor(() => t.errors.find((e) => e.gb32960Error.code === 'not-logged-in'), 'a not-logged-in error');
    assert.equal(t.out.filter((m) => m.command === 2).length, 0);
    const ok = await early.login();
    assert.equal(ok.frame.responseFlag.code, 0x01);
    const stranger = await vehicle(t.port, vinOf(9));
    assert.equal((await stranger.login()).frame.responseFlag.code, 0x02);
    await stranger.closedPromise();
    const stranger25 = await vehicle(t.port, vinOf(8), { edition: 2025 });
    assert.equal((await stranger25.login()).frame.responseFlag.code, 0x04);
    await stranger25.closedPromise();
    assert.deepEqual(t.out.filter((m) => m.event === 'refused').map((m) => m.vin), [vinOf(9), vinOf(8)]);
  });

  it('treats a vehicle that logged out as not logged in: its later frames are ignored and unanswered until it logs in again', async () => {
    const t = await load();
    const v = await vehicle(t.port);
    await v.login();
    v.send(v.logoutFrame());
    await v.replyTo(0x04);
    const before = v.received.length;
    v.send(v.realtimeFrame(1));
    v.send(v.heartbeatFrame());
    await waitFor(() => t.errors.find((e) => e.gb32960Error.code === 'not-logged-in'), 'a not-logged-in error after the logout');
    await sleep(200);
    assert.equal(v.received.length, before, 'no reply after the logout');
    assert.equal(t.out.filter((m) => m.command === 2).length, 0, 'no realtime frame in the flow after the logout');
    await v.login();
    v.send(v.realtimeFrame(2));
    await waitFor(() => t.out.find((m) => m.command === 2), 'the realtime frame after logging in again');
  });

  it('lets a flow decide through a global context variable', async () => {
    const t = await load({ vinCheck: 'global', vinContextKey: 'fleet' });
    const v = await vehicle(t.port, vinOf(3));
    assert.equal((await v.login()).frame.responseFlag.code, 0x02);
    helper.getNode('in').context().global.set('fleet', [vinOf(3)]);
    const again = await vehicle(t.port, vinOf(3));
    assert.equal((await again.login()).frame.responseFlag.code, 0x01);
    assert.equal(t.server.platform!.vehicles, 1);
  });

  it('a second login of the same VIN replaces the first connection and says so; or is refused with 0x03 when set', async () => {
    const t = await load();
    const first = await vehicle(t.port);
    await first.login();
    const second = await vehicle(t.port);
    assert.equal((await second.login()).frame.responseFlag.code, 0x01);
    await first.closedPromise();
    const replaced = await waitFor(() => t.out.find((m) => m.event === 'replaced'), 'a replaced event');
    assert.equal(replaced.vin, VIN);
    assert.match(replaced.payload.detail, /logged in again from 127\.0\.0\.1/);
    assert.equal(t.server.platform!.vehicles, 1);
    second.send(second.heartbeatFrame());
    await second.replyTo(0x07);
    await helper.unload();

    const r = await load({ duplicateLogin: 'refuse' });
    const a = await vehicle(r.port);
    await a.login();
    const b = await vehicle(r.port);
    assert.equal((await b.login()).frame.responseFlag.code, 0x03);
    await b.closedPromise();
    assert.equal(a.closed, false);
  });

  it('acknowledges every realtime frame when the reply policy says so, in the chosen reply-time mode', async () => {
    const t = await load({ realtimeReplies: 'all', replyTime: 'platform' });
    const v = await vehicle(t.port);
    await v.login();
    v.send(v.realtimeFrame(1, 0x02, '2020-01-01T00:00:00+08:00'));
    v.send(v.realtimeFrame(2, 0x03, '2020-01-01T00:00:01+08:00'));
    const [rt, re] = await Promise.all([v.replyTo(0x02), v.replyTo(0x03)]);
    assert.equal(rt.frame.responseFlag.code, 0x01);
    assert.equal(re.frame.responseFlag.code, 0x01);
    assert.ok(Math.abs((rt.frame.data.timeMs as number) - Date.now()) < 3000, 'platform time, not the frame\'s 2020 time');
  });

  it('closes a silent (half-open) connection after the idle timeout, and forgets a half-closed one', async () => {
    const t = await load({ idleTimeout: 0.4 });
    const silent = await vehicle(t.port, vinOf(1));
    await silent.login();
    silent.goSilent();
    const leaving = await vehicle(t.port, vinOf(2));
    await leaving.login();
    leaving.halfClose();
    const neverLogsIn = await vehicle(t.port, vinOf(3));
    await waitFor(() => t.server.platform!.vehicles === 1, 'the half-closed vehicle forgotten', 2000);
    assert.equal(t.server.platform!.session(vinOf(1))?.vin, vinOf(1));
    await waitFor(() => t.server.platform!.connections === 0, 'idle connections closed', 3000);
    await neverLogsIn.closedPromise();
    const closed = t.out.filter((m) => m.event === 'closed');
    assert.ok(closed.some((m) => /no frame for 0.4 s/.test(m.payload.detail)), JSON.stringify(closed.map((m) => m.payload.detail)));
    assert.ok(closed.some((m) => /no login/.test(m.payload.detail)));
  });

  it('filters by kind and VIN', async () => {
    const t = await load({}, { kinds: 'realtime,heartbeat', vins: vinOf(2) });
    const a = await vehicle(t.port, vinOf(1));
    const b = await vehicle(t.port, vinOf(2));
    await Promise.all([a.login(), b.login()]);
    for (const v of [a, b]) {
      v.send(v.realtimeFrame(1));
      v.send(v.heartbeatFrame());
    }
    await waitFor(() => t.out.length === 2, 'two messages');
    await sleep(150);
    assert.deepEqual(t.out.map((m) => [m.vin, m.command]), [[vinOf(2), 2], [vinOf(2), 7]]);
  });

  it('queries, sets and controls a connected vehicle and sends on its replies (2016 and 2025)', async () => {
    const t = await load({}, {}, { command: 'query', params: '[9, 10]' });
    const v = await vehicle(t.port);
    const v25 = await vehicle(t.port, vinOf(25), { edition: 2025 });
    await Promise.all([v.login(), v25.login()]);
    t.cmd.receive({ payload: Date.now(), vin: VIN });
    await waitFor(() => t.replies.length === 1, 'the query reply');
    const q = t.replies[0]!;
    assert.equal(q.command, 'query');
    assert.equal(q.payload.command.code, 0x80);
    assert.deepEqual(q.payload.parameters.map((p: Msg) => [p.id, p.value]), [[9, 30], [10, 60]]);
    assert.equal(q.matchedBy, 'command+time');
    const sent = v.received.find((r) => r.raw[2] === 0x80)!;
    assert.equal(sent.raw[3], 0xfe);
    assert.deepEqual(sent.frame.data.ids, [9, 10]);

    t.cmd.receive({ vin: VIN, command: 'set', payload: { heartbeatPeriod: 20, '10': 90 } });
    await waitFor(() => t.replies.length === 2, 'the set reply');
    assert.equal(v.parameters.get(9), 20);
    assert.equal(v.parameters.get(10), 90);
    t.cmd.receive({ vin: vinOf(25), command: 0x82, payload: { control: 'alarm', alarm: { level: 4, message: 'check' } } });
    await waitFor(() => t.replies.length === 3, 'the control reply');
    const ctl = v25.received.find((r) => r.raw[2] === 0x82)!;
    assert.equal(ctl.raw.subarray(0, 2).toString(), '$$');
    assert.equal((ctl.frame.data.alarm as Msg).level.code, 4, 'level 4 exists in 2025 (table B.13)');
    assert.equal(t.replies[2]!.payload.edition, 2025);
    assert.equal(t.failures.length, 0);
  });

  it('takes the VIN from msg per message, msg.vin first; a bad one is a Catch-able error with its msg and nothing is sent', async () => {
    const t = await load({}, {}, { vin: 'car', vinType: 'msg', command: 'query', params: '[9]' });
    const v = await vehicle(t.port);
    const other = await vehicle(t.port, vinOf(7));
    await Promise.all([v.login(), other.login()]);
    t.cmd.receive({ car: VIN });
    await waitFor(() => t.replies.length === 1, 'the reply to the VIN from msg.car');
    t.cmd.receive({ car: VIN, vin: vinOf(7) });
    await waitFor(() => t.replies.length === 2, 'the reply to msg.vin');
    assert.deepEqual(t.replies.map((r) => r.vin), [VIN, vinOf(7)]);
    t.cmd.receive({ car: 42, tag: 'number' });
    t.cmd.receive({ car: 'LZYTBGBW6J10141940', tag: 'long' });
    t.cmd.receive({ tag: 'none' });
    await waitFor(() => t.errors.length === 3, 'three errors');
    assert.deepEqual(t.errors.map((e) => e.tag), ['number', 'long', 'none']);
    assert.match(t.errors[0]!.error.message, /VIN from msg\.car/);
    assert.match(t.errors[2]!.error.message, /no VIN: msg\.car is not set/);
    await sleep(200);
    assert.equal(v.received.filter((r) => r.raw[2] === 0x80).length, 1, 'nothing sent for the bad ones');
    assert.equal(t.failures.length, 0);
  });

  it('takes the VIN from flow context or an environment variable; a flow saved without the type keeps typed text', async () => {
    process.env.GB32960_TEST_VIN = vinOf(8);
    try {
      let t = await load({}, {}, { vin: 'car', vinType: 'flow', command: 'query', params: '[9]' });
      let v = await vehicle(t.port);
      await v.login();
      (t.cmd as unknown as { context(): { flow: { set(k: string, x: unknown): void } } }).context().flow.set('car', VIN);
      t.cmd.receive({ payload: Date.now() });
      await waitFor(() => t.replies.length === 1, 'the reply to the VIN from flow.car');
      await helper.unload();
      t = await load({}, {}, { vin: 'GB32960_TEST_VIN', vinType: 'env', command: 'query', params: '[9]' });
      v = await vehicle(t.port, vinOf(8));
      await v.login();
      t.cmd.receive({ payload: Date.now() });
      await waitFor(() => t.replies.length === 1, 'the reply to the VIN from env');
      assert.equal(t.replies[0]!.vin, vinOf(8));
      await helper.unload();
      t = await load({}, {}, { vin: VIN, command: 'query', params: '[9]' });
      v = await vehicle(t.port);
      await v.login();
      t.cmd.receive({ car: vinOf(8) });
      await waitFor(() => t.replies.length === 1, 'the reply to the typed VIN');
      assert.equal(t.replies[0]!.vin, VIN);
    } finally {
      delete process.env.GB32960_TEST_VIN;
    }
  });

  it('sends "not connected", timeouts, vehicle errors and bad parameters to the second output (or Catch)', async () => {
    const t = await load({}, {}, { command: 'control', params: '{"control": "reset"}', timeout: 0.3 });
    t.cmd.receive({ vin: vinOf(404) });
    await waitFor(() => t.failures.length === 1, 'not connected');
    assert.equal(t.failures[0]!.error.code, 'not-connected');
    const mute = await vehicle(t.port, vinOf(1), { answer: () => null });
    const refuses = await vehicle(t.port, vinOf(2), { answer: (c) => refuses.frame(c[2]!, { raw: c.subarray(24, 30) }, 0x02) });
    await Promise.all([mute.login(), refuses.login()]);
    t.cmd.receive({ vin: vinOf(1) });
    t.cmd.receive({ vin: vinOf(2) });
    t.cmd.receive({ vin: vinOf(2), command: 'set', payload: { hardwareVersion: 'X' } });
    t.cmd.receive({ vin: vinOf(2), command: 'nonsense' });
    await waitFor(() => t.failures.length === 4, 'three more failures');
    const codes = t.failures.slice(1).map((f) => f.error.code).sort();
    assert.deepEqual(codes, ['bad-value', 'timeout', 'vehicle-error']);
    assert.match(t.failures.find((f) => f.error.code === 'bad-value')!.error.message, /0x07|hardwareVersion|read-only/i);
    await waitFor(() => t.errors.length === 1, 'the bad msg as an error');
    // An unknown command says which ones exist.
    assert.match(t.errors[0]!.error.message, /command: must be "query", "set" or "control", or 0x80, 0x81 or 0x82/);
    // Parameters of another command's shape: the failure says what the command takes.
    t.cmd.receive({ vin: vinOf(2), command: 'query', payload: { heartbeatPeriod: 30 } });
    await waitFor(() => t.failures.length === 5, 'the query with set parameters');
    assert.equal(t.failures[4]!.error.code, 'bad-param');
    assert.match(t.failures[4]!.error.message, /query takes a list of parameter ids.*\[9, 10\]/);
    const st = lastStatus(t.cmd);
    assert.match(st?.text ?? '', /error/);
  });

  it('a late answer to a timed-out command is reported as late, not taken as the reply to the next command of its kind, whose time is its own', async function () {
    // Replies carry no serial: the vehicle's reply holds the command's 6-byte time (gb32960-commands.md
    // §4.1, TIZA echoes it), so command id + time is the key, and two commands of a kind never share it.
    this.timeout(10000);
    const t = await load({}, {}, { command: 'query', params: '[9]', timeout: 3 });
    let n = 0;
    const v = await vehicle(t.port, VIN, {
      // The first query is answered after 700 ms (its command timed out at 300 ms), the second after 400 ms.
      answer: (c) => {
        const first = n++ === 0;
        const reply = v.frame(0x80, { time: decodeFrame(c).data.time, parameters: [{ id: 9, value: first ? 111 : 222 }] }, 0x01);
        setTimeout(() => v.send(reply), first ? 700 : 400);
        return null;
      },
    });
    await v.login();
    t.cmd.receive({ vin: VIN, timeout: 0.3 });
    t.cmd.receive({ vin: VIN });
    await waitFor(() => t.failures.length === 1 && t.replies.length === 1, 'the first timed out, the second answered', 5000);
    await sleep(300);
    const sent = v.received.filter((r) => r.raw[2] === 0x80);
    assert.equal(sent.length, 2);
    assert.notEqual(sent[0]!.raw.toString('hex', 24, 30), sent[1]!.raw.toString('hex', 24, 30), 'two queries to one VIN: two times');
    assert.equal(t.failures[0]!.error.code, 'timeout');
    const reply = t.replies[0]!;
    assert.deepEqual(reply.payload.parameters.map((p: Msg) => p.value), [222], 'the second query\'s own answer');
    assert.equal(reply.matchedBy, 'command+time');
    assert.equal(Buffer.from(reply.request.frame).toString('hex', 24, 30), sent[1]!.raw.toString('hex', 24, 30));
    assert.equal(t.replies.length, 1);
    const warn = helper.getNode('srv').warn as unknown as { getCalls(): Array<{ args: unknown[] }> };
    assert.ok(warn.getCalls().some((c) => /late answer to command 0x80/.test(String(c.args[0]))), 'the late answer is reported');
    await waitFor(() => t.out.filter((m) => m.command === 0x80).length === 2, 'both answers in the flow as frames');
  });

  it('refuses connections over the limit and cuts off a vehicle sending 10 MB of garbage while the others carry on', async () => {
    const t = await load({ maxConnections: 3, maxFrameBytes: 4096 });
    const good = await vehicle(t.port, vinOf(1));
    await good.login();
    const noisy = await vehicle(t.port, vinOf(2));
    await noisy.login();
    const third = await vehicle(t.port, vinOf(3));
    const fourth = await vehicle(t.port, vinOf(4));
    await fourth.closedPromise();
    assert.equal(third.closed, false);
    const chunk = Buffer.alloc(64 * 1024, 0x41);
    let written = 0;
    const pump = async () => {
      while (written < 10 * 1024 * 1024 && !noisy.closed) {
        noisy.socket.write(chunk);
        written += chunk.length;
        if (written % (1024 * 1024) === 0) await sleep(1);
      }
    };
    const pumping = pump();
    for (let i = 0; i < 20; i++) {
      good.send(good.realtimeFrame(i));
      await sleep(5);
    }
    await pumping;
    await noisy.closedPromise(5000);
    await waitFor(() => t.out.filter((m) => m.command === 2 && m.vin === vinOf(1)).length === 20, 'every frame of the good vehicle');
    assert.ok(t.errors.some((e) => e.gb32960Error.code === 'garbage'));
    const refused = t.errors.find((e) => e.gb32960Error.code === 'too-many-connections')!;
    assert.match(refused.error.message, /connection from 127\.0\.0\.1:\d+ refused/, 'the refused connection is named');
    assert.match(refused.session.remote, /^127\.0\.0\.1:\d+$/);
    good.send(good.heartbeatFrame());
    await good.replyTo(0x07);
  });

  it('serves TLS through a tls-config node', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gb32960-tls-'));
    const { key, cert, caFile } = makeCertificates(dir);
    writeFileSync(join(dir, 'k.pem'), key);
    writeFileSync(join(dir, 'c.pem'), cert);
    await helper.load(nodes, [
      ...flow({ tls: 'tls' }),
      { id: 'tls', type: 'tls-config', cert: join(dir, 'c.pem'), key: join(dir, 'k.pem'), ca: '', servername: '', verifyservercert: false },
    ]);
    const t = await attach();
    const { readFileSync } = await import('node:fs');
    const v = await vehicle(t.port, VIN, { tls: { ca: readFileSync(caFile), servername: 'localhost' } });
    assert.equal((await v.login()).frame.responseFlag.code, 0x01);
    await waitFor(() => /listening tls/.test(lastStatus(helper.getNode('in'))?.text ?? ''), 'the TLS status');
  });

  it('closes its port on redeploy and opens it again, the runtime carrying on', async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = net.createServer().listen(0, '127.0.0.1', () => {
        const p = (probe.address() as net.AddressInfo).port;
        probe.close(() => resolve(p));
      });
    });
    const t = await load({ port });
    const v = await vehicle(port);
    await v.login();
    await waitFor(() => /listening tcp :\d+ · 1 vehicle( ·|$)/.test(lastStatus(helper.getNode('in'))?.text ?? ''), 'one vehicle in the status');
    const changed = flow({ port, idleTimeout: 60 });
    await helper.setFlows(changed, 'full');
    await v.closedPromise();
    const again = await attach();
    assert.equal(again.port, port);
    const back = await vehicle(port);
    assert.equal((await back.login()).frame.responseFlag.code, 0x01);
    assert.ok(t.server !== again.server, 'a new server node');
  });

  it('says so on its nodes when the port is taken, and stops nothing else', async () => {
    const taken = net.createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', () => r()));
    try {
      await helper.load(nodes, flow({ port: (taken.address() as net.AddressInfo).port }));
      await waitFor(() => /port \d+ is in use/.test(lastStatus(helper.getNode('in'))?.text ?? ''), 'the port-in-use status');
      assert.equal(lastStatus(helper.getNode('cmd'))?.fill, 'red');
      const failures = collect(helper.getNode('failures'));
      helper.getNode('cmd').receive({ vin: VIN, payload: [9] });
      await waitFor(() => failures.length === 1, 'a failure');
      assert.equal(failures[0]!.error.code, 'not-connected');
    } finally {
      await new Promise((r) => taken.close(r));
    }
  });

  it('the demo\'s two vehicles (npm start) log in, report in both editions and answer a query', async function () {
    this.timeout(30000);
    const t = await load({}, { kinds: 'realtime,sessions' }, { command: 'query', params: '[9, 10]' });
    const demo = await importEsm<{ startGb32960Vehicles(port: number, log: (s: string) => void): () => void }>(join(root, 'scripts', 'demo.mjs'));
    const stop = demo.startGb32960Vehicles(t.port, () => undefined);
    try {
      await waitFor(() => t.out.filter((m) => m.event === 'login').length === 2, 'two logins');
      await waitFor(() => new Set(t.out.filter((m) => m.command === 2).map((m) => m.payload.edition)).size === 2, 'realtime in both editions', 15000);
      for (const m of t.out.filter((x) => x.command === 2)) assert.equal(m.payload.vehicle.soc > 0, true);
      t.cmd.receive({ vin: 'LSIMDEMO000000002' });
      await waitFor(() => t.replies.length === 1, 'the query reply');
      assert.deepEqual(t.replies[0]!.payload.parameters.map((p: Msg) => [p.id, p.value]), [[9, 30], [10, 60]]);
      assert.equal(t.errors.length, 0);
    } finally {
      stop();
    }
  });

  it('a burst of 3,000 frames in one write from each of two vehicles: every frame out once and in order, and a third vehicle answered', async function () {
    this.timeout(30000);
    const t = await load({}, { kinds: 'realtime,heartbeat' });
    const [a, b, c] = await Promise.all([vehicle(t.port, vinOf(1)), vehicle(t.port, vinOf(2)), vehicle(t.port, vinOf(3))]);
    await Promise.all([a!.login(), b!.login(), c!.login()]);
    const burst = (v: SimVehicle) => Buffer.concat(Array.from({ length: 3000 }, (_, i) => v.realtimeFrame(i)));
    a!.send(burst(a!));
    b!.send(burst(b!));
    c!.send(c!.heartbeatFrame());
    await c!.replyTo(0x07);
    await waitFor(() => t.out.length >= 6001, '6,000 realtime frames and a heartbeat', 20000);
    await sleep(100);
    assert.equal(t.out.length, 6001);
    for (const v of [a!, b!]) {
      const seqs = t.out.filter((m) => m.vin === v.opts.vin).map((m) => Math.round(m.payload.vehicle.mileage * 10 - 123456));
      assert.deepEqual(seqs, Array.from({ length: 3000 }, (_, i) => i), `${v.opts.vin}: every frame once, in order`);
    }
  });

  it('200 vehicles sending a realtime frame a second for 5 s: every frame out once, every reply sent', async function () {
    this.timeout(60000);
    const t = await load({ realtimeReplies: 'all' }, { kinds: 'realtime' });
    const fleet = await Promise.all(Array.from({ length: 200 }, (_, i) => vehicle(t.port, vinOf(i, 'LFLT'))));
    await Promise.all(fleet.map((v) => v.login()));
    const seconds = 5;
    for (let s = 0; s < seconds; s++) {
      const tick = Date.now();
      fleet.forEach((v, i) => v.send(v.frame(0x02, realtimeData(beijingIso(Date.now()), s * 1000 + i))));
      await sleep(Math.max(0, 1000 - (Date.now() - tick)));
    }
    const total = fleet.length * seconds;
    await waitFor(() => t.out.length >= total, `${total} frames`, 15000);
    await sleep(200);
    assert.equal(t.out.length, total);
    const seen = new Set(t.out.map((m) => `${m.vin}/${m.payload.vehicle.mileage}`));
    assert.equal(seen.size, total, 'no frame twice');
    await waitFor(() => fleet.every((v) => v.received.filter((r) => r.raw[2] === 0x02).length === seconds), 'every realtime reply', 10000);
  });
  describe('gb32960-in with one msg per batch', () => {
    const seqOf = (item: Msg) => Math.round(item.vehicle.mileage * 10 - 123456);
    const iso = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

    it('sends a batch when it holds batchSize frames: every frame once, in order per vehicle, with its receivedAt', async function () {
      this.timeout(30000);
      const t = await load({}, { kinds: 'realtime', output: 'batch', batchSize: 50, batchMs: 60000 });
      const [a, b] = await Promise.all([vehicle(t.port, vinOf(1)), vehicle(t.port, vinOf(2))]);
      await Promise.all([a!.login(), b!.login()]);
      const before = Date.now();
      for (const v of [a!, b!]) v.send(Buffer.concat(Array.from({ length: 120 }, (_, i) => v.realtimeFrame(i))));
      await waitFor(() => t.out.length >= 4, 'four full batches', 15000);
      await sleep(100);
      // 240 frames: four batches of 50 now, the last 40 wait for the minute.
      assert.deepEqual(t.out.map((m) => [m.topic, m.count, m.payload.length]), Array.from({ length: 4 }, () => ['gb32960/batch', 50, 50]));
      const items = t.out.flatMap((m) => m.payload as Msg[]);
      for (const item of items) {
        assert.equal(item.source, 'frame');
        assert.equal(item.command.code, 2);
        assert.match(item.receivedAt, iso);
        assert.ok(Date.parse(item.receivedAt) >= before - 1000 && Date.parse(item.receivedAt) <= Date.now());
      }
      for (const v of [a!, b!]) {
        const seqs = items.filter((i) => i.vin === v.opts.vin).map(seqOf);
        assert.deepEqual(seqs, Array.from({ length: seqs.length }, (_, i) => i), `${v.opts.vin}: every frame once, in order`);
      }
      assert.equal(items.length, 200);
      assert.equal(t.errors.length, 0);
    });

    it('gb32960-in nodes on one server each get their own copy of a frame\'s data, per frame or per batch', async () => {
      await helper.load(nodes, [
        ...flow({}, { kinds: 'realtime' }),
        { id: 'in2', type: 'gb32960-in', z: 'f1', server: 'srv', kinds: 'realtime', wires: [['out2']] },
        { id: 'in3', type: 'gb32960-in', z: 'f1', server: 'srv', kinds: 'realtime', output: 'batch', batchSize: 3, wires: [['out3']] },
        { id: 'out2', type: 'helper', z: 'f1' },
        { id: 'out3', type: 'helper', z: 'f1' },
      ]);
      const t = await attach();
      const [out2, out3] = [collect(helper.getNode('out2')), collect(helper.getNode('out3'))];
      const v = await vehicle(t.port);
      await v.login();
      v.send(Buffer.concat([0, 1, 2].map((i) => v.realtimeFrame(i))));
      await waitFor(() => t.out.length === 3 && out2.length === 3 && out3.length === 1, 'three frames on each node');
      const items = out3[0]!.payload as Msg[];
      for (let i = 0; i < 3; i++) {
        const [a, b, c] = [t.out[i]!.payload, out2[i]!.payload, items[i]!];
        assert.deepEqual([seqOf(a), seqOf(b), seqOf(c)], [i, i, i]);
        assert.deepEqual(b, a);
        assert.ok(a.vehicle !== b.vehicle && a.vehicle !== c.vehicle && b.vehicle !== c.vehicle, `frame ${i}: no data shared between nodes`);
        assert.notEqual(t.out[i]!._msgid, out2[i]!._msgid);
      }
    });

    it('sends what a batch holds batchMs after its first frame, then starts the next batch with the next frame', async () => {
      const t = await load({}, { kinds: 'realtime', output: 'batch', batchSize: 500, batchMs: 300 });
      const v = await vehicle(t.port);
      await v.login();
      const sentAt = Date.now();
      v.send(Buffer.concat([0, 1, 2].map((i) => v.realtimeFrame(i))));
      await sleep(150);
      assert.equal(t.out.length, 0, 'not before batchMs');
      await waitFor(() => t.out.length === 1, 'the first batch', 3000);
      assert.ok(Date.now() - sentAt >= 290, 'the wait is counted from the first frame');
      assert.deepEqual(t.out[0]!.payload.map(seqOf), [0, 1, 2]);
      assert.equal(t.out[0]!.count, 3);
      v.send(v.realtimeFrame(3));
      await sleep(100);
      v.send(v.realtimeFrame(4));
      await waitFor(() => t.out.length === 2, 'the second batch', 3000);
      assert.deepEqual(t.out[1]!.payload.map(seqOf), [3, 4]);
    });

    it('sends the frames it holds when it is stopped by a redeploy, and the frames after it in the next batches', async () => {
      const t = await load({}, { kinds: 'realtime', output: 'batch', batchSize: 500, batchMs: 60000 });
      const v = await vehicle(t.port);
      await v.login();
      v.send(Buffer.concat([0, 1, 2, 3, 4].map((i) => v.realtimeFrame(i))));
      await waitFor(() => t.server.platform!.totals.frames >= 6, 'the login and five frames at the server');
      await sleep(50);
      assert.equal(t.out.length, 0, 'held for the minute');
      // Only the gb32960-in changes: it alone stops, with the flow around it running.
      await helper.setFlows(flow({}, { kinds: 'realtime', output: 'batch', batchSize: 2, batchMs: 60000, name: 'changed' }), 'nodes');
      await waitFor(() => t.out.length === 1, 'the batch held at the stop');
      assert.deepEqual(t.out[0]!.payload.map(seqOf), [0, 1, 2, 3, 4]);
      v.send(Buffer.concat([5, 6].map((i) => v.realtimeFrame(i))));
      await waitFor(() => t.out.length === 2, 'a batch of the new size');
      assert.deepEqual(t.out[1]!.payload.map(seqOf), [5, 6]);
    });

    describe('gb32960-in batch limits as stored', () => {
      it('a node sending one msg per frame sends its frames whatever its unused batch limits hold (the dialog does not judge them then)', async () => {
        const t = await load({}, { kinds: 'realtime', output: 'frame', batchSize: 'abc', batchMs: '' });
        const v = await vehicle(t.port, vinOf(1));
        await v.login();
        v.send(Buffer.concat([0, 1].map((i) => v.realtimeFrame(i))));
        await waitFor(() => t.out.length === 2, 'two frames');
        assert.deepEqual(t.out.map((m) => seqOf(m.payload)), [0, 1]);
        assert.ok(statusesOf(helper.getNode('in')).every((s) => s.fill !== 'red'));
      });

      for (const [batchSize, why] of [['abc', /batchSize/], [0, /batchSize.*>=1/], ['', /batchSize.*>=1/], [100_001, /batchSize.*<=100000/]] as const) {
        it(`a batch node with batchSize ${JSON.stringify(batchSize)} stays red with why, and the server serves the others`, async () => {
          const t = await load({}, { kinds: 'realtime', output: 'batch', batchSize });
          const red = statusesOf(helper.getNode('in'));
          assert.equal(red.length, 1);
          assert.equal(red[0]!.fill, 'red');
          assert.match(red[0]!.text!, /^invalid configuration: /);
          assert.match(red[0]!.text!, why);
          const v = await vehicle(t.port, vinOf(1));
          await v.login();
          v.send(v.realtimeFrame(0));
          await sleep(400);
          assert.equal(t.out.length, 0);
          assert.equal(statusesOf(helper.getNode('in')).length, 1, 'the server\'s status does not cover it');
        });
      }

      it('batch sizes at the limits: 1 sends each frame as its own batch, 100000 holds them all for the wait', async () => {
        const t = await load({}, { kinds: 'realtime', output: 'batch', batchSize: 1, batchMs: 3_600_000 });
        const v = await vehicle(t.port, vinOf(1), { edition: 2025 });
        await v.login();
        v.send(Buffer.concat([0, 1, 2].map((i) => v.realtimeFrame(i))));
        await waitFor(() => t.out.length === 3, 'three batches');
        assert.deepEqual(t.out.map((m) => [m.count, seqOf(m.payload[0]), m.payload[0].edition]), [[1, 0, 2025], [1, 1, 2025], [1, 2, 2025]]);
        await helper.unload();
        const u = await load({}, { kinds: 'realtime', output: 'batch', batchSize: 100_000, batchMs: 500 });
        const w = await vehicle(u.port, vinOf(2));
        await w.login();
        w.send(Buffer.concat(Array.from({ length: 300 }, (_, i) => w.realtimeFrame(i))));
        await waitFor(() => u.out.length === 1, 'the batch after its wait');
        assert.equal(u.out[0]!.count, 300);
      });
    });

    describe('gb32960-in batch held at a redeploy', () => {
      for (const type of ['full', 'flows', 'nodes'] as const) {
        it(`${type} deploy: the frames a batch held go out once, before the frames after it, to the flow as deployed`, async () => {
          const props = { kinds: 'realtime', output: 'batch', batchSize: 500, batchMs: 60000 };
          const t = await load({}, props);
          const v = await vehicle(t.port, vinOf(1));
          await v.login();
          v.send(Buffer.concat([0, 1, 2].map((i) => v.realtimeFrame(i))));
          await waitFor(() => t.server.platform!.totals.frames >= 4, 'the frames at the server');
          await sleep(50);
          assert.equal(t.out.length, 0, 'held for the minute');
          await helper.setFlows(flow({}, { ...props, batchSize: 2, name: 'changed' }), type);
          // The new flow's nodes, watched before the held batch goes out (once the flows have started).
          const t2 = type === 'nodes' ? t : { out: collect(helper.getNode('out')), port: 0 };
          if (t2 !== t) t2.port = (await attach()).port;
          await waitFor(() => t2.out.length === 1, 'the batch held at the stop');
          assert.deepEqual(t2.out[0]!.payload.map(seqOf), [0, 1, 2]);
          assert.equal(t2.out[0]!.count, 3);
          const again = type === 'nodes' ? v : await vehicle(t2.port, vinOf(1));
          await again.login();
          again.send(Buffer.concat([3, 4].map((i) => again.realtimeFrame(i))));
          await waitFor(() => t2.out.length === 2, 'a batch of the new size');
          assert.deepEqual(t2.out[1]!.payload.map(seqOf), [3, 4]);
          await sleep(200);
          assert.equal(t.out.length + (t2 === t ? 0 : t2.out.length), 2, 'each frame once');
        });
      }

      it('a deleted node sends what it holds as it stops, to the nodes that stay', async () => {
        const t = await load({}, { kinds: 'realtime', output: 'batch', batchSize: 500, batchMs: 60000 });
        const v = await vehicle(t.port, vinOf(1));
        await v.login();
        v.send(Buffer.concat([0, 1].map((i) => v.realtimeFrame(i))));
        await waitFor(() => t.server.platform!.totals.frames >= 3, 'the frames at the server');
        await sleep(50);
        await helper.setFlows(flow().filter((n) => n.id !== 'in'), 'nodes');
        await waitFor(() => t.out.length === 1, 'the batch held at the stop');
        assert.deepEqual(t.out[0]!.payload.map(seqOf), [0, 1]);
      });
    });

    describe('gb32960-in session events and VIN filter with batches', () => {
      it('session events leave one msg each at once, only for the listed VINs; batches hold only their frames', async () => {
        const t = await load({}, { kinds: 'realtime,sessions', vins: `${vinOf(1)}\n${vinOf(3)}`, output: 'batch', batchSize: 4, batchMs: 60000 });
        const [a, b, c] = await Promise.all([vehicle(t.port, vinOf(1)), vehicle(t.port, vinOf(2)), vehicle(t.port, vinOf(3), { edition: 2025 })]);
        await Promise.all([a!.login(), b!.login(), c!.login()]);
        await waitFor(() => t.out.filter((m) => m.event === 'login').length === 2, 'two logins');
        for (const v of [a!, b!, c!]) v.send(Buffer.concat([0, 1].map((i) => v.realtimeFrame(i))));
        await waitFor(() => t.out.some((m) => m.topic === 'gb32960/batch'), 'a batch');
        a!.close();
        await waitFor(() => t.out.some((m) => m.event === 'closed'), 'the close');
        const events = t.out.filter((m) => m.event);
        assert.ok(events.every((m) => m.vin !== vinOf(2)), 'no event of an unlisted VIN');
        assert.ok(events.every((m) => !Array.isArray(m.payload)));
        const items = t.out.filter((m) => m.topic === 'gb32960/batch').flatMap((m) => m.payload as Msg[]);
        assert.deepEqual(items.map((i) => i.vin).sort(), [vinOf(1), vinOf(1), vinOf(3), vinOf(3)]);
        for (const vin of [vinOf(1), vinOf(3)]) assert.deepEqual(items.filter((i) => i.vin === vin).map(seqOf), [0, 1]);
        for (const i of items) assert.equal(new Date(i.receivedAt).toISOString(), i.receivedAt);
      });
    });
  });

  describe('gb32960-command and a vehicle that disconnects', () => {
    for (const failures of ['output', 'catch'] as const) {
      it(`failures ${failures}: a vehicle that disconnects fails the command written to it (sent true) and the one queued behind it (sent false)`, async () => {
        const t = await load({}, { kinds: 'realtime' }, { failures, params: '[9]', timeout: 5 });
        const v = await vehicle(t.port, vinOf(1), { answer: () => null });
        await v.login();
        const cmd = helper.getNode('cmd');
        cmd.receive({ vin: vinOf(1), n: 1 } as never);
        cmd.receive({ vin: vinOf(1), n: 2 } as never);
        await waitFor(() => v.received.filter((r) => r.raw[2] === 0x80).length === 1, 'the first command at the vehicle');
        await sleep(100);
        v.socket.destroy();
        const answers = failures === 'output' ? t.failures : t.errors;
        await waitFor(() => answers.length === 2, 'two answers');
        await sleep(200);
        assert.equal(answers.length, 2, 'each answered once');
        assert.equal(t.replies.length, 0);
        assert.deepEqual(answers.map((m) => [m.n, failures === 'output' ? m.error.code : m.error.message.includes('disconnected'), m.request.sent]),
          [[1, failures === 'output' ? 'disconnected' : true, true], [2, failures === 'output' ? 'disconnected' : true, false]]);
      });
    }
  });
});
