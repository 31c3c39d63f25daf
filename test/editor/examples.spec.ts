/**
 * A new user's first minutes: every example imported through menu -> Import -> Examples into an
 * empty workspace of a stock Node-RED has no invalid node, and Deploy goes through without the
 * "not properly configured" confirmation.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
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

describe('editor: examples imported through menu -> Import -> Examples', function () {
  this.timeout(180000);
  let editor: Editor;

  before(async function () {
    if (!haveChromium()) this.skip();
    editor = await startEditor({ name: 'examples' });
  });
  after(async () => { await editor?.stop(); });

  for (const example of EXAMPLES) {
    it(`${example}: no invalid node, and Deploy asks nothing`, async () => {
      const { page } = editor;
      await editor.setFlows([]);
      await editor.reload();
      // The menu, as a user opens it.
      await page.click('#red-ui-header-button-sidemenu');
      await page.click('#menu-item-import');
      await page.click('#red-ui-clipboard-dialog-import-tabs a:has-text("Examples")');
      const tab = page.locator('#red-ui-clipboard-dialog-import-tab-examples');
      await tab.locator('.red-ui-treeList-label', { hasText: PACKAGE }).first().click();
      await tab.locator('.red-ui-treeList-label', { hasText: new RegExp(`^\\s*${example}\\s*$`) }).first().click();
      await page.click('#red-ui-clipboard-dialog-ok');
      await page.waitForFunction(() => RED.nodes.dirty(), undefined, { timeout: 10000 });
      // Imported nodes follow the mouse until placed: put them down.
      await page.mouse.click(700, 400);
      const count = await page.evaluate(() => { let n = 0; RED.nodes.eachNode(() => { n++; }); return n; });
      assert.ok(count > 0, 'the example brought nodes');
      assert.deepEqual(await invalidNodes(editor), []);
      assert.equal(await deploy(page), '', 'Deploy completes without a confirmation dialog');
    });
  }

  it('logged no browser console errors', () => {
    assert.deepEqual(editor.errors, []);
  });
});
