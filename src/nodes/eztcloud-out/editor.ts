import { translateStatuses } from '../../editor/status-i18n';
interface EztcloudOutEditorNode {
  name?: string;
  action?: string;
  device?: string;
  method?: string;
}

translateStatuses();

RED.nodes.registerType('eztcloud-out', {
  category: 'Chinese IoT',
  color: '#c7e9c0',
  defaults: {
    name: { value: '' },
    project: { type: 'eztcloud-project', required: true },
    action: { value: 'command_send' },
    device: { value: '', validate: function (v: string) { return (v ?? '') === '' || /^DU_[\w-]+$/.test(v.trim()); } },
    method: { value: '' },
    waitReply: { value: true },
    timeout: { value: 10, validate: RED.validators.number() },
  },
  inputs: 1,
  outputs: 1,
  icon: 'eztcloud.svg',
  align: 'right',
  paletteLabel: function (this: { _: (k: string) => string }) { return this._('paletteLabel'); },
  label: function (this: EztcloudOutEditorNode) {
    return this.name || `eztcloud ${this.action === 'attributes_push' ? 'attributes' : this.method || 'command'}`;
  },
  outputLabels: ['reply / sent'],
  oneditprepare: function () {
    const show = () => $('.eztcloud-command').toggle($('#node-input-action').val() === 'command_send');
    $('#node-input-action').on('change', show);
    show();
  },
});
