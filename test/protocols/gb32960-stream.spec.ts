/**
 * The platform side of GB/T 32960.3 on its own: cutting a TCP byte stream into frames, and the
 * exact bytes of the platform's replies. Expected frames are written out from the standard's
 * frame layout (§6.2 table 2: start 2, command 1, flag 1, VIN 17, encryption 1, length WORD,
 * data unit, BCC = XOR from the command byte to the last data byte) and the reply rules
 * (§6.3.2 of both editions; appendix B.2/B.3.3.2; gb32960-commands.md §2.2).
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { encodeFrame } from '../../src/protocols/gb32960/codec';
import { FrameSplitter, type RejectReason } from '../../src/protocols/gb32960/stream';
import { beijingIso, beijingTime, replyTo, wantsReply } from '../../src/protocols/gb32960/replies';
import { realtimeData, withBadBcc } from '../../tools/gb32960-vehicle';
import { valuesInTimeZones } from '../support/time-zones';

const VIN = 'LZYTBGBW6J1014194';
const vinHex = Buffer.from(VIN, 'latin1').toString('hex');

/** A frame from hex text, its BCC appended by a plain XOR over bytes 2..end (table 2). */
function withBcc(hex: string): Buffer {
  const b = Buffer.from(hex.replace(/\s+/g, ''), 'hex');
  let x = 0;
  for (let i = 2; i < b.length; i++) x ^= b[i]!;
  return Buffer.concat([b, Buffer.from([x])]);
}

function split(chunks: Buffer[], max?: number) {
  const s = new FrameSplitter(max);
  const frames: string[] = [];
  const rejected: RejectReason[] = [];
  let skipped = 0;
  for (const c of chunks) {
    s.push(c, { frame: (f) => frames.push(f.toString('hex')), skipped: (n) => { skipped += n; }, rejected: (r) => rejected.push(r) });
  }
  return { frames, rejected, skipped, buffered: s.buffered };
}

// Frames of the standard's layout (table 2), written out byte by byte.
const LOGIN_2016 = withBcc(`2323 01 fe ${vinHex} 01 0022 180603 0c1e2d 0001 3839383630303132333435363738393031323334 01 04 42415431`);
const HEARTBEAT_2016 = withBcc(`2323 07 fe ${vinHex} 01 0000`);
const TIME_2025 = withBcc(`2424 08 fe ${vinHex} 01 0000`);
const LOGOUT_2025 = withBcc(`2424 04 fe ${vinHex} 01 0008 180603 0c1e2d 0001`);

describe('GB/T 32960 stream framing', () => {
  it('reads the hand-written frames as the encoder writes them (same layout)', () => {
    const byEncoder = encodeFrame({ command: 1, vin: VIN, data: { time: '2024-06-03T12:30:45+08:00', serialNo: 1, iccid: '89860012345678901234', subsystemCount: 1, codeLength: 4, systemCodes: ['BAT1'] } });
    assert.equal(byEncoder.toString('hex'), LOGIN_2016.toString('hex'));
  });

  it('with a limit, stops after that many frames, holds the rest and goes on from there on an empty push', () => {
    const frames = [LOGIN_2016, HEARTBEAT_2016, TIME_2025, LOGOUT_2025];
    const all = Buffer.concat([Buffer.from('xx'), ...frames, LOGIN_2016.subarray(0, 10)]);
    const s = new FrameSplitter();
    const got: string[] = [];
    let skipped = 0;
    const sink = { frame: (f: Buffer) => got.push(f.toString('hex')), skipped: (n: number) => { skipped += n; } };
    assert.equal(s.push(all, sink, 3), false);
    assert.deepEqual(got, frames.slice(0, 3).map((f) => f.toString('hex')));
    assert.equal(s.buffered, LOGOUT_2025.length + 10);
    assert.equal(s.push(Buffer.alloc(0), sink, 0), false, 'a limit of 0 takes nothing');
    assert.equal(got.length, 3);
    assert.equal(s.push(Buffer.alloc(0), sink, 3), true, 'the rest is one frame and a partial one');
    assert.equal(s.push(LOGIN_2016.subarray(10), sink, 3), true);
    assert.deepEqual(got, [...frames, LOGIN_2016].map((f) => f.toString('hex')));
    assert.equal(skipped, 2);
    assert.equal(s.buffered, 0);
  });

  it('gives back frames coalesced in one read, and a frame split over many reads, byte by byte', () => {
    const all = Buffer.concat([LOGIN_2016, HEARTBEAT_2016, TIME_2025, LOGOUT_2025]);
    const one = split([all]);
    assert.deepEqual(one.frames, [LOGIN_2016, HEARTBEAT_2016, TIME_2025, LOGOUT_2025].map((f) => f.toString('hex')));
    assert.equal(one.skipped, 0);
    const bytes = split([...all].map((b) => Buffer.from([b])));
    assert.deepEqual(bytes.frames, one.frames);
    assert.equal(bytes.buffered, 0);
  });

  it('resynchronises on "##" and "$$" after garbage, lone start bytes and start pairs with an impossible header', () => {
    const garbage = [
      Buffer.from('hello\r\n', 'latin1'),
      Buffer.from([0x23, 0x00, 0x24, 0x41]), // a lone '#', a lone '$'
      Buffer.from([0x23, 0x23, 0x02, 0x09]), // "##" but flag 0x09 is not in table 4
      Buffer.from([0x24, 0x24, 0x02, 0xfe, 0x01, 0x02]), // "$$" with control characters where the VIN goes
    ];
    const garbageBytes = garbage.reduce((n, g) => n + g.length, 0);
    const stream = Buffer.concat([garbage[0]!, LOGIN_2016, garbage[1]!, garbage[2]!, HEARTBEAT_2016, garbage[3]!, Buffer.alloc(30, 0x24), TIME_2025]);
    const r = split([stream.subarray(0, 50), stream.subarray(50, 51), stream.subarray(51)]);
    assert.deepEqual(r.frames, [LOGIN_2016, HEARTBEAT_2016, TIME_2025].map((f) => f.toString('hex')));
    assert.equal(r.skipped, garbageBytes + 30);
  });

  it('keeps a start byte at the end of a read for the next one', () => {
    const r = split([Buffer.concat([Buffer.from('xx'), HEARTBEAT_2016.subarray(0, 1)]), HEARTBEAT_2016.subarray(1)]);
    assert.deepEqual(r.frames, [HEARTBEAT_2016.toString('hex')]);
    assert.equal(r.skipped, 2);
  });

  it('drops one byte of a frame with a wrong BCC, reports it, and finds the next frame', () => {
    const bad = withBadBcc(LOGIN_2016);
    const r = split([Buffer.concat([bad, HEARTBEAT_2016])]);
    assert.deepEqual(r.frames, [HEARTBEAT_2016.toString('hex')]);
    assert.deepEqual(r.rejected, ['checksum']);
    assert.equal(r.skipped, bad.length);
  });

  it('refuses a frame over the size limit without waiting for its bytes', () => {
    const big = encodeFrame({ command: 2, vin: VIN, data: { ...realtimeData('2024-06-03T12:30:45+08:00'), custom: [{ type: 0x80, data: Buffer.alloc(200) }], order: [1, 5, 0x80] } });
    const r = split([Buffer.concat([big, HEARTBEAT_2016])], 100);
    assert.deepEqual(r.frames, [HEARTBEAT_2016.toString('hex')]);
    assert.ok(r.rejected.includes('too-large'));
    const fits = split([Buffer.concat([big, HEARTBEAT_2016])]);
    assert.equal(fits.frames.length, 2);
  });

  it('finds every frame among random garbage cut at random places (property)', () => {
    const frames = [LOGIN_2016, HEARTBEAT_2016, TIME_2025, LOGOUT_2025];
    // Garbage without start bytes cannot make a frame; the framer must skip exactly it.
    const noise = fc.uint8Array({ maxLength: 40 }).map((a) => Buffer.from(a.map((b) => (b === 0x23 || b === 0x24 ? 0x00 : b))));
    fc.assert(fc.property(fc.array(fc.tuple(noise, fc.nat(3)), { minLength: 1, maxLength: 12 }), fc.array(fc.nat(400), { maxLength: 8 }), (parts, cuts) => {
      const stream = Buffer.concat(parts.flatMap(([g, i]) => [g, frames[i]!]));
      const points = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
      const chunks: Buffer[] = [];
      let at = 0;
      for (const p of [...points, stream.length]) {
        chunks.push(stream.subarray(at, p));
        at = p;
      }
      const r = split(chunks);
      assert.deepEqual(r.frames, parts.map(([, i]) => frames[i]!.toString('hex')));
      assert.equal(r.skipped, parts.reduce((n, [g]) => n + g.length, 0));
    }), { numRuns: 300 });
  });
});

describe('GB/T 32960 platform replies (exact bytes)', () => {
  const NOW = Date.UTC(2024, 0, 1, 16, 30, 5); // Beijing 2024-01-02 00:30:05
  const PLATFORM_TIME = '180102 001e05';

  // Each row: the vehicle's frame, the flag, and the reply the standard's layout gives for it.
  const rows: Array<{ what: string; source: string; request: Buffer; flag: number; expected: Buffer }> = [
    {
      what: '2016 vehicle login, success: same command and VIN, flag 0x01, the login\'s own 6 time bytes',
      source: 'GB/T 32960.3-2016 §6.3.2, table 2; B.2.7',
      request: LOGIN_2016, flag: 0x01, expected: withBcc(`2323 01 01 ${vinHex} 01 0006 180603 0c1e2d`),
    },
    {
      what: '2016 vehicle login refused: flag 0x02 (error)',
      source: 'GB/T 32960.3-2016 table 4',
      request: LOGIN_2016, flag: 0x02, expected: withBcc(`2323 01 02 ${vinHex} 01 0006 180603 0c1e2d`),
    },
    {
      what: '2016 vehicle login, VIN duplicate: flag 0x03',
      source: 'GB/T 32960.3-2016 table 4',
      request: LOGIN_2016, flag: 0x03, expected: withBcc(`2323 01 03 ${vinHex} 01 0006 180603 0c1e2d`),
    },
    {
      what: '2016 heartbeat: flag 0x01, empty data unit',
      source: 'GB/T 32960.3-2016 B.2.6; gb32960-commands.md §2.2',
      request: HEARTBEAT_2016, flag: 0x01, expected: withBcc(`2323 07 01 ${vinHex} 01 0000`),
    },
    {
      what: '2025 time calibration: "$$", flag 0x01, the platform\'s Beijing time',
      source: 'GB/T 32960.3-2025 §6.3.2, B.2.5',
      request: TIME_2025, flag: 0x01, expected: withBcc(`2424 08 01 ${vinHex} 01 0006 ${PLATFORM_TIME}`),
    },
    {
      what: '2025 vehicle logout: "$$", flag 0x01, the logout\'s time, serial dropped',
      source: 'GB/T 32960.3-2025 §6.3.2 ("keep the time, delete the rest")',
      request: LOGOUT_2025, flag: 0x01, expected: withBcc(`2424 04 01 ${vinHex} 01 0006 180603 0c1e2d`),
    },
  ];

  for (const row of rows) {
    it(`${row.what} (${row.source})`, () => {
      assert.equal(replyTo(row.request, row.flag, NOW).toString('hex'), row.expected.toString('hex'));
    });
  }

  it('2025 realtime frame in error: flag 0x02 and its time (B.2.1)', () => {
    const rt = encodeFrame({ edition: 2025, command: 2, vin: VIN, data: { time: '2024-06-03T12:30:45+08:00', position: { status: 0, coordinateSystem: { code: 1 }, longitude: 121.5, latitude: 31.25 } } });
    assert.equal(replyTo(rt, 0x02, NOW).toString('hex'), withBcc(`2424 02 02 ${vinHex} 01 0006 180603 0c1e2d`).toString('hex'));
  });

  it('puts the platform time in, or echoes the rest as 2016 appendix B reads, when asked', () => {
    assert.equal(replyTo(LOGIN_2016, 0x01, NOW, 'platform').toString('hex'), withBcc(`2323 01 01 ${vinHex} 01 0006 ${PLATFORM_TIME}`).toString('hex'));
    const echo = replyTo(LOGIN_2016, 0x01, NOW, 'echo');
    assert.equal(echo.toString('hex'), withBcc(`2323 01 01 ${vinHex} 01 0022 ${PLATFORM_TIME} 0001 3839383630303132333435363738393031323334 01 04 42415431`).toString('hex'));
  });

  it('answers login, logout, heartbeat and time always, realtime by the policy, never a reply (§6.3.2)', () => {
    const rt = encodeFrame({ command: 2, vin: VIN, data: realtimeData('2024-06-03T12:30:45+08:00') });
    assert.equal(wantsReply(LOGIN_2016, true, 'errors'), true);
    assert.equal(wantsReply(HEARTBEAT_2016, true, 'none'), true);
    assert.equal(wantsReply(rt, true, 'errors'), false);
    assert.equal(wantsReply(rt, false, 'errors'), true);
    assert.equal(wantsReply(rt, true, 'all'), true);
    assert.equal(wantsReply(rt, false, 'none'), false);
    assert.equal(wantsReply(replyTo(LOGIN_2016, 1, NOW), true, 'all'), false);
  });

  it('writes Beijing time whatever the host zone (UTC, Shanghai, Los Angeles)', () => {
    const expected = `${PLATFORM_TIME.replace(' ', '')} 2024-01-02T00:30:05+08:00`;
    const written = valuesInTimeZones(() => `${beijingTime(NOW).toString('hex')} ${beijingIso(NOW)}`);
    assert.deepEqual(written, written.map(() => expected));
  });
});
