import assert from 'node:assert/strict';
import { decodeMessage } from '../../src/protocols/eztcloud/messages';
import { deviceUsername, parseOpenTopic, publishTopic, subscribeFilters } from '../../src/protocols/eztcloud/topics';
import { isProtocolError } from '../../src/protocols/protocol-error';

describe('EZtCloud application API', () => {
  it('builds the document subscription filters for kinds, devices and streams', () => {
    assert.deepEqual(subscribeFilters('PR_1', ['attributes', 'alarm'], 'all'), ['open/PR_1/+/attributes', 'open/PR_1/+/alarm']);
    assert.deepEqual(subscribeFilters('PR_1', ['data'], ['DU_a'], ['s1', 's2']), ['open/PR_1/DU_a/data/s1', 'open/PR_1/DU_a/data/s2']);
    assert.deepEqual(subscribeFilters('PR_1', ['data', 'online'], ['DU_a']), ['open/PR_1/DU_a/data/+', 'open/PR_1/DU_a/online']);
    assert.throws(() => subscribeFilters('PR_1', ['online'], ['DU_a/#']), isProtocolError);
    assert.throws(() => subscribeFilters('PR_+', ['online'], 'all'), isProtocolError);
    assert.throws(() => subscribeFilters('PR_1', ['data'], 'all', ['a/b']), isProtocolError);
  });

  it('reads topics and builds publish topics', () => {
    assert.deepEqual(parseOpenTopic('open/PR_1/DU_a/event_report'), { projectKey: 'PR_1', device: 'DU_a', kind: 'event_report' });
    assert.deepEqual(parseOpenTopic('open/PR_1/DU_a/data/s1'), { projectKey: 'PR_1', device: 'DU_a', kind: 'data', stream: 's1' });
    assert.equal(parseOpenTopic('open/PR_1/DU_a/attributes_push'), undefined);
    assert.equal(parseOpenTopic('open/PR_1/DU_a/data'), undefined);
    assert.equal(parseOpenTopic('other/PR_1/DU_a/online'), undefined);
    assert.equal(publishTopic('PR_1', 'DU_a', 'command_send'), 'open/PR_1/DU_a/command_send');
    assert.equal(deviceUsername(' DU_x1 '), 'DU_x1');
    assert.throws(() => deviceUsername('x1'), /DU_xxxxxxxxxx/);
  });

  it('decodes each kind, with the documents\' comments and trailing commas', () => {
    assert.deepEqual(decodeMessage('alarm', Buffer.from('{\n // true=告警;false=恢复\n "alerting": true\n}')), { payload: { alerting: true }, lenient: true });
    assert.deepEqual(decodeMessage('command_reply', Buffer.from('{"method":"m","params":{"k":"v",},"id":1}')).payload, { method: 'm', params: { k: 'v' }, id: 1 });
    assert.deepEqual(decodeMessage('data', Buffer.from('fek34j=='), 'utf8').payload, 'fek34j==');
    assert.ok(Buffer.isBuffer(decodeMessage('data', Buffer.from([1, 2])).payload));
    assert.deepEqual(decodeMessage('data', Buffer.from('{"a":1}'), 'json').payload, { a: 1 });
    assert.throws(() => decodeMessage('online', Buffer.from('{"online":"yes"}')), /online payload/);
    assert.throws(() => decodeMessage('event_report', Buffer.from('{"params":{}}')), /method/);
    assert.throws(() => decodeMessage('attributes', Buffer.from('[1]')), isProtocolError);
    for (const notObject of ['null', '1', '"on"']) assert.throws(() => decodeMessage('attributes', Buffer.from(notObject)), isProtocolError, notObject);
    assert.deepEqual(decodeMessage('attributes', Buffer.from('{"temperature":20.5,"switch":null,"tags":["a"]}')), { payload: { temperature: 20.5, switch: null, tags: ['a'] }, lenient: false });
  });
});
