/**
 * The webhook cases of jointech-in, run in a plain Node-RED process (node-red's red.js, flows
 * deployed through the admin API) over real HTTP and raw sockets, for whichever settings a suite
 * passes: the node suite runs them under Node-RED's default settings (the admin app at `/` in
 * front of the nodes' routes) and with moved roots, the reliability suite again with the default
 * body deadline.
 *
 * The body samples are the seed's push samples (000, 数据推送 → 推送JSON示例); the answer
 * `{"Result":200}` is the seed's MBackResult.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { startRedProcess, type RedProcess, type Report } from './red-process';
import { sleep, waitFor } from './red';
import { jointechSamples as S } from '../../tools/samples';

/** 中文 in GB2312/GBK/GB18030: 中 D6D0, 文 CEC4 (GB 2312-80 code table, rows 54 and 46). */
const ZHONGWEN_GBK = Buffer.from([0xd6, 0xd0, 0xce, 0xc4]);

const report = (kind: string, fields: string) => `global.get('report')({ kind: '${kind}', ${fields} }); return null;`;

/** The node under test, with function nodes that report its messages, statuses and Catch errors. */
function webhookFlow(props: Record<string, unknown>, credentials?: Record<string, string>) {
  return [
    { id: 'in', type: 'jointech-in', mode: 'webhook', path: '/jt', wires: [['sink']], ...props, ...(credentials ? { credentials } : {}) },
    { id: 'sink', type: 'function', outputs: 1, wires: [[]], func: report('msg', 'topic: msg.topic, json: JSON.stringify(msg.payload), payload: msg.payload, type: msg.jointech.type') },
    { id: 'st', type: 'status', scope: ['in'], wires: [['stsink']] },
    { id: 'stsink', type: 'function', outputs: 1, wires: [[]], func: report('status', 'text: msg.status.text, fill: msg.status.fill') },
    { id: 'ca', type: 'catch', scope: ['in'], uncaught: false, wires: [['casink']] },
    { id: 'casink', type: 'function', outputs: 1, wires: [[]], func: report('catch', 'message: msg.error.message') },
  ];
}

interface Answer {
  status: number;
  type: string | undefined;
  body: any;
  /** The server closed the connection after answering. */
  closed: boolean;
  /** Milliseconds from sending the headers to the answer's first byte. */
  ms: number;
}

/** Parses one HTTP/1.1 response off a raw socket's bytes. */
function parseAnswer(raw: string, closed: boolean, ms: number): Answer {
  const [head = '', ...rest] = raw.split('\r\n\r\n');
  const status = Number(/^HTTP\/1\.1 (\d+)/.exec(head)?.[1] ?? 0);
  const type = /\r\ncontent-type: ([^\r]+)/i.exec(head)?.[1];
  const text = rest.join('\r\n\r\n');
  let body: unknown = text;
  try { body = JSON.parse(text); } catch { /* not JSON: kept as text */ }
  return { status, type, body, closed, ms };
}

/**
 * Sends a POST through a raw socket: the headers, then whatever `feed` writes while the connection
 * is open. Resolves when the server closes the connection, `waitMs` after the answer began, or
 * with status 0 when nothing was answered within `giveUpMs`.
 */
function rawPost(url: string, headers: Record<string, string | number>, feed: (write: (b: string | Buffer) => Promise<boolean>) => Promise<void>, waitMs = 1500, giveUpMs = 15_000, target?: string): Promise<Answer> {
  const u = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect(Number(u.port), u.hostname);
    const start = Date.now();
    let firstByte = 0;
    let raw = '';
    let done = false;
    const finish = (closed: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(giveUp);
      socket.destroy();
      resolve(parseAnswer(raw, closed, firstByte ? firstByte - start : -1));
    };
    socket.on('error', () => { /* EPIPE/ECONNRESET while we still write: the answer counts */ });
    socket.on('data', (d: Buffer) => {
      if (!firstByte) {
        firstByte = Date.now();
        setTimeout(() => finish(false), waitMs);
      }
      raw += d.toString('utf8');
    });
    const giveUp = setTimeout(() => finish(false), giveUpMs);
    socket.on('close', () => { clearTimeout(giveUp); finish(true); });
    socket.on('end', () => finish(true));
    const write = (b: string | Buffer) => new Promise<boolean>((r) => {
      if (done || socket.destroyed || !socket.writable) return r(false);
      socket.write(b, (err) => r(!err && !done));
    });
    socket.once('connect', () => {
      const lines = [`POST ${target ?? u.pathname} HTTP/1.1`, `Host: ${u.host}`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
      void write(`${lines.join('\r\n')}\r\n\r\n`).then(() => feed(write));
    });
  });
}

/** One ordinary POST through node:http. */
function post(url: string, body: string | Buffer, headers: Record<string, string> = {}): Promise<{ status: number; type: string | undefined; body: any }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', agent: false, headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => { text += d.toString('utf8'); });
      res.on('end', () => {
        let parsed: unknown = text;
        try { parsed = JSON.parse(text); } catch { /* not JSON: kept as text */ }
        resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'], body: parsed });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** `count` runs of `task`, at most `width` at a time. */
async function pool<T>(count: number, width: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < count) {
      const i = next++;
      out[i] = await task(i);
    }
  }));
  return out;
}

export interface WebhookSuiteOptions {
  /** Also wait out the default 10 s body deadline with a body sent at 1 byte a second. */
  defaultDeadline?: boolean;
}

/** Describes every webhook case against a Node-RED process started with `settings`. */
export function describeWebhookCases(label: string, settings: Record<string, unknown>, opts: WebhookSuiteOptions = {}): void {
  describe(`jointech-in webhook in a Node-RED process: ${label}`, function () {
    this.timeout(30000);
    let red: RedProcess;
    let seen = 0;
    const alarm = JSON.stringify(S.webhook.alarm);

    before(async () => { red = await startRedProcess(settings); });
    after(async () => { await red?.stop(); });

    /** Deploys the node with `props`; afterwards `fresh()` holds only what this test caused. */
    async function deploy(props: Record<string, unknown> = {}, credentials?: Record<string, string>) {
      await red.deploy(webhookFlow(props, credentials));
      seen = red.reports.length;
    }
    const fresh = (kind: string): Report[] => red.reports.slice(seen).filter((r) => r.kind === kind);
    const url = () => red.nodeUrl('/jt');

    it('runs with the settings it was given (the editor answers at the admin root)', async () => {
      const res = await fetch(`${red.origin}${typeof settings.httpAdminRoot === 'string' ? settings.httpAdminRoot : ''}/`);
      assert.equal(res.status, 200);
      assert.match(await res.text(), /<title>Node-RED<\/title>/);
    });

    it('decodes a body declared charset=GBK, GB2312 or GB18030, and refuses an unknown charset with 415', async () => {
      await deploy();
      const [before, after] = JSON.stringify({ ...S.webhook.alarm, describe: '@' }).split('@') as [string, string];
      const gbk = Buffer.concat([Buffer.from(before), ZHONGWEN_GBK, Buffer.from(after)]);
      for (const charset of ['GBK', 'gb2312', 'GB18030']) {
        const res = await post(url(), gbk, { 'content-type': `application/json; charset=${charset}` });
        assert.equal(res.status, 200, charset);
        assert.deepEqual(res.body, { Result: 200 });
      }
      const msgs = await waitFor(() => fresh('msg').length === 3 && fresh('msg'), 'three messages');
      for (const m of msgs) assert.equal(m.payload.describe, '中文');
      const unknown = await post(url(), alarm, { 'content-type': 'application/json; charset=x-no-such-charset' });
      assert.equal(unknown.status, 415);
      assert.equal(unknown.body.code, 'unsupported-charset');
      // The error quotes a hostile header value shortened, not whole.
      const long = await post(url(), alarm, { 'content-type': `application/json; charset=${'x'.repeat(8000)}` });
      assert.equal(long.status, 415);
      assert.ok(long.body.error.length < 120, long.body.error);
      // A GBK lead byte (0x81) followed by a space, outside every trail-byte range (0x40-0x7E,
      // 0x80-0xFE): refused and reported to Catch, rather than turned into U+FFFD.
      const broken = await post(url(), Buffer.concat([Buffer.from(before), Buffer.from([0x81, 0x20]), Buffer.from(after)]), { 'content-type': 'application/json; charset=GBK' });
      assert.equal(broken.status, 400);
      assert.equal(broken.body.code, 'bad-encoding');
      await waitFor(() => fresh('catch').some((c) => /not valid gbk/.test(c.message)), 'the Catch report');
      assert.equal(fresh('msg').length, 3);
    });

    it('accepts valid JSON after a UTF-8 byte order mark', async () => {
      await deploy();
      const res = await post(url(), Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(alarm)]));
      assert.equal(res.status, 200);
      const [m] = await waitFor(() => fresh('msg').length === 1 && fresh('msg'), 'the message');
      assert.equal(m!.type, 'alarm');
    });

    it('answers 200 to a valid push of a type the node does not take, and counts it as ignored', async () => {
      await deploy({ types: ['location'] });
      const res = await post(url(), alarm);
      assert.equal(res.status, 200);
      assert.deepEqual(res.body, { Result: 200 });
      await waitFor(() => fresh('status').some((s) => /1 ignored/.test(s.text)), 'status "1 ignored"');
      assert.equal((await post(url(), JSON.stringify(S.webhook.location))).status, 200);
      await waitFor(() => fresh('msg').length === 1, 'the location message');
      assert.equal(fresh('msg')[0]!.type, 'location');
      assert.equal(fresh('catch').length, 0);
    });

    it('answers a 4 MB body with 413 against the 256 KiB default, declared or chunked, and closes the connection', async () => {
      await deploy();
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      const stream = async (write: (b: Buffer) => Promise<boolean>, framed: (b: Buffer) => Buffer) => {
        for (let sent = 0; sent < 4 * 1024 * 1024; sent += chunk.length) if (!(await write(framed(chunk)))) return;
      };
      const declared = await rawPost(url(), { 'Content-Type': 'application/json', 'Content-Length': 4 * 1024 * 1024 }, (w) => stream(w, (b) => b));
      const chunked = await rawPost(url(), { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' },
        (w) => stream(w, (b) => Buffer.concat([Buffer.from(`${b.length.toString(16)}\r\n`), b, Buffer.from('\r\n')])));
      for (const [what, res] of [['declared', declared], ['chunked', chunked]] as const) {
        assert.equal(res.status, 413, what);
        assert.match(String(res.type), /application\/json/, what);
        assert.equal(res.body.code, 'too-large', what);
        assert.equal(res.closed, true, `${what}: connection closed`);
      }
      await waitFor(() => fresh('status').some((s) => /2 refused/.test(s.text)), 'status "2 refused"');
      assert.equal(fresh('msg').length, 0);
    });

    it('answers bad JSON with its own JSON 400 and a code, reports it to Catch, and takes the next push', async () => {
      await deploy();
      const bad = await post(url(), '{"assetId":');
      assert.equal(bad.status, 400);
      assert.match(String(bad.type), /application\/json/);
      assert.equal(bad.body.code, 'bad-json');
      assert.match(bad.body.error, /not valid JSON/);
      await waitFor(() => fresh('catch').length === 1, 'the Catch report');
      assert.equal((await post(url(), alarm)).status, 200);
    });

    it('checks the header before reading the body: a request without it is refused at once and its connection closed', async () => {
      await deploy({ headerName: 'X-Token' }, { headerValue: 's3cret' });
      // 10 of 100,000 declared bytes: a server that reads the body first never answers.
      const res = await rawPost(url(), { 'Content-Type': 'application/json', 'Content-Length': 100_000 }, async (w) => { await w('{"assetId"'); });
      assert.equal(res.status, 401);
      assert.equal(res.body.code, 'unauthorized');
      assert.equal(res.closed, true);
      assert.ok(res.ms >= 0 && res.ms < 5000, `answered after ${res.ms} ms`);
      assert.equal((await post(url(), alarm, { 'X-Token': 's3cret' })).status, 200);
    });

    it('cuts a body still arriving at the read deadline with 408 and closes the connection, with or without a header', async () => {
      await deploy({ readTimeout: 2, headerName: 'X-Token' }, { headerValue: 's3cret' });
      const drip = async (w: (b: string) => Promise<boolean>) => {
        for (const c of alarm) {
          if (!(await w(c))) return;
          await sleep(1000);
        }
      };
      const open = { 'Content-Type': 'application/json', 'Content-Length': alarm.length, 'X-Token': 's3cret' };
      const [authenticated, anonymous] = await Promise.all([
        rawPost(url(), open, drip, 500),
        rawPost(url(), { 'Content-Type': 'application/json', 'Content-Length': alarm.length }, drip, 500),
      ]);
      assert.equal(authenticated.status, 408);
      assert.equal(authenticated.body.code, 'read-timeout');
      assert.equal(authenticated.closed, true);
      assert.ok(authenticated.ms >= 1900 && authenticated.ms < 6000, `cut after ${authenticated.ms} ms`);
      assert.equal(anonymous.status, 401, 'without the header: refused before reading');
      assert.equal(anonymous.closed, true);
      assert.equal(fresh('msg').length, 0);
    });

    if (opts.defaultDeadline) {
      it('cuts a body sent at 1 byte a second with 408 at the default 10 s deadline', async function () {
        this.timeout(40000);
        await deploy();
        const res = await rawPost(url(), { 'Content-Type': 'application/json', 'Content-Length': alarm.length }, async (w) => {
          for (const c of alarm) {
            if (!(await w(c))) return;
            await sleep(1000);
          }
        }, 500, 30_000);
        assert.equal(res.status, 408);
        assert.equal(res.closed, true);
        assert.ok(res.ms >= 9900 && res.ms < 15000, `cut after ${res.ms} ms`);
        await waitFor(() => fresh('status').some((s) => /1 refused/.test(s.text)), 'status "1 refused"');
      });
    }

    it('checks the header before the rate limit: 400 requests without it leave 5 real pushes all accepted', async () => {
      await deploy({ rateLimit: 5, headerName: 'X-Token' }, { headerValue: 's3cret' });
      const burst = await pool(400, 20, () => post(url(), alarm));
      assert.deepEqual([...new Set(burst.map((r) => r.status))], [401]);
      const real = await Promise.all(Array.from({ length: 5 }, () => post(url(), alarm, { 'X-Token': 's3cret' })));
      assert.deepEqual(real.map((r) => r.status), [200, 200, 200, 200, 200]);
      await waitFor(() => fresh('status').some((s) => /5 received, 400 refused/.test(s.text)), 'status "5 received, 400 refused"');
      // Refusals are counted, not logged one by one.
      const warnings = fresh('log').filter((l) => l.id === 'in' && l.level === 30);
      assert.equal(warnings.length, 1, warnings.map((w) => w.msg).join('\n'));
      assert.match(warnings[0]!.msg, /401/);
    });

    it('drops __proto__, constructor and prototype keys from the payload', async () => {
      await deploy();
      const body = alarm.replace('{', '{"__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":1}},"prototype":1,"\\u005f_proto__":{"polluted":1},');
      assert.equal((await post(url(), body)).status, 200);
      const [m] = await waitFor(() => fresh('msg').length === 1 && fresh('msg'), 'the message');
      assert.doesNotMatch(m!.json, /__proto__|constructor|prototype|polluted/);
      assert.equal(m!.payload.assetId, S.webhook.alarm.assetId);
    });

    it('drops those keys inside the fields that hold JSON text too (expandInfo, statusJson, an event describe)', async () => {
      await deploy();
      const withHostile = (json: string) => json.replace('{', '{"__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":1}},"\\u005f_proto__":{"polluted":1},');
      const location = { ...S.webhook.location, expandInfo: withHostile(S.webhook.location.expandInfo as string), statusJson: withHostile(S.webhook.location.statusJson as string) };
      const event = { ...S.webhook.event, describe: withHostile('{"waybillNo":"W1"}') };
      for (const body of [location, event]) assert.equal((await post(url(), JSON.stringify(body))).status, 200);
      const msgs = await waitFor(() => fresh('msg').length === 2 && fresh('msg'), 'both messages');
      for (const m of msgs) assert.doesNotMatch(m.json, /__proto__|constructor|prototype|polluted/);
      assert.equal(msgs[1]!.payload.describe.waybillNo, 'W1');
    });

    it('refuses JSON nested deeper than 100 levels with 400, in the body or in a field holding JSON, and takes the next push', async () => {
      await deploy();
      const nest = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;
      // 100,000 levels fit in 200 KB; a flow that clones such a message (a Catch node does) overflows the stack.
      const deepBody = alarm.replace('{', `{"deep":${nest(100_000)},`);
      const deepField = JSON.stringify({ ...S.webhook.location, expandInfo: `{"deep":${nest(5_000)}}` });
      for (const body of [deepBody, deepField]) {
        const res = await post(url(), body);
        assert.equal(res.status, 400);
        assert.match(res.body.error, /deeper than 100/);
      }
      // 99 levels inside the body's own object are ordinary JSON.
      assert.equal((await post(url(), alarm.replace('{', `{"deep":${nest(99)},`))).status, 200);
      await waitFor(() => fresh('catch').length === 2 && fresh('msg').length === 1, 'two Catch reports and the message');
    });

    it('keeps the body from the admin parsers whatever form the request target takes (absolute URL, fragment)', async () => {
      await deploy({ headerName: 'X-Token' }, { headerValue: 's3cret' });
      const u = new URL(url());
      for (const target of [`http://${u.host}${u.pathname}`, `${u.pathname}#x`]) {
        // Without the header, 10 of 100,000 declared bytes: answered at once, not read first.
        const anonymous = await rawPost(url(), { 'Content-Type': 'application/json', 'Content-Length': 100_000 }, async (w) => { await w('{"assetId"'); }, 1500, 5000, target);
        assert.equal(anonymous.status, 401, target);
        const bad = await rawPost(url(), { 'Content-Type': 'application/json', 'Content-Length': 4, 'X-Token': 's3cret' }, async (w) => { await w('{bad'); }, 500, 5000, target);
        assert.equal(bad.status, 400, target);
        assert.equal(bad.body.code, 'bad-json', target);
      }
    });

    it("leaves Node-RED's own admin paths to the editor: a webhook at /flows does not stop the next deploy", async () => {
      const from = red.reports.length;
      await deploy({ path: '/flows' });
      const clashes = settings.httpAdminRoot === undefined && settings.httpNodeRoot === undefined;
      const warnings = () => red.reports.slice(from).filter((l) => l.kind === 'log' && l.id === 'in' && l.level === 30 && /admin path/.test(l.msg));
      if (clashes) await waitFor(() => warnings().length === 1, 'a warning about the path');
      await red.deploy(webhookFlow({}));
      assert.equal((await post(url(), alarm)).status, 200);
      if (!clashes) assert.equal(warnings().length, 0);
    });

    it('answers 503, not 200, to a push whose body was still arriving when the flow was redeployed', async () => {
      await deploy();
      const answer = rawPost(url(), { 'Content-Type': 'application/json', 'Content-Length': alarm.length }, async (w) => {
        await w(alarm.slice(0, 10));
        await red.deploy(webhookFlow({ name: 'redeployed' }));
        await w(alarm.slice(10));
      }, 500);
      const res = await answer;
      assert.equal(res.status, 503);
      assert.equal(res.body.code, 'closed');
      assert.equal((await post(url(), alarm)).status, 200);
      await waitFor(() => fresh('msg').length === 1, 'the next push');
    });

    it('stops answering on its path when the flow is replaced', async () => {
      await deploy();
      assert.equal((await post(url(), alarm)).status, 200);
      await red.deploy([{ id: 'other', type: 'inject', wires: [] }]);
      assert.equal((await post(url(), alarm)).status, 404);
    });
  });
}
