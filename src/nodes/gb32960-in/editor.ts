interface Gb32960InEditorNode { name?: string; server?: string; kinds?: string; vins?: string }

const KINDS = ['login', 'realtime', 'reissue', 'logout', 'heartbeat', 'time', 'commands', 'other', 'sessions'];

RED.nodes.registerType('gb32960-in', {
  category: 'Chinese IoT',
  color: '#fdd0a2',
  defaults: {
    version: { value: 1 },
    name: { value: '' },
    server: { type: 'gb32960-server', required: true },
    kinds: { value: 'login,realtime,reissue,logout,time,commands,other,sessions' },
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
    const chosen = new Set((this.kinds ?? '').split(',').filter(Boolean));
    for (const k of KINDS) $(`#gb32960-in-kind-${k}`).prop('checked', chosen.has(k));
  },
  oneditsave: function (this: Gb32960InEditorNode) {
    this.kinds = KINDS.filter((k) => $(`#gb32960-in-kind-${k}`).prop('checked')).join(',');
  },
});
