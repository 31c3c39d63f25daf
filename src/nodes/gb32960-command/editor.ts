interface Gb32960CommandEditorNode { name?: string; vin?: string; command?: string }

RED.nodes.registerType('gb32960-command', {
  category: 'Chinese IoT',
  color: '#fdd0a2',
  defaults: {
    name: { value: '' },
    server: { type: 'gb32960-server', required: true },
    vin: { value: '', validate: function (v: string) { return (v ?? '').trim().length <= 17; } },
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
    return this.name || `${this.command ?? 'query'}${this.vin ? ` → ${this.vin}` : ''}`;
  },
  outputLabels: ['reply', 'failure / timeout'],
  oneditprepare: function () {
    const select = $('#node-input-command');
    const hint = () => $('#gb32960-command-hint').text(String($(`#gb32960-command-hint-${String(select.val())}`).text()));
    select.on('change', hint);
    hint();
  },
});
