/**
 * gb32960-in's batch output and gb32960-command's answers across redeploys, in a real Node-RED
 * runtime with simulated vehicles on real TCP connections.
 */
import assert from 'node:assert/strict';
import type { Gb32960ServerNode } from '../../src/nodes/gb32960-server/types';
import { SimVehicle, vinOf } from '../../tools/gb32960-vehicle';
import type { Node } from 'node-red';
import { builtNode, collect, helper, sleep, waitFor, type FlowNode } from '../support/red';

const nodes = [builtNode('gb32960-server'), builtNode('gb32960-in'), builtNode('gb32960-command')];
type Msg = Record<string, any>;

function flow(inProps: Record<string, unknown> = {}, cmdProps: Record<string, unknown> = {}): FlowNode[] {
  return [
    { id: 'f1', type: 'tab' },
    { id: 'srv', type: 'gb32960-server', host: '127.0.0.1', port: 0 },
    { id: 'in', type: 'gb32960-in', z: 'f1', server: 'srv', wires: [['out']], ...inProps },
    { id: 'cmd', type: 'gb32960-command', z: 'f1', server: 'srv', params: '[9]', timeout: 5, wires: [['replies'], ['failures']], ...cmdProps },
    { id: 'catcher', type: 'catch', z: 'f1', scope: null, uncaught: false, wires: [['errors']] },
    { id: 'out', type: 'helper', z: 'f1' },
    { id: 'replies', type: 'helper', z: 'f1' },
    { id: 'failures', type: 'helper', z: 'f1' },
    { id: 'errors', type: 'helper', z: 'f1' },
  ];
}

async function load(inProps: Record<string, unknown> = {}, cmdProps: Record<string, unknown> = {}) {
  await helper.load(nodes, flow(inProps, cmdProps));
  return attach();
}

async function attach() {
  const server = helper.getNode('srv') as Gb32960ServerNode;
  await waitFor(() => server.platform?.isListening, 'the server to listen');
  return {
    server, port: server.platform!.port, out: collect(helper.getNode('out')), replies: collect(helper.getNode('replies')),
    failures: collect(helper.getNode('failures')), errors: collect(helper.getNode('errors')),
  };
}

/** The statuses `node` itself set (the test helper spies on every node's status at once). */
function statusesOf(node: Node): Array<{ fill?: string; text?: string }> {
  const spy = node.status as unknown as { thisValues: unknown[]; args: Array<[{ fill?: string; text?: string }]> };
  return spy.args.filter((_, i) => spy.thisValues[i] === node).map((a) => a[0]);
}

const vehicles: SimVehicle[] = [];
async function vehicle(port: number, vin: string, opts: Record<string, unknown> = {}): Promise<SimVehicle> {
  const v = await new SimVehicle({ port, vin, ...opts }).connect();
  vehicles.push(v);
  return v;
}
const seqOf = (item: Msg) => Math.round(item.vehicle.mileage * 10 - 123456);

describe('gb32960-in batches and gb32960-command answers across redeploys', function () {
  this.timeout(20000);
  before((done) => { helper.startServer(done); });
  after((done) => { helper.stopServer(done); });
  afterEach(async () => {
    for (const v of vehicles.splice(0)) v.close();
    await helper.unload();
  });


  describe('gb32960-in batch limits as stored', () => {
    it('a node sending one msg per frame sends its frames whatever its unused batch limits hold (the dialog does not judge them then)', async () => {
      const t = await load({ kinds: 'realtime', output: 'frame', batchSize: 'abc', batchMs: '' });
      const v = await vehicle(t.port, vinOf(1));
      await v.login();
      v.send(Buffer.concat([0, 1].map((i) => v.realtimeFrame(i))));
      await waitFor(() => t.out.length === 2, 'two frames');
      assert.deepEqual(t.out.map((m) => seqOf(m.payload)), [0, 1]);
      assert.ok(statusesOf(helper.getNode('in')).every((s) => s.fill !== 'red'));
    });

    for (const [batchSize, why] of [['abc', /batchSize/], [0, /batchSize.*>=1/], ['', /batchSize.*>=1/], [100_001, /batchSize.*<=100000/]] as const) {
      it(`a batch node with batchSize ${JSON.stringify(batchSize)} stays red with why, and the server serves the others`, async () => {
        const t = await load({ kinds: 'realtime', output: 'batch', batchSize });
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
      const t = await load({ kinds: 'realtime', output: 'batch', batchSize: 1, batchMs: 3_600_000 });
      const v = await vehicle(t.port, vinOf(1), { edition: 2025 });
      await v.login();
      v.send(Buffer.concat([0, 1, 2].map((i) => v.realtimeFrame(i))));
      await waitFor(() => t.out.length === 3, 'three batches');
      assert.deepEqual(t.out.map((m) => [m.count, seqOf(m.payload[0]), m.payload[0].edition]), [[1, 0, 2025], [1, 1, 2025], [1, 2, 2025]]);
      await helper.unload();
      const u = await load({ kinds: 'realtime', output: 'batch', batchSize: 100_000, batchMs: 500 });
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
        const t = await load(props);
        const v = await vehicle(t.port, vinOf(1));
        await v.login();
        v.send(Buffer.concat([0, 1, 2].map((i) => v.realtimeFrame(i))));
        await waitFor(() => t.server.platform!.totals.frames >= 4, 'the frames at the server');
        await sleep(50);
        assert.equal(t.out.length, 0, 'held for the minute');
        await helper.setFlows(flow({ ...props, batchSize: 2, name: 'changed' }), type);
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
      const t = await load({ kinds: 'realtime', output: 'batch', batchSize: 500, batchMs: 60000 });
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
      const t = await load({ kinds: 'realtime,sessions', vins: `${vinOf(1)}\n${vinOf(3)}`, output: 'batch', batchSize: 4, batchMs: 60000 });
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

  describe('gb32960-command', () => {
    for (const failures of ['output', 'catch'] as const) {
      it(`failures ${failures}: a vehicle that disconnects fails the command written to it (sent true) and the one queued behind it (sent false)`, async () => {
        const t = await load({ kinds: 'realtime' }, { failures });
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
