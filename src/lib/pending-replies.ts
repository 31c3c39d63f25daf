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
