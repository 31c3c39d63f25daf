// The newcomer's demo: an embedded Aedes broker, a Node-RED with this package and the example
// flows pointed at that broker, and a simulator that publishes (and POSTs) the platform
// documents' sample messages, so the debug pane fills without any account.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Aedes } from 'aedes';
import { connect as mqttConnect } from 'mqtt';
import rhea from 'rhea';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const EZT_KEY = 'PR_demo';
const DEMO_KEY = 'demo';

function freePort(preferred) {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => {
      const any = net.createServer();
      any.listen(0, '127.0.0.1', () => { const { port } = any.address(); any.close(() => resolve(port)); });
    });
    srv.listen(preferred, '127.0.0.1', () => srv.close(() => resolve(preferred)));
  });
}

const RECONNECT = { reconnectMinMs: 500, reconnectMaxMs: 5000 };

/**
 * What the demo sets on each config node type of the examples: fields of its own, fields of its
 * MQTT connection (pointed at the demo broker, reconnecting quickly) and credentials.
 */
const DEMO_SETTINGS = {
  'jointech-account': {
    fields: () => ({ accessKey: DEMO_KEY }),
    connection: {},
    credentials: { username: 'demo', password: 'fe01ce2a7fbac8fafaed7c982a04e229' },
  },
  // The demo broker is a plain local one; the real endpoint is TLS only.
  'eztcloud-project': { fields: () => ({ localTest: true }), connection: {}, credentials: { projectKey: EZT_KEY, projectSecret: 'demo' } },
  // The demo's AMQP peer is plain and local; the platform itself is TLS only.
  'aliyun-amqp-connection': {
    fields: ({ amqpPort }) => ({ host: '127.0.0.1', port: amqpPort, localTest: true, consumerGroupId: 'DEFAULT_GROUP', ...RECONNECT }),
    credentials: { keyId: 'demo', secret: 'demo' },
  },
  'aliyun-living-account': { connection: { clientId: 'demo-living-channel' }, credentials: { username: 'demo', password: 'demo' } },
  'iotos-connection': { connection: {}, credentials: { username: 'demo', password: 'demo' } },
  'gb32960-server': { fields: ({ gbPort }) => ({ host: '127.0.0.1', port: gbPort }) },
};

/** The example flows, with every platform account pointed at the demo broker. */
export function demoFlows(brokerUrl, amqpPort, gbPort = 32960) {
  const flows = [];
  const creds = {};
  const seen = new Set();
  for (const file of readdirSync(join(root, 'examples')).filter((f) => f.endsWith('.json')).sort()) {
    for (const node of JSON.parse(readFileSync(join(root, 'examples', file), 'utf8'))) {
      // An MQTT account the table does not list (a platform just added) still uses the demo broker.
      const fill = DEMO_SETTINGS[node.type] ?? (node.connection && typeof node.connection === 'object' ? { connection: {} } : undefined);
      if (fill) {
        Object.assign(node, fill.fields?.({ amqpPort, gbPort }));
        if (fill.connection) node.connection = { ...node.connection, url: brokerUrl, ...RECONNECT, ...fill.connection };
        if (fill.credentials) creds[node.id] = { ...fill.credentials };
      }
      // Examples of one account share its config node (same id): the demo keeps one connection.
      if (seen.has(node.id)) continue;
      seen.add(node.id);
      flows.push(node);
    }
  }
  return { flows: demoComments(readableDebug(flows), gbPort), creds };
}

/**
 * The examples' comments ask for an account; the demo has filled everything in: they say what
 * the tab is connected to and which debug nodes (named after the tab) show what. Each starts
 * inside the canvas, however long.
 */
function demoComments(flows, gbPort) {
  const tabs = new Map(flows.filter((n) => n.type === 'tab').map((t) => [t.id, t.label]));
  for (const node of flows.filter((n) => n.type === 'comment')) {
    const tab = tabs.get(node.z);
    const debug = `In the Debug sidebar, "${tab}" shows each message's payload under its kind (msg.topic); "${tab}: errors" shows what went wrong`;
    if (/fill in/i.test(node.name ?? '')) {
      const clicks = /click the inject/i.test(node.name) ? '; click the inject buttons' : '';
      node.name = `${tab}: connected to the demo's local simulator, nothing to fill in${clicks}. ${debug}`;
    } else if (flows.some((n) => n.z === node.z && n.type === 'gb32960-in')) {
      node.name = `${tab}: two simulated vehicles are connected on TCP port ${gbPort}; click the inject buttons to query, set and control the first. ${debug}`;
    }
    node.x = Math.max(node.x, nodeWidth(node.name) / 2 + 20);
  }
  return flows;
}

/**
 * Each example has a debug node per kind of message, each showing the whole msg: about thirty in
 * the demo, a wall of collapsed objects. The demo gives each tab one debug node named after its
 * platform, showing msg.payload, and one for errors showing msg.error; a change node in place of
 * each former debug node puts the kind before msg.topic, which the Debug sidebar prints above it.
 */
/** About how wide the editor draws a node with this label (14 px text, icon, port), rounded up. */
function nodeWidth(label) {
  return Math.max(100, 20 * Math.ceil((label.length * 7 + 50) / 20));
}

function readableDebug(flows) {
  const tabs = new Map(flows.filter((n) => n.type === 'tab').map((t) => [t.id, t]));
  const catches = new Set(flows.filter((n) => n.type === 'catch').map((n) => n.id));
  const fromCatch = new Set(flows.filter((n) => catches.has(n.id)).flatMap((n) => n.wires.flat()));
  const out = [];
  const sinks = new Map();
  const sink = (z, errors) => {
    const key = `${z}:${errors}`;
    if (!sinks.has(key)) {
      const platform = tabs.get(z)?.label ?? z;
      sinks.set(key, {
        id: `${z}.demo.${errors ? 'errors' : 'data'}`, type: 'debug', z, name: errors ? `${platform}: errors` : platform,
        active: true, tosidebar: true, console: false, tostatus: false, complete: errors ? 'error' : 'payload', targetType: 'msg',
        statusVal: '', statusType: 'auto', x: 0, y: 0, wires: [],
      });
    }
    return sinks.get(key);
  };
  for (const node of flows) {
    if (node.type !== 'debug') { out.push(node); continue; }
    const errors = node.complete === 'error' || fromCatch.has(node.id);
    const target = sink(node.z, errors);
    const name = `topic: ${node.name}`;
    // The longer label widens the node: keep its left edge where the debug node's was, and put
    // the tab's debug node clear of its right edge.
    const x = node.x + (nodeWidth(name) - nodeWidth(node.name ?? '')) / 2;
    target.x = Math.max(target.x, x + nodeWidth(name) / 2 + 60 + nodeWidth(target.name) / 2);
    target.y = target.y || node.y;
    out.push({
      id: node.id, type: 'change', z: node.z, name,
      // The kind first, then the message's own topic (device, VIN) when it has one.
      rules: [{ t: 'set', p: 'topic', pt: 'msg', to: `${JSON.stringify(node.name)} & ($exists(topic) and topic != "" ? " · " & topic : "")`, tot: 'jsonata' }],
      action: '', property: '', from: '', to: '', reg: false, x, y: node.y, wires: [[target.id]],
    });
  }
  return [...out, ...sinks.values()];
}

/**
 * The documents print some samples with slips (comments, missing and trailing commas); the nodes
 * accept them with a "not strict JSON" warning. The demo sends them mended, so that its debug
 * pane shows data rather than warnings about its own samples (the node tests cover the slips).
 */
function strictJson(text) {
  const mended = text
    .replace(/\s\/\/[^\n"]*$/gm, '')
    .replace(/(["\d}\]]|true|false|null)(\s*\n\s*")/g, '$1,$2')
    .replace(/,(\s*[}\]])/g, '$1');
  for (const candidate of [text, mended]) {
    try { return JSON.stringify(JSON.parse(candidate)); } catch { /* try the next */ }
  }
  return text;
}

function startSimulator(brokerUrl, httpBase, log) {
  const samples = JSON.parse(readFileSync(join(root, 'scripts', 'samples', 'jointech.json'), 'utf8'));
  const client = mqttConnect(brokerUrl, { clientId: 'cniot-demo-simulator', reconnectPeriod: 1000 });
  client.on('error', () => undefined);
  const keys = Object.keys(samples.mqtt);
  let tick = 0;
  const timer = setInterval(() => {
    const key = keys[tick % keys.length];
    const sample = samples.mqtt[key];
    const type = key.startsWith('cmd') ? 'cmd' : key;
    const payload = { ...sample.payload };
    // Move the device a little so that successive messages differ.
    if (typeof payload.speed === 'number') payload.speed = (tick * 7) % 80;
    if (typeof payload.gpsTime === 'string') payload.gpsTime = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const topic = type === 'sublock'
      ? `upload/${DEMO_KEY}/${sample.topicDevice}/${sample.topicSubLock}/sublock`
      : `upload/${DEMO_KEY}/${sample.topicDevice}/${type}`;
    client.publish(topic, JSON.stringify(payload), { qos: 1 });
    if (tick % 3 === 0) {
      const types = ['location', 'alarm', 'event', 'cmd', 'sublock'];
      const body = samples.webhook[types[(tick / 3) % types.length]];
      fetch(`${httpBase}/jointech`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
        .catch(() => undefined);
    }
    tick++;
  }, 1500);
  log(`simulator: publishing the Jointech document samples to upload/${DEMO_KEY}/... every 1.5 s and POSTing to /jointech`);
  // A device behind the platform for the lock-command example: answers each command frame.
  client.subscribe(`download/${DEMO_KEY}/+/cmd`, { qos: 1 });
  client.on('message', (topic, body) => {
    // One client carries every platform: answer only the Jointech command topic.
    if (!new RegExp(`^download/${DEMO_KEY}/[^/]+/cmd$`).test(topic)) return;
    const device = topic.split('/')[2];
    const [id, , serial, word, index, ...params] = body.toString().replace(/^\(|\)$/g, '').split(',');
    const reply = (commandType, content) => setTimeout(() => client.publish(`upload/${DEMO_KEY}/${device}/cmd`,
      JSON.stringify({ assetId: device, commandType, content, dateTime: new Date().toISOString() }), { qos: 1 }), 300);
    if (device === samples.mqtt.cmdOffline.payload.assetId) return reply('MQTT_CMD', samples.mqtt.cmdOffline.payload.content);
    const fields = `${word}${index}` === 'BASE1'
      ? [id, '8', serial, word, index, ...JSON.parse(samples.mqtt.cmd.payload.content).slice(5)]
      : [id, '8', serial, word, index, ...params];
    reply(`${word}${index}`, JSON.stringify(fields));
  });
  // The IOTOS platform for the iotos-device example: a result per uplinked data point, and a
  // downlink control message every 6 s.
  client.subscribe('$IOTOS/device/platform/update/+/+', { qos: 1 });
  client.on('message', (topic, body) => {
    if (!topic.startsWith('$IOTOS/device/platform/update/')) return;
    let up;
    try { up = JSON.parse(body.toString()); } catch { return; }
    for (const point of Object.values(up.data ?? {})) {
      client.publish(`${topic}/${point.id}/result`, JSON.stringify({
        ...point, requestId: up.requestId, requestTime: up.requestTime, responseId: randomUUID().replace(/-/g, ''),
        responseTime: Date.now(), responseCode: 0, responseDesc: 'OK',
      }), { qos: 1 });
    }
  });
  const control = setInterval(() => {
    client.publish('$IOTOS/device/endpoint/update/171/401/1964', JSON.stringify({
      name: 'switch', id: 1964, oid: '179f', ts: Date.now(), value: tick % 2, requestId: randomUUID().replace(/-/g, ''), requestTime: Date.now(),
    }), { qos: 1 });
  }, 6000);
  // EZtCloud devices: attributes and the other kinds in turn, and replies to command_send.
  const ezKinds = [
    ['attributes', () => JSON.stringify({ temperature: 20 + (tick % 10) / 2, switch: tick % 2 })],
    ['event_report', () => JSON.stringify({ method: 'doorOpened', params: { door: 1 } }, null, 2)],
    ['alarm', () => JSON.stringify({ alerting: tick % 4 < 2 })],
    ['online', () => JSON.stringify({ online: true })],
    ['data/raw', () => 'fek34j=='],
  ];
  const ez = setInterval(() => {
    const [kind, body] = ezKinds[tick % ezKinds.length];
    client.publish(`open/${EZT_KEY}/DU_demo0001/${kind}`, body(), { qos: 1 });
  }, 2000);
  client.subscribe(`open/${EZT_KEY}/+/command_send`, { qos: 1 });
  client.on('message', (topic, body) => {
    if (!topic.startsWith(`open/${EZT_KEY}/`) || !topic.endsWith('/command_send')) return;
    let cmd;
    try { cmd = JSON.parse(body.toString()); } catch { return; }
    const device = topic.split('/')[2];
    setTimeout(() => client.publish(`open/${EZT_KEY}/${device}/command_reply`, JSON.stringify({ method: cmd.method, params: { ok: true, ...cmd.params }, id: cmd.id }), { qos: 1 }), 200);
  });
  // The Living platform: the document's push samples in turn (as printed, slips and all), and
  // a success reply to each bind / unbind.
  const living = JSON.parse(readFileSync(join(root, 'scripts', 'samples', 'aliyun-living.json'), 'utf8'));
  const { productKey: LPK, deviceName: LDN } = living.topic;
  const livingPaths = [['properties', 'thing/properties'], ['events', 'thing/events'], ['status', 'thing/status'], ['topo', 'thing/topo/add/status'], ['ota', 'ota/device/forward']];
  const live = setInterval(() => {
    const [kind, path] = livingPaths[tick % livingPaths.length];
    client.publish(`/sys/${LPK}/${LDN}/app/down/${path}`, strictJson(living.pushes[kind]), { qos: 1 });
  }, 3000);
  client.subscribe(`/sys/${LPK}/${LDN}/app/up/account/+`, { qos: 1 });
  client.on('message', (topic, body) => {
    const m = /^\/sys\/[^/]+\/[^/]+\/app\/up\/account\/(bind|unbind)$/.exec(topic);
    if (!m) return;
    let req;
    try { req = JSON.parse(body.toString()); } catch { return; }
    client.publish(`/sys/${LPK}/${LDN}/app/down/account/${m[1]}_reply`, JSON.stringify({ id: req.id, code: 200, message: 'success' }), { qos: 1 });
  });
  return () => { clearInterval(timer); clearInterval(control); clearInterval(ez); clearInterval(live); client.end(true); };
}

/**
 * A stand-in for the Aliyun AMQP server-side subscription: plain AMQP 1.0 on loopback, any login,
 * pushing the GB/T 32960 gateway messages of the example flow in turn.
 */
async function startAmqpPeer(log) {
  const port = await freePort(Number(process.env.DEMO_AMQP_PORT) || 5673);
  const container = rhea.create_container({ id: 'cniot-demo-amqp' });
  container.sasl_server_mechanisms.enable_plain(() => true);
  const gb = JSON.parse(readFileSync(join(root, 'examples', 'gb32960-decode.json'), 'utf8'));
  const bodies = ['gb.inject.login', 'gb.inject.realtime', 'gb.inject.realtime', 'gb.inject.status'].map((id) => gb.find((n) => n.id === id).payload);
  const senders = new Set();
  container.on('sender_open', (ctx) => senders.add(ctx.sender));
  container.on('sender_close', (ctx) => senders.delete(ctx.sender));
  container.on('disconnected', (ctx) => { for (const s of senders) if (s.connection === ctx.connection) senders.delete(s); });
  container.on('error', () => undefined);
  const server = container.listen({ port, host: '127.0.0.1' });
  let n = 0;
  const timer = setInterval(() => {
    const body = bodies[n % bodies.length];
    const topic = body.includes('"protocol"') ? '/sys/demoPK/LZYTBGBW6J1014194/device/status/notify' : '/sys/demoPK/LZYTBGBW6J1014194/device/message/uplink';
    for (const s of senders) if (s.sendable()) s.send({ body: rhea.message.data_section(Buffer.from(body)), application_properties: { topic, messageId: `demo${n}`, generateTime: Date.now() } });
    n++;
  }, 4000);
  log(`demo AMQP peer (plain, loopback): 127.0.0.1:${port}, pushing GB/T 32960 gateway messages every 4 s`);
  return { port, stop: () => { clearInterval(timer); server.close(); } };
}

/**
 * Two vehicles for the gb32960-server example, speaking GB/T 32960 over TCP: a 2016 ("##") and a
 * 2025 ("$$") terminal that log in, send realtime data every 5 s and heartbeats every 10 s, and
 * answer the platform's queries, sets and controls. Frames are built byte by byte here.
 */
export function gb32960DemoFrame(edition, command, vin, unit, flag = 0xfe) {
  const start = edition === 2025 ? 0x24 : 0x23;
  const frame = Buffer.alloc(25 + unit.length);
  frame[0] = frame[1] = start;
  frame[2] = command;
  frame[3] = flag;
  frame.write(vin, 4, 'latin1');
  frame[21] = 0x01;
  frame.writeUInt16BE(unit.length, 22);
  unit.copy(frame, 24);
  let bcc = 0;
  for (let i = 2; i < frame.length - 1; i++) bcc ^= frame[i];
  frame[frame.length - 1] = bcc;
  return frame;
}

function beijingNow() {
  const d = new Date(Date.now() + 8 * 3600_000);
  return Buffer.from([d.getUTCFullYear() - 2000, d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()]);
}

export function gb32960DemoUnits(edition, tick) {
  const login = edition === 2025
    ? Buffer.concat([beijingNow(), Buffer.from([0, 1]), Buffer.from('89860012345678901234'), Buffer.from([1, 1]), Buffer.from('PACKDEMO0000000000000001')])
    : Buffer.concat([beijingNow(), Buffer.from([0, 1]), Buffer.from('89860012345678901234'), Buffer.from([1, 4]), Buffer.from('BAT1')]);
  // Information type 0x01 (vehicle): 20 bytes in 2016 (table 9), 18 in 2025 (current offset 3000 A).
  const v = Buffer.alloc(edition === 2025 ? 18 : 20);
  v[0] = 1; v[1] = 3; v[2] = 1;
  v.writeUInt16BE((tick * 37) % 1200, 3);
  v.writeUInt32BE(123456 + tick, 5);
  v.writeUInt16BE(5402, 9);
  v.writeUInt16BE(Math.round((35.5 + (edition === 2025 ? 3000 : 1000)) * 10), 11);
  v[13] = 78 - (tick % 20); v[14] = 1; v[15] = 0x2e;
  v.writeUInt16BE(5000, 16);
  if (edition === 2016) { v[18] = 20; v[19] = 0; }
  return { login, realtime: Buffer.concat([beijingNow(), Buffer.from([0x01]), v]) };
}

export function startGb32960Vehicles(port, log) {
  const timers = [];
  const sockets = new Set();
  const params = new Map([[9, [30, 1]], [10, [60, 2]], [11, [30, 2]]]);
  const drive = (edition, vin) => {
    let tick = 0;
    const socket = net.connect({ host: '127.0.0.1', port }, () => socket.write(gb32960DemoFrame(edition, 0x01, vin, gb32960DemoUnits(edition, 0).login)));
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => { sockets.delete(socket); if (!stopped) timers.push(setTimeout(() => drive(edition, vin), 3000)); });
    socket.on('data', (chunk) => {
      // Commands come one at a time and whole on loopback: answer with the command's own time.
      for (let at = 0; at + 25 <= chunk.length; at += 25 + chunk.readUInt16BE(at + 22)) {
        const command = chunk[at + 2];
        if (chunk[at + 3] !== 0xfe || command < 0x80 || command > 0x82) continue;
        const time = chunk.subarray(at + 24, at + 30);
        let unit = time;
        if (command === 0x80) {
          const ids = [...chunk.subarray(at + 31, at + 31 + chunk[at + 30])].filter((id) => params.has(id));
          unit = Buffer.concat([time, Buffer.from([ids.length]), ...ids.map((id) => {
            const [value, width] = params.get(id);
            const b = Buffer.alloc(1 + width);
            b[0] = id;
            b.writeUIntBE(value, 1, width);
            return b;
          })]);
        }
        socket.write(gb32960DemoFrame(edition, command, vin, unit, 0x01));
      }
    });
    const send = setInterval(() => {
      if (socket.destroyed || socket.connecting) return;
      tick++;
      socket.write(gb32960DemoFrame(edition, tick % 2 ? 0x02 : 0x07, vin, tick % 2 ? gb32960DemoUnits(edition, tick).realtime : Buffer.alloc(0)));
    }, 5000);
    timers.push(send);
    socket.once('close', () => clearInterval(send));
  };
  let stopped = false;
  drive(2016, 'LSIMDEMO000000001');
  drive(2025, 'LSIMDEMO000000002');
  log(`GB/T 32960 vehicles: LSIMDEMO000000001 (2016) and LSIMDEMO000000002 (2025) connected to 127.0.0.1:${port}`);
  return () => { stopped = true; for (const t of timers) clearTimeout(t); for (const s of sockets) s.destroy(); };
}

/** The port is taken when something already listens on it (on any address). */
function portTaken(port) {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(true));
    srv.listen(port, () => srv.close(() => resolve(false)));
  });
}

function portInUse(port) {
  return Object.assign(new Error(`port ${port} is already in use (another Node-RED?): stop it, or run with PORT=<free port>`), { code: 'EADDRINUSE' });
}

/**
 * A Node-RED with this package linked in as an installed module, in a fresh user dir (deleted
 * first), with the given flows and credentials. Which Node-RED and Node run it:
 * CNIOT_NODE_RED (the node-red package folder; default the dev dependency) and CNIOT_NODE (the
 * node binary; default this one). Rejects when the port is taken instead of talking to another
 * server.
 */
export async function startNodeRed({ port, userDir, flows = [], creds = {}, quiet = false }) {
  if (await portTaken(port)) throw portInUse(port);
  rmSync(userDir, { recursive: true, force: true });
  const modDir = join(userDir, 'node_modules', ...pkg.name.split('/'));
  mkdirSync(dirname(modDir), { recursive: true });
  symlinkSync(root, modDir, 'dir');
  writeFileSync(join(userDir, 'package.json'), JSON.stringify({ name: 'cniot-demo', private: true, dependencies: { [pkg.name]: `file:${root}` } }, null, 2));
  writeFileSync(join(userDir, 'settings.js'), `module.exports = {
  uiPort: ${port},
  uiHost: '127.0.0.1',
  flowFile: 'flows.json',
  // Demo credentials are stored unencrypted; a real install sets its own credentialSecret.
  credentialSecret: false,
  logging: { console: { level: 'info' } },
  editorTheme: { tours: false, projects: { enabled: false } },
  // The demo sends nothing anywhere and asks nothing on first open.
  telemetry: { enabled: false, updateNotification: false },
};
`);
  writeFileSync(join(userDir, 'flows.json'), JSON.stringify(flows, null, 2));
  writeFileSync(join(userDir, 'flows_cred.json'), JSON.stringify(creds, null, 2));

  const redDir = process.env.CNIOT_NODE_RED || join(root, 'node_modules', 'node-red');
  const red = spawn(process.env.CNIOT_NODE || process.execPath, [join(redDir, 'red.js'), '--userDir', userDir, '--port', String(port)], {
    stdio: quiet ? 'ignore' : 'inherit',
  });
  const url = `http://127.0.0.1:${port}`;
  const until = Date.now() + 60_000;
  for (;;) {
    if (red.exitCode !== null) throw new Error(`Node-RED exited with code ${red.exitCode}`);
    const ok = await fetch(`${url}/settings`).then((r) => r.ok, () => false);
    if (ok) break;
    if (Date.now() > until) {
      red.kill('SIGKILL');
      throw new Error('Node-RED did not start within 60 s');
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    url,
    stop: () => new Promise((resolve) => {
      if (red.exitCode !== null) return resolve();
      red.once('exit', resolve);
      red.kill('SIGINT');
      setTimeout(() => red.kill('SIGKILL'), 10_000).unref();
    }),
  };
}

/**
 * Starts broker, Node-RED and simulator. Resolves once the editor answers; `stop()` ends all three.
 */
export async function startDemo({ port = Number(process.env.PORT) || 1880, mqttPort, userDir = join(root, '.demo'), log = console.log, quiet = false } = {}) {
  if (await portTaken(port)) throw portInUse(port);
  const brokerPort = mqttPort ?? await freePort(Number(process.env.DEMO_MQTT_PORT) || 1884);
  const aedes = await Aedes.createBroker({ heartbeatInterval: 3_600_000 });
  const broker = net.createServer(aedes.handle);
  await new Promise((resolve) => broker.listen(brokerPort, '127.0.0.1', resolve));
  const brokerUrl = `mqtt://127.0.0.1:${brokerPort}`;
  log(`demo broker (Aedes): ${brokerUrl}`);

  const amqp = await startAmqpPeer(log);
  const gbPort = await freePort(Number(process.env.DEMO_GB32960_PORT) || 32960);
  const { flows, creds } = demoFlows(brokerUrl, amqp.port, gbPort);
  let red;
  try {
    red = await startNodeRed({ port, userDir, flows, creds, quiet });
  } catch (err) {
    amqp.stop();
    await new Promise((resolve) => broker.close(() => resolve()));
    await new Promise((resolve) => aedes.close(() => resolve()));
    throw err;
  }
  const base = red.url;
  const stopSimulator = startSimulator(brokerUrl, base, log);
  const stopVehicles = startGb32960Vehicles(gbPort, log);
  log(`Node-RED editor: ${base}/  (open the Debug sidebar to watch decoded data)`);

  return {
    url: base,
    brokerUrl,
    async stop() {
      stopSimulator();
      stopVehicles();
      amqp.stop();
      await red.stop();
      await new Promise((resolve) => broker.close(() => resolve()));
      await new Promise((resolve) => aedes.close(() => resolve()));
    },
  };
}
