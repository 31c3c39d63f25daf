/**
 * What a user sees while filling in dialogs: every node type fresh from the palette is valid
 * except for fields that are genuinely required and still empty, and every config node marks a
 * bad value invalid (with a reason) and clears it again once the value is good.
 */
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KINDS as EZTCLOUD_KINDS } from '../../src/protocols/eztcloud/kinds';
import { LIVING_KINDS } from '../../src/protocols/aliyun/kinds';
import { haveChromium, root, startEditor, TYPES, type Editor } from './harness';

declare const RED: any;

/**
 * Fields a new node cannot guess: ids and keys from the user's platform account. Besides these,
 * a required link to a config node (account, project, connection) is empty on a fresh node.
 */
const REQUIRED_EMPTY: Record<string, string[]> = {
  'jointech-account': ['accessKey'],
  'iotos-connection': ['gatewayId', 'deviceId'],
  'aliyun-living-account': ['productKey', 'deviceName'],
  'aliyun-amqp-connection': ['host', 'consumerGroupId'],
};

/** Values that make a config node valid, then [field, bad value, good value] per check. */
const CONFIG_CASES: Record<string, { base: Record<string, string>; cases: Array<[string, string, string]> }> = {
  'jointech-account': { base: { accessKey: 'demoKey' }, cases: [['accessKey', 'demo key', 'demoKey'], ['accessKey', 'a/b', 'demoKey']] },
  'eztcloud-project': { base: {}, cases: [['conn-url', 'mqtt://mqtt.eztcloud.com:7885', 'mqtts://mqtt.eztcloud.com:7885'], ['conn-url', 'ws://mqtt.eztcloud.com:8083', 'wss://mqtt.eztcloud.com:8084']] },
  'iotos-connection': { base: { gatewayId: '171', deviceId: '401' }, cases: [['gatewayId', 'gw171', '171'], ['deviceId', '4 01', '401']] },
  'aliyun-living-account': { base: { productKey: 'a1PK', deviceName: 'dev1' }, cases: [['productKey', 'a1/PK', 'a1PK'], ['deviceName', 'dev #1', 'dev1']] },
  'aliyun-amqp-connection': {
    base: { host: '1234.iot-amqp.cn-shanghai.aliyuncs.com', consumerGroupId: 'DEFAULT_GROUP' },
    cases: [
      ['host', 'amqps://1234.iot-amqp.cn-shanghai.aliyuncs.com', '1234.iot-amqp.cn-shanghai.aliyuncs.com'],
      ['port', '70000', '5671'],
      ['consumerGroupId', 'a,b', 'DEFAULT_GROUP'],
      ['idleTimeoutS', '10', '60'],
      ['reconnectMinS', '90', '1'],
      ['reconnectMaxS', '0.5', '60'],
    ],
  },
};
/** Checks every config node with the shared MQTT connection form gets (broker URL, reconnect order). */
const CONNECTION_CASES: Array<[string, string, string]> = [
  ['conn-url', 'http://broker.example.com:1883', 'mqtts://broker.example.com:8883'],
  ['conn-url', 'broker.example.com', 'mqtts://broker.example.com:8883'],
  ['conn-reconnectMin', '90', '1'],
  ['conn-reconnectMax', '0.5', '60'],
];

async function configDefs(page: Page): Promise<Record<string, { config: boolean; links: string[] }>> {
  return page.evaluate((types: string[]) => {
    const out: Record<string, { config: boolean; links: string[] }> = {};
    for (const t of types) {
      const def = RED.nodes.getType(t);
      out[t] = { config: def.category === 'config', links: Object.keys(def.defaults).filter((p) => typeof def.defaults[p].type === 'string') };
    }
    return out;
  }, TYPES);
}

async function closeTray(page: Page, button: 'ok' | 'cancel'): Promise<void> {
  await page.click(`.red-ui-tray #node-config-dialog-${button}, .red-ui-tray #node-dialog-${button}`);
  await page.waitForFunction(() => document.querySelectorAll('.red-ui-tray').length === 0, undefined, { timeout: 10000 });
}

/** Opens the config dialog (a new node when id is '_ADD_'), fills fields, presses Add/Update. */
async function editConfig(page: Page, type: string, id: string, fields: Record<string, string>): Promise<string> {
  const before = await page.evaluate(() => { const ids: string[] = []; RED.nodes.eachConfig((n: any) => { ids.push(n.id); }); return ids; });
  await page.evaluate(({ t, nodeId }) => RED.editor.editConfig('', t, nodeId), { t: type, nodeId: id });
  await page.waitForSelector('.red-ui-tray .red-ui-tray-body form', { timeout: 10000 });
  for (const [name, value] of Object.entries(fields)) await page.fill(`#node-config-input-${name}`, value);
  await closeTray(page, 'ok');
  if (id !== '_ADD_') return id;
  return page.evaluate(({ t, known }) => { let found = ''; RED.nodes.eachConfig((n: any) => { if (n.type === t && !known.includes(n.id)) found = n.id; }); return found; }, { t: type, known: before });
}

async function validity(page: Page, id: string): Promise<{ valid: boolean; errors: string[] }> {
  return page.evaluate((nodeId) => {
    const n = RED.nodes.node(nodeId);
    RED.editor.validateNode(n);
    return { valid: n.valid === true, errors: n.validationErrors ?? [] };
  }, id);
}

describe('editor: validation in the dialogs', function () {
  this.timeout(300000);
  let editor: Editor;
  let defs: Record<string, { config: boolean; links: string[] }>;

  before(async function () {
    if (!haveChromium()) this.skip();
    editor = await startEditor({ name: 'validation' });
    defs = await configDefs(editor.page);
  });
  after(async () => { await editor?.stop(); });

  it('every node type fresh from the palette is valid but for required empty fields', async () => {
    const { page } = editor;
    const problems: string[] = [];
    let y = 120;
    for (const type of TYPES.filter((t) => !defs[t].config)) {
      const known = await page.evaluate(() => { const ids: string[] = []; RED.nodes.eachNode((n: any) => { ids.push(n.id); }); return ids; });
      const item = page.locator(`.red-ui-palette-node[data-palette-type="${type}"]`);
      await item.scrollIntoViewIfNeeded();
      const box = (await item.boundingBox())!;
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      await page.mouse.down();
      await page.mouse.move(600, y, { steps: 8 });
      await page.mouse.move(620, y, { steps: 2 });
      await page.mouse.up();
      y += 50;
      const id = await page.evaluate(({ t, ids }) => { let found = ''; RED.nodes.eachNode((n: any) => { if (n.type === t && !ids.includes(n.id)) found = n.id; }); return found; }, { t: type, ids: known });
      assert.ok(id, `${type} dropped on the canvas`);
      const allowed = new Set([...(REQUIRED_EMPTY[type] ?? []), ...defs[type].links]);
      const { errors } = await validity(page, id);
      const unexpected = errors.filter((e) => !allowed.has(e));
      if (unexpected.length) problems.push(`${type}: ${unexpected.join('; ')}`);
    }
    for (const type of TYPES.filter((t) => defs[t].config)) {
      const id = await editConfig(page, type, '_ADD_', {});
      const allowed = new Set([...(REQUIRED_EMPTY[type] ?? []), ...defs[type].links]);
      const { errors } = await validity(page, id);
      const unexpected = errors.filter((e) => !allowed.has(e));
      if (unexpected.length) problems.push(`${type}: ${unexpected.join('; ')}`);
    }
    assert.deepEqual(problems, []);
  });

  it('each bad config value marks the node invalid with a reason, each good value clears it', async () => {
    const { page } = editor;
    const problems: string[] = [];
    for (const type of TYPES.filter((t) => defs[t].config)) {
      const table = CONFIG_CASES[type] ?? { base: {}, cases: [] };
      const id = await editConfig(page, type, '_ADD_', table.base);
      const start = await validity(page, id);
      if (!start.valid) { problems.push(`${type} with ${JSON.stringify(table.base)} is invalid: ${start.errors.join('; ')}`); continue; }
      await page.evaluate(({ t, nodeId }) => RED.editor.editConfig('', t, nodeId), { t: type, nodeId: id });
      await page.waitForSelector('.red-ui-tray .red-ui-tray-body form', { timeout: 10000 });
      const hasConnectionForm = await page.locator('#node-config-input-conn-url').count() > 0;
      await closeTray(page, 'cancel');
      const cases = [...table.cases, ...(hasConnectionForm ? CONNECTION_CASES : [])];
      for (const [field, bad, good] of cases) {
        await editConfig(page, type, id, { [field]: bad });
        const afterBad = await validity(page, id);
        if (afterBad.valid) problems.push(`${type} ${field}=${bad} saved as valid`);
        else if (!afterBad.errors.some((e) => /\s/.test(e))) problems.push(`${type} ${field}=${bad} is invalid without a reason: ${afterBad.errors.join('; ')}`);
        await editConfig(page, type, id, { [field]: good });
        const afterGood = await validity(page, id);
        if (!afterGood.valid) problems.push(`${type} ${field}=${good} stays invalid: ${afterGood.errors.join('; ')}`);
      }
    }
    assert.deepEqual(problems, []);
  });

  it('a new MQTT config dialog has no field marked invalid (reconnect step grid)', async () => {
    const { page } = editor;
    for (const type of TYPES.filter((t) => defs[t].config)) {
      await page.evaluate((t) => RED.editor.editConfig('', t, '_ADD_'), type);
      await page.waitForSelector('.red-ui-tray .red-ui-tray-body form', { timeout: 10000 });
      const invalidNumbers = await page.evaluate(() => Array.from(document.querySelectorAll('.red-ui-tray input[type=number]'))
        .filter((el: any) => !el.checkValidity()).map((el: any) => `${el.id}=${el.value}`));
      assert.deepEqual(invalidNumbers, [], `${type}: number fields off their own min/step grid`);
      await closeTray(page, 'cancel');
    }
  });

  it('the TLS row shows only for an mqtts:// or wss:// broker URL, like core\'s "Use TLS"', async () => {
    const { page } = editor;
    await page.evaluate(() => RED.editor.editConfig('', 'jointech-account', '_ADD_'));
    await page.waitForSelector('.red-ui-tray .red-ui-tray-body form', { timeout: 10000 });
    const tlsShown = async (url: string) => {
      await page.fill('#node-config-input-conn-url', url);
      return page.locator('#node-config-input-tls').isVisible();
    };
    assert.equal(await tlsShown('mqtt://broker.example.com:1883'), false, 'plain MQTT: no TLS row');
    assert.equal(await tlsShown('mqtts://broker.example.com:8883'), true, 'mqtts: TLS row');
    assert.equal(await tlsShown('ws://broker.example.com:8083/mqtt'), false, 'plain WebSocket: no TLS row');
    assert.equal(await tlsShown('wss://broker.example.com:8084/mqtt'), true, 'wss: TLS row');
    await closeTray(page, 'cancel');
  });

  it('user-node dialogs: rate limit as a number, hidden fields not judged, lock-command parameters checked', async () => {
    const { page } = editor;
    const account = await editConfig(page, 'jointech-account', '_ADD_', { accessKey: 'demoKey' });
    await page.evaluate((acc) => {
      RED.nodes.add({ id: 'v_in', type: 'jointech-in', z: RED.workspaces.active(), x: 300, y: 500, wires: [[]], _def: RED.nodes.getType('jointech-in'), ...Object.fromEntries(Object.entries(RED.nodes.getType('jointech-in').defaults).map(([k, d]: [string, any]) => [k, JSON.parse(JSON.stringify(d.value ?? ''))])), account: acc, devicesMode: 'list', devices: 'not numbers' });
      RED.nodes.add({ id: 'v_lc', type: 'lock-command', z: RED.workspaces.active(), x: 300, y: 560, wires: [[], []], _def: RED.nodes.getType('lock-command'), ...Object.fromEntries(Object.entries(RED.nodes.getType('lock-command').defaults).map(([k, d]: [string, any]) => [k, JSON.parse(JSON.stringify(d.value ?? ''))])), account: acc });
    }, account);
    const edit = async (id: string, steps: () => Promise<void>) => {
      await page.evaluate((nodeId) => RED.editor.edit(RED.nodes.node(nodeId)), id);
      await page.waitForSelector('.red-ui-tray .red-ui-tray-body form', { timeout: 10000 });
      await steps();
      await closeTray(page, 'ok');
      return page.evaluate((nodeId) => { const n = RED.nodes.node(nodeId); RED.editor.validateNode(n); return { valid: n.valid, errors: n.validationErrors, rateLimit: n.rateLimit, inputs: n.inputs, params: n.params }; }, id);
    };
    assert.equal((await validity(page, 'v_in')).valid, false, 'MQTT mode with device list "not numbers" is invalid');
    let n = await edit('v_in', async () => { await page.selectOption('#node-input-mode', 'webhook'); await page.fill('#jointech-in-rateLimit', '-5'); });
    assert.equal(n.valid, false, 'rate limit -5 is invalid');
    assert.equal(n.inputs, 0, 'no input port in webhook mode');
    n = await edit('v_in', async () => { await page.fill('#jointech-in-rateLimit', '50'); });
    assert.deepEqual([n.valid, n.rateLimit], [true, 50], 'rate limit stored as a number; hidden device list not judged in webhook mode');
    n = await edit('v_lc', async () => {
      await page.selectOption('#lock-command-select', 'WLNET8');
      await page.fill('#lock-command-param-holdMinutes', '9');
      await page.fill('#lock-command-param-subLock', 'x/y#z');
      assert.equal(await page.locator('#lock-command-params input.input-error').count(), 2, 'both bad parameters marked while typing');
      assert.ok(await page.locator('#lock-command-msg-tip').isVisible(), 'the dialog says msg overrides its values');
    });
    assert.equal(n.valid, false, 'bad WLNET8 parameters make the node invalid');
    n = await edit('v_lc', async () => { await page.fill('#lock-command-param-holdMinutes', '5'); await page.fill('#lock-command-param-subLock', 'E017668836'); });
    assert.equal(n.valid, true, `good WLNET8 parameters are valid: ${JSON.stringify(n.errors)}`);
    // Another command's free parameters: a parenthesis would end the frame early.
    n = await edit('v_lc', async () => {
      await page.selectOption('#lock-command-select', '_custom');
      await page.evaluate(() => $('#node-input-command').typedInput('value', 'WLNET4'));
      await page.fill('#lock-command-free', '1,(60');
      assert.equal(await page.locator('#lock-command-free.input-error').count(), 1, 'a parenthesis in free parameters is marked while typing');
    });
    assert.equal(n.valid, false, 'free parameters with a parenthesis make the node invalid');
    n = await edit('v_lc', async () => {
      await page.fill('#lock-command-free', '1,60');
      assert.equal(await page.locator('#lock-command-free.input-error').count(), 0, 'good free parameters are not marked');
    });
    assert.equal(n.valid, true, `good free parameters are valid: ${JSON.stringify(n.errors)}`);
  });

  it('device, command, method and VIN dialogs offer a TypedInput (text, msg, flow, global, env); a flow without the type fields opens as text', async () => {
    const { page } = editor;
    const account = await editConfig(page, 'jointech-account', '_ADD_', { accessKey: 'demoKey' });
    await page.evaluate((acc) => {
      const add = (id: string, type: string, props: Record<string, unknown>, y: number) => RED.nodes.add({ id, type, z: RED.workspaces.active(), x: 500, y, wires: [[], []], _def: RED.nodes.getType(type), ...props });
      // As saved before the fields had types: no deviceType, commandType, methodType or vinType.
      add('t_lc', 'lock-command', { name: '', account: acc, device: '794308010642', command: 'BASE1', params: '', operation: '', timeout: 30, failures: 'output' }, 600);
      add('t_ez', 'eztcloud-out', { name: '', project: '', action: 'command_send', device: 'DU_abc', method: '', waitReply: true, timeout: 10 }, 660);
      add('t_gb', 'gb32960-command', { name: '', server: '', vin: 'LZYTBGBW6J1014194', command: 'query', params: '', timeout: 30, failures: 'output' }, 720);
    }, account);
    const fields: Record<string, string[]> = { t_lc: ['device', 'command'], t_ez: ['device', 'method'], t_gb: ['vin'] };
    for (const [id, names] of Object.entries(fields)) {
      await page.evaluate((nodeId) => RED.editor.edit(RED.nodes.node(nodeId)), id);
      await page.waitForSelector('.red-ui-tray .red-ui-tray-body form', { timeout: 10000 });
      for (const name of names) {
        const state = await page.evaluate((f) => ({ typed: $(`#node-input-${f}`).closest('.form-row').find('.red-ui-typedInput-container').length, type: $(`#node-input-${f}`).typedInput('type'), types: $(`#node-input-${f}Type`).length }), name);
        assert.deepEqual(state, { typed: 1, type: 'str', types: 1 }, `${id} ${name}: a TypedInput of type text`);
      }
      if (id === 't_lc') {
        // The user switches the device to msg.target: saved with its type, and not judged as digits.
        await page.evaluate(() => { $('#node-input-device').typedInput('type', 'msg'); $('#node-input-device').typedInput('value', 'target'); });
      }
      await closeTray(page, 'ok');
    }
    const saved = await page.evaluate(() => { const n = RED.nodes.node('t_lc'); RED.editor.validateNode(n); return { device: n.device, deviceType: n.deviceType, commandType: n.commandType, valid: n.valid }; });
    assert.deepEqual(saved, { device: 'target', deviceType: 'msg', commandType: 'str', valid: true });
    const labels = await page.evaluate(() => { const n = RED.nodes.node('t_ez'); return [RED.utils.getNodeLabel(n), RED.utils.getPaletteLabel('eztcloud-out', RED.nodes.getType('eztcloud-out'))]; });
    assert.equal(labels[0], labels[1], 'the canvas label of an unnamed eztcloud-out is its palette name');
  });

  it('failures: an eztcloud-out from a flow saved before the choice keeps reporting to Catch; choosing the failure output adds that output, labelled', async () => {
    const { page } = editor;
    const imported = await page.evaluate(() => {
      // As saved before the choice: no failures, no outputs (eztcloud-out then had one output and reported to Catch).
      RED.view.importNodes([{ id: 'f_old', type: 'eztcloud-out', z: RED.workspaces.active(), x: 300, y: 860, name: '', project: '', action: 'command_send', device: 'DU_a', method: '', waitReply: true, timeout: 10, wires: [[]] }], { generateIds: false, touchImport: true, applyNodeDefaults: true, notify: false });
      const n = RED.nodes.node('f_old');
      return { failures: n.failures, outputs: n.outputs };
    });
    assert.deepEqual(imported, { failures: 'catch', outputs: 1 });
    await page.evaluate(() => RED.editor.edit(RED.nodes.node('f_old')));
    await page.waitForSelector('.red-ui-tray .red-ui-tray-body form', { timeout: 10000 });
    assert.equal(await page.inputValue('#node-input-failures'), 'catch');
    await page.selectOption('#node-input-failures', 'output');
    await closeTray(page, 'ok');
    const saved = await page.evaluate(() => { const n = RED.nodes.node('f_old'); return { failures: n.failures, outputs: n.outputs, label: n._def.outputLabels.call(n, 1) }; });
    assert.deepEqual(saved, { failures: 'output', outputs: 2, label: 'failure / timeout' });
  });

  it('eztcloud-in and aliyun-living-in: the dialog offers a checkbox for every kind the node accepts, labelled in the editor\'s language, and saves the ones ticked', async () => {
    const nodes: Record<string, { kinds: readonly string[]; stored: string[]; untick: string; tick: string }> = {
      'eztcloud-in': { kinds: EZTCLOUD_KINDS, stored: ['attributes', 'online'], untick: 'online', tick: 'alarm' },
      'aliyun-living-in': { kinds: LIVING_KINDS, stored: ['properties', 'status'], untick: 'status', tick: 'ota' },
    };
    await editor.setFlows([
      { id: 'k_tab', type: 'tab', label: 'kinds' },
      { id: 'k_ez', type: 'eztcloud-in', z: 'k_tab', name: '', project: '', kinds: nodes['eztcloud-in']!.stored, split: 'single', devicesMode: 'all', devices: '', streams: '', dataFormat: 'buffer', outputs: 1, version: 1, x: 300, y: 100, wires: [[]] },
      { id: 'k_al', type: 'aliyun-living-in', z: 'k_tab', name: '', account: '', kinds: nodes['aliyun-living-in']!.stored, deviceName: '+', timeout: 10, failures: 'output', outputs: 3, version: 1, x: 300, y: 200, wires: [[], [], []] },
    ]);
    for (const locale of ['en-US', 'zh-CN']) {
      const page = locale === 'en-US' ? editor.page : await editor.openPage(locale);
      if (locale === 'en-US') await editor.reload();
      for (const [type, id] of [['eztcloud-in', 'k_ez'], ['aliyun-living-in', 'k_al']] as const) {
        const { kinds, stored, untick, tick } = nodes[type]!;
        const words = (JSON.parse(readFileSync(join(root, 'src', 'nodes', type, 'locales', locale, 'messages.json'), 'utf8')) as { kind: Record<string, string> }).kind;
        await page.evaluate((nodeId) => RED.editor.edit(RED.nodes.node(nodeId)), id);
        await page.waitForSelector(`.red-ui-tray #node-input-kind-${kinds[0]}`, { timeout: 10000 });
        const shown = await page.evaluate((ks) => ks.map((k) => {
          const box = document.querySelector<HTMLInputElement>(`.red-ui-tray #node-input-kind-${k}`);
          return box ? { kind: k, label: box.closest('label')?.innerText.trim(), checked: box.checked } : { kind: k, label: undefined, checked: undefined };
        }), [...kinds]);
        assert.deepEqual(shown, kinds.map((k) => ({ kind: k, label: words[k], checked: stored.includes(k) })), `${locale} ${type}: one checkbox per kind, in the locale's words, ticked as stored`);
        await page.uncheck(`#node-input-kind-${untick}`);
        await page.check(`#node-input-kind-${tick}`);
        await closeTray(page, 'ok');
        const saved = await page.evaluate((nodeId) => RED.nodes.node(nodeId).kinds, id);
        assert.deepEqual(saved, kinds.filter((k) => k === tick || (stored.includes(k) && k !== untick)), `${locale} ${type}: saved kinds`);
        await page.evaluate(({ nodeId, ks }) => { RED.nodes.node(nodeId).kinds = ks; }, { nodeId: id, ks: stored });
      }
      if (page !== editor.page) await page.close();
    }
  });

  it('gb32960-command: the dialog shows the hint of its command as it opens and the msg fields that override it, in en-US and zh-CN', async () => {
    const flows = [
      { id: 'h_tab', type: 'tab', label: 'hints' },
      { id: 'h_set', type: 'gb32960-command', z: 'h_tab', name: '', server: '', vin: '', command: 'set', params: '', timeout: 30, failures: 'output', x: 300, y: 100, wires: [[], []] },
    ];
    await editor.setFlows(flows);
    const expected: Record<string, RegExp> = { 'en-US': /^JSON object of parameters by name or id/, 'zh-CN': /^按名称或 ID 给出参数的 JSON 对象/ };
    for (const [locale, hint] of Object.entries(expected)) {
      const page = locale === 'en-US' ? editor.page : await editor.openPage(locale);
      if (locale === 'en-US') await editor.reload();
      await page.evaluate(() => RED.editor.edit(RED.nodes.node('h_set')));
      await page.waitForSelector('.red-ui-tray #gb32960-command-hint', { timeout: 10000 });
      assert.match(await page.locator('#gb32960-command-hint').innerText(), hint, `${locale}: the set hint, before the command is touched`);
      await page.selectOption('#node-input-command', 'query');
      assert.match(await page.locator('#gb32960-command-hint').innerText(), /\[9, 10\]/, `${locale}: the query hint once query is chosen`);
      // Like the lock-command and eztcloud-out dialogs, it says which msg fields win over its own.
      assert.match(await page.locator('.red-ui-tray .form-tips:visible', { hasText: 'msg.vin' }).innerText(), /msg\.vin.*msg\.command.*msg\.payload/s, `${locale}: the msg fields that take precedence`);
      await closeTray(page, 'cancel');
      if (page !== editor.page) await page.close();
    }
  });

  it('gb32960-command: parameters not of the shape of the chosen command are marked, and make the node invalid', async () => {
    const { page } = editor;
    await editor.setFlows([
      { id: 'p_tab', type: 'tab', label: 'params' },
      { id: 'p_srv', type: 'gb32960-server', name: '', host: '127.0.0.1', port: 32960 },
      { id: 'p_cmd', type: 'gb32960-command', z: 'p_tab', name: '', server: 'p_srv', vin: '', command: 'query', params: '[9, 10]', timeout: 30, failures: 'output', x: 300, y: 100, wires: [[], []] },
    ]);
    await editor.reload();
    const marked = () => page.locator('#node-input-params.input-error').count();
    // Typed, then the field left, as Node-RED judges a field on its change.
    const type = async (text: string) => { await page.fill('#node-input-params', text); await page.press('#node-input-params', 'Tab'); };
    await page.evaluate(() => RED.editor.edit(RED.nodes.node('p_cmd')));
    await page.waitForSelector('.red-ui-tray #node-input-params', { timeout: 10000 });
    assert.equal(await marked(), 0, 'the example query [9, 10] is good');
    // A set's parameters under query, then the command switched to set: marked, then not.
    await type('{"heartbeatPeriod": 30}');
    assert.equal(await marked(), 1, 'an object of values is not a query');
    await page.selectOption('#node-input-command', 'set');
    assert.equal(await marked(), 0, 'the same object is a good set');
    await page.selectOption('#node-input-command', 'control');
    assert.equal(await marked(), 1, 'nor is it a control without a control id');
    await type('{"control": "reset"}');
    assert.equal(await marked(), 0, 'a control id is good');
    await page.selectOption('#node-input-command', 'query');
    await type('[9, 10');
    assert.equal(await marked(), 1, 'not JSON');
    await closeTray(page, 'ok');
    const v = await validity(page, 'p_cmd');
    assert.equal(v.valid, false);
    assert.ok(v.errors.some((e) => /shape/.test(e)), `a reason: ${v.errors.join('; ')}`);
  });

  it('gb32960-in: batch size and wait judged only for one msg per batch, marked while typing, stored as numbers', async () => {
    const { page } = editor;
    const server = await editConfig(page, 'gb32960-server', '_ADD_', {});
    // As saved before the node had an output choice: no output, batchSize or batchMs.
    await page.evaluate((srv) => RED.nodes.add({ id: 'b_in', type: 'gb32960-in', z: RED.workspaces.active(), x: 300, y: 800, wires: [[]], _def: RED.nodes.getType('gb32960-in'), name: '', server: srv, kinds: 'realtime', vins: '' }), server);
    assert.equal((await validity(page, 'b_in')).valid, true, 'a flow saved before batches is valid');
    const edit = async (steps: () => Promise<void>) => {
      await page.evaluate(() => RED.editor.edit(RED.nodes.node('b_in')));
      await page.waitForSelector('.red-ui-tray #node-input-output', { timeout: 10000 });
      await steps();
      await closeTray(page, 'ok');
      return page.evaluate(() => { const n = RED.nodes.node('b_in'); RED.editor.validateNode(n); return { valid: n.valid, errors: n.validationErrors, output: n.output, batchSize: n.batchSize, batchMs: n.batchMs }; });
    };
    const marked = () => page.locator('.red-ui-tray input.input-error').count();
    let n = await edit(async () => {
      assert.equal(await page.locator('#gb32960-in-batchSize').isVisible(), false, 'no batch fields for one msg per frame');
      await page.selectOption('#node-input-output', 'batch');
      assert.equal(await page.locator('#gb32960-in-batchSize').isVisible(), true, 'batch fields for one msg per batch');
      assert.equal(await page.inputValue('#gb32960-in-batchSize'), '500');
      assert.equal(await page.inputValue('#gb32960-in-batchMs'), '200');
      await page.fill('#gb32960-in-batchSize', '0');
      assert.equal(await marked(), 1, 'batch size 0 marked while typing');
    });
    assert.equal(n.valid, false, 'batch size 0 is invalid');
    assert.ok(n.errors.some((e: string) => /1 to 100000/.test(e)), `with a reason: ${JSON.stringify(n.errors)}`);
    n = await edit(async () => { await page.fill('#gb32960-in-batchSize', '1000'); await page.fill('#gb32960-in-batchMs', '-1'); assert.equal(await marked(), 1, 'batch wait -1 marked while typing'); });
    assert.equal(n.valid, false, 'batch wait -1 is invalid');
    assert.ok(n.errors.some((e: string) => /1 to 3600000/.test(e)), `with a reason: ${JSON.stringify(n.errors)}`);
    n = await edit(async () => { await page.fill('#gb32960-in-batchMs', '250'); assert.equal(await marked(), 0); });
    assert.deepEqual(n, { valid: true, errors: [], output: 'batch', batchSize: 1000, batchMs: 250 });
    n = await edit(async () => { await page.fill('#gb32960-in-batchMs', '-1'); await page.selectOption('#node-input-output', 'frame'); assert.equal(await marked(), 0, 'hidden fields not marked'); });
    assert.equal(n.valid, true, 'batch fields not judged for one msg per frame');
  });

  it('logged no browser console errors', () => {
    assert.deepEqual(editor.errors, []);
  });
});
