/**
 * JSON as the platforms' documents write it: strict JSON, or JSON with trailing commas before
 * `}` or `]` (as in their samples). Anything else is still an error.
 */
import { ProtocolError } from './protocol-error';

/** Removes commas that directly precede `}` or `]`, leaving string contents alone. */
export function stripTrailingCommas(text: string): string {
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
    if (c === ',') {
      let j = i + 1;
      while (j < text.length && /\s/.test(text[j]!)) j++;
      if (text[j] === '}' || text[j] === ']') continue;
    }
    out += c;
  }
  return out;
}

/** Parses `text`; `lenient` says whether trailing commas had to be removed first. */
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
