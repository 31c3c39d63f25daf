/** Property tests for the GB/T 32960 decoder: arbitrary bytes, and random valid data units. */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeFrame, decodeRealtime, encodeFrame, encodeRealtime } from '../../src/protocols/gb32960/codec';
import { decodeInput } from '../../src/protocols/gb32960/input';
import { bcc } from '../../src/protocols/gb32960/binary';
import { isProtocolError } from '../../src/protocols/protocol-error';

const bytes = (n: number) => fc.uint8Array({ minLength: n, maxLength: n }).map((a) => Buffer.from(a));
const u16 = (n: number) => Buffer.from([n >> 8, n & 0xff]);
/** A WORD count: small, or one of the FE/FF markers (then no items follow). */
const wordCount = fc.oneof(fc.integer({ min: 0, max: 5 }), fc.constantFrom(0xfffe, 0xffff));
const byteCount = (max: number) => fc.oneof(fc.integer({ min: 0, max }), fc.constantFrom(0xfe, 0xff));

const items = (count: number, width: number) => (count >= (width === 2 ? 0xfffe : 0xfe) ? fc.constant(Buffer.alloc(0)) : bytes(count * width));

const BLOCK: fc.Arbitrary<Buffer> = fc.oneof(
  bytes(20).map((b) => Buffer.concat([Buffer.from([1]), b])),
  fc.integer({ min: 0, max: 3 }).chain((n) => bytes(12 * n).map((b) => Buffer.concat([Buffer.from([2, n]), b]))),
  fc.tuple(bytes(6), wordCount, bytes(10)).chain(([head, n, tail]) => items(n, 1).map((probes) => Buffer.concat([Buffer.from([3]), head, u16(n), probes, tail]))),
  bytes(5).map((b) => Buffer.concat([Buffer.from([4]), b])),
  bytes(9).map((b) => Buffer.concat([Buffer.from([5]), b])),
  bytes(14).map((b) => Buffer.concat([Buffer.from([6]), b])),
  fc.tuple(bytes(5), fc.array(byteCount(3), { minLength: 4, maxLength: 4 })).chain(([head, counts]) =>
    fc.tuple(...counts.map((c) => items(c, 4))).map((lists) => Buffer.concat([Buffer.from([7]), head, ...counts.flatMap((c, i) => [Buffer.from([c]), lists[i]!])]))),
  byteCount(2).chain((n) => (n >= 0xfe ? fc.constant(Buffer.from([8, n])) : fc.array(
    fc.tuple(bytes(9), fc.integer({ min: 0, max: 5 })).chain(([head, m]) => bytes(2 * m).map((cells) => Buffer.concat([head, Buffer.from([m]), cells]))),
    { minLength: n, maxLength: n },
  ).map((subs) => Buffer.concat([Buffer.from([8, n]), ...subs])))),
  byteCount(2).chain((n) => (n >= 0xfe ? fc.constant(Buffer.from([9, n])) : fc.array(
    fc.tuple(fc.integer({ min: 0, max: 255 }), wordCount).chain(([no, c]) => items(c, 1).map((t) => Buffer.concat([Buffer.from([no]), u16(c), t]))),
    { minLength: n, maxLength: n },
  ).map((subs) => Buffer.concat([Buffer.from([9, n]), ...subs])))),
  fc.tuple(fc.integer({ min: 0x80, max: 0xfe }), fc.integer({ min: 0, max: 6 })).chain(([t, n]) => bytes(n).map((b) => Buffer.concat([Buffer.from([t]), u16(n), b]))),
);

/** 2025 blocks (tables 9-27). */
const counted = (width: number) => wordCount.chain((n) => items(n, width).map((list) => Buffer.concat([u16(n), list])));
const BLOCK_2025: fc.Arbitrary<Buffer> = fc.oneof(
  bytes(18).map((b) => Buffer.concat([Buffer.from([1]), b])),
  byteCount(3).chain((n) => (n >= 0xfe ? fc.constant(Buffer.alloc(0)) : bytes(10 * n)).map((b) => Buffer.concat([Buffer.from([2, n]), b]))),
  bytes(12).map((b) => Buffer.concat([Buffer.from([3]), b])),
  bytes(2).map((b) => Buffer.concat([Buffer.from([4]), b])),
  bytes(10).map((b) => Buffer.concat([Buffer.from([5]), b])),
  fc.tuple(bytes(5), fc.array(byteCount(3), { minLength: 4, maxLength: 4 }), byteCount(3)).chain(([head, counts, n5]) =>
    fc.tuple(...counts.map((c) => items(c, 4)), n5 >= 0xfe ? fc.constant(Buffer.alloc(0)) : bytes(2 * n5)).map((lists) => Buffer.concat([
      Buffer.from([6]), head, ...counts.flatMap((c, i) => [Buffer.from([c]), lists[i]!]), Buffer.from([n5]), lists[4]!,
    ]))),
  byteCount(2).chain((n) => (n >= 0xfe ? fc.constant(Buffer.from([7, n])) : fc.array(fc.tuple(bytes(5), counted(2)).map(([h, c]) => Buffer.concat([h, c])), { minLength: n, maxLength: n })
    .map((packs) => Buffer.concat([Buffer.from([7, n]), ...packs])))),
  byteCount(2).chain((n) => (n >= 0xfe ? fc.constant(Buffer.from([8, n])) : fc.array(fc.tuple(bytes(1), counted(1)).map(([h, c]) => Buffer.concat([h, c])), { minLength: n, maxLength: n })
    .map((packs) => Buffer.concat([Buffer.from([8, n]), ...packs])))),
  byteCount(2).chain((n) => (n >= 0xfe ? fc.constant(Buffer.from([0x30, n])) : fc.array(fc.tuple(bytes(10), counted(1)).map(([h, c]) => Buffer.concat([h, c])), { minLength: n, maxLength: n })
    .map((stacks) => Buffer.concat([Buffer.from([0x30, n]), ...stacks])))),
  fc.tuple(bytes(5), counted(2), counted(1)).map(([h, cells, temps]) => Buffer.concat([Buffer.from([0x31]), h, cells, temps])),
  bytes(18).map((b) => Buffer.concat([Buffer.from([0x32]), b])),
);
const SIGNATURE = fc.tuple(fc.integer({ min: 1, max: 3 }), bytes(32), bytes(32)).map(([t, r, s]) => Buffer.concat([Buffer.from([0xff, t]), u16(r.length), r, u16(s.length), s]));

const TIME = fc.tuple(fc.integer({ min: 0, max: 99 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 28 }), fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }), fc.integer({ min: 0, max: 59 }))
  .map((t) => Buffer.from(t));

const REALTIME_UNIT = fc.tuple(TIME, fc.array(BLOCK, { maxLength: 8 })).map(([t, blocks]) => Buffer.concat([t, ...blocks]));
const REALTIME_UNIT_2025 = fc.tuple(TIME, fc.array(BLOCK_2025, { maxLength: 8 }), fc.option(SIGNATURE)).map(([t, blocks, sig]) => Buffer.concat([t, ...blocks, ...(sig ? [sig] : [])]));

const TIME_BYTES = Buffer.from([23, 3, 21, 10, 20, 12]);

/** One parameter of 2016 table B.12 / 2025 table B.8 with random bytes of its width, as a function of the edition. */
const PARAMETER_ITEM: fc.Arbitrary<(edition: 2016 | 2025) => Buffer> = fc.oneof(
  fc.tuple(fc.constantFrom(1, 2, 3, 6, 9, 10, 11, 12, 15, 16), bytes(2)).map(([id, v]) => (edition: 2016 | 2025) => {
    const width = [9, 12, 16].includes(id) || (edition === 2025 && (id === 2 || id === 3)) ? 1 : 2;
    return Buffer.concat([Buffer.from([id]), v.subarray(0, width)]);
  }),
  fc.tuple(fc.constantFrom(7, 8), bytes(5)).map(([id, v]) => () => Buffer.concat([Buffer.from([id]), v])),
  fc.tuple(fc.constantFrom(4, 13), fc.uint8Array({ maxLength: 12 })).map(([id, d]) => () => Buffer.concat([Buffer.from([id, d.length, id + 1]), Buffer.from(d)])),
);

function frameOf(command: number, unit: Buffer, edition: 2016 | 2025, flag: number): Buffer {
  const start = edition === 2025 ? 0x24 : 0x23;
  const head = Buffer.concat([Buffer.from([start, start, command, flag]), Buffer.alloc(17, 0x41), Buffer.from([1]), u16(unit.length), unit]);
  return Buffer.concat([head, Buffer.from([bcc(head, 2, head.length)])]);
}

function onlyOwnErrors(fn: () => unknown): void {
  try {
    fn();
  } catch (err) {
    if (!isProtocolError(err)) throw err;
  }
}

describe('GB/T 32960 decoder properties', () => {
  it('the word-wise BCC equals the XOR of every byte, at any alignment of the buffer', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 100 }), fc.nat(), fc.nat(), fc.nat(7), (a, x, y, shift) => {
      // A view starting `shift` bytes into its memory, as pooled and sliced Buffers are.
      const b = Buffer.alloc(a.length + shift).fill(0xa5).subarray(shift);
      b.set(a);
      const from = b.length === 0 ? 0 : x % (b.length + 1);
      const to = from + (b.length - from === 0 ? 0 : y % (b.length - from + 1));
      let expected = 0;
      for (let i = from; i < to; i++) expected ^= b[i]!;
      assert.equal(bcc(b, from, to), expected);
    }), { numRuns: 2000 });
  });

  it('arbitrary bytes end in a result or the decoder\'s own error, as data unit, frame or input', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), fc.integer({ min: 0, max: 255 }), (raw, command) => {
      const b = Buffer.from(raw);
      onlyOwnErrors(() => decodeRealtime(b));
      onlyOwnErrors(() => decodeRealtime(b, 2025));
      onlyOwnErrors(() => decodeFrame(Buffer.concat([Buffer.from('$$'), b])));
      onlyOwnErrors(() => decodeFrame(Buffer.concat([Buffer.from('##'), b])));
      onlyOwnErrors(() => decodeInput(b, { command }));
      onlyOwnErrors(() => decodeInput(b.toString('latin1')));
    }), { numRuns: 2000 });
  });

  it('frames with a consistent length and BCC but random contents never crash the decoder', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 8 }), REALTIME_UNIT, fc.uint8Array({ maxLength: 40 }), (command, unit, noise) => {
      const body = Buffer.concat([unit, Buffer.from(noise)]);
      const head = Buffer.concat([Buffer.from([0x23, 0x23, command, 0xfe]), Buffer.alloc(17, 0x41), Buffer.from([1]), u16(body.length), body]);
      onlyOwnErrors(() => decodeFrame(Buffer.concat([head, Buffer.from([bcc(head, 2, head.length)])])));
    }), { numRuns: 1000 });
  });

  it('arbitrary bytes as any command of the 2025 edition end in a result or the decoder\'s own error', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 120 }), fc.constantFrom(0x01, 0x05, 0x09, 0x0a, 0x0b, 0x80, 0x81, 0x82), fc.constantFrom(0x01, 0x02, 0xfe), (raw, command, responseFlag) => {
      const b = Buffer.from(raw);
      onlyOwnErrors(() => decodeInput(b, { command, edition: 2025, responseFlag }));
      onlyOwnErrors(() => decodeInput(Buffer.concat([TIME_BYTES, b]), { command, edition: 2016, responseFlag }));
    }), { numRuns: 3000 });
  });

  it('random parameter lists (0x80 replies, 0x81 sets) and controls (0x82) encode back to the same bytes', () => {
    fc.assert(fc.property(fc.constantFrom(2016, 2025) as fc.Arbitrary<2016 | 2025>, TIME, fc.array(PARAMETER_ITEM, { maxLength: 6 }), fc.constantFrom(0x80, 0x81), (edition, time, items, command) => {
      const unit = Buffer.concat([time, Buffer.from([items.length]), ...items.map((it) => it(edition))]);
      const frame = frameOf(command, unit, edition, 0x01);
      const f = decodeFrame(frame);
      assert.equal(encodeFrame({ edition, command, responseFlag: 0x01, vin: f.vin, data: f.data }).toString('hex'), frame.toString('hex'));
    }), { numRuns: 1000 });
    fc.assert(fc.property(fc.constantFrom(2016, 2025) as fc.Arbitrary<2016 | 2025>, TIME, fc.integer({ min: 0, max: 255 }), fc.uint8Array({ maxLength: 40 }), (edition, time, control, params) => {
      const frame = frameOf(0x82, Buffer.concat([time, Buffer.from([control]), Buffer.from(params)]), edition, 0xfe);
      const f = decodeFrame(frame);
      assert.equal(encodeFrame({ edition, command: 0x82, vin: f.vin, data: f.data }).toString('hex'), frame.toString('hex'));
    }), { numRuns: 1000 });
  });

  it('random valid 2025 data units (signature included) encode back to the same bytes', () => {
    fc.assert(fc.property(REALTIME_UNIT_2025, (unit) => {
      const decoded = decodeRealtime(unit, 2025);
      assert.equal(encodeRealtime(decoded, 2025).toString('hex'), unit.toString('hex'));
      assert.deepEqual(decodeRealtime(encodeRealtime(decoded, 2025), 2025), decoded);
      const frame = encodeFrame({ edition: 2025, command: 2, vin: 'LZYTBGBW6J1014194', data: decoded as unknown as Record<string, unknown> });
      assert.deepEqual(decodeFrame(frame).data, decoded);
    }), { numRuns: 1000 });
  });

  it('random valid realtime data units encode back to the same bytes, and decode(encode(decode(x))) equals decode(x)', () => {
    fc.assert(fc.property(REALTIME_UNIT, (unit) => {
      const decoded = decodeRealtime(unit);
      assert.equal(encodeRealtime(decoded).toString('hex'), unit.toString('hex'));
      const again = decodeRealtime(encodeRealtime(decoded));
      assert.deepEqual(again, decoded);
      const frame = encodeFrame({ command: 3, vin: "LZYTBGBW6J1014194", data: decoded as unknown as Record<string, unknown> });
      assert.deepEqual(decodeFrame(frame).data, decoded);
    }), { numRuns: 1000 });
  });
});
