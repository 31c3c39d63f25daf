/**
 * gb32960-server (config node): a GB/T 32960 platform endpoint that vehicles connect to over TCP
 * or TLS. It listens from deploy to redeploy, answers vehicles itself, and hands decoded frames,
 * session events and problems to the gb32960-in and gb32960-command nodes that use it.
 */
import type { Node, NodeAPI, NodeDef, NodeStatus } from 'node-red';
import type tls from 'node:tls';
import { z } from 'zod';
import { describe, english, say } from '../../lib/log-text';
import { registerNode } from '../../lib/red';
import { describeIssues } from '../../protocols/protocol-error';
import { MAX_FRAME_BYTES } from '../../protocols/gb32960/stream';
import { Gb32960Platform, vinList } from './platform';
import type { Gb32960ServerNode, ServerListener } from './types';

const ServerConfig = z.object({
  host: z.string().trim().default(''),
  port: z.coerce.number().int().min(0).max(65535).default(32960),
  tls: z.string().optional(),
  clientCerts: z.boolean().default(false),
  vinCheck: z.enum(['any', 'list', 'global']).default('any'),
  vins: z.string().default(''),
  vinContextKey: z.string().trim().min(1).default('gb32960AllowedVins'),
  realtimeReplies: z.enum(['errors', 'all', 'none']).default('errors'),
  replyTime: z.enum(['request', 'platform', 'echo']).default('request'),
  duplicateLogin: z.enum(['replace', 'refuse']).default('replace'),
  idleTimeout: z.coerce.number().min(0.05).max(86400).default(180),
  maxConnections: z.coerce.number().int().min(1).max(1_000_000).default(10000),
  maxFrameBytes: z.coerce.number().int().min(25).max(MAX_FRAME_BYTES).default(MAX_FRAME_BYTES),
});


type Def = NodeDef & Record<string, unknown>;

interface TlsConfigNode extends Node {
  addTLSOptions(opts: Record<string, unknown>): void;
}

/** A global-context allow-list: an array of VINs, a Set, or an object whose truthy keys are VINs. */
function inContextList(value: unknown, vin: string): boolean {
  if (Array.isArray(value)) return value.includes(vin);
  if (value instanceof Set) return value.has(vin);
  if (value && typeof value === 'object') return !!(value as Record<string, unknown>)[vin];
  return false;
}

/** How long Node-RED waits for a node to close; the port is released well inside it. */
const CLOSE_WAIT_MS = 5000;
const STATUS_EVERY_MS = 250;

function init(RED: NodeAPI): void {
  function Gb32960Server(this: Gb32960ServerNode, def: Def) {
    RED.nodes.createNode(this, def);
    const node = this;
    const users = new Map<string, ServerListener>();
    let status: NodeStatus = { fill: 'yellow', shape: 'ring', text: 'starting' };
    node.register = (id, listener) => {
      users.set(id, listener);
      listener.status(status);
    };
    node.deregister = (id) => { users.delete(id); };

    const parsed = ServerConfig.safeParse(def);
    if (!parsed.success) {
      const issues = describeIssues(parsed.error);
      node.error(say(RED, 'invalidConfig', { issues }));
      status = { fill: 'red', shape: 'ring', text: `invalid configuration: ${issues}` };
      return;
    }
    const cfg = parsed.data;

    let tlsOptions: tls.TlsOptions | undefined;
    if (cfg.tls) {
      const tlsNode = RED.nodes.getNode(cfg.tls) as TlsConfigNode | null;
      const opts: Record<string, unknown> = {};
      if (tlsNode && typeof tlsNode.addTLSOptions === 'function') tlsNode.addTLSOptions(opts);
      else node.warn(say(RED, 'serverTlsMissing'));
      if (!opts.cert && !opts.pfx) {
        status = { fill: 'red', shape: 'ring', text: 'TLS needs a certificate and key' };
        node.error(say(RED, 'serverTlsNoKey'));
        return;
      }
      // Client certificates are asked for only when the dialog says so: most vehicles have none.
      tlsOptions = { ...opts, requestCert: cfg.clientCerts, rejectUnauthorized: cfg.clientCerts };
      delete (tlsOptions as Record<string, unknown>).servername;
    }

    const fixedVins = new Set(vinList(cfg.vins));
    const vinAllowed = cfg.vinCheck === 'list'
      ? (vin: string) => fixedVins.has(vin)
      : cfg.vinCheck === 'global'
        ? (vin: string) => inContextList(node.context().global.get(cfg.vinContextKey), vin)
        : undefined;

    const platform = new Gb32960Platform({
      host: cfg.host || '0.0.0.0', port: cfg.port, ...(tlsOptions ? { tls: tlsOptions } : {}), ...(vinAllowed ? { vinAllowed } : {}),
      realtimeReplies: cfg.realtimeReplies, replyTime: cfg.replyTime, duplicateLogin: cfg.duplicateLogin,
      idleTimeoutMs: cfg.idleTimeout * 1000, maxConnections: cfg.maxConnections, maxFrameBytes: cfg.maxFrameBytes,
    });
    node.platform = platform;
    const where = () => `${tlsOptions ? 'tls' : 'tcp'} :${platform.port || cfg.port}`;

    function setStatus(s: NodeStatus): void {
      status = s;
      for (const u of users.values()) u.status(s);
    }
    let statusTimer: NodeJS.Timeout | undefined;
    function countsChanged(): void {
      if (statusTimer || !platform.isListening) return;
      statusTimer = setTimeout(() => {
        statusTimer = undefined;
        if (!platform.isListening) return;
        const v = platform.vehicles;
        const c = platform.connections;
        setStatus({ fill: 'green', shape: v > 0 ? 'dot' : 'ring', text: `listening ${where()} · ${v} vehicle${v === 1 ? '' : 's'}${c !== v ? ` (${c} connections)` : ''}` });
      }, STATUS_EVERY_MS);
    }

    platform.on('listening', (port) => {
      node.log(say(RED, tlsOptions ? 'serverListeningTls' : 'serverListening', { address: `${cfg.host || '0.0.0.0'}:${port}` }));
      setStatus({ fill: 'green', shape: 'ring', text: `listening ${where()} · 0 vehicles` });
    });
    platform.on('failed', (err) => {
      const code = (err as NodeJS.ErrnoException).code;
      const key = code === 'EADDRINUSE' ? 'portInUse' : code === 'EACCES' ? 'portNoPermission' : undefined;
      const text = key ? english(key, { port: cfg.port }) : err.message;
      node.error(say(RED, 'serverCannotListen', { error: key ? say(RED, key, { port: cfg.port }) : text }));
      setStatus({ fill: 'red', shape: 'ring', text });
    });
    platform.on('counts', countsChanged);
    platform.on('frame', (f) => {
      for (const u of users.values()) u.frame?.(f);
    });
    platform.on('session', (event, session, detail) => {
      if (event === 'replaced') node.warn(say(RED, 'vinReplaced', { vin: String(session.vin), detail: String(detail), remote: session.remote }));
      for (const u of users.values()) u.session?.(event, session, detail);
    });
    platform.on('problem', (err, session, raw) => {
      let told = false;
      for (const u of users.values()) {
        if (u.problem) {
          u.problem(err, session, raw);
          told = true;
        }
      }
      // Nobody on a flow to tell: the log must still say it.
      if (!told) node.warn(describe(RED, err));
    });
    platform.on('late', (message) => node.warn(message));
    platform.listen();

    node.on('close', (_removed: boolean, done: () => void) => {
      clearTimeout(statusTimer);
      const timer = setTimeout(done, CLOSE_WAIT_MS);
      void platform.close().then(() => {
        clearTimeout(timer);
        setStatus({ fill: 'grey', shape: 'ring', text: 'closed' });
        done();
      });
    });
  }

  registerNode(RED, 'gb32960-server', Gb32960Server);
}

export = init;
