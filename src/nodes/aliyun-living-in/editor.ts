import { renderCheckboxes, tickedValues } from '../../editor/checkbox-list';
import { isFailurePort, keepStoredFailures, outputsWithFailures, showFailures } from '../../editor/failures';
import { translateStatuses } from '../../editor/status-i18n';
import { LIVING_KINDS } from '../../protocols/aliyun/kinds';

interface AliyunLivingInEditorNode {
  name?: string;
  kinds?: string[];
  failures?: string;
  outputs?: number;
  _: (k: string) => string;
}

translateStatuses();

RED.nodes.registerType('aliyun-living-in', {
  category: 'Chinese IoT',
  color: '#ffcc99',
  defaults: {
    version: { value: 1 },
    name: { value: '' },
    account: { type: 'aliyun-living-account', required: true },
    kinds: { value: [...LIVING_KINDS], validate: function (v: unknown) { return Array.isArray(v) && v.length > 0; } },
    deviceName: { value: '+', validate: function (v: string) { return (v ?? '') === '+' || /^[^\s+#/]*$/.test(v ?? ''); } },
    timeout: { value: 10, validate: RED.validators.number() },
    failures: { value: 'output' },
    outputs: { value: 3 },
  },
  inputs: 1,
  outputs: 2,
  icon: 'aliyun.svg',
  paletteLabel: function (this: { _: (k: string) => string }) { return this._('paletteLabel'); },
  label: function (this: AliyunLivingInEditorNode) {
    return this.name || this._('paletteLabel');
  },
  inputLabels: function (this: AliyunLivingInEditorNode) {
    return this._('label.inputLabel');
  },
  outputLabels: function (this: AliyunLivingInEditorNode, i: number) {
    return this._(isFailurePort(this, i, 'catch') ? 'failures.port' : i === 0 ? 'label.pushes' : 'label.replies');
  },
  onadd: function (this: AliyunLivingInEditorNode) {
    keepStoredFailures(this, 2);
  },
  oneditprepare: function (this: AliyunLivingInEditorNode) {
    renderCheckboxes('#aliyun-living-in-kinds', LIVING_KINDS, (k) => `node-input-kind-${k}`, (k) => this._(`kind.${k}`),
      { label: 'width:auto;margin-right:10px', input: 'width:auto;margin:0 4px 0 0' }, this.kinds ?? LIVING_KINDS);
    showFailures(this.failures, 'catch');
  },
  oneditsave: function (this: AliyunLivingInEditorNode) {
    this.kinds = tickedValues(LIVING_KINDS, (k) => `node-input-kind-${k}`);
    this.outputs = outputsWithFailures(2);
  },
});
