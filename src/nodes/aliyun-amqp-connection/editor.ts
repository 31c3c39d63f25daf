import { check, intRange } from '../../editor/validators';

interface AliyunAmqpConnectionEditorNode {
  name?: string;
  host?: string;
  port?: number;
  authMode?: string;
  reconnectMinMs?: number;
  reconnectMaxMs?: number;
  _: (k: string) => string;
}

/** Stored in ms (as the runtime reads it), shown in seconds like every other dialog. */
const reconnectField = (which: 'Min' | 'Max') => $(`#node-config-input-reconnect${which}S`);
const formMs = (which: 'Min' | 'Max'): number => {
  const s = String(reconnectField(which).val() ?? '').trim();
  return s === '' ? NaN : Math.round(Number(s) * 1000);
};
const reconnectOk = (min: number, max: number) => ({
  min: min >= 100 && min <= 600000,
  max: max >= 100 && max <= 3600000 && max >= min,
});

RED.nodes.registerType('aliyun-amqp-connection', {
  category: 'config',
  paletteLabel: function (this: { _: (k: string) => string }) { return this._('paletteLabel'); },
  defaults: {
    version: { value: 1 },
    name: { value: '' },
    host: { value: '', required: true, validate: check((v) => /^[A-Za-z0-9.-]+$/.test(String(v ?? '')), 'errors.host') },
    port: { value: 5671, required: true, validate: intRange(1, 65535, 'errors.port', false) },
    authMode: { value: 'aksign' },
    instanceId: { value: '' },
    consumerGroupId: { value: '', required: true, validate: check((v) => /^[^|,=\s]+$/.test(String(v ?? '')), 'errors.consumerGroupId') },
    clientId: { value: '', validate: check((v) => /^[^|,=\s]{0,64}$/.test(String(v ?? '')), 'errors.clientId') },
    idleTimeoutS: { value: 60, validate: intRange(30, 300, 'errors.idleTimeout') },
    prefetch: { value: 100, validate: intRange(1, 10000, 'errors.prefetch') },
    reconnectMinMs: {
      value: 1000,
      validate: check<AliyunAmqpConnectionEditorNode>(function (v) { return reconnectOk(Number(v), 600000).min; }, 'errors.reconnectRange'),
    },
    reconnectMaxMs: {
      value: 60000,
      validate: check<AliyunAmqpConnectionEditorNode>(function (v) { return reconnectOk(Number(this.reconnectMinMs), Number(v)).max; }, 'errors.reconnectOrder'),
    },
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
    reconnectField('Min').val((this.reconnectMinMs ?? 1000) / 1000);
    reconnectField('Max').val((this.reconnectMaxMs ?? 60000) / 1000);
    const mark = () => {
      const ok = reconnectOk(formMs('Min'), formMs('Max'));
      reconnectField('Min').toggleClass('input-error', !ok.min);
      reconnectField('Max').toggleClass('input-error', !ok.max);
    };
    $('#node-config-input-reconnectMinS, #node-config-input-reconnectMaxS').on('input change', mark);
    mark();
  },
  oneditsave: function (this: AliyunAmqpConnectionEditorNode) {
    this.reconnectMinMs = formMs('Min');
    this.reconnectMaxMs = formMs('Max');
  },
});
