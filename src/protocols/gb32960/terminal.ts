/**
 * GB/T 32960.3 downlink commands and the vehicle's replies to them, both editions: 0x80 parameter
 * query, 0x81 parameter set, 0x82 terminal control (2016 tables B.9-B.17, 2025 tables B.5-B.13).
 * Reached through decodeDataUnit / encodeDataUnit / encodeFrame in codec.ts.
 *
 * JS shapes (what decode returns, and what encode takes; decode(encode(x)) gives x back):
 *
 *   0x80 query (platform, flag 0xFE)
 *     { time?, ids: Array<number | string> }                  ids by number (0x09) or key ('heartbeatPeriod')
 *     decoded: { time, timeMs, count, ids: number[], names: Array<string | null> }
 *   0x80 reply (vehicle), 0x81 set (platform) and 0x81 reply (vehicle)
 *     { time?, parameters: Array<{ id: number | string, value }> }
 *     decoded: { time, timeMs, count, parameters: [{ id, name, value, marker?, raw? }], rest? }
 *       value: a number (raw units of the table: ms, s or min); null with marker 'abnormal' (FE)
 *       or 'invalid' (FF); a string for the versions 0x07/0x08; a string (printable) or Buffer for
 *       the domains 0x05/0x0E. A domain's length parameter (0x04/0x0D) is added when a set omits it.
 *       `rest` holds the bytes from an unknown parameter id on (it has no length, so reading stops).
 *   0x82 control (platform) and its reply (vehicle)
 *     { time?, control: number | string, upgrade?: {...}, alarm?: { level, message? } }
 *       control: 1-7 or a key: 'upgrade', 'shutdown', 'reset', 'factoryReset', 'disconnect',
 *       'alarm', 'samplingLink' (`command` is accepted as another name for `control`).
 *       upgrade: { url, apn?, user?, password?, address ('a.b.c.d', or 6 bytes), port, manufacturer,
 *       hardwareVersion, firmwareVersion, timeLimit (minutes), order?: 'table' }
 *       alarm: { level: 0-3 (2016) or 0-4 (2025), 0xFF invalid; message?: string, messageBytes? }
 *       (or alarmLevel / alarmMessage at the top level)
 *     decoded: { time, timeMs, control: {code, en, zh}, upgrade? | alarm? | params? }
 *       params: the bytes after a control id whose layout is not one of the above (user-defined),
 *       or empty bytes for an upgrade or alarm echoed without its parameters (a terminal's reply).
 *
 * A query's ids may be empty only with `count: 0` spelled out (as a decoded one has it): the
 * standard gives no meaning to an empty query.
 *
 * `time` is optional when encoding: the platform's current Beijing time goes in. A reply with only
 * a time, or an empty one, is decoded by codec.ts as { time, timeMs } or {}.
 */
import { named, table, type EnumTable, type EnumValue } from '../enum-table';
import { ProtocolError } from '../protocol-error';
import { Reader, Writer, toBytes } from './binary';
import { readTime, writeTimeOrNow, type Marker } from './fields';

type Edition = 2016 | 2025;

// ---------------------------------------------------------------------------------------------
// Parameters (2016 table B.12, 2025 table B.8)

type ParameterKind = 'number' | 'length' | 'domain' | 'version';

export interface ParameterSpec {
  id: number;
  key: string;
  en: string;
  zh: string;
  kind: ParameterKind;
  /** Bytes per edition (numbers and lengths); versions are 5 bytes, domains take their length parameter's value. */
  width: { 2016: 1 | 2; 2025: 1 | 2 };
  unit: { 2016: string; 2025: string };
  /** Valid raw range per edition, checked when a platform sets the parameter. */
  range?: { 2016: readonly [number, number]; 2025: readonly [number, number] };
  /** The domain whose length this is (0x04 -> 0x05), or the length parameter of a domain. */
  pair?: number;
  /** Read-only: a set may not carry it (both editions: 0x07, 0x08). */
  readOnly?: true;
}

const both = <T>(v: T) => ({ 2016: v, 2025: v });
const p = (id: number, key: string, en: string, zh: string, kind: ParameterKind, extra: Partial<ParameterSpec> = {}): ParameterSpec =>
  ({ id, key, en, zh, kind, width: both(1), unit: both(''), ...extra }) as ParameterSpec;

export const PARAMETERS: readonly ParameterSpec[] = [
  p(0x01, 'storagePeriod', 'Terminal local storage period', '车载终端本地存储时间周期', 'number', { width: both(2), unit: { 2016: 'ms', 2025: '0.001 s' }, range: both([0, 60000] as const) }),
  p(0x02, 'reportPeriod', 'Reporting period, normal', '正常时信息上报时间周期', 'number', { width: { 2016: 2, 2025: 1 }, unit: both('s'), range: { 2016: [1, 600], 2025: [1, 30] } }),
  p(0x03, 'alarmReportPeriod', 'Reporting period during an alarm', '出现报警时信息上报时间周期', 'number', { width: { 2016: 2, 2025: 1 }, unit: { 2016: 'ms', 2025: 's' }, range: { 2016: [0, 60000], 2025: [0, 1] } }),
  p(0x04, 'platformDomainLength', 'Remote service and management platform domain length', '远程服务与管理平台域名长度', 'length', { pair: 0x05 }),
  p(0x05, 'platformDomain', 'Remote service and management platform domain', '远程服务与管理平台域名', 'domain', { pair: 0x04 }),
  p(0x06, 'platformPort', 'Remote service and management platform port', '远程服务与管理平台端口', 'number', { width: both(2), range: both([0, 65531] as const) }),
  p(0x07, 'hardwareVersion', 'Hardware version', '硬件版本', 'version', { readOnly: true }),
  p(0x08, 'firmwareVersion', 'Firmware version', '固件版本', 'version', { readOnly: true }),
  p(0x09, 'heartbeatPeriod', 'Heartbeat period', '车载终端心跳发送周期', 'number', { unit: both('s'), range: both([1, 240] as const) }),
  p(0x0a, 'terminalResponseTimeout', 'Terminal response timeout', '终端应答超时时间', 'number', { width: both(2), unit: both('s'), range: both([1, 600] as const) }),
  p(0x0b, 'platformResponseTimeout', 'Platform response timeout', '平台应答超时时间', 'number', { width: both(2), unit: both('s'), range: both([1, 600] as const) }),
  p(0x0c, 'loginRetryInterval', 'Interval before the next login after three failed logins', '连续三次登入失败后到下一次登入的间隔时间', 'number', { unit: both('min'), range: both([1, 240] as const) }),
  p(0x0d, 'publicDomainLength', 'Public platform domain length', '公共平台域名长度', 'length', { pair: 0x0e }),
  p(0x0e, 'publicDomain', 'Public platform domain', '公共平台域名', 'domain', { pair: 0x0d }),
  p(0x0f, 'publicPort', 'Public platform port', '公共平台端口', 'number', { width: both(2), range: both([0, 65531] as const) }),
  p(0x10, 'samplingMonitoring', 'Sampling monitoring active (1 yes, 2 no)', '是否处于抽样监测中', 'number', { range: both([1, 2] as const) }),
];

const BY_ID = new Map(PARAMETERS.map((s) => [s.id, s]));
const BY_KEY = new Map(PARAMETERS.map((s) => [s.key.toLowerCase(), s]));

function parameterSpec(id: unknown, what: string): ParameterSpec {
  const spec = typeof id === 'number' ? BY_ID.get(id) : typeof id === 'string' ? BY_KEY.get(id.toLowerCase()) ?? BY_ID.get(Number(id)) : undefined;
  if (!spec) throw new ProtocolError('bad-value', `${what}: unknown parameter ${JSON.stringify(id)} (ids 0x01-0x10 or their keys, e.g. 'heartbeatPeriod')`, { id });
  return spec;
}

// ---------------------------------------------------------------------------------------------
// Control commands (2016 tables B.14-B.17, 2025 tables B.10-B.13)

const CONTROL_ROWS = [
  [0x01, 'upgrade', 'Remote upgrade', '远程升级'],
  [0x02, 'shutdown', 'Terminal shutdown', '车载终端关机'],
  [0x03, 'reset', 'Terminal reset', '车载终端复位'],
  [0x04, 'factoryReset', 'Factory reset', '车载终端恢复出厂设置'],
  [0x05, 'disconnect', 'Disconnect the data link', '断开数据通信链路'],
  [0x06, 'alarm', 'Terminal alarm or warning', '车载终端报警/预警'],
  [0x07, 'samplingLink', 'Open the sampling-monitoring link', '开启抽样监测链路'],
] as const;

export const CONTROL_COMMANDS: EnumTable = table(CONTROL_ROWS.map(([code, , en, zh]) => [code, en, zh] as const));
/** Keys a user can type for a control command, by code. */
export const CONTROL_KEYS: ReadonlyMap<number, string> = new Map(CONTROL_ROWS.map(([code, key]) => [code, key]));

export const CONTROL_ALARM_LEVELS: Record<Edition, EnumTable> = {
  2016: table([[0, 'No alarm', '无报警'], [1, 'Level 1', '1级报警'], [2, 'Level 2', '2级报警'], [3, 'Level 3 (highest)', '3级报警'], [0xff, 'Invalid', '无效']]),
  2025: table([[0, 'No alarm', '无报警'], [1, 'Level 1', '1级报警'], [2, 'Level 2', '2级报警'], [3, 'Level 3', '3级报警'], [4, 'Level 4 (highest)', '4级报警'], [0xff, 'Invalid', '无效']]),
};

function controlCode(v: unknown): number {
  if (typeof v === 'object' && v !== null && typeof (v as EnumValue).code === 'number') return (v as EnumValue).code;
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0xff) return v;
  if (typeof v === 'string') {
    const s = v.trim().toLowerCase();
    for (const [code, key, en] of CONTROL_ROWS) if (key.toLowerCase() === s || en.toLowerCase() === s) return code;
    if (/^(0x[0-9a-f]{1,2}|\d{1,3})$/.test(s) && Number(s) <= 0xff) return Number(s);
  }
  throw new ProtocolError('bad-value', `control: unknown command ${JSON.stringify(v)} (1-7, or ${CONTROL_ROWS.map((r) => `'${r[1]}'`).join(', ')})`, { control: v });
}

// ---------------------------------------------------------------------------------------------
// Shared pieces


const isPrintable = (b: Buffer) => b.every((c) => c >= 0x20 && c < 0x7f);

/** A domain (0x05/0x0E): text when printable, else the bytes (some terminals store a binary IPv4 address). */
function domainValue(b: Buffer): string | Buffer {
  return isPrintable(b) ? b.toString('latin1') : Buffer.from(b);
}

function domainBytes(v: unknown, what: string): Buffer {
  if (typeof v === 'string') return Buffer.from(v, 'latin1');
  const b = toBytes(v, what);
  if (!b) throw new ProtocolError('bad-value', `${what} must be text or bytes`, { value: v });
  return b;
}

// ---------------------------------------------------------------------------------------------
// 0x80 query / 0x80 reply, 0x81 set / 0x81 reply

export interface ParameterItem {
  id: number;
  name: string;
  value: number | string | Buffer | null;
  marker?: Marker;
  /** A version's 5 bytes, when they are not the text padded with NULs. */
  raw?: Buffer;
}

export interface ParameterList {
  time: string;
  timeMs: number;
  count: number;
  parameters: ParameterItem[];
  /** The bytes from an unknown parameter id on: it has no length, so reading stops there. */
  rest?: Buffer;
}

export interface ParameterQuery {
  time: string;
  timeMs: number;
  count: number;
  ids: number[];
  names: Array<string | null>;
}

/** A query is exactly time, count N and N ids; anything longer is a reply with values. */
export function isQueryLayout(unit: Buffer): boolean {
  return unit.length >= 7 && unit.length === 7 + unit[6]!;
}

export function decodeQuery(unit: Buffer): ParameterQuery {
  const r = new Reader(unit);
  const t = readTime(r);
  const count = r.uint(1, 'query parameter count');
  const ids = [...r.bytes(count, 'query parameter ids')];
  if (r.remaining > 0) throw new ProtocolError('trailing-data', `${r.remaining} byte(s) follow the ${count} parameter ids of the query`, { offset: r.offset });
  return { time: t.time, timeMs: t.timeMs, count, ids, names: ids.map((id) => BY_ID.get(id)?.key ?? null) };
}

export function encodeQuery(data: Record<string, unknown>): Buffer {
  const ids = data.ids;
  // An empty query is no use to a terminal (TIZA answers it with an error): only a decoded one, count 0 spelled out, is written back.
  if (!Array.isArray(ids) || (ids.length === 0 && data.count !== 0)) throw new ProtocolError('bad-value', 'a parameter query needs ids: a list of parameter ids or keys');
  const codes = ids.map((id, i) => (typeof id === 'number' && Number.isInteger(id) && id >= 0 && id <= 0xff && !BY_ID.has(id) ? id : parameterSpec(id, `ids[${i}]`).id));
  if (codes.length > 252) throw new ProtocolError('out-of-range', `a query lists at most 252 parameters, not ${codes.length}`);
  const w = new Writer();
  writeTimeOrNow(w, data.time);
  w.uint(1, typeof data.count === 'number' ? data.count : codes.length, 'query parameter count');
  for (const c of codes) w.uint(1, c, 'query parameter id');
  return w.toBuffer();
}

export function decodeParameters(unit: Buffer, edition: Edition): ParameterList {
  const r = new Reader(unit);
  const t = readTime(r);
  const count = r.uint(1, 'parameter count');
  const parameters: ParameterItem[] = [];
  const out: ParameterList = { time: t.time, timeMs: t.timeMs, count, parameters };
  const lengths = new Map<number, number>();
  while (r.remaining > 0) {
    const at = r.offset;
    const id = r.uint(1, 'parameter id');
    const spec = BY_ID.get(id);
    // A domain's length comes from its length parameter earlier in the same list.
    const domainLength = spec?.kind === 'domain' ? lengths.get(spec.pair!) : undefined;
    if (!spec || (spec.kind === 'domain' && domainLength === undefined)) {
      out.rest = Buffer.from(unit.subarray(at));
      break;
    }
    const item: ParameterItem = { id, name: spec.key, value: null };
    if (spec.kind === 'domain') {
      item.value = domainValue(r.bytes(domainLength!, spec.key));
    } else if (spec.kind === 'version') {
      const bytes = r.bytes(5, spec.key);
      let end = 5;
      while (end > 0 && (bytes[end - 1] === 0 || bytes[end - 1] === 0x20)) end--;
      item.value = bytes.toString('latin1', 0, end);
      if (bytes.subarray(end).some((c) => c !== 0)) item.raw = Buffer.from(bytes);
    } else {
      const width = spec.width[edition];
      const raw = r.uint(width, spec.key);
      if (spec.kind === 'length') {
        lengths.set(id, raw);
        item.value = raw;
      } else if (raw >= (width === 1 ? 0xfe : 0xfffe)) {
        item.marker = raw === (width === 1 ? 0xff : 0xffff) ? 'invalid' : 'abnormal';
      } else {
        item.value = raw;
      }
    }
    parameters.push(item);
  }
  return out;
}

export interface EncodeParameterOptions {
  /** A platform's set (0x81, flag 0xFE): refuse read-only parameters and values outside the standard's ranges. */
  set?: boolean;
}

export function encodeParameters(data: Record<string, unknown>, edition: Edition, opts: EncodeParameterOptions = {}): Buffer {
  const list = data.parameters;
  if (!Array.isArray(list)) throw new ProtocolError('bad-value', 'parameters must be a list of {id, value}');
  const items = list.map((item, i) => {
    if (typeof item !== 'object' || item === null) throw new ProtocolError('bad-value', `parameters[${i}] must be {id, value}`);
    const it = item as Record<string, unknown>;
    return { spec: parameterSpec(it.id ?? it.name, `parameters[${i}]`), item: it, index: i };
  });
  // A domain needs its length parameter before it; add the length when the list leaves it out.
  const ordered: typeof items = [];
  const present = new Set(items.map((x) => x.spec.id));
  for (const x of items) {
    if (x.spec.kind === 'domain' && !present.has(x.spec.pair!)) {
      const bytes = domainBytes(x.item.value, `parameters[${x.index}].value`);
      ordered.push({ spec: BY_ID.get(x.spec.pair!)!, item: { value: bytes.length }, index: x.index });
    }
    ordered.push(x);
  }
  const w = new Writer();
  writeTimeOrNow(w, data.time);
  w.uint(1, typeof data.count === 'number' ? data.count : ordered.length, 'parameter count');
  const lengths = new Map<number, number>();
  for (const { spec, item, index } of ordered) {
    const what = `parameters[${index}] (${spec.key})`;
    if (opts.set && spec.readOnly) throw new ProtocolError('bad-value', `${what} is read-only: a parameter set may not carry it (table B.13 / B.9)`, { id: spec.id });
    w.uint(1, spec.id, 'parameter id');
    if (spec.kind === 'domain') {
      const bytes = domainBytes(item.value, what);
      const declared = lengths.get(spec.pair!);
      if (declared === undefined) throw new ProtocolError('bad-value', `${what} must follow its length parameter 0x${spec.pair!.toString(16).padStart(2, '0')}`);
      if (declared !== bytes.length) throw new ProtocolError('bad-value', `${what} is ${bytes.length} bytes but its length parameter says ${declared}`);
      w.bytes(bytes);
    } else if (spec.kind === 'version') {
      const raw = toBytes(item.raw, what);
      if (raw && raw.length === 5) w.bytes(raw);
      else w.text(String(item.value ?? ''), 5, what);
    } else {
      const width = spec.width[edition];
      const marker = item.marker;
      if (marker === 'abnormal' || marker === 'invalid') {
        w.uint(width, (width === 1 ? 0xff : 0xffff) - (marker === 'abnormal' ? 1 : 0), what);
        continue;
      }
      const value = item.value;
      if (typeof value !== 'number' || !Number.isInteger(value)) throw new ProtocolError('bad-value', `${what} must be a whole number (or null with marker 'abnormal' / 'invalid')`, { value });
      const range = spec.range?.[edition];
      if (opts.set && range && (value < range[0] || value > range[1])) {
        throw new ProtocolError('out-of-range', `${what}: ${value} is outside ${range[0]}-${range[1]} ${spec.unit[edition]} (${edition} edition)`.trim(), { value });
      }
      if (spec.kind === 'length') lengths.set(spec.id, value);
      w.uint(width, value, what);
    }
  }
  const rest = toBytes(data.rest, 'rest');
  if (rest) w.bytes(rest);
  return w.toBuffer();
}

// ---------------------------------------------------------------------------------------------
// 0x82 terminal control

export interface UpgradeParameters {
  url: string;
  apn: string;
  user: string;
  password: string;
  /** 'a.b.c.d' for the standard's 6-byte IPv4 form (00 00 a b c d), else the bytes. */
  address: string | Buffer;
  port: number;
  manufacturer: string;
  hardwareVersion: string;
  firmwareVersion: string;
  /** Minutes the terminal has to reach the upgrade server. */
  timeLimit: number;
  /** 'table': the field order of table B.16 / B.12 (URL ninth), as EMQX sends it. Absent: the text's order, URL first. */
  order?: 'table';
}

export interface ControlData {
  time: string;
  timeMs: number;
  control: EnumValue;
  upgrade?: UpgradeParameters;
  alarm?: { level: EnumValue; message: string; messageBytes?: Buffer };
  /** Parameters of a control id without a layout here (user-defined 0x80-0xFE, or extra bytes). */
  params?: Buffer;
}

const SEMI = 0x3b;
/** After the address: ";" port(2) ";" maker(4) ";" hw(5) ";" fw(5) — then ";" time limit(2) in text order. */
const FIXED_TAIL = 1 + 2 + 1 + 4 + 1 + 5 + 1 + 5;

function readUntilSemicolon(b: Buffer, from: number, fields: number): { values: string[]; at: number } | undefined {
  const values: string[] = [];
  let at = from;
  for (let i = 0; i < fields; i++) {
    const semi = b.indexOf(SEMI, at);
    if (semi < 0) return undefined;
    values.push(b.toString('latin1', at, semi));
    at = semi + 1;
  }
  return { values, at };
}

function addressValue(b: Buffer): string | Buffer {
  return b.length === 6 && b[0] === 0 && b[1] === 0 ? `${b[2]}.${b[3]}.${b[4]}.${b[5]}` : Buffer.from(b);
}

/** The fixed fields after the address, checked for their separators. */
function readFixed(b: Buffer, at: number): Pick<UpgradeParameters, 'port' | 'manufacturer' | 'hardwareVersion' | 'firmwareVersion'> | undefined {
  if (b[at] !== SEMI || b[at + 3] !== SEMI || b[at + 8] !== SEMI || b[at + 14] !== SEMI) return undefined;
  const text = (from: number, n: number) => b.toString('latin1', from, from + n).replace(/[\0 ]+$/, '');
  return { port: b.readUInt16BE(at + 1), manufacturer: text(at + 4, 4), hardwareVersion: text(at + 9, 5), firmwareVersion: text(at + 15, 5) };
}

/** Text order (B.15 / B.11 text): URL;APN;user;password;address;port;maker;hw;fw;time limit. */
function readUpgradeTextOrder(b: Buffer): UpgradeParameters | undefined {
  const head = readUntilSemicolon(b, 0, 4);
  if (!head) return undefined;
  const tailAt = b.length - FIXED_TAIL - 3;
  if (tailAt < head.at || b[b.length - 3] !== SEMI) return undefined;
  const fixed = readFixed(b, tailAt);
  if (!fixed) return undefined;
  const [url, apn, user, password] = head.values as [string, string, string, string];
  return { url, apn, user, password, address: addressValue(b.subarray(head.at, tailAt)), ...fixed, timeLimit: b.readUInt16BE(b.length - 2) };
}

/** Table order (B.16 / B.12): APN;user;password;address(6);port;maker;hw;fw;URL;time limit. */
function readUpgradeTableOrder(b: Buffer): UpgradeParameters | undefined {
  const head = readUntilSemicolon(b, 0, 3);
  if (!head) return undefined;
  const addressEnd = head.at + 6;
  const fixed = readFixed(b, addressEnd);
  const urlAt = addressEnd + FIXED_TAIL + 1;
  if (!fixed || b[urlAt - 1] !== SEMI || b.length < urlAt + 3 || b[b.length - 3] !== SEMI) return undefined;
  const [apn, user, password] = head.values as [string, string, string];
  return { url: b.toString('latin1', urlAt, b.length - 3), apn, user, password, address: addressValue(b.subarray(head.at, addressEnd)), ...fixed, timeLimit: b.readUInt16BE(b.length - 2), order: 'table' };
}

const hasScheme = (s: string | undefined) => s !== undefined && /^[a-z][a-z0-9+.-]*:\/\//i.test(s);

/**
 * The standard names the fields in two orders (text: URL first; table: URL ninth). Binary fields
 * may hold ";", so the fixed-width tail is read by position, and the order is the one whose URL
 * has a scheme (text order when neither or both do).
 */
function readUpgrade(b: Buffer): UpgradeParameters | undefined {
  const text = readUpgradeTextOrder(b);
  if (text && hasScheme(text.url)) return text;
  const tableOrder = readUpgradeTableOrder(b);
  if (tableOrder && hasScheme(tableOrder.url)) return tableOrder;
  return text ?? tableOrder;
}

function upgradeAddress(v: unknown): Buffer {
  if (typeof v === 'string') {
    const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(v.trim());
    if (m && m.slice(1).every((o) => Number(o) <= 255)) return Buffer.from([0, 0, ...m.slice(1).map(Number)]);
    throw new ProtocolError('bad-value', `upgrade.address "${v}" is not an IPv4 address (the standard's field is 6 bytes: 00 00 a b c d); give other forms as bytes`);
  }
  const b = toBytes(v, 'upgrade.address');
  if (!b) throw new ProtocolError('bad-value', 'upgrade.address must be an IPv4 address or bytes');
  return b;
}

function writeUpgrade(w: Writer, u: Record<string, unknown>): void {
  const str = (k: string) => {
    const v = u[k] ?? '';
    if (typeof v !== 'string') throw new ProtocolError('bad-value', `upgrade.${k} must be text`, { value: v });
    if (v.includes(';')) throw new ProtocolError('bad-value', `upgrade.${k} may not contain ";" (the field separator)`);
    return Buffer.from(v, 'latin1');
  };
  const sep = () => w.uint(1, SEMI, 'separator');
  const word = (k: string, max: number) => {
    const v = u[k];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > max) throw new ProtocolError('out-of-range', `upgrade.${k} must be a whole number 0-${max}`, { value: v });
    w.uint(2, v, `upgrade.${k}`);
  };
  const fixed = () => {
    w.bytes(upgradeAddress(u.address)); sep();
    word('port', 65531); sep();
    w.text(String(u.manufacturer ?? ''), 4, 'upgrade.manufacturer'); sep();
    w.text(String(u.hardwareVersion ?? ''), 5, 'upgrade.hardwareVersion'); sep();
    w.text(String(u.firmwareVersion ?? ''), 5, 'upgrade.firmwareVersion'); sep();
  };
  if (u.order === 'table') {
    w.bytes(str('apn')); sep(); w.bytes(str('user')); sep(); w.bytes(str('password')); sep();
    fixed();
    w.bytes(str('url')); sep();
  } else {
    w.bytes(str('url')); sep(); w.bytes(str('apn')); sep(); w.bytes(str('user')); sep(); w.bytes(str('password')); sep();
    fixed();
  }
  word('timeLimit', 60000);
}

// The alarm message is "reserved, variable length" with no stated encoding: shown as GB18030 text.
const gb18030 = new TextDecoder('gb18030');
let gbEncodeTable: Map<string, number> | undefined;

/** Two-byte GB18030 codes by character, built once from the platform's decoder when first needed. */
function encodeGb18030(text: string, what: string): Buffer {
  const out: number[] = [];
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if (c < 0x80) {
      out.push(c);
      continue;
    }
    if (!gbEncodeTable) {
      gbEncodeTable = new Map();
      for (let lead = 0x81; lead <= 0xfe; lead++) {
        for (let trail = 0x40; trail <= 0xfe; trail++) {
          if (trail === 0x7f) continue;
          const s = gb18030.decode(Uint8Array.of(lead, trail));
          if (s.length === 1 && s !== '\ufffd' && !gbEncodeTable.has(s)) gbEncodeTable.set(s, (lead << 8) | trail);
        }
      }
    }
    const code = gbEncodeTable.get(ch);
    if (code === undefined) throw new ProtocolError('bad-value', `${what}: "${ch}" has no two-byte GB18030 code; give messageBytes instead`);
    out.push(code >> 8, code & 0xff);
  }
  return Buffer.from(out);
}

export function decodeControl(unit: Buffer, edition: Edition): ControlData {
  const r = new Reader(unit);
  const t = readTime(r);
  const code = r.uint(1, 'control command id');
  const params = unit.subarray(r.offset);
  const out: ControlData = { time: t.time, timeMs: t.timeMs, control: named(CONTROL_COMMANDS, code) };
  if (code === 0x01 && params.length > 0) {
    const upgrade = readUpgrade(params);
    if (upgrade) out.upgrade = upgrade;
    else out.params = Buffer.from(params);
  } else if (code === 0x06 && params.length > 0) {
    const bytes = params.subarray(1);
    const ascii = bytes.every((c) => c < 0x80);
    out.alarm = { level: named(CONTROL_ALARM_LEVELS[edition], params[0]!), message: ascii ? bytes.toString('latin1') : gb18030.decode(bytes) };
    if (!ascii) out.alarm.messageBytes = Buffer.from(bytes);
  } else if (params.length > 0 || code === 0x01 || code === 0x06) {
    // An upgrade or alarm without its parameters (a terminal's reply echoes only the id): kept as
    // empty bytes, so that it is written back the same and never taken for a command to complete.
    out.params = Buffer.from(params);
  }
  return out;
}

export function encodeControl(data: Record<string, unknown>, edition: Edition): Buffer {
  const code = controlCode(data.control ?? data.command);
  const w = new Writer();
  writeTimeOrNow(w, data.time);
  w.uint(1, code, 'control command id');
  const params = toBytes(data.params, 'params');
  if (params) return w.bytes(params).toBuffer();
  if (code === 0x01) {
    if (typeof data.upgrade !== 'object' || data.upgrade === null) throw new ProtocolError('bad-value', 'a remote upgrade (control 1) needs upgrade: {url, address, port, manufacturer, hardwareVersion, firmwareVersion, timeLimit, ...}');
    writeUpgrade(w, data.upgrade as Record<string, unknown>);
  } else if (code === 0x06) {
    // `alarmLevel` / `alarmMessage` at the top level are accepted as a shorthand for `alarm`.
    const alarm = (data.alarm ?? (data.alarmLevel !== undefined ? { level: data.alarmLevel, message: data.alarmMessage } : undefined)) as Record<string, unknown> | undefined;
    if (typeof alarm !== 'object' || alarm === null) throw new ProtocolError('bad-value', 'a terminal alarm (control 6) needs alarm: {level, message?}');
    const level = typeof alarm.level === 'object' && alarm.level !== null ? (alarm.level as EnumValue).code : alarm.level;
    const levels = CONTROL_ALARM_LEVELS[edition];
    // A level outside the table is refused, unless it came from decoding a frame (flagged unknown) and goes back as it was.
    const decodedUnknown = typeof alarm.level === 'object' && alarm.level !== null && (alarm.level as EnumValue).unknown === true;
    if (typeof level !== 'number' || (!levels.has(level) && !decodedUnknown)) throw new ProtocolError('out-of-range', `alarm.level must be one of ${[...levels.keys()].join(', ')} in the ${edition} edition`, { level });
    w.uint(1, level, 'alarm level');
    const bytes = toBytes(alarm.messageBytes, 'alarm.messageBytes');
    w.bytes(bytes ?? encodeGb18030(String(alarm.message ?? ''), 'alarm.message'));
  }
  return w.toBuffer();
}
