import type { SharedMqttConnection } from '../../lib/mqtt/shared-connection';
import type { PlatformOwner } from '../../lib/platform/account';
import type { JointechAccountConfig } from '../../protocols/jointech/account';

/** Its user nodes get the account's accessKey, QoS and password mode with the connection. */
export type JointechAccountNode = PlatformOwner<SharedMqttConnection, JointechAccountConfig>;
