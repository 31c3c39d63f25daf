import assert from 'node:assert/strict';
import { buildUplink, downlinkReply, normaliseTime, parseDownlink, parseUplinkResult } from '../../src/protocols/iotos/messages';
import { clientIdFor } from '../../src/protocols/iotos/device';
import { dataIdFromTopic, downlinkFilter, downlinkResultTopic, uplinkResultFilter, uplinkTopic } from '../../src/protocols/iotos/topics';
import { responseMeaning } from '../../src/protocols/iotos/enums';
import { parseLenientJson, stripTrailingCommas } from '../../src/protocols/lenient-json';
import { isProtocolError } from '../../src/protocols/protocol-error';
import { topicMatches } from '../../src/protocols/mqtt-topic';

/** The document's downlink sample, trailing comma included. */
const DOC_DOWNLINK = '{ "name": "数据点名称", "id": 1963, "oid": "7be6", "ts": 1642502674510.0, "value": "QWRYGSGSFDGFDS", "requestId": "966cb44c30464305bbea98694664b103", "requestTime":1627737953514.123, }';
const DOC_RESULT = '{"id":1963,"oid":"7be6","name":"数据点名称","ts":1627737953.514,"value":1627737953.514,"requestId":"966cb44c30464305bbea98694664b103","requestTime":1627737953514.123,"responseId":"966cb44c30464305bbea98694664b103","responseTime":1627737953514.123,"responseCode":0,"responseDesc":"OK"}';

describe('IOTOS device protocol', () => {
  it('builds the document topics and client id', () => {
    assert.equal(clientIdFor(171, 401), 'device_171_401');
    assert.equal(uplinkTopic(171, 401), '$IOTOS/device/platform/update/171/401');
    assert.ok(topicMatches(uplinkResultFilter(171, 401), '$IOTOS/device/platform/update/171/401/1963/result'));
    assert.ok(topicMatches(downlinkFilter(171, 401), '$IOTOS/device/endpoint/update/171/401/1963'));
    assert.ok(!topicMatches(downlinkFilter(171, 401), '$IOTOS/device/endpoint/update/171/401/1963/result'));
    assert.equal(downlinkResultTopic(171, 401, 1963), '$IOTOS/device/endpoint/update/171/401/1963/result');
    assert.equal(dataIdFromTopic('$IOTOS/device/platform/update/171/401/1963/result'), 1963);
    assert.equal(dataIdFromTopic('$IOTOS/device/endpoint/update/171/401/1963'), 1963);
    assert.equal(dataIdFromTopic('$IOTOS/device/endpoint/update/171/401/x'), undefined);
  });

  it('builds uplinks from {oid: value}, full data maps and single values', () => {
    const table = [{ name: '温度', id: 1963, oid: '7be6' }, { name: 'switch', id: 1964, oid: '179f' }];
    const now = 1627737953514;
    const a = buildUplink({ '7be6': 21.5, switch: true }, table, undefined, now);
    assert.match(a.requestId, /^[0-9a-f]{32}$/);
    assert.equal(a.requestTime, now);
    assert.deepEqual(a.data, {
      '7be6': { name: '温度', id: 1963, oid: '7be6', ts: now / 1000, value: 21.5 },
      '179f': { name: 'switch', id: 1964, oid: '179f', ts: now / 1000, value: true },
    });
    // The document's own data map (seed 001, 上报格式): key "179f", oid "7be6", sent as printed.
    const b = buildUplink({ '179f': { name: '数据点名称', id: 1963, oid: '7be6', ts: 1627737953.514, value: 1627737953.514 } }, [], undefined, now);
    assert.deepEqual(b.data, { '179f': { name: '数据点名称', id: 1963, oid: '7be6', ts: 1627737953.514, value: 1627737953.514 } });
    assert.deepEqual(buildUplink('on', table, table[1], now).data, { '179f': { name: 'switch', id: 1964, oid: '179f', ts: now / 1000, value: 'on' } });
    assert.notEqual(buildUplink(1, table, table[0]).requestId, buildUplink(1, table, table[0]).requestId);
    const fails = (fn: () => unknown, re: RegExp) => assert.throws(fn, (e: unknown) => isProtocolError(e) && re.test((e as Error).message));
    fails(() => buildUplink({ nope: 1 }, table, undefined), /"nope" is not a data point/);
    fails(() => buildUplink(5, table, undefined), /no data point is chosen/);
    fails(() => buildUplink({}, table, undefined), /no data points/);
    fails(() => buildUplink({ x: { id: 'abc', value: 1 } }, table, undefined), /data point x/);
    // The document's whole envelope (seed 001, 上报格式) is sent as given, and its own fields are checked.
    const doc = { requestId: '966cb44c30464305bbea98694664b103', requestTime: 1627737953514.123, data: b.data };
    assert.deepEqual(buildUplink(doc, [], undefined, now), doc);
    fails(() => buildUplink({ ...doc, requestTime: -1 }, table, undefined), /uplink envelope: requestTime: -1 ms is outside/);
  });

  it('reads the document result and downlink samples, typo and trailing comma included', () => {
    const r = parseUplinkResult(DOC_RESULT);
    assert.equal(r.responseCode, 0);
    assert.equal(r.requestId, '966cb44c30464305bbea98694664b103');
    const typo = parseUplinkResult(DOC_RESULT.replace('"responseCode"', '"responseCode,"').replace(':0,', ':110,'));
    assert.equal(typo.responseCode, 110);
    const { downlink, lenient } = parseDownlink(DOC_DOWNLINK);
    assert.equal(lenient, true);
    assert.equal(downlink.value, 'QWRYGSGSFDGFDS');
    assert.equal(downlink.id, 1963);
    assert.throws(() => parseDownlink('{"value":1}'), /requestId/);
    assert.throws(() => parseDownlink('{"value":'), (e: unknown) => isProtocolError(e) && (e as { code: string }).code === 'bad-json');
  });

  it('answers downlinks with a fresh responseId and the echoed request', () => {
    const { downlink } = parseDownlink(DOC_DOWNLINK);
    const reply = downlinkReply(downlink, 1963, 0, 'OK', 1642502675000);
    assert.equal(reply.requestId, downlink.requestId);
    assert.equal(reply.responseCode, 0);
    assert.equal(reply.responseTime, 1642502675000);
    assert.match(String(reply.responseId), /^[0-9a-f]{32}$/);
    assert.equal(reply.value, 'QWRYGSGSFDGFDS');
  });

  it('tells seconds from milliseconds and names response codes', () => {
    assert.deepEqual(normaliseTime(1627737953.514), { ms: 1627737953514, seconds: 1627737953.514, iso: '2021-07-31T13:25:53.514Z' });
    assert.equal(normaliseTime(1642502674510).seconds, 1642502674.51);
    assert.deepEqual(responseMeaning(110), { code: 110, en: 'Data point does not exist', zh: '数据点不存在' });
    assert.deepEqual(responseMeaning(7), { code: 7, en: null, zh: null, unknown: true });
  });

  it('accepts trailing commas only outside strings', () => {
    assert.equal(stripTrailingCommas('{"a":",}",\n}'), '{"a":",}"\n}');
    assert.deepEqual(parseLenientJson('[1,2,]'), { value: [1, 2], lenient: true });
    assert.deepEqual(parseLenientJson('{"a":1}'), { value: { a: 1 }, lenient: false });
    assert.throws(() => parseLenientJson('{a:1,}'), /not valid JSON/);
  });
});
