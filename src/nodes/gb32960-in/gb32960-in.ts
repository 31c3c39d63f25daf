/**
 * gb32960-in: the decoded frames of vehicles connected to a gb32960-server, into the flow,
 * filtered by kind of frame and by VIN; session events (login, logout, replaced, closed) too.
 */
import type { Node, NodeAPI, NodeDef, NodeMessage } from 'node-red';
import { z } from 'zod';
import { localError } from '../../lib/log-text';
import { nextMsgId } from '../../lib/msg-id';
import { registerNode } from '../../lib/red';
import { vinList, type VehicleFrame } from '../gb32960-server/platform';
import { serverUser } from '../gb32960-server/server-user';
import { BATCH_FIELDS, DEFAULT_KINDS, FRAME_KINDS, kindOf, type Kind } from './kinds';


/**
 * The dialog judges the batch limits only while Output is batch (src/nodes/gb32960-in/editor.ts),
 * so a node sending one msg per frame may hold any text there: it uses the defaults instead.
 */
const withoutUnusedBatchLimits = (def: unknown): unknown =>
  def && typeof def === 'object' && (def as { output?: unknown }).output !== 'batch' ? { ...def, batchSize: undefined, batchMs: undefined } : def;

const InConfig = z.preprocess(withoutUnusedBatchLimits, z.object({
  server: z.string({ error: 'no gb32960 server selected' }).min(1, 'no gb32960 server selected'),
  kinds: z.string().default(DEFAULT_KINDS)
    .transform((s) => s.split(',').map((k) => k.trim()).filter(Boolean))
    .pipe(z.array(z.enum(FRAME_KINDS))),
  vins: z.string().default(''),
  /** One msg per frame, or one per batch of frames for bulk writers. */
  output: z.enum(['frame', 'batch']).default('frame'),
  batchSize: z.coerce.number().int().min(BATCH_FIELDS.batchSize.min).max(BATCH_FIELDS.batchSize.max).default(BATCH_FIELDS.batchSize.value),
  batchMs: z.coerce.number().int().min(BATCH_FIELDS.batchMs.min).max(BATCH_FIELDS.batchMs.max).default(BATCH_FIELDS.batchMs.value),
}));

type Def = NodeDef & Record<string, unknown>;

const NOTE_EVERY_MS = 1000;

/** Epoch ms as ISO text; the frames of one read share their millisecond, so the last one is kept. */
let lastIsoMs = NaN;
let lastIso = '';
function isoTime(ms: number): string {
  if (ms !== lastIsoMs) {
    lastIsoMs = ms;
    lastIso = new Date(ms).toISOString();
  }
  return lastIso;
}

function init(RED: NodeAPI): void {
  /**
   * The last frame some gb32960-in took: a second one sends a copy, so flows cannot change each
   * other's data. A server hands each frame to all its gb32960-in in one go before the next frame,
   * so the last one is all there is to remember (no set of frames, no clearing per turn).
   */
  let lastTaken: VehicleFrame | undefined;
  /**
   * The frames a batch held when its node stopped for a redeploy, by node id. They go out once
   * the flows have started again, through the node of that id in the new flows: after a full
   * deploy the nodes downstream are stopped too, and a msg sent while stopping reaches none.
   */
  const heldOver = new Map<string, object[]>();
  const batchMsg = (payload: object[]): NodeMessage => ({ _msgid: nextMsgId(), topic: 'gb32960/batch', payload, count: payload.length } as NodeMessage);

  function Gb32960In(this: Node, def: Def) {
    RED.nodes.createNode(this, def);
    const node = this;
    const setup = serverUser(RED, node, InConfig, def);
    if (!setup) return;
    const { cfg, server, view } = setup;
    const kinds = new Set<Kind>(cfg.kinds);
    const vins = new Set(vinList(cfg.vins));
    const vinWanted = (vin: string | null | undefined) => vins.size === 0 || (!!vin && vins.has(vin));
    let sent = 0;
    /** The "n out" note is shown at most once a second, not per frame. */
    let noteTimer: NodeJS.Timeout | undefined;
    const showCount = () => {
      noteTimer = undefined;
      view.note(`${sent} out`);
    };
    const counted = (frames: number) => {
      const first = sent === 0;
      sent += frames;
      if (first) showCount();
      else noteTimer ??= setTimeout(showCount, NOTE_EVERY_MS);
    };
    /** Frame payloads waiting for their batch (output `batch`), and the timer that sends it at the latest. */
    let batch: object[] = [];
    let batchTimer: NodeJS.Timeout | undefined;
    const sendBatch = () => {
      clearTimeout(batchTimer);
      batchTimer = undefined;
      if (batch.length === 0) return;
      const payload = batch;
      batch = [];
      counted(payload.length);
      node.send(batchMsg(payload));
    };
    // The batch its predecessor held at a redeploy goes first, before this node's own frames.
    const carried = heldOver.get(node.id);
    if (carried) {
      heldOver.delete(node.id);
      if (cfg.output === 'batch') batch = carried;
      RED.events.once('flows:started', () => {
        if (cfg.output === 'batch') sendBatch();
        else node.send(batchMsg(carried));
      });
    }
    /**
     * Whether another gb32960-in already has this frame's data: each one past the first sends a
     * copy, so flows cannot change each other's data.
     */
    const heardBefore = (f: VehicleFrame): boolean => {
      if (lastTaken === f) return true;
      lastTaken = f;
      return false;
    };

    server.register(node.id, {
      status: (s) => view.server(s),
      frame(f) {
        const command = f.frame.command.code;
        if (!kinds.has(kindOf(command)) || !vinWanted(f.frame.vin)) return;
        const { frame } = f;
        const payload = {
          source: 'frame', edition: frame.edition, command: frame.command, responseFlag: frame.responseFlag, vin: frame.vin,
          encryption: frame.encryption, checksum: frame.checksum, ...frame.data,
        };
        const shared = heardBefore(f);
        if (cfg.output === 'batch') {
          const entry: Record<string, unknown> = payload;
          entry.receivedAt = isoTime(f.receivedAt);
          batch.push(shared ? RED.util.cloneMessage(entry) : entry);
          if (batch.length >= cfg.batchSize) sendBatch();
          else batchTimer ??= setTimeout(sendBatch, cfg.batchMs);
          return;
        }
        let msg: NodeMessage = {
          _msgid: nextMsgId(), topic: `gb32960/${command}/${frame.vin}`, payload, vin: frame.vin, command, session: f.session,
          receivedAt: f.receivedAt, gb32960: { source: 'server', command: frame.command, vin: frame.vin },
        } as NodeMessage;
        if (shared) {
          msg = RED.util.cloneMessage(msg);
          msg._msgid = nextMsgId();
        }
        counted(1);
        node.send(msg);
      },
      session(event, session, detail) {
        if (!kinds.has('sessions') || !vinWanted(session.vin)) return;
        node.send({
          topic: `gb32960/session/${session.vin ?? session.remote}`, event, vin: session.vin, session,
          payload: { event, detail: detail ?? null, vin: session.vin, remote: session.remote, edition: session.edition },
        } as NodeMessage);
      },
      problem(err, session, raw) {
        if (vins.size > 0 && !vinWanted(session.vin)) return;
        view.error(err.message);
        const details = Object.fromEntries(Object.entries(err.details).filter(([k]) => k !== 'partial'));
        node.error(localError(RED, err), {
          topic: `gb32960/error/${session.vin ?? session.remote}`, payload: raw ?? null, vin: session.vin, session,
          gb32960Error: { code: err.code, ...details },
          ...(err.details.partial !== undefined ? { partial: err.details.partial } : {}),
        } as NodeMessage);
      },
    });

    node.on('close', (removed: boolean, done: () => void) => {
      server.deregister(node.id);
      if (removed || batch.length === 0) {
        // A deleted node's frames go out now, to the nodes that stay.
        sendBatch();
      } else {
        // Redeployed: the node of this id in the new flows sends them when the flows have started.
        clearTimeout(batchTimer);
        batchTimer = undefined;
        heldOver.set(node.id, batch);
        const id = node.id;
        const held = batch;
        batch = [];
        RED.events.once('flows:started', () => {
          // No node of this id took them (its settings refused, or its type changed): sent as they are.
          if (heldOver.get(id) !== held) return;
          heldOver.delete(id);
          node.send(batchMsg(held));
        });
      }
      clearTimeout(noteTimer);
      view.close();
      done();
    });
  }

  registerNode(RED, 'gb32960-in', Gb32960In);
}

export = init;
