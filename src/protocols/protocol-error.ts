/**
 * The package's own error type. Parsers and encoders throw only this, so callers (and property
 * tests) can tell a rejected input from a bug.
 */
export class ProtocolError extends Error {
  readonly code: string;
  readonly details: Record<string, unknown>;

  constructor(code: string, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = 'ProtocolError';
    this.code = code;
    this.details = details;
  }
}

/** The runtime is one bundle (nodes/runtime.js) and tests import src itself: one class either way. */
export function isProtocolError(err: unknown): err is ProtocolError {
  return err instanceof ProtocolError;
}

/**
 * An input as an error text quotes it: at most `max` characters, so that a huge bad value is not
 * repeated whole in logs and Catch messages (the input itself stays attached to the msg).
 */
export function clip(text: string, max = 200): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length} characters)`;
}

/** Turns anything thrown into an Error with a readable message. */
export function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

interface ZodLikeError {
  issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>;
}

/** One readable line out of a zod error, naming each field that is wrong. */
export function describeIssues(err: ZodLikeError): string {
  return err.issues
    .map((i) => (i.path.length ? `${i.path.map(String).join('.')}: ${i.message}` : i.message))
    .join('; ');
}
