interface AliyunAmqpConnectionEditorNode {
  name?: string;
  host?: string;
  port?: number;
  authMode?: string;
  _: (k: string) => string;
}

RED.nodes.registerType('aliyun-amqp-connection', {
  category: 'config',
  defaults: {
    name: { value: '' },
    host: { value: '', required: true, validate: RED.validators.regex(/^[A-Za-z0-9.-]+$/) },
    port: { value: 5671, required: true, validate: RED.validators.number() },
    authMode: { value: 'aksign' },
    instanceId: { value: '' },
    consumerGroupId: { value: '', required: true, validate: RED.validators.regex(/^[^|,=\s]+$/) },
    clientId: { value: '', validate: RED.validators.regex(/^[^|,=\s]{0,64}$/) },
    idleTimeoutS: { value: 60, validate: function (v: unknown) { const n = Number(v); return Number.isInteger(n) && n >= 30 && n <= 300; } },
    prefetch: { value: 100, validate: RED.validators.number() },
    reconnectMinMs: { value: 1000, validate: RED.validators.number() },
    reconnectMaxMs: { value: 60000, validate: RED.validators.number() },
    localTest: { value: false },
    tls: { type: 'tls-config', required: false },
  },
  credentials: {
    keyId: { type: 'text' },
    secret: { type: 'password' },
  },
  label: function (this: AliyunAmqpConnectionEditorNode) {
    return this.name || (this.host ? `AMQP ${this.host}` : 'Aliyun AMQP subscription');
  },
  oneditprepare: function (this: AliyunAmqpConnectionEditorNode) {
    const showMode = () => {
      const appkey = $('#node-config-input-authMode').val() === 'appkey';
      $('.aliyun-amqp-aksign').toggle(!appkey);
      $('#node-config-label-keyId').text(this._(appkey ? 'label.appKey' : 'label.accessKeyId'));
      $('#node-config-label-secret').text(this._(appkey ? 'label.appSecret' : 'label.accessKeySecret'));
    };
    $('#node-config-input-authMode').on('change', showMode);
    showMode();
  },
});
