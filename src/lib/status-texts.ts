/**
 * The words of node status texts, in each language the package ships. The runtime writes the
 * English form (which flows with a `status` node receive); the editor reads it back with the
 * same templates and shows it in the editor's language through the nodes' message catalogues
 * (the build merges these under `status`). Placeholders are Node-RED's `__name__`.
 */
export const STATUS_TEXTS = {
  'en-US': {
    ready: 'ready',
    connected: 'connected',
    connecting: 'connecting',
    connectingLast: 'connecting (last: __reason__)',
    disconnected: 'disconnected: __reason__',
    connectionLost: 'connection lost',
    closed: 'closed',
    error: '__count__ error',
    errors: '__count__ errors',
    /** Why a connection is down (src/lib/mqtt/shared-connection.ts), as the runtime writes it. */
    reasons: {
      connectionRefused: 'connection refused',
      hostNotFound: 'host not found',
      connectionTimedOut: 'connection timed out',
      connectionReset: 'connection reset',
      tlsRejected: 'TLS certificate rejected (__code__)',
      badProtocolVersion: 'unacceptable protocol version',
      clientIdRejected: 'client id rejected',
      serverUnavailable: 'server unavailable',
      badCredentials: 'bad user name or password',
      notAuthorised: 'not authorised',
      unspecifiedError: 'unspecified error',
      serverBusy: 'server busy',
      banned: 'banned',
      badAuthMethod: 'bad authentication method',
      amqpAuthFailed: 'authentication failed: check the AccessKey (or AppKey) and secret, instance id, consumer group and the clock',
    },
    notes: {
      received: '__count__ received',
      decoded: '__count__ decoded',
      waiting: '__count__ waiting',
      subscription: '__count__ subscription',
      subscriptions: '__count__ subscriptions',
      upDownWaiting: '__up__ up / __down__ down waiting',
      noDevices: 'no devices subscribed',
    },
  },
  'zh-CN': {
    ready: '就绪',
    connected: '已连接',
    connecting: '正在连接',
    connectingLast: '正在连接（上次：__reason__）',
    disconnected: '已断开：__reason__',
    connectionLost: '连接中断',
    closed: '已关闭',
    error: '__count__ 个错误',
    errors: '__count__ 个错误',
    reasons: {
      connectionRefused: '连接被拒绝',
      hostNotFound: '找不到主机',
      connectionTimedOut: '连接超时',
      connectionReset: '连接被重置',
      tlsRejected: 'TLS 证书被拒绝（__code__）',
      badProtocolVersion: '不支持的协议版本',
      clientIdRejected: '客户端 ID 被拒绝',
      serverUnavailable: '服务器不可用',
      badCredentials: '用户名或密码错误',
      notAuthorised: '未授权',
      unspecifiedError: '未说明的错误',
      serverBusy: '服务器繁忙',
      banned: '已被禁止',
      badAuthMethod: '认证方式错误',
      amqpAuthFailed: '认证失败：请检查 AccessKey（或 AppKey）和密钥、实例 ID、消费组以及本机时钟',
    },
    notes: {
      received: '已收到 __count__ 条',
      decoded: '已解码 __count__ 条',
      waiting: '__count__ 条等待应答',
      subscription: '__count__ 个订阅',
      subscriptions: '__count__ 个订阅',
      upDownWaiting: '上报 __up__ / 下行 __down__ 条等待应答',
      noDevices: '未订阅任何设备',
    },
  },
} as const;

export type StatusWords = (typeof STATUS_TEXTS)['en-US'];

/** Fills `__name__` placeholders. */
export function fillStatus(template: string, vars: Record<string, string | number> = {}): string {
  return template.replace(/__(\w+)__/g, (m, k: string) => (k in vars ? String(vars[k]) : m));
}

/** A template as a pattern that reads an English text back; `names` are its placeholders in order. */
export function statusPattern(template: string): RegExp & { names: string[] } {
  const names: string[] = [];
  const body = template.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&').replace(/__(\w+)__/g, (_m, name: string) => { names.push(name); return '(.+?)'; });
  return Object.assign(new RegExp(`^${body}$`), { names });
}

/** The placeholders' values when `text` has the shape of `pattern`'s template, else undefined. */
export function readBack(pattern: RegExp & { names: string[] }, text: string): Record<string, string> | undefined {
  const m = pattern.exec(text);
  if (!m) return undefined;
  const vars: Record<string, string> = {};
  pattern.names.forEach((name, i) => { vars[name] = m[i + 1]!; });
  return vars;
}

const EN_REASONS = STATUS_TEXTS['en-US'].reasons;
const REASONS = (Object.keys(EN_REASONS) as Array<keyof typeof EN_REASONS>).map((k) => [`status.reasons.${k}`, statusPattern(EN_REASONS[k])] as const);

/**
 * A connection's reason ("connection refused") in the language `t` speaks (keys `status.*` of a
 * node's catalogue); a reason the table does not know, or `t` has no text for, as it is.
 */
export function translateReason(reason: string, t: (key: string, vars: Record<string, string>) => string | undefined): string {
  if (reason === STATUS_TEXTS['en-US'].connectionLost) return t('status.connectionLost', {}) ?? reason;
  for (const [key, re] of REASONS) {
    const vars = readBack(re, reason);
    if (vars) return t(key, vars) ?? reason;
  }
  return reason;
}
