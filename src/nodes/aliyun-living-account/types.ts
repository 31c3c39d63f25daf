import type { SharedMqttConnection } from '../../lib/mqtt/shared-connection';
import type { PlatformOwner } from '../../lib/platform/account';

/** Its user nodes get the app channel's identity: `/sys/{productKey}/{deviceName}/app/...`. */
export type AliyunLivingAccountNode = PlatformOwner<SharedMqttConnection, { productKey: string; deviceName: string; clientId: string }>;
