import { renderCheckboxes, tickedValues } from '../../editor/checkbox-list';
import { translateStatuses } from '../../editor/status-i18n';
import { KINDS } from '../../protocols/eztcloud/kinds';

interface EztcloudInEditorNode {
  name?: string;
  kinds?: string[];
  split?: string;
  outputs?: number;
}

translateStatuses();

RED.nodes.registerType('eztcloud-in', {
  category: 'Chinese IoT',
  color: '#c7e9c0',
  defaults: {
    version: { value: 1 },
    name: { value: '' },
    project: { type: 'eztcloud-project', required: true },
    kinds: { value: [...KINDS], validate: function (v: unknown) { return Array.isArray(v) && v.length > 0; } },
    devicesMode: { value: 'all' },
    devices: { value: '', validate: function (v: string) { return /^(\s*DU_[\w-]+[\s,;，]*)*$/.test(v ?? ''); } },
    streams: { value: '', validate: function (v: string) { return !/[+#/]/.test(v ?? ''); } },
    dataFormat: { value: 'buffer' },
    split: { value: 'single' },
    outputs: { value: 1 },
  },
  inputs: 0,
  outputs: 1,
  icon: 'eztcloud.svg',
  paletteLabel: function (this: { _: (k: string) => string }) { return this._('paletteLabel'); },
  label: function (this: EztcloudInEditorNode & { _: (k: string) => string }) {
    return this.name || this._('paletteLabel');
  },
  outputLabels: function (this: EztcloudInEditorNode & { _: (k: string) => string }, i: number) {
    return this.split === 'per-kind' ? KINDS[i] ?? '' : this._('outputs.all');
  },
  oneditprepare: function (this: EztcloudInEditorNode & { _: (k: string) => string }) {
    renderCheckboxes('#eztcloud-in-kinds', KINDS, (k) => `node-input-kind-${k}`, (k) => this._(`kind.${k}`),
      { label: 'width:auto;margin-right:10px', input: 'width:auto;margin:0 4px 0 0' }, this.kinds ?? KINDS);
    const show = () => {
      $('.eztcloud-devices').toggle($('#node-input-devicesMode').val() === 'list');
      $('.eztcloud-data').toggle($('#node-input-kind-data').prop('checked') as boolean);
    };
    $('#node-input-devicesMode, #node-input-kind-data').on('change', show);
    show();
  },
  oneditsave: function (this: EztcloudInEditorNode) {
    this.kinds = tickedValues(KINDS, (k) => `node-input-kind-${k}`);
    this.outputs = $('#node-input-split').val() === 'per-kind' ? KINDS.length : 1;
  },
});
