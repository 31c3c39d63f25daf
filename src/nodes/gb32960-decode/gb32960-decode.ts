/**
 * gb32960-decode: GB/T 32960.3 EV telemetry from the Aliyun cloud gateway (JSON with a base64
 * body, login/logout fields, status notifications), raw frames or bare data units.
 */
import type { Node, NodeAPI, NodeDef, NodeMessage } from 'node-red';
import { z } from 'zod';
import { localDone, say } from '../../lib/log-text';
import { parseNodeConfig } from '../../lib/node-config';
import { NodeStatusView } from '../../lib/node-status';
import { registerNode } from '../../lib/red';
import { INFO_TYPES, INFO_TYPES_2025 } from '../../protocols/gb32960/tables';
import { decodeInput } from '../../protocols/gb32960/input';
import { ProtocolError, asError, describeIssues, isProtocolError } from '../../protocols/protocol-error';

const byteValue = z.coerce.number().int().min(0).max(255);

const Gb32960Config = z.object({
  command: z.union([z.literal(''), byteValue]).default(''),
  ignoreChecksum: z.boolean().default(false),
  edition: z.coerce.number().pipe(z.union([z.literal(2016), z.literal(2025)])).default(2016),
  split: z.enum(['single', 'per-type']).default('single'),
});

const MsgOptions = z.object({
  command: byteValue.optional(),
  responseFlag: byteValue.optional(),
  edition: z.coerce.number().pipe(z.union([z.literal(2016), z.literal(2025)])).optional(),
});

const TYPE_NAMES = [...new Set([...INFO_TYPES.values(), ...INFO_TYPES_2025.values()].map(([name]) => name))];

type Def = NodeDef & Record<string, unknown>;

function init(RED: NodeAPI): void {
  function Gb32960Decode(this: Node, def: Def) {
    RED.nodes.createNode(this, def);
    const node = this;
    const view = new NodeStatusView(node);
    const stored = parseNodeConfig(RED, node, view, Gb32960Config, def);
    if (!stored) return;
    const cfg: z.infer<typeof Gb32960Config> = stored;
    let decoded = 0;

    node.on('input', (msg, send, nodeDone) => {
      const done = localDone(RED, nodeDone);
      try {
        const opts = MsgOptions.safeParse(msg);
        if (!opts.success) throw new ProtocolError('bad-msg', `msg.command / msg.responseFlag: ${describeIssues(opts.error)}`);
        const command = opts.data.command ?? (cfg.command === '' ? undefined : cfg.command);
        const payload = decodeInput(msg.payload, {
          ignoreChecksum: cfg.ignoreChecksum,
          edition: opts.data.edition ?? cfg.edition,
          ...(command !== undefined ? { command } : {}),
          ...(opts.data.responseFlag !== undefined ? { responseFlag: opts.data.responseFlag } : {}),
        });
        if ((payload.checksum as { ok?: boolean } | undefined)?.ok === false) node.warn(say(RED, 'bccMismatch', { vin: String(payload.vin ?? '?') }));
        const vin = payload.vin || (payload.deviceName as string | undefined) || '';
        const topic = `gb32960/${payload.command?.code ?? payload.source}/${vin}`;
        const gb32960 = { source: payload.source, command: payload.command, vin };
        decoded++;
        view.note(`${decoded} decoded`);
        if (cfg.split === 'per-type' && Array.isArray(payload.order)) {
          const head = { command: payload.command, vin, time: payload.time, timeMs: payload.timeMs };
          const out: NodeMessage[] = [];
          for (const name of TYPE_NAMES) {
            if (payload[name] !== undefined) out.push({ ...msg, topic: `${topic}/${name}`, payload: { ...head, type: name, [name]: payload[name] }, gb32960 });
          }
          for (const c of (payload.custom as Array<{ type: number }> | undefined) ?? []) out.push({ ...msg, topic: `${topic}/custom`, payload: { ...head, type: 'custom', custom: c }, gb32960 });
          send([out]);
        } else {
          send({ ...msg, topic, payload, gb32960 });
        }
        done();
      } catch (err) {
        const error = asError(err);
        view.error(error.message);
        if (isProtocolError(err) && err.details.partial !== undefined) Object.assign(msg, { partial: err.details.partial });
        if (isProtocolError(err)) Object.assign(msg, { gb32960Error: { code: err.code, ...Object.fromEntries(Object.entries(err.details).filter(([k]) => k !== 'partial')) } });
        done(error);
      }
    });
    node.on('close', () => view.close());
  }

  registerNode(RED, 'gb32960-decode', Gb32960Decode);
}

export = init;
