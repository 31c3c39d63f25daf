/** Enumerations as the platforms' documents give them: code, English name, Chinese name. */

export interface EnumValue {
  code: number;
  en: string | null;
  zh: string | null;
  /** true when the code is not in the document's table; the number is kept, never dropped. */
  unknown?: true;
}

const NAMED = Symbol('named values');

export interface EnumTable extends ReadonlyMap<number, readonly [en: string, zh: string]> {
  /** Each known code's {code, en, zh}, made once and frozen: every message shares them. */
  readonly [NAMED]: ReadonlyMap<number, Readonly<EnumValue>>;
}

export function table(rows: ReadonlyArray<readonly [number, string, string]>): EnumTable {
  const t = new Map(rows.map(([code, en, zh]) => [code, [en, zh] as const]));
  const values = new Map(rows.map(([code, en, zh]) => [code, Object.freeze({ code, en, zh })]));
  return Object.assign(t, { [NAMED]: values });
}

/**
 * Looks `code` up in `t`; unknown codes come back flagged rather than lost. Known codes share one
 * read-only object per table entry (a decoded message holds dozens; allocating them was the
 * decoders' largest cost).
 */
export function named(t: EnumTable, code: number): EnumValue {
  return t[NAMED].get(code) ?? { code, en: null, zh: null, unknown: true };
}
