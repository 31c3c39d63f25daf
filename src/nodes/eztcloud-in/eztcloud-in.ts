/**
 * eztcloud-in: subscribes to the EZtCloud application API for the ticked message kinds and
 * devices, and emits each message decoded.
 */
import type { Node, NodeAPI, NodeDef, NodeMessage } from 'node-red';
import { z } from 'zod';
import { describe, localError, say } from '../../lib/log-text';
import { joinAccount } from '../../lib/platform/account-link';
import { registerNode } from '../../lib/red';
import { KINDS, deviceUsername, parseOpenTopic, subscribeFilters, type Kind } from '../../protocols/eztcloud/topics';
import { decodeMessage } from '../../protocols/eztcloud/messages';
import { ProtocolError, asError } from '../../protocols/protocol-error';
import type { EztcloudProjectNode } from '../eztcloud-project/types';

const list = z.union([z.string(), z.array(z.string())])
  .transform((v) => (Array.isArray(v) ? v : v.split(/[\s,;，]+/)).map((s) => s.trim()).filter(Boolean));

const EztcloudInConfig = z.object({
  project: z.string().optional(),
  kinds: z.array(z.enum(KINDS)).min(1, 'tick at least one message kind').default([...KINDS]),
  devicesMode: z.enum(['all', 'list']).default('all'),
  devices: list.default([]),
  streams: list.default([]),
  dataFormat: z.enum(['buffer', 'utf8', 'json']).default('buffer'),
  split: z.enum(['single', 'per-kind']).default('single'),
});

type Def = NodeDef & Record<string, unknown>;

function init(RED: NodeAPI): void {
  function EztcloudIn(this: Node, def: Def) {
    RED.nodes.createNode(this, def);
    const node = this;
    const link = joinAccount<typeof EztcloudInConfig, EztcloudProjectNode>(RED, node, def, EztcloudInConfig, 'project', { type: 'eztcloud-project', missing: 'noEztcloudProject' });
    if (!link) return;
    const { cfg, view } = link;
    const pk = link.info.projectKey;
    let filters: string[];
    try {
      filters = subscribeFilters(pk, cfg.kinds, cfg.devicesMode === 'all' ? 'all' : cfg.devices.map(deviceUsername), cfg.streams);
    } catch (err) {
      node.error(describe(RED, err));
      view.fatal(asError(err).message);
      return;
    }
    const warnedLenient = new Set<string>();
    link.join();

    const onMessage = (topic: string, body: Buffer) => {
      const info = parseOpenTopic(topic);
      try {
        if (!info || info.projectKey !== pk) throw new ProtocolError('unknown-topic', `topic "${topic}" is not an EZtCloud application topic of this project`);
        const { payload, lenient, extra } = decodeMessage(info.kind, body, cfg.dataFormat);
        if (lenient && !warnedLenient.has(topic)) {
          warnedLenient.add(topic);
          node.warn(say(RED, 'lenientJson', { topic }));
        }
        const msg: NodeMessage = {
          topic: `eztcloud/${info.kind}/${info.device}${info.stream ? `/${info.stream}` : ''}`,
          payload,
          eztcloud: { kind: info.kind, device: info.device, ...(info.stream ? { stream: info.stream } : {}), mqttTopic: topic, ...(lenient ? { lenient } : {}), ...(extra ? { extra } : {}) },
        };
        if (cfg.split === 'per-kind') {
          const out: Array<NodeMessage | null> = KINDS.map(() => null);
          out[KINDS.indexOf(info.kind as Kind)] = msg;
          node.send(out);
        } else {
          node.send(msg);
        }
      } catch (err) {
        const error = asError(err);
        view.error(error.message);
        node.error(localError(RED, error), { topic, payload: body.toString('utf8'), eztcloud: { mqttTopic: topic, ...(info ?? {}) } });
      }
    };
    for (const f of filters) link.subscribe(f, 1, onMessage);
    view.note(`${filters.length} subscription${filters.length === 1 ? '' : 's'}`);
  }

  registerNode(RED, 'eztcloud-in', EztcloudIn);
}

export = init;
