/**
 * JSON as the platforms' documents write it: strict JSON, or JSON with trailing commas before
 * `}` or `]`, `//` line comments, and commas forgotten at the end of a line (all three occur in
 * their samples). Anything else is still an error.
 */
import { ProtocolError } from './protocol-error';
import { parseJsonSafely } from './safe-json';

/** Calls `outside` for each character outside JSON strings; string contents are copied as they are. */
function mapOutsideStrings(text: string, outside: (text: string, i: number) => { emit: string; skipTo: number }): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      out += c;
      if (c === '\\') out += text[++i] ?? '';
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    const step = outside(text, i);
    out += step.emit;
    i = step.skipTo;
  }
  return out;
}

/** Removes `//` line comments and then commas that directly precede `}` or `]`, outside strings. */
export function stripTrailingCommas(text: string): string {
  const noComments = mapOutsideStrings(text, (t, i) => {
    if (t[i] !== '/' || t[i + 1] !== '/') return { emit: t[i]!, skipTo: i };
    const end = t.indexOf('\n', i);
    return { emit: '\n', skipTo: end < 0 ? t.length : end };
  });
  return mapOutsideStrings(noComments, (t, i) => {
    if (t[i] !== ',') return { emit: t[i]!, skipTo: i };
    let j = i + 1;
    while (j < t.length && /\s/.test(t[j]!)) j++;
    return { emit: t[j] === '}' || t[j] === ']' ? '' : ',', skipTo: i };
  });
}

/**
 * Adds the comma that is missing where one value ends at the end of a line and the next member or
 * element starts on the next: `"a": 1⏎ "b": 2`. In valid JSON a value end is never followed by
 * `"`, `{` or `[`, so this changes nothing that was already well formed.
 */
export function insertMissingCommas(text: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    out += c;
    let valueEnd = false;
    if (inString) {
      if (c === '\\') out += text[++i] ?? '';
      else if (c === '"') {
        inString = false;
        valueEnd = true;
      }
    } else if (c === '"') inString = true;
    else valueEnd = c === '}' || c === ']' || /[0-9a-z]/i.test(c);
    if (!valueEnd) continue;
    let j = i + 1;
    let newline = false;
    for (; j < text.length && /\s/.test(text[j]!); j++) if (text[j] === '\n') newline = true;
    if (newline && (text[j] === '"' || text[j] === '{' || text[j] === '[')) out += ',';
  }
  return out;
}

/** Parses `text`; `lenient` says whether comments, trailing or missing commas had to be mended first. */
export function parseLenientJson(text: string): { value: unknown; lenient: boolean } {
  try {
    return { value: parseJsonSafely(text), lenient: false };
  } catch (strictError) {
    const fixed = insertMissingCommas(stripTrailingCommas(text));
    if (fixed !== text) {
      try {
        return { value: parseJsonSafely(fixed), lenient: true };
      } catch {
        // fall through to the original error, which points at the real problem
      }
    }
    throw new ProtocolError('bad-json', `payload is not valid JSON: ${(strictError as Error).message}`, { text: text.slice(0, 200) });
  }
}
