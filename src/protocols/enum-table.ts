/** Enumerations as the platforms' documents give them: code, English name, Chinese name. */

export type EnumTable = ReadonlyMap<number, readonly [en: string, zh: string]>;

export interface EnumValue {
  code: number;
  en: string | null;
  zh: string | null;
  /** true when the code is not in the document's table; the number is kept, never dropped. */
  unknown?: true;
}

export function table(rows: ReadonlyArray<readonly [number, string, string]>): EnumTable {
  return new Map(rows.map(([code, en, zh]) => [code, [en, zh] as const]));
}

/** Looks `code` up in `t`; unknown codes come back flagged rather than lost. */
export function named(t: EnumTable, code: number): EnumValue {
  const hit = t.get(code);
  return hit ? { code, en: hit[0], zh: hit[1] } : { code, en: null, zh: null, unknown: true };
}
