/**
 * Stored settings of earlier releases are brought to today's layout before a node reads them:
 * each node of the flows the 2026-11-24 release saved (no `version` yet) comes out as today's
 * editor stores it, and a version newer than this release knows is refused.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { currentVersion, migrateStored } from '../../src/lib/config-versions';

const SAVED = join(__dirname, '..', '..', '..', 'test', 'fixtures', 'saved-flows', '2026-11-24');
type Stored = Record<string, unknown>;
const nodesOf = (file: string, type: string): Stored[] => (JSON.parse(readFileSync(join(SAVED, file), 'utf8')) as Stored[]).filter((n) => n.type === type);

/** What today's editor adds to each node of that release: fields it lacked, with the values older runtimes assumed. */
const TODAY: Record<string, (n: Stored) => Stored> = {
  'lock-command': (n) => ({ ...n, deviceType: 'str', commandType: 'str', version: 1 }),
  'eztcloud-out': (n) => ({ ...n, deviceType: 'str', methodType: 'str', version: 1 }),
  'jointech-in': (n) => ({ ...n, rateLimit: 200, readTimeout: 10, version: 1 }),
  'aliyun-amqp-in': (n) => ({ ...n, accept: 'emitted', version: 1 }),
  'jointech-account': (n) => ({ ...n, connection: { ...(n.connection as Stored), exactlyOnce: false }, version: 1 }),
  'iotos-device': (n) => ({ ...n, version: 1 }),
};

const FILES: Record<string, string> = {
  'lock-command': 'lock-command.json',
  'eztcloud-out': 'eztcloud-out.json',
  'jointech-in': 'jointech-in.json',
  'aliyun-amqp-in': 'aliyun-amqp-in.json',
  'jointech-account': 'jointech-in.json',
  'iotos-device': 'iotos-device.json',
};

describe('stored settings by version', () => {
  for (const [type, today] of Object.entries(TODAY)) {
    it(`${type} saved without a version comes out in today's layout`, () => {
      const saved = nodesOf(FILES[type]!, type);
      assert.ok(saved.length > 0, `${FILES[type]} holds a ${type}`);
      for (const n of saved) {
        const migrated = migrateStored(type, n);
        assert.ok('stored' in migrated, 'not refused');
        assert.deepEqual(migrated.stored, today(n));
        // Today's layout goes through unchanged.
        assert.deepEqual(migrateStored(type, today(n)), { stored: today(n) });
      }
    });
  }

  it('keeps what a node saved without a version but edited since already holds', () => {
    const migrated = migrateStored('lock-command', { type: 'lock-command', deviceType: 'msg', device: 'target' });
    assert.deepEqual(migrated, { stored: { type: 'lock-command', deviceType: 'msg', device: 'target', commandType: 'str', version: 1 } });
  });

  it('refuses a version newer than this release knows, and one that is no version', () => {
    assert.equal(currentVersion('lock-command'), 1);
    assert.deepEqual(migrateStored('lock-command', { version: 2 }), { newer: { version: '2', known: 1 } });
    assert.deepEqual(migrateStored('gb32960-decode', { version: 'x' }), { newer: { version: 'x', known: 1 } });
  });
});
