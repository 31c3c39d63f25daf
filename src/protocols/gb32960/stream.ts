/**
 * Cuts a GB/T 32960 TCP byte stream into frames. The stream has no escaping: a frame is
 * start(2) cmd(1) flag(1) VIN(17) enc(1) len(2) data(len) BCC(1), 25 + len bytes (§6.2, table 2).
 * Frames may be split over reads or several may come in one; bytes that are not a frame are
 * skipped and counted, and the framer resynchronises on the next "##" (2016) or "$$" (2025).
 * A header is checked for plausibility before its length is trusted, and a frame whose BCC does
 * not match costs one byte, not the whole claimed length (the length itself may be corrupt).
 */
import { bcc } from './binary';

/** The largest frame the standard allows: 25 header/BCC bytes and 65 531 data bytes. */
export const MAX_FRAME_BYTES = 25 + 65531;
const HEADER = 24;

export type RejectReason = 'checksum' | 'too-large';

export interface FrameSink {
  /** A whole frame with a matching BCC (a view into the stream's buffers: copy it to keep it past the call). */
  frame(frame: Buffer): void;
  /** `count` bytes that were not part of any frame were skipped. */
  skipped?(count: number): void;
  /** A frame-shaped candidate was refused; `candidate` is its header and, for checksum, its whole claimed bytes. */
  rejected?(reason: RejectReason, candidate: Buffer): void;
}

const isStart = (b: number) => b === 0x23 || b === 0x24;

/** Response flags of table 4 (both editions) and encryption ids of table 5; anything else is not a header. */
const FLAG_OK = new Uint8Array(256);
for (const f of [1, 2, 3, 4, 5, 6, 7, 0xfe]) FLAG_OK[f] = 1;
const ENCRYPTION_OK = new Uint8Array(256);
for (const e of [1, 2, 3, 4, 5, 0xfe, 0xff]) ENCRYPTION_OK[e] = 1;

/** VIN bytes: printable ASCII, or NUL padding. */
function plausibleVin(b: Buffer, at: number): boolean {
  for (let i = at; i < at + 17; i++) {
    const c = b[i]!;
    if (c !== 0 && (c < 0x20 || c > 0x7e)) return false;
  }
  return true;
}

export class FrameSplitter {
  private pending: Buffer | undefined;
  /** Bytes skipped since the last good frame (a connection that never sends one is cut off on this). */
  skippedSinceFrame = 0;

  constructor(readonly maxFrameBytes = MAX_FRAME_BYTES) {}

  /** Bytes held back waiting for the rest of a frame. */
  get buffered(): number {
    return this.pending?.length ?? 0;
  }

  /**
   * Cuts `chunk` (after what is held back) into frames for `sink`. With `limit`, stops after that
   * many frames and keeps the rest, returning false: push an empty chunk later to go on.
   */
  push(chunk: Buffer, sink: FrameSink, limit = Infinity): boolean {
    const buf = !this.pending ? chunk : chunk.length === 0 ? this.pending : Buffer.concat([this.pending, chunk]);
    this.pending = undefined;
    const end = buf.length;
    let pos = 0;
    let garbage = 0;
    let frames = 0;
    const skip = (n: number) => {
      garbage += n;
      pos += n;
    };
    const flushGarbage = () => {
      if (garbage === 0) return;
      this.skippedSinceFrame += garbage;
      sink.skipped?.(garbage);
      garbage = 0;
    };
    while (pos < end) {
      if (frames >= limit) {
        flushGarbage();
        // The rest of a read held for later: a view, as the stream does not reuse its chunks.
        this.pending = buf.subarray(pos);
        return false;
      }
      const b0 = buf[pos]!;
      if (!isStart(b0)) {
        skip(1);
        continue;
      }
      if (pos + 1 >= end) break; // a lone '#' or '$' at the end may start the next read's frame
      if (buf[pos + 1] !== b0) {
        skip(1);
        continue;
      }
      if (end - pos < HEADER) break;
      const flag = buf[pos + 3]!;
      const enc = buf[pos + 21]!;
      if (!FLAG_OK[flag] || !ENCRYPTION_OK[enc] || !plausibleVin(buf, pos + 4)) {
        skip(1);
        continue;
      }
      const total = 25 + ((buf[pos + 22]! << 8) | buf[pos + 23]!);
      if (total > this.maxFrameBytes) {
        flushGarbage();
        sink.rejected?.('too-large', buf.subarray(pos, pos + HEADER));
        skip(1);
        continue;
      }
      if (end - pos < total) break;
      const last = pos + total - 1;
      if (bcc(buf, pos + 2, last) !== buf[last]) {
        flushGarbage();
        sink.rejected?.('checksum', buf.subarray(pos, pos + total));
        skip(1);
        continue;
      }
      flushGarbage();
      this.skippedSinceFrame = 0;
      sink.frame(buf.subarray(pos, pos + total));
      frames++;
      pos += total;
    }
    flushGarbage();
    if (pos < end) this.pending = Buffer.from(buf.subarray(pos));
    return true;
  }
}
