/**
 * One mqtt.js client shared by every node that uses a config node (the pattern of core's
 * `mqtt-broker`): users register and deregister, subscriptions are kept once per topic filter and
 * dispatched to each subscriber, reconnects back off with jitter, and publishes made while offline
 * wait in a bounded queue instead of vanishing.
 *
 * A QoS 1/2 message is acknowledged only once a node has taken it (its handler returned, having
 * sent the msg on), so that a crash loses nothing the broker still holds for a persistent session.
 * A message for a filter whose node is restarting waits, unacknowledged, until the node is back.
 */
import * as mqtt from 'mqtt';
import type { IClientOptions, IClientPublishOptions, MqttClient, Packet } from 'mqtt';
import { assertValidFilter, brokerFilter, isValidPublishTopic, levelsMatch } from '../../protocols/mqtt-topic';
import { ProtocolError, asError, clip } from '../../protocols/protocol-error';
import type { ConnectionSettings } from './connection-settings';
import { STATUS_TEXTS } from '../status-texts';
import { backoffDelay, describeSocketError, type ConnectionState, type PlatformTransport, type TransportUser } from '../platform/transport';

/**
 * Commands and their replies are small packets sent while an earlier one is still unacknowledged:
 * with Nagle's algorithm on (mqtt.js leaves it on) each such exchange waits for the peer's
 * delayed ACK, about 40 ms.
 */
function disableNagle(client: MqttClient): void {
  const stream = client.stream as { setNoDelay?: (on: boolean) => unknown } | undefined;
  stream?.setNoDelay?.(true);
}

interface Corkable {
  cork?(): void;
  uncork?(): void;
  write?(chunk: Buffer): boolean;
  destroyed?: boolean;
  writable?: boolean;
}

/**
 * What mqtt.js is told instead of sending a PUBACK itself: its `handleMessage` callback called with
 * an error goes on to the next packet and sends nothing. The acknowledgement is written here later.
 */
const ACK_HELD = new Error('acknowledgement held until the message is delivered');

/**
 * Batches what is written to the broker.
 *
 * Packets mqtt.js writes in one task (a reply a node publishes, several commands) leave in one write
 * instead of one TCP segment each: the socket is corked until the task's microtasks run.
 *
 * Acknowledgements of received QoS 1 messages are not written by mqtt.js at all: they wait here until
 * Node-RED has delivered the messages to their next node (it does that with setImmediate; the flush
 * comes one turn of the event loop after those deliveries), then leave as one buffer. Publishes do
 * not wait behind them. Once `limit` acknowledgements wait, mqtt.js takes no further packet until
 * they are written. Without that, the broker sends more for every acknowledgement (Mosquitto a batch
 * each), mqtt.js parses on in process ticks that starve Node-RED's deliveries, and thousands of
 * messages sit acknowledged in the process, lost by a crash.
 */
class WriteBatcher {
  private corked: Corkable | undefined;
  /** Message ids to acknowledge, and the stream (network connection) they arrived on. */
  private readonly acks: number[] = [];
  private acksStream: Corkable | undefined;
  /** mqtt.js's callback for the message that filled the batch: it goes on once the batch is written. */
  private stalled: ((err?: Error) => void) | undefined;
  /** 0: no flush scheduled; 1: waiting for this turn's deliveries; 2: for the next turn's. */
  private stage = 0;
  private lateAcks = false;

  constructor(private readonly client: MqttClient, private readonly limit: number) {
    client.on('packetsend', () => this.hold());
  }

  /** Corks the socket, if it is not yet, until this task's microtasks run. */
  private hold(): void {
    if (this.corked) return;
    const stream = this.client.stream as Corkable | undefined;
    if (!stream?.cork || stream.destroyed) return;
    this.corked = stream;
    stream.cork();
    queueMicrotask(this.release);
  }

  /**
   * Acknowledges `messageId` once the message has been delivered. `proceed` is mqtt.js's
   * `handleMessage` callback: called now (or, when the batch is full, once it is written) with
   * ACK_HELD, so that mqtt.js takes the next packet without acknowledging this one.
   */
  ack(messageId: number, proceed: (err?: Error) => void): void {
    const stream = this.client.stream as Corkable | undefined;
    // Ids of an earlier network connection mean nothing on this one; the broker sends those again.
    if (stream !== this.acksStream) {
      this.acks.length = 0;
      this.acksStream = stream;
    }
    this.acks.push(messageId);
    if (this.stage === 0) {
      this.stage = 1;
      // Runs after the deliveries queued so far; queues the flush behind the rest of this turn's.
      setImmediate(() => {
        this.stage = 2;
        setImmediate(this.flushAcks);
      });
    } else if (this.stage === 2) {
      this.lateAcks = true;
    }
    if (this.acks.length >= this.limit) this.stalled = proceed;
    else proceed(ACK_HELD);
  }

  private readonly release = (): void => {
    const stream = this.corked;
    this.corked = undefined;
    stream?.uncork?.();
  };

  private readonly flushAcks = (): void => {
    // Messages read after the first step were delivered in this turn: one more turn for them.
    if (this.lateAcks) {
      this.lateAcks = false;
      setImmediate(this.flushAcks);
      return;
    }
    this.stage = 0;
    const stream = this.acksStream;
    if (this.acks.length > 0 && stream === this.client.stream && stream?.write && stream.writable !== false && !stream.destroyed) {
      // PUBACK: type 4, remaining length 2, the message id. MQTT 5 allows this short form for
      // reason code 0 without properties.
      const packets = Buffer.allocUnsafe(4 * this.acks.length);
      this.acks.forEach((id, i) => {
        packets[4 * i] = 0x40;
        packets[4 * i + 1] = 2;
        packets.writeUInt16BE(id, 4 * i + 2);
      });
      stream.write(packets);
    }
    this.acks.length = 0;
    const stalled = this.stalled;
    this.stalled = undefined;
    stalled?.(ACK_HELD);
  };
}

/**
 * Called with each message of a subscribed filter. Returning means the node has taken the message
 * (sent it on or reported it): a QoS 1/2 message is acknowledged to the broker after that.
 */
export type MessageHandler = (topic: string, payload: Buffer, packet: mqtt.IPublishPacket) => void;

export interface Logger {
  log(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
  /** Why the connection failed, in English as the status shows it. */
  problem(url: string, reason: string): void;
  /** The broker refused to subscribe to `topic` (as sent, with any share group). */
  subscriptionRefused(topic: string): void;
}

export interface ConnectionOptions {
  settings: ConnectionSettings;
  username?: string;
  password?: string;
  /** TLS options from a `tls-config` node or the platform (ca, cert, key, rejectUnauthorized...). */
  tls?: Record<string, unknown>;
  logger: Logger;
  /** Delay before a filter that lost its last subscriber is unsubscribed (lets a redeploy re-take it). */
  unsubscribeGraceMs?: number;
}

interface Subscription {
  filter: string;
  /** The filter split at `/`, for matching without splitting it per message. */
  levels: string[];
  /** Holds + or #: without them a filter matches only its own topic, found by map lookup. */
  wildcard: boolean;
  qos: 0 | 1 | 2;
  handlers: Map<string, MessageHandler>;
  /** Acknowledged by the broker on the current network connection (or kept by its session). */
  active: boolean;
  pendingUnsubscribe?: NodeJS.Timeout;
  /** Its last node was deleted (not restarted): unsubscribe even on a persistent session. */
  removed?: boolean;
}

/** A received message not yet taken by every node it is for; acknowledged once it is. */
interface Arrival {
  packet: mqtt.IPublishPacket;
  /** Nodes that have taken it already (only kept while some matching filter has no node). */
  takenBy?: Set<string>;
  ack(): void;
}

interface QueuedPublish {
  topic: string;
  payload: string | Buffer;
  options: IClientPublishOptions;
  resolve(): void;
  reject(err: PublishFailure): void;
}

/**
 * Why a publish failed. `sent` says whether the message may still reach the broker: false when it
 * never left this process (refused, withdrawn, connection closed), true once mqtt.js had it.
 */
export class PublishFailure extends ProtocolError {
  readonly sent: boolean;

  constructor(code: string, message: string, sent: boolean) {
    super(code, message, { sent });
    this.sent = sent;
  }
}

/** A publish under way. `withdraw()` takes it back while it still waits in one of our queues. */
export interface Outgoing {
  /** Resolves when mqtt.js has handed the message over (QoS 0) or the broker acked it. */
  readonly done: Promise<void>;
  /**
   * True when the message was still waiting and is now gone for good (`done` then rejects with
   * `withdrawn`); false when it was already handed to mqtt.js, which resends it until acked.
   */
  withdraw(): boolean;
}

const REASONS = STATUS_TEXTS['en-US'].reasons;
const CONNACK_REASONS: Record<number, string> = {
  1: REASONS.badProtocolVersion,
  2: REASONS.clientIdRejected,
  3: REASONS.serverUnavailable,
  4: REASONS.badCredentials,
  5: REASONS.notAuthorised,
  128: REASONS.unspecifiedError,
  133: REASONS.clientIdRejected,
  134: REASONS.badCredentials,
  135: REASONS.notAuthorised,
  136: REASONS.serverUnavailable,
  137: REASONS.serverBusy,
  138: REASONS.banned,
  140: REASONS.badAuthMethod,
};
const AUTH_FAILURES = new Set([4, 5, 134, 135, 138, 140]);

/** Turns an mqtt.js or socket error into the short reason shown under a node. */
export function describeConnectionError(err: Error & { code?: unknown }): string {
  const code = err.code;
  if (typeof code === 'number' && CONNACK_REASONS[code]) return CONNACK_REASONS[code];
  return describeSocketError(code) ?? (err.message.replace(/^Connection refused: /, '').toLowerCase() || 'error');
}

/**
 * Ends a client that is no longer ours: politely when connected, forced after `timeoutMs`.
 * Resolves when it is gone, so Node-RED's close never waits on an unresponsive broker.
 */
function endClient(client: MqttClient, timeoutMs: number): Promise<void> {
  return new Promise<void>((resolve) => {
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      clearTimeout(force);
      client.removeAllListeners();
      // mqtt.js may still emit an error while tearing down; it has nowhere useful to go.
      client.on('error', () => undefined);
      resolve();
    };
    const force = setTimeout(() => {
      // While a polite end waits for acknowledgements mqtt.js ignores any further end(): the
      // socket is closed here, or the client would stay connected once a hung broker wakes.
      (client.stream as { destroy?: () => void } | undefined)?.destroy?.();
      client.end(true, {}, finish);
    }, timeoutMs);
    client.end(!client.connected, {}, finish);
  });
}

/** Mosquitto's default max_inflight_messages; an MQTT 5 broker's receive maximum replaces it. */
const DEFAULT_INFLIGHT = 20;

/**
 * The reconnect backoff starts again from the shortest delay only after a connection has stayed
 * up this long: a broker that accepts the login and then drops us at once (a subscription it
 * refuses, a duplicate client id) must not be hammered.
 */
export const STABLE_CONNECTION_MS = 10_000;

export class SharedMqttConnection implements PlatformTransport {
  readonly settings: ConnectionSettings;
  readonly clientId: string;
  private readonly opts: ConnectionOptions;
  private readonly users = new Map<string, TransportUser>();
  private readonly subs = new Map<string, Subscription>();
  private readonly queue: QueuedPublish[] = [];
  /**
   * QoS 1/2 publishes the broker has not acknowledged yet, and those waiting for room. Brokers
   * bound this (Mosquitto: max_inflight_messages, 20; MQTT 5: receive maximum) and drop or refuse
   * what goes beyond, so no more than that many leave at once.
   */
  private inflight = 0;
  private inflightLimit = DEFAULT_INFLIGHT;
  private readonly windowQueue: QueuedPublish[] = [];
  /**
   * Publishes held behind an unsettled one with the same `oneAtATime` key (a command to one
   * device): each leaves only once the broker acknowledged or refused the one before.
   */
  private readonly heldByKey = new Map<string, QueuedPublish[]>();
  private held = 0;
  private client: MqttClient | undefined;
  private state: ConnectionState = { phase: 'idle' };
  private attempt = 0;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private stableTimer: NodeJS.Timeout | undefined;
  private lastFailureWasAuth = false;
  /**
   * Messages waiting for a node that is being restarted, unacknowledged. mqtt.js takes the next
   * packet only once a message is acknowledged, so this holds one message at most.
   */
  private readonly waiting: Arrival[] = [];
  private closing = false;
  /** Counts network connection attempts; tests and the status use it. */
  connectAttempts = 0;

  constructor(opts: ConnectionOptions) {
    this.opts = opts;
    this.settings = opts.settings;
    this.clientId = opts.settings.clientId || `cniot_${Math.random().toString(16).slice(2, 10)}`;
  }

  get connected(): boolean {
    return this.state.phase === 'connected';
  }

  get connectionState(): ConnectionState {
    return { ...this.state };
  }

  get queuedPublishes(): number {
    return this.queue.length + this.windowQueue.length + this.held;
  }

  /** Publishes the broker has not acknowledged: waiting, held behind another, or in flight. */
  private get unacknowledged(): number {
    return this.queuedPublishes + this.inflight;
  }

  /** Topic filters currently held for subscribers (as the broker sees them, with any share prefix). */
  get filters(): string[] {
    return [...this.subs.keys()].map((f) => brokerFilter(f, this.settings.shareGroup || undefined));
  }

  register(user: TransportUser): void {
    this.users.set(user.id, user);
    user.onConnectionState(this.connectionState);
    if (!this.client && !this.closing) this.connect();
  }

  /**
   * Removes a user and its subscriptions. `removed` is Node-RED's flag: the node was deleted, not
   * just restarted. The connection itself stays up for the other users and for a redeploy.
   */
  deregister(user: { id: string }, removed: boolean): void {
    this.users.delete(user.id);
    for (const sub of [...this.subs.values()]) {
      if (sub.handlers.delete(user.id) && sub.handlers.size === 0) this.releaseFilter(sub, removed);
    }
    // Like core's broker node: the last user deleted drops the connection; a restart keeps it.
    if (removed && this.users.size === 0) this.disconnectIdle();
  }

  /** Subscribes `ref` (a node id) to `filter`. Several refs on one filter share one broker subscription. */
  subscribe(ref: string, filter: string, qos: 0 | 1 | 2, handler: MessageHandler): void {
    assertValidFilter(filter);
    let sub = this.subs.get(filter);
    if (sub) {
      if (sub.pendingUnsubscribe) clearTimeout(sub.pendingUnsubscribe);
      sub.pendingUnsubscribe = undefined;
      sub.removed = false;
      sub.handlers.set(ref, handler);
      if (qos > sub.qos) {
        sub.qos = qos;
        sub.active = false;
        this.sendSubscriptions([sub]);
      }
      this.deliverWaiting();
      return;
    }
    sub = { filter, levels: filter.split('/'), wildcard: /[+#]/.test(filter), qos, handlers: new Map([[ref, handler]]), active: false };
    this.subs.set(filter, sub);
    this.sendSubscriptions([sub]);
  }

  unsubscribe(ref: string, filter: string): void {
    const sub = this.subs.get(filter);
    if (sub && sub.handlers.delete(ref) && sub.handlers.size === 0) this.releaseFilter(sub, true);
  }

  /**
   * Publishes now when connected, otherwise queues it, sent in order on reconnect. Resolves when
   * mqtt.js has handed the message over (QoS 0) or the broker acked it.
   */
  publish(topic: string, payload: string | Buffer, options: IClientPublishOptions = {}): Promise<void> {
    return this.startPublish(topic, payload, options).done;
  }

  /**
   * Like publish(), for a request that may be given up (a timeout, the node closing): while the
   * message still waits (offline, or for the broker's in-flight window) it can be withdrawn, so a
   * command reported as failed is never delivered later. At most `queueLimit` publishes wait
   * unacknowledged at a time, whatever state the connection is in (a broker that stopped
   * answering still looks connected); beyond that a publish is refused at once.
   */
  startPublish(topic: string, payload: string | Buffer, options: IClientPublishOptions = {}, oneAtATime?: string): Outgoing {
    let item: QueuedPublish | undefined;
    const done = new Promise<void>((resolve, reject) => {
      if (!isValidPublishTopic(topic)) {
        reject(new PublishFailure('bad-topic', `"${clip(topic)}" is not a valid MQTT publish topic`, false));
        return;
      }
      if (this.closing) {
        reject(new PublishFailure('closed', 'connection is closing; message not sent', false));
        return;
      }
      const acked = (options.qos ?? 0) > 0;
      const unacked = this.unacknowledged;
      // Connected, one may always be under way, so that a limit of 0 means "no offline queue".
      const room = this.connected ? Math.max(1, this.settings.queueLimit) : this.settings.queueLimit;
      if ((acked || !this.connected) && unacked >= room) {
        const state = this.connected ? 'connected, no acknowledgement from the broker' : `not connected (${this.state.reason ?? this.state.phase})`;
        reject(new PublishFailure('queue-full', `${state} and ${unacked} messages already wait to be sent (limit ${this.settings.queueLimit}); message not sent`, false));
        return;
      }
      item = { topic, payload, options, resolve, reject };
      if (oneAtATime === undefined || !acked) {
        this.enqueue(item);
        return;
      }
      const held = this.heldByKey.get(oneAtATime);
      if (held) {
        held.push(item);
        this.held++;
        return;
      }
      this.heldByKey.set(oneAtATime, []);
      this.enqueue(this.releasingKey(item, oneAtATime));
    });
    return {
      done,
      withdraw: () => {
        if (!item) return false;
        const queued = item;
        const held = oneAtATime === undefined ? undefined : this.heldByKey.get(oneAtATime);
        if (held?.includes(queued)) {
          held.splice(held.indexOf(queued), 1);
          this.held--;
          queued.reject(new PublishFailure('withdrawn', 'withdrawn before it was sent', false));
          return true;
        }
        const list = this.queue.includes(queued) ? this.queue : this.windowQueue.includes(queued) ? this.windowQueue : undefined;
        if (!list) return false;
        list.splice(list.indexOf(queued), 1);
        queued.reject(new PublishFailure('withdrawn', 'withdrawn before it was sent', false));
        return true;
      },
    };
  }

  private enqueue(item: QueuedPublish): void {
    if (this.connected && this.queue.length === 0) {
      this.send(item);
    } else {
      this.queue.push(item);
      if (!this.client) this.connect();
    }
  }

  /**
   * `item` as the one under way for `key`: once it settles (acknowledged, refused, withdrawn,
   * closed) the next held for that key leaves. A broker that stops answering thus holds at most one
   * message per key that may still be delivered after its sender gave up.
   */
  private releasingKey(item: QueuedPublish, key: string): QueuedPublish {
    const release = () => {
      const held = this.heldByKey.get(key);
      const next = held?.shift();
      if (!held || next === undefined) {
        this.heldByKey.delete(key);
        return;
      }
      this.held--;
      if (this.closing) next.reject(new PublishFailure('closed', 'connection closed before the message could be sent', false));
      else this.enqueue(this.releasingKey(next, key));
    };
    const { resolve, reject } = item;
    item.resolve = () => { resolve(); release(); };
    item.reject = (err) => { reject(err); release(); };
    return item;
  }

  /**
   * Ends the session. Resolves within `timeoutMs` even when the broker does not answer. Messages
   * still waiting for a node stay unacknowledged: a persistent session gets them again. `removed`:
   * the account was deleted, so a persistent session's filters are unsubscribed first, or the
   * broker would queue their messages for a session nobody resumes.
   */
  close(removed = false, timeoutMs = 2000): Promise<void> {
    this.closing = true;
    clearTimeout(this.reconnectTimer);
    clearTimeout(this.stableTimer);
    this.waiting.length = 0;
    if (removed) for (const sub of [...this.subs.values()]) this.dropFilter(sub);
    else this.unsubscribeRemoved();
    const held = [...this.heldByKey.values()].flatMap((list) => list.splice(0));
    this.held = 0;
    const pending = [...held, ...this.queue.splice(0), ...this.windowQueue.splice(0)];
    for (const item of pending) item.reject(new PublishFailure('closed', 'connection closed before the message could be sent', false));
    this.setState({ phase: 'closed' });
    const client = this.client;
    this.client = undefined;
    return client ? endClient(client, timeoutMs) : Promise.resolve();
  }

  private disconnectIdle(): void {
    const client = this.client;
    // Unacknowledged publishes keep the client: an ended one never reports their acks, and the
    // commands held behind them (one at a time per device) would wait for ever.
    if (!client || this.unacknowledged > 0) return;
    this.unsubscribeRemoved();
    this.client = undefined;
    clearTimeout(this.reconnectTimer);
    clearTimeout(this.stableTimer);
    this.waiting.length = 0;
    this.subs.clear();
    this.state = { phase: 'idle' };
    void endClient(client, 2000);
  }

  private connect(): void {
    if (this.closing) return;
    const { settings } = this;
    const options: IClientOptions = {
      clientId: this.clientId,
      clean: settings.clean,
      keepalive: settings.keepalive,
      protocolVersion: settings.protocolVersion,
      // MQTT 5 ends a session when its network connection closes unless the CONNECT gives it a
      // Session Expiry Interval; 0xFFFFFFFF never expires, as a 3.1.1 persistent session (MQTT 5.0
      // section 3.1.2.11.2).
      ...(settings.protocolVersion === 5 && !settings.clean ? { properties: { sessionExpiryInterval: 0xffffffff } } : {}),
      connectTimeout: settings.connectTimeoutMs,
      // mqtt.js's own fixed-interval reconnect stays out of the way (an hour); we reconnect with
      // backoff ourselves. Keeping it non-zero stops mqtt.js from failing in-flight QoS 1 messages.
      reconnectPeriod: 3_600_000,
      resubscribe: false,
      queueQoSZero: false,
      manualConnect: true,
      // mqtt.js asks the debug module whether to log at each step of every packet it writes or
      // reads; unless DEBUG asks for debug output, nobody reads those lines.
      ...(process.env.DEBUG ? {} : { log: () => undefined }),
      ...(this.opts.username ? { username: this.opts.username } : {}),
      ...(this.opts.password ? { password: this.opts.password } : {}),
      ...(this.opts.tls ?? {}),
    };
    const client = mqtt.connect(settings.url, options);
    this.client = client;
    client.setMaxListeners(0);
    // At most a broker's usual in-flight window of messages taken but not acknowledged.
    const batcher = new WriteBatcher(client, DEFAULT_INFLIGHT);
    // Every message comes here once: QoS 0 and 1 when they arrive (the batcher writes QoS 1's
    // PUBACK once the message is delivered), QoS 2 at the broker's PUBREL, after mqtt.js sent
    // PUBREC, so its PUBCOMP need not wait for the delivery (Mosquitto 2.0 also stalls a QoS 2
    // queue that way).
    client.handleMessage = (packet, done) => {
      this.receive(client, packet, packet.qos === 1 ? () => batcher.ack(packet.messageId!, done) : done);
    };
    client.on('connect', (connack) => this.onConnect(client, connack));
    client.on('error', (err) => this.onError(client, err));
    client.on('close', () => this.onClose(client));
    client.on('disconnect', (packet) => {
      const rc = packet.reasonCode ?? 0;
      this.opts.logger.warn(`broker sent DISCONNECT (reason ${rc}${CONNACK_REASONS[rc] ? `: ${CONNACK_REASONS[rc]}` : ''})`);
    });
    this.openSocket(client);
  }

  private openSocket(client: MqttClient): void {
    this.connectAttempts++;
    this.setState({ phase: 'connecting', ...(this.state.reason ? { reason: this.state.reason } : {}) });
    client.connect();
  }

  private onConnect(client: MqttClient, connack: mqtt.IConnackPacket): void {
    if (client !== this.client) return;
    clearTimeout(this.stableTimer);
    this.stableTimer = setTimeout(() => { this.attempt = 0; }, STABLE_CONNECTION_MS);
    this.lastFailureWasAuth = false;
    disableNagle(client);
    this.inflightLimit = connack.properties?.receiveMaximum ?? DEFAULT_INFLIGHT;
    this.setState({ phase: 'connected' });
    const resumed = !this.settings.clean && connack.sessionPresent === true;
    const toSubscribe = [...this.subs.values()].filter((s) => {
      if (!resumed) s.active = false;
      return !s.active;
    });
    this.sendSubscriptions(toSubscribe);
    const queued = this.queue.splice(0);
    for (const item of queued) this.send(item);
  }

  private onError(client: MqttClient, err: Error & { code?: unknown }): void {
    if (client !== this.client) return;
    this.lastFailureWasAuth = typeof err.code === 'number' && AUTH_FAILURES.has(err.code);
    const reason = describeConnectionError(err);
    if (reason !== this.state.reason) this.opts.logger.problem(this.settings.url, reason);
    this.state = { ...this.state, reason };
  }

  private onClose(client: MqttClient): void {
    if (client !== this.client || this.closing) return;
    clearTimeout(this.stableTimer);
    // Unacknowledged, so the broker sends them again on a persistent session.
    this.waiting.length = 0;
    for (const sub of this.subs.values()) if (this.settings.clean) sub.active = false;
    this.setState({ phase: 'disconnected', reason: this.state.reason ?? 'connection lost' });
    this.scheduleReconnect(client);
  }

  private scheduleReconnect(client: MqttClient): void {
    clearTimeout(this.reconnectTimer);
    const { reconnectMinMs, reconnectMaxMs } = this.settings;
    // A refused login will be refused again: wait the longest delay rather than hammer the broker.
    const delay = this.lastFailureWasAuth ? reconnectMaxMs : backoffDelay(this.attempt++, reconnectMinMs, reconnectMaxMs);
    this.reconnectTimer = setTimeout(() => {
      if (client !== this.client || this.closing) return;
      this.openSocket(client);
    }, delay);
  }

  /** A message from the broker: delivered now and acknowledged, or kept until its node is back. */
  private receive(client: MqttClient, packet: mqtt.IPublishPacket, ack: () => void): void {
    // From a client being ended: leave it unacknowledged for the broker to send again.
    if (client !== this.client) return;
    const arrival: Arrival = { packet, ack };
    if (this.waiting.length === 0 && this.deliver(arrival)) ack();
    else this.waiting.push(arrival);
  }

  /** Delivers what waited for a node, in order, for as long as each can be delivered whole. */
  private deliverWaiting(): void {
    while (this.waiting.length > 0 && this.deliver(this.waiting[0]!)) this.waiting.shift()!.ack();
  }

  /**
   * Hands `arrival` to each node subscribed through a matching filter, once per node. Returns
   * false while a matching filter has no node (one being restarted): the nodes that have it took
   * it, the rest get it when they are back.
   */
  private deliver(arrival: Arrival): boolean {
    const { topic, payload } = arrival.packet;
    // Most messages match one subscription of one node: that case allocates nothing.
    const exact = this.subs.get(topic);
    let first = exact;
    let others: Subscription[] | undefined;
    let levels: string[] | undefined;
    for (const sub of this.subs.values()) {
      if (sub === exact || !sub.wildcard) continue;
      levels ??= topic.split('/');
      if (!levelsMatch(sub.levels, levels)) continue;
      if (first) (others ??= []).push(sub);
      else first = sub;
    }
    if (!first) return true;
    if (!others && first.handlers.size === 1 && !arrival.takenBy) {
      for (const [, handler] of first.handlers) this.callHandler(first, handler, topic, payload as Buffer, arrival.packet);
      return true;
    }
    // A node subscribed through several matching filters still gets the message once.
    const taken = arrival.takenBy ?? new Set<string>();
    let whole = true;
    for (const sub of [first, ...(others ?? [])]) {
      if (sub.handlers.size === 0) whole = false;
      for (const [ref, handler] of sub.handlers) {
        if (taken.has(ref)) continue;
        taken.add(ref);
        this.callHandler(sub, handler, topic, payload as Buffer, arrival.packet);
      }
    }
    if (!whole) arrival.takenBy = taken;
    return whole;
  }

  private callHandler(sub: Subscription, handler: MessageHandler, topic: string, payload: Buffer, packet: mqtt.IPublishPacket): void {
    try {
      handler(topic, payload, packet);
    } catch (err) {
      // A subscriber's bug must not stop delivery to the others or break the client.
      this.opts.logger.error(`handler for "${sub.filter}" failed: ${asError(err).message}`);
    }
  }

  private sendSubscriptions(list: Subscription[]): void {
    const client = this.client;
    if (!client || !this.connected || list.length === 0) return;
    const group = this.settings.shareGroup || undefined;
    const map: Record<string, { qos: 0 | 1 | 2 }> = {};
    for (const s of list) map[brokerFilter(s.filter, group)] = { qos: this.settings.exactlyOnce ? 2 : s.qos };
    client.subscribe(map, (err, granted, suback) => {
      // mqtt.js fails the whole call when the broker refuses any of it (SUBACK code 0x80 or above);
      // the filters it accepted in the same SUBACK are still active.
      const codes = (suback?.granted ?? []) as unknown[];
      const refusedAt = (g: { qos: number }, i: number) => g.qos === 128 || (typeof codes[i] === 'number' && ((codes[i] as number) & 0x80) !== 0);
      if (err && !(granted ?? []).some(refusedAt)) {
        this.opts.logger.error(`subscribe failed: ${err.message}`);
        return;
      }
      (granted ?? []).forEach((g, i) => {
        if (refusedAt(g, i)) {
          this.opts.logger.subscriptionRefused(g.topic);
          return;
        }
        const sub = this.subs.get(group ? g.topic.slice(`$share/${group}/`.length) : g.topic);
        if (sub) sub.active = true;
      });
    });
  }

  private releaseFilter(sub: Subscription, removed: boolean): void {
    // A persistent session keeps its subscriptions across a restart unless the node was deleted,
    // so QoS 1 messages keep queueing at the broker while Node-RED is down.
    const keepForSession = !this.settings.clean && !removed;
    sub.removed = removed;
    clearTimeout(sub.pendingUnsubscribe);
    sub.pendingUnsubscribe = setTimeout(() => {
      if (sub.handlers.size > 0 || this.subs.get(sub.filter) !== sub) return;
      if (keepForSession && this.users.size === 0) return;
      this.dropFilter(sub);
    }, this.opts.unsubscribeGraceMs ?? 1000);
  }

  /** Unsubscribes a filter no node holds any more; what waited for it is acknowledged and dropped. */
  private dropFilter(sub: Subscription): void {
    clearTimeout(sub.pendingUnsubscribe);
    this.subs.delete(sub.filter);
    if (this.client && this.connected) {
      this.client.unsubscribe(brokerFilter(sub.filter, this.settings.shareGroup || undefined));
    }
    this.deliverWaiting();
  }

  /**
   * Filters of deleted nodes, unsubscribed now when the connection is about to end: otherwise a
   * persistent session would keep queueing their messages at the broker for nobody.
   */
  private unsubscribeRemoved(): void {
    for (const sub of [...this.subs.values()]) if (sub.removed && sub.handlers.size === 0) this.dropFilter(sub);
  }

  private send(item: QueuedPublish, fromWindow = false): void {
    const client = this.client;
    if (!client) {
      item.reject(new PublishFailure('closed', 'connection closed before the message could be sent', false));
      return;
    }
    // Exactly once applies to what we send as well: QoS 1 publishes go out at QoS 2.
    const options = this.settings.exactlyOnce && item.options.qos === 1 ? { ...item.options, qos: 2 as const } : item.options;
    const acked = (options.qos ?? 0) > 0;
    // Behind those already waiting for room, so that order is kept.
    if (acked && (this.inflight >= this.inflightLimit || (!fromWindow && this.windowQueue.length > 0))) {
      this.windowQueue.push(item);
      return;
    }
    if (acked) this.inflight++;
    client.publish(item.topic, item.payload, options, (err?: Error, _packet?: Packet) => {
      // mqtt.js had the message: it may have reached the broker.
      if (err) item.reject(new PublishFailure('publish-failed', err.message, true));
      else item.resolve();
      if (!acked) return;
      this.inflight--;
      // mqtt.js resends unacknowledged messages after a reconnect; room frees as their acks come.
      while (this.inflight < this.inflightLimit && this.windowQueue.length > 0 && this.client === client) this.send(this.windowQueue.shift()!, true);
    });
  }

  private setState(state: ConnectionState): void {
    this.state = state;
    for (const user of this.users.values()) {
      try {
        user.onConnectionState({ ...state });
      } catch (err) {
        this.opts.logger.error(`status update failed: ${asError(err).message}`);
      }
    }
  }
}
