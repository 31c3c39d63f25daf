/**
 * `npm run new-platform -- <name>` makes a platform that works as it is made: in a copy of the
 * repository it creates demo-cloud, and the build, both typechecks, the two tests it generated and
 * every package test (help, texts, examples, saved flows) pass there without a hand edit. A name
 * that is no platform name, or one that exists, is refused with nothing written.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '..', '..', '..');
/** What the build and the tests read; node_modules is linked, not copied. */
const COPIED = ['src', 'scripts', 'test', 'tools', 'bench', 'examples', 'icons', 'package.json', 'LICENSE'];

interface Run { status: number; stdout: string; stderr: string }

function run(cwd: string, args: string[]): Run {
  try {
    const stdout = execFileSync(process.execPath, args, { cwd, encoding: 'utf8', stdio: 'pipe', maxBuffer: 64 * 1024 * 1024 });
    return { status: 0, stdout, stderr: '' };
  } catch (err) {
    const e = err as { status?: number; stdout?: string; stderr?: string };
    return { status: e.status ?? 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

/** Runs a step that must succeed, failing with its output when it does not. */
function step(cwd: string, args: string[]): string {
  const r = run(cwd, args);
  assert.equal(r.status, 0, `node ${args.join(' ')} failed:\n${r.stdout.slice(-4000)}\n${r.stderr.slice(-4000)}`);
  return r.stdout;
}

/** The files of the copy a run may write, for telling that a refused run wrote nothing. */
function listing(dir: string): string[] {
  return ['src', 'examples', 'icons', 'test'].flatMap((d) => readdirSync(join(dir, d), { recursive: true, encoding: 'utf8' }).map((f) => `${d}/${f}`)).sort();
}

describe('npm run new-platform', function () {
  this.timeout(600000);
  let copy: string;

  before(() => {
    copy = mkdtempSync(join(tmpdir(), 'cniot-new-platform-'));
    for (const entry of [...COPIED, ...readdirSync(root).filter((f) => /^tsconfig.*\.json$|^\.mocharc/.test(f))]) {
      if (existsSync(join(root, entry))) cpSync(join(root, entry), join(copy, entry), { recursive: true });
    }
    symlinkSync(realpathSync(join(root, 'node_modules')), join(copy, 'node_modules'), 'dir');
  });
  after(() => {
    if (copy) rmSync(copy, { recursive: true, force: true });
  });

  it('refuses a name that is no platform name, writing nothing', () => {
    const before = listing(copy);
    const pkg = readFileSync(join(copy, 'package.json'), 'utf8');
    for (const bad of ['Demo-Cloud', 'demo_cloud', '9cloud', '-cloud', 'demo--cloud', 'demo cloud', '../x']) {
      const r = run(copy, ['scripts/new-platform.mjs', bad]);
      assert.equal(r.status, 1, bad);
      assert.match(r.stderr, /is not a platform name: use lower-case letters, digits and single dashes/, bad);
    }
    const none = run(copy, ['scripts/new-platform.mjs']);
    assert.equal(none.status, 1);
    assert.match(none.stderr, /usage: npm run new-platform -- <name>/);
    assert.deepEqual(listing(copy), before);
    assert.equal(readFileSync(join(copy, 'package.json'), 'utf8'), pkg);
  });

  it('refuses the name of a platform that exists, writing nothing', () => {
    const before = listing(copy);
    const pkg = readFileSync(join(copy, 'package.json'), 'utf8');
    const r = run(copy, ['scripts/new-platform.mjs', 'eztcloud']);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /platform "eztcloud" exists already; nothing written/);
    assert.match(r.stderr, /src\/nodes\/eztcloud-in/);
    assert.deepEqual(listing(copy), before);
    assert.equal(readFileSync(join(copy, 'package.json'), 'utf8'), pkg);
  });

  it('makes demo-cloud, which builds, typechecks and passes its own tests and every package test', () => {
    const made = step(copy, ['scripts/new-platform.mjs', 'demo-cloud']);
    for (const file of ['src/protocols/demo-cloud/topics.ts', 'src/protocols/demo-cloud/messages.ts', 'src/protocols/demo-cloud/account.ts',
      'src/nodes/demo-cloud-account/demo-cloud-account.ts', 'src/nodes/demo-cloud-in/demo-cloud-in.ts', 'examples/demo-cloud-in.json',
      'test/protocols/demo-cloud.spec.ts', 'test/nodes/demo-cloud-in.spec.ts']) {
      assert.ok(existsSync(join(copy, file)), file);
      assert.ok(made.includes(file), `the script lists ${file}`);
    }
    assert.match(made, /Next steps/);
    const nodes = (JSON.parse(readFileSync(join(copy, 'package.json'), 'utf8')) as { 'node-red': { nodes: Record<string, string> } })['node-red'].nodes;
    assert.equal(nodes['demo-cloud-account'], 'nodes/demo-cloud-account/demo-cloud-account.js');
    assert.equal(nodes['demo-cloud-in'], 'nodes/demo-cloud-in/demo-cloud-in.js');
    // Made once, the platform exists: a second run is refused.
    assert.match(run(copy, ['scripts/new-platform.mjs', 'demo-cloud']).stderr, /exists already/);

    step(copy, ['scripts/build.mjs']);
    const tsc = join('node_modules', 'typescript', 'bin', 'tsc');
    step(copy, [tsc, '-p', 'tsconfig.json']);
    step(copy, [tsc, '-p', 'tsconfig.editor.json']);

    const packageSpecs = readdirSync(join(copy, '.build', 'test', 'package'))
      .filter((f) => f.endsWith('.spec.js') && f !== 'new-platform.spec.js').map((f) => `.build/test/package/${f}`);
    assert.ok(packageSpecs.length >= 4, packageSpecs.join(', '));
    const report = join(copy, 'mocha-report.json');
    step(copy, [join('node_modules', 'mocha', 'bin', 'mocha.js'), '--no-config', '--exit', '--timeout', '60000', '--reporter', 'json', '--reporter-option', `output=${report}`,
      '.build/test/protocols/demo-cloud.spec.js', '.build/test/nodes/demo-cloud-in.spec.js', ...packageSpecs]);
    const result = JSON.parse(readFileSync(report, 'utf8')) as { stats: { passes: number; failures: number; pending: number }; passes: Array<{ fullTitle: string }> };
    assert.equal(result.stats.failures, 0);
    assert.equal(result.stats.pending, 0, 'nothing skipped');
    const titles = result.passes.map((p) => p.fullTitle);
    assert.ok(titles.some((t) => t.startsWith('Demo Cloud protocol decodes')), 'the generated protocol test ran');
    assert.ok(titles.some((t) => /^demo-cloud-in against .* malformed message/.test(t)), 'the generated node test ran');
    assert.ok(titles.some((t) => t.startsWith('Flow Library scorecard')), 'the package tests ran');
  });
});
