/**
 * Property validators for `registerType` defaults. Node-RED treats a returned string as "invalid,
 * with this reason" only from a validator declared with two parameters `(v, opt)`; a
 * one-parameter validator's string counts as valid. Every validator here has both.
 */
export interface EditorNode {
  _: (key: string, opts?: Record<string, unknown>) => string;
}

export type Validator = (this: EditorNode, v: unknown, opt?: unknown) => true | string;

/** Valid when `ok(v)`; otherwise the node's catalogue message `key`. */
export function check<N extends EditorNode = EditorNode>(ok: (this: N, v: unknown) => boolean, key: string): (this: N, v: unknown, opt?: unknown) => true | string {
  return function (this: N, v: unknown, _opt?: unknown) {
    return ok.call(this, v) ? true : this._(key);
  };
}

/** An integer in [lo, hi]; a property missing from an older flow takes the runtime default. */
export function intRange(lo: number, hi: number, key: string, missingOk = true) {
  return check((v) => {
    if (v === undefined && missingOk) return true;
    const s = String(v ?? '').trim();
    const n = Number(s);
    return s !== '' && Number.isInteger(n) && n >= lo && n <= hi;
  }, key);
}

/** A form field's current value while its dialog is open, else the stored one. */
export function live<T>(id: string, stored: T): T | string {
  const el = $(`#${id}`);
  return el.length ? String(el.val() ?? '') : stored;
}
