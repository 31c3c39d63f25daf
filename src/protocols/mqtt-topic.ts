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

/** A subscription filter: `+` only as a whole level, `#` only as the whole last level. */
export function isValidFilter(filter: string): boolean {
  return filter.length > 0 && filter.length <= 65535 && FILTER_RE.test(filter) && !/[\0]/.test(filter);
}

/** A publish topic: no wildcards and no control characters that make brokers drop the connection. */
export function isValidPublishTopic(topic: string): boolean {
  return topic.length > 0 && topic.length <= 65535 && !/[+#\b\f\n\r\t\v\0]/.test(topic);
}

/**
 * Checks one topic level that comes from configuration or `msg` (a device number, a key).
 * Rejecting `+`, `#` and `/` stops a value from widening a subscription or retargeting a publish.
 */
export function topicSegment(value: unknown, what: string): string {
  if (typeof value === 'number' && Number.isFinite(value)) value = String(value);
  if (typeof value !== 'string' || value.trim() === '') {
    throw new ProtocolError('bad-topic-segment', `${what} is empty`, { value });
  }
  if (/[+#/\0]/.test(value) || /[\b\f\n\r\t\v]/.test(value)) {
    throw new ProtocolError('bad-topic-segment', `${what} "${value}" must not contain "+", "#", "/" or control characters`, { value });
  }
  return value;
}

/** The filter actually sent to the broker: `$share/<group>/<filter>` when a share group is set. */
export function brokerFilter(filter: string, shareGroup: string | undefined): string {
  return shareGroup ? `$share/${shareGroup}/${filter}` : filter;
}
