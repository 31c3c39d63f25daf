import { renderCheckboxes, tickedValues } from '../../editor/checkbox-list';
import { translateStatuses } from '../../editor/status-i18n';
import { check, intRange, live } from '../../editor/validators';
import { DATA_TYPES } from '../../protocols/jointech/data-types';
import { WEBHOOK_LIMITS } from './facts';

interface JointechInEditorNode {
  _: (key: string) => string;
  name?: string;
  mode?: string;
  types?: string[];
  split?: string;
  outputs?: number;
  path?: string;
  rateLimit?: number | string;
  inputs?: number;
}

const { rateLimit: RATE, readTimeout: READ_TIMEOUT } = WEBHOOK_LIMITS;
const rateLimitField = () => $('#jointech-in-rateLimit');

translateStatuses();

RED.nodes.registerType('jointech-in', {
  category: 'Chinese IoT',
  color: '#9fc5e8',
  defaults: {
    version: { value: 1 },
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
      value: [...DATA_TYPES],
      validate: function (v: unknown) { return Array.isArray(v) && v.length > 0; },
    },
    devicesMode: { value: 'all' },
    devices: {
      value: '',
      // Only read in MQTT mode with "these device numbers"; hidden otherwise, so never invalid then.
      validate: check<{ _: (k: string) => string; mode?: string; devicesMode?: string }>(function (v) {
        const used = live('node-input-mode', this.mode) === 'mqtt' && live('node-input-devicesMode', this.devicesMode) === 'list';
        return !used || /^[\d\s,;，]*$/.test(String(v ?? ''));
      }, 'errors.devices'),
    },
    split: { value: 'single' },
    outputs: { value: 1 },
    path: {
      value: WEBHOOK_LIMITS.path,
      validate: function (this: { mode?: string }, v: string) {
        const mode = ($('#node-input-mode').val() as string | undefined) ?? this.mode;
        return mode !== 'webhook' || /^\/?[\w\-./]+$/.test(v ?? '');
      },
    },
    pathPerType: { value: false },
    headerName: { value: '' },
    maxBytes: { value: WEBHOOK_LIMITS.maxBytes.default, validate: RED.validators.number() },
    // A number of requests a second, 0 for no limit (stored as a number, the form field is not
    // named after the property so Node-RED does not store its string).
    rateLimit: { value: RATE.default, validate: intRange(RATE.min, RATE.max, 'errors.rateLimit') },
    // No input port in webhook mode (set on save, as core's mqtt in does).
    // Flows saved before the field existed have none: the runtime takes 10 s.
    readTimeout: { value: READ_TIMEOUT.default, validate: intRange(READ_TIMEOUT.min, READ_TIMEOUT.max, 'errors.readTimeout') },
    inputs: { value: 1 },
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
    return this.mode === 'webhook' ? `jointech POST ${this.path ?? ''}` : this._('paletteLabel');
  },
  outputLabels: function (this: JointechInEditorNode & { _: (k: string) => string }, i: number) {
    return this.split === 'per-type' ? DATA_TYPES[i] ?? '' : this._('outputs.all');
  },
  oneditprepare: function (this: JointechInEditorNode) {
    renderCheckboxes('#jointech-in-types', DATA_TYPES, (t) => `node-input-type-${t}`, (t) => this._(`type.${t}`),
      { label: 'width:auto;margin-right:10px', lastLabel: 'width:auto', input: 'width:auto;margin:0 4px 0 0' }, this.types ?? DATA_TYPES);
    $('#node-input-readTimeout').attr({ min: READ_TIMEOUT.min, max: READ_TIMEOUT.max });
    rateLimitField().attr('min', RATE.min);
    const show = () => {
      const mode = $('#node-input-mode').val();
      $('.jointech-mqtt').toggle(mode === 'mqtt');
      $('.jointech-webhook').toggle(mode === 'webhook');
      $('.jointech-devices').toggle(mode === 'mqtt' && $('#node-input-devicesMode').val() === 'list');
    };
    $('#node-input-mode, #node-input-devicesMode').on('change', show);
    show();
    rateLimitField().val(String(this.rateLimit ?? RATE.default));
    const markRate = () => {
      const s = String(rateLimitField().val() ?? '').trim();
      const n = Number(s);
      rateLimitField().toggleClass('input-error', s === '' || !Number.isInteger(n) || n < RATE.min || n > RATE.max);
    };
    rateLimitField().on('input change', markRate);
    markRate();
  },
  oneditsave: function (this: JointechInEditorNode) {
    this.types = tickedValues(DATA_TYPES, (t) => `node-input-type-${t}`);
    this.outputs = $('#node-input-split').val() === 'per-type' ? DATA_TYPES.length : 1;
    this.inputs = $('#node-input-mode').val() === 'webhook' ? 0 : 1;
    const rate = String(rateLimitField().val() ?? '').trim();
    this.rateLimit = rate !== '' && Number.isFinite(Number(rate)) ? Number(rate) : rate;
  },
});
