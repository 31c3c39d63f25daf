/** Socket options from core's `tls-config` node, shared by the MQTT and AMQP config nodes. */
import type { Node, NodeAPI } from 'node-red';

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
    else node.warn('the TLS configuration node was not found; using default certificate checks');
  }
  if (tls.rejectUnauthorized === false) {
    node.warn('TLS certificate verification is switched off for this connection; anyone on the path can read and change its traffic');
  }
  return tls;
}
