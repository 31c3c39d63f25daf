/**
 * Requests under an operator's faults, against a private Mosquitto (with persistence) that is
 * killed, hung (SIGSTOP, so the connection still looks up) and resumed, with lock-command in a
 * plain Node-RED runtime and a device client that records every command it receives:
 *
 * - a command reported as failed with `sent: false` is never delivered afterwards (outage,
 *   hung broker, full queue), and one handed over says `sent: true`;
 * - the queue limit holds while the broker hangs (limit 5, 300 commands: 295 refused at once);
 * - a redeploy with commands waiting gives each a `closed` failure on output 2;
 * - one command per lock at a time holds at QoS 0 too, survives the node being deleted and added
 *   back while a command is unacknowledged, and a redeploy leaves no connection behind.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import * as mqtt from 'mqtt';
import { startRuntime, type BenchRuntime, type FlowNode } from '../../bench/runtime';
import { mosquittoAvailable, sleep, waitFor } from '../support/red';
import { startMosquittoBroker, type MosquittoBroker } from '../../tools/broker';

const root = join(__dirname, '..', '..', '..');
process.env.BENCH_LOG ??= 'fatal';

const ACCESS_KEY = 'reqkey';
const DEVICE_BASE = 8_100_000_000;
const CREDENTIALS = { acct: { username: 'u', password: 'fe01ce2a7fbac8fafaed7c982a04e229' } };

interface Failure {
  seq: number;
  code: string;
  sent: boolean;
  at: number;
}

/** lock-command wired to `sink` (replies) and `fails` (output 2), through one jointech-account. */
function lockFlow(url: string, clientId: string, opts: { queueLimit: number; timeout: number; qos?: 0 | 1; connection?: Record<string, unknown> }): FlowNode[] {
  return [
    {
      id: 'acct', type: 'jointech-account', accessKey: ACCESS_KEY, qos: opts.qos ?? 1, passwordMode: 'md5',
      connection: { url, clientId, clean: false, keepalive: 60, reconnectMinMs: 200, reconnectMaxMs: 1000, queueLimit: opts.queueLimit, ...opts.connection },
    },
    { id: 'out', type: 'lock-command', account: 'acct', command: 'BASE1', timeout: opts.timeout, failures: 'output', wires: [['sink'], ['fails']] },
    { id: 'sink', type: 'junction', wires: [] },
    { id: 'fails', type: 'junction', wires: [] },
  ];
}

/**
 * Subscribes `client` to `filter`, and again after every reconnect: a SIGKILLed broker forgets the
 * sessions it had not saved yet, so commands published before the subscriber is back would have
 * nobody to go to. Gives when it last subscribed, for the tests to wait on.
 */
async function subscribeAgainOnReconnect(client: mqtt.MqttClient, filter: string): Promise<() => number> {
  await client.subscribeAsync(filter, { qos: 1 });
  let subscribedAt = Date.now();
  client.on('connect', () => client.subscribe(filter, { qos: 1 }, (err) => { if (!err) subscribedAt = Date.now(); }));
  return () => subscribedAt;
}

/**
 * The devices' side: a client with a persistent session that records each command's device, and
 * with `answer` replies to each as a device does (its id, type code 8, the serial, WORD, index...).
 */
async function devices(url: string, answer = false) {
  const client = await mqtt.connectAsync(url, { clientId: `req-devices-${Math.random().toString(16).slice(2, 8)}`, clean: false, reconnectPeriod: 200 });
  const received: Array<{ seq: number; at: number }> = [];
  client.on('message', (topic, body) => {
    received.push({ seq: Number(topic.split('/')[2]) - DEVICE_BASE, at: Date.now() });
    if (!answer) return;
    const [id, , serial, word, index] = body.toString().slice(1, -1).split(',') as [string, string, string, string, string];
    const content = JSON.stringify([id, '8', serial, word, index, 'FW', '0', 'Jointech']);
    client.publish(`upload/${ACCESS_KEY}/${id}/cmd`, JSON.stringify({ assetId: id, commandType: `${word}${index}`, content, dateTime: new Date().toISOString() }), { qos: 1 });
  });
  return { received, subscribedAt: await subscribeAgainOnReconnect(client, `download/${ACCESS_KEY}/+/cmd`), end: () => client.endAsync(true) };
}

(mosquittoAvailable() ? describe : describe.skip)('requests against a private Mosquitto under faults', function () {
  this.timeout(120_000);
  let broker: MosquittoBroker;
  let red: BenchRuntime;
  let device: Awaited<ReturnType<typeof devices>>;
  let failures: Failure[];
  /** Killed by a test that then failed before starting it again. */
  let brokerKilled = false;

  before(async () => {
    broker = await startMosquittoBroker();
    red = await startRuntime(root);
  });
  after(async () => {
    await red?.stop();
    await broker?.close();
  });
  beforeEach(async () => {
    device = await devices(broker.url);
  });
  afterEach(async () => {
    broker.signal('SIGCONT');
    if (brokerKilled) await broker.start();
    brokerKilled = false;
    await device.end();
    await red.deploy([]);
  });

  /** Deploys the flow, waits until it is connected and subscribed, and records output 2. */
  async function deploy(clientId: string, opts: Parameters<typeof lockFlow>[2]) {
    await red.deploy(lockFlow(broker.url, clientId, opts), CREDENTIALS);
    return recordFailures();
  }

  /** Waits until the deployed flow is connected and subscribed, and records output 2. */
  async function recordFailures(timeoutMs = 10_000) {
    const config = red.node('acct') as unknown as { connection?: { connected: boolean; filters: string[] } };
    await waitFor(() => config.connection?.connected && config.connection.filters.length > 0, 'connected', timeoutMs);
    failures = [];
    red.node('fails').on('input', (msg: unknown) => {
      const m = msg as { request: { device: string }; error: { code: string; sent: boolean } };
      failures.push({ seq: Number(m.request.device) - DEVICE_BASE, code: m.error.code, sent: m.error.sent, at: Date.now() });
    });
    return config.connection!;
  }

  /** Deploys `flow` as "modified nodes": only the nodes that changed restart (bench/runtime deploys in full). */
  async function deployModified(flow: FlowNode[], credentials: Record<string, unknown>) {
    const RED = require(join(root, 'node_modules', 'node-red')) as {
      runtime: { flows: { setFlows(o: { flows: { flows: FlowNode[]; credentials: unknown }; deploymentType: string }): Promise<unknown> } };
    };
    const tab: FlowNode = { id: 'bench-tab', type: 'tab', label: 'bench' };
    await RED.runtime.flows.setFlows({
      flows: { flows: [tab, ...flow.map((n) => ('wires' in n ? { ...n, z: tab.id } : n))], credentials },
      deploymentType: 'nodes',
    });
  }

  const command = (seq: number, timeout?: number) => red.node('out').receive({ device: String(DEVICE_BASE + seq), ...(timeout ? { timeout } : {}) } as never);

  /** A fresh command, sent once the fault is over, that must arrive: the path works again. */
  async function pathWorks(seq: number) {
    command(seq, 30);
    await waitFor(() => device.received.some((r) => r.seq === seq), 'a fresh command delivered after the fault', 20_000);
    await sleep(1000);
  }

  /** No command whose failure said "not sent" reached a device, before or after the failure. */
  function assertNoLateExecution(what: string) {
    const failed = new Map(failures.map((f) => [f.seq, f]));
    const late = device.received.filter((r) => failed.get(r.seq)?.sent === false);
    assert.deepEqual(late.map((r) => r.seq), [], `${what}: commands delivered although their failure said "not sent"`);
  }

  /**
   * Kills the broker, sends ten requests (numbers 0..9) that time out while it is away, checks
   * that each said "not sent", and starts the broker again.
   */
  async function timeOutDuringOutage(configId: string, send: (seq: number) => void, subscribers: Array<{ subscribedAt(): number }> = [device]) {
    broker.signal('SIGKILL');
    brokerKilled = true;
    const config = red.node(configId) as unknown as { connection: { connected: boolean } };
    await waitFor(() => !config.connection.connected, 'the connection down');
    for (let i = 0; i < 10; i++) send(i);
    await waitFor(() => failures.length === 10, 'ten timeouts', 5000);
    assert.deepEqual(failures.map((f) => [f.code, f.sent]), Array.from({ length: 10 }, () => ['timeout', false]));
    const restarted = Date.now();
    await broker.start();
    brokerKilled = false;
    await waitFor(() => subscribers.every((sub) => sub.subscribedAt() >= restarted), 'the devices subscribed again', 10_000);
  }

  it('withdraws commands queued during a broker outage when they time out: none is delivered after the broker returns', async () => {
    await deploy('req-outage', { queueLimit: 1000, timeout: 1 });
    await timeOutDuringOutage('acct', (i) => command(i));
    await pathWorks(1000);
    assert.deepEqual(device.received.filter((r) => r.seq < 1000).map((r) => r.seq), [], 'commands reported as timed out were delivered');
  });

  it('says which commands a hung broker (SIGSTOP) already had; the others are withdrawn and never delivered', async () => {
    await deploy('req-hung', { queueLimit: 1000, timeout: 1 });
    broker.signal('SIGSTOP');
    const n = 60;
    for (let i = 0; i < n; i++) command(i);
    await waitFor(() => failures.length === n, `${n} timeouts`, 5000);
    const sent = failures.filter((f) => f.sent).length;
    console.log(`      hung broker: ${sent} of ${n} handed to the client before the timeout (sent: true), ${n - sent} withdrawn`);
    assert.ok(n - sent >= n - 20, `at most the broker's in-flight window (20) handed over, got ${sent}`);
    assert.ok(failures.every((f) => f.code === 'timeout'));
    broker.signal('SIGCONT');
    await pathWorks(1000);
    assertNoLateExecution('hung broker');
    const delivered = new Set(device.received.map((r) => r.seq));
    for (const f of failures) if (!f.sent) assert.ok(!delivered.has(f.seq), `command ${f.seq} said not sent but arrived`);
  });

  it('sends one command per lock at a time: a hung broker (SIGSTOP) holds at most one retry of a lock, the rest are withdrawn', async () => {
    await deploy('req-retries', { queueLimit: 1000, timeout: 1 });
    broker.signal('SIGSTOP');
    // A flow retrying lock 0 ten times, and lock 20 beside it.
    for (let i = 0; i < 10; i++) {
      command(0);
      command(20);
    }
    await waitFor(() => failures.length === 20, '20 timeouts', 5000);
    const sentPerLock = [0, 20].map((lock) => failures.filter((f) => f.seq === lock && f.sent).length);
    assert.deepEqual(sentPerLock, [1, 1], 'one command per lock handed to the hung broker');
    assert.equal(failures.filter((f) => !f.sent).length, 18, 'the other 18 withdrawn');
    broker.signal('SIGCONT');
    await pathWorks(1000);
    await sleep(1000);
    assert.equal(device.received.filter((r) => r.seq === 0 || r.seq === 20).length, 2, 'after the broker woke, each lock got exactly the one command it already had');
  });

  it('sends one command per lock at a time with the account at QoS 0 (the document\'s suggestion) too: a hung broker gets one of ten tries', async () => {
    await deploy('req-retries-qos0', { queueLimit: 1000, timeout: 1, qos: 0 });
    broker.signal('SIGSTOP');
    for (let i = 0; i < 10; i++) command(0);
    await waitFor(() => failures.length === 10, '10 timeouts', 5000);
    assert.equal(failures.filter((f) => f.sent).length, 1, 'one command handed to the hung broker, the other nine withdrawn');
    broker.signal('SIGCONT');
    await pathWorks(1000);
    assert.equal(device.received.filter((r) => r.seq === 0).length, 1, 'after the broker woke, the lock got only the one command it already had');
  });

  it('takes commands for a lock again after its lock-command was deleted while a command to it was unacknowledged, and added back', async () => {
    const opts = { queueLimit: 1000, timeout: 1 };
    await deploy('req-deleted', opts);
    broker.signal('SIGSTOP');
    command(0);
    await waitFor(() => failures.length === 1, 'the timeout', 5000);
    assert.equal(failures[0]!.sent, true, 'handed to the hung broker');
    // The account stays; its only node is deleted ("modified nodes" deploy) while the broker hangs.
    const withoutLock = lockFlow(broker.url, 'req-deleted', opts).filter((n) => n.id !== 'out');
    await red.deploy(withoutLock, CREDENTIALS, 'nodes');
    await sleep(2500);
    // The broker restarts (the unacknowledged command is lost with it); the node is added back.
    broker.signal('SIGKILL');
    brokerKilled = true;
    await sleep(300);
    const restarted = Date.now();
    await broker.start();
    brokerKilled = false;
    await waitFor(() => device.subscribedAt() >= restarted, 'the devices subscribed again', 10_000);
    await red.deploy(lockFlow(broker.url, 'req-deleted', opts), CREDENTIALS, 'nodes');
    const config = red.node('acct') as unknown as { connection: { connected: boolean; filters: string[] } };
    await waitFor(() => config.connection.connected && config.connection.filters.length > 0, 'connected', 10_000);
    const before = device.received.filter((r) => r.seq === 0).length;
    command(0, 30);
    await waitFor(() => device.received.filter((r) => r.seq === 0).length > before, 'a fresh command to lock 0 delivered', 10_000);
  });

  it('leaves no connection behind when redeployed while the broker hangs: with a share group, every reply after it wakes reaches the new flow', async () => {
    await device.end();
    device = await devices(broker.url, true);
    // The default random client id: no new connection takes the old one's place at the broker.
    const opts = { queueLimit: 1000, timeout: 1, connection: { clean: true, shareGroup: 'g' } };
    await deploy('', opts);
    broker.signal('SIGSTOP');
    command(0);
    await sleep(200);
    // The old connection still waits for that command's acknowledgement when the flow stops.
    await red.deploy(lockFlow(broker.url, '', { ...opts, timeout: 2 }), CREDENTIALS);
    broker.signal('SIGCONT');
    await recordFailures(15_000);
    const replies: number[] = [];
    red.node('sink').on('input', (msg: unknown) => replies.push(Number((msg as { request: { device: string } }).request.device) - DEVICE_BASE));
    for (let i = 1; i <= 10; i++) command(i);
    await waitFor(() => replies.length + failures.length === 10, 'ten answers', 10_000);
    assert.deepEqual(failures.map((f) => f.code), [], 'replies lost to a connection of the stopped flow');
    assert.equal(replies.length, 10);
  });

  it('holds the queue limit while the broker hangs: limit 5, 300 commands, 295 refused at once and never delivered', async () => {
    await deploy('req-full', { queueLimit: 5, timeout: 2 });
    broker.signal('SIGSTOP');
    const started = Date.now();
    for (let i = 0; i < 300; i++) command(i);
    await waitFor(() => failures.filter((f) => f.code === 'not-sent').length >= 295, '295 refusals', 3000).catch(() => undefined);
    const refused = failures.filter((f) => f.code === 'not-sent');
    assert.equal(refused.length, 295, 'refused at once');
    assert.ok(refused.every((f) => !f.sent && f.at - started < 1500), 'refused within moments, as not sent');
    await waitFor(() => failures.length === 300, 'the five accepted time out', 5000);
    assert.deepEqual(failures.filter((f) => f.code === 'timeout').map((f) => f.sent), [true, true, true, true, true], 'the five in flight said sent');
    broker.signal('SIGCONT');
    // The five handed over arrive once the broker runs again; their acks make room for the next.
    await waitFor(() => device.received.length === 5, 'the five in flight delivered', 10_000);
    await pathWorks(1000);
    assertNoLateExecution('queue full');
    const refusedSeqs = new Set(refused.map((f) => f.seq));
    assert.deepEqual(device.received.filter((r) => refusedSeqs.has(r.seq)).map((r) => r.seq), [], 'refused commands delivered');
  });

  it('gives each command waiting for its reply a "closed" failure on output 2 when the node is redeployed', async () => {
    await deploy('req-redeploy', { queueLimit: 1000, timeout: 60 });
    for (let i = 0; i < 10; i++) command(i);
    await waitFor(() => device.received.length === 10, 'ten commands at the devices');
    // Only the modified lock-command restarts; the rest of the flow stays up to take its output.
    await deployModified(lockFlow(broker.url, 'req-redeploy', { queueLimit: 1000, timeout: 61 }), CREDENTIALS);
    await waitFor(() => failures.length === 10, 'ten closed failures', 5000);
    assert.deepEqual(failures.map((f) => f.seq).sort((a, b) => a - b), Array.from({ length: 10 }, (_, i) => i));
    assert.ok(failures.every((f) => f.code === 'closed' && f.sent), 'each closed, and said sent');
  });

  /** eztcloud-out reports its failures to Catch: the same promises hold there. */
  describe('eztcloud-out (failures to Catch)', () => {
    const PROJECT = 'PR_req';
    function ezFlow(clientId: string, timeout: number, waitReply = true): FlowNode[] {
      return [
        {
          id: 'proj', type: 'eztcloud-project', localTest: true,
          connection: { url: broker.url, clientId, clean: false, keepalive: 60, reconnectMinMs: 200, reconnectMaxMs: 1000, queueLimit: 1000 },
        },
        { id: 'out', type: 'eztcloud-out', project: 'proj', action: 'command_send', device: 'DU_req', method: 'set', waitReply, timeout, wires: [['sink']] },
        { id: 'sink', type: 'junction', wires: [] },
        { id: 'errcatch', type: 'catch', scope: ['out'], uncaught: false, wires: [['fails']] },
        { id: 'fails', type: 'junction', wires: [] },
      ];
    }
    const ezCredentials = { proj: { projectKey: PROJECT, projectSecret: 's' } };

    async function deployEz(clientId: string, timeout: number, waitReply = true) {
      await red.deploy(ezFlow(clientId, timeout, waitReply), ezCredentials);
      const config = red.node('proj') as unknown as { connection?: { connected: boolean; filters: string[] } };
      // Without a reply to wait for, the node subscribes to nothing.
      await waitFor(() => config.connection?.connected && (!waitReply || config.connection.filters.length > 0), 'connected', 10_000);
      failures = [];
      red.node('fails').on('input', (msg: unknown) => {
        const m = msg as { request: { body: { params: { seq: number } }; sent: boolean }; error: { message: string } };
        failures.push({ seq: m.request.body.params.seq, code: /stopped before/.test(m.error.message) ? 'closed' : /no command_reply/.test(m.error.message) ? 'timeout' : 'other', sent: m.request.sent, at: Date.now() });
      });
    }

    /** The platform's side: records the number in every command it receives and never answers. */
    async function platform() {
      const client = await mqtt.connectAsync(broker.url, { clientId: `req-ez-${Math.random().toString(16).slice(2, 8)}`, clean: false, reconnectPeriod: 200 });
      const received: number[] = [];
      client.on('message', (_t, body) => received.push((JSON.parse(body.toString()) as { params: { seq: number } }).params.seq));
      return { received, subscribedAt: await subscribeAgainOnReconnect(client, `open/${PROJECT}/+/command_send`), end: () => client.endAsync(true) };
    }
    const ezCommand = (seq: number, timeout?: number) => red.node('out').receive({ payload: { seq }, id: seq + 1, ...(timeout ? { timeout } : {}) } as never);

    it('withdraws commands queued during a broker outage when they time out: none is delivered after the broker returns', async () => {
      const devices = await platform();
      try {
        await deployEz('req-ez-outage', 1);
        await timeOutDuringOutage('proj', (i) => ezCommand(i), [devices]);
        ezCommand(1000, 30);
        await waitFor(() => devices.received.includes(1000), 'a fresh command delivered after the outage', 20_000);
        await sleep(1000);
        assert.deepEqual(devices.received.filter((s) => s < 1000), [], 'commands reported as timed out were delivered');
      } finally {
        await devices.end();
      }
    });

    it('without "wait for reply": commands held behind an unacknowledged one to the same device are withdrawn when the node stops, never sent later', async () => {
      const devices = await platform();
      try {
        await deployEz('req-ez-noreply', 60, false);
        broker.signal('SIGSTOP');
        for (let i = 0; i < 5; i++) ezCommand(i);
        await sleep(300);
        await deployModified(ezFlow('req-ez-noreply', 61, false), ezCredentials);
        broker.signal('SIGCONT');
        await waitFor(() => { try { return Boolean(red.node('out')); } catch { return false; } }, 'the node restarted');
        ezCommand(1000);
        await waitFor(() => devices.received.includes(1000), 'a fresh command after the redeploy', 20_000);
        await sleep(1000);
        assert.deepEqual(devices.received.filter((seq) => seq < 1000), [0], 'only the command the hung broker already had');
      } finally {
        await devices.end();
      }
    });

    it('gives each command waiting for its reply a "closed" error when the node is redeployed', async () => {
      const devices = await platform();
      try {
        await deployEz('req-ez-redeploy', 60);
        for (let i = 0; i < 10; i++) ezCommand(i);
        await waitFor(() => devices.received.length === 10, 'ten commands at the platform');
        await deployModified(ezFlow('req-ez-redeploy', 61), ezCredentials);
        await waitFor(() => failures.length === 10, 'ten closed errors', 5000);
        assert.deepEqual(failures.map((f) => f.seq).sort((a, b) => a - b), Array.from({ length: 10 }, (_, i) => i));
        assert.ok(failures.every((f) => f.code === 'closed' && f.sent), 'each closed, and said sent');
      } finally {
        await devices.end();
      }
    });
  });
});
