import assert from 'node:assert/strict';
import { accountReplyFilter, livingFilters, parseLivingTopic, LIVING_KINDS } from '../../src/protocols/aliyun/topics';
import { buildAccountRequest, parseAccountReply } from '../../src/protocols/aliyun/commands';
import { decodeLivingPush } from '../../src/protocols/aliyun/messages';
import { insertMissingCommas, parseLenientJson } from '../../src/protocols/lenient-json';
import { isProtocolError } from '../../src/protocols/protocol-error';
import { livingSamples } from '../../tools/samples';

describe('Aliyun IoT Living app long connection', () => {
  it('builds the push filters for the ticked kinds, one device or all', () => {
    assert.deepEqual(livingFilters('pk1', '+', ['properties', 'ota']), ['/sys/pk1/+/app/down/thing/properties', '/sys/pk1/+/app/down/ota/device/forward']);
    assert.deepEqual(livingFilters('pk1', 'dn1', [...LIVING_KINDS]), [
      '/sys/pk1/dn1/app/down/thing/properties', '/sys/pk1/dn1/app/down/thing/events', '/sys/pk1/dn1/app/down/thing/status',
      '/sys/pk1/dn1/app/down/thing/topo/add/status', '/sys/pk1/dn1/app/down/ota/device/forward',
    ]);
    assert.equal(accountReplyFilter('pk1', 'dn1'), '/sys/pk1/dn1/app/down/account/+');
    for (const bad of ['a/b', '#', 'x+', '']) assert.throws(() => livingFilters(bad, '+', ['status']), isProtocolError, bad);
    assert.throws(() => livingFilters('pk1', 'dn/#', ['status']), isProtocolError);
  });

  it('reads push and reply topics and nothing else', () => {
    assert.deepEqual(parseLivingTopic('/sys/pk1/dn1/app/down/thing/topo/add/status'), { productKey: 'pk1', deviceName: 'dn1', kind: 'topo' });
    assert.deepEqual(parseLivingTopic('/sys/pk1/dn1/app/down/account/bind_reply'), { productKey: 'pk1', deviceName: 'dn1', kind: 'bind_reply' });
    assert.equal(parseLivingTopic('/sys/pk1/dn1/app/down/thing/other'), undefined);
    assert.equal(parseLivingTopic('/sys/pk1/dn1/app/up/account/bind'), undefined);
    assert.equal(parseLivingTopic('sys/pk1/dn1/app/down/thing/status'), undefined);
  });

  it('mends only the document\'s missing end-of-line commas', () => {
    assert.equal(insertMissingCommas('{"a":"x"\n "b":1\n}'), '{"a":"x",\n "b":1\n}');
    assert.equal(insertMissingCommas('[{"a":1}\n{"b":2}]'), '[{"a":1},\n{"b":2}]');
    const valid = '{"a": [1, 2], "b": {"c": "d\\"\\n"}, "e": true}';
    assert.equal(insertMissingCommas(valid), valid);
    assert.equal(insertMissingCommas('{"s": "x\n\\"y"}'), '{"s": "x\n\\"y"}', 'string content is left alone');
    assert.throws(() => parseLenientJson('{"a": 1 "b": 2}'), isProtocolError, 'two values on one line stay an error');
  });

  it('decodes every push sample of the document, broken JSON included', () => {
    const p = livingSamples.pushes;
    const props = decodeLivingPush('properties', p.properties);
    assert.equal(props.lenient, false);
    assert.deepEqual(props.payload.properties, { temperature: 30, meterReadingMonth: 715665571, alarm: 'normal' });
    assert.deepEqual((props.payload.times as Record<string, unknown>).temperature, { ms: 1510292697471, iso: new Date(1510292697471).toISOString() });
    assert.deepEqual(props.device, { iotId: '0300MSKL03667c544f69342a74Sv4Za4', productKey: 'X5eCzh6fEH7', deviceName: '5gJtxDVeGAkaEztpisjX' });
    assert.equal(props.id, 'msgid3');

    const ev = decodeLivingPush('events', p.events);
    assert.equal(ev.lenient, true);
    assert.equal(ev.method, 'thing.events');
    assert.deepEqual(ev.payload, {
      identifier: 'BrokenInfo', name: '损坏率上报', type: 'info',
      value: { Power: 'on', structParam: { param1: 'abc', param2: 123 } },
      time: { ms: 1510799670074, iso: new Date(1510799670074).toISOString() },
    });

    const st = decodeLivingPush('status', p.status);
    assert.equal(st.lenient, true);
    assert.deepEqual(st.payload.status, { code: 0, en: 'inactive', zh: '未激活' });
    assert.equal((st.payload.time as { ms: number }).ms, 1510292697471);

    const topo = decodeLivingPush('topo', p.topo);
    assert.deepEqual(topo.payload.status, { code: 0, en: 'added', zh: '添加topo成功' });
    assert.equal(topo.payload.newGwDeviceName, 'xxx');
    assert.equal(topo.method, 'thing.topo.add.status');

    const ota = decodeLivingPush('ota', p.ota);
    assert.deepEqual(ota.payload.upgradeStatus, { code: 1, en: 'upgrading', zh: '升级中' });
    assert.equal(ota.payload.progress, 1);
    assert.equal(ota.id, '123456790123');
  });

  it('keeps unknown status codes as numbers, reports negative OTA steps as error codes', () => {
    const st = decodeLivingPush('status', '{"id":"1","params":{"status":{"value":"5","time":1}}}');
    assert.deepEqual(st.payload.status, { code: 5, en: null, zh: null, unknown: true });
    const ota = decodeLivingPush('ota', '{"id":"1","params":{"upgradeStatus":3,"step":-2,"desc":"download failed"}}');
    assert.equal(ota.payload.errorCode, -2);
    assert.equal(ota.payload.progress, undefined);
    assert.equal((ota.payload.upgradeStatus as { en: string }).en, 'upgrade failed');
  });

  it('rejects malformed pushes with its own error type', () => {
    for (const [kind, body] of [
      ['properties', '{"id":"1","params":{"items":"x"}}'],
      ['events', '{"id":"1","params":{"value":1}}'],
      ['status', '{"id":"1","params":{"status":{"value":"online"}}}'],
      ['ota', '{"id":"1"}'],
      ['topo', 'not json'],
      ['status', '[1,2]'],
    ] as const) {
      assert.throws(() => decodeLivingPush(kind, body), (e: unknown) => isProtocolError(e), `${kind} ${body}`);
    }
  });

  it('reads a properties push as its schemas do: refuses what they refuse, saying where, and converts what they convert', () => {
    const refused: Array<[string, unknown, string]> = [
      ['an item without value', { id: '1', params: { items: { t: { time: 1 } } } }, 'items.t.value'],
      ['an item that is a list', { id: '1', params: { items: { t: [1] } } }, 'items.t'],
      ['a time that is no count', { id: '1', params: { items: { t: { time: 'soon', value: 1 } } } }, 'items.t.time'],
      ['a negative time', { id: '1', params: { items: { t: { time: -1, value: 1 } } } }, 'items.t.time'],
      ['a numeric iotId', { id: '1', params: { iotId: 5, items: {} } }, 'iotId'],
      ['items as a list', { id: '1', params: { items: [] } }, 'items'],
      ['params as a list', { id: '1', params: [] }, 'params'],
      ['a null id', { id: null, params: { items: {} } }, 'id'],
      ['a numeric method', { id: '1', method: 1, params: { items: {} } }, 'method'],
    ];
    for (const [what, body, path] of refused) {
      assert.throws(() => decodeLivingPush('properties', JSON.stringify(body)), (e: unknown) => isProtocolError(e) && (e as Error).message.includes(path), what);
    }
    const p = decodeLivingPush('properties', JSON.stringify({ id: 7, version: '1.0', params: { iotId: 'i1', items: { a: { time: '1510292697471', value: null }, b: { value: [1] } } } }));
    assert.equal(p.id, '7');
    assert.deepEqual(p.payload, { properties: { a: null, b: [1] }, times: { a: { ms: 1510292697471, iso: '2017-11-10T05:44:57.471Z' }, b: null } });
    assert.deepEqual(p.device, { iotId: 'i1' });
  });

  it('builds bind and unbind requests as the document shows, and reads their replies', () => {
    const bind = buildAccountRequest('bind', 'pk1', 'dn1', 'msgid1', 'mqttusername1234', 'iot_token123');
    assert.equal(bind.topic, '/sys/pk1/dn1/app/up/account/bind');
    assert.deepEqual(JSON.parse(bind.body), JSON.parse(livingSamples.account.bindRequest));
    const unbind = buildAccountRequest('unbind', 'pk1', 'dn1', 'msgid2', 'mqttusername1234');
    assert.equal(unbind.topic, '/sys/pk1/dn1/app/up/account/unbind');
    assert.deepEqual(JSON.parse(unbind.body), JSON.parse(livingSamples.account.unbindRequest));
    assert.throws(() => buildAccountRequest('bind', 'pk1', 'dn1', '1', 'c'), /iotToken/);
    assert.throws(() => buildAccountRequest('bind', 'pk1', '+', '1', 'c', 't'), isProtocolError);
    assert.throws(() => buildAccountRequest('unbind', 'pk1', 'dn1', '1', ' '), /clientId/);
    assert.deepEqual(parseAccountReply(livingSamples.account.bindReply), { id: 'msgid1', code: 200, message: 'success', ok: true });
    assert.equal(parseAccountReply('{"id":"x","code":460,"message":"request parameter error"}').ok, false);
    assert.throws(() => parseAccountReply('{"code":200}'), isProtocolError);
  });
});
