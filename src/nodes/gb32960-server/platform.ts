/**
 * A GB/T 32960 platform endpoint: a TCP (or TLS) listener, one session per connection, frames cut
 * from the stream, decoded and answered as the standard wants, one login per VIN, commands
 * (0x80-0x82) sent to a vehicle by VIN with its reply matched by command id (and time).
 * Knows nothing of Node-RED: the config node wraps it.
 */
import { EventEmitter } from 'node:events';
import net from 'node:net';
import tls from 'node:tls';
import { decodeFrame, type Edition, type Frame } from '../../protocols/gb32960/codec';
import { FrameSplitter, type FrameSink, type RejectReason } from '../../protocols/gb32960/stream';
import {
  FLAG, beijingTime, editionOf, frameLike, refusedLoginFlag, replyTo, wantsReply, type RealtimeReplies, type ReplyTimeMode,
} from '../../protocols/gb32960/replies';
import { ProtocolError, asError } from '../../protocols/protocol-error';
import { bcc } from '../../protocols/gb32960/binary';

export interface PlatformOptions {
  host: string;
  port: number;
  /** TLS socket options (key, cert, ca...) or undefined for plain TCP. */
  tls?: tls.TlsOptions;
  /** Whether a VIN may log in; undefined lets every VIN in. */
  vinAllowed?: (vin: string) => boolean;
  realtimeReplies: RealtimeReplies;
  replyTime: ReplyTimeMode;
  /** A second login of a VIN already online: close the old connection (B.2.7) or refuse the new one with 0x03. */
  duplicateLogin: 'replace' | 'refuse';
  idleTimeoutMs: number;
  maxConnections: number;
  maxFrameBytes: number;
}

/** What a flow sees of a connection. */
export interface SessionInfo {
  id: string;
  remote: string;
  edition: Edition | null;
  vin: string | null;
  connectedAt: string;
  loginAt: string | null;
  loginSerial: number | null;
}

export type SessionEvent = 'connected' | 'login' | 'logout' | 'replaced' | 'refused' | 'closed';

/** A frame from a vehicle, decoded, with the session it came on. */
export interface VehicleFrame {
  frame: Frame;
  raw: Buffer;
  session: SessionInfo;
  receivedAt: number;
}

export interface CommandResult {
  frame: Frame;
  raw: Buffer;
  sent: Buffer;
  roundTripMs: number;
  /** 'command+time' when the reply echoes the command's time, 'command' when it carries another or none. */
  matchedBy: 'command+time' | 'command';
}

interface Waiter {
  command: number;
  frame: Buffer;
  timeoutMs: number;
  resolve(r: CommandResult): void;
  reject(err: Error): void;
  timer?: NodeJS.Timeout;
  sentAt?: number;
}

class Session {
  readonly info: SessionInfo;
  readonly splitter: FrameSplitter;
  lastFrameAt: number;
  readonly connectedMs: number;
  /** Commands to this vehicle: the first is in flight, the rest wait (one at a time, as replies carry no serial). */
  readonly queue: Waiter[] = [];
  warnedBeforeLogin = false;
  /** Between a login and its logout; `info.vin` stays after a logout so the session's later events still name the vehicle. */
  loggedIn = false;
  closing = false;
  private snapshot: Readonly<SessionInfo> | undefined;
  /** Where the splitter hands this connection's frames and refusals. */
  sink!: FrameSink;
  /** Its socket is paused with frames held back for the next turn of the event loop. */
  held = false;

  constructor(readonly socket: net.Socket, id: string, maxFrameBytes: number, now: number) {
    this.splitter = new FrameSplitter(maxFrameBytes);
    this.lastFrameAt = now;
    this.connectedMs = now;
    this.info = {
      id, remote: `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`, edition: null, vin: null,
      connectedAt: new Date(now).toISOString(), loginAt: null, loginSerial: null,
    };
  }

  /** The session as flows see it: one frozen copy shared by every message until the session changes. */
  get view(): Readonly<SessionInfo> {
    return (this.snapshot ??= Object.freeze({ ...this.info }));
  }

  changed(): void {
    this.snapshot = undefined;
  }
}

export interface PlatformEvents {
  listening: [port: number];
  /** The listener failed (port in use, TLS key unreadable...). */
  failed: [err: Error];
  frame: [f: VehicleFrame];
  session: [event: SessionEvent, session: SessionInfo, detail?: string];
  /** Something on one connection went wrong; `raw` is the offending bytes where there are some. */
  problem: [err: ProtocolError, session: SessionInfo, raw?: Buffer];
  /** Connection or login counts changed. */
  counts: [];
  /**
   * A vehicle's answer (0x80-0x82) that is no reply to the command in flight: it carries the
   * time of a command that timed out or was cut off, or the vehicle echoes command times and this
   * one is none it is waiting for. It still goes to the flow as a frame.
   */
  late: [message: string, session: SessionInfo, raw: Buffer];
}

/** How long the keys (command id and time) of commands that got no reply are remembered, and how many per VIN. */
const LATE_MEMORY_MS = 10 * 60_000;
const LATE_KEYS_PER_VIN = 16;

/** What the platform remembers of its commands to one VIN, across its connections. */
interface CommandMemory {
  /** Commands that timed out or whose connection went: command id, time bytes (hex), sent, remembered until. */
  unanswered: Array<{ command: number; time: string; sentAt: number; until: number }>;
  /** The last time second used per command id, so no two commands of a kind share a key. */
  lastSecond: Map<number, number>;
  /** The vehicle has answered with the command's own time: answers with another time are not replies. */
  echoes: boolean;
  touched: number;
}

/**
 * Frames taken from the sockets in one turn of the event loop before the sockets that still send
 * are paused until the next turn. Node-RED delivers every message a turn produces in the turn
 * after it, so a turn that reads 1,000 full sockets would otherwise hold tens of thousands of
 * decoded messages at once, and the garbage collector would copy them all from young to old space.
 */
const FRAMES_PER_TURN = 512;
const EMPTY = Buffer.alloc(0);

/** How many bytes of non-frames a connection may send after its last good frame before it is cut off. */
const garbageLimit = (maxFrameBytes: number) => Math.max(2 * maxFrameBytes, 64 * 1024);

export class Gb32960Platform extends EventEmitter<PlatformEvents> {
  private server: net.Server | undefined;
  private readonly sessions = new Set<Session>();
  /** Every socket the listener accepted, TLS handshakes included, so close() can end them all. */
  private readonly sockets = new Set<net.Socket>();
  private readonly byVin = new Map<string, Session>();
  private readonly commands = new Map<string, CommandMemory>();
  private sweepTimer: NodeJS.Timeout | undefined;
  private nextId = 1;
  private closed = false;
  /** Frames read in this turn of the event loop, and the sockets paused for the next one. */
  private turnFrames = 0;
  private turnEnd: NodeJS.Immediate | undefined;
  private readonly waiting: Session[] = [];
  port = 0;
  /** Frames received, replies sent, connections refused over the listener's life. */
  readonly totals = { frames: 0, replies: 0, refused: 0, problems: 0 };

  constructor(readonly opts: PlatformOptions) {
    super();
  }

  get connections(): number {
    return this.sessions.size;
  }

  get vehicles(): number {
    return this.byVin.size;
  }

  get isListening(): boolean {
    return !!this.server?.listening;
  }

  listen(): void {
    const onSocket = (socket: net.Socket) => this.accept(socket);
    const server = this.opts.tls ? tls.createServer(this.opts.tls, onSocket) : net.createServer(onSocket);
    this.server = server;
    server.on('error', (err) => this.emit('failed', err));
    server.on('connection', (socket: net.Socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    // A TLS handshake that fails never becomes a session; its socket is already gone.
    server.on('tlsClientError', () => { this.totals.refused++; });
    server.listen(this.opts.port, this.opts.host, () => {
      const addr = server.address();
      this.port = typeof addr === 'object' && addr ? addr.port : this.opts.port;
      this.emit('listening', this.port);
    });
    const every = Math.max(50, Math.min(1000, Math.floor(this.opts.idleTimeoutMs / 4)));
    this.sweepTimer = setInterval(() => this.sweep(), every);
    this.sweepTimer.unref();
  }

  /** Stops listening, drops every connection and fails waiting commands; resolves when the port is free. */
  close(): Promise<void> {
    this.closed = true;
    clearInterval(this.sweepTimer);
    if (this.turnEnd) clearImmediate(this.turnEnd);
    this.waiting.length = 0;
    for (const s of [...this.sessions]) this.drop(s, 'platform closing');
    for (const socket of this.sockets) socket.destroy();
    const server = this.server;
    this.server = undefined;
    if (!server) return Promise.resolve();
    return new Promise((resolve) => server.close(() => resolve()));
  }

  /** The session of a logged-in VIN. */
  session(vin: string): SessionInfo | undefined {
    return this.byVin.get(vin)?.info;
  }

  sessionList(): SessionInfo[] {
    return [...this.sessions].map((s) => s.info);
  }

  /**
   * Sends command `command` (0x80-0x82, flag 0xFE) to `vin` in its own edition, the data unit
   * built by `unitFor` for that edition, and
   * resolves with the vehicle's reply to it. Commands to one vehicle go one at a time.
   */
  request(
    vin: string, command: number, unitFor: (edition: Edition, nowMs: number) => Buffer, timeoutMs: number,
    queued?: (withdraw: () => boolean) => void,
  ): Promise<CommandResult> {
    const s = this.byVin.get(vin);
    if (!s) return Promise.reject(new ProtocolError('not-connected', `vehicle ${vin} is not connected (not logged in)`, { vin }));
    let frame: Buffer;
    try {
      frame = commandFrame(s.info.edition ?? 2016, vin, command, unitFor(s.info.edition ?? 2016, Date.now()));
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
    return new Promise((resolve, reject) => {
      const w: Waiter = { command, frame, timeoutMs, resolve, reject };
      s.queue.push(w);
      queued?.(() => this.withdraw(s, w));
      if (s.queue.length === 1) this.sendNext(s);
    });
  }

  /** Takes back a command not yet written to its vehicle (its node stopped); false once written. */
  private withdraw(s: Session, w: Waiter): boolean {
    const i = s.queue.indexOf(w);
    if (i < 0 || w.sentAt !== undefined) return false;
    s.queue.splice(i, 1);
    clearTimeout(w.timer);
    w.reject(new ProtocolError('withdrawn', `the command to ${s.info.vin} was withdrawn before it was sent`, { vin: s.info.vin }));
    // The head may have been waiting for the next second: the one after it goes instead.
    if (i === 0 && !s.closing) this.sendNext(s);
    return true;
  }

  private memoryOf(vin: string): CommandMemory {
    let m = this.commands.get(vin);
    if (!m) this.commands.set(vin, m = { unanswered: [], lastSecond: new Map(), echoes: false, touched: Date.now() });
    return m;
  }

  /** Remembers a command that got no reply, so its answer, if it comes, is known as late. */
  private unanswered(vin: string, w: Waiter): void {
    if (w.sentAt === undefined) return;
    const m = this.memoryOf(vin);
    const now = Date.now();
    m.unanswered = m.unanswered.filter((u) => u.until > now).slice(-(LATE_KEYS_PER_VIN - 1));
    m.unanswered.push({ command: w.command, time: w.frame.toString('hex', 24, 30), sentAt: w.sentAt, until: now + LATE_MEMORY_MS });
    m.touched = now;
  }

  /**
   * Sends the first queued command. Its time is the clock's at sending; when the last command of
   * the same kind to this VIN had the same second, it waits for the next second, so that every
   * command's key (command id and time) is its own and a late answer cannot pass for a reply.
   */
  private sendNext(s: Session): void {
    const w = s.queue[0];
    if (!w || w.sentAt !== undefined || w.timer) return;
    const now = Date.now();
    const m = this.memoryOf(s.info.vin!);
    const second = Math.floor(now / 1000);
    const last = m.lastSecond.get(w.command) ?? -1;
    // (A clock set back by more than a few seconds is not waited for.)
    if (second <= last && last - second < 5) {
      w.timer = setTimeout(() => {
        w.timer = undefined;
        if (s.queue[0] === w && !s.closing) this.sendNext(s);
      }, (last + 1) * 1000 - now + 1);
      return;
    }
    m.lastSecond.set(w.command, second);
    m.touched = now;
    w.frame = stamped(w.frame, now);
    w.sentAt = now;
    w.timer = setTimeout(() => {
      if (s.queue[0] !== w) return;
      s.queue.shift();
      if (s.info.vin) this.unanswered(s.info.vin, w);
      w.reject(new ProtocolError('timeout', `no reply from ${s.info.vin} to command 0x${w.command.toString(16)} within ${w.timeoutMs / 1000} s`, { vin: s.info.vin }));
      this.sendNext(s);
    }, w.timeoutMs);
    s.socket.write(w.frame);
  }

  private accept(socket: net.Socket): void {
    if (this.closed || this.sessions.size >= this.opts.maxConnections) {
      this.totals.refused++;
      // Read before destroy(), which forgets the peer's address.
      const remote = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
      socket.destroy();
      if (!this.closed) this.emit('problem', new ProtocolError('too-many-connections', `connection from ${remote} refused: ${this.opts.maxConnections} connections already open`), { id: '-', remote, edition: null, vin: null, connectedAt: new Date().toISOString(), loginAt: null, loginSerial: null });
      return;
    }
    const s = new Session(socket, String(this.nextId++), this.opts.maxFrameBytes, Date.now());
    s.sink = {
      frame: (raw: Buffer) => this.onFrame(s, raw),
      rejected: (reason: RejectReason, candidate: Buffer) => this.onRejected(s, reason, candidate),
    };
    this.sessions.add(s);
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 30_000);
    socket.on('data', (chunk: Buffer) => this.read(s, chunk));
    socket.on('error', () => undefined); // resets and the like: 'close' follows and says goodbye
    socket.on('close', () => this.forget(s));
    this.emit('session', 'connected', s.view);
    this.emit('counts');
  }

  /**
   * Cuts a read (or, with an empty chunk, what was held back) into frames, as many as this turn of
   * the event loop has left; the rest waits, with the socket paused, for the next turn.
   */
  private read(s: Session, chunk: Buffer): void {
    let done = true;
    try {
      done = s.splitter.push(chunk, s.sink, FRAMES_PER_TURN - this.turnFrames);
    } catch (err) {
      // A handler bug must cost this connection only.
      this.problem(s, new ProtocolError('internal', asError(err).message));
    }
    if (s.closing) return;
    if (s.splitter.skippedSinceFrame > garbageLimit(this.opts.maxFrameBytes)) {
      this.problem(s, new ProtocolError('garbage', `${s.info.remote} sent ${s.splitter.skippedSinceFrame} bytes that are no GB/T 32960 frame; connection cut off`));
      this.drop(s, 'sent garbage');
      return;
    }
    this.turnEnd ??= setImmediate(() => this.nextTurn());
    if (done) {
      if (s.held) {
        s.held = false;
        s.socket.resume();
      }
      return;
    }
    if (!s.held) {
      s.held = true;
      s.socket.pause();
    }
    this.waiting.push(s);
  }

  /** A new turn: the connections held back go on, first held first served. */
  private nextTurn(): void {
    this.turnEnd = undefined;
    this.turnFrames = 0;
    const held = this.waiting.splice(0);
    let i = 0;
    for (; i < held.length && this.turnFrames < FRAMES_PER_TURN; i++) if (!held[i]!.closing) this.read(held[i]!, EMPTY);
    // Those the turn has no frames left for keep their place without a read that could take none.
    for (; i < held.length; i++) if (!held[i]!.closing) this.waiting.push(held[i]!);
    if (this.waiting.length > 0) this.turnEnd ??= setImmediate(() => this.nextTurn());
  }

  private problem(s: Session, err: ProtocolError, raw?: Buffer): void {
    this.totals.problems++;
    this.emit('problem', err, s.view, raw);
  }

  private onRejected(s: Session, reason: RejectReason, candidate: Buffer): void {
    if (reason === 'too-large') {
      this.problem(s, new ProtocolError('too-large', `${s.info.vin ?? s.info.remote}: a frame of ${25 + candidate.readUInt16BE(22)} bytes is over the ${this.opts.maxFrameBytes}-byte limit; skipped`), Buffer.from(candidate));
      return;
    }
    this.problem(s, new ProtocolError('checksum', `${s.info.vin ?? s.info.remote}: frame 0x${candidate[2]!.toString(16).padStart(2, '0')} with a wrong BCC skipped`), Buffer.from(candidate));
    // A realtime/reissue frame of this session's VIN gets the error reply so the vehicle sends it again (B.2.1).
    const vin = candidate.toString('latin1', 4, 21).replace(/[\0 ]+$/, '');
    if (s.loggedIn && s.info.vin === vin && (candidate[2] === 0x02 || candidate[2] === 0x03) && wantsReply(candidate, false, this.opts.realtimeReplies)) {
      this.reply(s, replyTo(candidate, FLAG.error, Date.now(), this.opts.replyTime));
    }
  }

  private reply(s: Session, frame: Buffer): void {
    if (s.closing) return;
    this.totals.replies++;
    s.socket.write(frame);
  }

  private onFrame(s: Session, raw: Buffer): void {
    this.turnFrames++;
    const now = Date.now();
    s.lastFrameAt = now;
    const command = raw[2]!;
    let frame: Frame;
    try {
      frame = decodeFrame(raw);
    } catch (err) {
      const vin = raw.toString('latin1', 4, 21).replace(/[\0 ]+$/, '');
      const e = err instanceof ProtocolError ? err : new ProtocolError('internal', asError(err).message);
      this.problem(s, new ProtocolError(e.code, `${vin || s.info.remote}: ${e.message}`, e.details), Buffer.from(raw));
      if (s.loggedIn && s.info.vin === vin && wantsReply(raw, false, this.opts.realtimeReplies)) this.reply(s, replyTo(raw, FLAG.error, now, this.opts.replyTime));
      return;
    }
    this.totals.frames++;
    const vin = frame.vin;
    if (command === 0x01 && raw[3] === FLAG.command) {
      this.login(s, raw, frame, vin, now);
      return;
    }
    if (!s.loggedIn) {
      if (!s.warnedBeforeLogin) {
        s.warnedBeforeLogin = true;
        this.problem(s, new ProtocolError('not-logged-in', `${vin || s.info.remote} sent frame 0x${command.toString(16).padStart(2, '0')} while not logged in; ignored (and its later ones until it logs in)`), Buffer.from(raw));
      }
      return;
    }
    if (vin !== s.info.vin) {
      this.problem(s, new ProtocolError('other-vin', `connection of ${s.info.vin} sent a frame for VIN ${vin}; ignored`), Buffer.from(raw));
      return;
    }
    if (command >= 0x80 && command <= 0x82) this.commandReply(s, raw, frame, now);
    if (wantsReply(raw, true, this.opts.realtimeReplies)) this.reply(s, replyTo(raw, FLAG.success, now, this.opts.replyTime));
    if (command === 0x04 && raw[3] === FLAG.command) {
      this.unbind(s);
      s.loggedIn = false;
      s.warnedBeforeLogin = false;
      s.changed();
      this.emit('session', 'logout', s.view);
      this.emit('counts');
    }
    this.emit('frame', { frame, raw, session: s.view, receivedAt: now });
  }

  private login(s: Session, raw: Buffer, frame: Frame, vin: string, now: number): void {
    let allowed = true;
    try {
      allowed = !this.opts.vinAllowed || this.opts.vinAllowed(vin);
    } catch (err) {
      allowed = false;
      this.problem(s, new ProtocolError('vin-check', `checking VIN ${vin}: ${asError(err).message}`));
    }
    if (!allowed) {
      this.reply(s, replyTo(raw, refusedLoginFlag(raw), now, this.opts.replyTime));
      this.emit('session', 'refused', { ...s.info, vin }, 'VIN not allowed');
      s.closing = true;
      s.socket.end();
      return;
    }
    const other = this.byVin.get(vin);
    if (other && other !== s) {
      if (this.opts.duplicateLogin === 'refuse') {
        this.reply(s, replyTo(raw, FLAG.vinDuplicate, now, this.opts.replyTime));
        this.emit('session', 'refused', { ...s.info, vin }, `VIN already online from ${other.info.remote}`);
        s.closing = true;
        s.socket.end();
        return;
      }
      this.emit('session', 'replaced', other.view, `logged in again from ${s.info.remote}`);
      this.drop(other, 'replaced by a new login');
    }
    if (s.info.vin && s.info.vin !== vin) this.unbind(s);
    const data = frame.data as { serialNo?: number };
    s.info.vin = vin;
    s.loggedIn = true;
    s.info.edition = editionOf(raw);
    s.info.loginAt = new Date(now).toISOString();
    s.info.loginSerial = typeof data.serialNo === 'number' ? data.serialNo : null;
    this.byVin.set(vin, s);
    s.changed();
    this.reply(s, replyTo(raw, FLAG.success, now, this.opts.replyTime));
    this.emit('session', 'login', s.view);
    this.emit('counts');
    this.emit('frame', { frame, raw, session: s.view, receivedAt: now });
  }

  /**
   * A vehicle's 0x80-0x82: the reply to the command in flight when its command id matches and,
   * when it carries a time, that time is the command's. An answer with the time of a command that
   * got no reply, or (from a vehicle that echoes times) with a time of none, is late: reported,
   * never taken as the reply to the command now in flight. Without a time, or from a vehicle not
   * known to echo, the command id alone matches (replies carry no serial number).
   */
  private commandReply(s: Session, raw: Buffer, frame: Frame, now: number): void {
    const command = raw[2]!;
    const m = this.memoryOf(s.info.vin!);
    const head = s.queue[0];
    const w = head && head.sentAt !== undefined && head.command === command ? head : undefined;
    const time = raw.length >= 31 ? raw.toString('hex', 24, 30) : undefined;
    const sameTime = !!w && time !== undefined && time === w.frame.toString('hex', 24, 30);
    if (time !== undefined && !sameTime) {
      const late = m.unanswered.find((u) => u.command === command && u.time === time && u.until > now);
      if (late || (w && m.echoes)) {
        const what = late
          ? `a late answer to command 0x${command.toString(16)} sent at ${new Date(late.sentAt).toISOString()}, which got no reply in time`
          : `an answer to command 0x${command.toString(16)} with time ${time}, which is not the time of the command waiting for its reply`;
        this.emit('late', `${s.info.vin}: ${what}; not taken as the reply to the command now waiting`, s.view, raw);
        return;
      }
    }
    if (!w) return; // unasked: it still goes to the flow as a frame
    if (sameTime) m.echoes = true;
    clearTimeout(w.timer);
    s.queue.shift();
    w.resolve({ frame, raw, sent: w.frame, roundTripMs: now - (w.sentAt ?? now), matchedBy: sameTime ? 'command+time' : 'command' });
    this.sendNext(s);
  }

  private unbind(s: Session): void {
    if (s.info.vin && this.byVin.get(s.info.vin) === s) this.byVin.delete(s.info.vin);
    for (const w of s.queue.splice(0)) {
      clearTimeout(w.timer);
      if (s.info.vin) this.unanswered(s.info.vin, w);
      // A command still queued behind the one in flight never reached the vehicle.
      const written = w.sentAt !== undefined;
      w.reject(new ProtocolError('disconnected', `vehicle ${s.info.vin} logged out or disconnected before it ${written ? 'answered' : 'was sent the command'}`, { vin: s.info.vin, written }));
    }
  }

  /** Closes a connection from this side. */
  private drop(s: Session, why: string): void {
    if (s.closing && s.socket.destroyed) return;
    s.closing = true;
    s.socket.destroy();
    this.forget(s, why);
  }

  private forget(s: Session, why = 'connection closed'): void {
    if (!this.sessions.delete(s)) return;
    this.unbind(s);
    this.emit('session', 'closed', s.view, why);
    this.emit('counts');
  }

  /** Closes connections with no good frame for the idle time (half-open sockets, silent vehicles, no login). */
  private sweep(): void {
    const now = Date.now();
    const idle = this.opts.idleTimeoutMs;
    for (const [vin, m] of this.commands) {
      if (now - m.touched > LATE_MEMORY_MS && !this.byVin.has(vin)) this.commands.delete(vin);
    }
    for (const s of this.sessions) {
      if (now - s.lastFrameAt > idle) this.drop(s, s.info.vin ? `no frame for ${idle / 1000} s` : `no login within ${idle / 1000} s`);
      else if (!s.info.vin && now - s.connectedMs > idle) this.drop(s, `no login within ${idle / 1000} s`);
    }
  }
}

/** `frame` (a command 0x80-0x82, whose data unit starts with the 6-byte time) with the time of `ms`. */
function stamped(frame: Buffer, ms: number): Buffer {
  const out = Buffer.from(frame);
  beijingTime(ms).copy(out, 24);
  out[out.length - 1] = bcc(out, 2, out.length - 1);
  return out;
}

/** A platform command frame (flag 0xFE) in `edition` carrying `unit`. */
export function commandFrame(edition: Edition, vin: string, command: number, unit: Buffer): Buffer {
  const head = Buffer.alloc(25);
  head[0] = head[1] = edition === 2025 ? 0x24 : 0x23;
  head[2] = command;
  head[3] = FLAG.command;
  head.write(vin.slice(0, 17), 4, 'latin1');
  return frameLike(head, FLAG.command, unit);
}

export { beijingTime };

/** A list of VINs as typed in a dialog: separated by commas, spaces or new lines. */
export const vinList = (text: string): string[] => text.split(/[\s,;]+/).map((v) => v.trim()).filter(Boolean);
