/**
 * JSON as the platforms' documents write it: strict JSON, or JSON with trailing commas before
 * `}` or `]` and `//` line comments (as in their samples). Anything else is still an error.
 */
import { ProtocolError } from './protocol-error';

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

/** Parses `text`; `lenient` says whether comments or trailing commas had to be removed first. */
export function parseLenientJson(text: string): { value: unknown; lenient: boolean } {
  try {
    return { value: JSON.parse(text), lenient: false };
  } catch (strictError) {
    const fixed = stripTrailingCommas(text);
    if (fixed !== text) {
      try {
        return { value: JSON.parse(fixed), lenient: true };
      } catch {
        // fall through to the original error, which points at the real problem
      }
    }
    throw new ProtocolError('bad-json', `payload is not valid JSON: ${(strictError as Error).message}`, { text: text.slice(0, 200) });
  }
}
