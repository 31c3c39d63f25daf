/**
 * iotos-device: uplink data points to the IOTOS platform and wait for its per-point results;
 * receive downlink control messages and answer them automatically or from the flow.
 */
import type { Node, NodeAPI, NodeDef, NodeMessageInFlow } from 'node-red';
import { z } from 'zod';
import { describe, localDone, localError, say } from '../../lib/log-text';
import { joinAccount } from '../../lib/platform/account-link';
import { registerNode } from '../../lib/red';
import { RequestExchange, failuresProperty, type Waiter } from '../../lib/request-exchange';
import { DataPoint, buildUplink, downlinkReply, normaliseTime, parseDownlink, parseUplinkResult, type Downlink, type UplinkResult } from '../../protocols/iotos/messages';
import { dataIdFromTopic, downlinkFilter, downlinkResultTopic, uplinkResultFilter, uplinkTopic } from '../../protocols/iotos/topics';
import { responseMeaning } from '../../protocols/iotos/enums';
import { ProtocolError, asError, clip, describeIssues } from '../../protocols/protocol-error';
import type { IotosConnectionNode } from '../iotos-connection/types';

const IotosDeviceConfig = z.object({
  connection: z.string().optional(),
  points: z.array(DataPoint).default([]),
  point: z.string().trim().default(''),
  timeout: z.coerce.number().min(0.05).max(3600).default(10),
  replyMode: z.enum(['auto', 'flow']).default('auto'),
  replyTimeout: z.coerce.number().min(0.05).max(3600).default(30),
  failures: failuresProperty('output'),
});

/** A flow's answer to a downlink: the msg carries the downlink's msg.iotos back. */
const DownlinkAnswer = z.object({
  iotos: z.looseObject({ kind: z.literal('downlink'), requestId: z.string().min(1), dataId: z.number().int() }),
  payload: z.unknown(),
});
const AnswerPayload = z.object({ code: z.coerce.number().int(), desc: z.string().optional() });

const InputMsg = z.object({ timeout: z.coerce.number().min(0.05).max(3600).optional() });

/** An uplink waits for one result per data point it carries. */
interface UplinkFlight extends Waiter {
  requestId: string;
  expected: Set<number>;
  results: Array<UplinkResult & { meaning: ReturnType<typeof responseMeaning> }>;
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
    const link = joinAccount<typeof IotosDeviceConfig, IotosConnectionNode>(RED, node, def, IotosDeviceConfig, 'connection', { type: 'iotos-connection', missing: 'noIotosConnection' });
    if (!link) return;
    const { cfg, connection, view } = link;
    const { gatewayId: gw, deviceId: dev } = link.info;
    const single = cfg.point ? cfg.points.find((p) => p.oid === cfg.point) : undefined;
    /** Downlinks the flow has still to answer, by requestId and data point (one requestId may carry several). */
    const downlinks = new Map<string, DownlinkWait>();
    const downlinkKey = (requestId: string, dataId: number) => `${requestId}\u0000${dataId}`;
    const uplinkReply = (f: UplinkFlight) => ({ requestId: f.requestId, results: f.results });
    const showWaiting = () => view.note(uplinks.size + downlinks.size > 0 ? `${uplinks.size} up / ${downlinks.size} down waiting` : undefined);
    // Stored nodes without `failures` had their failures on the third output: 'output' keeps that.
    const uplinks: RequestExchange<string, UplinkFlight> = new RequestExchange({
      view, policy: cfg.failures, outputs: cfg.failures === 'output' ? 3 : 2, what: 'uplink', changed: showWaiting, nodeId: node.id,
      logStopped: (e) => node.warn(describe(RED, e)),
      partial: (f) => ({ reply: uplinkReply(f), details: { missing: [...f.expected] } }),
    });
    link.join();

    function reportBad(err: unknown, topic: string, raw: string): void {
      const error = asError(err);
      view.error(error.message);
      node.error(localError(RED, error), { topic, payload: raw });
    }

    /** A result the platform could not be sent, reported with the downlink it answers. */
    const resultNotSent = (requestId: string, topic: string, raw: string) => (err: unknown): void => {
      const code = err instanceof ProtocolError ? err.code : 'not-sent';
      // A value the flow answered with that JSON cannot hold already says what happened.
      reportBad(code === 'bad-value' ? err : new ProtocolError(code, `result for downlink ${requestId} not sent: ${asError(err).message}`), topic, raw);
    };

    function onUplinkResult(topic: string, body: Buffer): void {
      const raw = body.toString();
      let result: UplinkResult;
      try {
        result = parseUplinkResult(body, dataIdFromTopic(topic));
      } catch (err) {
        reportBad(err, topic, raw);
        return;
      }
      const dataId = result.id ?? dataIdFromTopic(topic);
      // Uplinks may share a requestId: the result is the oldest's that still waits for its data point.
      const match = uplinks.findKey(result.requestId, (f) => dataId !== undefined && f.expected.has(dataId));
      if (match === 'late') node.warn(say(RED, 'lateResult', { requestId: result.requestId, raw: raw.slice(0, 200) }));
      if (!match || match === 'late' || dataId === undefined) return;
      const f = match.waiter;
      f.expected.delete(dataId);
      f.results.push({ ...result, meaning: responseMeaning(result.responseCode) });
      if (f.expected.size === 0) settleUplink(f);
    }

    /** Every data point has its result: confirmed, or rejected when one of them was refused. */
    function settleUplink(f: UplinkFlight): void {
      uplinks.finish(f);
      const roundTripMs = Date.now() - f.sentAt;
      const rejected = f.results.filter((r) => r.responseCode !== 0);
      if (rejected.length > 0) {
        const first = rejected[0]!;
        const why = first.meaning.en ?? first.responseDesc ?? 'unknown code';
        uplinks.fail(f, new ProtocolError('rejected', `platform rejected data point ${first.id ?? '?'}: responseCode ${first.responseCode} (${why})${first.responseDesc ? `: ${first.responseDesc}` : ''}`, {
          responseCode: first.responseCode, meaning: first.meaning, roundTripMs,
        }), true, uplinkReply(f));
        return;
      }
      uplinks.answer(f, [{ ...f.msg, payload: uplinkReply(f), roundTripMs }, null]);
    }

    /**
     * Publishes the /result of a downlink. A value that cannot be written as JSON still gets the
     * platform a result (101, without the value) and the caller an error.
     */
    function reply(wait: Pick<DownlinkWait, 'downlink' | 'dataId'>, code: number, desc: string, value?: unknown): Promise<void> {
      const topic = downlinkResultTopic(gw, dev, wait.dataId);
      let text: string;
      try {
        text = JSON.stringify(downlinkReply(value === undefined ? wait.downlink : { ...wait.downlink, value }, wait.dataId, code, desc));
      } catch (err) {
        const unwritable = new ProtocolError('bad-value', `the answer to downlink ${wait.downlink.requestId} cannot be written as JSON (${asError(err).message}); replied 101`);
        return connection.publish(topic, JSON.stringify(downlinkReply({ ...wait.downlink, value: undefined }, wait.dataId, 101, 'value cannot be serialised')), { qos: 1 })
          .then(() => Promise.reject(unwritable));
      }
      return connection.publish(topic, text, { qos: 1 });
    }

    /** A downlink that fails validation but names its requestId still gets the platform a 101 result. */
    function refuseUnreadable(topic: string, raw: string, dataId: number, err: unknown): void {
      let requestId: unknown;
      try {
        requestId = (JSON.parse(raw) as { requestId?: unknown } | null)?.requestId;
      } catch {
        return;
      }
      if (typeof requestId !== 'string' || requestId === '') return;
      reply({ downlink: { requestId }, dataId }, 101, `bad downlink: ${clip(asError(err).message)}`).catch(resultNotSent(requestId, topic, raw));
    }

    function onDownlink(topic: string, body: Buffer): void {
      const raw = body.toString();
      const dataId = dataIdFromTopic(topic);
      let downlink: Downlink;
      let lenient: boolean;
      let ts: ReturnType<typeof normaliseTime> | undefined;
      try {
        if (dataId === undefined) throw new ProtocolError('unknown-topic', `"${clip(topic)}" carries no data point id`);
        ({ downlink, lenient } = parseDownlink(body, dataId));
      } catch (err) {
        reportBad(err, topic, raw);
        if (dataId !== undefined) refuseUnreadable(topic, raw, dataId, err);
        return;
      }
      if (lenient) node.warn(say(RED, 'lenientDownlink', { topic }));
      try {
        ts = downlink.ts !== undefined ? normaliseTime(downlink.ts) : undefined;
        // Its echo in the /result must be writable, and so must what the flow receives.
        JSON.stringify(downlink.value);
      } catch (err) {
        // The platform always gets a result; the flow gets the error with the raw downlink.
        const error = err instanceof ProtocolError ? err : new ProtocolError('bad-value', `downlink ${downlink.requestId}: value cannot be serialised (${asError(err).message})`);
        reply({ downlink: { ...downlink, value: undefined }, dataId }, 101, error.message).catch(resultNotSent(downlink.requestId, topic, raw));
        reportBad(new ProtocolError(error.code, `${error.message}; replied 101`), topic, raw);
        return;
      }
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
            if (!downlinks.delete(downlinkKey(downlink.requestId, dataId))) return;
            showWaiting();
            node.warn(say(RED, 'downlinkUnanswered', { requestId: downlink.requestId, dataId, seconds: cfg.replyTimeout }));
            reply(wait, 101, `no answer within ${cfg.replyTimeout} s`).catch(resultNotSent(downlink.requestId, topic, raw));
          }, cfg.replyTimeout * 1000),
        };
        downlinks.set(downlinkKey(downlink.requestId, dataId), wait);
        showWaiting();
      }
      node.send([null, { topic: `iotos/downlink/${point?.name || dataId}`, payload: downlink.value, iotos }]);
      if (cfg.replyMode === 'auto') reply({ downlink, dataId }, 0, 'OK').catch(resultNotSent(downlink.requestId, topic, raw));
    }

    link.subscribe(uplinkResultFilter(gw, dev), 1, onUplinkResult);
    link.subscribe(downlinkFilter(gw, dev), 1, onDownlink);

    function answerDownlink(msg: NodeMessageInFlow, done: (err?: Error) => void): void {
      const answer = DownlinkAnswer.parse(msg);
      const id = downlinkKey(answer.iotos.requestId, answer.iotos.dataId);
      const wait = downlinks.get(id);
      if (!wait) {
        done(new ProtocolError('no-downlink', `downlink ${answer.iotos.requestId} to data point ${answer.iotos.dataId} was already answered or timed out${cfg.replyMode === 'auto' ? ' (the node answers automatically; choose "by the flow")' : ''}`));
        return;
      }
      const asCode = AnswerPayload.safeParse(answer.payload);
      downlinks.delete(id);
      clearTimeout(wait.timer);
      showWaiting();
      const sent = asCode.success && typeof answer.payload === 'object'
        ? reply(wait, asCode.data.code, asCode.data.desc ?? responseMeaning(asCode.data.code).en ?? '')
        : reply(wait, 0, 'OK', answer.payload);
      sent.then(() => done(), (err: unknown) => done(asError(err)));
    }

    node.on('input', (msg, send, nodeDone) => {
      const done = localDone(RED, nodeDone);
      try {
        if ((msg as { iotos?: { kind?: unknown } }).iotos?.kind === 'downlink') {
          answerDownlink(msg, done);
          return;
        }
        const opts = InputMsg.safeParse(msg);
        if (!opts.success) throw new ProtocolError('bad-msg', `msg.timeout: ${describeIssues(opts.error)}`);
        const uplink = buildUplink(msg.payload, cfg.points, single);
        // Written before anything waits for it: a value JSON cannot hold fails here, once.
        const body = JSON.stringify(uplink);
        const timeoutMs = (opts.data.timeout ?? cfg.timeout) * 1000;
        const flight: UplinkFlight = {
          msg, send, done, request: { ...uplink }, requestId: uplink.requestId, sentAt: Date.now(),
          expected: new Set(Object.values(uplink.data).map((d) => d.id)), results: [],
        };
        Object.assign(msg, { iotosRequest: uplink });
        uplinks.wait(uplink.requestId, flight, { ms: timeoutMs, why: () => `no result from the platform for ${flight.expected.size} data point(s) within ${timeoutMs / 1000} s` });
        void uplinks.publish(flight, connection.startPublish(uplinkTopic(gw, dev), body, { qos: 1 }));
      } catch (err) {
        const error = err instanceof z.ZodError ? new ProtocolError('bad-msg', describeIssues(err)) : asError(err);
        view.error(error.message);
        done(error);
      }
    });

    node.on('close', (_removed: boolean, done: () => void) => {
      uplinks.close((f) => `the node was stopped before the platform's results for ${f.expected.size} data point(s) arrived`);
      // The platform still gets a result for each downlink the flow had not answered.
      for (const w of downlinks.values()) {
        clearTimeout(w.timer);
        reply(w, 101, 'device stopped before answering').catch(() => undefined);
      }
      downlinks.clear();
      done();
    });
  }

  registerNode(RED, 'iotos-device', IotosDevice);
}

export = init;
