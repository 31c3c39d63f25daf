/**
 * The status under a gb32960-in or gb32960-command node: its server's state (listening, vehicles
 * online, failed) plus the node's own note, with a red flash and running count for errors.
 */
import type { Node, NodeAPI, NodeStatus } from 'node-red';
import type { z } from 'zod';
import { describeIssues } from '../../protocols/protocol-error';
import type { Gb32960ServerNode } from './types';

const FLASH_MS = 5000;

export class UserStatus {
  private serverStatus: NodeStatus = { fill: 'yellow', shape: 'ring', text: 'starting' };
  private noteText: string | undefined;
  private flashText: string | undefined;
  private flashTimer: NodeJS.Timeout | undefined;
  errors = 0;

  constructor(private readonly node: Pick<Node, 'status'>) {}

  server(s: NodeStatus): void {
    this.serverStatus = s;
    this.render();
  }

  note(text: string | undefined): void {
    this.noteText = text;
    this.render();
  }

  error(text: string): void {
    this.errors++;
    this.flashText = text.length > 60 ? `${text.slice(0, 57)}...` : text;
    clearTimeout(this.flashTimer);
    this.flashTimer = setTimeout(() => {
      this.flashText = undefined;
      this.render();
    }, FLASH_MS);
    this.flashTimer.unref();
    this.render();
  }

  fatal(text: string): void {
    this.serverStatus = { fill: 'red', shape: 'ring', text };
    this.render();
  }

  close(): void {
    clearTimeout(this.flashTimer);
  }

  private render(): void {
    const count = this.errors > 0 ? ` (${this.errors} error${this.errors === 1 ? '' : 's'})` : '';
    if (this.flashText) {
      this.node.status({ fill: 'red', shape: 'dot', text: `${this.flashText}${count}` });
      return;
    }
    const s = this.serverStatus;
    this.node.status({ ...s, text: `${String(s.text ?? '')}${this.noteText ? ` · ${this.noteText}` : ''}${count}` });
  }
}

/**
 * A user node's set-up: its dialog settings through `schema` and the server they name, with the
 * status view; on a problem the node says why, shows it in red and gets undefined.
 */
export function serverUser<S extends z.ZodType<{ server: string }>>(RED: NodeAPI, node: Node, schema: S, def: unknown):
  { cfg: z.infer<S>; server: Gb32960ServerNode; view: UserStatus } | undefined {
  const view = new UserStatus(node);
  const parsed = schema.safeParse(def);
  const problem = !parsed.success ? `invalid configuration: ${describeIssues(parsed.error)}` : undefined;
  const server = parsed.success ? RED.nodes.getNode((parsed.data as { server: string }).server) as Gb32960ServerNode | null : null;
  if (problem || !server || typeof server.register !== 'function') {
    node.error(problem ?? 'the gb32960 server configuration node was not found');
    view.fatal(problem ?? 'no server');
    return undefined;
  }
  return { cfg: parsed.data as z.infer<S>, server, view };
}
