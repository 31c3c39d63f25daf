/**
 * iotos-device: uplink data points to the IOTOS platform and wait for its per-point results;
 * receive downlink control messages and answer them automatically or from the flow.
 */
import type { Node, NodeAPI, NodeDef, NodeMessage, NodeMessageInFlow } from 'node-red';
import { z } from 'zod';
import { joinConnection } from '../../lib/mqtt/user-node';
import { configuredNode } from '../../lib/mqtt/configured-node';
import { registerNode } from '../../lib/red';
import {
  DataPoint, buildUplink, dataIdFromTopic, downlinkFilter, downlinkReply, downlinkResultTopic, normaliseTime, parseDownlink,
  parseUplinkResult, responseMeaning, uplinkResultFilter, uplinkTopic, type Downlink, type UplinkResult,
} from '../../protocols/iotos/device';
import { ProtocolError, asError, describeIssues } from '../../protocols/protocol-error';
import type { IotosConnectionNode } from '../iotos-connection/types';

const IotosDeviceConfig = z.object({
  connection: z.string().optional(),
  points: z.array(DataPoint).default([]),
  point: z.string().trim().default(''),
  timeout: z.coerce.number().min(0.05).max(3600).default(10),
  replyMode: z.enum(['auto', 'flow']).default('auto'),
  replyTimeout: z.coerce.number().min(0.05).max(3600).default(30),
});

/** A flow's answer to a downlink: the msg carries the downlink's msg.iotos back. */
const DownlinkAnswer = z.object({
  iotos: z.looseObject({ kind: z.literal('downlink'), requestId: z.string().min(1), dataId: z.number().int() }),
  payload: z.unknown(),
});
const AnswerPayload = z.object({ code: z.coerce.number().int(), desc: z.string().optional() });

const InputMsg = z.object({ timeout: z.coerce.number().min(0.05).max(3600).optional() });

const LATE_KEEP = 200;

interface UplinkFlight {
  msg: NodeMessageInFlow;
  send: (msg: Array<NodeMessage | null>) => void;
  done: (err?: Error) => void;
  requestId: string;
  sentAt: number;
  expected: Set<number>;
  results: Array<UplinkResult & { meaning: ReturnType<typeof responseMeaning> }>;
  timer?: NodeJS.Timeout;
}

interface DownlinkWait {
  downlink: Downlink;
  dataId: number;
  timer: NodeJS.Timeout;
}

type Def = NodeDef & Record<string, unknown>;

function init(RED: NodeAPI): void {
  function IotosDevice(this: Node, def: Def) {
    RED.nodes.createNode(this, def);
    const node = this;
    const setup = configuredNode<typeof IotosDeviceConfig, IotosConnectionNode>(RED, node, def, IotosDeviceConfig, 'connection', 'no IOTOS connection selected');
    if (!setup) return;
    const { cfg, connection, view } = setup;
    const { gatewayId: gw, deviceId: dev } = setup.owner.device!;
    const single = cfg.point ? cfg.points.find((p) => p.oid === cfg.point) : undefined;
    const uplinks = new Map<string, UplinkFlight>();
    const expired: string[] = [];
    const downlinks = new Map<string, DownlinkWait>();
    joinConnection(node, connection, view);

    const showWaiting = () => view.note(uplinks.size + downlinks.size > 0 ? `${uplinks.size} up / ${downlinks.size} down waiting` : undefined);

    function reportBad(err: unknown, topic: string, raw: string): void {
      const error = asError(err);
      view.error(error.message);
      node.error(error, { topic, payload: raw });
    }

    function uplinkFailed(f: UplinkFlight, error: ProtocolError): void {
      view.error(error.message);
      f.send([null, null, { ...f.msg, payload: { requestId: f.requestId, results: f.results }, error: { code: error.code, message: error.message, ...error.details } }]);
      f.done();
    }

    function onUplinkResult(topic: string, body: Buffer): void {
      const raw = body.toString();
      let result: UplinkResult;
      try {
        result = parseUplinkResult(body, dataIdFromTopic(topic));
      } catch (err) {
        reportBad(err, topic, raw);
        return;
      }
      const f = uplinks.get(result.requestId);
      if (!f) {
        if (expired.includes(result.requestId)) node.warn(`late result for uplink ${result.requestId} after it timed out: ${raw.slice(0, 200)}`);
        return;
      }
      const dataId = result.id ?? dataIdFromTopic(topic);
      if (dataId === undefined || !f.expected.has(dataId)) return;
      f.expected.delete(dataId);
      f.results.push({ ...result, meaning: responseMeaning(result.responseCode) });
      if (f.expected.size > 0) return;
      clearTimeout(f.timer);
      uplinks.delete(f.requestId);
      showWaiting();
      const roundTripMs = Date.now() - f.sentAt;
      const rejected = f.results.filter((r) => r.responseCode !== 0);
      if (rejected.length > 0) {
        const first = rejected[0]!;
        const why = first.meaning.en ?? first.responseDesc ?? 'unknown code';
        uplinkFailed(f, new ProtocolError('rejected', `platform rejected data point ${first.id ?? '?'}: responseCode ${first.responseCode} (${why})${first.responseDesc ? `: ${first.responseDesc}` : ''}`, {
          responseCode: first.responseCode, meaning: first.meaning, roundTripMs,
        }));
        return;
      }
      f.send([{ ...f.msg, payload: { requestId: f.requestId, results: f.results }, roundTripMs }, null, null]);
      f.done();
    }

    function reply(wait: Pick<DownlinkWait, 'downlink' | 'dataId'>, code: number, desc: string, value?: unknown): Promise<void> {
      const body = downlinkReply(value === undefined ? wait.downlink : { ...wait.downlink, value }, wait.dataId, code, desc);
      return connection.publish(downlinkResultTopic(gw, dev, wait.dataId), JSON.stringify(body), { qos: 1 });
    }

    function onDownlink(topic: string, body: Buffer): void {
      const raw = body.toString();
      const dataId = dataIdFromTopic(topic);
      let downlink: Downlink;
      let lenient: boolean;
      let ts: ReturnType<typeof normaliseTime> | undefined;
      try {
        if (dataId === undefined) throw new ProtocolError('unknown-topic', `"${topic}" carries no data point id`);
        ({ downlink, lenient } = parseDownlink(body, dataId));
        ts = downlink.ts !== undefined ? normaliseTime(downlink.ts) : undefined;
      } catch (err) {
        reportBad(err, topic, raw);
        return;
      }
      if (lenient) node.warn(`downlink on ${topic} is not strict JSON (trailing comma); accepted`);
      const iotos = {
        kind: 'downlink', gatewayId: gw, deviceId: dev, dataId, ...downlink,
        ...(ts ? { tsMs: ts.ms, tsSeconds: ts.seconds, time: ts.iso } : {}),
        mqttTopic: topic,
      };
      const point = cfg.points.find((p) => p.id === dataId);
      if (cfg.replyMode === 'flow') {
        // Registered before the message goes out, so the flow's answer always finds it.
        const wait: DownlinkWait = {
          downlink,
          dataId,
          timer: setTimeout(() => {
            if (!downlinks.delete(downlink.requestId)) return;
            showWaiting();
            node.warn(`downlink ${downlink.requestId} to data point ${dataId} not answered by the flow within ${cfg.replyTimeout} s; replied with a timeout`);
            reply(wait, 101, `no answer within ${cfg.replyTimeout} s`).catch((err: unknown) => node.error(asError(err)));
          }, cfg.replyTimeout * 1000),
        };
        downlinks.set(downlink.requestId, wait);
        showWaiting();
      }
      node.send([null, { topic: `iotos/downlink/${point?.name || dataId}`, payload: downlink.value, iotos }, null]);
      if (cfg.replyMode === 'auto') reply({ downlink, dataId }, 0, 'OK').catch((err: unknown) => node.error(asError(err)));
    }

    connection.subscribe(node.id, uplinkResultFilter(gw, dev), 1, onUplinkResult);
    connection.subscribe(node.id, downlinkFilter(gw, dev), 1, onDownlink);

    function answerDownlink(msg: NodeMessageInFlow, done: (err?: Error) => void): void {
      const answer = DownlinkAnswer.parse(msg);
      const wait = downlinks.get(answer.iotos.requestId);
      if (!wait) {
        done(new ProtocolError('no-downlink', `downlink ${answer.iotos.requestId} was already answered or timed out${cfg.replyMode === 'auto' ? ' (the node answers automatically; choose "by the flow")' : ''}`));
        return;
      }
      const asCode = AnswerPayload.safeParse(answer.payload);
      downlinks.delete(answer.iotos.requestId);
      clearTimeout(wait.timer);
      showWaiting();
      const sent = asCode.success && typeof answer.payload === 'object'
        ? reply(wait, asCode.data.code, asCode.data.desc ?? responseMeaning(asCode.data.code).en ?? '')
        : reply(wait, 0, 'OK', answer.payload);
      sent.then(() => done(), (err: unknown) => done(asError(err)));
    }

    node.on('input', (msg, send, done) => {
      try {
        if ((msg as { iotos?: { kind?: unknown } }).iotos?.kind === 'downlink') {
          answerDownlink(msg, done);
          return;
        }
        const opts = InputMsg.safeParse(msg);
        if (!opts.success) throw new ProtocolError('bad-msg', `msg.timeout: ${describeIssues(opts.error)}`);
        const uplink = buildUplink(msg.payload, cfg.points, single);
        const timeoutMs = (opts.data.timeout ?? cfg.timeout) * 1000;
        const flight: UplinkFlight = {
          msg, send, done, requestId: uplink.requestId, sentAt: Date.now(),
          expected: new Set(Object.values(uplink.data).map((d) => d.id)), results: [],
        };
        Object.assign(msg, { iotosRequest: uplink });
        uplinks.set(uplink.requestId, flight);
        showWaiting();
        flight.timer = setTimeout(() => {
          if (!uplinks.delete(uplink.requestId)) return;
          expired.push(uplink.requestId);
          if (expired.length > LATE_KEEP) expired.shift();
          showWaiting();
          uplinkFailed(flight, new ProtocolError('timeout', `no result from the platform for ${flight.expected.size} data point(s) within ${timeoutMs / 1000} s`, { missing: [...flight.expected] }));
        }, timeoutMs);
        connection.publish(uplinkTopic(gw, dev), JSON.stringify(uplink), { qos: 1 }).catch((err: unknown) => {
          if (!uplinks.delete(uplink.requestId)) return;
          clearTimeout(flight.timer);
          showWaiting();
          uplinkFailed(flight, new ProtocolError('not-sent', `uplink not sent: ${asError(err).message}`));
        });
      } catch (err) {
        const error = err instanceof z.ZodError ? new ProtocolError('bad-msg', describeIssues(err)) : asError(err);
        view.error(error.message);
        done(error);
      }
    });

    node.on('close', (_removed: boolean, done: () => void) => {
      for (const f of uplinks.values()) {
        clearTimeout(f.timer);
        f.done();
      }
      for (const w of downlinks.values()) clearTimeout(w.timer);
      uplinks.clear();
      downlinks.clear();
      connection.unsubscribe(node.id, uplinkResultFilter(gw, dev));
      connection.unsubscribe(node.id, downlinkFilter(gw, dev));
      done();
    });
  }

  registerNode(RED, 'iotos-device', IotosDevice);
}

export = init;
