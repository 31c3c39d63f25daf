/**
 * A real AMQP 1.0 peer on loopback that plays the Aliyun server-side subscription: TLS, SASL
 * PLAIN with the platform's signed user name (checked and the signature recomputed here, with
 * node:crypto), one receiver link per connection, redelivery of whatever was not accepted.
 */
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import rhea = require('rhea');
import type { Connection, Delivery, Sender } from 'rhea';
import { freePort } from '../../tools/broker';
import { makeCertificates } from '../../tools/secure-broker';

export interface PeerAccount {
  authMode: 'aksign' | 'appkey';
  keyId: string;
  secret: string;
  instanceId?: string;
  consumerGroupId: string;
}

export interface LoginAttempt {
  clientId: string;
  params: Record<string, string>;
  ok: boolean;
  reason?: string;
}

export interface AmqpPeer {
  port: number;
  caFile: string;
  logins: LoginAttempt[];
  /** idle-time-out each client asked for in its Open frame (ms). */
  idleTimeouts: number[];
  /** Receiver links the clients opened (the platform allows one per connection). */
  links: number;
  accepted: string[];
  /** Sends a message to the subscriber now (or when one attaches); resolves its id. */
  push(topic: string, body: string | Buffer, props?: Record<string, unknown>): string;
  /** Ids pushed and not accepted yet. */
  unaccepted(): string[];
  /** Cuts every connection, as a platform restart would. */
  dropAll(): void;
  close(): Promise<void>;
}

/** Checks a SASL PLAIN login the way the platform does; returns why it fails, or undefined. */
function checkLogin(account: PeerAccount, username: string, password: string): LoginAttempt {
  const m = /^([^|]+)\|(.*)\|$/.exec(username);
  if (!m) return { clientId: '', params: {}, ok: false, reason: 'user name is not clientId|params|' };
  const params = Object.fromEntries(m[2]!.split(',').map((kv) => kv.split('=') as [string, string]));
  const base = { clientId: m[1]!, params };
  const ts = Number(account.authMode === 'aksign' ? params.timestamp : params.random);
  if (!Number.isFinite(ts) || Math.abs(Date.now() - ts) > 5 * 60_000) return { ...base, ok: false, reason: 'timestamp missing or off by more than 5 minutes' };
  let expected: string;
  if (account.authMode === 'aksign') {
    if (params.authMode !== 'aksign' || params.signMethod !== 'hmacsha1') return { ...base, ok: false, reason: 'authMode/signMethod' };
    if (params.authId !== account.keyId) return { ...base, ok: false, reason: 'authId' };
    if ((params.iotInstanceId ?? '') !== (account.instanceId ?? '') || params.consumerGroupId !== account.consumerGroupId) return { ...base, ok: false, reason: 'instance or group' };
    expected = createHmac('sha1', account.secret).update(`authId=${account.keyId}&timestamp=${params.timestamp}`).digest('base64');
  } else {
    if (params.authMode !== 'appkey' || params.signMethod !== 'SHA256') return { ...base, ok: false, reason: 'authMode/signMethod' };
    if (params.appKey !== account.keyId || params.groupId !== account.consumerGroupId) return { ...base, ok: false, reason: 'appKey or group' };
    expected = createHmac('sha256', account.secret).update(`random=${params.random}`).digest('base64');
  }
  return password === expected ? { ...base, ok: true } : { ...base, ok: false, reason: 'signature' };
}

export async function startAmqpPeer(account: PeerAccount, opts: { tls?: boolean } = {}): Promise<AmqpPeer> {
  const useTls = opts.tls ?? true;
  const dir = mkdtempSync(join(tmpdir(), 'cniot-amqp-'));
  const { key, cert, caFile } = makeCertificates(dir);
  const port = await freePort();
  const container = rhea.create_container({ id: 'aliyun-amqp-test-peer' });
  const logins: LoginAttempt[] = [];
  const idleTimeouts: number[] = [];
  const accepted: string[] = [];
  const queue = new Map<string, { topic: string; body: Buffer; props: Record<string, unknown> }>();
  const inFlight = new Map<Delivery, string>();
  const senders = new Set<Sender>();
  const sockets = new Set<net.Socket>();
  let links = 0;
  let seq = 0;

  (container.sasl_server_mechanisms as { enable_plain(cb: (u: string, p: string) => boolean): void })
    .enable_plain((username, password) => {
      const attempt = checkLogin(account, username, password);
      logins.push(attempt);
      return attempt.ok;
    });

  const sendTo = (sender: Sender, id: string) => {
    const m = queue.get(id)!;
    const delivery = sender.send({
      message_id: id,
      body: rhea.message.data_section(m.body),
      application_properties: { topic: m.topic, messageId: id, generateTime: Date.now(), ...m.props },
    });
    inFlight.set(delivery, id);
  };

  container.on('connection_open', (ctx) => {
    const remote = (ctx.connection as unknown as { remote: { open?: { idle_time_out?: number } } }).remote;
    idleTimeouts.push(Number(remote.open?.idle_time_out ?? 0));
  });
  container.on('sender_open', (ctx) => {
    links++;
    const sender = ctx.sender!;
    senders.add(sender);
    // Whatever is still unaccepted goes to the new subscriber, as the platform redelivers.
    for (const id of queue.keys()) if (![...inFlight.values()].includes(id)) sendTo(sender, id);
  });
  container.on('accepted', (ctx) => {
    const id = inFlight.get(ctx.delivery!);
    if (id === undefined) return;
    inFlight.delete(ctx.delivery!);
    queue.delete(id);
    accepted.push(id);
  });
  const forget = (conn: Connection) => {
    for (const s of [...senders]) if (s.connection === conn) senders.delete(s);
    for (const d of [...inFlight.keys()]) if ((d as unknown as { link: Sender }).link.connection === conn) inFlight.delete(d);
  };
  container.on('disconnected', (ctx) => forget(ctx.connection));
  container.on('connection_close', (ctx) => forget(ctx.connection));
  container.on('error', () => undefined);

  const server = container.listen(useTls ? { port, host: '127.0.0.1', transport: 'tls', key, cert } : { port, host: '127.0.0.1' }) as unknown as net.Server;
  server.on(useTls ? 'secureConnection' : 'connection', (s: net.Socket) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  await new Promise<void>((resolve) => (server.listening ? resolve() : server.once('listening', () => resolve())));

  return {
    port,
    caFile,
    logins,
    idleTimeouts,
    get links() { return links; },
    accepted,
    push(topic, body, props = {}) {
      const id = `m${++seq}`;
      queue.set(id, { topic, body: Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8'), props });
      const sender = [...senders].find((s) => s.is_open());
      if (sender) sendTo(sender, id);
      return id;
    },
    unaccepted: () => [...queue.keys()],
    dropAll() {
      // What was in flight on the cut links is unaccepted and goes out again on the next one.
      senders.clear();
      inFlight.clear();
      for (const s of sockets) s.destroy();
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
