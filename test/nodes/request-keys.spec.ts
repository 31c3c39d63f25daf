/**
 * Replies found by the key they name (eztcloud-out: device and command id; iotos-device: requestId;
 * aliyun-living-in: request id), seen from outside in a real Node-RED against a real broker
 * (Aedes): a reply answers the oldest request waiting with its key, once; a key given up, answered,
 * refused by a full queue or closed by a redeploy can be used again and is matched normally; a
 * reply after the deadline is reported as late; hundreds waiting each get their own reply.
 */
import assert from 'node:assert/strict';
import type * as mqtt from 'mqtt';
import type { Node } from 'node-red';
import { withRedAndTestBrokers } from '../support/suite';
import { requestNodeLoader, warned } from '../support/request-flow';
import { builtNode, sleep, waitFor, type FlowNode } from '../support/red';

type Msg = Record<string, any>;
type Calls = { getCalls(): Array<{ thisValue: unknown; args: unknown[] }> };

const nodes = ['eztcloud-project', 'eztcloud-out', 'iotos-connection', 'iotos-device', 'aliyun-living-account', 'aliyun-living-in'].map(builtNode);
const tag = Math.random().toString(36).slice(2, 8);
const PK = `PR_${tag}`;
const GW = 100 + Math.floor(Math.random() * 800);
const UP = `$IOTOS/device/platform/update/${GW}/401`;
const LPK = `pk${tag}`;
const CHANNEL = `app${tag}`;
const POINTS = [{ name: 'temperature', id: 1963, oid: '7be6' }, { name: 'switch', id: 1964, oid: '179f' }];


describe('request nodes: replies matched by their key', function () {
  this.timeout(30000);
  const brokers = withRedAndTestBrokers();
  const clients: mqtt.MqttClient[] = [];
  afterEach(async () => { await Promise.all(clients.splice(0).map((c) => c.endAsync(true))); });

  const load = requestNodeLoader<Msg>(nodes, brokers, clients);

  describe('eztcloud-out', () => {
    const DEV = 'DU_key1';
    const cfg = (queueLimit?: number) => (url: string): FlowNode => ({ id: 'cfg', type: 'eztcloud-project', localTest: true, connection: { url, reconnectMinMs: 100, reconnectMaxMs: 500, ...(queueLimit === undefined ? {} : { queueLimit }) } });
    const creds = { projectKey: PK, projectSecret: 's' };

    async function loadOut(queueLimit?: number) {
      const t = await load(cfg(queueLimit), creds, { id: 'req', type: 'eztcloud-out', project: 'cfg', action: 'command_send', method: 'set', waitReply: true, timeout: 5 }, 1, 1);
      const sent: Msg[] = [];
      t.peer.on('message', (topic, body) => sent.push({ device: topic.split('/')[2], ...(JSON.parse(body.toString()) as Msg) }));
      await t.peer.subscribeAsync(`open/${PK}/+/command_send`, { qos: 1 });
      const reply = (device: string, id: unknown, mark: unknown) =>
        t.peer.publishAsync(`open/${PK}/${device}/command_reply`, JSON.stringify({ method: 'set', params: { mark }, id }), { qos: 1 });
      return { ...t, sent, reply, replies: t.outs[0]! };
    }

    /** Inputs the node refused before sending (to Catch, not the failure output). */
    const refusals = (node: Node) => (node.error as unknown as Calls).getCalls().filter((c) => c.thisValue === node).map((c) => String(c.args[0]));

    it('a reply answers its command once; a repeated reply answers nothing; the same device and id sent again after the answer is accepted and matched', async () => {
      const t = await loadOut();
      t.node.receive({ device: DEV, id: 5, payload: { n: 1 }, n: 1 } as never);
      await waitFor(() => t.sent.length === 1, 'the first command');
      await t.reply(DEV, 5, 'a');
      await waitFor(() => t.replies.length === 1, 'the first answer');
      await t.reply(DEV, 5, 'again');
      await sleep(200);
      assert.equal(t.replies.length, 1, 'the repeated reply answered nothing');
      assert.equal(warned(t.node, /late/), 0, 'a reply to an answered command is not one given up');
      t.node.receive({ device: DEV, id: 5, payload: { n: 2 }, n: 2 } as never);
      await waitFor(() => t.sent.length === 2, 'the same id sent again');
      await t.reply(DEV, 5, 'b');
      await waitFor(() => t.replies.length === 2, 'the second answer');
      assert.deepEqual(t.replies.map((r) => [r.n, r.payload.params.mark]), [[1, 'a'], [2, 'b']]);
      assert.equal(t.failed.length, 0);
    });

    it('the same id to another device is a different command: each reply finds its own', async () => {
      const t = await loadOut();
      t.node.receive({ device: 'DU_one', id: 9, payload: {}, n: 1 } as never);
      t.node.receive({ device: 'DU_two', id: 9, payload: {}, n: 2 } as never);
      t.node.receive({ device: 'DU_two', id: '9', payload: {}, n: 3 } as never);
      await waitFor(() => t.sent.length === 2 && refusals(t.node).length === 1, 'two sent, one refused');
      assert.match(refusals(t.node)[0]!, /a command with id 9 to DU_two is still waiting/, 'id "9" is id 9 on the wire');
      await t.reply('DU_two', 9, 'two');
      await t.reply('DU_one', 9, 'one');
      await waitFor(() => t.replies.length === 2, 'both answers');
      assert.deepEqual(t.replies.map((r) => [r.n, r.payload.params.mark]), [[2, 'two'], [1, 'one']]);
    });

    it('a command given up at its deadline: its late reply is reported as late, and its id sent again is accepted and gets its own reply', async () => {
      const t = await loadOut();
      t.node.receive({ device: DEV, id: 7, timeout: 0.2, payload: {}, n: 1 } as never);
      await waitFor(() => t.failed.length === 1, 'the first command given up');
      assert.equal(t.failed[0]!.error.code, 'timeout');
      await t.reply(DEV, 7, 'late');
      await waitFor(() => warned(t.node, /late reply to DU_key1 command id 7/) === 1, 'the late reply reported');
      t.node.receive({ device: DEV, id: 7, payload: {}, n: 2 } as never);
      await waitFor(() => t.sent.length === 2, 'the same id accepted and sent again');
      await t.reply(DEV, 7, 'fresh');
      await waitFor(() => t.replies.length === 1, 'the second command answered');
      assert.deepEqual([t.replies[0]!.n, t.replies[0]!.payload.params.mark], [2, 'fresh']);
      assert.equal(t.failed.length, 1);
    });

    it('a command refused by a full queue keeps nothing waiting: its device and id are accepted again and matched', async () => {
      const t = await loadOut(1);
      t.node.receive({ device: DEV, id: 1, payload: {}, n: 1 } as never);
      t.node.receive({ device: 'DU_key2', id: 2, payload: {}, n: 2 } as never);
      const refused = await waitFor(() => t.failed[0], 'the second command refused');
      assert.equal(refused.error.code, 'not-sent');
      assert.equal(refused.n, 2);
      assert.match(refused.error.message, /limit 1/);
      await waitFor(() => t.sent.length === 1, 'the first command');
      await t.reply(DEV, 1, 'one');
      await waitFor(() => t.replies.length === 1, 'the first answered');
      t.node.receive({ device: 'DU_key2', id: 2, payload: {}, n: 3 } as never);
      await waitFor(() => t.sent.length === 2, 'the refused id accepted and sent');
      await t.reply('DU_key2', 2, 'two');
      await waitFor(() => t.replies.length === 2, 'the second answered');
      assert.deepEqual(t.replies.map((r) => [r.n, r.payload.params.mark]), [[1, 'one'], [3, 'two']]);
      assert.equal(t.failed.length, 1);
    });

    it('after a redeploy, the reply to a command closed by it is late in the new node, and its id is accepted there and matched', async () => {
      const t = await loadOut();
      t.node.receive({ device: DEV, id: 11, payload: {}, n: 1 } as never);
      await waitFor(() => t.sent.length === 1, 'the first command');
      const node = await t.redeploy();
      assert.notEqual(node, t.node);
      await waitFor(() => t.failed[0]?.error.code === 'closed', 'the first command closed');
      await t.reply(DEV, 11, 'late');
      await waitFor(() => warned(node, /late reply to DU_key1 command id 11/) === 1, 'the late reply reported by the new node');
      node.receive({ device: DEV, id: 11, payload: {}, n: 2 } as never);
      node.receive({ device: DEV, id: 11, payload: {}, n: 3 } as never);
      await waitFor(() => refusals(node).length === 1, 'the id still waiting refused in the new node');
      assert.match(refusals(node)[0]!, /a command with id 11 to DU_key1 is still waiting/);
      await waitFor(() => t.sent.length === 2, 'the id sent again from the new node');
      await sleep(100);
      assert.equal(t.sent.length, 2, 'the refused command not published');
      await t.reply(DEV, 11, 'fresh');
      await waitFor(() => t.replies.length === 1, 'answered in the new node');
      assert.deepEqual([t.replies[0]!.n, t.replies[0]!.payload.params.mark], [2, 'fresh']);
    });

    it('500 commands waiting, answered in reverse order, each get their own reply', async () => {
      const t = await loadOut();
      const devices = ['DU_m0', 'DU_m1', 'DU_m2', 'DU_m3', 'DU_m4'];
      for (let i = 0; i < 500; i++) t.node.receive({ device: devices[i % 5], id: 1000 + Math.floor(i / 5), payload: {}, n: i, timeout: 20 } as never);
      await waitFor(() => t.sent.length === 500, '500 commands at the devices', 15000);
      for (const s of [...t.sent].reverse()) void t.reply(s.device, s.id, `${s.device}/${s.id}`);
      await waitFor(() => t.replies.length === 500, '500 answers', 15000);
      for (const r of t.replies) {
        assert.equal(r.payload.params.mark, `${devices[r.n % 5]}/${1000 + Math.floor(r.n / 5)}`, `command ${r.n}`);
      }
      assert.equal(new Set(t.replies.map((r) => r.n)).size, 500);
      assert.equal(t.failed.length, 0);
    });
  });

  describe('iotos-device', () => {
    const cfg = (queueLimit?: number) => (url: string): FlowNode => ({ id: 'cfg', type: 'iotos-connection', gatewayId: String(GW), deviceId: '401', connection: { url, reconnectMinMs: 100, reconnectMaxMs: 500, ...(queueLimit === undefined ? {} : { queueLimit }) } });

    async function loadDev(queueLimit?: number) {
      const t = await load(cfg(queueLimit), { username: 'a', password: 's' }, { id: 'req', type: 'iotos-device', connection: 'cfg', points: POINTS, timeout: 5 }, 2, 2);
      const uplinks: Msg[] = [];
      t.peer.on('message', (_topic, body) => uplinks.push(JSON.parse(body.toString()) as Msg));
      await t.peer.subscribeAsync(UP, { qos: 1 });
      /** The platform's result for one data point of `up`. */
      const result = (up: Msg, oid: string, requestId = up.requestId as string) => {
        const point = up.data[oid] as Msg;
        return t.peer.publishAsync(`${UP}/${point.id}/result`, JSON.stringify({
          ...point, requestId, requestTime: up.requestTime, responseId: 'r1', responseTime: Date.now(), responseCode: 0, responseDesc: 'OK',
        }), { qos: 1 });
      };
      return { ...t, uplinks, result, done: t.outs[0]! };
    }
    const uplink = (requestId: string, values: Record<string, unknown>) => ({ payload: { requestId, data: values } });

    it('two uplinks with one requestId: each result answers the oldest waiting, once; a repeated result answers nothing', async () => {
      const t = await loadDev();
      const R = `r${tag}same`;
      t.node.receive({ ...uplink(R, { '7be6': 1 }), n: 1 } as never);
      t.node.receive({ ...uplink(R, { '7be6': 2 }), n: 2 } as never);
      await waitFor(() => t.uplinks.length === 2, 'both uplinks');
      await t.result(t.uplinks[1]!, '7be6');
      await waitFor(() => t.done.length === 1, 'the first result');
      assert.equal(t.done[0]!.n, 1, 'the oldest uplink answered first');
      await t.result(t.uplinks[0]!, '7be6');
      await waitFor(() => t.done.length === 2, 'the second result');
      assert.equal(t.done[1]!.n, 2);
      await t.result(t.uplinks[0]!, '7be6');
      await sleep(200);
      assert.equal(t.done.length, 2, 'the repeated result answered nothing');
      t.node.receive({ ...uplink(R, { '7be6': 3 }), n: 3, timeout: 0.5 } as never);
      await waitFor(() => t.outs[2]!.length === 1, 'the third uplink times out', 3000);
      assert.equal(t.outs[2]![0]!.n, 3, 'nothing answered the third uplink');
      assert.equal(t.done.length, 2);
    });

    it('two uplinks with one requestId and different data points: each gets the result of its own point', async () => {
      const t = await loadDev();
      const R = `r${tag}points`;
      t.node.receive({ ...uplink(R, { '7be6': 21 }), n: 1, timeout: 2 } as never);
      t.node.receive({ ...uplink(R, { '179f': true }), n: 2, timeout: 2 } as never);
      await waitFor(() => t.uplinks.length === 2, 'both uplinks');
      await t.result(t.uplinks[1]!, '179f');
      await t.result(t.uplinks[0]!, '7be6');
      await waitFor(() => t.done.length + t.outs[2]!.length === 2, 'both answered', 4000);
      assert.equal(t.outs[2]!.length, 0, JSON.stringify(t.outs[2]!.map((m) => m.error)));
      assert.deepEqual(t.done.map((m) => [m.n, m.payload.results[0].id]).sort(), [[1, 1963], [2, 1964]]);
    });

    it('an uplink given up: its late result is reported as late; its requestId sent again is matched to its own result', async () => {
      const t = await loadDev();
      const R = `r${tag}late`;
      t.node.receive({ ...uplink(R, { '7be6': 1 }), n: 1, timeout: 0.2 } as never);
      await waitFor(() => t.outs[2]![0], 'the first uplink given up');
      await t.result(t.uplinks[0]!, '7be6');
      await waitFor(() => warned(t.node, /late result for uplink/) === 1, 'the late result reported');
      assert.equal(t.done.length, 0);
      t.node.receive({ ...uplink(R, { '7be6': 2 }), n: 2 } as never);
      await waitFor(() => t.uplinks.length === 2, 'the same requestId sent again');
      await t.result(t.uplinks[1]!, '7be6');
      await waitFor(() => t.done.length === 1, 'the second uplink confirmed');
      assert.equal(t.done[0]!.n, 2);
      assert.equal(t.done[0]!.payload.results[0].value, 2);
    });

    it('an uplink refused by a full queue keeps nothing waiting: its requestId sent again is matched', async () => {
      const t = await loadDev(1);
      const R = `r${tag}full`;
      t.node.receive({ ...uplink(`r${tag}first`, { '7be6': 1 }), n: 1 } as never);
      t.node.receive({ ...uplink(R, { '7be6': 2 }), n: 2 } as never);
      const refused = await waitFor(() => t.outs[2]![0], 'the second uplink refused');
      assert.equal(refused.error.code, 'not-sent');
      assert.equal(refused.n, 2);
      await waitFor(() => t.uplinks.length === 1, 'the first uplink');
      await t.result(t.uplinks[0]!, '7be6');
      await waitFor(() => t.done.length === 1, 'the first confirmed');
      t.node.receive({ ...uplink(R, { '7be6': 3 }), n: 3 } as never);
      await waitFor(() => t.uplinks.length === 2, 'the refused requestId sent');
      await t.result(t.uplinks[1]!, '7be6');
      await waitFor(() => t.done.length === 2, 'the second confirmed');
      assert.deepEqual(t.done.map((m) => m.n), [1, 3]);
      assert.equal(t.outs[2]!.length, 1);
    });

    it('after a redeploy, the result of an uplink closed by it is late in the new node, and its requestId is matched there', async () => {
      const t = await loadDev();
      const R = `r${tag}redeploy`;
      t.node.receive({ ...uplink(R, { '7be6': 1 }), n: 1 } as never);
      await waitFor(() => t.uplinks.length === 1, 'the first uplink');
      const node = await t.redeploy();
      await waitFor(() => t.outs[2]![0]?.error.code === 'closed', 'the first uplink closed');
      await t.result(t.uplinks[0]!, '7be6');
      await waitFor(() => warned(node, /late result for uplink/) === 1, 'the late result reported by the new node');
      node.receive({ ...uplink(R, { '7be6': 2 }), n: 2 } as never);
      await waitFor(() => t.uplinks.length === 2, 'the requestId sent again');
      await t.result(t.uplinks[1]!, '7be6');
      await waitFor(() => t.done.length === 1, 'confirmed in the new node');
      assert.equal(t.done[0]!.n, 2);
    });

    it('500 uplinks waiting, answered in reverse order, each get their own result', async () => {
      const t = await loadDev();
      for (let i = 0; i < 500; i++) t.node.receive({ payload: { '7be6': i }, n: i, timeout: 20 } as never);
      await waitFor(() => t.uplinks.length === 500, '500 uplinks at the platform', 15000);
      for (const up of [...t.uplinks].reverse()) void t.result(up, '7be6');
      await waitFor(() => t.done.length === 500, '500 confirmations', 15000);
      for (const m of t.done) assert.equal(m.payload.results[0].value, m.n, `uplink ${m.n}`);
      assert.equal(new Set(t.done.map((m) => m.n)).size, 500);
    });
  });

  describe('aliyun-living-in', () => {
    const cfg = (url: string): FlowNode => ({ id: 'cfg', type: 'aliyun-living-account', productKey: LPK, deviceName: CHANNEL, connection: { url, clientId: `c-${tag}`, reconnectMinMs: 100, reconnectMaxMs: 500 } });

    async function loadIn() {
      const t = await load(cfg, { username: 'u', password: 'p' }, { id: 'req', type: 'aliyun-living-in', account: 'cfg', kinds: ['status'], timeout: 5 }, 2, 2);
      const requests: Msg[] = [];
      t.peer.on('message', (_topic, body) => requests.push(JSON.parse(body.toString()) as Msg));
      await t.peer.subscribeAsync(`/sys/${LPK}/${CHANNEL}/app/up/account/+`, { qos: 1 });
      const reply = (id: unknown, message: string) =>
        t.peer.publishAsync(`/sys/${LPK}/${CHANNEL}/app/down/account/bind_reply`, JSON.stringify({ id, code: 200, message }), { qos: 1 });
      return { ...t, requests, reply, replies: t.outs[1]! };
    }

    it('a reply answers its request once; a repeated reply answers nothing and is not taken for the next request', async () => {
      const t = await loadIn();
      t.node.receive({ action: 'bind', iotToken: 't1', n: 1 } as never);
      await waitFor(() => t.requests.length === 1, 'the first request');
      await t.reply(t.requests[0]!.id, 'first');
      await waitFor(() => t.replies.length === 1, 'the first answer');
      t.node.receive({ action: 'bind', iotToken: 't2', n: 2, timeout: 0.5 } as never);
      await waitFor(() => t.requests.length === 2, 'the second request');
      await t.reply(t.requests[0]!.id, 'again');
      const second = await waitFor(() => t.failed[0], 'the second request times out', 3000);
      assert.equal(second.n, 2);
      assert.equal(t.replies.length, 1, 'the repeated reply answered nothing');
      assert.equal(t.replies[0]!.payload.message, 'first');
    });

    it('500 requests waiting, answered in reverse order, each get their own reply', async () => {
      const t = await loadIn();
      for (let i = 0; i < 500; i++) t.node.receive({ action: 'bind', iotToken: `tok${i}`, n: i, timeout: 20 } as never);
      await waitFor(() => t.requests.length === 500, '500 requests at the platform', 15000);
      for (const r of [...t.requests].reverse()) void t.reply(r.id, r.params.iotToken);
      await waitFor(() => t.replies.length === 500, '500 answers', 15000);
      for (const m of t.replies) assert.equal(m.payload.message, `tok${m.n}`, `request ${m.n}`);
      assert.equal(new Set(t.replies.map((m) => m.n)).size, 500);
      assert.equal(t.failed.length, 0);
    });
  });
});
