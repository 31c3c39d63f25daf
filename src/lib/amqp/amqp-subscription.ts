/**
 * One AMQP 1.0 consumer connection (the platform allows one receiver link per connection) shared
 * by every node of a config node. It signs in afresh on each connect, reconnects with backoff,
 * and settles a delivery only after every interested node has handed the message on.
 */
import { isIP } from 'node:net';
import rhea = require('rhea');
import type { ConnectionOptions, Connection, Delivery, EventContext, Message } from 'rhea';
import { clip } from '../../protocols/protocol-error';
import { backoffDelay, describeSocketError, type ConnectionState, type PlatformTransport, type TransportUser } from '../platform/transport';
import { STATUS_TEXTS } from '../status-texts';

export interface AmqpSubscriptionOptions {
  host: string;
  port: number;
  /** false only for a local test peer: the platform requires TLS. */
  tls: boolean;
  tlsOptions?: Record<string, unknown>;
  idleTimeoutMs: number;
  /** How many unsettled deliveries the platform may push ahead (receiver credit). */
  prefetch: number;
  reconnectMinMs: number;
  reconnectMaxMs: number;
  /** Called on every connect: the signature carries a timestamp. */
  credentials(): { username: string; password: string };
  /** `unrouted` says that messages on `topic` (`count` since the last time) matched no node. */
  logger: { log(m: string): void; warn(m: string): void; unrouted(topic: string, count: number): void; reconnecting(address: string, reason: string, seconds: number): void };
}

export interface AmqpUser extends TransportUser {
  /**
   * Hands one message to the flow. Return true when the node took it (emitted or reported it),
   * false when it is not for this node, or a promise when the delivery is to be accepted only
   * once it settles (the flow has finished with the message). Must not throw.
   */
  onMessage(message: Message): boolean | Promise<unknown>;
}

/** Words a user understands for what the peer or the socket said. */
export function describeAmqpError(err: unknown): string {
  const e = (err ?? {}) as { condition?: unknown; description?: unknown; message?: unknown; code?: unknown };
  const condition = typeof e.condition === 'string' ? e.condition : '';
  if (condition === 'amqp:unauthorized-access') {
    return STATUS_TEXTS['en-US'].reasons.amqpAuthFailed;
  }
  const socket = describeSocketError(e.code);
  if (socket) return socket;
  const text = typeof e.description === 'string' && e.description ? e.description : typeof e.message === 'string' ? e.message : '';
  return [condition, text].filter(Boolean).join(': ') || 'connection lost';
}

export class AmqpSubscription implements PlatformTransport<AmqpUser> {
  private readonly users = new Map<string, AmqpUser>();
  private connection: Connection | undefined;
  private state: ConnectionState = { phase: 'idle' };
  private attempt = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private closing = false;
  /** Deliveries settled so far (accepted after hand-over). */
  delivered = 0;
  /** Messages no node took since the last warning about them, and when that warning was. */
  private unmatched = 0;
  private unmatchedWarnedAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly opts: AmqpSubscriptionOptions) {}

  get connectionState(): ConnectionState {
    return this.state;
  }

  get connected(): boolean {
    return this.state.phase === 'connected';
  }

  register(user: AmqpUser): void {
    this.users.set(user.id, user);
    user.onConnectionState(this.state);
    if (!this.connection && !this.retryTimer && !this.closing) this.connect();
  }

  /** The one receiver link is the platform's, not a node's: deleted or restarted is the same here. */
  deregister(user: { id: string }, _removed = false): void {
    this.users.delete(user.id);
    if (this.users.size === 0) void this.disconnect();
  }

  /**
   * Ends the connection within `timeoutMs`; unsettled deliveries go back to the platform. The
   * platform's queue is not ours to drop: deleted or restarted is the same here.
   */
  async close(_removed = false, timeoutMs = 3000): Promise<void> {
    this.closing = true;
    await this.disconnect(timeoutMs);
    this.setState({ phase: 'closed' });
  }

  private setState(state: ConnectionState): void {
    this.state = state;
    for (const u of this.users.values()) u.onConnectionState(state);
  }

  private connect(): void {
    this.retryTimer = undefined;
    let login: { username: string; password: string };
    try {
      login = this.opts.credentials();
    } catch (err) {
      this.setState({ phase: 'disconnected', reason: (err as Error).message });
      return;
    }
    this.setState({ phase: 'connecting' });
    const container = rhea.create_container({ id: `cniot-${Math.random().toString(16).slice(2, 10)}` });
    const options: ConnectionOptions = {
      host: this.opts.host,
      port: this.opts.port,
      // SNI takes host names only: an empty name keeps rhea from sending an address.
      ...(this.opts.tls ? { transport: 'tls' as const, servername: isIP(this.opts.host) ? '' : this.opts.host, ...this.opts.tlsOptions } : { transport: 'tcp' as const }),
      username: login.username,
      password: login.password,
      idle_time_out: this.opts.idleTimeoutMs,
      reconnect: false,
    };
    const connection = container.connect(options);
    this.connection = connection;
    let lastError: string | undefined;
    const mine = (ctx: EventContext) => ctx.connection === this.connection;

    connection.on('connection_open', (ctx) => {
      if (!mine(ctx)) return;
      // The platform closes a connection that has no receiver within 15 s.
      ctx.connection.open_receiver({ autoaccept: false, credit_window: this.opts.prefetch });
    });
    connection.on('receiver_open', (ctx) => {
      if (!mine(ctx)) return;
      this.attempt = 0;
      this.setState({ phase: 'connected' });
    });
    connection.on('message', (ctx) => {
      if (!mine(ctx) || !ctx.message || !ctx.delivery) return;
      this.dispatch(ctx.message, ctx.delivery);
    });
    const noteError = (ctx: EventContext) => {
      const err = ctx.error ?? ctx.connection?.error ?? ctx.receiver?.error;
      // The first error of an attempt says why; what follows is the socket going down.
      if (err) lastError ??= describeAmqpError(err);
    };
    connection.on('connection_error', noteError);
    connection.on('receiver_error', (ctx) => {
      noteError(ctx);
      // A closed link leaves the connection useless for this subscription: start over.
      if (mine(ctx)) ctx.connection.close();
    });
    connection.on('connection_close', noteError);
    connection.on('error', (err: unknown) => {
      lastError ??= describeAmqpError(err);
    });
    connection.on('disconnected', (ctx) => {
      if (!mine(ctx)) return;
      noteError(ctx);
      this.connection = undefined;
      if (this.closing || this.users.size === 0) return;
      const delay = backoffDelay(this.attempt++, this.opts.reconnectMinMs, this.opts.reconnectMaxMs);
      const reason = lastError ?? 'connection lost';
      this.setState({ phase: 'disconnected', reason });
      this.opts.logger.reconnecting(`${this.opts.host}:${this.opts.port}`, reason, Math.round(delay / 100) / 10);
      this.retryTimer = setTimeout(() => this.connect(), delay);
    });
  }

  private dispatch(message: Message, delivery: Delivery): void {
    let taken = false;
    const finishing: Array<Promise<unknown>> = [];
    for (const u of this.users.values()) {
      try {
        const took = u.onMessage(message);
        if (took instanceof Promise) finishing.push(took);
        taken = took !== false || taken;
      } catch (err) {
        this.opts.logger.warn(`AMQP message handler failed: ${(err as Error).message}`);
      }
    }
    if (!taken) this.noteUnmatched(message);
    // Settled only now: every node has emitted it (or reported it to a Catch node)...
    if (finishing.length === 0) {
      this.accept(delivery);
      return;
    }
    // ...or, for nodes that wait for the flow, once the flow is done with it. A delivery whose
    // connection went meanwhile is redelivered by the platform, so it is not settled here.
    const connection = this.connection;
    void Promise.allSettled(finishing).then(() => {
      if (this.connection === connection && connection?.is_open()) this.accept(delivery);
    });
  }

  private accept(delivery: Delivery): void {
    delivery.accept();
    this.delivered++;
  }

  /** At most one warning a minute about messages no node took, with their count. */
  private noteUnmatched(message: Message): void {
    this.unmatched++;
    const now = Date.now();
    if (now - this.unmatchedWarnedAt < 60_000) return;
    const topic = String(message.application_properties?.topic ?? '(no topic)');
    this.opts.logger.unrouted(clip(topic), this.unmatched);
    this.unmatched = 0;
    this.unmatchedWarnedAt = now;
  }

  private async disconnect(timeoutMs = 3000): Promise<void> {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    const connection = this.connection;
    this.connection = undefined;
    if (!connection) {
      if (!this.closing) this.setState({ phase: 'idle' });
      return;
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        // The peer did not answer our close: drop the socket.
        (connection as unknown as { socket?: { destroy(): void } }).socket?.destroy();
        resolve();
      }, timeoutMs);
      connection.once('disconnected', () => { clearTimeout(timer); resolve(); });
      connection.once('connection_close', () => { clearTimeout(timer); resolve(); });
      if (connection.is_open()) connection.close();
      else {
        clearTimeout(timer);
        (connection as unknown as { socket?: { destroy(): void } }).socket?.destroy();
        resolve();
      }
    });
    if (!this.closing) this.setState({ phase: 'idle' });
  }
}
