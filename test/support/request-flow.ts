/**
 * A request node (eztcloud-out, iotos-device, lock-command, aliyun-living-in) loaded in the
 * test-helper's Node-RED against its own Aedes, with a helper node on each output, failures on the
 * last one, and a test client to play the platform.
 */
import type * as mqtt from 'mqtt';
import type { Node } from 'node-red';
import { startAedes } from '../../tools/broker';
import type { withRedAndTestBrokers } from './suite';
import { collect, helper, sleep, testClient, waitFor, type FlowNode } from './red';

type Calls = { getCalls(): Array<{ thisValue: unknown; args: unknown[] }> };

/** How many warnings `node` logged that match `re`. */
export const warned = (node: Node, re: RegExp): number =>
  (node.warn as unknown as Calls).getCalls().filter((c) => c.thisValue === node && re.test(String(c.args[0]))).length;

/**
 * Returns `load(cfg, creds, req, others, filters)`: loads config node `cfg` (id 'cfg', with
 * credentials `creds`) and request node `req` (id 'req', failures on its last output, `others`
 * outputs before it), waits until the connection has `filters` subscriptions, and gives the node,
 * the platform's client, what each output got (`watch` records it), and a redeploy of the node.
 */
export function requestNodeLoader<T>(
  nodes: unknown[],
  brokers: ReturnType<typeof withRedAndTestBrokers>,
  clients: mqtt.MqttClient[],
  watch: (node: Node) => T[] = collect as unknown as (node: Node) => T[],
) {
  return async function load(cfg: (url: string) => FlowNode, creds: Record<string, string>, req: FlowNode, others: number, filters: number) {
    const broker = await brokers.use(startAedes());
    const outIds = Array.from({ length: others + 1 }, (_, i) => `out${i}`);
    const flow: FlowNode[] = [
      { id: 'f1', type: 'tab' },
      cfg(broker.url),
      { z: 'f1', failures: 'output', ...req, id: 'req', wires: outIds.map((id) => [id]) },
      ...outIds.map((id) => ({ id, type: 'helper', z: 'f1' })),
    ];
    await helper.load(nodes, flow, { cfg: creds });
    await waitFor(() => {
      const c = (helper.getNode('cfg') as unknown as { connection?: { connected: boolean; filters: string[] } }).connection;
      return !!c?.connected && c.filters.length >= filters;
    }, 'connected and subscribed');
    await sleep(100);
    const peer = await testClient(broker.url);
    clients.push(peer);
    const outs = outIds.map((id) => watch(helper.getNode(id)));
    const redeploy = async () => {
      await helper.setFlows(flow.map((n) => (n.id === 'req' ? { ...n, name: 'changed' } : n)), 'nodes', { cfg: creds });
      return helper.getNode('req');
    };
    return { node: helper.getNode('req'), peer, outs, failed: outs[others]!, redeploy };
  };
}
