/**
 * Request deadlines seen from outside, in a real Node-RED against a real broker (Aedes) with a
 * client playing the platform: each request gives up at its own deadline, whatever the others'
 * (an earlier one sent later, an earlier one answered in time, several due together, one due as
 * another is answered); the node keeps timing requests after it had none waiting; and requests
 * answered as closed by a redeploy get no second answer when their deadline passes.
 */
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import type * as mqtt from 'mqtt';
import type { Node } from 'node-red';
import { withRedAndTestBrokers } from '../support/suite';
import { requestNodeLoader, warned } from '../support/request-flow';
import { builtNode, lastStatus, sleep, statuses, waitFor, type FlowNode } from '../support/red';

type Msg = Record<string, any>;

const nodes = ['eztcloud-project', 'eztcloud-out', 'iotos-connection', 'iotos-device', 'jointech-account', 'lock-command'].map(builtNode);
const tag = Math.random().toString(36).slice(2, 8);
const PK = `PR_${tag}`;
const AK = `AK${tag}`;
const GW = 100 + Math.floor(Math.random() * 800);
const UP = `$IOTOS/device/platform/update/${GW}/401`;

/** A message on an output, with when it arrived (performance.now()). */
type Arrival = Msg & { at: number };

/** Every message `node` receives, stamped with its arrival time. */
function arrivals(node: Node): Arrival[] {
  const got: Arrival[] = [];
  node.on('input', (msg: Msg) => { got.push({ ...msg, at: performance.now() }); });
  return got;
}


/** Asserts `ms` lies in [low, high). */
function within(ms: number, low: number, high: number, what: string): void {
  assert.ok(ms >= low && ms < high, `${what} after ${ms.toFixed(0)} ms, expected between ${low} and ${high} ms`);
}

describe('request nodes: each request given up at its own deadline', function () {
  this.timeout(30000);
  const brokers = withRedAndTestBrokers();
  const clients: mqtt.MqttClient[] = [];
  afterEach(async () => { await Promise.all(clients.splice(0).map((c) => c.endAsync(true))); });

  const load = requestNodeLoader(nodes, brokers, clients, arrivals);

  describe('eztcloud-out', () => {
    const DEV = 'DU_dl';
    const cfg = (url: string): FlowNode => ({ id: 'cfg', type: 'eztcloud-project', localTest: true, connection: { url, reconnectMinMs: 100, reconnectMaxMs: 500 } });

    async function loadOut() {
      const t = await load(cfg, { projectKey: PK, projectSecret: 's' }, { id: 'req', type: 'eztcloud-out', project: 'cfg', action: 'command_send', method: 'set', waitReply: true, timeout: 5 }, 1, 1);
      const sent: Msg[] = [];
      t.peer.on('message', (topic, body) => sent.push({ device: topic.split('/')[2], ...(JSON.parse(body.toString()) as Msg) }));
      await t.peer.subscribeAsync(`open/${PK}/+/command_send`, { qos: 1 });
      const reply = (id: number, mark: unknown, device = DEV) =>
        t.peer.publishAsync(`open/${PK}/${device}/command_reply`, JSON.stringify({ method: 'set', params: { mark }, id }), { qos: 1 });
      /** Sends command `id` with msg.timeout `timeout` s (none: the dialog's 5 s); returns when it was sent. */
      const send = (id: number, timeout?: number, n: unknown = id) => {
        const at = performance.now();
        t.node.receive({ device: DEV, id, payload: {}, n, ...(timeout === undefined ? {} : { timeout }) } as never);
        return at;
      };
      return { ...t, sent, reply, send, replies: t.outs[0]! };
    }

    it('a short msg.timeout sent after a long one fails at its own time; the long one keeps waiting and takes its reply', async () => {
      const t = await loadOut();
      const longAt = t.send(1, 1.5);
      const shortAt = t.send(2, 0.2);
      await waitFor(() => t.sent.length === 2, 'both commands at the device');
      const short = await waitFor(() => t.failed[0], 'the short command given up', 3000);
      assert.equal(short.n, 2);
      assert.equal(short.error.code, 'timeout');
      assert.match(short.error.message, /within 0\.2 s/);
      within(short.at - shortAt, 200, 1000, 'the 0.2 s command given up');
      await sleep(200);
      assert.equal(t.failed.length, 1, 'the 1.5 s command still waits');
      await t.reply(1, 'long');
      const answered = await waitFor(() => t.replies[0], 'the 1.5 s command answered');
      assert.deepEqual([answered.n, answered.payload.params.mark], [1, 'long']);
      assert.ok(answered.at - longAt < 1500, 'answered before its deadline');
      // Past its deadline: the answered command gets no second answer.
      await sleep(Math.max(0, longAt + 1700 - performance.now()));
      assert.equal(t.failed.length, 1);
      assert.equal(t.replies.length, 1);
    });

    it('the earliest command answered in time: a later one with another key still times out at its own deadline', async () => {
      const t = await loadOut();
      t.send(1, 0.3);
      // Due soon after the first: not given up with it when the timer fires for the first.
      const laterAt = t.send(2, 0.5);
      await waitFor(() => t.sent.length === 2, 'both commands at the device');
      await t.reply(1, 'early');
      await waitFor(() => t.replies.length === 1, 'the earliest answered');
      const later = await waitFor(() => t.failed[0], 'the later command given up', 3000);
      assert.equal(later.n, 2);
      assert.equal(later.error.code, 'timeout');
      within(later.at - laterAt, 500, 1000, 'the 0.5 s command given up');
      assert.equal(t.replies[0]!.n, 1);
      await sleep(300);
      assert.equal(t.failed.length, 1, 'the answered command never fails');
    });

    it('commands due together each time out once, in the order sent; the status loses its waiting count; a reply after that is late', async () => {
      const t = await loadOut();
      for (const id of [31, 32, 33, 34]) t.send(id, 0.5);
      await waitFor(() => t.sent.length === 4, 'four commands at the device');
      await waitFor(() => t.failed.length === 4, 'four timeouts', 3000);
      assert.ok(statuses(t.node).some((s) => /4 waiting/.test(s.text ?? '')), 'the four were shown waiting');
      assert.deepEqual(t.failed.map((m) => [m.n, m.error.code]), [[31, 'timeout'], [32, 'timeout'], [33, 'timeout'], [34, 'timeout']]);
      await t.reply(32, 'late');
      await waitFor(() => warned(t.node, /late reply to DU_dl command id 32/) === 1, 'the late reply reported');
      await sleep(300);
      assert.equal(t.failed.length, 4, 'each timed out once');
      assert.equal(t.replies.length, 0, 'the late reply answered nothing');
      // The red flash of the failures fades after 5 s; then the status shows what still waits.
      const settled = await waitFor(() => /^connected/.test(lastStatus(t.node)?.text ?? '') && lastStatus(t.node)!.text, 'the status after the failures', 8000);
      assert.doesNotMatch(settled, /waiting/);
      assert.match(settled, /4 errors/);
    });

    it('commands timing out while others are answered at the same moment disturb neither; the node, idle again, times the next command', async () => {
      const t = await loadOut();
      const offsets = [-20, -10, -5, 0, 5, 10, 20];
      const start = performance.now();
      offsets.forEach((_, i) => { t.send(100 + i, 0.4); t.send(200 + i, 1); });
      await waitFor(() => t.sent.length === 2 * offsets.length, 'all commands at the device');
      // Each reply to a 1 s command reaches the node around the deadline of the 0.4 s ones.
      await Promise.all(offsets.map(async (offset, i) => {
        await sleep(Math.max(0, start + 400 + offset - performance.now()));
        await t.reply(200 + i, `r${i}`);
      }));
      await waitFor(() => t.failed.length === offsets.length && t.replies.length === offsets.length, 'every command answered', 3000);
      assert.deepEqual(t.failed.map((m) => [m.n, m.error.code]), offsets.map((_, i) => [100 + i, 'timeout']));
      assert.deepEqual(t.replies.map((m) => [m.n, m.payload.params.mark]).sort(), offsets.map((_, i) => [200 + i, `r${i}`]).sort());
      await sleep(200);
      assert.equal(t.failed.length + t.replies.length, 2 * offsets.length, 'one answer each');

      // Nothing waits now: a new command is timed, and another answered, as on a fresh node; its
      // deadline comes after those of the 1 s commands, for which the timer was last set.
      const nextAt = t.send(300, 1.2);
      t.send(301, 2);
      await waitFor(() => t.sent.length === 2 * offsets.length + 2, 'the next commands at the device');
      await t.reply(301, 'next');
      await waitFor(() => t.replies.length === offsets.length + 1, 'the next command answered');
      const next = await waitFor(() => t.failed[offsets.length], 'the next command given up', 4000);
      assert.equal(next.n, 300);
      within(next.at - nextAt, 1200, 2000, 'the 1.2 s command given up');
    });

    it('a redeploy answers the waiting commands as closed; their deadlines pass without a second answer, and the new node times its own', async () => {
      const t = await loadOut();
      const sentAt = t.send(41, 0.5);
      t.send(42, 0.8);
      await waitFor(() => t.sent.length === 2, 'both commands at the device');
      const node = await t.redeploy();
      assert.notEqual(node, t.node);
      await waitFor(() => t.failed.length === 2, 'both answered as closed');
      assert.deepEqual(t.failed.map((m) => [m.n, m.error.code]), [[41, 'closed'], [42, 'closed']]);
      await sleep(Math.max(0, sentAt + 1300 - performance.now()));
      assert.equal(t.failed.length, 2, 'no timeout after the close');
      assert.equal(t.replies.length, 0);
      const newAt = performance.now();
      node.receive({ device: DEV, id: 43, payload: {}, n: 43, timeout: 0.2 } as never);
      const fresh = await waitFor(() => t.failed[2], 'the new node gives up its command', 3000);
      assert.deepEqual([fresh.n, fresh.error.code], [43, 'timeout']);
      within(fresh.at - newAt, 200, 1000, 'the new 0.2 s command given up');
      await sleep(200);
      assert.equal(t.failed.length, 3);
    });
  });

  describe('iotos-device', () => {
    const cfg = (url: string): FlowNode => ({ id: 'cfg', type: 'iotos-connection', gatewayId: String(GW), deviceId: '401', connection: { url, reconnectMinMs: 100, reconnectMaxMs: 500 } });

    it('a short msg.timeout sent after a long one fails at its own time; the long one keeps waiting and takes its result', async () => {
      const t = await load(cfg, { username: 'a', password: 's' }, { id: 'req', type: 'iotos-device', connection: 'cfg', points: [{ name: 'temperature', id: 1963, oid: '7be6' }], timeout: 5 }, 2, 2);
      const uplinks: Msg[] = [];
      t.peer.on('message', (_topic, body) => uplinks.push(JSON.parse(body.toString()) as Msg));
      await t.peer.subscribeAsync(UP, { qos: 1 });
      const longAt = performance.now();
      t.node.receive({ payload: { requestId: `r${tag}long`, data: { '7be6': 1 } }, n: 1, timeout: 1.5 } as never);
      const shortAt = performance.now();
      t.node.receive({ payload: { requestId: `r${tag}short`, data: { '7be6': 2 } }, n: 2, timeout: 0.2 } as never);
      await waitFor(() => uplinks.length === 2, 'both uplinks at the platform');
      const short = await waitFor(() => t.failed[0], 'the short uplink given up', 3000);
      assert.deepEqual([short.n, short.error.code], [2, 'timeout']);
      within(short.at - shortAt, 200, 1000, 'the 0.2 s uplink given up');
      await sleep(200);
      assert.equal(t.failed.length, 1, 'the 1.5 s uplink still waits');
      const up = uplinks.find((u) => u.requestId === `r${tag}long`)!;
      const point = up.data['7be6'] as Msg;
      await t.peer.publishAsync(`${UP}/${point.id}/result`, JSON.stringify({
        ...point, requestId: up.requestId, requestTime: up.requestTime, responseId: 'r1', responseTime: Date.now(), responseCode: 0, responseDesc: 'OK',
      }), { qos: 1 });
      const confirmed = await waitFor(() => t.outs[0]![0], 'the 1.5 s uplink confirmed');
      assert.equal(confirmed.n, 1);
      assert.ok(confirmed.at - longAt < 1500);
      await sleep(Math.max(0, longAt + 1700 - performance.now()));
      assert.equal(t.failed.length, 1, 'the confirmed uplink gets no timeout');
    });
  });

  describe('lock-command', () => {
    const cfg = (url: string): FlowNode => ({ id: 'cfg', type: 'jointech-account', accessKey: AK, qos: 1, connection: { url, reconnectMinMs: 100, reconnectMaxMs: 500 } });

    it('the earliest command answered in time: a later one to another lock still times out at its own deadline', async () => {
      const t = await load(cfg, { username: 'u', password: 'p' }, { id: 'req', type: 'lock-command', account: 'cfg', command: 'BASE1', timeout: 5 }, 1, 1);
      const frames: string[] = [];
      t.peer.on('message', (_topic, body) => frames.push(body.toString()));
      await t.peer.subscribeAsync(`download/${AK}/+/cmd`, { qos: 1 });
      t.node.receive({ device: '8130630001', n: 1, timeout: 0.3 } as never);
      const laterAt = performance.now();
      t.node.receive({ device: '8130630002', n: 2, timeout: 0.5 } as never);
      await waitFor(() => frames.length === 2, 'both commands at the locks');
      const first = frames.find((f) => f.startsWith('(8130630001,'))!;
      const [id, , serial, word, index] = first.slice(1, -1).split(',') as [string, string, string, string, string];
      const content = JSON.stringify([id, '8', serial, word, index, 'FW', '0', 'Jointech']);
      await t.peer.publishAsync(`upload/${AK}/${id}/cmd`, JSON.stringify({ assetId: id, commandType: `${word}${index}`, content, dateTime: new Date().toISOString() }), { qos: 1 });
      await waitFor(() => t.outs[0]!.length === 1, 'the earliest answered');
      assert.equal(t.outs[0]![0]!.n, 1);
      const later = await waitFor(() => t.failed[0], 'the later command given up', 3000);
      assert.deepEqual([later.n, later.error.code], [2, 'timeout']);
      within(later.at - laterAt, 500, 1000, 'the 0.5 s command given up');
      await sleep(300);
      assert.equal(t.failed.length, 1);
    });
  });
});
