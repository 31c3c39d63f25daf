/**
 * A real dynamic import() from these CommonJS-compiled files (tsc would turn `import()` into
 * `require`), for ES-only packages such as aedes 1.x and for scripts/*.mjs.
 */
export const importEsm = new Function('specifier', 'return import(specifier)') as <T = any>(specifier: string) => Promise<T>;
