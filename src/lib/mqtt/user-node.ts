/** How a user node (jointech-in, eztcloud-out, ...) joins its config node's shared connection. */
import type { Node } from 'node-red';
import type { NodeStatusView } from '../node-status';
import type { SharedMqttConnection } from './shared-connection';

export function joinConnection(node: Node, connection: SharedMqttConnection, view: NodeStatusView): void {
  connection.register({ id: node.id, onConnectionState: (state) => view.connection(state) });
  node.on('close', (removed: boolean, done: () => void) => {
    connection.deregister(node, removed);
    view.close();
    done();
  });
}
