/**
 * gb32960-command: sends a parameter query (0x80), parameter set (0x81) or terminal control
 * (0x82) to a vehicle connected to a gb32960-server, by VIN, and sends on the vehicle's reply.
 * Timeouts, "not connected" and error replies go to the failure output (or to Catch).
 */
import type { Node, NodeAPI, NodeDef, NodeMessage, NodeMessageInFlow } from 'node-red';
import { z } from 'zod';
import { describe, localDone } from '../../lib/log-text';
import { registerNode } from '../../lib/red';
import { RequestExchange, failuresProperty, type Waiter } from '../../lib/request-exchange';
import { PropertyType, describeSource, evaluateProperties } from '../../lib/typed-property';
import { ProtocolError, asError, describeIssues, isProtocolError } from '../../protocols/protocol-error';
import { serverUser } from '../gb32960-server/server-user';
import { COMMAND_CODES, commandUnit, type CommandKind } from './command-unit';

const CommandConfig = z.object({
  server: z.string({ error: 'no gb32960 server selected' }).min(1, 'no gb32960 server selected'),
  vin: z.string().trim().default(''),
  vinType: PropertyType,
  command: z.enum(['query', 'set', 'control']).default('query'),
  params: z.string().default(''),
  timeout: z.coerce.number().min(0.05).max(3600).default(30),
  failures: failuresProperty('output'),
});

const KIND_BY_CODE: Record<number, CommandKind> = { 0x80: 'query', 0x81: 'set', 0x82: 'control' };

const CommandMsg = z.object({
  vin: z.string().trim().min(1).max(17).optional(),
  command: z.union(
    [z.enum(['query', 'set', 'control']), z.coerce.number().int().refine((n) => n in KIND_BY_CODE).transform((n) => KIND_BY_CODE[n]!)],
    { error: 'must be "query", "set" or "control", or 0x80, 0x81 or 0x82 (128-130)' },
  ).optional(),
  timeout: z.coerce.number().min(0.05).max(3600).optional(),
  payload: z.unknown().optional(),
});

type Def = NodeDef & Record<string, unknown>;

/** The dialog's parameters: JSON text, or nothing. */
function dialogParams(text: string): unknown {
  const s = text.trim();
  if (s === '') return undefined;
  try {
    return JSON.parse(s);
  } catch (err) {
    throw new ProtocolError('bad-param', `parameters in the dialog are not valid JSON: ${(err as Error).message}`);
  }
}

function init(RED: NodeAPI): void {
  function Gb32960Command(this: Node, def: Def) {
    RED.nodes.createNode(this, def);
    const node = this;
    const setup = serverUser(RED, node, CommandConfig, def);
    if (!setup) return;
    const { cfg, server, view } = setup;
    // Deadlines and late answers are the server's (it matches replies by command and time); the
    // exchange answers each input once, as the failure policy says.
    const open: RequestExchange<string, Waiter> = new RequestExchange({
      view, policy: cfg.failures, outputs: cfg.failures === 'output' ? 2 : 1, what: 'command',
      logStopped: (e) => node.warn(describe(RED, e)),
      changed: () => view.note(open.size > 0 ? `${open.size} waiting` : undefined),
    });
    server.register(node.id, { status: (s) => view.server(s) });

    const typed = { vin: { value: cfg.vin, type: cfg.vinType } };

    /** The dialog's VIN for this message (from text, msg, context or env), checked like msg.vin. */
    function dialogVin(value: unknown): string {
      if (value === undefined || value === null || value === '') return '';
      const checked = CommandMsg.shape.vin.safeParse(value);
      if (!checked.success) throw new ProtocolError('bad-vin', `VIN from ${describeSource(typed.vin)}: ${describeIssues(checked.error)}`);
      return checked.data ?? '';
    }

    node.on('input', (msg: NodeMessageInFlow, send, nodeDone) => {
      const done = localDone(RED, nodeDone);
      evaluateProperties(RED, node, typed, msg, (values) => handle(msg, send, done, values.vin), (err) => {
        view.error(err.message);
        done(err);
      });
    });

    function handle(msg: NodeMessageInFlow, send: (m: Array<NodeMessage | null>) => void, done: (err?: Error) => void, dialogValue: unknown): void {
      let vin: string;
      let kind: CommandKind;
      let body: unknown;
      let timeoutMs: number;
      try {
        const m = CommandMsg.safeParse(msg);
        if (!m.success) throw new ProtocolError('bad-msg', `msg has wrong command fields: ${describeIssues(m.error)}`);
        // Precedence: msg.vin, then the dialog's VIN.
        vin = m.data.vin ?? dialogVin(dialogValue);
        if (!vin) throw new ProtocolError('bad-vin', cfg.vinType === 'str' ? 'no VIN: set it in the dialog or as msg.vin' : `no VIN: ${describeSource(typed.vin)} is not set and msg.vin is not given`);
        kind = m.data.command ?? cfg.command;
        // An inject's timestamp or an empty payload means "the dialog's parameters".
        const p = m.data.payload;
        body = p !== null && typeof p === 'object' ? p : kind === cfg.command ? dialogParams(cfg.params) : undefined;
        timeoutMs = (m.data.timeout ?? cfg.timeout) * 1000;
        if (!server.platform) throw new ProtocolError('no-server', 'the gb32960 server is not running (see its configuration)');
      } catch (err) {
        view.error(asError(err).message);
        done(asError(err));
        return;
      }
      const command = COMMAND_CODES[kind];
      const sentAt = Date.now();
      const request = { vin, command: kind, code: command, params: body ?? null, sentAt: new Date(sentAt).toISOString() };
      const waiter: Waiter = { msg, request, send, done, sentAt };
      const topic = `gb32960/${kind}/${vin}`;
      open.wait(vin, waiter);
      const reply = server.platform.request(vin, command, (edition, nowMs) => commandUnit(kind, body, edition, nowMs), timeoutMs, (withdraw) => {
        waiter.outgoing = { done: Promise.resolve(), withdraw };
      });
      reply.then((r) => {
        if (!open.finish(waiter)) return;
        const { frame } = r;
        const payload = {
          source: 'frame', edition: frame.edition, command: frame.command, responseFlag: frame.responseFlag, vin: frame.vin,
          encryption: frame.encryption, checksum: frame.checksum, ...frame.data,
        };
        const extra = { topic, request: { ...request, frame: r.sent }, roundTripMs: r.roundTripMs, matchedBy: r.matchedBy, vin, command: kind };
        // 0x02 (and 2025's 0x04-0x07) is the vehicle saying no; 0x01 and terminals' 0xFE are success.
        const flag = frame.responseFlag.code;
        if (flag !== 0x01 && flag !== 0xfe) {
          waiter.request = extra.request;
          open.fail(waiter, new ProtocolError('vehicle-error', `${vin} answered ${kind} with flag 0x${flag.toString(16).padStart(2, '0')} (${frame.responseFlag.en ?? 'unknown'})`), true, payload, extra);
          return;
        }
        open.answer(waiter, [{ ...msg, payload, ...extra } as NodeMessage]);
      }, (err: unknown) => {
        if (!open.finish(waiter)) return;
        const e = isProtocolError(err) ? err : new ProtocolError('not-sent', asError(err).message);
        // Refused before it was queued (not connected, bad parameters), withdrawn, or cut off by a
        // disconnect while queued behind another command: never sent.
        const sent = waiter.outgoing !== undefined && e.code !== 'withdrawn' && e.details.written !== false;
        open.fail(waiter, e, sent, undefined, { topic, vin, command: kind });
      });
    }

    node.on('close', (_removed: boolean, done: () => void) => {
      // Commands still queued for their vehicle are withdrawn; the one written waits no more.
      open.close((w) => `the node was stopped before ${String(w.request.vin)} answered ${String(w.request.command)}`);
      server.deregister(node.id);
      view.close();
      done();
    });
  }

  registerNode(RED, 'gb32960-command', Gb32960Command);
}

export = init;
