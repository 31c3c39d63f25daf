/**
 * iotos-connection: an IOTOS platform account and one device (gateway id + device id), with the
 * one shared MQTT connection whose client id the platform fixes as device_{gatewayId}_{deviceId}.
 */
import type { NodeAPI } from 'node-red';
import { z } from 'zod';
import { defineAccountNode, openMqttTransport } from '../../lib/platform/account';
import { PlatformId, clientIdFor } from '../../protocols/iotos/account';

const IotosConnectionConfig = z.object({ gatewayId: PlatformId, deviceId: PlatformId });

function init(RED: NodeAPI): void {
  defineAccountNode(RED, {
    type: 'iotos-connection',
    credentials: { username: { type: 'text' }, password: { type: 'password' } },
    schema: IotosConnectionConfig,
    invalid: 'invalidIotosDevice',
    connect(device, creds, node, def) {
      // The platform only accepts its own client id form.
      return openMqttTransport(RED, node, def, { auth: creds, info: () => device, overrides: { clientId: clientIdFor(device.gatewayId, device.deviceId) } });
    },
  });
}

export = init;
