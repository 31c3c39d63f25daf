// Builds what Node-RED loads from src/: for every folder src/nodes/<type>/
//   nodes/runtime.js           every node's runtime and the code they share, bundled once, CommonJS
//                              (dependencies stay external): one copy of each shared class, so that
//                              instanceof holds across node types
//   nodes/<type>/<type>.js     the file Node-RED loads for the type: hands over its init from runtime.js
//   nodes/<type>/<type>.html   editor script (bundled editor.ts) + edit template (editor.html)
//   nodes/<type>/locales/<lang>/<type>.json|.html   labels and help (help written in Markdown)
//   nodes/<type>/icons/<icon>  the one icon the node's editor names, from icons/ (Node-RED looks
//                              for icons only next to the node's .js file)
// `--release` (npm pack / publish) leaves out source maps.
import { build } from 'esbuild';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const release = process.argv.includes('--release');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const srcNodes = join(root, 'src', 'nodes');
const outNodes = join(root, 'nodes');
const partials = join(root, 'src', 'editor', 'partials');
const types = readdirSync(srcNodes, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();

const listed = pkg['node-red']?.nodes ?? {};
const problems = [];
for (const t of types) {
  if (listed[t] !== `nodes/${t}/${t}.js`) problems.push(`package.json node-red.nodes must list "${t}": "nodes/${t}/${t}.js"`);
}
for (const t of Object.keys(listed)) if (!types.includes(t)) problems.push(`package.json lists "${t}" but src/nodes/${t} does not exist`);
if (problems.length) {
  console.error(problems.join('\n'));
  process.exit(1);
}

/** `<!-- include: name -->` pulls in src/editor/partials/name.html, so shared form parts live once. */
function withPartials(html) {
  return html.replace(/<!--\s*include:\s*([\w-]+)\s*-->/g, (_m, name) => readFileSync(join(partials, `${name}.html`), 'utf8').trim());
}

function includedPartials(html) {
  return [...html.matchAll(/<!--\s*include:\s*([\w-]+)\s*-->/g)].map((m) => m[1]);
}

/**
 * Node-RED renders a help line `: name (type) : description` as a property row only when the
 * line holds exactly those two ASCII colons; one more (prose, `{key: value}`, `mqtt://`) turns the
 * row and the rest of its block into plain text. Colons inside code spans are kept by writing the
 * span as <code> with `&#58;`; a colon in the prose is an error (rephrase, or use `：` in
 * Chinese). A row must also follow a blank line, a heading, a list item or another row.
 */
export function renderHelpRows(md, file) {
  const problems = [];
  const escape = (t) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/:/g, '&#58;');
  const lines = md.split('\n');
  const out = lines.map((line, i) => {
    if (!/^:\s/.test(line)) return line;
    const m = /^(:\s*[^:\n(]+\([^:\n)]+\)\s*:)(.*)$/.exec(line);
    if (!m) {
      problems.push(`${file}:${i + 1}: a property row is ": name (type) : description" with no colon in name or type`);
      return line;
    }
    const description = m[2].replace(/`([^`]+)`/g, (_s, code) => (code.includes(':') ? `<code>${escape(code)}</code>` : `\`${code}\``));
    if (description.includes(':')) problems.push(`${file}:${i + 1}: a colon in the description of a property row breaks the row (rephrase, or use "：" in Chinese)`);
    const before = lines[i - 1] ?? '';
    if (i > 0 && before.trim() !== '' && !/^(:\s|#|\d+\.\s)/.test(before)) problems.push(`${file}:${i + 1}: a property row must follow a blank line, a heading, a numbered output or another row`);
    return m[1] + description;
  });
  return { text: out.join('\n'), problems };
}

/** A table from a TypeScript module under src/lib, for the message catalogues. */
async function libTable(file, name) {
  const out = await build({ entryPoints: [join(root, 'src', 'lib', file)], bundle: true, format: 'esm', platform: 'neutral', write: false, logLevel: 'warning' });
  const mod = await import(`data:text/javascript;base64,${Buffer.from(out.outputFiles[0].text).toString('base64')}`);
  return mod[name];
}
/** The status words every node shows (src/lib/status-texts.ts). */
const STATUS_TEXTS = await libTable('status-texts.ts', 'STATUS_TEXTS');
/** The texts every node logs: errors by code and warnings (src/lib/log-texts.ts). */
const LOG_TEXTS = await libTable('log-texts.ts', 'LOG_TEXTS');

rmSync(outNodes, { recursive: true, force: true });
const external = [...Object.keys(pkg.dependencies ?? {}), 'node-red'];
const helpProblems = [];
/** The sidebar is narrow: long code spans and tables wrap instead of running off its edge. */
const HELP_STYLE = `<style>
.red-ui-help:has(.cniot-help) code { white-space: normal; overflow-wrap: anywhere; }
.red-ui-help:has(.cniot-help) table { min-width: 0; width: 100%; table-layout: fixed; }
.red-ui-help:has(.cniot-help) td, .red-ui-help:has(.cniot-help) th { overflow-wrap: anywhere; }
</style>`;

mkdirSync(outNodes, { recursive: true });
await build({
  stdin: {
    contents: `module.exports = {\n${types.map((t) => `  ${JSON.stringify(t)}: require('./src/nodes/${t}/${t}.ts'),`).join('\n')}\n};\n`,
    resolveDir: root,
    sourcefile: 'runtime.js',
    loader: 'js',
  },
  outfile: join(outNodes, 'runtime.js'),
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  external,
  sourcemap: release ? false : 'linked',
  logLevel: 'warning',
});

await Promise.all(types.map(async (t) => {
  const dir = join(srcNodes, t);
  const out = join(outNodes, t);
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, `${t}.js`), `'use strict';\nmodule.exports = require('../runtime.js')[${JSON.stringify(t)}];\n`);
  const editor = await build({
    entryPoints: [join(dir, 'editor.ts')],
    bundle: true,
    format: 'iife',
    target: 'es2020',
    write: false,
    logLevel: 'warning',
  });
  const rawTemplate = readFileSync(join(dir, 'editor.html'), 'utf8');
  const template = withPartials(rawTemplate);
  writeFileSync(join(out, `${t}.html`),
    `<script type="text/javascript">\n${editor.outputFiles[0].text}</script>\n\n` +
    `<script type="text/html" data-template-name="${t}">\n${template.trim()}\n</script>\n\n${HELP_STYLE}\n`);
  for (const lang of ['en-US', 'zh-CN']) {
    const from = join(dir, 'locales', lang);
    const to = join(out, 'locales', lang);
    mkdirSync(to, { recursive: true });
    const messages = join(from, 'messages.json');
    const catalog = existsSync(messages) ? JSON.parse(readFileSync(messages, 'utf8')) : {};
    catalog.status = STATUS_TEXTS[lang];
    for (const key of ['codes', 'logs']) {
      if (catalog[key]) throw new Error(`src/nodes/${t}/locales/${lang}/messages.json may not hold "${key}": the build fills it from src/lib/log-texts.ts`);
      catalog[key] = LOG_TEXTS[lang][key];
    }
    // Each included partial brings its labels, under its own key, into this node's catalog.
    for (const name of includedPartials(rawTemplate)) {
      const labels = join(partials, `${name}.${lang}.json`);
      if (existsSync(labels)) catalog[name.replace(/-form$/, '')] = JSON.parse(readFileSync(labels, 'utf8'));
    }
    writeFileSync(join(to, `${t}.json`), JSON.stringify(catalog, null, 2));
    const help = join(from, 'help.md');
    if (!existsSync(help)) throw new Error(`missing ${help}`);
    const rendered = renderHelpRows(readFileSync(help, 'utf8').trim(), `src/nodes/${t}/locales/${lang}/help.md`);
    helpProblems.push(...rendered.problems);
    // The marker lets the package's help stylesheet apply to its own pages only.
    writeFileSync(join(to, `${t}.html`), `<script type="text/markdown" data-help-name="${t}">\n${rendered.text}\n\n<span class="cniot-help"></span>\n</script>\n`);
  }
  const icon = /\bicon:\s*['"]([\w.-]+)['"]/.exec(readFileSync(join(dir, 'editor.ts'), 'utf8'))?.[1];
  if (icon && existsSync(join(root, 'icons', icon))) {
    mkdirSync(join(out, 'icons'), { recursive: true });
    cpSync(join(root, 'icons', icon), join(out, 'icons', icon));
  }
}));
if (helpProblems.length) {
  console.error(helpProblems.join('\n'));
  process.exit(1);
}
console.log(`built ${types.length} node types: ${types.join(', ')}`);
