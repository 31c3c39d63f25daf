import type { Node } from 'node-red';
import type { SharedMqttConnection } from '../../lib/mqtt/shared-connection';

export interface IotosConnectionNode extends Node {
  device?: { gatewayId: number; deviceId: number };
  connection?: SharedMqttConnection;
  /** Why the connection cannot be used, for the user nodes' status. */
  problem?: string;
  /** The same in the runtime's language, for the user nodes' logs. */
  problemText?: string;
}
