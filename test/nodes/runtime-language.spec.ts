/**
 * The nodes' runtime texts in the language Node-RED runs in: a plain Node-RED process started with
 * settings.js `lang: 'zh-CN'`, then with `lang: 'en-US'`, gets bad input on several node types. A
 * Catch node reports what Node-RED hands it for each failure (the text given to node.error, the
 * error's code, the offending msg); the log handler reports the warnings and an error no Catch
 * takes (node dec2), which Node-RED logs with the same text, and a node without its config node
 * (cmd0) says so at deploy; the config nodes, whose brokers nobody listens on, warn why they
 * cannot connect, and so do one whose AMQP peer and one whose MQTT broker refuse their login (wrong
 * secret, wrong password); one the broker lets in but refuses its subscriptions logs that, and a
 * GB/T 32960 platform whose port another process holds says so.
 */
import assert from 'node:assert/strict';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { startAmqpPeer, type AmqpPeer } from '../support/amqp-peer';
import { startAedes } from '../../tools/broker';
import { coreText, startRedProcess, type RedProcess, type Report } from '../support/red-process';
import { waitFor } from '../support/red';

const report = (kind: string, fields: string) => `global.get('report')({ kind: '${kind}', ${fields} }); return null;`;
/** A broker address nobody listens on: the config nodes keep trying, the input checks come first. */
const NOBODY_PORT = 9;
const NOBODY = `mqtt://127.0.0.1:${NOBODY_PORT}`;
/** A GB/T 32960 realtime frame whose header announces 10 data bytes but which carries 5 (GB/T 32960.3-2016 table 2). */
const SHORT_FRAME = [...Buffer.from('##'), 0x02, 0xfe, ...Buffer.from('LB9A32A19K0LS0001'), 0x01, 0x00, 0x0a, 1, 2, 3, 4, 5];

const ACCOUNT = { authMode: 'aksign', keyId: 'AK1', secret: 'secret', instanceId: 'iot-cn-test', consumerGroupId: 'DEFAULT_GROUP' } as const;

const LOGIN = { username: 'gateway-user', password: 'gateway-password' };
const iotos = (id: string, url: string, password: string) => [
  { id, type: 'iotos-connection', gatewayId: '171', deviceId: '401', connection: { url, reconnectMinMs: 1000, reconnectMaxMs: 5000 }, credentials: { username: LOGIN.username, password } },
  { id: `${id}-dev`, type: 'iotos-device', connection: id, points: [{ name: '温度', id: 1963, oid: '7be6' }], timeout: 5, wires: [[], [], []] },
];

const flow = (peer: AmqpPeer, brokerUrl: string, busyPort: number) => [
  { id: 'srv', type: 'gb32960-server', host: '127.0.0.1', port: busyPort },
  ...iotos('iok', brokerUrl, LOGIN.password),
  ...iotos('ibad', brokerUrl, 'wrong-password'),
  { id: 'acc', type: 'jointech-account', accessKey: 'AK1', connection: { url: NOBODY, reconnectMinMs: 1000, reconnectMaxMs: 5000 } },
  { id: 'proj', type: 'eztcloud-project', localTest: true, connection: { url: NOBODY, reconnectMinMs: 1000, reconnectMaxMs: 5000 }, credentials: { projectKey: 'PK1', projectSecret: 'secret' } },
  {
    id: 'amqp', type: 'aliyun-amqp-connection', host: '127.0.0.1', port: NOBODY_PORT, localTest: true, instanceId: ACCOUNT.instanceId, consumerGroupId: ACCOUNT.consumerGroupId,
    clientId: 'nr-lang', reconnectMinMs: 1000, reconnectMaxMs: 5000, credentials: { keyId: ACCOUNT.keyId, secret: ACCOUNT.secret },
  },
  { id: 'ain', type: 'aliyun-amqp-in', connection: 'amqp', wires: [[]] },
  {
    id: 'amqp2', type: 'aliyun-amqp-connection', host: '127.0.0.1', port: peer.port, localTest: true, instanceId: ACCOUNT.instanceId, consumerGroupId: ACCOUNT.consumerGroupId,
    clientId: 'nr-lang2', reconnectMinMs: 1000, reconnectMaxMs: 5000, credentials: { keyId: ACCOUNT.keyId, secret: 'wrong-secret' },
  },
  { id: 'ain2', type: 'aliyun-amqp-in', connection: 'amqp2', wires: [[]] },
  { id: 'in', type: 'jointech-in', mode: 'webhook', path: '/lang', wires: [[]] },
  { id: 'cmd', type: 'lock-command', account: 'acc', command: 'BASE1', timeout: 5, wires: [[], []] },
  { id: 'cmd0', type: 'lock-command', account: '', command: 'BASE1', timeout: 5, wires: [[], []] },
  { id: 'dec', type: 'gb32960-decode', wires: [[]] },
  { id: 'dec2', type: 'gb32960-decode', wires: [[]] },
  { id: 'out', type: 'eztcloud-out', project: 'proj', action: 'command_send', wires: [[]] },
  {
    id: 'i-cmd', type: 'inject', once: true, onceDelay: 0.2, repeat: '', wires: [['cmd']],
    props: [{ p: 'device', v: '8130630001', vt: 'str' }, { p: 'command', v: 'BASE6', vt: 'str' }, { p: 'params', v: '{"uploadInterval":1,"wakeInterval":30}', vt: 'json' }],
  },
  { id: 'i-dec', type: 'inject', once: true, onceDelay: 0.2, repeat: '', wires: [['dec', 'dec2']], props: [{ p: 'payload', v: JSON.stringify(SHORT_FRAME), vt: 'bin' }] },
  {
    id: 'i-out', type: 'inject', once: true, onceDelay: 0.2, repeat: '', wires: [['out']],
    props: [{ p: 'device', v: 'DU_1234567890', vt: 'str' }, { p: 'payload', v: '{"method":"setLevel","level":3}', vt: 'json' }],
  },
  { id: 'ca', type: 'catch', scope: ['in', 'cmd', 'dec', 'out'], uncaught: false, wires: [['casink']] },
  {
    id: 'casink', type: 'function', outputs: 1, wires: [[]],
    func: report('catch', 'source: msg.error.source.id, code: msg.error.code, message: msg.error.message, device: msg.device, payload: msg.payload'),
  },
];

interface Caught extends Report { source: string; code: string; message: string; device?: string; payload?: unknown }

/** Runs the flow under `lang`, posts a malformed JSON body and a text body to the webhook. */
async function run(lang: string): Promise<{ red: RedProcess; peer: AmqpPeer; broker: { url: string; close(): Promise<void> }; busy: Server; caught: (id: string) => Caught; warnings: () => string[]; logged: string; unconfigured: string; connection: { mqtt: string; amqp: string; login: string; mqttLogin: string; subscription: string; listen: string }; http: { status: number; body: any } }> {
  const peer = await startAmqpPeer(ACCOUNT, { tls: false });
  const broker = await startAedes({ auth: LOGIN });
  // Lets the gateway in and refuses every subscription (SUBACK 0x80), as an ACL without read rights does.
  broker.aedes.authorizeSubscribe = (_client, _sub, callback) => callback(null, null);
  const busy = createServer();
  await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
  const red = await startRedProcess({ lang });
  await red.deploy(flow(peer, broker.url, (busy.address() as AddressInfo).port));
  const res = await fetch(red.nodeUrl('/lang'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"deviceId": 7,' });
  const http = { status: res.status, body: await res.json() };
  await fetch(red.nodeUrl('/lang'), { method: 'POST', headers: { 'content-type': 'application/xml' }, body: '<a/>' });
  const caught = (id: string) => red.reports.find((r) => r.kind === 'catch' && r.source === id) as Caught;
  await waitFor(() => ['in', 'cmd', 'dec', 'out'].every(caught), 'a caught error from each node', 10_000);
  const warnings = () => red.reports.filter((r) => r.kind === 'log' && r.level === 30 && r.type === 'jointech-in').map((r) => String(r.msg));
  await waitFor(() => warnings().length > 0, 'the webhook refusal warning');
  const logged = await waitFor(() => red.reports.find((r) => r.kind === 'log' && r.level === 20 && r.id === 'dec2'), 'the uncaught error in the log');
  const unconfigured = await waitFor(() => red.reports.find((r) => r.kind === 'log' && r.level === 20 && r.id === 'cmd0'), 'the configuration problem in the log');
  const warningOf = (id: string, re: RegExp) => waitFor(() => red.reports.find((r) => r.kind === 'log' && r.level === 30 && r.id === id && re.test(String(r.msg))), `the connection warning of ${id}`);
  const connection = {
    mqtt: String((await warningOf('acc', /^MQTT/)).msg),
    amqp: String((await warningOf('amqp', /^AMQP/)).msg),
    login: String((await warningOf('amqp2', /^AMQP/)).msg),
    mqttLogin: String((await warningOf('ibad', /^MQTT/)).msg),
    subscription: String((await waitFor(() => red.reports.find((r) => r.kind === 'log' && r.level === 20 && r.id === 'iok'), 'the refused subscription')).msg),
    listen: String((await waitFor(() => red.reports.find((r) => r.kind === 'log' && r.level === 20 && r.id === 'srv'), 'the port in use')).msg),
  };
  return { red, peer, broker, busy, caught, warnings, logged: String(logged.msg), unconfigured: String(unconfigured.msg), connection, http };
}

describe('runtime texts in the language Node-RED runs in', function () {
  this.timeout(60_000);

  describe('settings.js lang: zh-CN', () => {
    let t: Awaited<ReturnType<typeof run>>;
    before(async () => { t = await run('zh-CN'); });
    after(async () => { await t?.red.stop(); await t?.peer.close(); await t?.broker.close(); t?.busy.close(); });

    it('runs Node-RED itself in Chinese (its own "started flows" log line)', () => {
      assert.ok(t.red.reports.some((r) => r.kind === 'log' && r.msg === coreText('zh-CN', 'nodes.flows.started-flows')));
      assert.equal(coreText('zh-CN', 'nodes.flows.started-flows'), '流程已启动');
    });

    it('hands Catch the Chinese text with the machine code and the offending msg', () => {
      const json = t.caught('in');
      assert.equal(json.code, 'bad-json');
      assert.match(json.message, /JSON 格式错误：payload is not valid JSON/);

      const cmd = t.caught('cmd');
      assert.equal(cmd.code, 'bad-param');
      assert.match(cmd.message, /^ProtocolError: 参数无效：.*uploadInterval must be a whole number in 5\.\.600 s/);
      assert.equal(cmd.device, '8130630001', 'the offending msg');

      const dec = t.caught('dec');
      assert.equal(dec.code, 'length-mismatch');
      assert.equal(dec.message, 'ProtocolError: 帧长度不符：报头声明数据单元 10 字节（帧应比它多 25 字节），而帧实际 29 字节');
      assert.deepEqual((dec.payload as { data?: number[] }).data ?? dec.payload, SHORT_FRAME, 'the offending frame');

      const out = t.caught('out');
      assert.equal(out.code, 'bad-command');
      assert.match(out.message, /指令无效：command_send: "level" is not a field of a command/);
    });

    it('logs an error no Catch takes with the same Chinese text', () => {
      assert.equal(t.logged, t.caught('dec').message);
      assert.equal(t.unconfigured, '未选择久通账户');
    });

    it('writes the warnings in Chinese, and keeps the HTTP answer English with its code', () => {
      assert.match(t.warnings()[0]!, /^Webhook \/lang：已拒绝，状态 415：不支持的内容类型：content type "application\/xml" is not JSON$/);
      assert.equal(t.http.status, 400);
      assert.equal(t.http.body.code, 'bad-json');
      assert.match(t.http.body.error, /^payload is not valid JSON/);
    });

    it('says why a connection, or the GB/T 32960 listener, fails in Chinese', () => {
      assert.equal(t.connection.mqtt, `MQTT ${NOBODY}：连接被拒绝`);
      assert.match(t.connection.amqp, new RegExp(`^AMQP 127\\.0\\.0\\.1:${NOBODY_PORT}：连接被拒绝；\\d+(\\.\\d)? 秒后重连$`));
      assert.equal(t.connection.mqttLogin, `MQTT ${t.broker.url}：未授权`);
      assert.equal(t.connection.listen, `GB/T 32960 平台无法监听：端口 ${(t.busy.address() as AddressInfo).port} 已被占用`);
      assert.match(t.connection.subscription, /^MQTT 服务器拒绝了对“.+”的订阅$/);
      assert.match(t.connection.login, /^AMQP 127\.0\.0\.1:\d+：认证失败：请检查 AccessKey（或 AppKey）和密钥、实例 ID、消费组以及本机时钟；\d+(\.\d)? 秒后重连$/);
    });
  });

  describe('settings.js lang: en-US', () => {
    let t: Awaited<ReturnType<typeof run>>;
    before(async () => { t = await run('en-US'); });
    after(async () => { await t?.red.stop(); await t?.peer.close(); await t?.broker.close(); t?.busy.close(); });

    it('hands Catch the English message and the machine code', () => {
      assert.equal(t.caught('in').code, 'bad-json');
      assert.match(t.caught('in').message, /^ProtocolError: payload is not valid JSON/);
      assert.equal(t.caught('cmd').code, 'bad-param');
      assert.match(t.caught('cmd').message, /^ProtocolError: BASE6 uploadInterval must be a whole number in 5\.\.600 s, got "1"$/);
      assert.equal(t.caught('dec').message, 'ProtocolError: the header says 10 data bytes, so the frame should be 35 bytes, but it is 29');
      assert.match(t.caught('out').message, /^ProtocolError: command_send: "level" is not a field of a command/);
      assert.equal(t.caught('out').code, 'bad-command');
      assert.equal(t.logged, t.caught('dec').message);
      assert.equal(t.unconfigured, 'no Jointech account selected');
    });

    it('writes the warnings in English', () => {
      assert.equal(t.warnings()[0], 'webhook /lang: refused with 415: content type "application/xml" is not JSON');
      assert.equal(t.connection.mqtt, `MQTT ${NOBODY}: connection refused`);
      assert.match(t.connection.amqp, new RegExp(`^AMQP 127\\.0\\.0\\.1:${NOBODY_PORT}: connection refused; reconnecting in \\d+(\\.\\d)? s$`));
      assert.equal(t.connection.mqttLogin, `MQTT ${t.broker.url}: not authorised`);
      assert.equal(t.connection.listen, `GB/T 32960 platform cannot listen: port ${(t.busy.address() as AddressInfo).port} is in use`);
      assert.match(t.connection.subscription, /^broker refused the subscription to ".+"$/);
      assert.match(t.connection.login, /^AMQP 127\.0\.0\.1:\d+: authentication failed: check the AccessKey \(or AppKey\) and secret, instance id, consumer group and the clock; reconnecting in \d+(\.\d)? s$/);
    });
  });
});
