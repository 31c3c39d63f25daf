import { translateStatuses } from '../../editor/status-i18n';
import { COMMANDS, type ParamSpec } from '../../protocols/jointech/command-catalogue';
import { check, type EditorNode } from '../../editor/validators';
import { fieldType, typedField } from '../../editor/typed-fields';
import { isFailurePort, outputsWithFailures, showFailures } from '../../editor/failures';

interface LockCommandEditorNode {
  name?: string;
  device?: string;
  deviceType?: string;
  command?: string;
  commandType?: string;
  params?: string;
  operation?: string;
  failures?: string;
  outputs?: number;
}

const CUSTOM = '_custom';

function isZh(): boolean {
  return /^zh/i.test(String((RED as unknown as { i18n?: { lang?: () => string } }).i18n?.lang?.() ?? ''));
}

function paramHint(p: ParamSpec): string {
  if (p.kind === 'int') return `${p.zeroOff ? '0, ' : ''}${p.min}..${p.max}${p.unit ? ` ${p.unit}` : ''}`;
  if (p.kind === 'text') return p.example;
  return 'yyyyMMddHHmmss';
}

/** Dialog parameters as stored: a JSON object keyed by parameter name, or the free text. */
function storedParams(text: string | undefined): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(text ?? '');
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** The catalogue's rule for one parameter value (the runtime checks the same ranges). */
export function paramOk(p: ParamSpec, raw: string): boolean {
  const s = raw.trim();
  if (s === '') return p.optional === true || p.kind === 'utc-time';
  if (/[(),\r\n]/.test(s)) return false;
  if (p.kind === 'int') {
    const n = Number(s);
    return /^-?\d+$/.test(s) && ((n >= p.min && n <= p.max) || (p.zeroOff === true && n === 0));
  }
  if (p.kind === 'text') return new RegExp(p.pattern).test(s);
  return /^\d{14}$/.test(s);
}

/** Parameters of a command outside the catalogue: any text that keeps the frame whole. */
function freeParamsOk(text: unknown): boolean {
  return !/[()\r\n]/.test(String(text ?? ''));
}

/** Stored dialog parameters fit the stored command (free commands: frame-safe text only). */
function paramsOk(command: string | undefined, params: unknown): boolean {
  const spec = COMMANDS[String(command ?? '').toUpperCase()];
  if (!spec) return freeParamsOk(params);
  const values = storedParams(String(params ?? ''));
  // Nothing filled in means "query" for set/query commands.
  if (spec.operation && Object.keys(values).length === 0) return true;
  return spec.params.every((p) => paramOk(p, values[p.name] === undefined ? '' : String(values[p.name])));
}

function renderParams(command: string, values: Record<string, unknown>): void {
  const box = $('#lock-command-params').empty();
  const spec = COMMANDS[command];
  $('.lock-command-custom').toggle(!spec);
  $('.lock-command-operation').toggle(!!spec?.operation);
  if (!spec) return;
  const zh = isZh();
  for (const p of spec.params) {
    const row = $('<div class="form-row"></div>').appendTo(box);
    // The label sits in the dialog's label column and the field lines up with the others;
    // a long name wraps under it instead of pushing the field out of line.
    $('<label></label>').attr('for', `lock-command-param-${p.name}`).attr('title', zh ? p.zh : p.en)
      .text(zh ? p.zh : p.en).css({ 'white-space': 'normal', 'vertical-align': 'top', 'line-height': '1.3' }).appendTo(row);
    const input = $('<input type="text">')
      .attr('id', `lock-command-param-${p.name}`)
      .attr('placeholder', paramHint(p))
      .css('width', '70%')
      .val(values[p.name] === undefined ? '' : String(values[p.name]))
      .appendTo(row);
    const mark = () => input.toggleClass('input-error', !paramOk(p, String(input.val() ?? '')) && !(spec.operation && allParamsEmpty(spec.params)));
    input.on('input change', () => { for (const q of spec.params) $(`#lock-command-param-${q.name}`).trigger('cniot-mark'); });
    input.on('cniot-mark', mark);
  }
  for (const q of spec.params) $(`#lock-command-param-${q.name}`).trigger('cniot-mark');
}

function allParamsEmpty(params: ParamSpec[]): boolean {
  return params.every((q) => String($(`#lock-command-param-${q.name}`).val() ?? '').trim() === '');
}

translateStatuses();

RED.nodes.registerType('lock-command', {
  category: 'Chinese IoT',
  color: '#9fc5e8',
  defaults: {
    version: { value: 1 },
    name: { value: '' },
    account: { type: 'jointech-account', required: true },
    // Typed text is checked here; a msg/flow/global/env field is checked per message at runtime.
    device: { value: '', validate: function (this: Record<string, unknown>, v: string) { return fieldType(this, 'device') !== 'str' || /^\d{0,20}$/.test((v ?? '').trim()); } },
    deviceType: { value: 'str' },
    command: { value: 'BASE1', validate: function (this: Record<string, unknown>, v: string) { return fieldType(this, 'command') !== 'str' || /^[A-Za-z]{1,16}\d{1,3}$/.test(v ?? ''); } },
    commandType: { value: 'str' },
    params: { value: '', validate: check<LockCommandEditorNode & EditorNode>(function (v) { return paramsOk(this.command, v); }, 'errors.params') },
    operation: { value: '' },
    timeout: { value: 30, validate: RED.validators.number() },
    failures: { value: 'output' },
    outputs: { value: 2 },
  },
  inputs: 1,
  outputs: 2,
  icon: 'jointech.svg',
  paletteLabel: function (this: { _: (k: string) => string }) { return this._('paletteLabel'); },
  label: function (this: LockCommandEditorNode) {
    const shown = (value: string | undefined, type: string | undefined) => (type ?? 'str') === 'str' || !value ? value : `${type === 'env' ? 'env ' : `${type}.`}${value}`;
    return this.name || `${shown(this.command, this.commandType) ?? 'command'}${this.device ? ` → ${shown(this.device, this.deviceType)}` : ''}`;
  },
  outputLabels: function (this: LockCommandEditorNode & { _: (k: string) => string }, i: number) {
    return this._(isFailurePort(this, i, 'output') ? 'failures.port' : 'outputs.reply');
  },
  oneditprepare: function (this: LockCommandEditorNode) {
    showFailures(this.failures, 'output');
    const select = $('#lock-command-select');
    const zh = isZh();
    for (const [key, spec] of Object.entries(COMMANDS)) {
      $('<option></option>').val(key).text(`${key} · ${zh ? spec.zh : spec.en}`).appendTo(select);
    }
    $('<option></option>').val(CUSTOM).text(zh ? '其他指令…' : 'Other command…').appendTo(select);
    // A command from msg, context or env is an "other command"; the catalogue lists typed ones.
    const typedText = (this.commandType ?? 'str') === 'str';
    const current = typedText ? (this.command ?? 'BASE1').toUpperCase() : this.command ?? '';
    const known = typedText && current in COMMANDS;
    select.val(known ? current : CUSTOM);
    $('#node-input-command').val(current);
    typedField('device');
    typedField('command');
    const commandInput = $('#node-input-command') as unknown as { typedInput(method: string, value?: string): void };
    const free = $('#lock-command-free').val(known ? '' : this.params ?? '');
    // Marked while typing, as the catalogue's parameter fields are.
    free.on('input change', () => free.toggleClass('input-error', !freeParamsOk(free.val())));
    free.trigger('change');
    renderParams(known ? current : CUSTOM, known ? storedParams(this.params) : {});
    select.on('change', () => {
      const v = select.val() as string;
      if (v !== CUSTOM) {
        commandInput.typedInput('type', 'str');
        commandInput.typedInput('value', v);
      }
      renderParams(v, {});
    });
  },
  oneditsave: function (this: LockCommandEditorNode) {
    this.outputs = outputsWithFailures(1);
    const chosen = $('#lock-command-select').val() as string;
    const spec = COMMANDS[chosen];
    if (!spec) {
      this.params = ($('#lock-command-free').val() as string).trim();
      return;
    }
    $('#node-input-command').val(chosen);
    $('#node-input-commandType').val('str');
    this.command = chosen;
    this.commandType = 'str';
    const values: Record<string, string> = {};
    for (const p of spec.params) {
      const v = (($(`#lock-command-param-${p.name}`).val() as string | undefined) ?? '').trim();
      if (v !== '') values[p.name] = v;
    }
    this.params = Object.keys(values).length > 0 ? JSON.stringify(values) : '';
  },
});
