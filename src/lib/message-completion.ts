/**
 * When has a flow finished with a message? Node-RED's own answer (the one its Complete node
 * uses): each node that received the message has called `done()`. Through the runtime hooks,
 * every delivery of a tracked message (same `_msgid`, clones included) is counted, and every
 * `done()` of a node that received it counts it off; at zero the message is complete.
 *
 * What this cannot see: a node that replaces the message by a new one (a new `_msgid`) or hands
 * it on outside the wires (link nodes) has finished with it at that point; a node that never
 * calls `done()` is waited for until the deadline.
 */
import type { NodeAPI, NodeMessage } from 'node-red';

/** Every node was done with the message; the deadline passed; tracking stopped (redeploy). */
export type CompletionOutcome = 'complete' | 'deadline' | 'stopped';

interface Tracked {
  /** Deliveries per receiving node not yet done. */
  open: Map<string, number>;
  total: number;
  finish(outcome: CompletionOutcome): void;
  timer: NodeJS.Timeout;
}

export class MessageCompletion {
  private readonly tracked = new Map<string, Tracked>();
  private users = 0;
  /** Hooks are runtime-wide: a label of its own, so that removing them touches no one else's. */
  private readonly label = `cniotCompletion${Math.random().toString(36).slice(2, 10)}`;

  constructor(private readonly RED: NodeAPI) {}

  /** A node that tracks messages starts; the hooks are in place while any does. */
  acquire(): void {
    if (this.users++ > 0) return;
    this.RED.hooks.add(`preDeliver.${this.label}`, (event: { msg: NodeMessage; destination: { id: string } }) => {
      const t = this.tracked.get(event.msg._msgid ?? '');
      if (!t) return;
      t.open.set(event.destination.id, (t.open.get(event.destination.id) ?? 0) + 1);
      t.total++;
    });
    this.RED.hooks.add(`onComplete.${this.label}`, (event: { msg: NodeMessage; node: { id: string } }) => {
      const t = this.tracked.get(event.msg._msgid ?? '');
      // Catch, Status and Complete nodes get copies without a delivery: not counted either way.
      const n = t?.open.get(event.node.id);
      if (!t || !n) return;
      if (n === 1) t.open.delete(event.node.id);
      else t.open.set(event.node.id, n - 1);
      if (--t.total === 0) t.finish('complete');
    });
  }

  release(): void {
    if (--this.users > 0) return;
    this.RED.hooks.remove(`*.${this.label}`);
    for (const t of [...this.tracked.values()]) t.finish('stopped');
  }

  /**
   * Sends `msg` (with a fresh `_msgid`) through `send` and resolves when every node it reached
   * is done with it, after `deadlineMs`, or when tracking stops, saying which.
   */
  track(msg: NodeMessage, send: (msg: NodeMessage) => void, deadlineMs: number): Promise<CompletionOutcome> {
    const id = this.RED.util.generateId();
    msg._msgid = id;
    return new Promise<CompletionOutcome>((resolve) => {
      const t: Tracked = {
        open: new Map(),
        total: 0,
        finish: (outcome) => {
          if (this.tracked.get(id) !== t) return;
          this.tracked.delete(id);
          clearTimeout(t.timer);
          resolve(outcome);
        },
        timer: setTimeout(() => t.finish('deadline'), deadlineMs),
      };
      this.tracked.set(id, t);
      send(msg);
      // Wired to nothing (or every branch dropped it at once): complete now.
      if (t.total === 0) t.finish('complete');
    });
  }
}

const perRuntime = new WeakMap<NodeAPI, MessageCompletion>();

/** The one tracker of a runtime (hooks are runtime-wide). */
export function messageCompletion(RED: NodeAPI): MessageCompletion {
  let c = perRuntime.get(RED);
  if (!c) perRuntime.set(RED, (c = new MessageCompletion(RED)));
  return c;
}
