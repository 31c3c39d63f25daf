/**
 * Real MQTT brokers for tests. Without MQTT_URL: an Aedes broker in this process on a free port.
 * With MQTT_URL (CI sets the local Mosquitto): that broker for plain tests, and for tests that
 * must stop the broker or check passwords, a private Mosquitto process started from the same
 * binary on a free port.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Aedes } from 'aedes' with { 'resolution-mode': 'import' };
import { importEsm } from './esm';

export interface TestBroker {
  readonly url: string;
  readonly kind: 'aedes' | 'mosquitto' | 'external';
  /** Takes the broker off the network (clients see the connection drop); sessions survive. */
  stop(): Promise<void>;
  /** Brings it back on the same port. */
  start(): Promise<void>;
  close(): Promise<void>;
}

export interface BrokerOptions {
  /** The test stops and restarts the broker. */
  restartable?: boolean;
  /** Only this user name and password are accepted. */
  auth?: { username: string; password: string };
}

/** Listeners a private Mosquitto opens besides plain MQTT. */
export interface MosquittoListeners {
  /** A WebSocket listener (ws://127.0.0.1:<port>). */
  websockets?: boolean;
  /** An MQTT over TLS listener with a certificate from a CA generated for the run. */
  tls?: { key: string; cert: string; caFile: string };
}

export const externalUrl = process.env.MQTT_URL || undefined;

export function brokerLabel(): string {
  return externalUrl ? `Mosquitto (${externalUrl})` : 'Aedes (in-process)';
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => { s.destroy(); resolve(true); });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > until) throw new Error(`broker did not open port ${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}


/** An Aedes broker (no listener yet) that accepts only `auth` when given. */
export async function createAedes(auth?: BrokerOptions['auth']): Promise<Aedes> {
  const { Aedes: AedesClass } = await importEsm<{ Aedes: typeof Aedes }>('aedes');
  return AedesClass.createBroker({
    heartbeatInterval: 3_600_000,
    ...(auth ? {
      authenticate: (_client, username, password, done) => {
        const ok = username === auth.username && password?.toString() === auth.password;
        if (ok) return done(null, true);
        const err = Object.assign(new Error('bad credentials'), { returnCode: 5 as const });
        return done(err, false);
      },
    } : {}),
  });
}

export async function startAedes(opts: BrokerOptions = {}, port?: number): Promise<TestBroker & { aedes: Aedes; port: number }> {
  const aedes = await createAedes(opts.auth);
  const listenPort = port ?? await freePort();
  let server: net.Server | undefined;
  const sockets = new Set<net.Socket>();
  const start = () => new Promise<void>((resolve, reject) => {
    server = net.createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      aedes.handle(socket);
    });
    server.once('error', reject);
    server.listen(listenPort, '127.0.0.1', () => resolve());
  });
  const stop = () => new Promise<void>((resolve) => {
    for (const s of sockets) s.destroy();
    if (!server) return resolve();
    server.close(() => resolve());
    server = undefined;
  });
  await start();
  return {
    aedes,
    port: listenPort,
    url: `mqtt://127.0.0.1:${listenPort}`,
    kind: 'aedes',
    start,
    stop,
    close: async () => {
      await stop();
      await new Promise<void>((r) => aedes.close(() => r()));
    },
  };
}

/** A private Mosquitto process, which a test can also send signals (SIGSTOP: a broker that hangs). */
export interface MosquittoBroker extends TestBroker {
  signal(signal: NodeJS.Signals): void;
  /** Set when the WebSocket listener was asked for. */
  wsUrl?: string;
  /** Set when the TLS listener was asked for. */
  mqttsUrl?: string;
}

export async function startMosquittoBroker(opts: BrokerOptions & MosquittoListeners = {}): Promise<MosquittoBroker> {
  const dir = mkdtempSync(join(tmpdir(), 'cniot-mosq-'));
  // Started as root, mosquitto drops to its own user, which must still read and write here.
  chmodSync(dir, 0o777);
  const port = await freePort();
  // $SYS every second lets a test count connected clients; the deep queue keeps a burst whole.
  const lines = [`listener ${port} 127.0.0.1`, 'persistence true', `persistence_location ${dir}/`, 'log_dest none', 'sys_interval 1', 'max_queued_messages 1000000'];
  // per_listener_settings is off: the anonymous and password settings below hold for every listener.
  const wsPort = opts.websockets ? await freePort() : undefined;
  if (wsPort) lines.push(`listener ${wsPort} 127.0.0.1`, 'protocol websockets');
  const tlsPort = opts.tls ? await freePort() : undefined;
  if (opts.tls) lines.push(`listener ${tlsPort} 127.0.0.1`, `certfile ${opts.tls.cert}`, `keyfile ${opts.tls.key}`);
  if (opts.auth) {
    const pw = join(dir, 'passwd');
    writeFileSync(pw, '');
    execFileSync('mosquitto_passwd', ['-b', pw, opts.auth.username, opts.auth.password]);
    chmodSync(pw, 0o644);
    lines.push('allow_anonymous false', `password_file ${pw}`);
  } else {
    lines.push('allow_anonymous true');
  }
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(conf, lines.join('\n') + '\n');
  let proc: ChildProcess | undefined;
  const start = async () => {
    proc = spawn('mosquitto', ['-c', conf], { stdio: 'ignore' });
    await waitForPort(port);
    for (const p of [wsPort, tlsPort]) if (p) await waitForPort(p);
  };
  const stop = () => new Promise<void>((resolve) => {
    const p = proc;
    proc = undefined;
    if (!p || p.exitCode !== null) return resolve();
    p.once('exit', () => resolve());
    p.kill('SIGTERM');
  });
  await start();
  return {
    url: `mqtt://127.0.0.1:${port}`,
    ...(wsPort ? { wsUrl: `ws://127.0.0.1:${wsPort}` } : {}),
    ...(tlsPort ? { mqttsUrl: `mqtts://127.0.0.1:${tlsPort}` } : {}),
    kind: 'mosquitto',
    start,
    stop,
    close: async () => { proc?.kill('SIGCONT'); await stop(); rmSync(dir, { recursive: true, force: true }); },
    signal: (signal) => { proc?.kill(signal); },
  };
}

/** The broker a test should use, following MQTT_URL as described above. */
export async function startTestBroker(opts: BrokerOptions = {}): Promise<TestBroker> {
  if (!externalUrl) return startAedes(opts);
  if (opts.restartable || opts.auth) return startMosquittoBroker(opts);
  const fail = () => Promise.reject(new Error('the external broker cannot be stopped by a test'));
  return { url: externalUrl, kind: 'external', stop: fail, start: fail, close: () => Promise.resolve() };
}
