import type { Node, NodeStatus } from 'node-red';
import type { Gb32960Platform, SessionEvent, SessionInfo, VehicleFrame } from './platform';
import type { ProtocolError } from '../../protocols/protocol-error';

/** What a user node hears from its server. */
export interface ServerListener {
  /** The server's status changed (listening, count of vehicles, failed). */
  status(s: NodeStatus): void;
  frame?(f: VehicleFrame): void;
  session?(event: SessionEvent, session: SessionInfo, detail?: string): void;
  problem?(err: ProtocolError, session: SessionInfo, raw?: Buffer): void;
}

export interface Gb32960ServerNode extends Node {
  platform?: Gb32960Platform;
  register(id: string, listener: ServerListener): void;
  deregister(id: string): void;
}
