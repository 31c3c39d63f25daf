/**
 * The request nodes' one failure policy, in a real Node-RED runtime against a real broker (Aedes)
 * or real TCP vehicles: each node's failures leave on its failure output or reach a Catch node,
 * as its `failures` says, always with msg.error `{code, message}` and msg.request.sent; a reply
 * after its request was given up is reported as late and not taken for the next request; closing
 * answers every waiting request, saying whether it was sent; a stored node without `failures`
 * does what its type did before the choice existed.
 */
import assert from 'node:assert/strict';
import type * as mqtt from 'mqtt';
import type { Node } from 'node-red';
import { startAedes, type TestBroker } from '../../tools/broker';
import { withRedAndTestBrokers } from '../support/suite';
import { SimVehicle } from '../../tools/gb32960-vehicle';
import { builtNode, collect, helper, lastStatus, sleep, statuses, testClient, waitFor, type FlowNode } from '../support/red';
import type { Gb32960ServerNode } from '../../src/nodes/gb32960-server/types';

type Msg = Record<string, any>;
type Policy = 'output' | 'catch' | undefined;

const nodes = ['jointech-account', 'lock-command', 'iotos-connection', 'iotos-device', 'eztcloud-project', 'eztcloud-out', 'aliyun-living-account', 'aliyun-living-in', 'gb32960-server', 'gb32960-command'].map(builtNode);
const tag = Math.random().toString(36).slice(2, 8);
const AK = `AK${tag}`;
const GW = 100 + Math.floor(Math.random() * 800);
const IOTOS_UP = `$IOTOS/device/platform/update/${GW}/401`;
const PK = `PR_${tag}`;
const LPK = `pk${tag}`;
const CHANNEL = `app${tag}`;
const VIN = 'LZYTBGBW6J1014194';

/** What the other side received, and how to answer its i-th request. */
interface Peer {
  requests: Msg[];
  reply(i: number): Promise<void>;
  end(): Promise<void>;
}

interface Case {
  type: string;
  /** Outputs besides the failure output. */
  others: number;
  /** Where a stored node without `failures` sends them. */
  stored: 'output' | 'catch';
  /** The config node `cfg` and its credentials. */
  config(url: string): { node: FlowNode; creds: Record<string, string> };
  props: Record<string, unknown>;
  /** The config node is connected and subscribed. */
  ready(cfg: Node): boolean;
  peer(url: string): Promise<Peer>;
  input(i: number): Msg;
  /** The log text of a late reply. */
  late: RegExp;
}

async function mqttPeer(url: string, filter: string, answer: (c: mqtt.MqttClient, req: Msg) => Promise<unknown>): Promise<Peer> {
  const client = await testClient(url);
  const requests: Msg[] = [];
  client.on('message', (topic, body) => requests.push({ topic, body: body.toString() }));
  await client.subscribeAsync(filter, { qos: 1 });
  return { requests, reply: async (i) => { await answer(client, requests[i]!); }, end: () => client.endAsync(true) };
}

const connected = (filters: number) => (cfg: Node) => {
  const c = (cfg as unknown as { connection?: { connected: boolean; filters: string[] } }).connection;
  return !!c?.connected && c.filters.length >= filters;
};

const MQTT_CASES: Case[] = [
  {
    type: 'lock-command', others: 1, stored: 'output',
    config: (url) => ({ node: { id: 'cfg', type: 'jointech-account', accessKey: AK, qos: 1, connection: { url, reconnectMinMs: 100, reconnectMaxMs: 500 } }, creds: { username: 'u', password: 'p' } }),
    props: { account: 'cfg', command: 'BASE1' },
    ready: connected(1),
    peer: (url) => mqttPeer(url, `download/${AK}/+/cmd`, (c, req) => {
      const [id, , serial, word, index] = String(req.body).slice(1, -1).split(',') as [string, string, string, string, string];
      const content = JSON.stringify([id, '8', serial, word, index, 'FW', '0', 'Jointech']);
      return c.publishAsync(`upload/${AK}/${id}/cmd`, JSON.stringify({ assetId: id, commandType: `${word}${index}`, content, dateTime: new Date().toISOString() }), { qos: 1 });
    }),
    input: () => ({ device: '8130630001' }),
    late: /late reply from 8130630001/,
  },
  {
    type: 'iotos-device', others: 2, stored: 'output',
    config: (url) => ({ node: { id: 'cfg', type: 'iotos-connection', gatewayId: String(GW), deviceId: '401', connection: { url, reconnectMinMs: 100, reconnectMaxMs: 500 } }, creds: { username: 'a', password: 's' } }),
    props: { connection: 'cfg', points: [{ name: 'temperature', id: 1963, oid: '7be6' }] },
    ready: connected(2),
    peer: (url) => mqttPeer(url, IOTOS_UP, (c, req) => {
      const up = JSON.parse(String(req.body)) as Msg;
      const point = Object.values(up.data as Msg)[0] as Msg;
      return c.publishAsync(`${IOTOS_UP}/${point.id}/result`, JSON.stringify({
        ...point, requestId: up.requestId, requestTime: up.requestTime, responseId: 'r1', responseTime: Date.now(), responseCode: 0, responseDesc: 'OK',
      }), { qos: 1 });
    }),
    input: (i) => ({ payload: { '7be6': 20 + i } }),
    late: /late result for uplink/,
  },
  {
    type: 'eztcloud-out', others: 1, stored: 'catch',
    config: (url) => ({ node: { id: 'cfg', type: 'eztcloud-project', localTest: true, connection: { url, reconnectMinMs: 100, reconnectMaxMs: 500 } }, creds: { projectKey: PK, projectSecret: 's' } }),
    props: { project: 'cfg', action: 'command_send', device: 'DU_req', method: 'set', waitReply: true },
    ready: connected(1),
    peer: (url) => mqttPeer(url, `open/${PK}/+/command_send`, (c, req) => {
      const cmd = JSON.parse(String(req.body)) as Msg;
      return c.publishAsync(`open/${PK}/DU_req/command_reply`, JSON.stringify({ method: cmd.method, params: { ok: 1 }, id: cmd.id }), { qos: 1 });
    }),
    input: (i) => ({ payload: { level: i } }),
    late: /late reply to DU_req command id/,
  },
  {
    type: 'aliyun-living-in', others: 2, stored: 'catch',
    config: (url) => ({ node: { id: 'cfg', type: 'aliyun-living-account', productKey: LPK, deviceName: CHANNEL, connection: { url, clientId: `c-${tag}`, reconnectMinMs: 100, reconnectMaxMs: 500 } }, creds: { username: 'u', password: 'p' } }),
    props: { account: 'cfg', kinds: ['status'] },
    ready: connected(2),
    peer: (url) => mqttPeer(url, `/sys/${LPK}/${CHANNEL}/app/up/account/+`, (c, req) => {
      const body = JSON.parse(String(req.body)) as Msg;
      return c.publishAsync(`/sys/${LPK}/${CHANNEL}/app/down/account/bind_reply`, JSON.stringify({ id: body.id, code: 200, message: 'success' }), { qos: 1 });
    }),
    input: (i) => ({ action: 'bind', iotToken: `token${i}` }),
    late: /late reply to bind id/,
  },
];

describe('request nodes: one failure policy', function () {
  this.timeout(20000);
  const brokers = withRedAndTestBrokers();

  interface Loaded {
    node: Node;
    outs: Msg[][];
    caught: Msg[];
    broker: TestBroker;
    peer: Peer;
    /** Deploys the flow again with the request node changed (`modified nodes`). */
    redeployRequestNode(): Promise<void>;
  }

  /** The node `req` with `failures` (none: a node stored before the choice), its outputs and a Catch. */
  async function load(c: Case, failures: Policy | 'error', props: Record<string, unknown> = {}): Promise<Loaded> {
    const broker = await brokers.use(startAedes());
    const { node: cfg, creds } = c.config(broker.url);
    const policy = failures === 'error' ? 'catch' : failures ?? c.stored;
    const outputs = c.others + (policy === 'output' ? 1 : 0);
    const outIds = Array.from({ length: outputs }, (_, i) => `out${i}`);
    const flow: FlowNode[] = [
      { id: 'f1', type: 'tab' },
      cfg,
      { id: 'req', type: c.type, z: 'f1', timeout: 5, ...c.props, ...(failures ? { failures } : {}), ...props, wires: outIds.map((id) => [id]) },
      ...outIds.map((id) => ({ id, type: 'helper', z: 'f1' })),
      { id: 'catcher', type: 'catch', z: 'f1', scope: ['req'], uncaught: false, wires: [['caught']] },
      { id: 'caught', type: 'helper', z: 'f1' },
    ];
    await helper.load(nodes, flow, { cfg: creds });
    await waitFor(() => c.ready(helper.getNode('cfg')), 'connected and subscribed');
    const peer = await c.peer(broker.url);
    await sleep(100);
    const redeployRequestNode = () => helper.setFlows(flow.map((n) => (n.id === 'req' ? { ...n, name: 'changed' } : n)), 'nodes', { cfg: creds });
    return { node: helper.getNode('req'), outs: outIds.map((id) => collect(helper.getNode(id))), caught: collect(helper.getNode('caught')), broker, peer, redeployRequestNode };
  }

  /** The one shape, on either path. */
  function assertShape(m: Msg, code: string, sent: boolean): void {
    assert.equal(m.error.code, code);
    assert.equal(typeof m.error.message, 'string');
    assert.ok(m.error.message.length > 0);
    assert.equal(m.request.sent, sent, 'msg.request.sent');
  }

  for (const c of MQTT_CASES) {
    describe(c.type, () => {
      for (const policy of ['output', 'catch'] as const) {
        it(`failures "${policy}": a timeout ${policy === 'output' ? 'leaves on the last output' : 'reaches a Catch node'}, with msg.error {code, message} and msg.request.sent`, async () => {
          const t = await load(c, policy);
          try {
            t.node.receive({ ...c.input(0), timeout: 0.3, keep: 'me' } as never);
            if (policy === 'output') {
              const failed = await waitFor(() => t.outs[c.others]![0], 'the failure output');
              assertShape(failed, 'timeout', true);
              assert.equal(failed.error.sent, true, 'msg.error.sent on the failure output');
              assert.equal(failed.keep, 'me', 'the input msg travels on');
              await sleep(200);
              assert.equal(t.caught.length, 0, 'nothing to Catch');
            } else {
              const caught = await waitFor(() => t.caught[0], 'the Catch node');
              assertShape(caught, 'timeout', true);
              assert.equal(caught.error.source.id, 'req');
              assert.equal(caught.keep, 'me');
              assert.equal(t.outs.length, c.others, 'no failure output');
              await sleep(200);
              assert.ok(t.outs.every((o) => o.length === 0), 'nothing on the outputs');
            }
            assert.match((policy === 'output' ? t.outs[c.others]![0] : t.caught[0])!.error.message, /within 0\.3 s; the \w+ was sent and may still take effect/);
          } finally {
            await t.peer.end();
          }
        });
      }

      it('shows the count of waiting requests a few times a second under a burst, not once per request', async () => {
        const t = await load(c, 'output');
        try {
          const before = statuses(t.node).length;
          for (let i = 0; i < 300; i++) t.node.receive({ ...c.input(i), timeout: 5 } as never);
          await waitFor(() => /\b300 (up \/ 0 down )?waiting/.test(lastStatus(t.node)?.text ?? ''), 'the count of 300 waiting in the status', 3000);
          const updates = statuses(t.node).length - before;
          assert.ok(updates <= 5, `${updates} status updates for a burst of 300 requests`);
        } finally {
          await t.peer.end();
        }
      });

      it('reports a reply after its request was given up as late, and does not take it for the next request', async () => {
        const t = await load(c, 'output');
        const warn = t.node.warn as unknown as { getCalls(): Array<{ args: unknown[] }> };
        try {
          t.node.receive({ ...c.input(0), timeout: 0.2 } as never);
          await waitFor(() => t.outs[c.others]![0], 'the first request given up');
          t.node.receive({ ...c.input(1), timeout: 1 } as never);
          await waitFor(() => t.peer.requests.length === 2, 'both requests at the peer');
          await t.peer.reply(0);
          await waitFor(() => warn.getCalls().some((x) => c.late.test(String(x.args[0]))), 'the late reply reported');
          await sleep(100);
          assert.ok(t.outs.slice(0, c.others).every((o) => o.length === 0), 'the late reply answered nothing');
          const second = await waitFor(() => t.outs[c.others]![1], 'the second request times out', 3000);
          assert.equal(second.error.code, 'timeout');
          assert.equal(t.outs[c.others]!.length, 2);
        } finally {
          await t.peer.end();
        }
      });

      it('reports a reply to a request answered as closed on a redeploy as late in the redeployed node, and does not take it for its new request', async () => {
        const t = await load(c, 'output');
        try {
          t.node.receive(c.input(0) as never);
          await waitFor(() => t.peer.requests.length === 1, 'the first request at the peer');
          await t.redeployRequestNode();
          const closed = await waitFor(() => t.outs[c.others]![0], 'the first request answered as closed');
          assert.equal(closed.error.code, 'closed');
          const redeployed = helper.getNode('req');
          assert.notEqual(redeployed, t.node);
          const warn = redeployed.warn as unknown as { getCalls(): Array<{ thisValue: unknown; args: unknown[] }> };
          redeployed.receive({ ...c.input(1), timeout: 1.5 } as never);
          await waitFor(() => t.peer.requests.length === 2, 'the second request at the peer');
          await t.peer.reply(0);
          await waitFor(() => warn.getCalls().some((x) => x.thisValue === redeployed && c.late.test(String(x.args[0]))), 'the late reply reported by the redeployed node');
          const second = await waitFor(() => t.outs[c.others]![1], 'the second request times out', 4000);
          assert.equal(second.error.code, 'timeout');
          assert.ok(t.outs.slice(0, c.others).every((o) => o.length === 0), 'the late reply answered nothing');
        } finally {
          await t.peer.end();
        }
      });

      for (const policy of ['output', 'catch'] as const) {
        it(`failures "${policy}": closing answers each waiting request as closed, one sent and one withdrawn before it was sent`, async () => {
          const t = await load(c, policy);
          const answers: Msg[] = [];
          // The node's own answers while it stops (the helpers downstream stop with it).
          t.node.send = ((m: Msg | Msg[]) => { answers.push((Array.isArray(m) ? m.find((x) => x) : m) as Msg); }) as never;
          t.node.error = ((err: Error & { code?: string }, msg: Msg) => { answers.push({ ...msg, error: { code: err.code, message: err.message } }); }) as never;
          try {
            t.node.receive(c.input(0) as never);
            await waitFor(() => t.peer.requests.length === 1, 'the first request at the peer');
            await t.broker.stop();
            await waitFor(() => !connected(0)(helper.getNode('cfg')), 'offline');
            t.node.receive(c.input(1) as never);
            await sleep(100);
            await new Promise<void>((r) => { void (t.node as unknown as { close(removed: boolean): Promise<void> }).close(true).then(() => r()); });
            await waitFor(() => answers.length === 2, 'two answers', 3000);
            for (const a of answers) assert.equal(a.error.code, 'closed');
            assert.deepEqual(answers.map((a) => a.request.sent), [true, false]);
            assert.match(answers[0]!.error.message, /stopped before.*was sent and may still take effect/);
            assert.match(answers[1]!.error.message, /stopped before.*was withdrawn before it was sent/);
            // On a full deploy the nodes downstream stop too: with a failure output the log keeps
            // each answer (Node-RED logs a Catch-able error itself, so nothing more there).
            const warn = t.node.warn as unknown as { getCalls(): Array<{ thisValue: unknown; args: unknown[] }> };
            const logged = warn.getCalls().filter((x) => x.thisValue === t.node && /stopped before/.test(String(x.args[0])));
            assert.equal(logged.length, policy === 'output' ? 2 : 0, logged.map((x) => String(x.args[0])).join('\n'));
          } finally {
            await t.peer.end();
          }
        });
      }

      it(`a stored node without "failures" sends them ${c.stored === 'output' ? 'to its failure output' : 'to Catch'}, as before`, async () => {
        const t = await load(c, undefined);
        try {
          t.node.receive({ ...c.input(0), timeout: 0.3 } as never);
          if (c.stored === 'output') {
            assertShape(await waitFor(() => t.outs[c.others]![0], 'the failure output'), 'timeout', true);
            assert.equal(t.outs.length, c.others + 1);
          } else {
            assertShape(await waitFor(() => t.caught[0], 'the Catch node'), 'timeout', true);
            assert.equal(t.outs.length, c.others);
          }
        } finally {
          await t.peer.end();
        }
      });
    });
  }

  describe('gb32960-command', () => {
    const vehicles: SimVehicle[] = [];
    afterEach(() => { for (const v of vehicles.splice(0)) v.socket.destroy(); });

    async function loadGb(failures: Policy | 'error', props: Record<string, unknown> = {}) {
      const policy = failures === 'error' ? 'catch' : failures ?? 'output';
      const wires = policy === 'output' ? [['out0'], ['out1']] : [['out0']];
      await helper.load(nodes, [
        { id: 'f1', type: 'tab' },
        { id: 'srv', type: 'gb32960-server', host: '127.0.0.1', port: 0 },
        { id: 'req', type: 'gb32960-command', z: 'f1', server: 'srv', command: 'query', params: '[9]', timeout: 5, ...(failures ? { failures } : {}), ...props, wires },
        { id: 'out0', type: 'helper', z: 'f1' },
        { id: 'out1', type: 'helper', z: 'f1' },
        { id: 'catcher', type: 'catch', z: 'f1', scope: ['req'], uncaught: false, wires: [['caught']] },
        { id: 'caught', type: 'helper', z: 'f1' },
      ]);
      const server = helper.getNode('srv') as Gb32960ServerNode;
      await waitFor(() => server.platform?.isListening, 'the server to listen');
      // A vehicle that never answers a command.
      const v = await new SimVehicle({ port: server.platform!.port, vin: VIN, answer: () => null }).connect();
      vehicles.push(v);
      await v.login();
      return { node: helper.getNode('req'), v, out1: collect(helper.getNode('out1')), caught: collect(helper.getNode('caught')) };
    }

    for (const failures of ['output', 'catch', 'error', undefined] as const) {
      it(`failures ${failures === undefined ? 'not stored' : `"${failures}"`}: a timeout ${failures === 'output' || failures === undefined ? 'leaves on the failure output' : 'reaches a Catch node'} in the one shape`, async () => {
        const t = await loadGb(failures, { timeout: 0.3 });
        t.node.receive({ vin: VIN, keep: 'me' } as never);
        const m = failures === 'output' || failures === undefined ? await waitFor(() => t.out1[0], 'the failure output') : await waitFor(() => t.caught[0], 'the Catch node');
        assertShape(m, 'timeout', true);
        assert.equal(m.keep, 'me');
        assert.equal(m.request.vin, VIN);
        await sleep(200);
        assert.equal(t.out1.length + t.caught.length, 1, 'one answer, one path');
      });
    }

    it('a VIN not connected fails with sent false', async () => {
      const t = await loadGb('output');
      t.node.receive({ vin: 'LNOTCONNECTED0001' } as never);
      assertShape(await waitFor(() => t.out1[0], 'the failure output'), 'not-connected', false);
    });

    it('closing answers the command written to the vehicle (sent) and withdraws the one queued behind it (not sent, never written)', async () => {
      const t = await loadGb('catch');
      const answers: Msg[] = [];
      t.node.error = ((err: Error & { code?: string }, msg: Msg) => { answers.push({ ...msg, error: { code: err.code, message: err.message } }); }) as never;
      t.node.receive({ vin: VIN } as never);
      t.node.receive({ vin: VIN } as never);
      await waitFor(() => t.v.received.filter((r) => r.raw[2] === 0x80).length === 1, 'the first command at the vehicle');
      await (t.node as unknown as { close(removed: boolean): Promise<void> }).close(true);
      await waitFor(() => answers.length === 2, 'two answers', 3000);
      assert.deepEqual(answers.map((a) => [a.error.code, a.request.sent]), [['closed', true], ['closed', false]]);
      await sleep(1500);
      assert.equal(t.v.received.filter((r) => r.raw[2] === 0x80).length, 1, 'the withdrawn command never reached the vehicle');
    });
  });
});
