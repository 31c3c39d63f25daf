/**
 * Account nodes of every platform refuse broken settings the same way: the account logs why, and
 * each of its user nodes stops with that reason in a red ring (or says that no account is chosen).
 * Settings saved by a newer release are refused before anything connects.
 */
import assert from 'node:assert/strict';
import { withRedAndBroker } from '../support/suite';
import type { Node } from 'node-red';
import { builtNode, collect, helper, sleep, waitFor, type FlowNode } from '../support/red';

const TYPES = ['jointech-account', 'jointech-in', 'lock-command', 'eztcloud-project', 'eztcloud-in', 'eztcloud-out', 'iotos-connection', 'iotos-device', 'aliyun-living-account', 'aliyun-living-in', 'aliyun-amqp-connection', 'aliyun-amqp-in'];
const nodes = TYPES.map(builtNode);

interface LogEntry { level: number; msg: unknown; id?: string }
const errorsOf = (id: string): string[] => (helper as unknown as { log(): { args: Array<[LogEntry]> } }).log().args
  .map((a) => a[0]).filter((e) => e.level === 20 && e.id === id).map((e) => String(e.msg));

type Status = { fill?: string; shape?: string; text?: string };
/** The last status `node` itself showed (the helper spies on every node's status at once). */
function statusOf(node: Node): Status | undefined {
  const calls = (node.status as unknown as { getCalls(): Array<{ thisValue: unknown; args: [Status] }> }).getCalls();
  return calls.filter((c) => c.thisValue === node).at(-1)?.args[0];
}

interface Case {
  name: string;
  account: FlowNode;
  credentials?: Record<string, string>;
  users: FlowNode[];
  /** The red ring text on each user node, and what the account logs. */
  status: string;
}

const mqtt = (extra: Record<string, unknown> = {}) => ({ connection: { url: 'mqtt://127.0.0.1:1', ...extra } });

const CASES: Case[] = [
  {
    name: 'jointech-account without an accessKey',
    account: { id: 'acc', type: 'jointech-account', accessKey: ' ', ...mqtt() },
    users: [{ id: 'u1', type: 'jointech-in', account: 'acc', mode: 'mqtt' }, { id: 'u2', type: 'lock-command', account: 'acc' }],
    status: 'invalid account: accessKey: accessKey is empty; accessKey: accessKey must not contain "+", "#", "/" or spaces',
  },
  {
    name: 'jointech-account with a password in the broker URL',
    account: { id: 'acc', type: 'jointech-account', accessKey: 'AK1', connection: { url: 'mqtt://u:pw@127.0.0.1:1' } },
    users: [{ id: 'u1', type: 'lock-command', account: 'acc' }],
    status: 'invalid connection settings: url: broker URL must not contain a password: enter the user name and password in their own fields',
  },
  {
    name: 'eztcloud-project over plain MQTT',
    account: { id: 'acc', type: 'eztcloud-project', ...mqtt() },
    credentials: { projectKey: 'PR_abc', projectSecret: 's' },
    users: [{ id: 'u1', type: 'eztcloud-in', project: 'acc' }, { id: 'u2', type: 'eztcloud-out', project: 'acc' }],
    status: 'EZtCloud accepts only encrypted connections: use the mqtts:// or wss:// endpoint from the console (tick "local test broker" only for a broker of your own)',
  },
  {
    name: 'iotos-connection with a gateway id that is no number',
    account: { id: 'acc', type: 'iotos-connection', gatewayId: 'gw', deviceId: 2, ...mqtt() },
    users: [{ id: 'u1', type: 'iotos-device', connection: 'acc' }],
    status: 'invalid IOTOS device: gatewayId: must be a whole number written in decimal digits',
  },
  {
    name: 'aliyun-living-account without a deviceName',
    account: { id: 'acc', type: 'aliyun-living-account', productKey: 'pk', deviceName: '', ...mqtt() },
    users: [{ id: 'u1', type: 'aliyun-living-in', account: 'acc' }],
    status: 'invalid Living channel: deviceName: deviceName is empty; deviceName: deviceName must not contain "+", "#" or "/"',
  },
  {
    name: 'aliyun-amqp-connection with a URL as its host',
    account: { id: 'acc', type: 'aliyun-amqp-connection', host: 'amqps://x.example' },
    users: [{ id: 'u1', type: 'aliyun-amqp-in', connection: 'acc' }],
    status: 'invalid AMQP settings: host: endpoint host must be a host name without scheme or port',
  },
  {
    name: 'jointech-account saved by a newer release',
    account: { id: 'acc', type: 'jointech-account', version: 99, accessKey: 'AK1', ...mqtt() },
    users: [{ id: 'u1', type: 'jointech-in', account: 'acc', mode: 'mqtt' }],
    status: 'saved by a newer release (settings version 99, this release reads up to 1): update the package to use this node',
  },
];

describe('account nodes declared through the platform kit', function () {
  this.timeout(20000);
  const ctx = withRedAndBroker();

  for (const c of CASES) {
    it(`${c.name}: every user node shows the account's problem in red`, async () => {
      const users = c.users.map((u) => ({ wires: [[], []], ...u }));
      await helper.load(nodes, [c.account, ...users], c.credentials ? { acc: c.credentials } : {});
      await sleep(100);
      assert.ok(helper.getNode('acc'), 'the account node exists');
      assert.deepEqual(errorsOf('acc'), [c.status], 'the account logs its problem once');
      for (const u of users) {
        assert.deepEqual(statusOf(helper.getNode(u.id)), { fill: 'red', shape: 'ring', text: c.status }, u.type);
        assert.deepEqual(errorsOf(u.id), [c.status], `${u.type} logs it`);
      }
    });
  }

  it('a user node without an account, or with a node of another type as its account, says none is selected', async () => {
    await helper.load(nodes, [
      { id: 'other', type: 'eztcloud-project', connection: { url: 'mqtts://127.0.0.1:1' } },
      { id: 'u1', type: 'lock-command', wires: [[], []] },
      { id: 'u2', type: 'lock-command', account: 'other', wires: [[], []] },
      { id: 'u3', type: 'aliyun-amqp-in', connection: 'gone', wires: [[]] },
    ], { other: { projectKey: 'PR_abc', projectSecret: 's' } });
    await sleep(100);
    for (const id of ['u1', 'u2']) assert.deepEqual(statusOf(helper.getNode(id)), { fill: 'red', shape: 'ring', text: 'no Jointech account selected' }, id);
    assert.deepEqual(statusOf(helper.getNode('u3')), { fill: 'red', shape: 'ring', text: 'no Aliyun AMQP subscription selected' });
  });

  it('a user node saved by a newer release is refused with a red status, and a current one starts', async () => {
    await helper.load(nodes, [
      { id: 'acc', type: 'jointech-account', accessKey: 'AK1', connection: { url: ctx.broker.url } },
      { id: 'new', type: 'lock-command', version: 2, account: 'acc', wires: [[], []] },
      { id: 'now', type: 'lock-command', version: 1, account: 'acc', wires: [[], []] },
    ]);
    await sleep(100);
    const text = 'saved by a newer release (settings version 2, this release reads up to 1): update the package to use this node';
    assert.deepEqual(statusOf(helper.getNode('new')), { fill: 'red', shape: 'ring', text });
    assert.deepEqual(errorsOf('new'), [text]);
    assert.deepEqual(errorsOf('now'), []);
    await waitFor(() => statusOf(helper.getNode('now'))?.fill === 'green', 'the current node connected');
  });

  it('a node that cannot work finishes each input as an error a Catch node sees: saved by a newer release, no account, settings refused', async () => {
    await helper.load(nodes, [
      { id: 'f1', type: 'tab' },
      { id: 'acc', type: 'jointech-account', accessKey: 'AK1', connection: { url: ctx.broker.url } },
      { id: 'new', type: 'lock-command', z: 'f1', version: 2, account: 'acc', wires: [[], []] },
      { id: 'none', type: 'lock-command', z: 'f1', wires: [[], []] },
      { id: 'bad', type: 'lock-command', z: 'f1', account: 'acc', timeout: 'soon', wires: [[], []] },
      { id: 'catcher', type: 'catch', z: 'f1', scope: null, uncaught: false, wires: [['caught']] },
      { id: 'caught', type: 'helper', z: 'f1' },
    ]);
    const caught = collect(helper.getNode('caught'));
    for (const id of ['new', 'none', 'bad']) helper.getNode(id).receive({ payload: 1, keep: id } as never);
    await waitFor(() => caught.length === 3, 'three errors caught');
    const by = Object.fromEntries(caught.map((m) => [m.error.source.id, m]));
    assert.match(by.new!.error.message, /saved by a newer release/);
    assert.match(by.none!.error.message, /no Jointech account selected/);
    assert.match(by.bad!.error.message, /timeout/);
    for (const id of ['new', 'none', 'bad']) assert.equal(by[id]!.keep, id, 'the input msg reaches Catch');
  });
});
