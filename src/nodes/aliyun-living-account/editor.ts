import { check } from '../../editor/validators';
import { connectionDefaults, connectionValidator, prepareConnectionForm, readConnectionForm, type ConnectionValue } from '../../editor/connection-form';

const DEFAULT_URL = 'mqtts://iot-as-mqtt.cn-shanghai.aliyuncs.com:1883';

interface AliyunLivingAccountEditorNode {
  name?: string;
  productKey?: string;
  deviceName?: string;
  connection?: Partial<ConnectionValue>;
  _: (k: string) => string;
}

RED.nodes.registerType('aliyun-living-account', {
  category: 'config',
  paletteLabel: function (this: { _: (k: string) => string }) { return this._('paletteLabel'); },
  defaults: {
    version: { value: 1 },
    name: { value: '' },
    productKey: { value: '', required: true, validate: check((v) => /^[^\s+#/]+$/.test(String(v ?? '')), 'errors.productKey') },
    deviceName: { value: '', required: true, validate: check((v) => /^[^\s+#/]+$/.test(String(v ?? '')), 'errors.deviceName') },
    connection: {
      value: connectionDefaults('mqtts://iot-as-mqtt.cn-shanghai.aliyuncs.com:1883'),
      validate: connectionValidator(),
    },
    tls: { type: 'tls-config', required: false },
  },
  credentials: {
    username: { type: 'text' },
    password: { type: 'password' },
  },
  label: function (this: AliyunLivingAccountEditorNode) {
    return this.name || (this.productKey ? `Living ${this.productKey}/${this.deviceName ?? ''}` : 'Aliyun Living channel');
  },
  oneditprepare: function (this: AliyunLivingAccountEditorNode) {
    prepareConnectionForm(this.connection, DEFAULT_URL);
  },
  oneditsave: function (this: AliyunLivingAccountEditorNode) {
    this.connection = readConnectionForm(this.connection);
  },
});
