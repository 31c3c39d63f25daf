/**
 * eztcloud-out: pushes attributes or sends commands to an EZtCloud device through the application
 * API, and optionally waits for the device's command reply.
 */
import type { Node, NodeAPI, NodeDef, NodeMessageInFlow } from 'node-red';
import { z } from 'zod';
import { describe, localDone, localError, say } from '../../lib/log-text';
import { joinAccount } from '../../lib/platform/account-link';
import { registerNode } from '../../lib/red';
import { RequestExchange, failuresProperty, type Waiter } from '../../lib/request-exchange';
import { PropertyType, describeSource, evaluateProperties, namingSources } from '../../lib/typed-property';
import { ACTIONS, deviceUsername, parseOpenTopic, publishTopic, type Action } from '../../protocols/eztcloud/topics';
import { CommandSend } from '../../protocols/eztcloud/commands';
import { decodeMessage } from '../../protocols/eztcloud/messages';
import { unknownMembers } from '../../protocols/message-checks';
import { ProtocolError, asError, describeIssues } from '../../protocols/protocol-error';
import type { EztcloudProjectNode } from '../eztcloud-project/types';

const EztcloudOutConfig = z.object({
  project: z.string().optional(),
  action: z.enum(ACTIONS).default('command_send'),
  device: z.string().trim().default(''),
  deviceType: PropertyType,
  method: z.string().trim().default(''),
  methodType: PropertyType,
  waitReply: z.boolean().default(true),
  timeout: z.coerce.number().min(0.05).max(3600).default(10),
  // Stored nodes without the property reported failures to Catch: they still do.
  failures: failuresProperty('catch'),
});

const OutMsg = z.object({
  action: z.enum(ACTIONS).optional(),
  device: z.string().optional(),
  method: z.string().optional(),
  id: z.union([z.number().int(), z.string().min(1)]).optional(),
  timeout: z.coerce.number().min(0.05).max(3600).optional(),
  payload: z.unknown(),
});

type Def = NodeDef & Record<string, unknown>;

function init(RED: NodeAPI): void {
  function EztcloudOut(this: Node, def: Def) {
    RED.nodes.createNode(this, def);
    const node = this;
    const link = joinAccount<typeof EztcloudOutConfig, EztcloudProjectNode>(RED, node, def, EztcloudOutConfig, 'project', { type: 'eztcloud-project', missing: 'noEztcloudProject' });
    if (!link) return;
    const { cfg, connection, view } = link;
    const pk = link.info.projectKey;
    const waiting: RequestExchange<string, Waiter> = new RequestExchange({
      view, policy: cfg.failures, outputs: cfg.failures === 'output' ? 2 : 1, what: 'command', nodeId: node.id,
      logStopped: (e) => node.warn(describe(RED, e)),
      changed: () => view.note(waiting.size > 0 ? `${waiting.size} waiting` : undefined),
    });
    /** Sends without a reply to wait for, until the broker acknowledged them. */
    const unconfirmed = new Set<Waiter>();
    let nextId = 1 + Math.floor(Math.random() * 1e6);
    link.join();

    const replyFilter = `open/${pk}/+/command_reply`;
    const key = (device: string, id: unknown) => `${device}\u0000${String(id)}`;

    if (cfg.waitReply) {
      link.subscribe(replyFilter, 1, (topic, body) => {
        const info = parseOpenTopic(topic);
        if (!info || info.kind !== 'command_reply') return;
        let reply: Record<string, unknown>;
        let extra: Record<string, unknown> | undefined;
        try {
          const decoded = decodeMessage('command_reply', body);
          reply = decoded.payload;
          extra = decoded.extra;
        } catch (err) {
          view.error(asError(err).message);
          node.error(localError(RED, err), { topic, payload: body.toString('utf8') });
          return;
        }
        const id = key(info.device, reply.id);
        const match = waiting.takeKey(id);
        if (match === 'late') node.warn(say(RED, 'lateRequestReply', { request: `${info.device} command id ${String(reply.id)}`, raw: body.toString('utf8').slice(0, 200) }));
        if (!match || match === 'late') return; // a reply to a command sent elsewhere
        const w = match.waiter;
        waiting.answer(w, [{ ...w.msg, topic: `eztcloud/command_reply/${info.device}`, payload: reply, request: w.request, roundTripMs: Date.now() - w.sentAt, ...(extra ? { eztcloud: { extra } } : {}) }]);
      });
    }

    const typed = { device: { value: cfg.device, type: cfg.deviceType }, method: { value: cfg.method, type: cfg.methodType } };

    /** The dialog's device and method for this message (from text, msg, context or env), checked like msg.device and msg.method. */
    function dialogFields(values: Record<'device' | 'method', unknown>): { device?: string; method?: string } {
      const out: { device?: string; method?: string } = {};
      for (const k of ['device', 'method'] as const) {
        const v = values[k];
        if (v === undefined || v === null || v === '') continue;
        const checked = OutMsg.shape[k].safeParse(v);
        if (!checked.success) throw new ProtocolError(k === 'device' ? 'bad-device' : 'bad-command', `${k} from ${describeSource(typed[k])}: ${describeIssues(checked.error)}`);
        out[k] = checked.data?.trim() || undefined;
      }
      return out;
    }

    node.on('input', (msg, send, nodeDone) => {
      const done = localDone(RED, nodeDone);
      evaluateProperties(RED, node, typed, msg, (values) => handle(msg, send, done, values), (err) => {
        view.error(err.message);
        done(err);
      });
    });

    function handle(msg: NodeMessageInFlow, send: Waiter['send'], done: Waiter['done'], values: Record<'device' | 'method', unknown>): void {
      let action: Action;
      let topic: string;
      let body: Record<string, unknown>;
      let device: string;
      const parsedMsg = OutMsg.safeParse(msg);
      try {
        if (!parsedMsg.success) throw new ProtocolError('bad-msg', `msg fields: ${describeIssues(parsedMsg.error)}`);
        const m = parsedMsg.data;
        const dialog = dialogFields(values);
        action = m.action ?? cfg.action;
        // Precedence: msg.device / msg.method (and the payload's method), then the dialog's fields.
        device = namingSources(() => deviceUsername(m.device ?? dialog.device ?? ''), [{ name: 'device', codes: ['bad-device'], from: m.device === undefined ? typed.device : undefined }]);
        topic = publishTopic(pk, device, action);
        const p = m.payload;
        const isObject = p !== null && typeof p === 'object' && !Array.isArray(p) && !Buffer.isBuffer(p);
        if (action === 'attributes_push') {
          if (!isObject || Object.keys(p).length === 0) throw new ProtocolError('bad-payload', 'attributes_push needs msg.payload as an object of attributes, e.g. {"switch": 1}');
          body = p as Record<string, unknown>;
        } else {
          const obj = isObject ? (p as Record<string, unknown>) : {};
          const hasEnvelope = 'method' in obj || 'params' in obj;
          // The document's command has method, params and id only; a stray field would be lost on the way.
          const stray = hasEnvelope ? unknownMembers(obj, ['method', 'params', 'id']) : undefined;
          if (stray) throw new ProtocolError('bad-command', `command_send: ${Object.keys(stray).map((k) => `"${k}"`).join(', ')} is not a field of a command ({method, params, id}); put command parameters in params`);
          const command = CommandSend.safeParse({
            method: obj.method ?? m.method ?? dialog.method ?? '',
            params: hasEnvelope ? obj.params : isObject ? obj : p === undefined || p === null || p === '' ? {} : p,
            id: obj.id ?? m.id ?? nextId++,
          });
          if (!command.success) throw new ProtocolError('bad-command', `command_send: ${describeIssues(command.error)}`);
          body = command.data;
          if (cfg.waitReply && waiting.has(key(device, command.data.id))) {
            throw new ProtocolError('duplicate-id', `a command with id ${command.data.id} to ${device} is still waiting for its reply`);
          }
        }
      } catch (err) {
        view.error(asError(err).message);
        done(asError(err));
        return;
      }
      const request = { action, device, topic, body };
      const sentAt = Date.now();
      const waitsForReply = action === 'command_send' && cfg.waitReply;
      const entry: Waiter = { msg, request, sentAt, send, done };
      const outgoing = connection.startPublish(topic, JSON.stringify(body), { qos: 1 }, topic);
      if (waitsForReply) {
        const timeoutS = parsedMsg.data.timeout ?? cfg.timeout;
        waiting.wait(key(device, body.id), entry, { ms: timeoutS * 1000, why: () => `no command_reply from ${device} for id ${String(body.id)} within ${timeoutS} s` });
        void waiting.publish(entry, outgoing, { what: action });
        return;
      }
      // Without a reply to wait for, the broker's acknowledgement answers the input.
      unconfirmed.add(entry);
      void waiting.publish(entry, outgoing, { what: action, waits: false }).then((acked) => {
        unconfirmed.delete(entry);
        if (acked) waiting.answer(entry, [{ ...msg, request }]);
      });
    }

    node.on('close', (_removed: boolean, done: () => void) => {
      // Sends that wait for no reply but still wait to leave (behind a command to the same device,
      // or offline) are withdrawn too: nothing goes out after its node stopped.
      for (const e of [...unconfirmed]) e.outgoing?.withdraw();
      waiting.close((w) => `the node was stopped before ${String(w.request.device)} replied to command id ${String((w.request.body as { id?: unknown }).id)}`);
      done();
    });
  }

  registerNode(RED, 'eztcloud-out', EztcloudOut);
}

export = init;
