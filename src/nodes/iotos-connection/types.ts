import type { SharedMqttConnection } from '../../lib/mqtt/shared-connection';
import type { PlatformOwner } from '../../lib/platform/account';

/** Its user nodes get the one device the connection speaks for. */
export type IotosConnectionNode = PlatformOwner<SharedMqttConnection, { gatewayId: number; deviceId: number }>;
