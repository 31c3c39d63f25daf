/** Property tests for the JSON-envelope parsers: arbitrary input ends in a result or the package's own error. */
import fc from 'fast-check';
import { decodeMessage, KINDS } from '../../src/protocols/eztcloud/open-api';
import { parseDownlink, parseUplinkResult } from '../../src/protocols/iotos/device';
import { decodePush, DATA_TYPES } from '../../src/protocols/jointech/push';
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
  }, { requiredKeys: [] }).map((o) => JSON.stringify(o)),
);

describe('JSON envelope parsers properties', () => {
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
