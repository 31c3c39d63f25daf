import { check } from '../../editor/validators';
import { connectionDefaults, connectionValidator, prepareConnectionForm, readConnectionForm, type ConnectionValue } from '../../editor/connection-form';

const DEFAULT_URL = 'mqtt://mqtt.aiotos.net:1883';

interface IotosConnectionEditorNode {
  name?: string;
  gatewayId?: string | number;
  deviceId?: string | number;
  connection?: Partial<ConnectionValue>;
  _: (k: string) => string;
}

/** The platform fixes the client id; the dialog shows it read-only. */
function showClientId(): void {
  const gw = String($('#node-config-input-gatewayId').val() ?? '').trim();
  const dev = String($('#node-config-input-deviceId').val() ?? '').trim();
  $('#node-config-input-conn-clientId').val(`device_${gw}_${dev}`).prop('readonly', true);
}

RED.nodes.registerType('iotos-connection', {
  category: 'config',
  paletteLabel: function (this: { _: (k: string) => string }) { return this._('paletteLabel'); },
  defaults: {
    version: { value: 1 },
    name: { value: '' },
    gatewayId: { value: '', required: true, validate: check((v) => /^\d+$/.test(String(v ?? '').trim()), 'errors.gatewayId') },
    deviceId: { value: '', required: true, validate: check((v) => /^\d+$/.test(String(v ?? '').trim()), 'errors.deviceId') },
    connection: {
      value: connectionDefaults('mqtt://mqtt.aiotos.net:1883'),
      // The platform fixes the client id as device_<gateway>_<device>.
      validate: connectionValidator<IotosConnectionEditorNode>({ clientId: (node) => `device_${node.gatewayId ?? ''}_${node.deviceId ?? ''}` }),
    },
    tls: { type: 'tls-config', required: false },
  },
  credentials: {
    username: { type: 'text' },
    password: { type: 'password' },
  },
  label: function (this: IotosConnectionEditorNode) {
    return this.name || (this.gatewayId !== undefined && this.gatewayId !== '' ? `IOTOS device_${this.gatewayId}_${this.deviceId}` : 'IOTOS device');
  },
  oneditprepare: function (this: IotosConnectionEditorNode) {
    prepareConnectionForm(this.connection, DEFAULT_URL);
    $('#node-config-input-gatewayId, #node-config-input-deviceId').on('input change', showClientId);
    showClientId();
    // The platform fixes the client id per device: no shared subscriptions, and a persistent
    // session is the platform's choice, not the user's.
    for (const name of ['shareGroup', 'persistent']) $(`#node-config-input-conn-${name}`).closest('.form-row').hide();
  },
  oneditsave: function (this: IotosConnectionEditorNode) {
    showClientId();
    this.connection = readConnectionForm(this.connection);
  },
});
