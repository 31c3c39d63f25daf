/**
 * What a gb32960 message can arrive as, detected automatically: the Aliyun cloud gateway's JSON
 * (`{header:{command, responseFlag, vin}, body}`, body.data base64, or login/logout already as
 * fields), its device status notification, a raw frame (Buffer, hex or base64 starting "##"), or
 * a bare data unit with the command given separately. All come out in one shape.
 */
import { z } from 'zod';
import { named } from '../enum-table';
import { ProtocolError, describeIssues } from '../protocol-error';
import { decodeDataUnit, decodeFrame, type Edition, type FrameOptions } from './codec';
import { beijingTime } from './fields';
import { COMMANDS, COMMANDS_2025, RESPONSE_FLAGS, RESPONSE_FLAGS_2025 } from './tables';

export interface Decoded {
  source: 'aliyun' | 'frame' | 'data-unit' | 'status' | 'lifecycle';
  command?: ReturnType<typeof named>;
  responseFlag?: ReturnType<typeof named>;
  vin?: string;
  [key: string]: unknown;
}

const AliyunHeader = z.object({
  command: z.number().int().min(0).max(255),
  responseFlag: z.number().int().min(0).max(255).default(0xfe),
  vin: z.string().default(''),
});
const AliyunMessage = z.object({ header: AliyunHeader, body: z.record(z.string(), z.unknown()).default({}) });
const AliyunTimeFields = z.object({
  year: z.number().int().min(0).max(99), month: z.number().int().min(1).max(12), day: z.number().int().min(1).max(31),
  hour: z.number().int().min(0).max(23), minute: z.number().int().min(0).max(59), second: z.number().int().min(0).max(59),
  serialNo: z.number().int().min(0).max(65535),
});
const AliyunLogin = AliyunTimeFields.extend({
  iccid: z.string(),
  subSystemNumber: z.number().int().min(0).max(255).default(0),
  systemEncodeLength: z.number().int().min(0).max(255).default(0),
  systemEncode: z.array(z.string()).default([]),
});
const StatusNotice = z.looseObject({
  protocol: z.literal('gb32960'),
  status: z.enum(['online', 'offline']),
  deviceName: z.string().optional(),
  productKey: z.string().optional(),
  utcTime: z.string().optional(),
  time: z.string().optional(),
});

/** Aliyun device lifecycle change (create, delete, enable, disable), pushed beside status notifications. */
const LifecycleNotice = z.looseObject({
  action: z.enum(['create', 'delete', 'enable', 'disable']),
  iotId: z.string().optional(),
  productKey: z.string().optional(),
  deviceName: z.string().optional(),
  messageCreateTime: z.number().optional(),
});

/** Names of the gateway's device events, as the Aliyun console gives them. */
const EVENTS: Record<string, { en: string; zh: string }> = {
  online: { en: 'Device online', zh: '设备上线' },
  offline: { en: 'Device offline', zh: '设备下线' },
  create: { en: 'Device created', zh: '设备创建' },
  delete: { en: 'Device deleted', zh: '设备删除' },
  enable: { en: 'Device enabled', zh: '设备启用' },
  disable: { en: 'Device disabled', zh: '设备禁用' },
};

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function strictBase64(s: string, what: string): Buffer {
  const clean = s.replace(/\s+/g, '');
  if (clean.length % 4 !== 0 || !BASE64.test(clean)) throw new ProtocolError('bad-base64', `${what} is not valid base64`, { value: s.slice(0, 80) });
  return Buffer.from(clean, 'base64');
}

/**
 * A whole frame, not a data unit: "##" or "$$" and its own length. No data unit starts that way
 * (its second byte would be a month of 35 or 36), so the BCC is left to decodeFrame, which
 * reports a mismatch or, when asked, decodes anyway.
 */
export function looksLikeFrame(b: Buffer): boolean {
  return b.length >= 25 && b[0] === b[1] && (b[0] === 0x23 || b[0] === 0x24) && b.length === 25 + b.readUInt16BE(22);
}

function fromFrame(buf: Buffer, opts: FrameOptions): Decoded {
  const f = decodeFrame(buf, opts);
  // The header's fields go onto the freshly decoded data unit (no copy) and last, so that a
  // data-unit field never overwrites them.
  const out = f.data as Decoded;
  out.source = 'frame';
  out.edition = f.edition;
  out.command = f.command;
  out.responseFlag = f.responseFlag;
  out.vin = f.vin;
  out.encryption = f.encryption;
  out.checksum = f.checksum;
  return out;
}

/** Data units carry no start bytes: their edition comes from the dialog (2016 by default, as Aliyun documents). */
function unitHead(command: number, responseFlag: number, edition: Edition) {
  return {
    edition,
    command: named(edition === 2025 ? COMMANDS_2025 : COMMANDS, command),
    responseFlag: named(edition === 2025 ? RESPONSE_FLAGS_2025 : RESPONSE_FLAGS, responseFlag),
  };
}

function fromAliyun(msg: z.infer<typeof AliyunMessage>, opts: InputOptions): Decoded {
  const { command, responseFlag, vin } = msg.header;
  const edition = opts.edition ?? 2016;
  const head = { source: 'aliyun' as const, ...unitHead(command, responseFlag, edition), vin };
  const body = msg.body;
  if (typeof body.data === 'string') {
    const bytes = strictBase64(body.data, 'body.data');
    if (looksLikeFrame(bytes)) {
      const f = fromFrame(bytes, opts);
      if (vin && f.vin && f.vin !== vin) throw new ProtocolError('vin-mismatch', `header VIN ${vin} differs from the frame's ${f.vin}`);
      return { ...f, source: 'aliyun', vin: f.vin || vin };
    }
    return { ...decodeDataUnit(command, bytes, responseFlag, edition), ...head };
  }
  if (command === 0x01 || command === 0x04) {
    // Login and logout arrive already as fields, with a 2-digit year in Beijing time.
    const parsed = (command === 0x01 ? AliyunLogin : AliyunTimeFields).safeParse(body);
    if (!parsed.success) throw new ProtocolError('bad-shape', `${command === 1 ? 'login' : 'logout'} body: ${describeIssues(parsed.error)}`);
    const t = parsed.data;
    const { time, timeMs } = beijingTime(t.year, t.month, t.day, t.hour, t.minute, t.second, `${command === 1 ? 'login' : 'logout'} time`);
    const base = { ...head, time, timeMs, serialNo: t.serialNo };
    if (command === 0x04) return base;
    const l = parsed.data as z.infer<typeof AliyunLogin>;
    return { ...base, iccid: l.iccid, subsystemCount: l.subSystemNumber, codeLength: l.systemEncodeLength, systemCodes: l.systemEncode };
  }
  if (command === 0x07 || command === 0x08) return { ...head };
  throw new ProtocolError('bad-shape', `command ${command} message has no body.data`);
}

export interface InputOptions extends FrameOptions {
  /** The command of a bare data unit (from the dialog or msg.command). */
  command?: number;
  responseFlag?: number;
  /** The edition of data units without start bytes; frames say it themselves. */
  edition?: Edition;
}

function bytesFromText(s: string): Buffer | undefined {
  const t = s.trim();
  if (/^(23\s?23|24\s?24)[0-9a-fA-F\s]*$/.test(t)) {
    const hex = t.replace(/\s+/g, '');
    if (hex.length % 2 !== 0) throw new ProtocolError('bad-hex', 'hex frame has an odd number of digits');
    return Buffer.from(hex, 'hex');
  }
  if (/^(IyM|JCQ)/.test(t)) return strictBase64(t, 'frame');
  return undefined;
}

export function decodeInput(input: unknown, opts: InputOptions = {}): Decoded {
  let value = input;
  if (typeof value === 'string') {
    const t = value.trim();
    if (t.startsWith('{')) {
      try {
        value = JSON.parse(t);
      } catch (err) {
        throw new ProtocolError('bad-json', `payload is not valid JSON: ${(err as Error).message}`);
      }
    } else {
      const bytes = bytesFromText(t);
      if (bytes) value = bytes;
      else if (opts.command !== undefined && /^[0-9a-fA-F\s]*$/.test(t)) value = Buffer.from(t.replace(/\s+/g, ''), 'hex');
      else throw new ProtocolError('bad-shape', 'text payload is neither JSON, nor a hex or base64 frame starting "##"');
    }
  }
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) {
    const buf = Buffer.from(value);
    if (buf.length >= 2 && buf[0] === buf[1] && (buf[0] === 0x23 || buf[0] === 0x24)) return fromFrame(buf, opts);
    if (opts.command === undefined) throw new ProtocolError('bad-shape', 'bytes that are not a frame ("##...") need the command of the data unit (dialog or msg.command)');
    const responseFlag = opts.responseFlag ?? 0xfe;
    const edition = opts.edition ?? 2016;
    return { ...decodeDataUnit(opts.command, buf, responseFlag, edition), source: 'data-unit', ...unitHead(opts.command, responseFlag, edition) };
  }
  if (typeof value === 'object' && value !== null) {
    if ((value as { protocol?: unknown }).protocol === 'gb32960') {
      const s = StatusNotice.safeParse(value);
      if (!s.success) throw new ProtocolError('bad-shape', `status notification: ${describeIssues(s.error)}`);
      return { source: 'status', ...s.data, online: s.data.status === 'online', event: { type: s.data.status, ...EVENTS[s.data.status]! } };
    }
    if (typeof (value as { action?: unknown }).action === 'string' && !('header' in value)) {
      const l = LifecycleNotice.safeParse(value);
      if (!l.success) throw new ProtocolError('bad-shape', `device lifecycle message: ${describeIssues(l.error)}`);
      // The device secret of a created device stays out of the flow.
      const { deviceSecret: _secret, ...notice } = l.data;
      const out: Decoded = { source: 'lifecycle', ...notice, event: { type: notice.action, ...EVENTS[notice.action]! } };
      if (notice.messageCreateTime !== undefined && Number.isFinite(new Date(notice.messageCreateTime).getTime())) out.time = new Date(notice.messageCreateTime).toISOString();
      return out;
    }
    const m = AliyunMessage.safeParse(value);
    if (!m.success) throw new ProtocolError('bad-shape', `not an Aliyun GB/T 32960 gateway message: ${describeIssues(m.error)}`);
    return fromAliyun(m.data, opts);
  }
  throw new ProtocolError('bad-shape', 'payload must be a gateway message, a frame or a data unit');
}
