import { intRange, live } from '../../editor/validators';

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

const KINDS = ['login', 'realtime', 'reissue', 'logout', 'heartbeat', 'time', 'commands', 'other', 'sessions'];

/** Batch limits as the runtime takes them: a whole number in [min, max]. */
const BATCH_FIELDS = { batchSize: { min: 1, max: 100000, value: 500 }, batchMs: { min: 1, max: 3600000, value: 200 } };
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
    kinds: { value: 'login,realtime,reissue,logout,time,commands,other,sessions' },
    vins: { value: '' },
    output: { value: 'frame' },
    batchSize: { value: 500, validate: batchValidator('batchSize') },
    batchMs: { value: 200, validate: batchValidator('batchMs') },
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
    const chosen = new Set((this.kinds ?? '').split(',').filter(Boolean));
    for (const k of KINDS) $(`#gb32960-in-kind-${k}`).prop('checked', chosen.has(k));
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
      batchInput(name).val(String(this[name] ?? BATCH_FIELDS[name].value)).on('input change', mark);
    }
    output.on('change', mark);
    mark();
  },
  oneditsave: function (this: Gb32960InEditorNode) {
    this.kinds = KINDS.filter((k) => $(`#gb32960-in-kind-${k}`).prop('checked')).join(',');
    // Stored as numbers, as the runtime reads them; a value that is no number stays as typed and is marked.
    for (const name of Object.keys(BATCH_FIELDS) as BatchField[]) {
      const s = String(batchInput(name).val() ?? '').trim();
      this[name] = s !== '' && Number.isFinite(Number(s)) ? Number(s) : s;
    }
  },
});
