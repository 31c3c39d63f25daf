import type { Node } from 'node-red';
import type { AmqpSubscription } from '../../lib/amqp/amqp-subscription';

export interface AliyunAmqpConnectionNode extends Node {
  subscription?: AmqpSubscription;
  /** Why the connection cannot be used, for the user nodes' status. */
  problem?: string;
  /** The same in the runtime's language, for the user nodes' logs. */
  problemText?: string;
}
