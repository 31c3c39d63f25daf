/**
 * Aliyun AMQP server-side subscription: the signed SASL PLAIN login, and what a pushed message
 * holds. Two platforms use it: the IoT Platform (AccessKey, authMode=aksign, HMAC-SHA1) and IoT
 * Living data sync (AppKey, authMode=appkey, HMAC-SHA256).
 */
import { createHmac } from 'node:crypto';
import { z } from 'zod';
import { parseLenientJson } from '../lenient-json';
import { ProtocolError } from '../protocol-error';

export const AUTH_MODES = ['aksign', 'appkey'] as const;
export type AuthMode = (typeof AUTH_MODES)[number];

/** A value inside the `|k=v,k=v|` user name must not carry its separators. */
const field = (what: string) => z.string().trim().regex(/^[^|,=\s]*$/, `${what} must not contain "|", ",", "=" or spaces`);

export const AmqpLogin = z.object({
  authMode: z.enum(AUTH_MODES).default('aksign'),
  clientId: field('client id').min(1, 'client id is empty').max(64),
  /** AccessKey id (aksign) or AppKey (appkey). */
  keyId: field('AccessKey id / AppKey').min(1, 'AccessKey id / AppKey is empty'),
  /** AccessKey secret (aksign) or AppSecret (appkey). */
  secret: z.string().min(1, 'AccessKey secret / AppSecret is empty'),
  instanceId: field('instance id').default(''),
  consumerGroupId: field('consumer group id').min(1, 'consumer group id is empty'),
});
export type AmqpLogin = z.input<typeof AmqpLogin>;

/**
 * The SASL PLAIN user name and password for a login at `now` (ms). The timestamp is part of the
 * signature, so every (re)connect signs again.
 */
export function amqpCredentials(login: AmqpLogin, now: number = Date.now()): { username: string; password: string } {
  const l = AmqpLogin.parse(login);
  const ts = String(Math.trunc(now));
  if (l.authMode === 'appkey') {
    return {
      username: `${l.clientId}|authMode=appkey,signMethod=SHA256,random=${ts},appKey=${l.keyId},groupId=${l.consumerGroupId}|`,
      password: createHmac('sha256', l.secret).update(`random=${ts}`).digest('base64'),
    };
  }
  return {
    username: `${l.clientId}|authMode=aksign,signMethod=hmacsha1,timestamp=${ts},authId=${l.keyId},iotInstanceId=${l.instanceId},consumerGroupId=${l.consumerGroupId}|`,
    password: createHmac('sha1', l.secret).update(`authId=${l.keyId}&timestamp=${ts}`).digest('base64'),
  };
}

export const PAYLOAD_FORMATS = ['json', 'utf8', 'buffer'] as const;
export type PayloadFormat = (typeof PAYLOAD_FORMATS)[number];

/** What rhea hands over for one message: only the parts read here. */
export interface AmqpMessageLike {
  body?: unknown;
  message_id?: unknown;
  application_properties?: Record<string, unknown>;
}

export interface AmqpPush {
  topic: string;
  messageId: string | null;
  /** When the platform generated the message (ms), if it says. */
  generateTime: number | null;
  properties: Record<string, unknown>;
  payload: unknown;
  lenient: boolean;
}

/** The body bytes: a data section (`{typecode: 117, content}`), a Buffer, a string, or a value. */
export function bodyBytes(body: unknown): Buffer | undefined {
  if (Buffer.isBuffer(body)) return body;
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  if (body instanceof Uint8Array) return Buffer.from(body);
  if (body !== null && typeof body === 'object' && 'content' in body) return bodyBytes((body as { content: unknown }).content);
  return undefined;
}

/**
 * Reads one pushed message: its topic from the `topic` application property, its body as JSON
 * (default), text or bytes.
 */
export function decodeAmqpMessage(message: AmqpMessageLike, format: PayloadFormat = 'json'): AmqpPush {
  const properties = { ...(message.application_properties ?? {}) };
  const topic = properties.topic;
  if (typeof topic !== 'string' || topic === '') {
    throw new ProtocolError('no-topic', 'the message has no "topic" application property', { properties });
  }
  const id = properties.messageId ?? message.message_id;
  const generated = Number(properties.generateTime);
  const head = {
    topic,
    messageId: id === undefined || id === null ? null : String(id),
    generateTime: Number.isFinite(generated) && generated > 0 ? generated : null,
    properties,
  };
  const bytes = bodyBytes(message.body);
  if (bytes === undefined) {
    // An AMQP value body (map, list, number) is already structured.
    if (format === 'json' && message.body !== undefined) return { ...head, payload: message.body, lenient: false };
    throw new ProtocolError('bad-body', `message on ${topic} has a body that is not bytes or text`, { topic });
  }
  if (format === 'buffer') return { ...head, payload: bytes, lenient: false };
  const text = bytes.toString('utf8');
  if (format === 'utf8') return { ...head, payload: text, lenient: false };
  const { value, lenient } = parseLenientJson(text);
  return { ...head, payload: value, lenient };
}
