import { connectionDefaults, connectionValidator, prepareConnectionForm, readConnectionForm, type ConnectionValue } from '../../editor/connection-form';

const DEFAULT_URL = 'mqtts://mqtt.eztcloud.com:7885';

interface EztcloudProjectEditorNode {
  name?: string;
  localTest?: boolean;
  connection?: Partial<ConnectionValue>;
  credentials?: { projectKey?: string };
  _: (k: string) => string;
}

RED.nodes.registerType('eztcloud-project', {
  category: 'config',
  paletteLabel: function (this: { _: (k: string) => string }) { return this._('paletteLabel'); },
  defaults: {
    version: { value: 1 },
    name: { value: '' },
    localTest: { value: false },
    connection: {
      value: connectionDefaults('mqtts://mqtt.eztcloud.com:7885'),
      // The platform is TLS only; plain mqtt:// and ws:// only for a local test broker.
      validate: connectionValidator<EztcloudProjectEditorNode>({ tlsOnly: (node) => !node.localTest }),
    },
    tls: { type: 'tls-config', required: false },
  },
  credentials: {
    projectKey: { type: 'text' },
    projectSecret: { type: 'password' },
  },
  label: function (this: EztcloudProjectEditorNode) {
    return this.name || 'EZtCloud project';
  },
  oneditprepare: function (this: EztcloudProjectEditorNode) {
    prepareConnectionForm(this.connection, DEFAULT_URL, () => !$('#node-config-input-localTest').prop('checked'));
  },
  oneditsave: function (this: EztcloudProjectEditorNode) {
    this.connection = readConnectionForm(this.connection);
  },
});
