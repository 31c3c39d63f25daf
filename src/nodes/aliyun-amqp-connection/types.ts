import type { AmqpSubscription } from '../../lib/amqp/amqp-subscription';
import type { PlatformOwner } from '../../lib/platform/account';

/** One receiver link the platform pushes everything through; its user nodes pick what is theirs. */
export type AliyunAmqpConnectionNode = PlatformOwner<AmqpSubscription, Record<string, never>>;
