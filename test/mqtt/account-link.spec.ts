/**
 * What a user node holds on its account's shared connection, seen from the broker (Aedes
 * in-process): on a persistent session a node that is only redeployed keeps its broker
 * subscriptions, a deleted node's filters are unsubscribed, each once.
 */
import assert from 'node:assert/strict';
import * as mqtt from 'mqtt';
import { startAedes } from '../../tools/broker';
import { withRedAndTestBrokers } from '../support/suite';
import { builtNode, helper, sleep, testClient, waitFor, type FlowNode } from '../support/red';

const nodes = [builtNode('jointech-account'), builtNode('jointech-in'), builtNode('lock-command')];
const uniq = () => Math.random().toString(16).slice(2, 10);

describe('user nodes on a persistent session (Aedes)', function () {
  this.timeout(20000);
  const brokers = withRedAndTestBrokers();

  async function deployed() {
    const broker = await brokers.use(startAedes());
    const AK = `AK${uniq()}`;
    const clientId = `cniot-link-${uniq()}`;
    // On a tab, as the editor saves them: Node-RED stops a flow's nodes before its config nodes.
    const flow: FlowNode[] = [
      { id: 'f1', type: 'tab' },
      { id: 'acc', type: 'jointech-account', accessKey: AK, qos: 1, connection: { url: broker.url, clean: false, clientId, reconnectMinMs: 100, reconnectMaxMs: 500 } },
      { id: 'in', type: 'jointech-in', z: 'f1', account: 'acc', mode: 'mqtt', types: ['location'], wires: [[]] },
      { id: 'cmd', type: 'lock-command', z: 'f1', account: 'acc', wires: [[], []] },
    ];
    /** Every filter our client unsubscribed, in order. */
    const unsubscribed: string[] = [];
    broker.aedes.on('unsubscribe', (filters, client) => {
      if (client?.id === clientId) unsubscribed.push(...filters);
    });
    const credentials = { acc: { username: 'u', password: 'fe01ce2a7fbac8fafaed7c982a04e229' } };
    await helper.load(nodes, flow, credentials);
    const acc = helper.getNode('acc') as unknown as { connection: { connected: boolean; filters: string[] } };
    await waitFor(() => acc.connection.connected && acc.connection.filters.length === 2, 'both filters subscribed');
    await sleep(200);
    const filters = { in: `upload/${AK}/+/location`, cmd: `upload/${AK}/+/cmd` };
    assert.deepEqual([...acc.connection.filters].sort(), [filters.in, filters.cmd].sort());

    /** Stops the flow, publishes to each filter, and says which ones the resumed session had queued. */
    async function queuedWhileStopped(): Promise<string[]> {
      await helper.unload();
      const pub = await testClient(broker.url);
      await pub.publishAsync(`upload/${AK}/8800000001/location`, 'in', { qos: 1 });
      await pub.publishAsync(`upload/${AK}/8800000001/cmd`, 'cmd', { qos: 1 });
      await pub.endAsync();
      const resumed = mqtt.connect(broker.url, { clientId, clean: false, reconnectPeriod: 0 });
      const queued: string[] = [];
      resumed.on('message', (topic) => { queued.push(topic); });
      await waitFor(() => resumed.connected, 'resumed session');
      await sleep(500);
      await resumed.endAsync();
      return queued;
    }
    return { flow, filters, unsubscribed, credentials, queuedWhileStopped, AK };
  }

  it('keeps every broker subscription through a full redeploy (nodes restarted, not removed)', async () => {
    const t = await deployed();
    await helper.setFlows(t.flow, 'full', t.credentials);
    const acc = helper.getNode('acc') as unknown as { connection: { connected: boolean; filters: string[] } };
    await waitFor(() => acc.connection.connected && acc.connection.filters.length === 2, 'connected again');
    await sleep(1500);
    assert.deepEqual(t.unsubscribed, [], 'no UNSUBSCRIBE for a redeploy');
    // Both filters still queue at the broker while Node-RED is stopped.
    const queued = await t.queuedWhileStopped();
    assert.deepEqual(queued.sort(), [`upload/${t.AK}/8800000001/cmd`, `upload/${t.AK}/8800000001/location`].sort());
  });

  it('unsubscribes the filters of deleted nodes once each, so the broker stops queueing for them', async () => {
    const t = await deployed();
    await helper.setFlows(t.flow.slice(0, 2), 'full', t.credentials);
    await waitFor(() => t.unsubscribed.length === 2, 'two UNSUBSCRIBEs');
    await sleep(1500);
    assert.deepEqual([...t.unsubscribed].sort(), [t.filters.in, t.filters.cmd].sort(), 'each filter once');
    assert.deepEqual(await t.queuedWhileStopped(), []);
  });

  it('drops only the deleted node\'s filter while another node of the account runs on', async () => {
    const t = await deployed();
    await helper.setFlows([t.flow[0]!, t.flow[1]!, t.flow[3]!], 'nodes', t.credentials);
    await waitFor(() => t.unsubscribed.length === 1, 'an UNSUBSCRIBE');
    await sleep(1500);
    assert.deepEqual(t.unsubscribed, [t.filters.in]);
    assert.deepEqual(await t.queuedWhileStopped(), [`upload/${t.AK}/8800000001/cmd`]);
  });

  it('unsubscribes every filter when the account itself is deleted: nothing queues for a session no node will resume', async () => {
    const t = await deployed();
    // The editor clears the user nodes' account when their account is deleted.
    const [tab, , inNode, cmdNode] = t.flow;
    await helper.setFlows([tab!, { ...inNode!, account: '' }, { ...cmdNode!, account: '' }], 'full', t.credentials);
    await waitFor(() => t.unsubscribed.length === 2, 'two UNSUBSCRIBEs');
    assert.deepEqual([...t.unsubscribed].sort(), [t.filters.in, t.filters.cmd].sort(), 'each filter once');
    assert.deepEqual(await t.queuedWhileStopped(), []);
  });

  it('keeps the filter of a user node redeployed with "modified nodes" while nobody else uses the account', async () => {
    const t = await deployed();
    const [tab, acc, inNode] = t.flow;
    await helper.setFlows([tab!, acc!, inNode!], 'full', t.credentials);
    await waitFor(() => t.unsubscribed.length === 1, 'the deleted lock-command\'s UNSUBSCRIBE');
    await helper.setFlows([tab!, acc!, { ...inNode!, name: 'renamed' }], 'nodes', t.credentials);
    await sleep(1500);
    assert.deepEqual(t.unsubscribed, [t.filters.cmd], 'no UNSUBSCRIBE for the modified node');
    assert.deepEqual(await t.queuedWhileStopped(), [`upload/${t.AK}/8800000001/location`]);
  });
});
