import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { amqpCredentials, decodeAmqpMessage } from '../../src/protocols/aliyun/amqp';
import { isProtocolError } from '../../src/protocols/protocol-error';

describe('Aliyun AMQP server-side subscription', () => {
  it('signs an IoT Platform login (aksign, HMAC-SHA1 of authId and timestamp)', () => {
    const c = amqpCredentials({ clientId: 'c1', keyId: 'AK', secret: 'S', instanceId: 'iot-1', consumerGroupId: 'G' }, 1700000000123);
    assert.equal(c.username, 'c1|authMode=aksign,signMethod=hmacsha1,timestamp=1700000000123,authId=AK,iotInstanceId=iot-1,consumerGroupId=G|');
    assert.equal(c.password, createHmac('sha1', 'S').update('authId=AK&timestamp=1700000000123').digest('base64'));
    assert.match(amqpCredentials({ clientId: 'c1', keyId: 'AK', secret: 'S', consumerGroupId: 'G' }, 1).username, /iotInstanceId=,/);
  });

  it('signs a Living data sync login (appkey, HMAC-SHA256 of random)', () => {
    const c = amqpCredentials({ authMode: 'appkey', clientId: 'c1', keyId: 'APPKEY', secret: 'APPSECRET', consumerGroupId: 'G' }, 42);
    assert.equal(c.username, 'c1|authMode=appkey,signMethod=SHA256,random=42,appKey=APPKEY,groupId=G|');
    assert.equal(c.password, createHmac('sha256', 'APPSECRET').update('random=42').digest('base64'));
  });

  it('refuses values that would break the user name', () => {
    for (const bad of [{ clientId: 'a|b' }, { keyId: 'a,b' }, { consumerGroupId: '' }, { consumerGroupId: 'g=1' }, { secret: '' }]) {
      assert.throws(() => amqpCredentials({ clientId: 'c', keyId: 'k', secret: 's', consumerGroupId: 'g', ...bad }), JSON.stringify(bad));
    }
  });

  it('reads topic, id and time from the application properties and the body as JSON, text or bytes', () => {
    const message = { message_id: 'x', body: { typecode: 117, content: Buffer.from('{"a":1}') }, application_properties: { topic: '/p/d/user/u', messageId: '123', generateTime: 1700000000000 } };
    assert.deepEqual(decodeAmqpMessage(message), { topic: '/p/d/user/u', messageId: '123', generateTime: 1700000000000, properties: message.application_properties, payload: { a: 1 }, lenient: false });
    assert.equal(decodeAmqpMessage(message, 'utf8').payload, '{"a":1}');
    assert.ok(Buffer.isBuffer(decodeAmqpMessage(message, 'buffer').payload));
    assert.equal(decodeAmqpMessage({ ...message, application_properties: { topic: 't' } }).messageId, 'x');
    assert.deepEqual(decodeAmqpMessage({ body: { k: [1] }, application_properties: { topic: 't' } }).payload, { k: [1] });
    assert.throws(() => decodeAmqpMessage({ body: Buffer.from('{}') }), isProtocolError);
    assert.throws(() => decodeAmqpMessage({ body: Buffer.from('{x'), application_properties: { topic: 't' } }), isProtocolError);
    assert.throws(() => decodeAmqpMessage({ body: 5, application_properties: { topic: 't' } }, 'utf8'), isProtocolError);
  });
});
