/**
 * JSON.parse for bodies that come from outside: keys named `__proto__`, `constructor` or
 * `prototype` are dropped, so a payload handed on to a flow cannot carry them into code that
 * merges or clones objects (prototype pollution).
 */

const UNSAFE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

function dropUnsafeKeys(key: string, value: unknown): unknown {
  return UNSAFE_KEYS.has(key) ? undefined : value;
}

/** Any text that could hold such a key, spelled out or with `\u` escapes. */
const MAY_HOLD_UNSAFE_KEY = /__proto__|constructor|prototype|\\u/;

/** JSON.parse without the unsafe keys; throws JSON.parse's SyntaxError. */
export function parseJsonSafely(text: string): unknown {
  // The reviver costs a call per value, so only texts that could hold such a key pay for it.
  return MAY_HOLD_UNSAFE_KEY.test(text) ? JSON.parse(text, dropUnsafeKeys) : JSON.parse(text);
}
