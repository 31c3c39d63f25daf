import { fieldType, typedField } from '../../editor/typed-fields';

interface Gb32960CommandEditorNode { name?: string; vin?: string; vinType?: string; command?: string }

RED.nodes.registerType('gb32960-command', {
  category: 'Chinese IoT',
  color: '#fdd0a2',
  defaults: {
    name: { value: '' },
    server: { type: 'gb32960-server', required: true },
    // Typed text is a VIN (at most 17 characters); a msg/flow/global/env field is checked per message.
    vin: { value: '', validate: function (this: Record<string, unknown>, v: string) { return fieldType(this, 'vin') !== 'str' || (v ?? '').trim().length <= 17; } },
    vinType: { value: 'str' },
    command: { value: 'query' },
    params: {
      value: '[9, 10]',
      validate: function (v: string) {
        if (!v || !v.trim()) return true;
        try { JSON.parse(v); return true; } catch { return false; }
      },
    },
    timeout: { value: 30, validate: RED.validators.number() },
    failures: { value: 'output' },
  },
  inputs: 1,
  outputs: 2,
  icon: 'gb32960.svg',
  paletteLabel: function (this: { _: (k: string) => string }) { return this._('paletteLabel'); },
  label: function (this: Gb32960CommandEditorNode) {
    const vin = (this.vinType ?? 'str') === 'str' ? this.vin : this.vin && `${this.vinType === 'env' ? 'env ' : `${this.vinType}.`}${this.vin}`;
    return this.name || `${this.command ?? 'query'}${vin ? ` → ${vin}` : ''}`;
  },
  outputLabels: function (this: { _: (k: string) => string }, i: number) {
    return this._(i === 0 ? 'outputs.reply' : 'outputs.failure');
  },
  oneditprepare: function (this: { _: (k: string) => string }) {
    typedField('vin');
    const select = $('#node-input-command');
    // From the catalogue rather than from the template: Node-RED translates the template only
    // after oneditprepare, so a hidden translated element is still empty here.
    const hints: Record<string, string> = { query: this._('label.hintQuery'), set: this._('label.hintSet'), control: this._('label.hintControl') };
    const hint = () => $('#gb32960-command-hint').text(hints[String(select.val())] ?? '');
    select.on('change', hint);
    hint();
  },
});
