/**
 * EZtCloud project account: the projectKey every topic of the MQTT application API starts with.
 */
import { topicSegment } from '../mqtt-topic';
import { ProtocolError } from '../protocol-error';

export function projectKey(value: unknown): string {
  const s = topicSegment(value, 'projectKey').trim();
  if (s === '') throw new ProtocolError('bad-project', 'projectKey is empty');
  return s;
}
