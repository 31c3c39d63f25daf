import { translateStatuses } from '../../editor/status-i18n';
interface AliyunAmqpInEditorNode {
  name?: string;
  topicFilter?: string;
}

translateStatuses();

RED.nodes.registerType('aliyun-amqp-in', {
  category: 'Chinese IoT',
  color: '#ffcc99',
  defaults: {
    version: { value: 1 },
    name: { value: '' },
    connection: { type: 'aliyun-amqp-connection', required: true },
    topicFilter: { value: '#', validate: function (v: string) { return /^(#|(\+|[^+#]*)(\/(\+|[^+#]*))*(\/#)?)$/.test(v || '#'); } },
    payloadFormat: { value: 'json' },
    accept: { value: 'emitted' },
  },
  inputs: 0,
  outputs: 1,
  icon: 'aliyun.svg',
  paletteLabel: function (this: { _: (k: string) => string }) { return this._('paletteLabel'); },
  label: function (this: AliyunAmqpInEditorNode & { _: (k: string) => string }) {
    return this.name || (this.topicFilter && this.topicFilter !== '#' ? `amqp ${this.topicFilter}` : this._('paletteLabel'));
  },
});
