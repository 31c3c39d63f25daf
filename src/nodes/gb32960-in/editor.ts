import { renderCheckboxes, tickedValues } from '../../editor/checkbox-list';
import { intRange, live } from '../../editor/validators';
import { BATCH_FIELDS, DEFAULT_KINDS, FRAME_KINDS } from './kinds';

interface Gb32960InEditorNode {
  _: (key: string) => string;
  name?: string;
  server?: string;
  kinds?: string;
  vins?: string;
  output?: string;
  batchSize?: number | string;
  batchMs?: number | string;
}

type BatchField = keyof typeof BATCH_FIELDS;
const batchInput = (name: BatchField) => $(`#gb32960-in-${name}`);
const batching = (node: Gb32960InEditorNode) => live('node-input-output', node.output ?? 'frame') === 'batch';

/** A batch limit is judged only while the node sends batches; flows saved before it had one take the runtime default. */
function batchValidator(name: BatchField) {
  const inRange = intRange(BATCH_FIELDS[name].min, BATCH_FIELDS[name].max, `errors.${name}`);
  return function (this: Gb32960InEditorNode, v: unknown, opt?: unknown): true | string {
    if (!batching(this)) return true;
    return inRange.call(this, live(`gb32960-in-${name}`, v), opt);
  };
}

RED.nodes.registerType('gb32960-in', {
  category: 'Chinese IoT',
  color: '#fdd0a2',
  defaults: {
    version: { value: 1 },
    name: { value: '' },
    server: { type: 'gb32960-server', required: true },
    kinds: { value: DEFAULT_KINDS },
    vins: { value: '' },
    output: { value: 'frame' },
    batchSize: { value: BATCH_FIELDS.batchSize.value, validate: batchValidator('batchSize') },
    batchMs: { value: BATCH_FIELDS.batchMs.value, validate: batchValidator('batchMs') },
  },
  inputs: 0,
  outputs: 1,
  icon: 'gb32960.svg',
  paletteLabel: function (this: { _: (k: string) => string }) { return this._('paletteLabel'); },
  label: function (this: Gb32960InEditorNode & { _: (k: string) => string }) {
    return this.name || this._('paletteLabel');
  },
  outputLabels: function (this: Gb32960InEditorNode) {
    return this._(this.output === 'batch' ? 'outputs.batch' : 'outputs.all');
  },
  oneditprepare: function (this: Gb32960InEditorNode) {
    renderCheckboxes('#gb32960-in-kinds', FRAME_KINDS, (k) => `gb32960-in-kind-${k}`, (k) => this._(`label.kind.${k}`),
      { label: 'width:48%;display:inline-block', input: 'width:auto;margin:0 6px 0 0' }, (this.kinds ?? '').split(',').filter(Boolean));
    const output = $('#node-input-output');
    const mark = () => {
      const on = output.val() === 'batch';
      $('.gb32960-in-batch').toggle(on);
      for (const name of Object.keys(BATCH_FIELDS) as BatchField[]) {
        const { min, max } = BATCH_FIELDS[name];
        const s = String(batchInput(name).val() ?? '').trim();
        const n = Number(s);
        batchInput(name).toggleClass('input-error', on && (s === '' || !Number.isInteger(n) || n < min || n > max));
      }
    };
    for (const name of Object.keys(BATCH_FIELDS) as BatchField[]) {
      batchInput(name).attr({ min: BATCH_FIELDS[name].min, max: BATCH_FIELDS[name].max })
        .val(String(this[name] ?? BATCH_FIELDS[name].value)).on('input change', mark);
    }
    output.on('change', mark);
    mark();
  },
  oneditsave: function (this: Gb32960InEditorNode) {
    this.kinds = tickedValues(FRAME_KINDS, (k) => `gb32960-in-kind-${k}`).join(',');
    // Stored as numbers, as the runtime reads them; a value that is no number stays as typed and is marked.
    for (const name of Object.keys(BATCH_FIELDS) as BatchField[]) {
      const s = String(batchInput(name).val() ?? '').trim();
      this[name] = s !== '' && Number.isFinite(Number(s)) ? Number(s) : s;
    }
  },
});
