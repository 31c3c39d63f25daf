/**
 * A Node-RED runtime in its own process, for tests that SIGKILL it: deploys an inbound case's
 * flow and appends the number of every message its `sink` receives to a file, synchronously, so
 * that what reached the flow survives the kill.
 */
import { openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { startRuntime } from '../../bench/runtime';
import { INBOUND_CASES, type ConnectionOpts } from './cases';

const root = join(__dirname, '..', '..', '..');

interface Order { caseName: string; conn: ConnectionOpts; out: string }

process.on('message', (m: Order) => {
  void (async () => {
    const c = INBOUND_CASES.find((x) => x.name === m.caseName)!;
    const fd = openSync(m.out, 'a');
    const red = await startRuntime(root);
    const flow = c.flow(m.conn);
    // The sink is watched before the inbound node starts: a resumed session delivers at once.
    await red.deploy(flow.filter((n) => n.id !== 'in'), c.credentials);
    red.node('sink').on('input', (msg: unknown) => { writeSync(fd, `${c.seqOf(msg as Record<string, unknown>)}\n`); });
    await red.deploy(flow, c.credentials, 'nodes');
    process.send!('ready');
  })().catch((err: unknown) => {
    process.send!({ error: String(err) });
  });
});
