/**
 * The real editor in headless Chromium, on the same demo that `npm start` runs: every node of the
 * package registered, user nodes in the palette, every edit dialog opens, no browser console
 * errors, and decoded data reaches the Debug sidebar.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { freePort } from '../../tools/broker';
import { importEsm } from '../../tools/esm';
import { editorOwnError } from './harness';

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const root = join(__dirname, '..', '..', '..');
const pkg = require(join(root, 'package.json')) as { 'node-red': { nodes: Record<string, string> } };
const TYPES = Object.keys(pkg['node-red'].nodes);

declare const RED: any;
declare const document: { querySelector<T>(s: string): T | null; querySelectorAll(s: string): { length: number } };
type HTMLButtonElement = { click(): void };

describe('editor in headless Chromium (npm start demo)', function () {
  this.timeout(120000);
  let demo: { url: string; stop(): Promise<void> } | undefined;
  let browser: Browser | undefined;
  let page: Page;
  const consoleErrors: string[] = [];
  const failedRequests: string[] = [];

  before(async function () {
    if (!existsSync(CHROMIUM)) {
      console.log(`      (skipped: no Chromium at ${CHROMIUM}; install Debian's chromium or set CHROMIUM_PATH)`);
      this.skip();
    }
    const { startDemo } = await importEsm(join(root, 'scripts', 'demo.mjs'));
    demo = await startDemo({ port: await freePort(), mqttPort: await freePort(), userDir: join(root, '.test-tmp', 'editor-demo'), quiet: true, log: () => undefined });
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    });
    page = await browser.newPage({ viewport: { width: 1400, height: 850 } });
    page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
    page.on('pageerror', (e) => { if (!editorOwnError(e)) consoleErrors.push(String(e)); });
    page.on('requestfailed', (r) => failedRequests.push(r.url()));
    await page.goto(demo!.url, { waitUntil: 'domcontentloaded' });
    await page.waitForSelector('#red-ui-palette .red-ui-palette-node', { timeout: 120000 });
    await page.waitForFunction(() => RED.nodes.workspace('jt.tab') !== undefined, undefined, { timeout: 30000 });
  });

  after(async () => {
    await browser?.close();
    await demo?.stop();
  });

  it('registers every node type of the package, with user nodes in the palette', async () => {
    for (const type of TYPES) {
      const def = await page.evaluate((t) => {
        const d = RED.nodes.getType(t);
        return d ? { category: d.category } : null;
      }, type);
      assert.ok(def, `${type} is registered in the editor`);
      if (def.category !== 'config') {
        assert.equal(await page.locator(`.red-ui-palette-node[data-palette-type="${type}"]`).count(), 1, `${type} in the palette`);
      }
    }
  });

  it('opens the edit dialog of every node type without errors', async () => {
    for (const type of TYPES) {
      const id = await page.evaluate((t) => {
        let found: string | undefined;
        RED.nodes.eachNode((n: any) => { if (!found && n.type === t) found = n.id; });
        RED.nodes.eachConfig((n: any) => { if (!found && n.type === t) found = n.id; });
        return found;
      }, type);
      assert.ok(id, `the demo flow has a ${type}`);
      await page.evaluate(({ t, nodeId }) => {
        if (RED.nodes.getType(t).category === 'config') RED.editor.editConfig('', t, nodeId);
        else RED.editor.edit(RED.nodes.node(nodeId));
      }, { t: type, nodeId: id });
      await page.waitForSelector('.red-ui-tray .red-ui-tray-body form', { timeout: 10000 });
      // The dialog's fields are translated (no raw i18n keys left on labels).
      const labels = await page.locator('.red-ui-tray form label').allInnerTexts();
      assert.ok(labels.some((l) => l.trim().length > 0), `${type} dialog has labels`);
      assert.ok(!labels.some((l) => /^(label|connection)\.\w+/.test(l.trim())), `${type} labels are translated: ${labels.join(' | ')}`);
      await page.evaluate(() => {
        const cancel = document.querySelector<HTMLButtonElement>('.red-ui-tray #node-dialog-cancel, .red-ui-tray #node-config-dialog-cancel');
        cancel?.click();
      });
      await page.waitForFunction(() => document.querySelectorAll('.red-ui-tray').length === 0, undefined, { timeout: 10000 });
    }
  });

  it('builds the lock-command parameter form from the command catalogue', async () => {
    await page.evaluate(() => RED.editor.edit(RED.nodes.node('lc.version')));
    await page.waitForSelector('.red-ui-tray #lock-command-select', { timeout: 10000 });
    assert.ok(await page.locator('#lock-command-select option[value="WLNET8"]').count() === 1, 'catalogue commands listed');
    await page.selectOption('#lock-command-select', 'WLNET8');
    assert.equal(await page.locator('#lock-command-params input').count(), 2, 'one field per WLNET8 parameter');
    assert.equal(await page.getAttribute('#lock-command-param-holdMinutes', 'placeholder'), '1..5 min');
    await page.fill('#lock-command-param-holdMinutes', '5');
    await page.fill('#lock-command-param-subLock', 'E017668836');
    await page.click('.red-ui-tray #node-dialog-ok');
    await page.waitForFunction(() => document.querySelectorAll('.red-ui-tray').length === 0, undefined, { timeout: 10000 });
    const saved = await page.evaluate(() => { const n = RED.nodes.node('lc.version') as any; return { command: n.command, params: n.params }; });
    assert.deepEqual(saved, { command: 'WLNET8', params: JSON.stringify({ holdMinutes: '5', subLock: 'E017668836' }) });
  });

  it('shows decoded demo data in the Debug sidebar', async () => {
    await page.evaluate(() => RED.sidebar.show('debug'));
    await page.waitForFunction(() => document.querySelectorAll('.red-ui-debug-msg').length >= 3, undefined, { timeout: 30000 });
    const text = await page.locator('.red-ui-debug-msg').allInnerTexts();
    assert.ok(text.some((t) => /jointech\/(location|alarm|event|cmd|sublock)\//.test(t)), 'decoded messages carry jointech/<type>/<id> topics');
    // Living pushes over the demo broker, and GB/T 32960 gateway messages over the demo AMQP peer.
    // The sidebar keeps only its latest messages, so what has been seen is gathered across polls:
    // on a slow machine the first location can scroll out before the AMQP data arrives.
    const seen = new Set<string>();
    const until = Date.now() + 30000;
    for (;;) {
      for (const t of await page.locator('.red-ui-debug-msg').allInnerTexts()) seen.add(t);
      const all = [...seen].join('\n');
      if (/aliyun-living\/(properties|events|status|topo|ota)\//.test(all) && all.includes('vehicle data')
        && /location · jointech\/location\//.test(all)) break;
      assert.ok(Date.now() < until, 'Living pushes, decoded AMQP vehicle data and Jointech locations reach the Debug sidebar');
      await new Promise((r) => setTimeout(r, 500));
    }
    // Readable: one debug node per tab shows msg.payload, named after the tab, with the kind of
    // message before its own topic ("location · jointech/location/<id>").
    const first = [...seen].join('\n');
    assert.match(first, /location · jointech\/location\//, 'the kind names each Jointech message');
    assert.match(first, /Jointech push/, 'the debug node is named after its flow');
    assert.doesNotMatch(first, /msg : Object/, 'payload shown, not the whole msg');
    // For docs/editor.png: the Jointech flow and one decoded message opened, as a user would look
    // at them.
    await page.evaluate(() => RED.workspaces.show('jt.tab'));
    const handle = page.locator('.red-ui-debug-msg:has-text("jointech/location/") .red-ui-debug-msg-object-handle').first();
    if (await handle.count()) await handle.click();
    mkdirSync(join(root, '.test-tmp'), { recursive: true });
    await page.screenshot({ path: join(root, '.test-tmp', 'editor.png') });
  });

  it("raises no warning or error in the Debug sidebar from the demo's own traffic", async () => {
    // The IOTOS uplink (once, then every 10 s) and its confirmation pass the same simulator
    // client that plays the Jointech devices: by the time a confirmation shows, any stray reply
    // of theirs has been decoded too.
    await page.waitForFunction(() => [...(document as any).querySelectorAll('.red-ui-debug-msg')].some((e: any) => /uplink confirmed/.test(e.innerText)), undefined, { timeout: 30000 });
    await new Promise((r) => setTimeout(r, 2000));
    const flagged = await page.locator('.red-ui-debug-msg-level-20, .red-ui-debug-msg-level-30').allInnerTexts();
    assert.deepEqual(flagged, []);
    const all = (await page.locator('.red-ui-debug-msg').allInnerTexts()).join('\n');
    assert.doesNotMatch(all, /jointech\/cmd\/platform/, 'no Jointech command reply from a device named "platform"');
  });

  it('logged no browser console errors', () => {
    // This machine has no network: requests the editor itself makes to outside hosts fail with
    // one console line each. Those are listed, not counted; any other error fails the test.
    const offline = failedRequests.filter((u) => !/^https?:\/\/(127\.0\.0\.1|localhost)[:/]/.test(u));
    if (offline.length) console.log(`      (outside requests that failed offline: ${offline.join(', ')})`);
    let excused = offline.length;
    const errors = consoleErrors.filter((e) => {
      if (excused > 0 && /Failed to load resource: net::ERR_(NAME_NOT_RESOLVED|INTERNET_DISCONNECTED)/.test(e)) {
        excused--;
        return false;
      }
      return true;
    });
    assert.deepEqual(errors, []);
  });
});
