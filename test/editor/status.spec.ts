/**
 * Node status texts follow the editor's language: the same deployed flow shows Chinese status
 * texts in a zh-CN editor and English ones in an en-US editor; palette labels too.
 */
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { freePort } from '../../tools/broker';
import { haveChromium, startEditor, TYPES, type Editor } from './harness';

declare const RED: any;
const CJK = /[\u4e00-\u9fff]/;

async function flows(): Promise<unknown[]> {
  // A broker port nobody listens on: the MQTT node keeps reconnecting, so it shows a state.
  const nobody = await freePort();
  return [
    { id: 'st_tab', type: 'tab', label: 'status' },
    { id: 'st_account', type: 'jointech-account', name: '', accessKey: 'demo', passwordMode: 'md5', qos: 1, connection: { url: `mqtt://127.0.0.1:${nobody}`, clientId: '', clean: true, keepalive: 60, protocolVersion: 4, reconnectMinMs: 500, reconnectMaxMs: 1000, queueLimit: 1000, shareGroup: '' }, tls: '' },
    { id: 'st_mqtt', type: 'jointech-in', z: 'st_tab', mode: 'mqtt', account: 'st_account', types: ['location'], devicesMode: 'all', devices: '', split: 'single', outputs: 1, path: '/jointech', pathPerType: false, headerName: '', maxBytes: 262144, rateLimit: 200, x: 150, y: 80, wires: [[]] },
    { id: 'st_webhook', type: 'jointech-in', z: 'st_tab', mode: 'webhook', account: '', types: ['location'], devicesMode: 'all', devices: '', split: 'single', outputs: 1, path: '/st-jointech', pathPerType: false, headerName: '', maxBytes: 262144, rateLimit: 200, x: 150, y: 160, wires: [[]] },
  ];
}

async function statusTexts(page: Page): Promise<Record<string, string>> {
  await page.waitForFunction(() => ['st_mqtt', 'st_webhook'].every((id) => RED.nodes.node(id)?.status?.text), undefined, { timeout: 20000 });
  await page.waitForTimeout(300);
  return page.evaluate(() => Object.fromEntries(['st_mqtt', 'st_webhook'].map((id) => [id, String(RED.nodes.node(id).status.text)])));
}

describe('editor: status texts and palette labels in the editor language', function () {
  this.timeout(180000);
  let editor: Editor;
  let zh: Page;

  before(async function () {
    if (!haveChromium()) this.skip();
    editor = await startEditor({ name: 'status', flows: await flows(), creds: { st_account: { username: 'demo', password: 'x' } } });
    zh = await editor.openPage('zh-CN');
  });
  after(async () => { await editor?.stop(); });

  it('en-US shows English status texts', async () => {
    const texts = await statusTexts(editor.page);
    for (const [id, text] of Object.entries(texts)) assert.doesNotMatch(text, CJK, `${id}: ${text}`);
    assert.match(texts.st_webhook, /^ready · POST \/st-jointech$/);
    await editor.page.waitForFunction(() => /refused/.test(String(RED.nodes.node('st_mqtt')?.status?.text ?? '')), undefined, { timeout: 20000 });
    assert.match(await editor.page.evaluate(() => String(RED.nodes.node('st_mqtt').status.text)), /^(disconnected: connection refused|connecting \(last: connection refused\))$/);
  });

  it('zh-CN shows Chinese status texts, on the canvas too', async () => {
    const texts = await statusTexts(zh);
    for (const [id, text] of Object.entries(texts)) assert.match(text, CJK, `${id}: ${text}`);
    assert.equal(texts.st_webhook, '就绪 · POST /st-jointech');
    // The broker port has no listener: the reason is translated too, not left in English.
    await zh.waitForFunction(() => /refused|拒绝/.test(String(RED.nodes.node('st_mqtt')?.status?.text ?? '')), undefined, { timeout: 20000 });
    assert.match(await zh.evaluate(() => String(RED.nodes.node('st_mqtt').status.text)), /^(已断开：连接被拒绝|正在连接（上次：连接被拒绝）)$/);
    const label = await zh.evaluate(() => document.querySelector('[id="st_webhook"] .red-ui-flow-node-status-label')?.textContent ?? '');
    assert.equal(label, '就绪 · POST /st-jointech');
  });

  it('zh-CN keeps Chinese after a redeploy', async () => {
    await editor.setFlows(await flows());
    await zh.waitForTimeout(1500);
    const texts = await statusTexts(zh);
    for (const [id, text] of Object.entries(texts)) assert.match(text, CJK, `${id}: ${text}`);
  });

  it('palette labels are Chinese in zh-CN and English in en-US', async () => {
    const read = (page: Page) => page.evaluate((types: string[]) => types.filter((t) => RED.nodes.getType(t).category !== 'config')
      .map((t) => [t, document.querySelector(`.red-ui-palette-node[data-palette-type="${t}"] .red-ui-palette-label`)?.textContent ?? '']), TYPES);
    for (const [type, label] of await read(zh)) assert.match(label, CJK, `${type} palette label in zh-CN: ${label}`);
    for (const [type, label] of await read(editor.page)) assert.doesNotMatch(label, CJK, `${type} palette label in en-US: ${label}`);
  });

  it('config nodes have a palette label in the editor language (help list, dialog title, "Add new ..." option)', async () => {
    const read = (page: Page) => page.evaluate((types: string[]) => types.filter((t) => RED.nodes.getType(t).category === 'config')
      .map((t) => [t, RED.utils.getPaletteLabel(t, RED.nodes.getType(t))]), TYPES);
    const zhLabels = await read(zh);
    assert.ok(zhLabels.length >= 5, `config types: ${zhLabels.length}`);
    for (const [type, label] of zhLabels) assert.match(label, CJK, `${type} palette label in zh-CN: ${label}`);
    for (const [type, label] of await read(editor.page)) {
      assert.doesNotMatch(label, CJK, `${type} palette label in en-US: ${label}`);
      assert.notEqual(label, type, `${type} has its own palette label in en-US`);
    }
  });

  it('unnamed nodes on the canvas and their output ports speak the editor language', async () => {
    // Each node type fresh from the palette (its defaults, no name): its canvas label and the
    // labels of its output ports, as the editor draws and hovers them.
    const read = (page: Page) => page.evaluate((types: string[]) => Object.fromEntries(types.filter((t) => RED.nodes.getType(t).category !== 'config').map((t) => {
      const def = RED.nodes.getType(t);
      const node: any = { type: t, _def: def, _: def._, ...Object.fromEntries(Object.entries(def.defaults).map(([k, d]: [string, any]) => [k, d.value])) };
      const n = Number(node.outputs ?? def.outputs ?? 0);
      const outputs = Array.from({ length: n }, (_, i) => String((typeof def.outputLabels === 'function' ? def.outputLabels.call(node, i) : def.outputLabels?.[i]) ?? ''));
      return [t, { label: RED.utils.getNodeLabel(node), palette: RED.utils.getPaletteLabel(t, def), outputs }];
    })), TYPES);
    const en = await read(editor.page);
    const zhOwn = await read(zh);
    const problems: string[] = [];
    for (const [type, e] of Object.entries(en)) {
      const z = zhOwn[type]!;
      // Where en-US shows the palette name, zh-CN shows its own palette name.
      if (e.label === e.palette && z.label !== z.palette) problems.push(`${type}: canvas "${z.label}", palette "${z.palette}"`);
      // Port labels in words are translated; bare kinds (location, attributes) stay as they are.
      e.outputs.forEach((text, i) => { if (/\s/.test(text) && !CJK.test(z.outputs[i] ?? '')) problems.push(`${type} output ${i + 1}: "${z.outputs[i]}"`); });
    }
    assert.deepEqual(problems, []);
  });

  it('logged no browser console errors', () => {
    assert.deepEqual(editor.errors, []);
  });
});
