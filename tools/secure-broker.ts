/**
 * An Aedes broker on a TLS listener (mqtts) and a secure WebSocket listener (wss, path /mqtt),
 * with a certificate signed by a CA generated for the test run by openssl.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import type net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { WebSocketServer, createWebSocketStream } from 'ws';
import { createAedes } from './broker';

export interface SecureBroker {
  mqttsUrl: string;
  wssUrl: string;
  /** Path of the test CA's certificate (PEM), for a tls-config node or a client's `ca`. */
  caFile: string;
  ca: Buffer;
  close(): Promise<void>;
}

export function makeCertificates(dir: string): { key: Buffer; cert: Buffer; caFile: string } {
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=cniot test CA');
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost');
  writeFileSync(join(dir, 'ext.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n');
  openssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '2', '-extfile', 'ext.cnf');
  return { key: readFileSync(join(dir, 'server.key')), cert: readFileSync(join(dir, 'server.pem')), caFile: join(dir, 'ca.pem') };
}

export async function startSecureBroker(auth: { username: string; password: string }): Promise<SecureBroker> {
  const dir = mkdtempSync(join(tmpdir(), 'cniot-tls-'));
  const { key, cert, caFile } = makeCertificates(dir);
  const aedes = await createAedes(auth);
  const sockets = new Set<net.Socket>();
  const track = (s: net.Socket) => { sockets.add(s); s.on('close', () => sockets.delete(s)); };
  const tlsServer = tls.createServer({ key, cert }, (socket) => { track(socket); aedes.handle(socket); });
  const httpsServer = https.createServer({ key, cert });
  httpsServer.on('connection', track);
  const wss = new WebSocketServer({ server: httpsServer, path: '/mqtt' });
  wss.on('connection', (ws) => aedes.handle(createWebSocketStream(ws) as unknown as net.Socket));
  const listen = (server: net.Server) => new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port)));
  const mqttsPort = await listen(tlsServer);
  const wssPort = await listen(httpsServer);
  return {
    mqttsUrl: `mqtts://127.0.0.1:${mqttsPort}`,
    wssUrl: `wss://127.0.0.1:${wssPort}/mqtt`,
    caFile,
    ca: readFileSync(caFile),
    async close() {
      for (const s of sockets) s.destroy();
      wss.close();
      await Promise.all([tlsServer, httpsServer].map((s) => new Promise<void>((r) => s.close(() => r()))));
      await new Promise<void>((r) => aedes.close(() => r()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
