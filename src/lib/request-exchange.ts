/**
 * The request/reply exchange of every node that sends a request and answers its input only when
 * the reply, a refusal or the deadline arrives (lock-command, iotos-device, eztcloud-out,
 * aliyun-living-in, gb32960-command). The node keeps its platform's specifics: how a request is
 * written and published, and how a reply finds its request (the `pick` functions). The exchange
 * keeps the rest: deadlines, late replies, the answer on close, and one failure policy with one
 * `msg.error` shape (README, "Failed requests").
 */
import type { NodeMessage, NodeMessageInFlow } from 'node-red';
import { z } from 'zod';
import { ProtocolError, asError } from '../protocols/protocol-error';
import { PublishFailure, type Outgoing } from './mqtt/shared-connection';
import type { NodeStatusView } from './node-status';

export type FailurePolicy = 'output' | 'catch';

/**
 * A request node's `failures` property. A node stored before the choice existed has none and gets
 * `stored`, what its type did then, so stored flows keep working (an empty value too); "error" is
 * how lock-command and gb32960-command stored "catch".
 */
export function failuresProperty(stored: FailurePolicy) {
  return z.enum(['output', 'catch', 'error', '']).transform((v): FailurePolicy => (v === 'error' ? 'catch' : v || stored)).default(stored);
}

/** One input waiting for its answer. */
export interface Waiter {
  msg: NodeMessageInFlow;
  /** What was sent, as the flow gets it back in msg.request. */
  request: Record<string, unknown>;
  send: (msg: Array<NodeMessage | null>) => void;
  done: (err?: Error) => void;
  sentAt: number;
  outgoing?: Outgoing;
}

/** Chooses, among the keys of the open (or given-up) requests, the one a reply answers. */
export type Pick<K> = (keys: readonly K[]) => K | undefined;

export type Match<K, W> = { waiter: W; key: K } | 'late' | undefined;

export interface ExchangeOptions<W> {
  view: NodeStatusView;
  policy: FailurePolicy;
  /** The node's outputs when failures leave on their own: the failure output is the last. */
  outputs: number;
  /** What a request is called in failure texts ("command", "uplink", "request"). */
  what: string;
  /** Called when the number of waiting requests changed (for the node's status). */
  changed?: () => void;
  /** How many given-up requests, and for how long, a late reply is recognised. */
  lateKeep?: number;
  lateKeepMs?: number;
  /**
   * The node's id: the requests it gave up, and those still waiting when it stopped, stay known
   * to the node that replaces it on a redeploy, so their late replies are reported there too and
   * never taken for its own requests.
   */
  nodeId?: string;
  /**
   * Logs a request answered on close while failures leave on their own output: on a full deploy
   * the nodes wired to it stop too and drop it, so the log keeps it. (Node-RED logs a Catch-able
   * error itself.)
   */
  logStopped?: (error: ProtocolError) => void;
  /** What a request given up had received so far (iotos-device: the results of some data points). */
  partial?: (waiter: W) => { reply?: unknown; details?: Record<string, unknown> };
}

interface GivenUp<K> {
  key: K;
  at: number;
}

/** Given-up requests of stopped nodes, by node id, until a node with that id starts again. */
const givenUpByNode = new Map<string, Array<GivenUp<unknown>>>();

interface Open<K, W> {
  key: K;
  waiter: W;
  /** When it is given up (performance.now(), which no change of the wall clock moves), and why. */
  deadline?: { at: number; why: () => string };
}

/** Whether a publish failure left the request with the broker. */
export const sentDespite = (err: unknown): boolean => err instanceof PublishFailure && err.sent;

export class RequestExchange<K, W extends Waiter> {
  /** Counted since the node started. */
  readonly counts = { answered: 0, failed: 0, late: 0 };
  /** The open requests, in the order they were sent. */
  private readonly open = new Map<W, Open<K, W>>();
  /** The keys of `open`, in the same order, as the picks search them; made again after a change. */
  private openKeys: K[] | undefined;
  /** The open requests by key, each list in the order they were sent: exact matches without a search. */
  private readonly byKey = new Map<K, Array<Open<K, W>>>();
  private readonly givenUp: Array<GivenUp<K>> = [];
  /**
   * One timer for all deadlines, due at the earliest: a request answered in time costs no timer
   * of its own to start and clear.
   */
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;

  constructor(private readonly o: ExchangeOptions<W>) {
    if (o.nodeId === undefined) return;
    this.givenUp.push(...((givenUpByNode.get(o.nodeId) ?? []) as Array<GivenUp<K>>));
    givenUpByNode.delete(o.nodeId);
  }

  get size(): number {
    return this.open.size;
  }

  waiters(): W[] {
    return [...this.open.keys()];
  }

  /** Whether a request with `key` is waiting. */
  has(key: K): boolean {
    return this.byKey.has(key);
  }

  /**
   * Holds `waiter` until its reply is matched; after `deadline.ms` gives it up with
   * `deadline.why()`. Without a deadline the node's source keeps it (gb32960-server does).
   */
  wait(key: K, waiter: W, deadline?: { ms: number; why: () => string }): void {
    const entry: Open<K, W> = { key, waiter };
    if (deadline) {
      entry.deadline = { at: performance.now() + deadline.ms, why: deadline.why };
      if (entry.deadline.at < this.timerAt) this.armTimer(entry.deadline.at);
    }
    this.open.set(waiter, entry);
    this.openKeys = undefined;
    const same = this.byKey.get(key);
    if (same) same.push(entry);
    else this.byKey.set(key, [entry]);
    this.o.changed?.();
  }

  private armTimer(at: number): void {
    clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(() => this.expire(), Math.max(1, Math.ceil(at - performance.now())));
  }

  /** Gives up every request past its deadline, oldest first, and sets the timer for the next. */
  private expire(): void {
    this.timer = undefined;
    this.timerAt = Infinity;
    const now = performance.now();
    const due = [...this.open.values()].filter((e) => e.deadline && e.deadline.at <= now);
    for (const entry of due) if (this.remove(entry.waiter)) this.giveUp(entry, 'timeout', entry.deadline!.why());
    let next = Infinity;
    for (const e of this.open.values()) if (e.deadline && e.deadline.at < next) next = e.deadline.at;
    if (next === Infinity) this.stopTimer();
    else if (next !== this.timerAt) this.armTimer(next);
  }

  private stopTimer(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Infinity;
  }

  /**
   * Publishes the waiter's request; resolves true once the broker has it. When it cannot be sent
   * the waiter fails with `not-sent` (if still waiting, or if it `waits` for no reply at all), and
   * `sent` says whether the broker may have it anyway.
   */
  publish(waiter: W, outgoing: Outgoing, opts: { what?: string; waits?: boolean } = {}): Promise<boolean> {
    waiter.outgoing = outgoing;
    return outgoing.done.then(() => true, (err: unknown) => {
      if ((opts.waits ?? true) && !this.remove(waiter)) return false;
      this.fail(waiter, new ProtocolError('not-sent', `${opts.what ?? this.o.what} not sent: ${asError(err).message}`), sentDespite(err));
      return false;
    });
  }

  /**
   * The open request a reply answers, without removing it; 'late' when it answers one given up
   * before (reported, never matched to the next request). Each pick is tried on the open
   * requests, then on the given-up ones, before the next.
   */
  find(...picks: Array<Pick<K>>): Match<K, W> {
    this.forgetOld();
    this.openKeys ??= [...this.open.values()].map((e) => e.key);
    for (const pick of picks) {
      const key = pick(this.openKeys);
      const entry = key === undefined ? undefined : this.byKey.get(key)?.[0];
      if (entry) return { waiter: entry.waiter, key: entry.key };
      const late = pick(this.givenUp.map((g) => g.key));
      if (late !== undefined) {
        this.counts.late++;
        return 'late';
      }
    }
    return undefined;
  }

  /** Like find, and an open request found is no longer waiting. */
  take(...picks: Array<Pick<K>>): Match<K, W> {
    return this.taken(this.find(...picks));
  }

  /**
   * find() for a reply that names its request's key exactly: the oldest open request with `key`
   * that `wants` the reply (several may share a key: iotos-device's uplinks with one requestId,
   * each waiting for its own data points).
   */
  findKey(key: K, wants?: (waiter: W) => boolean): Match<K, W> {
    this.forgetOld();
    const same = this.byKey.get(key);
    const entry = wants ? same?.find((e) => wants(e.waiter)) : same?.[0];
    if (entry) return { waiter: entry.waiter, key };
    if (!this.givenUp.some((g) => g.key === key)) return undefined;
    this.counts.late++;
    return 'late';
  }

  /** Like findKey, and an open request found is no longer waiting. */
  takeKey(key: K): Match<K, W> {
    return this.taken(this.findKey(key));
  }

  private taken(m: Match<K, W>): Match<K, W> {
    if (m && m !== 'late') this.finish(m.waiter);
    return m;
  }

  /** The waiter got its answer: no longer waiting, no deadline. */
  finish(waiter: W): boolean {
    const found = this.remove(waiter);
    if (found) this.counts.answered++;
    return found;
  }

  /** Sends the answer on the outputs `out` (one entry per output, the failure output left out). */
  answer(waiter: W, out: Array<NodeMessage | null>): void {
    waiter.send(out);
    waiter.done();
  }

  /**
   * Reports a failed request, as the node's policy says, in the one shape: msg.error
   * `{code, message, sent}` (+ the error's details), msg.request with `sent`, and the platform's
   * answer, if any, as msg.payload on the failure output or msg.reply for Catch.
   */
  fail(waiter: W, error: ProtocolError, sent: boolean, reply?: unknown, extra: Record<string, unknown> = {}): void {
    this.counts.failed++;
    this.o.view.error(error.message);
    const request = { ...waiter.request, sent };
    if (this.o.policy === 'output') {
      const out: Array<NodeMessage | null> = Array.from({ length: this.o.outputs }, () => null);
      out[this.o.outputs - 1] = { ...waiter.msg, ...extra, payload: reply ?? null, request, error: { code: error.code, message: error.message, ...error.details, sent } } as NodeMessage;
      waiter.send(out);
      waiter.done();
      return;
    }
    // done(err) reports the input msg, with what was sent and what came back.
    Object.assign(waiter.msg, extra, { request }, reply === undefined ? {} : { reply });
    waiter.done(error);
  }

  /**
   * Answers every waiting request, failed as "closed" with `why(waiter)`: those not yet published
   * are withdrawn (sent false), never published after their node stopped. Returns the errors.
   */
  close(why: (waiter: W, key: K) => string): ProtocolError[] {
    const all = [...this.open.values()];
    this.open.clear();
    this.openKeys = undefined;
    this.byKey.clear();
    this.stopTimer();
    this.o.changed?.();
    const errors = all.map((e) => this.giveUp(e, 'closed', why(e.waiter, e.key)));
    if (this.o.policy === 'output') for (const error of errors) this.o.logStopped?.(error);
    if (this.o.nodeId !== undefined) {
      this.forgetOld();
      forgetStoppedBefore(Date.now() - this.lateKeepMs);
      if (this.givenUp.length > 0) givenUpByNode.set(this.o.nodeId, this.givenUp.splice(0));
    }
    return errors;
  }

  /** Withdraws the request if it still waits to leave, remembers its key for late replies if it left, fails it. */
  private giveUp(entry: Open<K, W>, code: string, why: string): ProtocolError {
    const sent = !entry.waiter.outgoing?.withdraw();
    if (sent) this.givenUp.push({ key: entry.key, at: Date.now() });
    const partial = this.o.partial?.(entry.waiter);
    const error = new ProtocolError(code, `${why}; the ${this.o.what} ${sent ? 'was sent and may still take effect' : 'was withdrawn before it was sent'}`, partial?.details);
    this.fail(entry.waiter, error, sent, partial?.reply);
    return error;
  }

  private remove(waiter: W): boolean {
    const entry = this.open.get(waiter);
    if (!entry) return false;
    this.open.delete(waiter);
    this.openKeys = undefined;
    const same = this.byKey.get(entry.key)!;
    if (same.length === 1) this.byKey.delete(entry.key);
    else same.splice(same.indexOf(entry), 1);
    // The timer stays set for a later deadline (a fire with nothing due only sets it again), but
    // none is left running for a node with nothing waiting.
    if (this.open.size === 0) this.stopTimer();
    this.o.changed?.();
    return true;
  }

  private get lateKeepMs(): number {
    return this.o.lateKeepMs ?? 10 * 60_000;
  }

  private forgetOld(): void {
    const keep = this.o.lateKeep ?? 200;
    const since = Date.now() - this.lateKeepMs;
    while (this.givenUp.length > keep || (this.givenUp[0] && this.givenUp[0].at < since)) this.givenUp.shift();
  }
}

/** Drops what stopped nodes gave up before `since` (a node deleted never takes its list back). */
function forgetStoppedBefore(since: number): void {
  for (const [id, list] of givenUpByNode) if ((list.at(-1)?.at ?? 0) < since) givenUpByNode.delete(id);
}
