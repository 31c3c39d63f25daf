/**
 * lock-command: sends a Jointech command to a device through a jointech-account and waits for
 * the device's reply on the account's command-reply topic.
 */
import type { Node, NodeAPI, NodeDef, NodeMessageInFlow } from 'node-red';
import { z } from 'zod';
import { describe, localDone, localError, say } from '../../lib/log-text';
import { joinAccount } from '../../lib/platform/account-link';
import { registerNode } from '../../lib/red';
import { RequestExchange, failuresProperty, type Waiter } from '../../lib/request-exchange';
import { PropertyType, describeSource, evaluateProperties, namingSources } from '../../lib/typed-property';
import {
  SerialCounter, buildRequest, encodeFrame, findMatch, namedReply, parseRawFrame, type CommandRequest,
} from '../../protocols/jointech/commands';
import { decodePush, type CommandReply } from '../../protocols/jointech/messages';
import { checkTopicIdentity, commandTopic, parseUploadTopic } from '../../protocols/jointech/topics';
import { ProtocolError, asError, describeIssues } from '../../protocols/protocol-error';
import type { JointechAccountNode } from '../jointech-account/types';

const LockCommandConfig = z.object({
  account: z.string().optional(),
  device: z.string().trim().default(''),
  deviceType: PropertyType,
  command: z.string().trim().default('BASE1'),
  commandType: PropertyType,
  params: z.string().default(''),
  operation: z.enum(['', '0', '1']).default(''),
  timeout: z.coerce.number().min(1).max(3600).default(30),
  failures: failuresProperty('output'),
});

/** What a message may set; anything it leaves out comes from the dialog. */
const CommandFields = z.object({
  device: z.union([z.string(), z.number()]).optional(),
  command: z.string().optional(),
  params: z.union([z.array(z.union([z.string(), z.number()])), z.record(z.string(), z.unknown()), z.string()]).optional(),
  operation: z.union([z.literal(0), z.literal(1), z.enum(['0', '1'])]).optional(),
});
const CommandMsg = CommandFields.extend({
  payload: z.unknown().optional(),
  timeout: z.coerce.number().min(0.05).max(3600).optional(),
});

/** How a reply finds its command: device, command word and serial (see findMatch). */
interface CommandKey {
  deviceId: string;
  command: string;
  serial: string;
}

type Def = NodeDef & Record<string, unknown>;

/** Dialog parameters: a JSON list or object, or plain comma-separated values. */
function dialogParams(text: string): unknown {
  const s = text.trim();
  if (s === '') return undefined;
  if (s.startsWith('[') || s.startsWith('{')) {
    try {
      return JSON.parse(s);
    } catch (err) {
      throw new ProtocolError('bad-param', `parameters in the dialog are not valid JSON: ${(err as Error).message}`);
    }
  }
  return s.split(',').map((p) => p.trim());
}

function init(RED: NodeAPI): void {
  function LockCommand(this: Node, def: Def) {
    RED.nodes.createNode(this, def);
    const node = this;
    const link = joinAccount<typeof LockCommandConfig, JointechAccountNode>(RED, node, def, LockCommandConfig, 'account', { type: 'jointech-account', missing: 'noJointechAccount' });
    if (!link) return;
    const { cfg, connection, view } = link;
    const { accessKey, qos } = link.info;
    const serials = new SerialCounter();
    const outputs = cfg.failures === 'output' ? 2 : 1;
    const exchange: RequestExchange<CommandKey, Waiter> = new RequestExchange({
      view, policy: cfg.failures, outputs, what: 'command', nodeId: node.id, logStopped: (e) => node.warn(describe(RED, e)),
      changed: () => view.note(exchange.size > 0 ? `${exchange.size} waiting` : undefined),
    });
    link.join();

    function onReply(topic: string, body: Buffer): void {
      const raw = body.toString('utf8');
      let reply: CommandReply;
      try {
        const info = parseUploadTopic(topic);
        if (!info || info.type !== 'cmd' || info.accessKey !== accessKey) return;
        const decoded = decodePush(raw, 'cmd');
        // A reply on another device's topic answers nothing of ours for sure: refused, as jointech-in does.
        checkTopicIdentity(info, decoded);
        reply = decoded.payload;
      } catch (err) {
        view.error(asError(err).message);
        node.error(localError(RED, err), { topic, payload: raw });
        return;
      }
      // A reply with the serial of a command matches it first, then the oldest command to the device.
      const match = exchange.take((keys) => findMatch(keys, reply, true), (keys) => findMatch(keys, reply));
      if (match === 'late') {
        node.warn(say(RED, 'lateReply', { device: reply.assetId, command: reply.commandType, raw: raw.slice(0, 200) }));
        return;
      }
      if (!match) return; // A reply to a command this node did not send (console, another flow).
      settle(match.waiter, reply);
    }

    function settle(f: Waiter, reply: CommandReply): void {
      const roundTripMs = Date.now() - f.sentAt;
      const params = reply.frame?.params ?? [];
      const payload = { ...reply, fields: reply.frame ? namedReply(reply.frame.command.toUpperCase(), params) : null };
      if (!reply.ok) {
        exchange.fail(f, new ProtocolError(reply.failure ?? 'platform-error', `${reply.assetId}: ${reply.error ?? 'command failed'}`), true, { ...payload, roundTripMs });
        return;
      }
      exchange.answer(f, [{ ...f.msg, topic: `jointech/cmd/${reply.assetId}`, payload, request: f.request, roundTripMs }]);
    }

    link.subscribe(`upload/${accessKey}/+/cmd`, qos, onReply);

    const typed = { device: { value: cfg.device, type: cfg.deviceType }, command: { value: cfg.command, type: cfg.commandType } };

    /** The dialog's device and command for this message (from text, msg, context or env), checked. */
    function dialogFields(values: Record<'device' | 'command', unknown>): { device: string | number; command: string | undefined } {
      const unset = (v: unknown) => v === undefined || v === null || v === '';
      const device = unset(values.device) ? undefined : CommandFields.shape.device.safeParse(values.device);
      if (device && !device.success) throw new ProtocolError('bad-device', `device from ${describeSource(typed.device)}: ${describeIssues(device.error)}`);
      const command = unset(values.command) ? undefined : CommandFields.shape.command.safeParse(values.command);
      if (command && !command.success) throw new ProtocolError('bad-command', `command from ${describeSource(typed.command)}: ${describeIssues(command.error)}`);
      return { device: typeof device?.data === 'string' ? device.data.trim() : device?.data ?? '', command: command?.data?.trim() || undefined };
    }

    function requestFrom(msg: NodeMessageInFlow, values: Record<'device' | 'command', unknown>): { req: CommandRequest; timeoutMs: number } {
      const fields = CommandMsg.safeParse(msg);
      if (!fields.success) throw new ProtocolError('bad-msg', `msg has wrong command fields: ${describeIssues(fields.error)}`);
      const m = fields.data;
      const timeoutMs = (m.timeout ?? cfg.timeout) * 1000;
      if (typeof m.payload === 'string' && m.payload.trim().startsWith('(')) return { req: parseRawFrame(m.payload), timeoutMs };
      const fromPayload = m.payload && typeof m.payload === 'object' && !Array.isArray(m.payload) ? CommandFields.safeParse(m.payload) : undefined;
      if (fromPayload && !fromPayload.success) throw new ProtocolError('bad-msg', `msg.payload has wrong command fields: ${describeIssues(fromPayload.error)}`);
      const p = fromPayload?.data ?? {};
      const dialog = dialogFields(values);
      // Precedence: msg.payload's fields, then msg.device / msg.command, then the dialog's fields.
      const command = p.command ?? m.command ?? dialog.command;
      if (command === undefined) throw new ProtocolError('bad-command', `no command: ${describeSource(typed.command)} is not set and msg.command is not given`);
      // The dialog's parameters belong to the catalogue command typed in the dialog.
      const sameCommand = cfg.commandType === 'str' && command.toUpperCase() === cfg.command.toUpperCase();
      const params = p.params ?? m.params ?? (sameCommand ? dialogParams(cfg.params) : undefined);
      const operation = p.operation ?? m.operation ?? (sameCommand && cfg.operation !== '' ? cfg.operation : undefined);
      const device = p.device ?? m.device ?? dialog.device;
      if (device === '') {
        throw new ProtocolError('bad-device', cfg.deviceType === 'str' ? 'no device number: set it in the dialog or as msg.device' : `no device number: ${describeSource(typed.device)} is not set and msg.device is not given`);
      }
      // A device or command the dialog read from msg, context or env is named when refused.
      const req = namingSources(() => buildRequest(device, command, params, operation), [
        { name: 'device', codes: ['bad-device'], from: p.device === undefined && m.device === undefined ? typed.device : undefined },
        { name: 'command', codes: ['bad-command'], from: p.command === undefined && m.command === undefined ? typed.command : undefined },
      ]);
      return { req, timeoutMs };
    }

    node.on('input', (msg, send, nodeDone) => {
      const done = localDone(RED, nodeDone);
      const refuse = (err: unknown) => {
        view.error(asError(err).message);
        done(asError(err));
      };
      evaluateProperties(RED, node, typed, msg, (values) => {
        let req: CommandRequest;
        let timeoutMs: number;
        try {
          ({ req, timeoutMs } = requestFrom(msg, values));
        } catch (err) {
          refuse(err);
          return;
        }
        sendCommand(msg, send, done, req, timeoutMs);
      }, refuse);
    });

    function sendCommand(msg: NodeMessageInFlow, send: Waiter['send'], done: Waiter['done'], req: CommandRequest, timeoutMs: number): void {
      const serial = serials.next(req.deviceId);
      const frame = encodeFrame(req, serial);
      const topic = commandTopic(accessKey, req.deviceId);
      const sentAt = Date.now();
      const request = { device: req.deviceId, command: req.command, serial, params: req.params, frame, topic, sentAt: new Date(sentAt).toISOString() };
      const flight: Waiter = { msg, request, send, done, sentAt };
      exchange.wait({ deviceId: req.deviceId, command: req.command, serial }, flight, { ms: timeoutMs, why: () => `no reply from ${req.deviceId} to ${req.command} within ${timeoutMs / 1000} s` });
      // One command per device at a time: a broker that stops answering then holds at most one
      // command per lock that may still take effect after its failure was reported. That needs
      // the broker's acknowledgement, so commands go at QoS 1 whatever QoS the account subscribes with.
      void exchange.publish(flight, connection.startPublish(topic, frame, { qos: 1 }, topic));
    }

    node.on('close', (_removed: boolean, done: () => void) => {
      // Each waiting command gets an answer; those not yet sent are withdrawn, not sent later.
      exchange.close((_f, key) => `the node was stopped before ${key.deviceId} replied to ${key.command}`);
      done();
    });
  }

  registerNode(RED, 'lock-command', LockCommand);
}

export = init;
