import type { Node } from 'node-red';
import type { SharedMqttConnection } from '../../lib/mqtt/shared-connection';

export interface EztcloudProjectNode extends Node {
  projectKey?: string;
  connection?: SharedMqttConnection;
  /** Why the project cannot be used, for the user nodes' status. */
  problem?: string;
  /** The same in the runtime's language, for the user nodes' logs. */
  problemText?: string;
}
