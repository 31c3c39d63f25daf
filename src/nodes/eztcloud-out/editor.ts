import { translateStatuses } from '../../editor/status-i18n';
import { fieldType, typedField } from '../../editor/typed-fields';
import { isFailurePort, keepStoredFailures, outputsWithFailures, showFailures } from '../../editor/failures';

interface EztcloudOutEditorNode {
  name?: string;
  action?: string;
  device?: string;
  deviceType?: string;
  method?: string;
  methodType?: string;
  failures?: string;
  outputs?: number;
  _?: (key: string) => string;
}

translateStatuses();

RED.nodes.registerType('eztcloud-out', {
  category: 'Chinese IoT',
  color: '#c7e9c0',
  defaults: {
    version: { value: 1 },
    name: { value: '' },
    project: { type: 'eztcloud-project', required: true },
    action: { value: 'command_send' },
    // Typed text must be a device username; a msg/flow/global/env field is checked per message.
    device: { value: '', validate: function (this: Record<string, unknown>, v: string) { return fieldType(this, 'device') !== 'str' || (v ?? '') === '' || /^DU_[\w-]+$/.test(v.trim()); } },
    deviceType: { value: 'str' },
    method: { value: '' },
    methodType: { value: 'str' },
    waitReply: { value: true },
    timeout: { value: 10, validate: RED.validators.number() },
    failures: { value: 'output' },
    outputs: { value: 2 },
  },
  inputs: 1,
  outputs: 1,
  icon: 'eztcloud.svg',
  align: 'right',
  paletteLabel: function (this: { _: (k: string) => string }) { return this._('paletteLabel'); },
  label: function (this: EztcloudOutEditorNode) {
    if (this.name) return this.name;
    if (this.action === 'attributes_push') return 'eztcloud attributes';
    // The palette's name unless the dialog names the command itself.
    return (this.methodType ?? 'str') === 'str' && this.method ? `eztcloud ${this.method}` : this._?.('paletteLabel') ?? 'eztcloud out';
  },
  outputLabels: function (this: EztcloudOutEditorNode & { _: (k: string) => string }, i: number) {
    return this._(isFailurePort(this, i, 'catch') ? 'failures.port' : 'outputs.all');
  },
  onadd: function (this: EztcloudOutEditorNode) {
    keepStoredFailures(this, 1);
  },
  oneditprepare: function (this: EztcloudOutEditorNode) {
    showFailures(this.failures, 'catch');
    typedField('device');
    typedField('method');
    const show = () => $('.eztcloud-command').toggle($('#node-input-action').val() === 'command_send');
    $('#node-input-action').on('change', show);
    show();
  },
  oneditsave: function (this: EztcloudOutEditorNode) {
    this.outputs = outputsWithFailures(1);
  },
});
