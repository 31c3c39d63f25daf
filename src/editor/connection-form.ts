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

const field = (name: string) => $(`#node-config-input-conn-${name}`);

/** Returns true, or a message naming what is wrong (Node-RED shows it as a tooltip). */
export function validateConnection(v: Partial<ConnectionValue> | undefined, t: (key: string) => string): true | string {
  if (!v || typeof v.url !== 'string' || !/^(mqtts?|wss?):\/\/[^/\s]+/i.test(v.url.trim())) return t('connection.errors.url');
  // user:password@ would be stored in flows.json in clear; the runtime refuses it too.
  if (/^[a-z]+:\/\/[^/@\s]*:[^/@\s]*@/i.test(v.url.trim())) return t('connection.errors.urlPassword');
  if (/[\s+#/]/.test(v.clientId ?? '') || (v.clean === false && !(v.clientId ?? '').trim())) return t('connection.errors.clientId');
  const nums: Array<[unknown, number, number]> = [
    [v.keepalive, 0, 65535], [v.reconnectMinMs, 100, 600000], [v.reconnectMaxMs, 100, 3600000], [v.queueLimit, 0, 1000000],
  ];
  if (nums.some(([n, lo, hi]) => typeof n !== 'number' || !Number.isFinite(n) || n < lo || n > hi)) return t('connection.errors.numbers');
  if ((v.reconnectMaxMs ?? 0) < (v.reconnectMinMs ?? 0)) return t('connection.errors.numbers');
  return true;
}

export function prepareConnectionForm(value: Partial<ConnectionValue> | undefined, defaultUrl: string): void {
  const v = value ?? {};
  field('url').val(v.url ?? defaultUrl);
  field('clientId').val(v.clientId ?? '');
  field('persistent').prop('checked', v.clean === false);
  field('exactlyOnce').prop('checked', v.exactlyOnce === true);
  field('keepalive').val(v.keepalive ?? 30);
  field('protocolVersion').val(String(v.protocolVersion ?? 4));
  field('reconnectMin').val((v.reconnectMinMs ?? 1000) / 1000);
  field('reconnectMax').val((v.reconnectMaxMs ?? 60000) / 1000);
  field('queueLimit').val(v.queueLimit ?? 1000);
  field('shareGroup').val(v.shareGroup ?? '');
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
    keepalive: num('keepalive', 30),
    protocolVersion: num('protocolVersion', 4),
    reconnectMinMs: Math.round(num('reconnectMin', 1) * 1000),
    reconnectMaxMs: Math.round(num('reconnectMax', 60) * 1000),
    queueLimit: num('queueLimit', 1000),
    shareGroup: String(field('shareGroup').val() ?? '').trim(),
  };
}
