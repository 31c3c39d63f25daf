/**
 * What a user node shows under itself: the shared connection's state, plus a red flash with a
 * running error count when a message could not be handled.
 */
import type { Node, NodeStatus } from 'node-red';
import type { ConnectionState } from './platform/transport';
import { fillStatus, STATUS_TEXTS } from './status-texts';

/** English, as flows see it; the editor shows it in its own language (src/editor/status-i18n.ts). */
const W = STATUS_TEXTS['en-US'];

const FLASH_MS = 5000;
/**
 * Notes (counts that change with every request or message) are shown at most this often: a
 * status per message would cost Node-RED a status event each and flood every open editor.
 */
const NOTE_MS = 200;

export class NodeStatusView {
  private conn: ConnectionState | undefined;
  /** The state of a source that is no MQTT connection (a TCP listener, say), shown as given. */
  private source: NodeStatus | undefined;
  private flashText: string | undefined;
  private flashTimer: NodeJS.Timeout | undefined;
  private detail: string | undefined;
  private noteTimer: NodeJS.Timeout | undefined;
  private noteShownAt = 0;
  /** The status last given to Node-RED, so that an unchanged one is not sent again. */
  private shown: NodeStatus | undefined;
  errors = 0;

  constructor(private readonly node: Pick<Node, 'status'>) {}

  /** The connection this node uses changed state. */
  connection(state: ConnectionState): void {
    this.conn = state;
    this.render();
  }

  /** The source this node uses (not an MQTT connection) is now in `status`. */
  server(status: NodeStatus): void {
    this.source = status;
    this.render();
  }

  /** A short note shown after the connection state, e.g. "subscribed to 3 filters". */
  note(text: string | undefined): void {
    this.detail = text;
    // A render is due already: it will show this text.
    if (this.noteTimer) return;
    const since = Date.now() - this.noteShownAt;
    if (since >= NOTE_MS) {
      this.noteShownAt = Date.now();
      this.render();
      return;
    }
    this.noteTimer = setTimeout(() => {
      this.noteTimer = undefined;
      this.noteShownAt = Date.now();
      this.render();
    }, NOTE_MS - since);
    this.noteTimer.unref?.();
  }

  /** Counts a failed message and shows it in red for a few seconds. */
  error(text: string): void {
    this.errors++;
    this.flashText = text.length > 60 ? `${text.slice(0, 57)}...` : text;
    clearTimeout(this.flashTimer);
    this.flashTimer = setTimeout(() => {
      this.flashText = undefined;
      this.render();
    }, FLASH_MS);
    this.flashTimer.unref?.();
    this.render();
  }

  /** A configuration problem that stops the node: stays red until redeploy. */
  fatal(text: string): void {
    this.conn = undefined;
    this.source = undefined;
    this.flashText = undefined;
    clearTimeout(this.noteTimer);
    this.noteTimer = undefined;
    this.show({ fill: 'red', shape: 'ring', text });
  }

  close(): void {
    clearTimeout(this.flashTimer);
    clearTimeout(this.noteTimer);
    this.noteTimer = undefined;
  }

  private render(): void {
    this.show(this.compose());
  }

  private show(status: NodeStatus): void {
    const last = this.shown;
    if (last && last.fill === status.fill && last.shape === status.shape && last.text === status.text) return;
    this.shown = status;
    this.node.status(status);
  }

  private compose(): NodeStatus {
    const count = this.errors > 0 ? ` (${fillStatus(this.errors === 1 ? W.error : W.errors, { count: this.errors })})` : '';
    if (this.flashText) return { fill: 'red', shape: 'dot', text: `${this.flashText}${count}` };
    const extra = `${this.detail ? ` · ${this.detail}` : ''}${count}`;
    if (this.source) return { ...this.source, text: `${String(this.source.text ?? '')}${extra}` };
    const state = this.conn;
    if (!state) return { fill: 'grey', shape: 'dot', text: `${W.ready}${extra}` };
    switch (state.phase) {
      case 'connected':
        return { fill: 'green', shape: 'dot', text: `${W.connected}${extra}` };
      case 'connecting':
      case 'idle':
        return { fill: 'yellow', shape: 'ring', text: `${state.reason ? fillStatus(W.connectingLast, { reason: state.reason }) : W.connecting}${count}` };
      case 'disconnected':
        return { fill: 'red', shape: 'ring', text: `${fillStatus(W.disconnected, { reason: state.reason ?? W.connectionLost })}${count}` };
      case 'closed':
        return { fill: 'grey', shape: 'ring', text: W.closed };
    }
  }
}
