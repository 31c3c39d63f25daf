/**
 * A POST endpoint on Node-RED's own HTTP server (RED.httpNode) for platforms that push by webhook.
 * Each request is checked in this order, each refusal answered with a JSON body
 * `{Result, error, code}`: the shared-secret header (constant time), the rate limit, the content
 * type and charset, the declared length, then the body is read against a size limit and a read
 * deadline and decoded from its charset. The route is removed when the node closes.
 *
 * Under Node-RED's default settings the admin app is mounted at `/`, in front of RED.httpNode, and
 * its JSON and form parsers would read (and parse) every body first. A `request` listener on the
 * server marks requests for our paths as already parsed (`req._body`, the flag body-parser and
 * core's http-in honour), so the body stream reaches our route untouched.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { parse as parseUrl } from 'node:url';
import type { NodeAPI } from 'node-red';

export interface WebhookRequest {
  body: Buffer;
  /** The body decoded from its declared charset (UTF-8 when none), without a byte order mark. */
  text: string;
  path: string;
  headers: IncomingMessage['headers'];
}

export interface WebhookReply {
  status: number;
  body: Record<string, unknown>;
}

/** A request answered before it reached `handle`. */
export interface WebhookRefusal {
  status: number;
  code: string;
  error: string;
}

export interface WebhookOptions {
  path: string;
  maxBytes: number;
  /** Requests accepted per second, with bursts of the same size; 0 for no limit. */
  maxPerSecond?: number;
  /** When set, requests must carry this header with this value (the console's "message header"). */
  header?: { name: string; value: string };
  /** Time allowed for the whole body to arrive, from the end of the headers (default 10 s). */
  readTimeoutMs?: number;
  handle(req: WebhookRequest): Promise<WebhookReply> | WebhookReply;
  onRefused?(refusal: WebhookRefusal): void;
}

export const DEFAULT_READ_TIMEOUT_MS = 10_000;

type Request = IncomingMessage & { body?: unknown; _body?: boolean };
type Handler = (req: Request, res: ServerResponse) => void;

export function sameSecret(a: string, b: string): boolean {
  // Hashing first gives equal lengths, so the comparison time does not depend on the secret.
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}

/** A header value as error texts quote it: short, so that a hostile value cannot fill the log. */
const quoted = (value: string) => JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);

const JSON_TYPES = /^(application\/(json|[\w.+-]+\+json)|text\/(json|plain))\s*(;|$)/i;
const CHARSET = /;\s*charset\s*=\s*"?([^";\s]+)"?/i;

/** How long a refused connection keeps discarding what the client still sends before it is cut. */
const LINGER_MS = 2000;

/**
 * Closes the connection once the answer is written, without reading the rest of the body. Node
 * would destroy the socket right away; with request bytes still unread the kernel then sends a
 * reset, which can make the client lose the answer. So our side is ended first and whatever still
 * arrives is discarded for a moment ("lingering close", as web servers do).
 */
function closeAfterAnswer(res: ServerResponse): void {
  res.setHeader('Connection', 'close');
  const socket = res.socket;
  if (!socket) return;
  socket.destroySoon = () => {
    socket.end();
    const timer = setTimeout(() => socket.destroy(), LINGER_MS);
    timer.unref();
    socket.once('close', () => clearTimeout(timer));
  };
}

function send(res: ServerResponse, status: number, body: Record<string, unknown>, close = false): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  if (close) closeAfterAnswer(res);
  res.end(text);
}

const decoders = new Map<string, TextDecoder | null>();

/**
 * The decoder for a declared charset, or null when this Node.js does not know it (GBK, GB2312
 * and GB18030 need Node's full ICU, the default build). UTF-8 keeps replacing bad bytes, as
 * before; every other charset must decode cleanly.
 */
function decoderFor(charset: string | undefined): TextDecoder | null {
  const label = (charset ?? 'utf-8').toLowerCase();
  let decoder = decoders.get(label);
  if (decoder === undefined) {
    try {
      const probe = new TextDecoder(label);
      decoder = probe.encoding === 'utf-8' ? probe : new TextDecoder(label, { fatal: true });
    } catch {
      decoder = null;
    }
    decoders.set(label, decoder);
  }
  return decoder;
}

type BodyResult = Buffer | 'too-large' | 'timeout';

/** Reads the request body, refusing more than `max` bytes or a body still arriving after `timeoutMs`. */
function readBody(req: Request, max: number, timeoutMs: number): Promise<BodyResult> {
  // A middleware that ignored the `_body` mark may already have read the body.
  if (Buffer.isBuffer(req.body)) return Promise.resolve(req.body.length > max ? 'too-large' : req.body);
  if (typeof req.body === 'string') return Promise.resolve(Buffer.from(req.body));
  if (req.body && typeof req.body === 'object' && req.readableEnded) return Promise.resolve(Buffer.from(JSON.stringify(req.body)));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = (result: BodyResult | Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.off('data', onData);
      if (result instanceof Error) reject(result);
      else resolve(result);
    };
    const timer = setTimeout(() => finish('timeout'), timeoutMs);
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) finish('too-large');
      else chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => finish(Buffer.concat(chunks)));
    req.once('error', (err) => finish(err));
  });
}

interface Layer { route?: { path: string; methods: Record<string, boolean>; stack: Array<{ handle: unknown }> } }

interface ExpressLike {
  post(path: string, handler: Handler): void;
  _router?: { stack: Layer[] };
  router?: { stack: Layer[] };
}

/** A token bucket: `rate` requests a second on average, at most `rate` at once. */
export class RateLimiter {
  private tokens: number;
  private last: number;

  constructor(private readonly rate: number, private readonly now: () => number = Date.now) {
    this.tokens = rate;
    this.last = now();
  }

  take(): boolean {
    const t = this.now();
    this.tokens = Math.min(this.rate, this.tokens + ((t - this.last) / 1000) * this.rate);
    this.last = t;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/**
 * The path Express routes a request target by, the way its `parseurl` reads it: a plain path up
 * to `?`, anything else (an absolute URL, a fragment, white space) through node:url's parse. A
 * different reading would let such a request reach our route with its body parsed by the admin app.
 */
function routedPath(url: string): string {
  if (url.startsWith('/') && !/[\t\n\f\r #\u00a0\ufeff]/.test(url)) {
    const q = url.indexOf('?');
    return q < 0 ? url : url.slice(0, q);
  }
  return parseUrl(url).pathname ?? '';
}

/** Paths as Express matches a route by default: case-insensitive, one trailing slash optional. */
function routeKey(pathname: string): string {
  return (pathname.length > 1 ? pathname.replace(/\/$/, '') : pathname).toLowerCase();
}

interface Gate {
  listener: (req: Request) => void;
  paths: Map<string, number>;
}

const gates = new WeakMap<Server, Gate>();

/**
 * Marks POSTs to `fullPath` on `server` as parsed before any Express app sees them, so the admin
 * app's parsers leave the body to us; the returned function takes the mark away again.
 */
function keepBodyFor(server: Server, fullPath: string): () => void {
  let gate = gates.get(server);
  if (!gate) {
    const paths = new Map<string, number>();
    const listener = (req: Request) => {
      if (req.method !== 'POST' || !req.url) return;
      if (paths.has(routeKey(routedPath(req.url)))) req._body = true;
    };
    gate = { listener, paths };
    gates.set(server, gate);
    // First, so that the mark is set before the Express app's own listener runs.
    server.prependListener('request', listener);
  }
  const key = routeKey(fullPath);
  const { paths, listener } = gate;
  paths.set(key, (paths.get(key) ?? 0) + 1);
  return () => {
    const n = (paths.get(key) ?? 1) - 1;
    if (n > 0) paths.set(key, n);
    else paths.delete(key);
    if (paths.size === 0) {
      server.removeListener('request', listener);
      gates.delete(server);
    }
  };
}

/** A root setting as a path prefix without its trailing slash ('' for `/`), or undefined when off. */
function rootPrefix(root: unknown): string | undefined {
  if (root === false) return undefined;
  const base = typeof root === 'string' ? root.replace(/\/+$/, '') : '';
  return base === '' || base.startsWith('/') ? base : `/${base}`;
}

/** The URL path under which Node-RED serves RED.httpNode's `path`. */
function servedPath(RED: NodeAPI, path: string): string {
  return `${rootPrefix((RED.settings as { httpNodeRoot?: unknown }).httpNodeRoot) ?? ''}${path}`;
}

/** First path levels under which the editor, its admin API and core nodes take POSTs. */
const ADMIN_POST_LEVELS = new Set(['auth', 'flows', 'flow', 'nodes', 'library', 'settings', 'projects', 'inject', 'debug', 'context', 'plugins', 'credentials']);

/**
 * Says why the admin app (under httpAdminRoot, in front of the nodes' routes) takes POSTs to
 * `path` itself, or undefined. Such a path is not kept from the admin parsers, so that a webhook
 * cannot take the editor's own deploy requests away from it.
 */
export function adminPathClash(RED: NodeAPI, path: string): string | undefined {
  const admin = rootPrefix((RED.settings as { httpAdminRoot?: unknown }).httpAdminRoot);
  const served = routeKey(servedPath(RED, path));
  if (admin === undefined || !served.startsWith(`${admin.toLowerCase()}/`)) return undefined;
  const level = served.slice(admin.length + 1).split('/')[0]!;
  return ADMIN_POST_LEVELS.has(level) ? `POST ${served} is also Node-RED's admin path /${level}` : undefined;
}

/** Mounts the endpoint; the returned function removes it again. */
export function mountWebhook(RED: NodeAPI, opts: WebhookOptions): () => void {
  const app = RED.httpNode as unknown as ExpressLike;
  const limiter = opts.maxPerSecond ? new RateLimiter(opts.maxPerSecond) : undefined;
  const readTimeoutMs = opts.readTimeoutMs ?? DEFAULT_READ_TIMEOUT_MS;
  let closed = false;

  /** Answers with an error; `close` ends the connection rather than reading what is left of the body. */
  const refuse = (res: ServerResponse, status: number, code: string, error: string, close: boolean) => {
    send(res, status, { Result: status, error, code }, close);
    opts.onRefused?.({ status, code, error });
  };

  const handler: Handler = (req, res) => {
    void (async () => {
      try {
        // The secret first: requests without it cost no rate-limit token and no body read.
        if (opts.header) {
          const got = req.headers[opts.header.name.toLowerCase()];
          const value = Array.isArray(got) ? got[0] : got;
          if (typeof value !== 'string' || !sameSecret(value, opts.header.value)) {
            refuse(res, 401, 'unauthorized', `missing or wrong ${opts.header.name} header`, true);
            return;
          }
        }
        if (limiter && !limiter.take()) {
          res.setHeader('Retry-After', '1');
          refuse(res, 429, 'rate-limited', `more than ${opts.maxPerSecond} requests a second`, true);
          return;
        }
        const type = req.headers['content-type'];
        if (type && !JSON_TYPES.test(type)) {
          refuse(res, 415, 'unsupported-type', `content type ${quoted(type)} is not JSON`, true);
          return;
        }
        const charset = type ? CHARSET.exec(type)?.[1] : undefined;
        const decoder = decoderFor(charset);
        if (!decoder) {
          refuse(res, 415, 'unsupported-charset', `charset ${quoted(charset ?? '')} is not supported`, true);
          return;
        }
        const declared = Number(req.headers['content-length']);
        if (Number.isFinite(declared) && declared > opts.maxBytes) {
          refuse(res, 413, 'too-large', `body larger than ${opts.maxBytes} bytes`, true);
          return;
        }
        const body = await readBody(req, opts.maxBytes, readTimeoutMs);
        if (body === 'too-large') {
          refuse(res, 413, 'too-large', `body larger than ${opts.maxBytes} bytes`, true);
          return;
        }
        if (body === 'timeout') {
          refuse(res, 408, 'read-timeout', `body not received within ${readTimeoutMs / 1000} s`, true);
          return;
        }
        if (closed) {
          // The node closed (a redeploy) while the body arrived: a 200 would drop a push the platform will not resend.
          res.setHeader('Retry-After', '1');
          refuse(res, 503, 'closed', 'the webhook closed while the body arrived (redeploy); send again', true);
          return;
        }
        let text: string;
        try {
          // TextDecoder drops a leading byte order mark, which JSON.parse would refuse.
          text = decoder.decode(body);
        } catch {
          refuse(res, 400, 'bad-encoding', `body is not valid ${decoder.encoding}`, false);
          return;
        }
        const reply = await opts.handle({ body, text, path: opts.path, headers: req.headers });
        send(res, reply.status, reply.body);
      } catch (err) {
        refuse(res, 500, 'internal', (err as Error).message, true);
      }
    })();
  };
  app.post(opts.path, handler);
  const server = (RED as { server?: unknown }).server;
  const release = server && typeof (server as Server).prependListener === 'function' && !adminPathClash(RED, opts.path)
    ? keepBodyFor(server as Server, servedPath(RED, opts.path))
    : undefined;
  return () => {
    closed = true;
    release?.();
    // Express 4 keeps routes in _router.stack (express 5: router.stack); drop only our own.
    const stack = app._router?.stack ?? app.router?.stack;
    if (!stack) return;
    for (let i = stack.length - 1; i >= 0; i--) {
      const route = stack[i]?.route;
      if (route && route.path === opts.path && route.methods.post && route.stack.some((l) => l.handle === handler)) {
        stack.splice(i, 1);
      }
    }
  };
}
