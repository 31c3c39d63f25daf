/**
 * A new user's first minutes: every example imported through menu -> Import -> Examples into an
 * empty workspace of a stock Node-RED has no invalid node, and Deploy goes through without the
 * "not properly configured" confirmation.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { importEsm } from '../../tools/esm';
import { deploy, haveChromium, PACKAGE, root, startEditor, type Editor } from './harness';

declare const RED: any;
const EXAMPLES = readdirSync(join(root, 'examples')).filter((f) => f.endsWith('.json')).map((f) => f.replace(/\.json$/, '')).sort();

/** Every node and config node that the editor marks invalid, with the reasons it gives. */
export async function invalidNodes(editor: Editor): Promise<string[]> {
  return editor.page.evaluate(() => {
    const bad: string[] = [];
    const check = (n: any) => {
      RED.editor.validateNode(n);
      if (n.valid !== true) bad.push(`${n.type} ${n.id}: ${(n.validationErrors ?? []).join('; ')}`);
    };
    RED.nodes.eachNode(check);
    RED.nodes.eachConfig(check);
    return bad;
  });
}

/** Nodes drawn over one another or starting left of the canvas, as the editor lays them out. */
export async function overlappingNodes(editor: Editor): Promise<string[]> {
  return editor.page.evaluate(async () => {
    const out: string[] = [];
    const tabs: string[] = [];
    RED.nodes.eachWorkspace((w: any) => { tabs.push(w.id); });
    for (const z of tabs) {
      // The editor sizes a tab's nodes when it draws them.
      RED.workspaces.show(z);
      await new Promise((r) => setTimeout(r, 300));
      const nodes = RED.nodes.filterNodes({ z }).filter((n: any) => n.w && n.h);
      for (const n of nodes) if (n.x - n.w / 2 < 0 || n.y - n.h / 2 < 0) out.push(`${z}: "${n.name || n.id}" starts off the canvas`);
      for (let i = 0; i < nodes.length; i++) {
        for (let j = i + 1; j < nodes.length; j++) {
          const [a, b] = [nodes[i], nodes[j]];
          if (Math.abs(a.x - b.x) * 2 < a.w + b.w && Math.abs(a.y - b.y) * 2 < a.h + b.h) out.push(`${z}: "${a.name || a.id}" and "${b.name || b.id}"`);
        }
      }
    }
    return out;
  });
}

describe('editor: examples imported through menu -> Import -> Examples', function () {
  this.timeout(180000);
  let editor: Editor;

  before(async function () {
    if (!haveChromium()) this.skip();
    editor = await startEditor({ name: 'examples' });
  });
  after(async () => { await editor?.stop(); });

  /**
   * menu -> Import -> Examples -> this package -> the example, as a user does it. When the
   * workspace already holds one of its nodes (a shared account), Node-RED 4 says so in a
   * notification: `conflict` is the user's answer there.
   */
  async function importExample(example: string, conflict?: 'Import copy' | 'View nodes...'): Promise<void> {
    const { page } = editor;
    await page.click('#red-ui-header-button-sidemenu');
    await page.click('#menu-item-import');
    await page.click('#red-ui-clipboard-dialog-import-tabs a:has-text("Examples")');
    const tab = page.locator('#red-ui-clipboard-dialog-import-tab-examples');
    await tab.locator('.red-ui-treeList-label', { hasText: PACKAGE }).first().click();
    await tab.locator('.red-ui-treeList-label', { hasText: new RegExp(`^\\s*${example}\\s*$`) }).first().click();
    await page.click('#red-ui-clipboard-dialog-ok');
    if (conflict) {
      const note = page.locator('.red-ui-notification', { hasText: 'already exist in your workspace' });
      await note.locator('button', { hasText: conflict }).click();
      // "View nodes...": the list comes with the existing config node left out; import the rest.
      if (conflict === 'View nodes...') await page.click('#red-ui-clipboard-dialog-import-conflict');
    }
    await page.waitForFunction(() => RED.nodes.dirty(), undefined, { timeout: 10000 });
    // Imported nodes follow the mouse until placed: put them down.
    await page.mouse.click(700, 400);
  }

  /** How many config nodes of each type the workspace holds. */
  function configCounts(): Promise<Record<string, number>> {
    return editor.page.evaluate(() => {
      const counts: Record<string, number> = {};
      RED.nodes.eachConfig((n: any) => { counts[n.type] = (counts[n.type] ?? 0) + 1; });
      return counts;
    });
  }

  for (const example of EXAMPLES) {
    it(`${example}: no invalid node, and Deploy asks nothing`, async () => {
      const { page } = editor;
      await editor.setFlows([]);
      await editor.reload();
      await importExample(example);
      const count = await page.evaluate(() => { let n = 0; RED.nodes.eachNode(() => { n++; }); return n; });
      assert.ok(count > 0, 'the example brought nodes');
      assert.deepEqual(await invalidNodes(editor), []);
      assert.deepEqual(await overlappingNodes(editor), [], 'no node drawn over another');
      assert.equal(await deploy(page), '', 'Deploy completes without a confirmation dialog');
    });
  }

  // Two examples of one account, imported one after the other, use one connection: the second
  // brings the same config node (same id and content). Node-RED 4 notices the id and asks; both
  // of its answers keep the config node the workspace has ("Import copy" gives the other nodes
  // new ids and matches config nodes by id; "View nodes..." leaves existing config nodes out).
  const pairs = [
    ['jointech-in', 'lock-command', 'jointech-account', 'Import copy'],
    ['eztcloud-in', 'eztcloud-out', 'eztcloud-project', 'View nodes...'],
  ] as const;
  for (const [first, second, type, answer] of pairs) {
    it(`${first} then ${second} ("${answer}"): one ${type}, used by both`, async () => {
      await editor.setFlows([]);
      await editor.reload();
      await importExample(first);
      await importExample(second, answer);
      assert.equal((await configCounts())[type], 1);
      // The nodes that point at it lie on both imported tabs.
      const tabs = await editor.page.evaluate((t) => {
        let id = '';
        RED.nodes.eachConfig((n: any) => { if (n.type === t) id = n.id; });
        const z = new Set<string>();
        RED.nodes.eachNode((n: any) => { if (Object.keys(n._def.defaults ?? {}).some((k) => n[k] === id)) z.add(n.z); });
        return z.size;
      }, type);
      assert.equal(tabs, 2, `the ${type} serves the nodes of both examples`);
      assert.deepEqual(await invalidNodes(editor), []);
      assert.equal(await deploy(editor.page), '', 'Deploy completes without a confirmation dialog');
    });
  }

  it('npm start demo workspace (every example together): one config node per account, no invalid node', async () => {
    const { demoFlows } = await importEsm(join(root, 'scripts', 'demo.mjs'));
    const { flows, creds } = demoFlows('mqtt://127.0.0.1:1', 1, 32999);
    const ids = flows.map((n: { id: string }) => n.id);
    assert.deepEqual(ids.filter((id: string, i: number) => ids.indexOf(id) !== i), [], 'no id twice');
    await editor.setFlows(flows.map((n: { id: string }) => (creds[n.id] ? { ...n, credentials: creds[n.id] } : n)));
    await editor.reload();
    const counts = await configCounts();
    assert.equal(counts['jointech-account'], 1);
    assert.equal(counts['eztcloud-project'], 1);
    assert.deepEqual(await invalidNodes(editor), []);
    // The change nodes that name each kind are wider than the debug nodes they stand for, and
    // the comments are long.
    assert.deepEqual(await overlappingNodes(editor), [], 'no node drawn over another or off the canvas');
    // The comments tell the truth: the debug nodes they name are on their tab, the port is the
    // demo's.
    type N = { id: string; type: string; z?: string; name?: string; port?: number };
    const nodes = flows as N[];
    const untrue: string[] = [];
    for (const c of nodes.filter((n) => n.type === 'comment' && /Debug sidebar/.test(n.name ?? ''))) {
      for (const [, name] of (c.name ?? '').matchAll(/"([^"]+)"/g)) {
        if (!nodes.some((n) => n.type === 'debug' && n.z === c.z && n.name === name)) untrue.push(`${c.id} names debug node "${name}"`);
      }
      if (/port \d+/.test(c.name ?? '') && !(c.name ?? '').includes('port 32999')) untrue.push(`${c.id}: ${c.name}`);
    }
    assert.deepEqual(untrue, []);
    assert.deepEqual(nodes.filter((n) => n.type === 'gb32960-server').map((n) => n.port), [32999]);
    assert.ok(nodes.some((n) => n.type === 'comment' && /port 32999/.test(n.name ?? '')), 'the platform tab says where its vehicles connect');
    // Readable output: one debug node for data and at most one for errors per tab.
    const debugs = flows.filter((n: { type: string }) => n.type === 'debug');
    const tabs = flows.filter((n: { type: string }) => n.type === 'tab');
    assert.ok(debugs.length <= 2 * tabs.length, `${debugs.length} debug nodes for ${tabs.length} tabs`);
  });

  it('logged no browser console errors', () => {
    assert.deepEqual(editor.errors, []);
  });
});
