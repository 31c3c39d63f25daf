/**
 * `node .build/bench/decode-micro.js`: the decoders with their field code compiled from source
 * text (new Function) against the same code as plain closures, in alternating rounds of one
 * process, so that both see the same machine load. Prints the median per-call time of each.
 * MICRO_ROUNDS (default 7) and MICRO_CALLS (default 20000) set the size.
 */
import assert from 'node:assert/strict';
import { decodePush, useFieldChecks } from '../src/protocols/jointech/messages';
import { decodeFrame } from '../src/protocols/gb32960/codec';
import { useFieldReaders } from '../src/protocols/gb32960/fields';
import { jointechSamples } from '../tools/samples';
import { typicalFrame } from './gb32960';
import { median } from './median';

const ROUNDS = Number(process.env.MICRO_ROUNDS) || 7;
const CALLS = Number(process.env.MICRO_CALLS) || 20000;
type Style = 'compiled' | 'plain';

interface Case {
  name: string;
  use(style: Style): void;
  /** One call of the decoder under test; returns what it decoded. */
  call(i: number): unknown;
}

const pushBodies = Object.values(jointechSamples.webhook).filter((v) => typeof v === 'object').map((v) => JSON.stringify(v));
const frame = typicalFrame();

const CASES: Case[] = [
  { name: 'jointech decodePush', use: useFieldChecks, call: (i) => decodePush(pushBodies[i % pushBodies.length]) },
  { name: 'gb32960 decodeFrame, field tables', use: useFieldReaders, call: () => decodeFrame(frame) },
];

/** Microseconds per call over CALLS calls. */
function timeCalls(c: Case): number {
  const start = process.hrtime.bigint();
  for (let i = 0; i < CALLS; i++) c.call(i);
  return Number(process.hrtime.bigint() - start) / 1000 / CALLS;
}

for (const c of CASES) {
  // Both ways must decode alike, or the comparison means nothing.
  const outputs = (['compiled', 'plain'] as const).map((style) => {
    c.use(style);
    return Array.from({ length: pushBodies.length }, (_, i) => c.call(i));
  });
  assert.deepEqual(outputs[1], outputs[0], `${c.name}: the plain code decodes differently`);
  const times: Record<Style, number[]> = { compiled: [], plain: [] };
  for (let round = 0; round < ROUNDS; round++) {
    // Alternating which goes first, so neither always runs on a warmer or quieter machine.
    const order: Style[] = round % 2 ? ['plain', 'compiled'] : ['compiled', 'plain'];
    for (const style of order) {
      c.use(style);
      timeCalls(c); // warm-up of the freshly built code
      times[style].push(timeCalls(c));
    }
  }
  const compiled = median(times.compiled);
  const plain = median(times.plain);
  console.log(`${c.name}: compiled ${compiled.toFixed(2)} µs, plain ${plain.toFixed(2)} µs per call (medians of ${ROUNDS}); ` +
    `compiled saves ${(100 * (plain - compiled) / plain).toFixed(1)} %`);
  c.use('compiled');
}
