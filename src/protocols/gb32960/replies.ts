/**
 * What a GB/T 32960 platform answers to a vehicle's frame, built from the frame's own bytes so the
 * reply keeps its start bytes (edition), command id and VIN (§6.3.2, B.3.3.2 of both editions).
 *
 * A reply changes the response flag, keeps the request's 6-byte time and drops the rest
 * (2016 §6.3.2, 2025 §6.3.2 and B.3.3.2); the heartbeat reply is empty and the time-calibration
 * reply carries the platform's clock in Beijing time (B.2.5, B.2.6). Frames whose flag is not
 * 0xFE are replies themselves and are never answered.
 */
import { bcc } from './binary';

export const FLAG = {
  success: 0x01,
  error: 0x02,
  vinDuplicate: 0x03,
  /** 2025 only: VIN not known to the platform. */
  vinUnknown: 0x04,
  command: 0xfe,
} as const;

/**
 * The reply's data unit: the request's time (default), the platform's time, or the 2016
 * appendix B reading (the platform's time, then the rest of the request's data unit).
 */
export type ReplyTimeMode = 'request' | 'platform' | 'echo';

/** Which realtime (0x02) and reissue (0x03) frames get a reply: only bad ones (appendix B), all, none. */
export type RealtimeReplies = 'errors' | 'all' | 'none';

const BEIJING_MS = 8 * 3600_000;

/** The 6-byte GB/T 32960 time (year-2000, month, day, hour, minute, second) in Beijing time. */
export function beijingTime(ms: number): Buffer {
  const d = new Date(ms + BEIJING_MS);
  return Buffer.from([d.getUTCFullYear() - 2000, d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()]);
}

/** The same instant as the ISO text the codec writes and reads: "2024-05-06T07:08:09+08:00". */
export function beijingIso(ms: number): string {
  return `${new Date(ms + BEIJING_MS).toISOString().slice(0, 19)}+08:00`;
}

/** A frame: the header fields of `like` (start bytes, command, VIN) with a new flag and data unit. */
export function frameLike(like: Buffer, flag: number, unit: Buffer): Buffer {
  const out = Buffer.allocUnsafe(25 + unit.length);
  like.copy(out, 0, 0, 21);
  out[3] = flag;
  out[21] = 0x01; // the reply's time travels in clear
  out.writeUInt16BE(unit.length, 22);
  unit.copy(out, 24);
  out[24 + unit.length] = bcc(out, 2, 24 + unit.length);
  return out;
}

/** The reply to `request` (a whole frame) with `flag`, its data unit as the standard wants for that command. */
export function replyTo(request: Buffer, flag: number, nowMs: number, mode: ReplyTimeMode = 'request'): Buffer {
  const command = request[2]!;
  const unit = request.subarray(24, request.length - 1);
  if (command === 0x07) return frameLike(request, flag, Buffer.alloc(0));
  if (command === 0x08) return frameLike(request, flag, beijingTime(nowMs));
  if (unit.length < 6) return frameLike(request, flag, Buffer.alloc(0));
  if (mode === 'request') return frameLike(request, flag, unit.subarray(0, 6));
  if (mode === 'platform') return frameLike(request, flag, beijingTime(nowMs));
  return frameLike(request, flag, Buffer.concat([beijingTime(nowMs), unit.subarray(6)]));
}

/** The frame's edition by its start bytes: "##" 2016, "$$" 2025. */
export const editionOf = (frame: Buffer): 2016 | 2025 => (frame[0] === 0x24 ? 2025 : 2016);

/** The flag that refuses a login from a VIN the platform does not accept: 2025 has "VIN does not exist", 2016 only "error". */
export const refusedLoginFlag = (frame: Buffer): number => (editionOf(frame) === 2025 ? FLAG.vinUnknown : FLAG.error);

/**
 * Whether a vehicle frame that decoded (or, with `ok` false, did not) gets a reply: login,
 * logout, heartbeat and time calibration always; realtime and reissue by the policy (appendix B:
 * only errors); never a frame that is itself a reply; 0x80-0x82 are the vehicle's answers to
 * the platform's commands and are not answered.
 */
export function wantsReply(frame: Buffer, ok: boolean, realtime: RealtimeReplies): boolean {
  if (frame[3] !== FLAG.command) return false;
  switch (frame[2]) {
    case 0x01: case 0x04: case 0x07: case 0x08: return true;
    case 0x02: case 0x03: return realtime === 'all' || (realtime === 'errors' && !ok);
    default: return false;
  }
}
