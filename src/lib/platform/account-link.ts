/**
 * The start of every user node of a platform account: validate its settings, find its account
 * node and that node's shared connection, or stop with a red status saying why. The link then
 * owns what the node holds on the connection: it joins it once, subscribes through it, and on
 * close leaves once, with Node-RED's `removed` flag, so a persistent session keeps the filters of
 * a node that is only redeployed.
 */
import type { Node, NodeAPI } from 'node-red';
import type { z } from 'zod';
import { configProblem } from '../log-text';
import type { LogKey } from '../log-texts';
import type { MessageHandler, SharedMqttConnection } from '../mqtt/shared-connection';
import { parseNodeConfig } from '../node-config';
import { NodeStatusView } from '../node-status';
import { refuseInputs } from '../red';
import type { PlatformOwner } from './account';
import type { PlatformTransport, TransportUser } from './transport';

type UserOf<Conn> = Conn extends PlatformTransport<infer U> ? U : never;
/** What a node hands the transport besides its id and state listener (an AMQP node: its message handler). */
type JoinExtras<Conn> = Omit<UserOf<Conn>, keyof TransportUser>;

export class AccountLink<Cfg, Conn extends PlatformTransport<never>, Info> {
  private joined = false;
  private left = false;

  constructor(
    private readonly node: Node,
    readonly cfg: Cfg,
    readonly connection: Conn,
    /** What the account knows that its user nodes need (an access key, a device id...). */
    readonly info: Info,
    readonly view: NodeStatusView,
  ) {}

  /**
   * Joins the connection: its state shows under the node from now on, and the node leaves it when
   * closed. Called once the node's own settings are known to be usable (a red status set before
   * stays).
   */
  join(...extras: [keyof JoinExtras<Conn>] extends [never] ? [JoinExtras<Conn>?] : [JoinExtras<Conn>]): void {
    if (this.joined) return;
    this.joined = true;
    const user = { ...extras[0], id: this.node.id, onConnectionState: (state) => this.view.connection(state) } as TransportUser;
    (this.connection as unknown as PlatformTransport).register(user);
    this.node.on('close', (removed: boolean, done: () => void) => {
      this.leave(removed);
      done();
    });
  }

  /** Subscribes the node to `filter`; the link drops it when the node closes. */
  subscribe(this: AccountLink<Cfg, SharedMqttConnection, Info>, filter: string, qos: 0 | 1 | 2, handler: MessageHandler): void {
    this.connection.subscribe(this.node.id, filter, qos, handler);
  }

  /** Drops one filter while the node runs (a `msg.action` unsubscribe): always unsubscribed at the broker. */
  unsubscribe(this: AccountLink<Cfg, SharedMqttConnection, Info>, filter: string): void {
    this.connection.unsubscribe(this.node.id, filter);
  }

  /** `removed`: deleted, not just redeployed. Only the first call counts. */
  private leave(removed: boolean): void {
    if (this.left) return;
    this.left = true;
    this.connection.deregister(this.node, removed);
    this.view.close();
  }
}

export interface AccountLookup {
  /** The account node's type: an id of another type counts as no account. */
  type: string;
  /** The log text when no account is selected or found. */
  missing: LogKey;
}

/**
 * The link of a node whose settings are already parsed (`accountId` from them), or undefined
 * after a red status and an error saying why the account cannot serve it.
 */
export function linkAccount<Cfg, Owner extends PlatformOwner<PlatformTransport<never>, unknown>>(
  RED: NodeAPI,
  node: Node,
  view: NodeStatusView,
  cfg: Cfg,
  accountId: unknown,
  lookup: AccountLookup,
): LinkOf<Cfg, Owner> | undefined {
  const found = typeof accountId === 'string' && accountId !== '' ? (RED.nodes.getNode(accountId) as Owner | null) : null;
  const owner = found?.type === lookup.type ? found : null;
  if (owner?.connection && owner.info !== undefined) {
    return new AccountLink(node, cfg, owner.connection as ConnOf<Owner>, owner.info as InfoOf<Owner>, view);
  }
  const own = owner?.problem ? { problem: owner.problem, text: owner.problemText ?? owner.problem } : configProblem(RED, lookup.missing);
  node.error(own.text);
  view.fatal(own.problem);
  refuseInputs(node, own.text);
  return undefined;
}

type ConnOf<Owner> = Owner extends PlatformOwner<infer C, unknown> ? C : never;
type InfoOf<Owner> = Owner extends PlatformOwner<PlatformTransport<never>, infer I> ? I : never;
export type LinkOf<Cfg, Owner> = AccountLink<Cfg, ConnOf<Owner>, InfoOf<Owner>>;

/**
 * Parses a user node's stored settings with `schema` and links it to the account named
 * by its field `accountField`.
 */
export function joinAccount<S extends z.ZodType, Owner extends PlatformOwner<PlatformTransport<never>, unknown>>(
  RED: NodeAPI,
  node: Node,
  def: unknown,
  schema: S,
  accountField: keyof z.infer<S> & string,
  lookup: AccountLookup,
): LinkOf<z.infer<S>, Owner> | undefined {
  const view = new NodeStatusView(node);
  const cfg = parseNodeConfig(RED, node, view, schema, def);
  if (cfg === undefined) return undefined;
  return linkAccount<z.infer<S>, Owner>(RED, node, view, cfg, (cfg as Record<string, unknown>)[accountField], lookup);
}
