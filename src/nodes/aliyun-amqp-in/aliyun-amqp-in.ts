/**
 * aliyun-amqp-in: messages of an Aliyun AMQP server-side subscription, as `msg.topic` (the
 * message's `topic` property) and `msg.payload` (parsed). A delivery is accepted after this node
 * has emitted the message or reported it to a Catch node, or, with `accept: completed`, once every
 * node the message reached has finished with it (Node-RED's `done()`).
 */
import type { Node, NodeAPI, NodeDef } from 'node-red';
import { z } from 'zod';
import { configProblem, localError, say } from '../../lib/log-text';
import { messageCompletion } from '../../lib/message-completion';
import { joinAccount } from '../../lib/platform/account-link';
import { registerNode } from '../../lib/red';
import { PAYLOAD_FORMATS, bodyBytes, decodeAmqpMessage } from '../../protocols/aliyun/amqp';
import { isValidFilter, levelsMatch } from '../../protocols/mqtt-topic';
import { asError } from '../../protocols/protocol-error';
import type { AliyunAmqpConnectionNode } from '../aliyun-amqp-connection/types';

const AliyunAmqpInConfig = z.object({
  connection: z.string().optional(),
  /** MQTT-style filter on the message topic (`+`, `#`); `#` takes everything. */
  topicFilter: z.string().trim().transform((v) => v || '#').refine(isValidFilter, 'topic filter: "+" only as a whole level, "#" only at the end').default('#'),
  payloadFormat: z.enum(PAYLOAD_FORMATS).default('json'),
  /** When a delivery is accepted: once emitted (older flows), or once the flow is done with it. */
  accept: z.enum(['emitted', 'completed']).default('emitted'),
});

/** A message the flow never finishes with is accepted after this, so it cannot hold credit forever. */
const COMPLETION_DEADLINE_MS = 10 * 60_000;

type Def = NodeDef & Record<string, unknown>;

function init(RED: NodeAPI): void {
  function AliyunAmqpIn(this: Node, def: Def) {
    RED.nodes.createNode(this, def);
    const node = this;
    const link = joinAccount<typeof AliyunAmqpInConfig, AliyunAmqpConnectionNode>(RED, node, def, AliyunAmqpInConfig, 'connection', { type: 'aliyun-amqp-connection', missing: 'noAmqpSubscription' });
    if (!link) return;
    const { cfg, view } = link;
    const filter = cfg.topicFilter.split('/');
    const warnedLenient = new Set<string>();
    // Message hooks came with Node-RED 2; without them completion cannot be seen.
    if (cfg.accept === 'completed' && !(RED as { hooks?: unknown }).hooks) {
      const { problem, text } = configProblem(RED, 'needsHooks');
      node.error(text);
      view.fatal(problem);
      return;
    }
    const completion = cfg.accept === 'completed' ? messageCompletion(RED) : undefined;
    completion?.acquire();

    link.join({
      onMessage: (message) => {
        const topic = message.application_properties?.topic;
        if (typeof topic === 'string' && !levelsMatch(filter, topic.split('/'))) return false;
        try {
          const push = decodeAmqpMessage(message, cfg.payloadFormat);
          if (push.lenient && !warnedLenient.has(push.topic)) {
            warnedLenient.add(push.topic);
            node.warn(say(RED, 'lenientJson', { topic: push.topic }));
          }
          const out = {
            topic: push.topic,
            payload: push.payload,
            aliyun: { messageId: push.messageId, generateTime: push.generateTime, properties: push.properties, ...(push.lenient ? { lenient: true } : {}) },
          };
          if (!completion) {
            node.send(out);
            return true;
          }
          return completion.track(out, (m) => node.send(m), COMPLETION_DEADLINE_MS).then((outcome) => {
            if (outcome === 'deadline') node.warn(say(RED, 'notFinished', { topic: push.topic, messageId: push.messageId ?? '', minutes: COMPLETION_DEADLINE_MS / 60_000 }));
          });
        } catch (err) {
          const error = asError(err);
          view.error(error.message);
          const raw = bodyBytes(message.body);
          node.error(localError(RED, error), { topic: typeof topic === 'string' ? topic : '', payload: raw ? raw.toString('utf8') : message.body, aliyun: { properties: message.application_properties ?? {} } });
        }
        return true;
      },
    });
    node.on('close', (_removed: boolean, done: () => void) => {
      completion?.release();
      done();
    });
  }

  registerNode(RED, 'aliyun-amqp-in', AliyunAmqpIn);
}

export = init;
