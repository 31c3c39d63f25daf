import { CONNECTION_DEFAULTS, CONNECTION_LIMITS, TOPIC_SAFE } from '../lib/connection-limits';

/**
 * The "Connection" part of every MQTT config node's edit dialog. The settings live in one object
 * property, `connection`, which the runtime validates with the same rules.
 */
export interface ConnectionValue {
  url: string;
  clientId: string;
  clean: boolean;
  exactlyOnce?: boolean;
  keepalive: number;
  protocolVersion: number;
  reconnectMinMs: number;
  reconnectMaxMs: number;
  connectTimeoutMs?: number;
  queueLimit: number;
  shareGroup: string;
}

const { keepalive: KEEPALIVE, reconnectMinMs: RECONNECT_MIN, reconnectMaxMs: RECONNECT_MAX, queueLimit: QUEUE } = CONNECTION_LIMITS;

/** A new config node's `connection` value: the platform's broker and the runtime's defaults. */
export function connectionDefaults(url: string): ConnectionValue {
  return {
    url, clientId: '', clean: true, keepalive: KEEPALIVE.default, protocolVersion: CONNECTION_DEFAULTS.protocolVersion,
    reconnectMinMs: RECONNECT_MIN.default, reconnectMaxMs: RECONNECT_MAX.default, queueLimit: QUEUE.default, shareGroup: '',
  };
}

const field = (name: string) => $(`#node-config-input-conn-${name}`);

/** Which form field a connection problem belongs to, and the catalogue key that explains it. */
export interface ConnectionProblem {
  field: 'url' | 'clientId' | 'keepalive' | 'reconnectMin' | 'reconnectMax' | 'queueLimit';
  key: string;
}

/** Every problem of a connection value (empty when it is fine), in form order. */
export function connectionProblems(v: Partial<ConnectionValue> | undefined, tlsOnly = false): ConnectionProblem[] {
  const out: ConnectionProblem[] = [];
  const url = typeof v?.url === 'string' ? v.url.trim() : '';
  if (!/^(mqtts?|wss?):\/\/[^/\s]+/i.test(url)) out.push({ field: 'url', key: 'connection.errors.url' });
  else if (tlsOnly && /^(mqtt|ws):/i.test(url)) out.push({ field: 'url', key: 'connection.errors.tlsOnly' });
  // user:password@ would be stored in flows.json in clear; the runtime refuses it too.
  else if (/^[a-z]+:\/\/[^/@\s]*:[^/@\s]*@/i.test(url)) out.push({ field: 'url', key: 'connection.errors.urlPassword' });
  if (!TOPIC_SAFE.test(v?.clientId ?? '') || (v?.clean === false && !(v?.clientId ?? '').trim())) out.push({ field: 'clientId', key: 'connection.errors.clientId' });
  const inRange = (n: unknown, l: { min: number; max: number }) => typeof n === 'number' && Number.isFinite(n) && n >= l.min && n <= l.max;
  if (!inRange(v?.keepalive, KEEPALIVE)) out.push({ field: 'keepalive', key: 'connection.errors.keepalive' });
  if (!inRange(v?.reconnectMinMs, RECONNECT_MIN)) out.push({ field: 'reconnectMin', key: 'connection.errors.reconnectRange' });
  else if (!inRange(v?.reconnectMaxMs, RECONNECT_MAX)) out.push({ field: 'reconnectMax', key: 'connection.errors.reconnectRange' });
  else if ((v?.reconnectMaxMs ?? 0) < (v?.reconnectMinMs ?? 0)) out.push({ field: 'reconnectMax', key: 'connection.errors.reconnectOrder' });
  if (!inRange(v?.queueLimit, QUEUE)) out.push({ field: 'queueLimit', key: 'connection.errors.queueLimit' });
  return out;
}

/**
 * The `connection` property's validator (two parameters, so Node-RED takes the returned
 * message as "invalid"). It checks the stored value; the open dialog marks its own fields.
 */
export function connectionValidator<N extends { _: (k: string) => string }>(options: { tlsOnly?: (node: N) => boolean; clientId?: (node: N) => string } = {}) {
  return function (this: N, v: unknown, _opt?: unknown): true | string {
    let value = v as Partial<ConnectionValue> | undefined;
    if (value && options.clientId) value = { ...value, clientId: options.clientId(this) };
    const problems = connectionProblems(value, options.tlsOnly?.(this) ?? false);
    return problems.length ? problems.map((p) => this._(p.key)).join('; ') : true;
  };
}

/** Marks the form fields that hold a problem, as Node-RED marks its own invalid inputs. */
export function markConnectionForm(tlsOnly: () => boolean): void {
  const problems = connectionProblems(readConnectionForm(undefined), tlsOnly());
  for (const name of ['url', 'clientId', 'keepalive', 'reconnectMin', 'reconnectMax', 'queueLimit'] as const) {
    field(name).toggleClass('input-error', problems.some((p) => p.field === name));
  }
}

export function prepareConnectionForm(value: Partial<ConnectionValue> | undefined, defaultUrl: string, tlsOnly: () => boolean = () => false): void {
  const v = value ?? {};
  field('url').val(v.url ?? defaultUrl);
  field('clientId').val(v.clientId ?? '');
  field('persistent').prop('checked', v.clean === false);
  field('exactlyOnce').prop('checked', v.exactlyOnce === true);
  field('keepalive').attr({ min: KEEPALIVE.min, max: KEEPALIVE.max }).val(v.keepalive ?? KEEPALIVE.default);
  field('protocolVersion').val(String(v.protocolVersion ?? CONNECTION_DEFAULTS.protocolVersion));
  // The form shows reconnect delays in seconds.
  field('reconnectMin').attr('min', RECONNECT_MIN.min / 1000).val((v.reconnectMinMs ?? RECONNECT_MIN.default) / 1000);
  field('reconnectMax').attr('min', RECONNECT_MAX.min / 1000).val((v.reconnectMaxMs ?? RECONNECT_MAX.default) / 1000);
  field('queueLimit').attr('min', QUEUE.min).val(v.queueLimit ?? QUEUE.default);
  field('shareGroup').val(v.shareGroup ?? '');
  const mark = () => markConnectionForm(tlsOnly);
  // Like core's "Use TLS": the TLS settings row only where the URL asks for TLS, so a plain
  // mqtt:// connection does not show Node-RED's "Add new tls-config..." as if it were a value.
  const showTls = () => $('.cniot-tls-row').toggle(/^(mqtts|wss):/i.test(String(field('url').val() ?? '').trim()) || Boolean($('#node-config-input-tls').val() && $('#node-config-input-tls').val() !== '_ADD_'));
  $('[id^="node-config-input-conn-"], #node-config-input-localTest, #node-config-input-tls').on('input change', () => { mark(); showTls(); });
  mark();
  showTls();
}

export function readConnectionForm(previous: Partial<ConnectionValue> | undefined): ConnectionValue {
  const num = (name: string, fallback: number) => {
    const n = Number(field(name).val());
    return Number.isFinite(n) && String(field(name).val()).trim() !== '' ? n : fallback;
  };
  return {
    ...previous,
    url: String(field('url').val() ?? '').trim(),
    clientId: String(field('clientId').val() ?? '').trim(),
    clean: !field('persistent').prop('checked'),
    exactlyOnce: field('exactlyOnce').prop('checked') === true,
    keepalive: num('keepalive', KEEPALIVE.default),
    protocolVersion: num('protocolVersion', CONNECTION_DEFAULTS.protocolVersion),
    reconnectMinMs: Math.round(num('reconnectMin', RECONNECT_MIN.default / 1000) * 1000),
    reconnectMaxMs: Math.round(num('reconnectMax', RECONNECT_MAX.default / 1000) * 1000),
    queueLimit: num('queueLimit', QUEUE.default),
    shareGroup: String(field('shareGroup').val() ?? '').trim(),
  };
}
