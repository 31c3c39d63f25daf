/** Property tests for the JSON-envelope parsers: arbitrary input ends in a result or the package's own error. */
import fc from 'fast-check';
import { decodeAmqpMessage, PAYLOAD_FORMATS } from '../../src/protocols/aliyun/amqp';
import { decodeLivingPush } from '../../src/protocols/aliyun/messages';
import { LIVING_KINDS } from '../../src/protocols/aliyun/topics';
import { parseAccountReply } from '../../src/protocols/aliyun/commands';
import { decodeMessage } from '../../src/protocols/eztcloud/messages';
import { KINDS } from '../../src/protocols/eztcloud/topics';
import { parseDownlink, parseUplinkResult } from '../../src/protocols/iotos/messages';
import { decodePush, DATA_TYPES } from '../../src/protocols/jointech/messages';
import { parseLenientJson } from '../../src/protocols/lenient-json';
import { isProtocolError } from '../../src/protocols/protocol-error';

function onlyOwnErrors(fn: () => unknown): void {
  try {
    fn();
  } catch (err) {
    if (!isProtocolError(err)) throw err;
  }
}

/** Strings, JSON texts, and objects with the fields the parsers look at holding values of any type. */
const input = fc.oneof(
  fc.string(),
  fc.jsonValue().map((v) => JSON.stringify(v)),
  fc.record({
    assetId: fc.jsonValue(), gpsTime: fc.jsonValue(), statusJson: fc.jsonValue(), expandInfo: fc.jsonValue(), alarmType: fc.jsonValue(),
    commandType: fc.jsonValue(), content: fc.jsonValue(), subAssetID: fc.jsonValue(), requestId: fc.jsonValue(), responseCode: fc.jsonValue(),
    method: fc.jsonValue(), params: fc.jsonValue(), id: fc.jsonValue(), alerting: fc.jsonValue(), online: fc.jsonValue(),
    param: fc.jsonValue(), code: fc.jsonValue(),
  }, { requiredKeys: [] }).map((o) => JSON.stringify(o)),
  // Living push envelopes whose params hold the fields each kind reads, with values of any type.
  fc.record({
    id: fc.jsonValue(),
    params: fc.record({
      items: fc.oneof(fc.jsonValue(), fc.dictionary(fc.string(), fc.record({ time: fc.jsonValue(), value: fc.jsonValue() }, { requiredKeys: [] }))),
      identifier: fc.jsonValue(), value: fc.jsonValue(), time: fc.jsonValue(), status: fc.oneof(fc.jsonValue(), fc.record({ value: fc.jsonValue(), time: fc.jsonValue() }, { requiredKeys: [] })),
      upgradeStatus: fc.jsonValue(), step: fc.jsonValue(),
    }, { requiredKeys: [] }),
  }, { requiredKeys: [] }).map((o) => JSON.stringify(o)),
);

describe('JSON envelope parsers properties', () => {
  it('Aliyun Living and AMQP parsers end in a result or the package\'s own error', () => {
    fc.assert(fc.property(input, fc.jsonValue(), (text, topic) => {
      for (const kind of LIVING_KINDS) onlyOwnErrors(() => decodeLivingPush(kind, text));
      onlyOwnErrors(() => parseAccountReply(text));
      for (const format of PAYLOAD_FORMATS) {
        onlyOwnErrors(() => decodeAmqpMessage({ body: { typecode: 117, content: Buffer.from(text) }, application_properties: { topic } as Record<string, unknown> }, format));
        onlyOwnErrors(() => decodeAmqpMessage({ body: JSON.parse(JSON.stringify(topic)) as unknown, application_properties: { topic: 't' } }, format));
      }
    }), { numRuns: 3000 });
  });

  it('Jointech, IOTOS and EZtCloud parsers end in a result or the package\'s own error', () => {
    fc.assert(fc.property(input, fc.constantFrom(undefined, ...DATA_TYPES), (text, hint) => {
      onlyOwnErrors(() => decodePush(text, hint));
      onlyOwnErrors(() => parseDownlink(text));
      onlyOwnErrors(() => parseUplinkResult(text));
      for (const kind of KINDS) onlyOwnErrors(() => decodeMessage(kind, Buffer.from(text), 'json'));
      onlyOwnErrors(() => parseLenientJson(text));
    }), { numRuns: 3000 });
  });
});
