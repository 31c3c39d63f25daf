/**
 * A second, separate Node-RED runtime for the scale-out test: deploys the flow it is sent and
 * reports each message its `sink` receives to the parent process.
 */
import { join } from 'node:path';
import { startRuntime, type FlowNode } from '../../bench/runtime';

const root = join(__dirname, '..', '..', '..');

process.on('message', (m: { flows: FlowNode[]; credentials: Record<string, unknown> } | 'stop') => {
  void (async () => {
    if (m === 'stop') process.exit(0);
    const red = await startRuntime(root);
    await red.deploy(m.flows, m.credentials);
    red.node('sink').on('input', (msg: unknown) => process.send!({ msg }));
    process.send!('ready');
  })().catch((err: unknown) => {
    process.send!({ error: String(err) });
  });
});
