/**
 * The bench's vehicles, in a child process: `connections` TCP connections that log in, then send
 * realtime frames as fast as the sockets take them (flood), or at a steady rate with the send time
 * in a user-defined block (paced, for latency). Frames are built with the package's encoder.
 */
import { writeFileSync } from 'node:fs';
import net from 'node:net';
import { encodeFrame } from '../src/protocols/gb32960/codec';
import { beijingIso } from '../src/protocols/gb32960/replies';
import { realtimeData, vinOf } from '../tools/gb32960-vehicle';

type Order =
  | { connect: { port: number; connections: number } }
  | { flood: { frames: number; written?: string } }
  | { paced: { frames: number; perSecond: number } }
  | { close: true };

let sockets: net.Socket[] = [];

/** A realtime frame of vehicle `i` whose 0x80 block holds the send time (epoch ms, float64). */
function frame(i: number, sentAt = 0): Buffer {
  const stamp = Buffer.alloc(8);
  stamp.writeDoubleBE(sentAt);
  const time = beijingIso(Date.now());
  return encodeFrame({ command: 2, vin: vinOf(i, 'LBEN'), data: { ...realtimeData(time, i), custom: [{ type: 0x80, data: stamp }], order: [1, 5, 0x80] } });
}

const now = () => performance.timeOrigin + performance.now();

async function connect(port: number, connections: number): Promise<void> {
  sockets = [];
  for (let i = 0; i < connections; i++) {
    const s = await new Promise<net.Socket>((resolve, reject) => {
      const c = net.connect({ host: '127.0.0.1', port }, () => resolve(c));
      c.once('error', reject);
    });
    s.on('error', () => undefined);
    s.on('data', () => undefined); // replies are not the bench's business
    const login = encodeFrame({ command: 1, vin: vinOf(i, 'LBEN'), data: { time: beijingIso(Date.now()), serialNo: 1, iccid: '89860012345678901234', subsystemCount: 0, codeLength: 0, systemCodes: [] } });
    s.write(login);
    sockets.push(s);
  }
}

/** Each connection writes its share of `frames`, ten frames a write, waiting for drain when the socket asks. */
async function flood(frames: number): Promise<void> {
  const per = Math.ceil(frames / sockets.length);
  await Promise.all(sockets.map(async (s, i) => {
    const batch = Buffer.concat(Array.from({ length: 10 }, () => frame(i)));
    const n = Math.min(per, frames - i * per);
    let sent = 0;
    while (sent < n) {
      const k = Math.min(10, n - sent);
      const ok = s.write(k === 10 ? batch : batch.subarray(0, (batch.length / 10) * k));
      sent += k;
      if (!ok) await new Promise((r) => s.once('drain', r));
    }
  }));
}

async function paced(frames: number, perSecond: number): Promise<void> {
  const start = now();
  for (let k = 0; k < frames; k++) {
    const due = start + (k * 1000) / perSecond;
    const wait = due - now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    sockets[k % sockets.length]!.write(frame(k % sockets.length, now()));
  }
}

process.on('message', (order: Order) => {
  void (async () => {
    if ('connect' in order) await connect(order.connect.port, order.connect.connections);
    else if ('flood' in order) {
      await flood(order.flood.frames);
      // Every frame is with the kernel: tells a receiver that is not reading meanwhile (see gb32960-server.ts).
      if (order.flood.written) writeFileSync(order.flood.written, '');
    }
    else if ('paced' in order) await paced(order.paced.frames, order.paced.perSecond);
    else {
      for (const s of sockets) s.destroy();
      sockets = [];
    }
    process.send!({ done: true });
  })();
});
