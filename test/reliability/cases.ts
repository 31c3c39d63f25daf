/**
 * The inbound MQTT nodes under reliability test, each as: a flow (config node + the node, wired to
 * a `sink` junction, errors to a Catch wired to `errors`), a good message carrying a sequence
 * number, a malformed one, and how to read the number back from the node's output.
 */
import { jointechSamples } from '../../tools/samples';
import type { FlowNode } from '../../bench/runtime';

export interface ConnectionOpts {
  url: string;
  clientId: string;
  clean: boolean;
  exactlyOnce?: boolean;
  shareGroup?: string;
  /** Seconds; 30 unless given. */
  keepalive?: number;
  protocolVersion?: 4 | 5;
  /** Publishes held unacknowledged; 1000 unless given. */
  queueLimit?: number;
}

export interface InboundCase {
  name: string;
  flow(conn: ConnectionOpts): FlowNode[];
  credentials: Record<string, Record<string, string>>;
  good(seq: number): { topic: string; body: string };
  malformed(seq: number): { topic: string; body: string };
  seqOf(msg: Record<string, any>): number;
}

const connection = (c: ConnectionOpts) => ({
  url: c.url, clientId: c.clientId, clean: c.clean, exactlyOnce: c.exactlyOnce ?? false, keepalive: c.keepalive ?? 30, protocolVersion: c.protocolVersion ?? 4, reconnectMinMs: 200, reconnectMaxMs: 1000, queueLimit: c.queueLimit ?? 1000, shareGroup: c.shareGroup ?? '',
});

const sinks: FlowNode[] = [
  { id: 'sink', type: 'junction', wires: [] },
  { id: 'errcatch', type: 'catch', scope: ['in'], uncaught: false, wires: [['errors']] },
  { id: 'errors', type: 'junction', wires: [] },
];

const ACCESS_KEY = 'relkey';
const DEVICE_BASE = 8_000_000_000;
const location = jointechSamples.mqtt.location!.payload;

const jointech: InboundCase = {
  name: 'jointech-in',
  flow: (c) => [
    { id: 'acct', type: 'jointech-account', accessKey: ACCESS_KEY, qos: 1, passwordMode: 'md5', connection: connection(c) },
    { id: 'in', type: 'jointech-in', account: 'acct', mode: 'mqtt', types: ['location'], devicesMode: 'all', wires: [['sink']] },
    ...sinks,
  ],
  credentials: { acct: { username: 'u', password: 'fe01ce2a7fbac8fafaed7c982a04e229' } },
  good: (seq) => {
    const device = String(DEVICE_BASE + seq);
    return { topic: `upload/${ACCESS_KEY}/${device}/location`, body: JSON.stringify({ ...location, assetId: device }) };
  },
  malformed: (seq) => ({ topic: `upload/${ACCESS_KEY}/${DEVICE_BASE + seq}/location`, body: '{"assetId": ' }),
  seqOf: (msg) => Number(msg.jointech.assetId) - DEVICE_BASE,
};

const PROJECT = 'PR_rel';
const eztcloud: InboundCase = {
  name: 'eztcloud-in',
  flow: (c) => [
    { id: 'proj', type: 'eztcloud-project', localTest: true, connection: connection(c) },
    { id: 'in', type: 'eztcloud-in', project: 'proj', kinds: ['attributes'], devicesMode: 'all', wires: [['sink']] },
    ...sinks,
  ],
  credentials: { proj: { projectKey: PROJECT, projectSecret: 's' } },
  good: (seq) => ({ topic: `open/${PROJECT}/DU_rel/attributes`, body: JSON.stringify({ seq, temperature: 20.5 }) }),
  malformed: () => ({ topic: `open/${PROJECT}/DU_rel/attributes`, body: '{"seq": ' }),
  seqOf: (msg) => msg.payload.seq as number,
};

const living: InboundCase = {
  name: 'aliyun-living-in',
  flow: (c) => [
    { id: 'acct', type: 'aliyun-living-account', productKey: 'pkrel', deviceName: 'app1', connection: connection(c) },
    { id: 'in', type: 'aliyun-living-in', account: 'acct', kinds: ['properties'], deviceName: '+', wires: [['sink'], []] },
    ...sinks,
  ],
  credentials: { acct: { username: 'u', password: 'p' } },
  good: (seq) => ({
    topic: '/sys/pkrel/dev1/app/down/thing/properties',
    body: JSON.stringify({ id: String(seq), version: '1.0', params: { iotId: 'i', items: { seq: { time: Date.now(), value: seq } } }, method: 'thing.properties' }),
  }),
  malformed: () => ({ topic: '/sys/pkrel/dev1/app/down/thing/properties', body: 'not json' }),
  seqOf: (msg) => msg.payload.properties.seq as number,
};

const GW = 171;
const DEV = 401;
const iotos: InboundCase = {
  name: 'iotos-device (downlink)',
  flow: (c) => [
    { id: 'conn', type: 'iotos-connection', gatewayId: String(GW), deviceId: String(DEV), connection: connection({ ...c, clientId: `device_${GW}_${DEV}` }) },
    { id: 'in', type: 'iotos-device', connection: 'conn', points: [{ name: 'switch', id: 1964, oid: '179f' }], point: '179f', timeout: 5, replyMode: 'auto', wires: [[], ['sink'], []] },
    ...sinks,
  ],
  credentials: { conn: { username: 'u', password: 'p' } },
  good: (seq) => ({
    topic: `$IOTOS/device/endpoint/update/${GW}/${DEV}/1964`,
    body: JSON.stringify({ name: 'switch', id: 1964, oid: '179f', ts: Date.now(), value: seq, requestId: `r${seq}`, requestTime: Date.now() }),
  }),
  malformed: () => ({ topic: `$IOTOS/device/endpoint/update/${GW}/${DEV}/1964`, body: '{"id": 1964, ' }),
  seqOf: (msg) => Number(msg.payload),
};

/** Every inbound MQTT node; `shareable` ones may run in a shared-subscription group. */
export const INBOUND_CASES: ReadonlyArray<InboundCase & { shareable: boolean }> = [
  { ...jointech, shareable: true },
  { ...eztcloud, shareable: true },
  { ...living, shareable: true },
  { ...iotos, shareable: false },
];

/**
 * The outbound MQTT nodes: a flow whose node `out` takes input and sends its results to `sink`
 * (errors to the Catch), what to inject, and the platform's side: what it subscribes to, the
 * number a published request carries, and its answer.
 */
export interface OutboundCase {
  name: string;
  flow(conn: ConnectionOpts): FlowNode[];
  credentials: Record<string, Record<string, string>>;
  input(seq: number): Record<string, unknown>;
  malformedInput(seq: number): Record<string, unknown>;
  platformFilter: string;
  /** The number in a request the platform received. */
  seqOfRequest(topic: string, body: string): number;
  /** The platform's answer to a request, if the node waits for one. */
  answer(topic: string, body: string): { topic: string; body: string } | undefined;
  /** The number in what the node sends on once the request succeeded. */
  seqOfResult(msg: Record<string, any>): number;
}

const outSinks: FlowNode[] = [
  { id: 'sink', type: 'junction', wires: [] },
  { id: 'errcatch', type: 'catch', scope: ['out'], uncaught: false, wires: [['errors']] },
  { id: 'errors', type: 'junction', wires: [] },
];

const ezOut: OutboundCase = {
  name: 'eztcloud-out (command_send, waiting for replies)',
  flow: (c) => [
    { id: 'proj', type: 'eztcloud-project', localTest: true, connection: connection(c) },
    { id: 'out', type: 'eztcloud-out', project: 'proj', action: 'command_send', device: 'DU_rel', method: 'set', waitReply: true, timeout: 60, wires: [['sink']] },
    ...outSinks,
  ],
  credentials: { proj: { projectKey: PROJECT, projectSecret: 's' } },
  input: (seq) => ({ payload: { seq }, id: seq + 1 }),
  malformedInput: () => ({ device: 'not-a-device', payload: { seq: -1 } }),
  platformFilter: `open/${PROJECT}/+/command_send`,
  seqOfRequest: (_t, body) => (JSON.parse(body) as { params: { seq: number } }).params.seq,
  answer: (topic, body) => {
    const cmd = JSON.parse(body) as { method: string; params: unknown; id: number };
    return { topic: topic.replace(/command_send$/, 'command_reply'), body: JSON.stringify({ method: cmd.method, params: cmd.params, id: cmd.id }) };
  },
  seqOfResult: (msg) => msg.payload.params.seq as number,
};

const iotosUp: OutboundCase = {
  name: 'iotos-device (uplink, waiting for results)',
  flow: (c) => [
    { id: 'conn', type: 'iotos-connection', gatewayId: String(GW), deviceId: String(DEV), connection: connection({ ...c, clientId: `device_${GW}_${DEV}` }) },
    { id: 'out', type: 'iotos-device', connection: 'conn', points: [{ name: 'temperature', id: 1963, oid: '7be6' }], timeout: 60, wires: [['sink'], [], []] },
    ...outSinks,
  ],
  credentials: { conn: { username: 'u', password: 'p' } },
  input: (seq) => ({ payload: { '7be6': seq }, seq }),
  malformedInput: () => ({ payload: { nosuchpoint: 1 } }),
  platformFilter: `$IOTOS/device/platform/update/${GW}/${DEV}`,
  seqOfRequest: (_t, body) => (JSON.parse(body) as { data: { '7be6': { value: number } } }).data['7be6'].value,
  answer: (topic, body) => {
    const up = JSON.parse(body) as { requestId: string; requestTime: number; data: Record<string, { id: number }> };
    const point = up.data['7be6']!;
    return {
      topic: `${topic}/${point.id}/result`,
      body: JSON.stringify({ ...point, requestId: up.requestId, requestTime: up.requestTime, responseId: up.requestId, responseTime: Date.now(), responseCode: 0, responseDesc: 'OK' }),
    };
  },
  seqOfResult: (msg) => msg.seq as number,
};

const lock: OutboundCase = {
  name: 'lock-command (BASE1 to many devices, waiting for replies)',
  flow: (c) => [
    { id: 'acct', type: 'jointech-account', accessKey: ACCESS_KEY, qos: 1, passwordMode: 'md5', connection: connection(c) },
    { id: 'out', type: 'lock-command', account: 'acct', command: 'BASE1', timeout: 60, wires: [['sink'], []] },
    ...outSinks,
  ],
  credentials: { acct: { username: 'u', password: 'fe01ce2a7fbac8fafaed7c982a04e229' } },
  input: (seq) => ({ device: String(DEVICE_BASE + seq) }),
  malformedInput: () => ({ device: 'no/such#device' }),
  platformFilter: `download/${ACCESS_KEY}/+/cmd`,
  seqOfRequest: (topic) => Number(topic.split('/')[2]) - DEVICE_BASE,
  answer: (topic, body) => {
    const device = topic.split('/')[2]!;
    const [id, , serial, word, index] = body.replace(/^\(|\)$/g, '').split(',');
    return {
      topic: `upload/${ACCESS_KEY}/${device}/cmd`,
      body: JSON.stringify({ assetId: device, commandType: `${word}${index}`, content: JSON.stringify([id, '8', serial, word, index, 'FW-1', '0', 'Jointech']), dateTime: new Date().toISOString() }),
    };
  },
  seqOfResult: (msg) => Number(msg.payload.assetId ?? msg.device) - DEVICE_BASE,
};

export const OUTBOUND_CASES: readonly OutboundCase[] = [ezOut, iotosUp, lock];
