/**
 * Runs in a child process: an Aedes broker plus a publisher, so that publishing does not share an
 * event loop with the receiver being measured.
 */
import net from 'node:net';
import * as mqtt from 'mqtt';
import rhea = require('rhea');
import type { Sender } from 'rhea';
import type { Aedes } from 'aedes' with { 'resolution-mode': 'import' };
import { importEsm } from '../tools/esm';


/** Publish `count` messages: as fast as possible, or `perSecond` paced, reporting each send time. */
interface PublishOrder { messages: Array<{ topic: string; payload: string }>; count: number; perSecond?: number }

/** Epoch milliseconds with sub-millisecond precision, comparable across processes. */
const epochNow = () => performance.timeOrigin + performance.now();
/** Report this process's CPU time so far (µs): what the broker and the simulated platform spent. */
interface CpuOrder { cpu: true }
/** Answer IOTOS uplinks of this gateway/device like the platform: one result per data point. */
interface PlatformOrder { iotosPlatform: { gatewayId: number; deviceId: number } }
/** Answer EZtCloud command_send of this project like its devices. */
interface EztcloudOrder { eztcloudPlatform: { projectKey: string } }
/** Answer Jointech command frames of this accessKey like the devices (BASE1 version reply). */
interface JointechOrder { jointechDevices: { accessKey: string } }

function answerCommands(client: mqtt.MqttClient, order: EztcloudOrder): void {
  const pk = order.eztcloudPlatform.projectKey;
  client.on('message', (t, body) => {
    const m = /^open\/([^/]+)\/([^/]+)\/command_send$/.exec(t);
    if (!m || m[1] !== pk) return;
    const cmd = JSON.parse(body.toString()) as { method: string; params: unknown; id: number };
    client.publish(`open/${pk}/${m[2]}/command_reply`, JSON.stringify({ method: cmd.method, params: cmd.params, id: cmd.id }), { qos: 1 });
  });
  client.subscribe(`open/${pk}/+/command_send`, { qos: 1 });
}

function answerFrames(client: mqtt.MqttClient, order: JointechOrder): void {
  const ak = order.jointechDevices.accessKey;
  client.on('message', (t, body) => {
    const m = /^download\/([^/]+)\/([^/]+)\/cmd$/.exec(t);
    if (!m || m[1] !== ak) return;
    const [id, , serial, word, index] = body.toString().replace(/^\(|\)$/g, '').split(',');
    client.publish(`upload/${ak}/${m[2]}/cmd`, JSON.stringify({
      assetId: m[2], commandType: `${word}${index}`, content: JSON.stringify([id, '8', serial, word, index, 'FW-1.0', '0', 'Jointech']), dateTime: new Date().toISOString(),
    }), { qos: 1 });
  });
  client.subscribe(`download/${ak}/+/cmd`, { qos: 1 });
}

function answerUplinks(client: mqtt.MqttClient, order: PlatformOrder): void {
  const topic = `$IOTOS/device/platform/update/${order.iotosPlatform.gatewayId}/${order.iotosPlatform.deviceId}`;
  client.on('message', (t, body) => {
    if (t !== topic) return;
    const up = JSON.parse(body.toString()) as { requestId: string; requestTime: number; data: Record<string, { id: number }> };
    for (const point of Object.values(up.data)) {
      client.publish(`${topic}/${point.id}/result`, JSON.stringify({
        ...point, requestId: up.requestId, requestTime: up.requestTime, responseId: up.requestId, responseTime: Date.now(), responseCode: 0, responseDesc: 'OK',
      }), { qos: 1 });
    }
  });
  client.subscribe(topic, { qos: 1 }, () => process.send!({ platformReady: true }));
}

/**
 * A stand-in for Aliyun's AMQP server-side subscription (plain AMQP 1.0 on loopback, any login):
 * pushes `count` messages to whichever receiver is attached, as fast as credit allows or paced.
 */
interface AmqpOrder { amqpPush: { messages: Array<{ topic: string; payload: string }>; count: number; perSecond?: number } }

let amqpSender: Sender | undefined;

async function startAmqpPeer(): Promise<number> {
  const container = rhea.create_container({ id: 'bench-amqp-peer' });
  (container.sasl_server_mechanisms as { enable_plain(cb: () => boolean): void }).enable_plain(() => true);
  container.on('sender_open', (ctx) => { amqpSender = ctx.sender; });
  container.on('error', () => undefined);
  const server = container.listen({ port: 0, host: '127.0.0.1' }) as unknown as net.Server;
  await new Promise<void>((r) => (server.listening ? r() : server.once('listening', () => r())));
  return (server.address() as net.AddressInfo).port;
}

function pushAmqp(order: AmqpOrder): void {
  const { messages, count, perSecond } = order.amqpPush;
  const sender = amqpSender;
  if (!sender) throw new Error('no AMQP receiver attached');
  const sentAt: number[] = [];
  let i = 0;
  const one = () => {
    const m = messages[i % messages.length]!;
    if (perSecond) sentAt.push(performance.timeOrigin + performance.now());
    sender.send({ body: rhea.message.data_section(Buffer.from(m.payload)), application_properties: { topic: m.topic, messageId: `b${i}` } });
    i++;
  };
  if (perSecond) {
    const t0 = performance.now();
    const paced = () => {
      const due = Math.min(count, Math.floor((performance.now() - t0) / (1000 / perSecond)) + 1);
      while (i < due && sender.sendable()) one();
      if (i < count) setTimeout(paced, 0.5);
      else process.send!({ published: count, sentAt });
    };
    paced();
    return;
  }
  const burst = () => {
    while (i < count && sender.sendable()) one();
    if (i < count) setImmediate(burst);
    else process.send!({ published: count });
  };
  burst();
}

async function main(): Promise<void> {
  const external = process.env.MQTT_URL;
  let url = external;
  if (!url) {
    const { Aedes: AedesClass } = await importEsm<{ Aedes: typeof Aedes }>('aedes');
    const aedes = await AedesClass.createBroker({ heartbeatInterval: 3_600_000 });
    // Brokers in production set TCP_NODELAY (Mosquitto does); Aedes leaves it to the caller.
    const server = net.createServer((socket) => {
      socket.setNoDelay(true);
      aedes.handle(socket);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    url = `mqtt://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  }
  const pub = await mqtt.connectAsync(url, { clientId: `bench-pub-${process.pid}` });
  (pub.stream as net.Socket).setNoDelay(true);
  const amqpPort = await startAmqpPeer();
  process.send!({ url, amqpPort });
  process.on('message', (order: PublishOrder | PlatformOrder | EztcloudOrder | JointechOrder | AmqpOrder | CpuOrder) => {
    if ('cpu' in order) {
      const { user, system } = process.cpuUsage();
      process.send!({ cpuUs: user + system });
      return;
    }
    if ('amqpPush' in order) {
      pushAmqp(order);
      return;
    }
    if ('iotosPlatform' in order) {
      answerUplinks(pub, order);
      return;
    }
    if ('eztcloudPlatform' in order) {
      answerCommands(pub, order);
      return;
    }
    if ('jointechDevices' in order) {
      answerFrames(pub, order);
      return;
    }
    if (order.perSecond) {
      const sentAt: number[] = [];
      const every = 1000 / order.perSecond;
      const t0 = performance.now();
      let i = 0;
      const paced = () => {
        // Catch up to where the schedule says we should be, then wait for the next slot.
        const due = Math.min(order.count, Math.floor((performance.now() - t0) / every) + 1);
        for (; i < due; i++) {
          const m = order.messages[i % order.messages.length]!;
          sentAt.push(epochNow());
          pub.publish(m.topic, m.payload, { qos: 0 });
        }
        if (i < order.count) setTimeout(paced, Math.max(0, every - 0.5));
        else process.send!({ published: order.count, sentAt });
      };
      paced();
      return;
    }
    let i = 0;
    const step = () => {
      // Publish in slices so the socket can drain between them.
      const end = Math.min(order.count, i + 500);
      for (; i < end; i++) {
        const m = order.messages[i % order.messages.length]!;
        pub.publish(m.topic, m.payload, { qos: 0 });
      }
      if (i < order.count) setImmediate(step);
      else process.send!({ published: order.count });
    };
    step();
  });
}

void main();
