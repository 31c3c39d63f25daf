/**
 * Aliyun IoT Living (Feiyan) pushes (长连接服务 document): properties, events, status, topology
 * and OTA progress, checked and decoded.
 */
import { z } from 'zod';
import { epochField, epochIfValid, epochTime } from '../epoch';
import { named, type EnumTable } from '../enum-table';
import { parseLenientJson } from '../lenient-json';
import { addExtra, unknownMembers, wholeNumber, type Flag } from '../message-checks';
import { ProtocolError, describeIssues } from '../protocol-error';

import { DEVICE_STATUS, OTA_STATUS, TOPO_STATUS } from './enums';
import type { LivingKind } from './topics';

const id = z.union([z.string(), z.number()]).transform(String);
/** Times are epoch milliseconds; some senders write them as strings of digits. */
const epochMs = epochField('ms');
const code = wholeNumber;

const Envelope = z.looseObject({
  id: id.optional(),
  version: z.string().optional(),
  method: z.string().optional(),
  // The topo sample writes `param`; every other push writes `params`.
  params: z.record(z.string(), z.unknown()).optional(),
  param: z.record(z.string(), z.unknown()).optional(),
});

const DeviceRef = { iotId: z.string().optional(), productKey: z.string().optional(), deviceName: z.string().optional() };

const PropertiesParams = z.looseObject({
  ...DeviceRef,
  items: z.record(z.string(), z.looseObject({ time: epochMs.optional(), value: z.unknown() })),
});

const EventParams = z.looseObject({
  ...DeviceRef,
  identifier: z.string().min(1),
  name: z.string().optional(),
  type: z.string().optional(),
  // The document always shows it; an event without parameters arrives without it (null).
  value: z.unknown().optional(),
  time: epochMs.optional(),
});

const StatusParams = z.looseObject({
  ...DeviceRef,
  status: z.looseObject({ value: code, time: epochMs.optional() }),
});

const gateway = z.string().optional();
const TopoParams = z.looseObject({
  status: code,
  subIotId: z.string().optional(),
  subProductKey: z.string().optional(),
  subDeviceName: z.string().optional(),
  oldGwIotId: gateway,
  oldGwProductKey: gateway,
  oldGwDeviceName: gateway,
  newGwIotId: gateway,
  newGwProductKey: gateway,
  newGwDeviceName: gateway,
});

const OtaParams = z.looseObject({
  iotId: z.string().optional(),
  srcVersion: z.string().optional(),
  destVersion: z.string().optional(),
  step: code.optional(),
  desc: z.string().optional(),
  upgradeStatus: code,
});

export interface LivingTime {
  ms: number;
  iso: string;
}

/** A time the schema has already checked (epochField), as `{ms, iso}`. */
function time(ms: number | undefined): LivingTime | null {
  return ms === undefined ? null : epochTime(ms, 'ms', 'time');
}

export interface LivingPush {
  kind: LivingKind;
  id?: string;
  method?: string;
  /** The decoded content: see decodeLivingPush for each kind. */
  payload: Record<string, unknown>;
  /** iotId / productKey / deviceName the push is about, when it names them. */
  device: { iotId?: string; productKey?: string; deviceName?: string };
  lenient: boolean;
  /** Fields the document does not describe, unchanged, at their path in the body (`params.statusLast`). */
  extra?: Record<string, unknown>;
  /** Values kept as sent but outside what the document lists; empty when there are none. */
  flags: Flag[];
}

/** The documented members of each kind's params (and of its nested objects). */
const DEVICE_REF = ['iotId', 'productKey', 'deviceName'];
const KNOWN_PARAMS: Record<LivingKind, string[]> = {
  properties: [...DEVICE_REF, 'items'],
  events: [...DEVICE_REF, 'identifier', 'name', 'type', 'value', 'time'],
  status: [...DEVICE_REF, 'status'],
  topo: Object.keys(TopoParams.shape),
  ota: Object.keys(OtaParams.shape),
};
const TIMED_VALUE = ['time', 'value'];

/** Everything in the body that decodeLivingPush does not name, at its path in the body. */
function extraOf(kind: LivingKind, env: Record<string, unknown>, paramsKey: 'params' | 'param', params: Record<string, unknown>): Record<string, unknown> | undefined {
  const extra: Record<string, unknown> = {};
  addExtra(extra, [], unknownMembers(env, ['id', 'version', 'method', paramsKey]));
  addExtra(extra, [paramsKey], unknownMembers(params, KNOWN_PARAMS[kind]));
  if (kind === 'status') addExtra(extra, [paramsKey, 'status'], unknownMembers(params.status, TIMED_VALUE));
  if (kind === 'properties' && params.items && typeof params.items === 'object') {
    for (const [name, item] of Object.entries(params.items as Record<string, unknown>)) addExtra(extra, [paramsKey, 'items', name], unknownMembers(item, TIMED_VALUE));
  }
  return Object.keys(extra).length > 0 ? extra : undefined;
}

export function parseWith<S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> {
  const r = schema.safeParse(value);
  if (!r.success) throw new ProtocolError('bad-payload', `${what}: ${describeIssues(r.error)}`, { value });
  return r.data;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const optionalText = (v: unknown) => v === undefined || typeof v === 'string';

/**
 * The envelope as Envelope reads it, checked by hand (every push comes through here, and zod costs
 * as much as the rest of the decoding); undefined where Envelope must say what is wrong.
 */
function checkEnvelope(value: unknown): z.infer<typeof Envelope> | undefined {
  if (!isRecord(value)) return undefined;
  const { id, version, method, params, param } = value;
  if (id !== undefined && typeof id !== 'string' && !(typeof id === 'number' && Number.isFinite(id))) return undefined;
  if (!optionalText(version) || !optionalText(method)) return undefined;
  if ((params !== undefined && !isRecord(params)) || (param !== undefined && !isRecord(param))) return undefined;
  const env: z.infer<typeof Envelope> = {};
  if (id !== undefined) env.id = String(id);
  if (method !== undefined) env.method = method as string;
  if (params !== undefined) env.params = params as Record<string, unknown>;
  if (param !== undefined) env.param = param as Record<string, unknown>;
  return env;
}

/**
 * A properties push's params as PropertiesParams reads them, checked by hand, with each item's
 * value and time already taken out; undefined where PropertiesParams must say what is wrong.
 */
function checkProperties(params: Record<string, unknown>): { properties: Record<string, unknown>; times: Record<string, LivingTime | null> } | undefined {
  const { iotId, productKey, deviceName, items } = params;
  if (!optionalText(iotId) || !optionalText(productKey) || !optionalText(deviceName) || !isRecord(items)) return undefined;
  const properties: Record<string, unknown> = {};
  const times: Record<string, LivingTime | null> = {};
  for (const name of Object.keys(items)) {
    const item = items[name];
    if (!isRecord(item) || item.value === undefined) return undefined;
    let t: LivingTime | null = null;
    if (item.time !== undefined) {
      const read = epochIfValid(item.time, 'ms');
      if (!read) return undefined;
      t = read;
    }
    properties[name] = item.value;
    times[name] = t;
  }
  return { properties, times };
}

// Built by assignment rather than by spreading optional parts: every push goes through here.
function deviceOf(p: { iotId?: string | undefined; productKey?: string | undefined; deviceName?: string | undefined }): LivingPush['device'] {
  const device: LivingPush['device'] = {};
  if (p.iotId) device.iotId = p.iotId;
  if (p.productKey) device.productKey = p.productKey;
  if (p.deviceName) device.deviceName = p.deviceName;
  return device;
}


/**
 * Decodes one push body of `kind`:
 * - properties: `{properties: {name: value}, times: {name: {ms, iso}}}`
 * - events: `{identifier, name, type, value, time}`
 * - status: `{status: {code, en, zh}, time}`
 * - topo: `{status: {code, en, zh}, sub*, oldGw*, newGw*}` as sent
 * - ota: `{upgradeStatus: {code, en, zh}, progress | errorCode, srcVersion, destVersion, desc}`
 * Fields the document does not describe go to `extra`, never into the payload.
 */
export function decodeLivingPush(kind: LivingKind, body: Buffer | string): LivingPush {
  const text = typeof body === 'string' ? body : body.toString('utf8');
  const { value, lenient } = parseLenientJson(text);
  const env = checkEnvelope(value) ?? parseWith(Envelope, value, `${kind} push`);
  const paramsKey = env.params ? 'params' : 'param';
  const params = env[paramsKey];
  if (!params) throw new ProtocolError('bad-payload', `${kind} push has no params`, { value });
  const flags: Flag[] = [];
  const head: Omit<LivingPush, 'payload' | 'device'> = { kind, lenient, flags };
  if (env.id !== undefined) head.id = env.id;
  if (env.method) head.method = env.method;
  const extra = extraOf(kind, value as Record<string, unknown>, paramsKey, params);
  if (extra) head.extra = extra;
  const push = (payload: Record<string, unknown>, device: LivingPush['device']): LivingPush => Object.assign(head, { payload, device });
  const listed = (t: EnumTable, code: number, field: string) => {
    const v = named(t, code);
    if ('unknown' in v) flags.push({ field: `${paramsKey}.${field}`, value: code, reason: `not a code the document lists (${[...t.keys()].join(', ')})` });
    return v;
  };
  switch (kind) {
    case 'properties': {
      const checked = checkProperties(params);
      if (checked) return push(checked, deviceOf(params as { iotId?: string; productKey?: string; deviceName?: string }));
      const p = parseWith(PropertiesParams, params, 'properties push');
      const properties: Record<string, unknown> = {};
      const times: Record<string, LivingTime | null> = {};
      for (const [name, item] of Object.entries(p.items)) {
        properties[name] = item.value;
        times[name] = time(item.time);
      }
      return push({ properties, times }, deviceOf(p));
    }
    case 'events': {
      const p = parseWith(EventParams, params, 'event push');
      return push({ identifier: p.identifier, name: p.name ?? null, type: p.type ?? null, value: p.value ?? null, time: time(p.time) }, deviceOf(p));
    }
    case 'status': {
      const p = parseWith(StatusParams, params, 'status push');
      return push({ status: listed(DEVICE_STATUS, p.status.value, 'status.value'), time: time(p.status.time) }, deviceOf(p));
    }
    case 'topo': {
      const p = parseWith(TopoParams.strip(), params, 'topo status push');
      return push({ ...p, status: listed(TOPO_STATUS, p.status, 'status') }, deviceOf({ iotId: p.subIotId, productKey: p.subProductKey, deviceName: p.subDeviceName }));
    }
    case 'ota': {
      const p = parseWith(OtaParams.strip(), params, 'OTA progress push');
      const { step, upgradeStatus, ...rest } = p;
      // step is the progress in percent, or a negative error code (described by desc).
      if (step !== undefined && step > 100) flags.push({ field: `${paramsKey}.step`, value: step, reason: 'a progress above 100 %' });
      const progress = step !== undefined && step >= 0 ? { progress: step } : step !== undefined ? { errorCode: step } : {};
      return push({ ...rest, upgradeStatus: listed(OTA_STATUS, upgradeStatus, 'upgradeStatus'), ...progress }, deviceOf(p));
    }
  }
}
