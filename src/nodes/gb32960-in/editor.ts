import { renderCheckboxes } from '../../editor/checkbox-list';
import { DEFAULT_KINDS, FRAME_KINDS } from './kinds';

interface Gb32960InEditorNode { _: (k: string) => string; name?: string; server?: string; kinds?: string; vins?: string }

RED.nodes.registerType('gb32960-in', {
  category: 'Chinese IoT',
  color: '#fdd0a2',
  defaults: {
    name: { value: '' },
    server: { type: 'gb32960-server', required: true },
    kinds: { value: DEFAULT_KINDS },
    vins: { value: '' },
  },
  inputs: 0,
  outputs: 1,
  icon: 'gb32960.svg',
  paletteLabel: function (this: { _: (k: string) => string }) { return this._('paletteLabel'); },
  label: function (this: Gb32960InEditorNode & { _: (k: string) => string }) {
    return this.name || this._('paletteLabel');
  },
  outputLabels: function (this: { _: (k: string) => string }) {
    return this._('outputs.all');
  },
  oneditprepare: function (this: Gb32960InEditorNode) {
    renderCheckboxes('#gb32960-in-kinds', FRAME_KINDS, (k) => `gb32960-in-kind-${k}`, (k) => this._(`label.kind.${k}`),
      { label: 'width:48%;display:inline-block', input: 'width:auto;margin:0 6px 0 0' });
    const chosen = new Set((this.kinds ?? '').split(',').filter(Boolean));
    for (const k of FRAME_KINDS) $(`#gb32960-in-kind-${k}`).prop('checked', chosen.has(k));
  },
  oneditsave: function (this: Gb32960InEditorNode) {
    this.kinds = FRAME_KINDS.filter((k) => $(`#gb32960-in-kind-${k}`).prop('checked')).join(',');
  },
});
