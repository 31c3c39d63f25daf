import type { SharedMqttConnection } from '../../lib/mqtt/shared-connection';
import type { PlatformOwner } from '../../lib/platform/account';

/** Its user nodes get the projectKey their topics carry with the connection. */
export type EztcloudProjectNode = PlatformOwner<SharedMqttConnection, { projectKey: string }>;
