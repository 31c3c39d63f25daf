import { check } from '../../editor/validators';
import { connectionDefaults, connectionValidator, prepareConnectionForm, readConnectionForm, type ConnectionValue } from '../../editor/connection-form';

const DEFAULT_URL = 'mqtt://mqtt.assetscontrols.com:1883';

RED.nodes.registerType('jointech-account', {
  category: 'config',
  paletteLabel: function (this: { _: (k: string) => string }) { return this._('paletteLabel'); },
  defaults: {
    version: { value: 1 },
    name: { value: '' },
    accessKey: { value: '', required: true, validate: check((v) => /^[^\s+#/]+$/.test(String(v ?? '')), 'errors.accessKey') },
    passwordMode: { value: 'md5' },
    qos: { value: 1 },
    connection: {
      value: connectionDefaults('mqtt://mqtt.assetscontrols.com:1883'),
      validate: connectionValidator(),
    },
    tls: { type: 'tls-config', required: false },
  },
  credentials: {
    username: { type: 'text' },
    password: { type: 'password' },
  },
  label: function (this: { name?: string; accessKey?: string }) {
    return this.name || (this.accessKey ? `Jointech ${this.accessKey}` : 'Jointech account');
  },
  oneditprepare: function (this: { connection?: Partial<ConnectionValue> }) {
    prepareConnectionForm(this.connection, DEFAULT_URL);
  },
  oneditsave: function (this: { connection?: Partial<ConnectionValue> }) {
    this.connection = readConnectionForm(this.connection);
  },
});
