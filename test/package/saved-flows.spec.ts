/**
 * Flows users saved with an earlier release keep working: the example flows as the 2026-11-24
 * release shipped them (before rate limits, editions, typed device/command fields and the shared
 * config ids existed) are deployed unchanged, but for broker addresses pointed at the test broker,
 * into today's runtime. Every node of the package must start from its stored settings, with no
 * "invalid configuration" or "invalid connection settings" and no error at all.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { withRedAndBroker } from '../support/suite';
import { builtNode, helper, sleep, type FlowNode } from '../support/red';
import { CREDENTIALS } from '../support/user-input';

const SAVED = join(__dirname, '..', '..', '..', 'test', 'fixtures', 'saved-flows');
const core = (path: string) => require(require.resolve(`@node-red/nodes/core/${path}`));
const CORE_NODES = ['common/20-inject.js', 'common/21-debug.js', 'common/90-comment.js', 'function/10-switch.js'].map(core);
const OUR_TYPES = readdirSync(join(__dirname, '..', '..', '..', 'src', 'nodes'));

interface LogEntry { level: number; msg: unknown; type?: string; id?: string }
const logged = (): LogEntry[] => (helper as unknown as { log(): { args: Array<[LogEntry]> } }).log().args.map((a) => a[0]);

describe('flows saved by an earlier release', function () {
  this.timeout(20000);
  const ctx = withRedAndBroker();

  for (const release of readdirSync(SAVED)) {
    for (const file of readdirSync(join(SAVED, release))) {
      it(`${release} ${file}: every node starts from its stored settings, with no error`, async () => {
        const flow = (JSON.parse(readFileSync(join(SAVED, release, file), 'utf8')) as FlowNode[]).map((n) => {
          const c = n.connection as { url?: string } | undefined;
          // The test broker is plain MQTT: for EZtCloud (TLS only) that takes its "local test broker" box.
          if (c && typeof c === 'object' && typeof c.url === 'string') return { ...n, connection: { ...c, url: ctx.broker.url }, ...(n.type === 'eztcloud-project' ? { localTest: true } : {}) };
          if (n.type === 'aliyun-amqp-connection') return { ...n, host: '127.0.0.1' };
          return n;
        });
        const ours = flow.filter((n) => OUR_TYPES.includes(n.type));
        assert.ok(ours.length >= 1, `${file} holds nodes of the package`);
        const credentials = Object.fromEntries(flow.filter((n) => CREDENTIALS[n.type]).map((n) => [n.id, CREDENTIALS[n.type]!]));
        await helper.load([...OUR_TYPES.map(builtNode), ...CORE_NODES], flow, credentials);
        await sleep(300);
        for (const n of ours) assert.ok(helper.getNode(n.id), `${n.type} ${n.id} started`);
        const errors = logged().filter((e) => e.level <= 20 && OUR_TYPES.includes(String(e.type)));
        assert.deepEqual(errors.map((e) => `${e.type}: ${String(e.msg)}`), []);
      });
    }
  }
});
