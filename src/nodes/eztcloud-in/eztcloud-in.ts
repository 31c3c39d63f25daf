/**
 * eztcloud-in: subscribes to the EZtCloud application API for the ticked message kinds and
 * devices, and emits each message decoded.
 */
import type { Node, NodeAPI, NodeDef, NodeMessage } from 'node-red';
import { z } from 'zod';
import { describe, localError, say } from '../../lib/log-text';
import { joinConnection } from '../../lib/mqtt/user-node';
import { configuredNode } from '../../lib/mqtt/configured-node';
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
    const setup = configuredNode<typeof EztcloudInConfig, EztcloudProjectNode>(RED, node, def, EztcloudInConfig, 'project', 'noEztcloudProject');
    if (!setup) return;
    const { cfg, connection, view } = setup;
    const pk = setup.owner.projectKey!;
    let filters: string[];
    try {
      filters = subscribeFilters(pk, cfg.kinds, cfg.devicesMode === 'all' ? 'all' : cfg.devices.map(deviceUsername), cfg.streams);
    } catch (err) {
      node.error(describe(RED, err));
      view.fatal(asError(err).message);
      return;
    }
    const warnedLenient = new Set<string>();
    joinConnection(node, connection, view);

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
    for (const f of filters) connection.subscribe(node.id, f, 1, onMessage);
    view.note(`${filters.length} subscription${filters.length === 1 ? '' : 's'}`);
    node.on('close', (_removed: boolean, done: () => void) => {
      for (const f of filters) connection.unsubscribe(node.id, f);
      done();
    });
  }

  registerNode(RED, 'eztcloud-in', EztcloudIn);
}

export = init;
