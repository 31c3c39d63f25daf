/**
 * Aliyun IoT Living account requests: binding the app account's MQTT channel to a device, and
 * unbinding it, with the platform's replies (长连接服务 document).
 */
import { z } from 'zod';
import { parseLenientJson } from '../lenient-json';
import { unknownMembers, wholeNumber } from '../message-checks';
import { ProtocolError } from '../protocol-error';
import { parseWith } from './messages';
import { sysPrefix, type AccountAction } from './topics';

export interface AccountRequest {
  topic: string;
  body: string;
  id: string;
}

/** The bind or unbind request for the channel `clientId`; bind also carries the user's iotToken. */
export function buildAccountRequest(
  action: AccountAction,
  productKey: string,
  deviceName: string,
  requestId: string,
  clientId: string,
  iotToken?: string,
): AccountRequest {
  if (productKey === '+' || deviceName === '+') throw new ProtocolError('bad-topic-segment', `${action} needs one productKey and deviceName, not "+"`);
  if (typeof clientId !== 'string' || clientId.trim() === '') throw new ProtocolError('bad-request', `${action} needs the MQTT channel's clientId`);
  if (action === 'bind' && (typeof iotToken !== 'string' || iotToken.trim() === '')) {
    throw new ProtocolError('bad-request', 'bind needs the user\'s iotToken');
  }
  const body = {
    id: requestId,
    version: '1.0',
    request: { clientId },
    params: action === 'bind' ? { iotToken } : {},
  };
  return { topic: `${sysPrefix(productKey, deviceName)}/app/up/account/${action}`, body: JSON.stringify(body), id: requestId };
}

const AccountReply = z.looseObject({ id: z.union([z.string(), z.number()]).transform(String), code: wholeNumber, message: z.string().optional() });

export interface AccountReply {
  id: string;
  code: number;
  message: string | null;
  ok: boolean;
  /** Fields the document does not describe (`localizedMsg`, `data`...), unchanged. */
  extra?: Record<string, unknown>;
}

export function parseAccountReply(body: Buffer | string): AccountReply {
  const text = typeof body === 'string' ? body : body.toString('utf8');
  const { value } = parseLenientJson(text);
  const r = parseWith(AccountReply, value, 'account reply');
  const reply: AccountReply = { id: r.id, code: r.code, message: r.message ?? null, ok: r.code === 200 };
  const extra = unknownMembers(value, ['id', 'code', 'message']);
  if (extra) reply.extra = extra;
  return reply;
}
