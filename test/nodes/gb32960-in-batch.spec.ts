/**
 * gb32960-in's batch output and gb32960-command's answers across redeploys, in a real Node-RED
 * runtime with simulated vehicles on real TCP connections.
 */
import assert from 'node:assert/strict';
import type { Gb32960ServerNode } from '../../src/nodes/gb32960-server/types';
import { SimVehicle, vinOf } from '../../tools/gb32960-vehicle';
import { builtNode, collect, helper, sleep, waitFor, type FlowNode } from '../support/red';

const nodes = [builtNode('gb32960-server'), builtNode('gb32960-in'), builtNode('gb32960-command')];

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

const vehicles: SimVehicle[] = [];
async function vehicle(port: number, vin: string, opts: Record<string, unknown> = {}): Promise<SimVehicle> {
  const v = await new SimVehicle({ port, vin, ...opts }).connect();
  vehicles.push(v);
  return v;
}

describe('gb32960-in batches and gb32960-command answers across redeploys', function () {
  this.timeout(20000);
  before((done) => { helper.startServer(done); });
  after((done) => { helper.stopServer(done); });
  afterEach(async () => {
    for (const v of vehicles.splice(0)) v.close();
    await helper.unload();
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
