/**
 * IOTOS messages (IOTOS MQTT document): the uplink envelope, the platform's per-data-point
 * results, downlink control messages and the device's replies.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { epochField, epochTime } from '../epoch';
import { parseLenientJson } from '../lenient-json';
import { refuseTopicMismatch, unknownMembers, wholeNumber } from '../message-checks';
import { ProtocolError, clip, describeIssues } from '../protocol-error';
import { PlatformId } from './account';

/** 32 lower-case hex characters, as the document's requestId and the limit for responseId. */
export function newRequestId(): string {
  // 32 hex digits like 16 random bytes, without a call into OpenSSL per id (randomUUID draws from a cached pool).
  return randomUUID().replace(/-/g, '');
}

/**
 * The documents mix seconds (uplink `ts`) and milliseconds (downlink `ts`, `requestTime`). Values
 * below 1e11 are taken as seconds (1e11 s is the year 5138; 1e11 ms is 1973). A value that is no
 * time (negative, past the year 9999) throws a `bad-time` ProtocolError.
 */
export function normaliseTime(value: number, field = 'ts'): { ms: number; seconds: number; iso: string } {
  const { ms, iso } = value < 1e11 ? epochTime(value, 's', field) : epochTime(value, 'ms', field);
  return { ms, seconds: ms / 1000, iso };
}

/** A data point as the dialog's table holds it. */
export const DataPoint = z.object({
  name: z.string().default(''),
  id: PlatformId,
  oid: z.string().trim().min(1, 'oid is empty'),
});
export type DataPoint = z.infer<typeof DataPoint>;

export const DataEntry = z.object({
  name: z.string().default(''),
  id: PlatformId,
  oid: z.string().trim().min(1),
  /** Seconds, as the document's uplink writes it. */
  ts: epochField('s').optional(),
  value: z.unknown(),
});
export type DataEntry = z.infer<typeof DataEntry>;

export interface UplinkMessage {
  requestId: string;
  requestTime: number;
  data: Record<string, { name: string; id: number; oid: string; ts: number; value: unknown }>;
}

/** The document's whole uplink envelope, as a flow may send it: sent as given. */
const UplinkEnvelope = z.strictObject({
  requestId: z.string().trim().min(1).max(64).optional(),
  requestTime: epochField('ms').optional(),
  data: z.record(z.string(), z.unknown()),
});

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !Buffer.isBuffer(v);
}

/**
 * The uplink envelope from what a flow sends: `{oid: value}` (names from the table), a full data
 * map `{key: {name, id, oid, ts?, value}}`, the document's whole envelope `{requestId?,
 * requestTime?, data}`, or a single value for `single` (the dialog's point). A full map entry
 * goes out under the key the flow gave it: the document's sample keys `"179f"` a point whose
 * `oid` is `"7be6"`. Uplink `ts` is in seconds, as the document shows.
 */
export function buildUplink(payload: unknown, table: readonly DataPoint[], single: DataPoint | undefined, now = Date.now()): UplinkMessage {
  const tsSeconds = now / 1000;
  const data: UplinkMessage['data'] = {};
  const add = (key: string, p: { name: string; id: number; oid: string }, value: unknown, ts?: number) => {
    if (value === undefined) throw new ProtocolError('bad-value', `data point ${key} has no value`);
    data[key] = { name: p.name, id: p.id, oid: p.oid, ts: ts ?? tsSeconds, value };
  };
  let envelope: { requestId?: string | undefined; requestTime?: number | undefined } = {};
  let points: unknown = payload;
  if (isPlainObject(payload) && isPlainObject(payload.data) && Object.keys(payload).every((k) => k in UplinkEnvelope.shape)) {
    const whole = UplinkEnvelope.safeParse(payload);
    if (!whole.success) throw new ProtocolError('bad-payload', `uplink envelope: ${describeIssues(whole.error)}`);
    envelope = whole.data;
    points = whole.data.data;
  }
  if (!isPlainObject(points)) {
    if (!single) throw new ProtocolError('no-point', 'msg.payload is a single value but no data point is chosen in the dialog; send {oid: value} instead');
    add(single.oid, single, points);
  } else {
    const entries = Object.entries(points);
    if (entries.length === 0) throw new ProtocolError('bad-payload', 'msg.payload has no data points');
    for (const [key, v] of entries) {
      if (isPlainObject(v) && 'value' in v && 'id' in v) {
        const entry = DataEntry.safeParse({ oid: key, ...v });
        if (!entry.success) throw new ProtocolError('bad-payload', `data point ${key}: ${describeIssues(entry.error)}`);
        add(key, entry.data, entry.data.value, entry.data.ts);
        continue;
      }
      const point = table.find((p) => p.oid === key) ?? table.find((p) => p.name !== '' && p.name === key);
      if (!point) throw new ProtocolError('unknown-point', `"${clip(key)}" is not a data point of the dialog's table (give {id, oid, value} for points outside it)`);
      add(point.oid, point, v);
    }
  }
  return { requestId: envelope.requestId ?? newRequestId(), requestTime: envelope.requestTime ?? now, data };
}

const ENVELOPE_FIELDS = {
  id: PlatformId.optional(),
  oid: z.string().optional(),
  name: z.string().optional(),
  ts: z.number().optional(),
  value: z.unknown().optional(),
  requestId: z.string().min(1, 'requestId is missing'),
  requestTime: z.number().optional(),
};

/** What every decoded IOTOS message carries besides the document's fields. */
interface Checked {
  /** Fields the document does not describe, unchanged. */
  extra?: Record<string, unknown>;
}

/** The platform's answer to one data point of an uplink. */
export const UplinkResult = z.object({
  ...ENVELOPE_FIELDS,
  responseId: z.string().optional(),
  responseTime: z.number().optional(),
  responseCode: wholeNumber,
  responseDesc: z.string().optional(),
});
export type UplinkResult = z.infer<typeof UplinkResult> & Checked;

/** A control message from the platform to one data point. */
export const Downlink = z.object(ENVELOPE_FIELDS);
export type Downlink = z.infer<typeof Downlink> & Checked;

function parseEnvelope<T extends z.ZodObject>(schema: T, body: Buffer | string, what: string, topicDataId?: number): { value: z.infer<T> & Checked; lenient: boolean } {
  const { value, lenient } = parseLenientJson(body.toString());
  const obj = value as Record<string, unknown> | null;
  // The document's own reply sample spells the key "responseCode," (with the comma).
  if (obj && typeof obj === 'object' && obj.responseCode === undefined && obj['responseCode,'] !== undefined) {
    obj.responseCode = obj['responseCode,'];
    delete obj['responseCode,'];
  }
  const parsed = schema.safeParse(obj);
  if (!parsed.success) throw new ProtocolError('bad-envelope', `${what}: ${describeIssues(parsed.error)}`, { body: body.toString() });
  const out: z.infer<T> & Checked = parsed.data;
  const extra = unknownMembers(obj, Object.keys(schema.shape));
  if (extra) out.extra = extra;
  refuseTopicMismatch('id', (parsed.data as { id?: number }).id, 'data point', topicDataId, body.toString());
  return { value: out, lenient };
}

/** One data point's result; refused when its `id` is not the data point of the topic (`topicDataId`). */
export function parseUplinkResult(body: Buffer | string, topicDataId?: number): UplinkResult {
  return parseEnvelope(UplinkResult, body, 'uplink result', topicDataId).value;
}

/** One control message; refused when its `id` is not the data point of the topic (`topicDataId`). */
export function parseDownlink(body: Buffer | string, topicDataId?: number): { downlink: Downlink; lenient: boolean } {
  const { value, lenient } = parseEnvelope(Downlink, body, 'downlink message', topicDataId);
  return { downlink: value, lenient };
}

/** The device's reply to a downlink, echoing the control message's fields. */
export function downlinkReply(d: Downlink, dataId: number, code: number, desc: string, now = Date.now()): Record<string, unknown> {
  return {
    id: d.id ?? dataId,
    oid: d.oid,
    name: d.name,
    value: d.value,
    ts: d.ts,
    requestId: d.requestId,
    requestTime: d.requestTime,
    responseId: newRequestId(),
    responseTime: now,
    responseCode: code,
    responseDesc: desc,
  };
}
