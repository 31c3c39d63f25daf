/**
 * A POST endpoint on Node-RED's own HTTP server (RED.httpNode) for platforms that push by webhook:
 * request rate limit, body size limit, optional shared-secret header checked in constant time,
 * JSON content types only, and removal of the route when the node closes.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NodeAPI } from 'node-red';

export interface WebhookRequest {
  body: Buffer;
  path: string;
  headers: IncomingMessage['headers'];
}

export interface WebhookReply {
  status: number;
  body: Record<string, unknown>;
}

export interface WebhookOptions {
  path: string;
  maxBytes: number;
  /** Requests accepted per second, with bursts of the same size; 0 for no limit. */
  maxPerSecond?: number;
  /** When set, requests must carry this header with this value (the console's "message header"). */
  header?: { name: string; value: string };
  handle(req: WebhookRequest): Promise<WebhookReply> | WebhookReply;
}

type Handler = (req: IncomingMessage & { body?: unknown }, res: ServerResponse & { status?: unknown }) => void;

export function sameSecret(a: string, b: string): boolean {
  // Hashing first gives equal lengths, so the comparison time does not depend on the secret.
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}

const JSON_TYPES = /^(application\/(json|[\w.+-]+\+json)|text\/(json|plain))\s*(;|$)/i;

function send(res: ServerResponse, status: number, body: Record<string, unknown>): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
}

/** Reads the request body, refusing more than `max` bytes. */
function readBody(req: IncomingMessage & { body?: unknown }, max: number): Promise<Buffer | 'too-large'> {
  // Another middleware may already have read the body.
  if (Buffer.isBuffer(req.body)) return Promise.resolve(req.body.length > max ? 'too-large' : req.body);
  if (typeof req.body === 'string') return Promise.resolve(Buffer.from(req.body));
  if (req.body && typeof req.body === 'object' && req.readableEnded) return Promise.resolve(Buffer.from(JSON.stringify(req.body)));
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > max) return Promise.resolve('too-large');
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > max) {
        done = true;
        resolve('too-large');
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => { if (!done) { done = true; resolve(Buffer.concat(chunks)); } });
    req.on('error', (err) => { if (!done) { done = true; reject(err); } });
  });
}

interface ExpressLike {
  post(path: string, handler: Handler): void;
  _router?: { stack: Array<{ route?: { path: string; methods: Record<string, boolean>; stack: Array<{ handle: unknown }> } }> };
  router?: { stack: Array<{ route?: { path: string; methods: Record<string, boolean>; stack: Array<{ handle: unknown }> } }> };
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

/** Mounts the endpoint; the returned function removes it again. */
export function mountWebhook(RED: NodeAPI, opts: WebhookOptions): () => void {
  const app = RED.httpNode as unknown as ExpressLike;
  const limiter = opts.maxPerSecond ? new RateLimiter(opts.maxPerSecond) : undefined;
  const handler: Handler = (req, res) => {
    void (async () => {
      try {
        // Checked first, so a flood costs neither a secret comparison nor a body read.
        if (limiter && !limiter.take()) {
          res.setHeader('Retry-After', '1');
          send(res, 429, { Result: 429, error: `more than ${opts.maxPerSecond} requests a second` });
          req.resume();
          return;
        }
        if (opts.header) {
          const got = req.headers[opts.header.name.toLowerCase()];
          const value = Array.isArray(got) ? got[0] : got;
          if (typeof value !== 'string' || !sameSecret(value, opts.header.value)) {
            send(res, 401, { Result: 401, error: `missing or wrong ${opts.header.name} header` });
            req.resume();
            return;
          }
        }
        const type = req.headers['content-type'];
        if (type && !JSON_TYPES.test(type)) {
          send(res, 415, { Result: 415, error: `content type ${type} is not JSON` });
          req.resume();
          return;
        }
        const body = await readBody(req, opts.maxBytes);
        if (body === 'too-large') {
          send(res, 413, { Result: 413, error: `body larger than ${opts.maxBytes} bytes` });
          return;
        }
        const reply = await opts.handle({ body, path: opts.path, headers: req.headers });
        send(res, reply.status, reply.body);
      } catch (err) {
        send(res, 500, { Result: 500, error: (err as Error).message });
      }
    })();
  };
  app.post(opts.path, handler);
  return () => {
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
