import { fieldType, typedField } from '../../editor/typed-fields';
import { check, live, type EditorNode } from '../../editor/validators';
import { isFailurePort, outputsWithFailures, showFailures } from '../../editor/failures';

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const idOk = (v: unknown) => (Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 255) || (typeof v === 'string' && v.trim() !== '');

/**
 * The dialog's parameters have the shape their command takes (the runtime's command-unit.ts
 * checks the same shapes, then names and values against the standard's tables).
 */
export function paramsShapeOk(command: string, text: string): boolean {
  if (!text.trim()) return true;
  let p: unknown;
  try { p = JSON.parse(text); } catch { return false; }
  if (isObject(p) && typeof p.raw === 'string') return /^([0-9a-fA-F]{2}|\s)*$/.test(p.raw);
  if (command === 'query') return (Array.isArray(p) && p.length > 0 && p.every(idOk)) || (isObject(p) && Array.isArray(p.ids) && p.ids.length > 0 && p.ids.every(idOk));
  if (command === 'set') return (Array.isArray(p) && p.length > 0 && p.every((i) => isObject(i) && idOk(i.id))) || (isObject(p) && Object.keys(p).length > 0);
  return isObject(p) && (p.control !== undefined || p.command !== undefined || p.id !== undefined);
}

interface Gb32960CommandEditorNode { name?: string; vin?: string; vinType?: string; command?: string; failures?: string; outputs?: number }

RED.nodes.registerType('gb32960-command', {
  category: 'Chinese IoT',
  color: '#fdd0a2',
  defaults: {
    version: { value: 1 },
    name: { value: '' },
    server: { type: 'gb32960-server', required: true },
    // Typed text is a VIN (at most 17 characters); a msg/flow/global/env field is checked per message.
    vin: { value: '', validate: function (this: Record<string, unknown>, v: string) { return fieldType(this, 'vin') !== 'str' || (v ?? '').trim().length <= 17; } },
    vinType: { value: 'str' },
    command: { value: 'query' },
    params: {
      value: '[9, 10]',
      validate: check<Gb32960CommandEditorNode & EditorNode>(function (v) { return paramsShapeOk(String(live('node-input-command', this.command) ?? 'query'), String(v ?? '')); }, 'errors.params'),
    },
    timeout: { value: 30, validate: RED.validators.number() },
    failures: { value: 'output' },
    outputs: { value: 2 },
  },
  inputs: 1,
  outputs: 2,
  icon: 'gb32960.svg',
  paletteLabel: function (this: { _: (k: string) => string }) { return this._('paletteLabel'); },
  label: function (this: Gb32960CommandEditorNode) {
    const vin = (this.vinType ?? 'str') === 'str' ? this.vin : this.vin && `${this.vinType === 'env' ? 'env ' : `${this.vinType}.`}${this.vin}`;
    return this.name || `${this.command ?? 'query'}${vin ? ` → ${vin}` : ''}`;
  },
  outputLabels: function (this: Gb32960CommandEditorNode & { _: (k: string) => string }, i: number) {
    return this._(isFailurePort(this, i, 'output') ? 'failures.port' : 'outputs.reply');
  },
  oneditprepare: function (this: Gb32960CommandEditorNode & { _: (k: string) => string }) {
    showFailures(this.failures, 'output');
    typedField('vin');
    const select = $('#node-input-command');
    // From the catalogue rather than from the template: Node-RED translates the template only
    // after oneditprepare, so a hidden translated element is still empty here.
    const hints: Record<string, string> = { query: this._('label.hintQuery'), set: this._('label.hintSet'), control: this._('label.hintControl') };
    const hint = () => $('#gb32960-command-hint').text(hints[String(select.val())] ?? '');
    select.on('change', hint);
    hint();
  },
  oneditsave: function (this: Gb32960CommandEditorNode) {
    this.outputs = outputsWithFailures(1);
  },
});
