/**
 * JSON.parse for bodies that come from outside: keys named `__proto__`, `constructor` or
 * `prototype` are dropped, so a payload handed on to a flow cannot carry them into code that
 * merges or clones objects (prototype pollution), and nesting deeper than MAX_JSON_DEPTH is
 * refused: Node-RED clones messages recursively (a Catch node, a second wire), and a 200 KB body
 * of 100,000 nested arrays overflows the stack there and takes the whole process down.
 */

const UNSAFE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** Objects and arrays inside each other, counting the outermost; no platform sends more than a few. */
export const MAX_JSON_DEPTH = 100;

function dropUnsafeKeys(key: string, value: unknown): unknown {
  return UNSAFE_KEYS.has(key) ? undefined : value;
}

/** Any text that could hold such a key, spelled out or with `\u` escapes. */
const MAY_HOLD_UNSAFE_KEY = /__proto__|constructor|prototype|\\u/;

/** Whether `text` opens more than `limit` objects or arrays inside each other (brackets in strings are text). */
function nestsDeeper(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // a backslash escapes the next character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return true;
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    }
  }
  return false;
}

/**
 * Whether `text` holds more than `limit` opening brackets in all (in strings or not): only then can
 * it nest deeper than `limit`. Found with indexOf, which skips ahead natively, where the exact scan
 * reads every character in JavaScript: for the usual body of a few brackets this is the whole check.
 */
function opensMoreThan(text: string, limit: number): boolean {
  let n = 0;
  for (let i = text.indexOf('{'); i !== -1; i = text.indexOf('{', i + 1)) if (++n > limit) return true;
  for (let i = text.indexOf('['); i !== -1; i = text.indexOf('[', i + 1)) if (++n > limit) return true;
  return false;
}

/** JSON.parse without the unsafe keys or excessive nesting; throws a SyntaxError. */
export function parseJsonSafely(text: string): unknown {
  if (opensMoreThan(text, MAX_JSON_DEPTH) && nestsDeeper(text, MAX_JSON_DEPTH)) throw new SyntaxError(`JSON nested deeper than ${MAX_JSON_DEPTH} levels`);
  // The reviver costs a call per value, so only texts that could hold such a key pay for it.
  return MAY_HOLD_UNSAFE_KEY.test(text) ? JSON.parse(text, dropUnsafeKeys) : JSON.parse(text);
}
