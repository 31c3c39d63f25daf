interface Gb32960ServerEditorNode { name?: string; host?: string; port?: number | string; tls?: string }

RED.nodes.registerType('gb32960-server', {
  category: 'config',
  defaults: {
    version: { value: 1 },
    name: { value: '' },
    host: { value: '' },
    port: { value: 32960, required: true, validate: RED.validators.number() },
    tls: { type: 'tls-config', required: false },
    clientCerts: { value: false },
    vinCheck: { value: 'any' },
    vins: { value: '' },
    vinContextKey: { value: 'gb32960AllowedVins' },
    realtimeReplies: { value: 'errors' },
    replyTime: { value: 'request' },
    duplicateLogin: { value: 'replace' },
    idleTimeout: { value: 180, validate: RED.validators.number() },
    maxConnections: { value: 10000, validate: RED.validators.number() },
    maxFrameBytes: { value: 65556, validate: function (v: string | number) { const n = Number(v); return Number.isInteger(n) && n >= 25 && n <= 65556; } },
  },
  paletteLabel: function (this: { _: (k: string) => string }) { return this._('paletteLabel'); },
  label: function (this: Gb32960ServerEditorNode) {
    return this.name || `GB/T 32960 ${this.tls ? 'tls' : 'tcp'} :${this.port ?? 32960}`;
  },
  oneditprepare: function () {
    const check = $('#node-config-input-vinCheck');
    const show = () => {
      $('.gb32960-server-vins').toggle(check.val() === 'list');
      $('.gb32960-server-context').toggle(check.val() === 'global');
    };
    check.on('change', show);
    show();
    const tlsInput = $('#node-config-input-tls');
    const showTls = () => $('.gb32960-server-client-certs').toggle(!!tlsInput.val() && tlsInput.val() !== '_ADD_');
    tlsInput.on('change', showTls);
    showTls();
  },
});
