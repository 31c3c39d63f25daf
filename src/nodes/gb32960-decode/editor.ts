import { translateStatuses } from '../../editor/status-i18n';
interface Gb32960EditorNode { name?: string }

translateStatuses();

RED.nodes.registerType('gb32960-decode', {
  category: 'Chinese IoT',
  color: '#fdd0a2',
  defaults: {
    version: { value: 1 },
    name: { value: '' },
    command: { value: '', validate: function (v: string | number) { return v === '' || /^\d{1,3}$/.test(String(v)); } },
    ignoreChecksum: { value: false },
    edition: { value: 2016 },
    split: { value: 'single' },
  },
  inputs: 1,
  outputs: 1,
  icon: 'gb32960.svg',
  paletteLabel: function (this: { _: (k: string) => string }) { return this._('paletteLabel'); },
  label: function (this: Gb32960EditorNode & { _: (k: string) => string }) {
    return this.name || this._('paletteLabel');
  },
  outputLabels: function (this: { _: (k: string) => string }) {
    return this._('outputs.all');
  },
});
