/**
 * A simulated GB/T 32960 vehicle terminal over real TCP (or TLS): logs in, sends realtime and
 * reissued data, heartbeats and time calibration, answers the platform's queries, sets and
 * controls, and misbehaves on request (split and merged frames, bad BCC, garbage, silence,
 * half-open sockets). Frames are built with the package's encoder; what comes back is cut with
 * the package's stream splitter and kept for the tests to look at.
 */
import net from 'node:net';
import tls from 'node:tls';
import { encodeFrame, decodeFrame, type Edition, type Frame } from '../src/protocols/gb32960/codec';
import { FrameSplitter } from '../src/protocols/gb32960/stream';
import { beijingIso } from '../src/protocols/gb32960/replies';

export interface VehicleOptions {
  port: number;
  host?: string;
  vin: string;
  edition?: Edition;
  tls?: tls.ConnectionOptions;
  /**
   * How the vehicle answers a platform command (0x80-0x82): the reply frame, or null to stay
   * silent. By default flag 0x01 with the command's own 6-byte time, as a real terminal does.
   */
  answer?: (command: Buffer) => Buffer | null;
}

export interface Received {
  raw: Buffer;
  frame: Frame;
  at: number;
}

/** A realtime data unit's content: vehicle block and position, enough to decode and check (2025 names the coordinate system). */
export function realtimeData(time: string, seq = 0, edition: Edition = 2016) {
  return {
    time,
    vehicle: {
      vehicleStatus: { code: 1 }, chargingStatus: { code: 3 }, runningMode: { code: 1 }, speed: (seq % 1200) / 10, mileage: 12345.6 + seq / 10, totalVoltage: 540.2,
      totalCurrent: 35.5, soc: 78, dcdcStatus: { code: 1 }, gear: 0x2e, insulationResistance: 5000, acceleratorPedal: 20, brakePedal: 0,
    },
    position: { status: 0, ...(edition === 2025 ? { coordinateSystem: { code: 1 } } : {}), longitude: 121.473701, latitude: 31.230416 },
  };
}

/** The same frame with its BCC broken. */
export function withBadBcc(frame: Buffer): Buffer {
  const out = Buffer.from(frame);
  out[out.length - 1] ^= 0x5a;
  return out;
}

export class SimVehicle {
  socket!: net.Socket;
  readonly received: Received[] = [];
  private readonly splitter = new FrameSplitter();
  private serial = 0;
  private waiters: Array<{ match: (r: Received) => boolean; resolve: (r: Received) => void }> = [];
  closed = false;
  readonly edition: Edition;

  constructor(readonly opts: VehicleOptions) {
    this.edition = opts.edition ?? 2016;
  }

  async connect(): Promise<this> {
    const host = this.opts.host ?? '127.0.0.1';
    this.socket = await new Promise<net.Socket>((resolve, reject) => {
      const s = this.opts.tls
        ? tls.connect({ host, port: this.opts.port, ...this.opts.tls }, () => resolve(s))
        : net.connect({ host, port: this.opts.port }, () => resolve(s));
      s.once('error', reject);
    });
    this.socket.on('error', () => undefined);
    this.socket.on('close', () => { this.closed = true; });
    this.socket.on('data', (chunk: Buffer) => this.splitter.push(chunk, { frame: (raw) => this.onFrame(Buffer.from(raw)) }));
    return this;
  }

  private onFrame(raw: Buffer): void {
    const r: Received = { raw, frame: decodeFrame(raw), at: Date.now() };
    this.received.push(r);
    if (raw[3] === 0xfe && raw[2]! >= 0x80 && raw[2]! <= 0x82) {
      const reply = this.opts.answer ? this.opts.answer(raw) : this.defaultAnswer(raw);
      if (reply) this.socket.write(reply);
    }
    this.waiters = this.waiters.filter((w) => {
      if (!w.match(r)) return true;
      w.resolve(r);
      return false;
    });
  }

  /** The terminal's parameters by id (2016 table B.12): what a query reads and a set changes. */
  readonly parameters = new Map<number, unknown>([[0x01, 10000], [0x02, 10], [0x03, 1000], [0x06, 32960], [0x07, 'HW001'], [0x08, 'FW123'], [0x09, 30], [0x0a, 60], [0x0b, 30], [0x0c, 10]]);

  /**
   * A query gets flag 0x01, the command's time and the values asked for; a set is stored and a
   * control accepted, both answered with flag 0x01 and the command's own 6-byte time, what TIZA
   * terminals send (gb32960-commands.md §4.1, §5.2, §6.4).
   */
  private defaultAnswer(command: Buffer): Buffer {
    const cmd = command[2]!;
    const data = decodeFrame(command).data as { time: string; ids?: number[]; parameters?: Array<{ id: number; value: unknown }> };
    if (cmd === 0x80 && data.ids) {
      return this.frame(0x80, { time: data.time, parameters: data.ids.filter((id) => this.parameters.has(id)).map((id) => ({ id, value: this.parameters.get(id) })) }, 0x01);
    }
    if (cmd === 0x81 && data.parameters) for (const p of data.parameters) this.parameters.set(p.id, p.value);
    return this.frame(cmd, { raw: command.subarray(24, 30) }, 0x01);
  }

  /** The next frame from the platform that `match` accepts (already received ones count). */
  next(match: (r: Received) => boolean, timeoutMs = 3000): Promise<Received> {
    const have = this.received.find(match);
    if (have) return Promise.resolve(have);
    return new Promise((resolve, reject) => {
      const w = { match, resolve: (r: Received) => { clearTimeout(timer); resolve(r); } };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((x) => x !== w);
        reject(new Error(`${this.opts.vin}: no matching frame within ${timeoutMs} ms (have ${this.received.length})`));
      }, timeoutMs);
      this.waiters.push(w);
    });
  }

  /** The platform's reply to command `cmd`, received after index `after` of `received`. */
  replyTo(cmd: number, after = 0, timeoutMs = 3000): Promise<Received> {
    return this.next((r) => this.received.indexOf(r) >= after && r.raw[2] === cmd && r.raw[3] !== 0xfe, timeoutMs);
  }

  frame(command: number, data: Record<string, unknown>, flag = 0xfe): Buffer {
    return encodeFrame({ edition: this.edition, command, responseFlag: flag, vin: this.opts.vin, data });
  }

  loginFrame(time = beijingIso(Date.now())): Buffer {
    this.serial++;
    const data = this.edition === 2025
      ? { time, serialNo: this.serial, iccid: '89860012345678901234', bmsCount: 1, packsPerBms: [1], packCodes: ['PACK0000000000000000001A'] }
      : { time, serialNo: this.serial, iccid: '89860012345678901234', subsystemCount: 1, codeLength: 4, systemCodes: ['BAT1'] };
    return this.frame(0x01, data);
  }

  realtimeFrame(seq = 0, command = 0x02, time = beijingIso(Date.now())): Buffer {
    return this.frame(command, realtimeData(time, seq, this.edition));
  }

  heartbeatFrame(): Buffer {
    return this.frame(0x07, {});
  }

  timeFrame(): Buffer {
    return this.frame(0x08, {});
  }

  logoutFrame(time = beijingIso(Date.now())): Buffer {
    return this.frame(0x04, { time, serialNo: this.serial });
  }

  send(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  /** Sends `bytes` in `pieces` writes with a pause between them, so they arrive as separate segments. */
  async sendSplit(bytes: Buffer, pieces: number, pauseMs = 15): Promise<void> {
    const size = Math.ceil(bytes.length / pieces);
    for (let i = 0; i < bytes.length; i += size) {
      this.socket.write(bytes.subarray(i, i + size));
      await new Promise((r) => setTimeout(r, pauseMs));
    }
  }

  /** Logs in and waits for the platform's reply. */
  async login(): Promise<Received> {
    const before = this.received.length;
    this.send(this.loginFrame());
    return this.replyTo(0x01, before);
  }

  /** Stops reading and writing without closing: to the platform, a half-open socket. */
  goSilent(): void {
    this.socket.pause();
  }

  /** Sends FIN and keeps the socket open for reading (a half-closed connection). */
  halfClose(): void {
    this.socket.end();
  }

  close(): void {
    this.socket.destroy();
  }

  closedPromise(timeoutMs = 3000): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.opts.vin}: still connected after ${timeoutMs} ms`)), timeoutMs);
      this.socket.once('close', () => { clearTimeout(timer); resolve(); });
    });
  }
}

/** A VIN of 17 characters ending in `n`. */
export const vinOf = (n: number, prefix = 'LSIM') => `${prefix}${String(n).padStart(17 - prefix.length, '0')}`;
