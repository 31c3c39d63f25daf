import { translateStatuses } from '../../editor/status-i18n';
const TYPES = ['location', 'alarm', 'event', 'cmd', 'sublock'];

interface JointechInEditorNode {
  _: (key: string) => string;
  name?: string;
  mode?: string;
  types?: string[];
  split?: string;
  outputs?: number;
  path?: string;
}

translateStatuses();

RED.nodes.registerType('jointech-in', {
  category: 'Chinese IoT',
  color: '#9fc5e8',
  defaults: {
    name: { value: '' },
    mode: { value: 'mqtt' },
    account: {
      type: 'jointech-account',
      required: false,
      validate: function (this: { mode?: string }, v: string) {
        const mode = ($('#node-input-mode').val() as string | undefined) ?? this.mode;
        return mode !== 'mqtt' || (!!v && v !== '_ADD_');
      },
    },
    types: {
      value: ['location', 'alarm', 'event', 'cmd', 'sublock'],
      validate: function (v: unknown) { return Array.isArray(v) && v.length > 0; },
    },
    devicesMode: { value: 'all' },
    devices: {
      value: '',
      validate: function (v: string) { return /^[\d\s,;，]*$/.test(v ?? ''); },
    },
    split: { value: 'single' },
    outputs: { value: 1 },
    path: {
      value: '/jointech',
      validate: function (this: { mode?: string }, v: string) {
        const mode = ($('#node-input-mode').val() as string | undefined) ?? this.mode;
        return mode !== 'webhook' || /^\/?[\w\-./]+$/.test(v ?? '');
      },
    },
    pathPerType: { value: false },
    headerName: { value: '' },
    maxBytes: { value: 262144, validate: RED.validators.number() },
    rateLimit: { value: 200, validate: RED.validators.number() },
  },
  credentials: {
    headerValue: { type: 'password' },
  },
  inputs: 1,
  outputs: 1,
  icon: 'jointech.svg',
  paletteLabel: function (this: { _: (k: string) => string }) { return this._('paletteLabel'); },
  label: function (this: JointechInEditorNode) {
    if (this.name) return this.name;
    return this.mode === 'webhook' ? `jointech POST ${this.path ?? ''}` : 'jointech in';
  },
  outputLabels: function (this: JointechInEditorNode, i: number) {
    return this.split === 'per-type' ? TYPES[i] ?? '' : 'decoded data';
  },
  oneditprepare: function (this: JointechInEditorNode) {
    const selected = new Set(this.types ?? TYPES);
    for (const t of TYPES) $(`#node-input-type-${t}`).prop('checked', selected.has(t));
    const show = () => {
      const mode = $('#node-input-mode').val();
      $('.jointech-mqtt').toggle(mode === 'mqtt');
      $('.jointech-webhook').toggle(mode === 'webhook');
      $('.jointech-devices').toggle(mode === 'mqtt' && $('#node-input-devicesMode').val() === 'list');
    };
    $('#node-input-mode, #node-input-devicesMode').on('change', show);
    show();
  },
  oneditsave: function (this: JointechInEditorNode) {
    this.types = TYPES.filter((t) => $(`#node-input-type-${t}`).prop('checked'));
    this.outputs = $('#node-input-split').val() === 'per-type' ? TYPES.length : 1;
  },
});
