/**
 * jointech-in: Jointech data push, received over MQTT (through a jointech-account) or as a webhook
 * on Node-RED's HTTP server, decoded the same way in both modes.
 */
import type { Node, NodeAPI, NodeDef, NodeMessage } from 'node-red';
import { z } from 'zod';
import { adminPathClash, mountWebhook, type WebhookRefusal, type WebhookReply } from '../../lib/http/webhook';
import { describe, localDone, localError, say } from '../../lib/log-text';
import { parseNodeConfig } from '../../lib/node-config';
import { NodeStatusView } from '../../lib/node-status';
import { linkAccount } from '../../lib/platform/account-link';
import { registerNode } from '../../lib/red';
import { DATA_TYPES, decodePush, type DataType, type DecodedPush } from '../../protocols/jointech/messages';
import { checkTopicIdentity, checkedUploadTopic, deviceNumber, uploadFilters } from '../../protocols/jointech/topics';
import { ProtocolError, asError, describeIssues } from '../../protocols/protocol-error';
import { parseJsonSafely } from '../../protocols/safe-json';
import type { JointechAccountNode } from '../jointech-account/types';

const dataType = z.enum(DATA_TYPES);

/** Device lists arrive as text from the dialog ("a, b c") or as arrays from msg. */
const deviceList = z
  .union([z.string(), z.array(z.union([z.string(), z.number()]))])
  .transform((v) => (Array.isArray(v) ? v.map(String) : v.split(/[\s,;，]+/)).map((s) => s.trim()).filter(Boolean));

const JointechInConfig = z.object({
  mode: z.enum(['mqtt', 'webhook']).default('mqtt'),
  account: z.string().optional(),
  types: z.array(dataType).default([...DATA_TYPES]),
  devicesMode: z.enum(['all', 'list', 'msg']).default('all'),
  devices: deviceList.default([]),
  split: z.enum(['single', 'per-type']).default('single'),
  path: z.string().trim().default('/jointech'),
  pathPerType: z.boolean().default(false),
  headerName: z.string().trim().default(''),
  maxBytes: z.coerce.number().int().min(256).max(10_485_760).default(262_144),
  /** Webhook requests a second (bursts of the same size); 0 turns the limit off. */
  rateLimit: z.coerce.number().int().min(0).max(100_000).default(200),
  /** Seconds a webhook body may take to arrive before the request is cut with 408. */
  readTimeout: z.coerce.number().min(1).max(600).default(10),
});
type JointechInConfig = z.infer<typeof JointechInConfig>;

/** `msg.action` requests for dynamic subscriptions, as core's mqtt-in vocabulary. */
const ActionMsg = z.object({
  action: z.enum(['subscribe', 'unsubscribe', 'getSubscriptions']),
  payload: z
    .union([deviceList, z.object({ devices: deviceList.optional(), types: z.array(dataType).optional() }), z.literal(true)])
    .optional(),
});

type Def = NodeDef & Record<string, unknown>;

/** How a push arrived, as msg.jointech tells it. */
interface Arrival {
  via: 'mqtt' | 'webhook';
  mqttTopic?: string;
  path?: string;
}

function init(RED: NodeAPI): void {
  function JointechIn(this: Node, def: Def) {
    RED.nodes.createNode(this, def);
    const node = this;
    const view = new NodeStatusView(node);
    const stored = parseNodeConfig(RED, node, view, JointechInConfig, def);
    if (!stored) return;
    const cfg: JointechInConfig = stored;
    const outputIndex = new Map<DataType, number>(DATA_TYPES.map((t, i) => [t, i]));
    let accepted = 0;

    /** Sends one decoded push to its output; `where` says how it came (via, mqttTopic or path). */
    function emit(decoded: DecodedPush, raw: unknown, where: Arrival): void {
      const meta: Record<string, unknown> = { type: decoded.type, assetId: decoded.assetId };
      if (decoded.subLockId) meta.subLockId = decoded.subLockId;
      meta.raw = raw;
      meta.flags = decoded.flags;
      meta.via = where.via;
      if (where.mqttTopic !== undefined) meta.mqttTopic = where.mqttTopic;
      if (where.path !== undefined) meta.path = where.path;
      const msg: NodeMessage = { topic: `jointech/${decoded.type}/${decoded.assetId}`, payload: decoded.payload, jointech: meta } as NodeMessage;
      if (decoded.flags.length > 0) {
        node.warn(say(RED, 'doubtful', { topic: String(msg.topic), flags: decoded.flags.map((f) => `${f.field} ${JSON.stringify(f.value)} ${f.reason}`).join('; ') }));
      }
      if (cfg.split === 'per-type') {
        const out: Array<NodeMessage | null> = DATA_TYPES.map(() => null);
        out[outputIndex.get(decoded.type)!] = msg;
        node.send(out);
      } else {
        node.send(msg);
      }
      accepted++;
    }

    /** Reports a message that could not be decoded: Catch-able, with the raw input attached. */
    function reject(err: unknown, raw: unknown, extra: Arrival): Error {
      const error = asError(err);
      view.error(error.message);
      node.error(localError(RED, error), { payload: raw, jointech: { raw, ...extra }, ...(typeof extra.mqttTopic === 'string' ? { topic: extra.mqttTopic } : {}) });
      return error;
    }

    if (cfg.mode === 'webhook') {
      startWebhook(cfg);
    } else {
      startMqtt(cfg);
    }

    function startWebhook(c: JointechInConfig): void {
      const base = c.path.startsWith('/') ? c.path : `/${c.path}`;
      const creds = (node.credentials ?? {}) as { headerValue?: string };
      const header = c.headerName ? { name: c.headerName, value: creds.headerValue ?? '' } : undefined;
      const routes: Array<[string, DataType | undefined]> = c.pathPerType
        ? c.types.map((t) => [`${base.replace(/\/$/, '')}/${t}`, t])
        : [[base, undefined]];
      const served = `POST ${routes.map(([p]) => p).join(', ')}`;
      let ignored = 0;
      let refused = 0;
      // Counts are shown at most five times a second: a status per request would flood the editor.
      let countsTimer: NodeJS.Timeout | undefined;
      const showCounts = () => {
        countsTimer ??= setTimeout(() => {
          countsTimer = undefined;
          const counts = [accepted && `${accepted} received`, ignored && `${ignored} ignored`, refused && `${refused} refused`].filter(Boolean);
          view.note(counts.length ? counts.join(', ') : served);
        }, 200);
      };
      // One warning per refusal code, then at most one a minute with the count since: a flood of
      // refused requests shows in the status count, not as thousands of log lines.
      const warned = new Map<string, { at: number; since: number }>();
      const onRefused = (r: WebhookRefusal, path: string) => {
        if (r.status === 400) {
          reject(new ProtocolError(r.code, r.error), undefined, { via: 'webhook', path });
          return;
        }
        refused++;
        showCounts();
        if (r.status >= 500) {
          node.error(say(RED, 'webhookFailed', { path, error: describe(RED, new ProtocolError(r.code, r.error)) }));
          return;
        }
        const w = warned.get(r.code);
        const now = Date.now();
        if (w && now - w.at < 60_000) {
          w.since++;
          return;
        }
        const more = w && w.since > 0 ? say(RED, 'moreSince', { count: w.since }) : '';
        warned.set(r.code, { at: now, since: 0 });
        node.warn(`${say(RED, 'webhookRefused', { path, status: r.status, error: describe(RED, new ProtocolError(r.code, r.error)) })}${more}`);
      };
      const unmount = routes.map(([path, hint]) => mountWebhook(RED, {
        path,
        maxBytes: c.maxBytes,
        maxPerSecond: c.rateLimit,
        readTimeoutMs: c.readTimeout * 1000,
        ...(header ? { header } : {}),
        onRefused: (r) => onRefused(r, path),
        handle: ({ text }): WebhookReply => {
          try {
            let body: unknown;
            try {
              body = parseJsonSafely(text);
            } catch (err) {
              throw new ProtocolError('bad-json', `payload is not valid JSON: ${(err as Error).message}`);
            }
            const decoded = decodePush(body, hint);
            if (!c.types.includes(decoded.type)) {
              // Good data of a type this node does not take: the platform must not log a failure.
              ignored++;
              showCounts();
              return { status: 200, body: { Result: 200 } };
            }
            emit(decoded, text, { via: 'webhook', path });
            showCounts();
            return { status: 200, body: { Result: 200 } };
          } catch (err) {
            const error = reject(err, text, { via: 'webhook', path });
            const code = err instanceof ProtocolError ? err.code : 'bad-payload';
            return { status: 400, body: { Result: 400, error: error.message, code } };
          }
        },
      }));
      view.note(served);
      for (const [path] of routes) {
        const clash = adminPathClash(RED, path);
        if (clash) node.warn(say(RED, 'editorPath', { path: clash }));
      }
      node.on('close', (_removed: boolean, done: () => void) => {
        for (const u of unmount) u();
        clearTimeout(countsTimer);
        view.close();
        done();
      });
    }

    function startMqtt(c: JointechInConfig): void {
      const link = linkAccount<JointechInConfig, JointechAccountNode>(RED, node, view, c, c.account, { type: 'jointech-account', missing: 'noJointechAccount' });
      if (!link) return;
      const { accessKey, qos } = link.info;
      link.join();
      const held = new Set<string>();

      const onMessage = (topic: string, payload: Buffer) => {
        const raw = payload.toString('utf8');
        try {
          const info = checkedUploadTopic(topic, accessKey);
          // The node may hold a wider filter (upload/key/#) than the types it emits.
          if (!c.types.includes(info.type)) return;
          const decoded = decodePush(raw, info.type);
          checkTopicIdentity(info, decoded);
          emit(decoded, raw, { via: 'mqtt', mqttTopic: topic });
        } catch (err) {
          reject(err, raw, { via: 'mqtt', mqttTopic: topic });
        }
      };

      const apply = (filters: string[]) => {
        for (const f of held) if (!filters.includes(f)) link.unsubscribe(f);
        for (const f of filters) if (!held.has(f)) link.subscribe(f, qos, onMessage);
        held.clear();
        for (const f of filters) held.add(f);
        view.note(held.size === 0 ? 'no devices subscribed' : undefined);
      };

      let devices: string[] = c.devicesMode === 'list' ? c.devices : [];
      let types: DataType[] = c.types;
      const filtersNow = () => (c.devicesMode === 'all' ? uploadFilters(accessKey, types, 'all') : uploadFilters(accessKey, types, devices));
      try {
        if (c.devicesMode === 'list') devices = devices.map((d) => deviceNumber(d));
        apply(filtersNow());
      } catch (err) {
        node.error(describe(RED, err));
        view.fatal(asError(err).message);
        return;
      }

      node.on('input', (msg, send, nodeDone) => {
        const done = localDone(RED, nodeDone);
        const parsedMsg = ActionMsg.safeParse(msg);
        if (!parsedMsg.success) {
          done(new ProtocolError('bad-action', `msg.action must be subscribe, unsubscribe or getSubscriptions (${describeIssues(parsedMsg.error)})`));
          return;
        }
        const { action, payload } = parsedMsg.data;
        try {
          if (action === 'subscribe' || action === 'unsubscribe') {
            const spec = Array.isArray(payload) ? { devices: payload } : payload === true || payload === undefined ? {} : payload;
            const listed = (spec.devices ?? []).map((d) => deviceNumber(d));
            if (spec.types) types = action === 'subscribe' ? [...new Set([...types, ...spec.types])] : types.filter((t) => !spec.types!.includes(t));
            if (action === 'subscribe') {
              devices = [...new Set([...devices, ...listed])];
            } else {
              devices = payload === true || listed.length === 0 ? [] : devices.filter((d) => !listed.includes(d));
            }
            if (c.devicesMode === 'all' && action === 'subscribe' && listed.length > 0) c.devicesMode = 'list';
            if (c.devicesMode === 'all' && action === 'unsubscribe' && (payload === true || listed.length === 0)) c.devicesMode = 'msg';
            apply(filtersNow());
          }
          send({ ...msg, topic: 'subscriptions', payload: { devices: c.devicesMode === 'all' ? 'all' : devices, types, filters: [...held] } });
          done();
        } catch (err) {
          done(asError(err));
        }
      });
    }
  }

  registerNode(RED, 'jointech-in', JointechIn, { headerValue: { type: 'password' } });
}

export = init;
