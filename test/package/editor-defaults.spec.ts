/**
 * A node dropped from the palette stores its editor defaults; the runtime must start from them.
 * Each built editor script (nodes/<type>/<type>.html) runs in a small context whose
 * RED.nodes.registerType keeps the definitions; one node of every type, holding exactly the
 * `value` of each default, is deployed into a real Node-RED runtime, with config references
 * pointing at the config node of that type. A default forgotten or changed on one side (a value
 * the runtime schema refuses) fails with the runtime's own "invalid configuration" message.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import vm from 'node:vm';
import { builtNode, helper, sleep, type FlowNode } from '../support/red';
import { withRedAndBroker } from '../support/suite';
import { CREDENTIALS } from '../support/user-input';

const root = join(__dirname, '..', '..', '..');
const TYPES = readdirSync(join(root, 'src', 'nodes'));

interface Definition { defaults: Record<string, { value?: unknown; type?: string }> }

/** A jQuery stand-in for code that runs at load: any call or property gives itself back. */
const inert: unknown = new Proxy(function () {}, { get: (_t, k) => (k === Symbol.toPrimitive ? () => '' : inert), apply: () => inert });

function editorDefinition(type: string): Definition {
  const html = readFileSync(join(root, 'nodes', type, `${type}.html`), 'utf8');
  const script = /<script type="text\/javascript">\n([\s\S]*?)<\/script>/.exec(html)?.[1];
  assert.ok(script, `${type}.html has an editor script`);
  const registered = new Map<string, Definition>();
  const RED = {
    nodes: { registerType: (t: string, d: Definition) => registered.set(t, d), node: () => null },
    comms: { subscribe() {} },
    view: { redrawStatus() {} },
    validators: { number: () => () => true, regex: () => () => true },
    _: (k: string) => k,
  };
  const context: Record<string, unknown> = { RED, $: inert, jQuery: inert };
  context.window = context;
  vm.runInNewContext(script, context);
  const def = registered.get(type);
  assert.ok(def, `${type}.html registers ${type}`);
  return def;
}

/**
 * Fields a new node leaves blank for the user to fill (their editor default is ''), with what the
 * user types; and settings this test machine needs (the test broker, a free port).
 */
const USER_INPUT: Record<string, Record<string, unknown>> = {
  'aliyun-amqp-connection': { host: '127.0.0.1', consumerGroupId: 'DEFAULT_GROUP' },
  'aliyun-living-account': { productKey: 'a1Product', deviceName: 'device1' },
  'iotos-connection': { gatewayId: '1001', deviceId: '2001' },
  'jointech-account': { accessKey: 'AK1' },
};

interface LogEntry { level: number; msg: unknown; type?: string }
const logged = (): LogEntry[] => (helper as unknown as { log(): { args: Array<[LogEntry]> } }).log().args.map((a) => a[0]);

describe('editor defaults', function () {
  this.timeout(20000);
  const ctx = withRedAndBroker();

  it('a new node of every type, as the editor stores it, starts in the runtime with no error', async () => {
    const definitions = new Map(TYPES.map((t) => [t, editorDefinition(t)]));
    const idOf = (t: string) => `new-${t}`;
    const flow: FlowNode[] = TYPES.map((t) => {
      const stored: FlowNode = { id: idOf(t), type: t, z: 'f1' };
      for (const [key, d] of Object.entries(definitions.get(t)!.defaults)) {
        // Through JSON, as flows are stored (and so out of the script context's realm).
        if ('value' in d) stored[key] = JSON.parse(JSON.stringify(d.value)) as unknown;
        else if (d.type && TYPES.includes(d.type)) stored[key] = idOf(d.type);
      }
      for (const [key, v] of Object.entries(USER_INPUT[t] ?? {})) {
        assert.equal(stored[key], '', `${t}.${key} is a field the user fills, blank in a new node`);
        stored[key] = v;
      }
      // Machine settings: the local test broker (EZtCloud takes TLS only, but for its test-broker box) and a free port.
      const c = stored.connection as { url?: string } | undefined;
      if (c?.url) stored.connection = { ...c, url: ctx.broker.url };
      if (t === 'eztcloud-project') stored.localTest = true;
      if (t === 'gb32960-server') stored.port = 0;
      return stored;
    });
    const credentials = Object.fromEntries(TYPES.filter((t) => CREDENTIALS[t]).map((t) => [idOf(t), CREDENTIALS[t]!]));
    await helper.load(TYPES.map(builtNode), [{ id: 'f1', type: 'tab' }, ...flow], credentials);
    await sleep(300);
    for (const t of TYPES) assert.ok(helper.getNode(idOf(t)), `${t} started`);
    const errors = logged().filter((e) => e.level <= 20 && TYPES.includes(String(e.type)));
    assert.deepEqual(errors.map((e) => `${e.type}: ${String(e.msg)}`), []);
  });
});
