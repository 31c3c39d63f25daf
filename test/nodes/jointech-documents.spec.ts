/**
 * The Jointech documents as the test: every command frame, reply and push of the document table
 * (test/support/jointech-documents.ts) goes through the real lock-command and jointech-in nodes in
 * a Node-RED runtime, over MQTT on a real broker, and must come out as the document shows it.
 * Then the checks policy (help "Checks"): impossible values flagged, mismatched identities refused.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type * as mqtt from 'mqtt';
import { COMMANDS } from '../../src/protocols/jointech/command-catalogue';
import { uploadTopic } from '../../src/protocols/jointech/topics';
import { captured, httpNodeProbe } from '../fixtures/http-node-probe';
import { COMMAND_ROWS, PUSH_ROWS, REPLY_ROWS, type PushRow } from '../support/jointech-documents';
import { brokerLabel } from '../../tools/broker';
import { withRedAndBroker } from '../support/suite';
import { builtNode, collect, helper, sleep, testClient, waitFor } from '../support/red';
import { jointechSamples as S } from '../../tools/samples';

const nodes = [builtNode('jointech-account'), builtNode('lock-command'), builtNode('jointech-in'), httpNodeProbe];
const AK = 'AK' + Math.random().toString(16).slice(2, 8);

/** `a.b.c` of an object. */
function at(obj: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), obj);
}

/** An enumeration {code, en, zh, unknown?} reduced to the document's two columns, code and Chinese name. */
function asDocument(value: unknown, expected: unknown): unknown {
  const isDocEnum = expected && typeof expected === 'object' && Object.keys(expected).join() === 'code,zh';
  if (!isDocEnum || !value || typeof value !== 'object') return value;
  const v = value as { code: unknown; zh: unknown };
  return { code: v.code, zh: v.zh };
}

function assertFields(payload: unknown, expect: Record<string, unknown>, source: string): void {
  for (const [path, want] of Object.entries(expect)) {
    assert.deepStrictEqual(asDocument(at(payload, path), want), want, `${source}: ${path}`);
  }
}

describe(`Jointech document table through the real nodes (${brokerLabel()})`, function () {
  this.timeout(20000);
  const ctx = withRedAndBroker();
  let client: mqtt.MqttClient | undefined;
  afterEach(async () => {
    await client?.endAsync();
    client = undefined;
  });

  /** account + lock-command + jointech-in (all types, all devices) + a Catch, all connected. */
  async function load() {
    await helper.load(nodes, [
      { id: 'f1', type: 'tab' },
      { id: 'acc', type: 'jointech-account', accessKey: AK, qos: 1, connection: { url: ctx.broker.url, reconnectMinMs: 100, reconnectMaxMs: 1000 } },
      { id: 'cmd', type: 'lock-command', z: 'f1', account: 'acc', command: 'BASE1', timeout: 5, wires: [['ok'], ['fail']] },
      { id: 'in', type: 'jointech-in', z: 'f1', account: 'acc', mode: 'mqtt', wires: [['pushed']] },
      { id: 'ok', type: 'helper', z: 'f1' },
      { id: 'fail', type: 'helper', z: 'f1' },
      { id: 'pushed', type: 'helper', z: 'f1' },
      { id: 'c1', type: 'catch', z: 'f1', scope: ['in'], uncaught: false, wires: [['caught']] },
      { id: 'caught', type: 'helper', z: 'f1' },
    ], { acc: { username: 'u', password: 'p' } });
    const acc = helper.getNode('acc') as unknown as { connection: { connected: boolean; filters: string[] } };
    await waitFor(() => acc.connection.connected && acc.connection.filters.includes(`upload/${AK}/#`) && acc.connection.filters.includes(`upload/${AK}/+/cmd`), 'subscriptions');
    await sleep(50);
    client = await testClient(ctx.broker.url);
    const frames: Array<{ topic: string; frame: string }> = [];
    client.on('message', (topic, body) => frames.push({ topic, frame: body.toString('utf8') }));
    await client.subscribeAsync(`download/${AK}/+/cmd`, { qos: 1 });
    return {
      frames,
      publisher: client,
      cmd: helper.getNode('cmd'),
      ok: collect(helper.getNode('ok')),
      fail: collect(helper.getNode('fail')),
      pushed: collect(helper.getNode('pushed')),
      caught: collect(helper.getNode('caught')),
    };
  }

  describe('commands: lock-command sends the document frame', () => {
    for (const row of COMMAND_ROWS) {
      it(`${row.frame} (${row.source})`, async () => {
        const { frames, cmd } = await load();
        cmd.receive(row.input);
        const sent = await waitFor(() => frames[0], `a frame for ${row.frame}`);
        const fields = sent.frame.slice(1, -1).split(',');
        assert.match(fields[2]!, /^\d{3}$/, 'a three-digit serial');
        fields[2] = '001';
        assert.equal(`(${fields.join(',')})`, row.frame);
        assert.equal(sent.topic, `download/${AK}/${row.frame.slice(1).split(',')[0]}/cmd`);
      });
    }

    it('sends the WLNET8 frame of the manual from the sub-lock inject of examples/lock-command.json', async () => {
      const flow = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'examples', 'lock-command.json'), 'utf8')) as Array<{ id: string; payload?: string }>;
      const inject = flow.find((n) => n.id === 'lc.inject.unlock')!;
      const { frames, cmd } = await load();
      cmd.receive({ payload: JSON.parse(inject.payload!) });
      const sent = await waitFor(() => frames[0], 'the WLNET8 frame');
      assert.match(sent.frame, /^\(7500313609,1,\d{3},WLNET,8,1,1,5,E017668836\)$/);
    });

    it('has a document row built through the catalogue for every catalogue entry', () => {
      const covered = new Set(COMMAND_ROWS.map((r) => r.catalogue).filter(Boolean));
      const missing = Object.keys(COMMANDS).filter((k) => !covered.has(k));
      assert.deepEqual(missing, [], 'catalogue entries without a document row');
      for (const row of COMMAND_ROWS.filter((r) => r.catalogue)) {
        const { word, index } = COMMANDS[row.catalogue!]!;
        assert.ok(row.frame.includes(`,${word},${index}`), `${row.catalogue} row sends ${word},${index}`);
      }
    });
  });

  describe('replies: the document replies answer lock-command', () => {
    for (const row of REPLY_ROWS) {
      it(`${row.reply.commandType} ${row.output === 0 ? 'reply' : 'failure'} (${row.source})`, async () => {
        const { frames, publisher, cmd, ok, fail } = await load();
        cmd.receive(row.request);
        await waitFor(() => frames[0], 'the command frame');
        const device = String(row.reply.assetId);
        await publisher.publishAsync(`upload/${AK}/${device}/cmd`, JSON.stringify(row.reply), { qos: 1 });
        const out = row.output === 0 ? ok : fail;
        const msg = await waitFor(() => out[0], `output ${row.output + 1}`);
        assertFields(msg.payload, row.expect, row.source);
        assert.equal((row.output === 0 ? fail : ok).length, 0, 'nothing on the other output');
      });
    }
  });

  describe('pushes: jointech-in decodes every document sample from its upload topic', () => {
    const topicOf = (row: PushRow) => uploadTopic(AK, String(row.body.assetId), row.type, row.type === 'sublock' ? String(row.body.subAssetID) : undefined);
    it(`${PUSH_ROWS.length} document pushes, each field as the document gives it`, async () => {
      const { publisher, pushed, caught } = await load();
      for (const row of PUSH_ROWS) await publisher.publishAsync(topicOf(row), JSON.stringify(row.body), { qos: 1 });
      await waitFor(() => pushed.length + caught.length === PUSH_ROWS.length, `${PUSH_ROWS.length} messages`);
      assert.deepEqual(caught.map((m) => m.error?.message), [], 'no document sample refused');
      for (const row of PUSH_ROWS) {
        const body = JSON.stringify(row.body);
        const msg = pushed.find((m) => m.jointech.raw === body);
        assert.ok(msg, `output for ${row.source}`);
        assert.equal(msg.jointech.type, row.type, row.source);
        assert.deepEqual(msg.jointech.flags, [], `${row.source}: nothing flagged`);
        assertFields(msg.payload, row.expect, row.source);
      }
    });
  });

  describe('pushes: jointech-in as a webhook answers and decodes every document sample', () => {
    it(`${PUSH_ROWS.length} document pushes POSTed over real HTTP`, async () => {
      await helper.load(nodes, [
        { id: 'f1', type: 'tab' },
        { id: 'in', type: 'jointech-in', z: 'f1', mode: 'webhook', path: '/jt', wires: [['pushed']] },
        { id: 'pushed', type: 'helper', z: 'f1' },
      ]);
      const pushed = collect(helper.getNode('pushed'));
      const server = http.createServer((req, res) => captured.app!(req, res));
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
      try {
        const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jt`;
        for (const row of PUSH_ROWS) {
          const res = await fetch(url, { method: 'POST', body: JSON.stringify(row.body), headers: { 'content-type': 'application/json' } });
          assert.equal(res.status, 200, row.source);
          assert.deepEqual(await res.json(), { Result: 200 }, `${row.source}: the MBackResult the document's server samples return`);
        }
        await waitFor(() => pushed.length === PUSH_ROWS.length, `${PUSH_ROWS.length} messages`);
        for (const row of PUSH_ROWS) {
          const msg = pushed.find((m) => m.jointech.raw === JSON.stringify(row.body))!;
          assert.equal(msg.jointech.type, row.type, row.source);
          assert.deepEqual(msg.jointech.flags, [], row.source);
          assertFields(msg.payload, row.expect, row.source);
        }
      } finally {
        await new Promise<void>((r) => server.close(() => r()));
      }
    });
  });

  describe('checks: impossible values flagged, mismatched identities refused', () => {
    const location = S.mqtt.location!.payload;
    const sublock = S.mqtt.sublock!.payload;
    const locTopic = `upload/${AK}/8052400203/location`;

    // [what, body, flagged field, value in the flag (as received), value in msg.payload]
    const flagged: Array<[string, Record<string, unknown>, string, unknown, unknown]> = [
      ['latitude 999.5', { ...location, latitude: 999.5 }, 'latitude', 999.5, 999.5],
      ['longitude -200', { ...location, longitude: -200 }, 'longitude', -200, -200],
      ['battery 300', { ...location, battery: 300 }, 'battery', 300, 300],
      ['direction 400', { ...location, direction: 400 }, 'direction', 400, 400],
      ['a negative speed', { ...location, speed: -5 }, 'speed', -5, -5],
      ['lockBar as text', { ...location, statusJson: '{"lockBar":"bent","lockRope":0}' }, 'statusJson.lockBar', 'bent', null],
      ['lockStatus as an object', { ...location, statusJson: '{"lockStatus":{"v":1}}' }, 'statusJson.lockStatus', { v: 1 }, null],
    ];
    for (const [what, body, field, received, kept] of flagged) {
      it(`keeps and flags ${what}`, async () => {
        const { publisher, pushed, caught } = await load();
        await publisher.publishAsync(locTopic, JSON.stringify(body), { qos: 1 });
        const msg = await waitFor(() => pushed[0], 'the flagged message');
        assert.equal(caught.length, 0);
        assert.equal(msg.jointech.flags.length, 1, JSON.stringify(msg.jointech.flags));
        assert.equal(msg.jointech.flags[0].field, field);
        assert.deepEqual(msg.jointech.flags[0].value, received);
        assert.deepEqual(at(msg.payload, field), kept);
      });
    }

    it('keeps a sub-lock battery of 255 as charging, unflagged, and flags 101', async () => {
      const { publisher, pushed } = await load();
      await publisher.publishAsync(`upload/${AK}/8052400203/E0171E0366/sublock`, JSON.stringify({ ...sublock, battery: 255 }), { qos: 1 });
      await publisher.publishAsync(`upload/${AK}/8052400203/E0171E0366/sublock`, JSON.stringify({ ...sublock, battery: 101 }), { qos: 1 });
      await waitFor(() => pushed.length === 2, 'two messages');
      assert.deepEqual(pushed[0]!.jointech.flags, []);
      assert.equal(pushed[0]!.payload.charging, true);
      assert.deepEqual(pushed[1]!.jointech.flags, [{ field: 'battery', value: 101, reason: 'out of range 0..100 (or 255: charging)' }]);
    });

    it('keeps and flags a command reply whose frame names another device', async () => {
      const { publisher, pushed } = await load();
      const reply = { ...S.mqtt.cmd!.payload, content: String(S.mqtt.cmd!.payload.content).replace('"794308010642"', '"794308010643"') };
      await publisher.publishAsync(`upload/${AK}/794308010642/cmd`, JSON.stringify(reply), { qos: 1 });
      const msg = await waitFor(() => pushed[0], 'the reply');
      assert.deepEqual(msg.jointech.flags, [{ field: 'content', value: '794308010643', reason: 'reply frame is from device 794308010643, not 794308010642' }]);
      assert.equal(msg.payload.frame.deviceId, '794308010643');
    });

    const refused: Array<[string, string, Record<string, unknown>, RegExp]> = [
      ['an empty device level', `upload/${AK}//location`, location, /empty device level/],
      ['an empty sub-lock level', `upload/${AK}/8052400203//sublock`, sublock, /empty sub-lock level/],
      ['a topic device other than assetId', `upload/${AK}/8052400999/location`, location, /topic device 8052400999 differs from the payload's assetId 8052400203/],
      ['statusJson that holds no JSON object', locTopic, { ...location, statusJson: '[1,2]' }, /statusJson must hold a JSON object/],
      ['a topic sub-lock other than subAssetID', `upload/${AK}/8052400203/E0171E0999/sublock`, sublock, /topic sub-lock E0171E0999 differs from the payload's subAssetID E0171E0366/],
    ];
    for (const [what, topic, body, reason] of refused) {
      it(`refuses ${what}, to Catch with the raw input, and goes on`, async () => {
        const { publisher, pushed, caught } = await load();
        await publisher.publishAsync(topic, JSON.stringify(body), { qos: 1 });
        await publisher.publishAsync(locTopic, JSON.stringify(location), { qos: 1 });
        await waitFor(() => caught.length === 1 && pushed.length === 1, 'one refused, the next one delivered');
        assert.match(caught[0]!.error.message, reason);
        assert.equal(caught[0]!.payload, JSON.stringify(body));
        assert.equal(caught[0]!.topic, topic);
        assert.equal(pushed[0]!.jointech.raw, JSON.stringify(location));
      });
    }
  });
});
