import assert from 'node:assert/strict';
import { brokerFilter, isValidFilter, isValidPublishTopic, topicMatches, topicSegment } from '../../src/protocols/mqtt-topic';
import { backoffDelay } from '../../src/lib/platform/transport';

describe('MQTT topic helpers', () => {
  it('matches filters with + and #', () => {
    assert.ok(topicMatches('upload/k/+/alarm', 'upload/k/123/alarm'));
    assert.ok(!topicMatches('upload/k/+/alarm', 'upload/k/123/event'));
    assert.ok(topicMatches('upload/k/#', 'upload/k/123/E01/sublock'));
    assert.ok(topicMatches('upload/k/#', 'upload/k'));
    assert.ok(!topicMatches('upload/k/+', 'upload/k/1/2'));
    assert.ok(!topicMatches('#', '$SYS/broker'), 'wildcards do not match $ topics');
  });

  it('validates filters and publish topics', () => {
    assert.ok(isValidFilter('a/+/b/#'));
    assert.ok(!isValidFilter('a/b#'));
    assert.ok(!isValidFilter('a/#/b'));
    assert.ok(isValidPublishTopic('download/k/1/cmd'));
    assert.ok(!isValidPublishTopic('download/+/1/cmd'));
    assert.ok(!isValidPublishTopic('a\nb'));
  });

  it('checks topic segments from user input', () => {
    assert.equal(topicSegment('8022300001', 'device'), '8022300001');
    assert.equal(topicSegment(42, 'device'), '42');
    for (const bad of ['', ' ', 'a/b', '+', 'x#', null, {}]) assert.throws(() => topicSegment(bad, 'device'));
  });

  it('prefixes a share group', () => {
    assert.equal(brokerFilter('a/b', 'g1'), '$share/g1/a/b');
    assert.equal(brokerFilter('a/b', undefined), 'a/b');
  });

  it('backs off exponentially with jitter inside the bounds', () => {
    for (let attempt = 0; attempt < 20; attempt++) {
      const ceiling = Math.min(60000, 1000 * 2 ** attempt);
      assert.equal(backoffDelay(attempt, 1000, 60000, () => 0), ceiling / 2);
      assert.equal(backoffDelay(attempt, 1000, 60000, () => 1), ceiling);
    }
  });
});
