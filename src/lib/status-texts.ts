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
