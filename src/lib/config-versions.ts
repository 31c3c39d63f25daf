/**
 * Stored settings of earlier releases, brought to today's layout before zod reads them. Each node
 * stores the `version` of the layout it was saved in (its editor's default); a node without one
 * was saved before versions existed. A step fills only what is absent, so a node saved without a
 * version but edited since (which keeps no version) comes through unchanged.
 */

type Stored = Record<string, unknown>;
/** Brings settings from one version to the next. Returns a new object. */
type Step = (stored: Stored) => Stored;

/** Fills the fields `stored` lacks from `values`, at the top level or inside `connection`. */
const fill = (values: Stored, connection: Stored = {}): Step => (stored) => {
  const out: Stored = { ...stored };
  for (const [k, v] of Object.entries(values)) if (out[k] === undefined) out[k] = v;
  const c = out.connection;
  if (Object.keys(connection).length > 0 && typeof c === 'object' && c !== null && !Array.isArray(c)) {
    const conn: Stored = { ...(c as Stored) };
    for (const [k, v] of Object.entries(connection)) if (conn[k] === undefined) conn[k] = v;
    out.connection = conn;
  }
  return out;
};

/** MQTT account nodes: "exactly once" came after the first release. */
const mqttAccount = fill({}, { exactlyOnce: false });

/**
 * Per node type, the steps from "no version" (index 0) to 1, from 1 to 2, and so on. The current
 * version of a type is the number of its steps; a type not listed is at version 1.
 */
export const MIGRATIONS: Record<string, Step[]> = {
  'jointech-account': [mqttAccount],
  'eztcloud-project': [mqttAccount],
  'iotos-connection': [mqttAccount],
  'aliyun-living-account': [mqttAccount],
  // Webhook rate limits and read timeouts came after the first release. Written out, not taken
  // from jointech-in/facts.ts: a step fills what that release lacked and must not move when
  // today's defaults do.
  'jointech-in': [fill({ rateLimit: 200, readTimeout: 10 })],
  // Device and command (method) fields became typed inputs: older flows held plain strings.
  'lock-command': [fill({ deviceType: 'str', commandType: 'str' })],
  'eztcloud-out': [fill({ deviceType: 'str', methodType: 'str' })],
  'aliyun-amqp-in': [fill({ accept: 'emitted' })],
};

export function currentVersion(type: string): number {
  return MIGRATIONS[type]?.length ?? 1;
}

export type Migrated = { stored: Stored } | { newer: { version: string; known: number } };

/** `stored` in today's layout with today's `version`, or what refuses it: a version newer than this release knows. */
export function migrateStored(type: string, stored: Stored): Migrated {
  const known = currentVersion(type);
  const raw = stored.version;
  const version = raw === undefined || raw === null || raw === '' ? 0 : Number(raw);
  if (!Number.isInteger(version) || version < 0 || version > known) return { newer: { version: String(raw), known } };
  let out = stored;
  for (const step of (MIGRATIONS[type] ?? []).slice(version)) out = step(out);
  return { stored: version === known ? out : { ...out, version: known } };
}
