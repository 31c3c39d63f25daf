/**
 * What the kit needs of a platform's shared connection, whatever it speaks (MQTT, AMQP): users
 * register and deregister, hear of state changes, and the account node closes it. Also the
 * connection states, their reasons for a socket error and the reconnect backoff every transport
 * shares.
 */
import { STATUS_TEXTS, fillStatus } from '../status-texts';

export type ConnectionPhase = 'idle' | 'connecting' | 'connected' | 'disconnected' | 'closed';

export interface ConnectionState {
  phase: ConnectionPhase;
  /** Why we are not connected, in words a user understands ("not authorised", "connection refused"). */
  reason?: string;
}

export interface TransportUser {
  id: string;
  onConnectionState(state: ConnectionState): void;
}

/** `User` is what a node hands over to take part (an AMQP user also takes the messages). */
export interface PlatformTransport<User extends TransportUser = TransportUser> {
  register(user: User): void;
  /**
   * Removes the user and whatever it subscribed. `removed` is Node-RED's flag: the node was
   * deleted, not just restarted (a persistent session keeps a restarted node's subscriptions).
   */
  deregister(user: { id: string }, removed: boolean): void;
  /**
   * Ends the connection. `removed`: the account node was deleted, so whatever a persistent session
   * holds at the broker for it goes too (no node will resume it).
   */
  close(removed?: boolean): Promise<void>;
}

const REASONS = STATUS_TEXTS['en-US'].reasons;

/** The short reason for a socket or TLS error code (any protocol), or undefined for others. */
export function describeSocketError(code: unknown): string | undefined {
  switch (code) {
    case 'ECONNREFUSED': return REASONS.connectionRefused;
    case 'ENOTFOUND':
    case 'EAI_AGAIN': return REASONS.hostNotFound;
    case 'ETIMEDOUT': return REASONS.connectionTimedOut;
    case 'ECONNRESET': return REASONS.connectionReset;
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'CERT_HAS_EXPIRED':
    case 'ERR_TLS_CERT_ALTNAME_INVALID': return fillStatus(REASONS.tlsRejected, { code });
    default: return undefined;
  }
}

/** Next reconnect delay: exponential from `min` to `max`, with full jitter in the upper half. */
export function backoffDelay(attempt: number, minMs: number, maxMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMs, minMs * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
