/**
 * Runs in a child process: an Aedes broker plus a publisher, so that publishing does not share an
 * event loop with the receiver being measured.
 */
import net from 'node:net';
import * as mqtt from 'mqtt';
import type { Aedes } from 'aedes' with { 'resolution-mode': 'import' };
import { importEsm } from '../test/support/esm';


interface PublishOrder { messages: Array<{ topic: string; payload: string }>; count: number }

async function main(): Promise<void> {
  const external = process.env.MQTT_URL;
  let url = external;
  if (!url) {
    const { Aedes: AedesClass } = await importEsm<{ Aedes: typeof Aedes }>('aedes');
    const aedes = await AedesClass.createBroker({ heartbeatInterval: 3_600_000 });
    const server = net.createServer(aedes.handle);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    url = `mqtt://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  }
  const pub = await mqtt.connectAsync(url, { clientId: `bench-pub-${process.pid}` });
  process.send!({ url });
  process.on('message', (order: PublishOrder) => {
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
