/**
 * What the Flow Library's scorecard (`node-red-dev validate`) checks, offline: package fields,
 * at most 6 runtime dependencies, node types registered once under literal names, an example
 * flow for every node that is not a config node, and help in English and Chinese for every type.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  name: string; license?: string; keywords?: string[]; repository?: { url?: string }; bugs?: { url?: string };
  engines?: { node?: string }; dependencies?: Record<string, string>; files?: string[];
  'node-red': { version?: string; nodes: Record<string, string> };
};
const types = Object.keys(pkg['node-red'].nodes);

/** The registerType calls of a built editor file: type name and whether it is a config node. */
function registrations(type: string): Array<{ name: string; config: boolean }> {
  const html = readFileSync(join(root, 'nodes', type, `${type}.html`), 'utf8');
  return [...html.matchAll(/registerType\(\s*['"]([^'"]+)['"]\s*,\s*\{\s*category:\s*['"]([^'"]+)['"]/g)].map((m) => ({ name: m[1]!, config: m[2] === 'config' }));
}

describe('Flow Library scorecard', () => {
  it('has the package fields the scorecard wants', () => {
    assert.match(pkg.name, /^@[\w-]+\/node-red-/);
    assert.ok(pkg.license && existsSync(join(root, 'LICENSE')));
    assert.ok(pkg.repository?.url && pkg.bugs?.url);
    assert.ok(pkg.keywords?.includes('node-red'));
    assert.match(pkg['node-red'].version ?? '', /^>=\d/);
    assert.match(pkg.engines?.node ?? '', /^>=\d/);
    for (const dir of ['nodes/', 'examples/', 'icons/']) assert.ok(pkg.files?.includes(dir), dir);
    const deps = Object.keys(pkg.dependencies ?? {});
    assert.ok(deps.length <= 6, `${deps.length} runtime dependencies: ${deps.join(', ')}`);
  });

  it('registers every type once, under its own literal name, with help in en-US and zh-CN', () => {
    const seen = new Set<string>();
    for (const type of types) {
      const regs = registrations(type);
      assert.deepEqual(regs.map((r) => r.name), [type], `${type}.html registers ${regs.map((r) => r.name).join(', ')}`);
      assert.ok(!seen.has(type));
      seen.add(type);
      for (const lang of ['en-US', 'zh-CN']) {
        const help = join(root, 'nodes', type, 'locales', lang, `${type}.html`);
        const messages = join(root, 'nodes', type, 'locales', lang, `${type}.json`);
        assert.ok(existsSync(help) && readFileSync(help, 'utf8').includes(`data-help-name="${type}"`), `${lang} help for ${type}`);
        assert.ok(existsSync(messages), `${lang} messages for ${type}`);
      }
    }
  });

  it('has an example flow for every node that is not a config node, using only known types', () => {
    const files = readdirSync(join(root, 'examples')).filter((f) => f.endsWith('.json'));
    const used = new Set<string>();
    for (const f of files) {
      const flow = JSON.parse(readFileSync(join(root, 'examples', f), 'utf8')) as Array<{ type: string; id: string; z?: string }>;
      assert.ok(Array.isArray(flow) && flow.length > 0, f);
      const ids = new Set<string>();
      for (const n of flow) {
        assert.ok(!ids.has(n.id), `${f}: duplicate id ${n.id}`);
        ids.add(n.id);
        used.add(n.type);
      }
    }
    const userTypes = types.filter((t) => !registrations(t)[0]!.config);
    const missing = userTypes.filter((t) => !used.has(t));
    assert.deepEqual(missing, [], 'node types without an example');
    const ours = [...used].filter((t) => /^(jointech|lock|iotos|eztcloud|gb32960|aliyun)-/.test(t));
    assert.deepEqual(ours.filter((t) => !types.includes(t)), [], 'examples use only types this package has');
  });
});
