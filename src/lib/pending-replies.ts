import type { NodeMessageInFlow } from 'node-red';
import { ProtocolError } from '../protocols/protocol-error';
import type { Outgoing } from './mqtt/shared-connection';
import type { NodeStatusView } from './node-status';

/**
 * Requests that wait for a reply carrying the same id, each with its own deadline. Used by nodes
 * that publish a request and answer their input only when the reply (or the timeout) arrives.
 */
export class PendingReplies<T> {
  private readonly waiting = new Map<string, { entry: T; timer: NodeJS.Timeout }>();

  get size(): number {
    return this.waiting.size;
  }

  has(id: string): boolean {
    return this.waiting.has(id);
  }

  /** Holds `entry` until take(id) or, after `timeoutMs`, hands it to `onTimeout`. */
  add(id: string, entry: T, timeoutMs: number, onTimeout: (entry: T) => void): void {
    const timer = setTimeout(() => {
      if (this.waiting.delete(id)) onTimeout(entry);
    }, timeoutMs);
    this.waiting.set(id, { entry, timer });
  }

  /** The entry waiting for `id`, removed, or undefined when none waits (late or foreign reply). */
  take(id: string): T | undefined {
    const w = this.waiting.get(id);
    if (!w) return undefined;
    clearTimeout(w.timer);
    this.waiting.delete(id);
    return w.entry;
  }

  /** Removes and returns every entry (node closing). */
  drain(): T[] {
    const all = [...this.waiting.values()];
    this.waiting.clear();
    for (const w of all) clearTimeout(w.timer);
    return all.map((w) => w.entry);
  }
}

/**
 * Gives up a request's publish (timeout, node stopped): withdrawn if it still waits, so that a
 * request reported as failed never takes effect later. Says whether it was sent, and in words.
 */
export function withdrawRequest(outgoing: Outgoing | undefined, what: string): { sent: boolean; outcome: string } {
  const sent = !outgoing?.withdraw();
  return { sent, outcome: sent ? `the ${what} was sent and may still take effect` : `the ${what} was withdrawn before it was sent` };
}

/** A request waiting for its reply, answered through `done` (Catch) when it fails. */
export interface WaitingRequest {
  msg: NodeMessageInFlow;
  request: Record<string, unknown>;
  done: (err?: Error) => void;
  outgoing?: Outgoing;
}

/** Reports a request given up to Catch, with `msg.request.sent` saying whether it left. */
export function failWaiting(w: WaitingRequest, view: NodeStatusView, code: string, why: string, what: string): void {
  const { sent, outcome } = withdrawRequest(w.outgoing, what);
  const error = new ProtocolError(code, `${why}; ${outcome}`);
  view.error(error.message);
  Object.assign(w.msg, { request: { ...w.request, sent } });
  w.done(error);
}
