/**
 * MQTT topic helpers shared by every platform: filter matching, validation and
 * safe building of topics from user input. Nothing here knows about Node-RED.
 */
import { ProtocolError } from './protocol-error';

/** True when `topic` (a concrete publish topic) matches subscription `filter` (`+`, `#` allowed). */
export function topicMatches(filter: string, topic: string): boolean {
  if (filter === topic) return true;
  return levelsMatch(filter.split('/'), topic.split('/'));
}

/**
 * topicMatches on filter and topic already split at `/`, so that a dispatcher splits each
 * filter once per subscription and each topic once per message.
 */
export function levelsMatch(f: readonly string[], t: readonly string[]): boolean {
  // MQTT 4.7.2: wildcards at the first level do not match topics that start with `$`.
  if (t[0]!.startsWith('$') && (f[0] === '+' || f[0] === '#')) return false;
  for (let i = 0; i < f.length; i++) {
    const part = f[i];
    if (part === '#') return true;
    if (i >= t.length) return false;
    if (part !== '+' && part !== t[i]) return false;
  }
  return f.length === t.length;
}

const FILTER_RE = /^(#$|(\+|[^+#]*)(\/(\+|[^+#]*))*(\/(\+|#|[^+#]*))?$)/;

/**
 * C0 control characters and DEL. MQTT allows most of them in topics, but brokers do not: Mosquitto
 * drops the connection of a client that subscribes or publishes with one, and the client then
 * reconnects and sends it again.
 */
const CONTROL_RE = /[\u0000-\u001f\u007f]/;

/** A value as an error text shows it: control characters visible, long values cut short. */
function shown(value: string): string {
  const cut = value.length > 80 ? `${value.slice(0, 80)}…` : value;
  return JSON.stringify(cut);
}

/** "U+0001 at level 3": where the first control character of `topic` is, for an error text. */
function controlCharacterAt(topic: string): string | undefined {
  const at = topic.search(CONTROL_RE);
  if (at < 0) return undefined;
  const code = topic.charCodeAt(at).toString(16).toUpperCase().padStart(4, '0');
  return `U+${code} at level ${topic.slice(0, at).split('/').length}`;
}

/** A subscription filter: `+` only as a whole level, `#` only as the whole last level. */
export function isValidFilter(filter: string): boolean {
  return filter.length > 0 && filter.length <= 65535 && FILTER_RE.test(filter) && !CONTROL_RE.test(filter);
}

/** isValidFilter, or a ProtocolError that says what is wrong with `filter`. */
export function assertValidFilter(filter: string): void {
  if (!isValidFilter(filter)) throw invalidTopic('bad-filter', 'topic filter', 'subscribes to', filter);
}

/** The error for an invalid filter or topic: the control character and its level, if that is what is wrong. */
function invalidTopic(code: string, what: string, verb: string, topic: string): ProtocolError {
  const control = controlCharacterAt(topic);
  return new ProtocolError(code, control
    ? `${what} ${shown(topic)} contains a control character (${control}); brokers drop a client that ${verb} it`
    : `${shown(topic)} is not a valid MQTT ${what}`, { topic });
}

/** A publish topic: no wildcards and no control characters that make brokers drop the connection. */
export function isValidPublishTopic(topic: string): boolean {
  return topic.length > 0 && topic.length <= 65535 && !/[+#]/.test(topic) && !CONTROL_RE.test(topic);
}

/**
 * Checks one topic level that comes from configuration or `msg` (a device number, a key).
 * Rejecting `+`, `#` and `/` stops a value from widening a subscription or retargeting a publish;
 * control characters would make the broker drop the connection.
 */
export function topicSegment(value: unknown, what: string): string {
  if (typeof value === 'number' && Number.isFinite(value)) value = String(value);
  if (typeof value !== 'string' || value.trim() === '') {
    throw new ProtocolError('bad-topic-segment', `${what} is empty`, { value });
  }
  if (/[+#/]/.test(value) || CONTROL_RE.test(value)) {
    throw new ProtocolError('bad-topic-segment', `${what} ${shown(value)} must not contain "+", "#", "/" or control characters (U+0000-U+001F, U+007F)`, { value });
  }
  return value;
}

/** The filter actually sent to the broker: `$share/<group>/<filter>` when a share group is set. */
export function brokerFilter(filter: string, shareGroup: string | undefined): string {
  return shareGroup ? `$share/${shareGroup}/${filter}` : filter;
}
