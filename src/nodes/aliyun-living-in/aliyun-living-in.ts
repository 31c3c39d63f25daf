/**
 * aliyun-living-in: the pushes an Aliyun IoT Living app channel receives (properties, events,
 * status, sub-device topology, OTA progress), decoded; and, on input, the account bind / unbind
 * requests with their replies matched by id.
 */
import type { Node, NodeAPI, NodeDef } from 'node-red';
import { z } from 'zod';
import { describe, localDone, localError, say } from '../../lib/log-text';
import { joinAccount } from '../../lib/platform/account-link';
import { registerNode } from '../../lib/red';
import { RequestExchange, failuresProperty, type Waiter } from '../../lib/request-exchange';
import { ACCOUNT_ACTIONS, LIVING_KINDS, accountReplyFilter, livingFilters, parseLivingTopic } from '../../protocols/aliyun/topics';
import { buildAccountRequest, parseAccountReply } from '../../protocols/aliyun/commands';
import { decodeLivingPush } from '../../protocols/aliyun/messages';
import { ProtocolError, asError, clip, describeIssues } from '../../protocols/protocol-error';
import type { AliyunLivingAccountNode } from '../aliyun-living-account/types';

const AliyunLivingInConfig = z.object({
  account: z.string().optional(),
  kinds: z.array(z.enum(LIVING_KINDS)).min(1, 'tick at least one push kind').default([...LIVING_KINDS]),
  /** `+` (or empty) for every device the channel hears about. */
  deviceName: z.string().trim().transform((v) => v || '+').default('+'),
  timeout: z.coerce.number().min(0.05).max(3600).default(10),
  // Stored nodes without the property reported failed requests to Catch: they still do.
  failures: failuresProperty('catch'),
});

const AccountMsg = z.object({
  action: z.enum(ACCOUNT_ACTIONS, { message: 'msg.action must be "bind" or "unbind"' }),
  clientId: z.string().trim().min(1).optional(),
  iotToken: z.string().trim().min(1).optional(),
  timeout: z.coerce.number().min(0.05).max(3600).optional(),
  payload: z.unknown().optional(),
});

type Def = NodeDef & Record<string, unknown>;

function init(RED: NodeAPI): void {
  function AliyunLivingIn(this: Node, def: Def) {
    RED.nodes.createNode(this, def);
    const node = this;
    const link = joinAccount<typeof AliyunLivingInConfig, AliyunLivingAccountNode>(RED, node, def, AliyunLivingInConfig, 'account', { type: 'aliyun-living-account', missing: 'noLivingChannel' });
    if (!link) return;
    const { cfg, connection, view } = link;
    const channel = link.info;
    let filters: string[];
    try {
      filters = livingFilters(channel.productKey, cfg.deviceName, cfg.kinds);
    } catch (err) {
      node.error(describe(RED, err));
      view.fatal(asError(err).message);
      return;
    }
    const replyFilter = accountReplyFilter(channel.productKey, channel.deviceName);
    const showWaiting = () => view.note(pending.size > 0 ? `${pending.size} waiting` : `${filters.length} subscription${filters.length === 1 ? '' : 's'}`);
    const pending: RequestExchange<string, Waiter> = new RequestExchange({
      view, policy: cfg.failures, outputs: cfg.failures === 'output' ? 3 : 2, what: 'request', changed: showWaiting, nodeId: node.id,
      logStopped: (e) => node.warn(describe(RED, e)),
    });
    const warnedLenient = new Set<string>();
    let nextId = 1;
    link.join();

    const onPush = (topic: string, body: Buffer) => {
      const where = parseLivingTopic(topic);
      try {
        if (!where || where.kind === 'bind_reply' || where.kind === 'unbind_reply') {
          throw new ProtocolError('unknown-topic', `topic "${clip(topic)}" is not a Living push topic`);
        }
        const push = decodeLivingPush(where.kind, body);
        if (push.lenient && !warnedLenient.has(where.kind)) {
          warnedLenient.add(where.kind);
          node.warn(say(RED, 'lenientJson', { topic }));
        }
        const deviceName = push.device.deviceName ?? where.deviceName;
        const meta: Record<string, unknown> = { kind: push.kind };
        if (push.id !== undefined) meta.id = push.id;
        if (push.method) meta.method = push.method;
        meta.productKey = where.productKey;
        meta.deviceName = where.deviceName;
        meta.device = push.device;
        meta.mqttTopic = topic;
        if (push.lenient) meta.lenient = true;
        if (push.extra) meta.extra = push.extra;
        meta.flags = push.flags;
        if (push.flags.length > 0) node.warn(say(RED, 'doubtful', { topic, flags: push.flags.map((f) => `${f.field} ${JSON.stringify(f.value)}: ${f.reason}`).join('; ') }));
        node.send([{ topic: `aliyun-living/${push.kind}/${deviceName}`, payload: push.payload, aliyun: meta }, null]);
      } catch (err) {
        const error = asError(err);
        view.error(error.message);
        node.error(localError(RED, error), { topic, payload: body.toString('utf8'), aliyun: { mqttTopic: topic, ...(where ?? {}) } });
      }
    };

    const onReply = (topic: string, body: Buffer) => {
      const where = parseLivingTopic(topic);
      if (where?.kind !== 'bind_reply' && where?.kind !== 'unbind_reply') return;
      let reply;
      try {
        reply = parseAccountReply(body);
      } catch (err) {
        view.error(asError(err).message);
        node.error(localError(RED, err), { topic, payload: body.toString('utf8') });
        return;
      }
      const id = reply.id;
      const match = pending.takeKey(id);
      if (match === 'late') node.warn(say(RED, 'lateRequestReply', { request: `${where.kind.replace('_reply', '')} id ${id}`, raw: body.toString('utf8').slice(0, 200) }));
      if (!match || match === 'late') return; // a reply to a request made by someone else on this channel
      const w = match.waiter;
      // A refusal is a reply: it leaves on the reply output, with its code.
      if (!reply.ok) view.error(`${String(w.request.action)} refused: ${reply.code} ${reply.message ?? ''}`.trim());
      pending.answer(w, [null, { ...w.msg, topic: `aliyun-living/${String(w.request.action)}/${channel.deviceName}`, payload: reply, request: w.request, roundTripMs: Date.now() - w.sentAt }]);
    };

    for (const f of filters) link.subscribe(f, 1, onPush);
    link.subscribe(replyFilter, 1, onReply);
    showWaiting();

    node.on('input', (msg, send, nodeDone) => {
      const done = localDone(RED, nodeDone);
      const parsed = AccountMsg.safeParse(msg);
      let request: ReturnType<typeof buildAccountRequest>;
      let timeoutS: number;
      try {
        if (!parsed.success) throw new ProtocolError('bad-msg', describeIssues(parsed.error));
        const m = parsed.data;
        const p = m.payload;
        const fromPayload = (k: string) => (p !== null && typeof p === 'object' && typeof (p as Record<string, unknown>)[k] === 'string' ? (p as Record<string, string>)[k] : undefined);
        const iotToken = m.iotToken ?? fromPayload('iotToken') ?? (typeof p === 'string' && p.trim() !== '' ? p.trim() : undefined);
        const clientId = m.clientId ?? fromPayload('clientId') ?? channel.clientId;
        request = buildAccountRequest(m.action, channel.productKey, channel.deviceName, `nr${Date.now().toString(36)}${nextId++}`, clientId, iotToken);
        timeoutS = m.timeout ?? cfg.timeout;
      } catch (err) {
        view.error(asError(err).message);
        done(asError(err));
        return;
      }
      const action = parsed.data!.action;
      const summary = { action, topic: request.topic, id: request.id, body: JSON.parse(request.body) as unknown };
      const entry: Waiter = { msg, request: summary, sentAt: Date.now(), send, done };
      pending.wait(request.id, entry, { ms: timeoutS * 1000, why: () => `no ${action}_reply for id ${request.id} within ${timeoutS} s` });
      void pending.publish(entry, connection.startPublish(request.topic, request.body, { qos: 1 }, request.topic), { what: action });
    });

    node.on('close', (_removed: boolean, done: () => void) => {
      pending.close((w) => `the node was stopped before the ${String(w.request.action)}_reply arrived`);
      done();
    });
  }

  registerNode(RED, 'aliyun-living-in', AliyunLivingIn);
}

export = init;
