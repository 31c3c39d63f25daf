/**
 * aliyun-amqp-connection: an Aliyun AMQP server-side subscription (IoT Platform consumer group,
 * or IoT Living data sync): endpoint, signed login from credentials, and the one connection with
 * one receiver link that every aliyun-amqp-in node of it shares.
 */
import type { NodeAPI } from 'node-red';
import { z } from 'zod';
import { AmqpSubscription } from '../../lib/amqp/amqp-subscription';
import { configProblem, say, sayConnection } from '../../lib/log-text';
import { tlsOptionsFrom } from '../../lib/tls-config';
import { defineAccountNode } from '../../lib/platform/account';
import { AUTH_MODES, AmqpLogin, amqpCredentials } from '../../protocols/aliyun/amqp';
import { describeIssues } from '../../protocols/protocol-error';

const num = (min: number, max: number, dflt: number) => z.coerce.number().int().min(min).max(max).default(dflt);

const AliyunAmqpConnectionConfig = z.object({
  host: z.string().trim().min(1, 'endpoint host is empty').regex(/^[A-Za-z0-9.-]+$/, 'endpoint host must be a host name without scheme or port'),
  port: num(1, 65535, 5671),
  authMode: z.enum(AUTH_MODES).default('aksign'),
  instanceId: z.string().trim().default(''),
  consumerGroupId: z.string().trim().default(''),
  clientId: z.string().trim().default(''),
  /** The platform wants an idle timeout between 30 and 300 s in the Open frame. */
  idleTimeoutS: num(30, 300, 60),
  prefetch: num(1, 10_000, 100),
  reconnectMinMs: num(100, 600_000, 1000),
  reconnectMaxMs: num(100, 3_600_000, 60_000),
  /** Plain AMQP without TLS: only for a local test peer. */
  localTest: z.boolean().default(false),
  tls: z.string().optional(),
});

function init(RED: NodeAPI): void {
  defineAccountNode(RED, {
    type: 'aliyun-amqp-connection',
    credentials: { keyId: { type: 'text' }, secret: { type: 'password' } },
    schema: AliyunAmqpConnectionConfig,
    invalid: 'invalidAmqpSettings',
    connect(cfg, creds, node) {
      const login: AmqpLogin = {
        authMode: cfg.authMode,
        clientId: cfg.clientId || `nodered-${node.id.replace(/[^A-Za-z0-9]/g, '').slice(0, 16)}`,
        keyId: creds.keyId ?? '',
        secret: creds.secret ?? '',
        instanceId: cfg.instanceId,
        consumerGroupId: cfg.consumerGroupId,
      };
      const checked = AmqpLogin.safeParse(login);
      if (!checked.success) return configProblem(RED, 'invalidAmqpLogin', { issues: describeIssues(checked.error) });
      if (cfg.localTest) node.warn(say(RED, 'plainAmqp'));
      const tlsOptions = cfg.localTest ? {} : tlsOptionsFrom(RED, node, cfg.tls);
      const connection = new AmqpSubscription({
        host: cfg.host,
        port: cfg.port,
        tls: !cfg.localTest,
        tlsOptions,
        idleTimeoutMs: cfg.idleTimeoutS * 1000,
        prefetch: cfg.prefetch,
        reconnectMinMs: cfg.reconnectMinMs,
        reconnectMaxMs: Math.max(cfg.reconnectMaxMs, cfg.reconnectMinMs),
        credentials: () => amqpCredentials(login),
        logger: {
          log: (m) => node.log(m),
          warn: (m) => node.warn(m),
          reconnecting: (address, reason, seconds) => node.warn(sayConnection(RED, 'amqpReconnecting', { address, reason, seconds })),
          unrouted: (topic, count) => node.warn(say(RED, 'unrouted', { topic, more: count > 1 ? say(RED, 'unroutedMore', { count }) : '' })),
        },
      });
      return { connection, info: {} };
    },
  });
}

export = init;
