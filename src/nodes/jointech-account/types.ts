import type { Node } from 'node-red';
import type { SharedMqttConnection } from '../../lib/mqtt/shared-connection';
import type { JointechAccountConfig } from '../../protocols/jointech/account';

export interface JointechAccountNode extends Node {
  account?: JointechAccountConfig;
  connection?: SharedMqttConnection;
  /** Why the account cannot be used, for the user nodes' status. */
  problem?: string;
  /** The same in the runtime's language, for the user nodes' logs. */
  problemText?: string;
}
