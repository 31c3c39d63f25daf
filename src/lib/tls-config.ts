/** Socket options from core's `tls-config` node, shared by the MQTT and AMQP config nodes. */
import type { Node, NodeAPI } from 'node-red';
import { say } from './log-text';

interface TlsConfigNode extends Node {
  addTLSOptions(opts: Record<string, unknown>): void;
}

/**
 * The socket options of core's `tls-config` node `tlsId` (CA, client certificate, verification),
 * with a warning in the log when certificate checks are off.
 */
export function tlsOptionsFrom(RED: NodeAPI, node: Node, tlsId: string | undefined): Record<string, unknown> {
  const tls: Record<string, unknown> = {};
  if (tlsId) {
    const tlsNode = RED.nodes.getNode(tlsId) as TlsConfigNode | null;
    if (tlsNode && typeof tlsNode.addTLSOptions === 'function') tlsNode.addTLSOptions(tls);
    else node.warn(say(RED, 'tlsNodeMissing'));
  }
  if (tls.rejectUnauthorized === false) {
    node.warn(say(RED, 'tlsUnverified'));
  }
  return tls;
}
