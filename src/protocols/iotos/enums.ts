/** IOTOS code tables. */

/** responseCode values: 0 is success; the rest as the IOTOS SDK's ErrorEnum names them. */
export const RESPONSE_CODES: Record<number, { en: string; zh: string }> = {
  0: { en: 'OK', zh: '成功' },
  2: { en: 'This end is offline', zh: '本端离线' },
  3: { en: 'Target is offline', zh: '对端离线' },
  6: { en: 'No web service', zh: '无 Web 服务' },
  101: { en: 'Unknown error', zh: '未知错误' },
  108: { en: 'Gateway does not exist', zh: '网关不存在' },
  109: { en: 'Device does not exist', zh: '设备不存在' },
  110: { en: 'Data point does not exist', zh: '数据点不存在' },
  112: { en: 'Request not authorised', zh: '请求未授权' },
};

export function responseMeaning(code: number): { code: number; en: string | null; zh: string | null; unknown?: true } {
  const known = RESPONSE_CODES[code];
  return known ? { code, ...known } : { code, en: null, zh: null, unknown: true };
}
