/**
 * A stock Node-RED with this package installed (scripts/demo.mjs startNodeRed) and the real
 * editor in headless Chromium. CNIOT_NODE_RED / CNIOT_NODE pick another Node-RED and Node (the
 * Node-RED 5 run of `npm run test:editor:nr5`).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { freePort } from '../../tools/broker';
import { importEsm } from '../../tools/esm';

export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const root = join(__dirname, '..', '..', '..');
const pkg = require(join(root, 'package.json')) as { name: string; 'node-red': { nodes: Record<string, string> } };
export const PACKAGE = pkg.name;
export const TYPES = Object.keys(pkg['node-red'].nodes);

export interface Editor {
  url: string;
  page: Page;
  /** Browser console errors and page errors seen so far. */
  errors: string[];
  /** Opens the editor afresh (after the flows were replaced behind its back). */
  reload(): Promise<void>;
  /** Another browser page on the same Node-RED, in another language. */
  openPage(locale: string): Promise<Page>;
  /** Replaces the deployed flows through the admin API (a full deploy). */
  setFlows(flows: unknown[]): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Node-RED 5.0's sidebar tips throw "reading 'html'" now and then while the editor loads
 * (red.min.js, also without this package). Everything else counts.
 */
export function editorOwnError(e: Error): boolean {
  return /reading 'html'/.test(e.message) && /\/red\/red(\.min)?\.js/.test(e.stack ?? '') && !/nodes\//.test(e.stack ?? '');
}

export function haveChromium(): boolean {
  return existsSync(CHROMIUM);
}

export async function startEditor(opts: { name: string; flows?: unknown[]; creds?: Record<string, unknown>; locale?: string }): Promise<Editor> {
  const { startNodeRed } = await importEsm(join(root, 'scripts', 'demo.mjs'));
  const red = await startNodeRed({ port: await freePort(), userDir: join(root, '.test-tmp', `editor-${opts.name}`), flows: opts.flows ?? [], creds: opts.creds ?? {}, quiet: true });
  let browser: Browser | undefined;
  try {
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    });
    const errors: string[] = [];
    const b = browser;
    const load = async (page: Page) => {
      // Not "load": Node-RED 5's editor asks catalogue.nodered.org for the palette catalogue,
      // which offline hangs until DNS gives up, holding the load event back.
      await page.goto(red.url, { waitUntil: 'domcontentloaded' });
      await page.waitForSelector('#red-ui-palette .red-ui-palette-node', { timeout: 120000 });
      await page.waitForFunction(() => (window as any).RED?.nodes?.workspace && document.querySelector('#red-ui-workspace-tabs .red-ui-tab'), undefined, { timeout: 60000 });
    };
    const openPage = async (locale: string) => {
      const page = await b.newPage({ viewport: { width: 1400, height: 850 }, locale });
      page.on('console', (m) => { if (m.type() === 'error' && !/Failed to load resource: net::ERR_(NAME_NOT_RESOLVED|INTERNET_DISCONNECTED)/.test(m.text())) errors.push(m.text()); });
      page.on('pageerror', (e) => { if (!editorOwnError(e)) errors.push(String(e)); });
      await load(page);
      return page;
    };
    const page = await openPage(opts.locale ?? 'en-US');
    return {
      url: red.url,
      page,
      errors,
      reload: () => load(page),
      openPage,
      async setFlows(flows) {
        const res = await fetch(`${red.url}/flows`, { method: 'POST', headers: { 'content-type': 'application/json', 'Node-RED-API-Version': 'v1', 'Node-RED-Deployment-Type': 'full' }, body: JSON.stringify(flows) });
        if (!res.ok) throw new Error(`POST /flows: ${res.status} ${await res.text()}`);
      },
      async stop() {
        await b.close();
        await red.stop();
      },
    };
  } catch (err) {
    await browser?.close();
    await red.stop();
    throw err;
  }
}

/** Clicks Deploy; resolves with the text of a confirmation dialog if one opened, else ''. */
export async function deploy(page: Page): Promise<string> {
  await page.click('#red-ui-header-button-deploy');
  const outcome = await Promise.race([
    page.waitForSelector('#red-ui-deploy-dialog-confirm-deploy-deploy, .ui-dialog:has(#red-ui-deploy-dialog-confirm-deploy-deploy)', { timeout: 15000 }).then(() => 'dialog'),
    page.waitForFunction(() => !(window as any).RED.nodes.dirty(), undefined, { timeout: 15000 }).then(() => 'deployed'),
  ]);
  if (outcome === 'deployed') return '';
  const text = await page.locator('.ui-dialog:visible').last().innerText();
  // Leave the editor usable: cancel the dialog.
  await page.locator('.ui-dialog:visible .ui-dialog-buttonset button').first().click();
  return text;
}
