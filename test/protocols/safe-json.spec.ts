/**
 * JSON from outside loses the keys that could reach an object's prototype (issue: `__proto__` /
 * `constructor` keys from webhook bodies were kept in msg.payload), through the strict and the
 * lenient parser alike.
 */
import assert from 'node:assert/strict';
import { parseLenientJson } from '../../src/protocols/lenient-json';
import { parseJsonSafely } from '../../src/protocols/safe-json';

const HOSTILE = '{"a":1,"__proto__":{"polluted":true},"b":{"constructor":{"prototype":{"polluted":true}},"c":[{"prototype":1,"d":2}]},"\\u005f_proto__":{"polluted":true}}';
const KEPT = { a: 1, b: { c: [{ d: 2 }] } };

describe('JSON without prototype keys', () => {
  it('drops __proto__, constructor and prototype at every depth, spelled out or escaped', () => {
    const value = parseJsonSafely(HOSTILE);
    assert.deepEqual(value, KEPT);
    assert.equal(Object.getPrototypeOf(value), Object.prototype);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.doesNotMatch(JSON.stringify(value), /__proto__|constructor|prototype|polluted/);
  });

  it('does the same in the lenient parser the MQTT decoders share, with and without mending', () => {
    assert.deepEqual(parseLenientJson(HOSTILE).value, KEPT);
    const mended = parseLenientJson(HOSTILE.replace('"d":2}', '"d":2,}'));
    assert.equal(mended.lenient, true);
    assert.deepEqual(mended.value, KEPT);
  });

  it('keeps every other key and value as JSON.parse reads them', () => {
    for (const text of ['{"protocol":"x","constructors":[1],"proto":{"__proto":2}}', '[1,"__proto__",{"k":"\\u4e2d"}]', '"constructor"', 'null']) {
      assert.deepEqual(parseJsonSafely(text), JSON.parse(text), text);
    }
  });

  it('refuses nesting deeper than 100 levels, counting brackets in strings as text', () => {
    const nest = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;
    assert.deepEqual(parseJsonSafely(`{"a":${nest(99)}}`), { a: JSON.parse(nest(99)) });
    assert.throws(() => parseJsonSafely(`{"a":${nest(100)}}`), /deeper than 100 levels/);
    assert.throws(() => parseJsonSafely(nest(100_000)), SyntaxError);
    assert.throws(() => parseLenientJson(`{"a":${nest(100)},}`), /deeper than 100 levels/);
    const text = `{"s":"${'['.repeat(500)}\\\"{{{"}`;
    assert.deepEqual(parseJsonSafely(text), JSON.parse(text));
  });
});
