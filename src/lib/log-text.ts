/**
 * What the nodes log, in the language Node-RED runs in: errors by their code, warnings by key,
 * both through `RED._` and the catalogues the build makes from src/lib/log-texts.ts.
 */
import type { NodeAPI } from 'node-red';
import { asError, clip } from '../protocols/protocol-error';
import { LOG_TEXTS, type LogKey } from './log-texts';
import { fillStatus, translateReason } from './status-texts';

type Translator = Pick<NodeAPI, '_'>;
export type LogParams = Record<string, string | number>;

/** `RED._` answers a key it has no text for with the key itself (node-red-node-test-helper: always). */
function translate(RED: Translator, key: string, params: LogParams): string | undefined {
  const text = RED._(key, params);
  return typeof text !== 'string' || text === key || text.endsWith(`:${key}`) ? undefined : text;
}

/** An error's `details` as placeholder values: text as it is, anything else as short JSON. */
function detailParams(details: unknown): LogParams {
  const out: LogParams = {};
  if (typeof details !== 'object' || details === null) return out;
  for (const [k, v] of Object.entries(details)) {
    if (typeof v === 'string' || typeof v === 'number') out[k] = typeof v === 'string' ? clip(v) : v;
    else if (v !== undefined) out[k] = clip(JSON.stringify(v) ?? String(v));
  }
  return out;
}

/**
 * The text of `err` in the runtime's language: the catalogue's entry for its code, filled from its
 * details and message; its English message when it has no code or the code no entry.
 */
export function describe(RED: Translator, err: unknown): string {
  const e = asError(err);
  const code = (e as { code?: unknown }).code;
  if (typeof code !== 'string') return e.message;
  return translate(RED, `codes.${code}`, { ...detailParams((e as { details?: unknown }).details), message: e.message }) ?? e.message;
}

/**
 * `err` as node.error / done(err) should get it: the same error when its text is already the
 * message, else an error with the localized text and the original's name, code, details and stack
 * frames, so a Catch node still gets `msg.error.code`.
 */
export function localError(RED: Translator, err: unknown): Error {
  const e = asError(err);
  const text = describe(RED, e);
  if (text === e.message) return e;
  const out = Object.assign(new Error(text), e);
  const frames = e.stack?.split('\n').slice(1) ?? [];
  out.stack = [`${out.name}: ${text}`, ...frames].join('\n');
  return out;
}

/** The English form of a text in src/lib/log-texts.ts, for status texts and flows. */
export function english(key: LogKey, params: LogParams = {}): string {
  return fillStatus(LOG_TEXTS['en-US'].logs[key], params);
}

/** A warning or note the package writes itself, by its key in src/lib/log-texts.ts. */
export function say(RED: Translator, key: LogKey, params: LogParams = {}): string {
  return translate(RED, `logs.${key}`, params) ?? english(key, params);
}

/**
 * A connection warning by its key, its `reason` (English, as the status shows it) in the runtime's
 * language through the status catalogue.
 */
export function sayConnection(RED: Translator, key: LogKey, params: LogParams & { reason: string }): string {
  return say(RED, key, { ...params, reason: translateReason(params.reason, (k, vars) => translate(RED, k, vars)) });
}

/**
 * A configuration problem that stops a node: `problem` (English, for the status and the nodes
 * that use it) and the text to log in the runtime's language.
 */
export function configProblem(RED: Translator, key: LogKey, params: LogParams = {}): { problem: string; text: string } {
  return { problem: english(key, params), text: say(RED, key, params) };
}

/** An input's `done`, handing its error to Node-RED (log, Catch) in the runtime's language. */
export function localDone(RED: Translator, done: (err?: Error) => void): (err?: Error) => void {
  return (err?: Error) => (err ? done(localError(RED, err)) : done());
}
