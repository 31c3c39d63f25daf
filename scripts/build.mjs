// Builds what Node-RED loads from src/: for every folder src/nodes/<type>/
//   nodes/<type>/<type>.js     runtime, CommonJS, bundled with its helpers (dependencies stay external)
//   nodes/<type>/<type>.html   editor script (bundled editor.ts) + edit template (editor.html)
//   nodes/<type>/locales/<lang>/<type>.json|.html   labels and help (help written in Markdown)
//   nodes/<type>/icons/*.svg   from icons/
import { build } from 'esbuild';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
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

rmSync(outNodes, { recursive: true, force: true });
const external = [...Object.keys(pkg.dependencies ?? {}), 'node-red'];

await Promise.all(types.map(async (t) => {
  const dir = join(srcNodes, t);
  const out = join(outNodes, t);
  mkdirSync(out, { recursive: true });
  await build({
    entryPoints: [join(dir, `${t}.ts`)],
    outfile: join(out, `${t}.js`),
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    external,
    sourcemap: 'linked',
    logLevel: 'warning',
  });
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
    `<script type="text/html" data-template-name="${t}">\n${template.trim()}\n</script>\n`);
  for (const lang of ['en-US', 'zh-CN']) {
    const from = join(dir, 'locales', lang);
    const to = join(out, 'locales', lang);
    mkdirSync(to, { recursive: true });
    const messages = join(from, 'messages.json');
    const catalog = existsSync(messages) ? JSON.parse(readFileSync(messages, 'utf8')) : {};
    // Each included partial brings its labels, under its own key, into this node's catalog.
    for (const name of includedPartials(rawTemplate)) {
      const labels = join(partials, `${name}.${lang}.json`);
      if (existsSync(labels)) catalog[name.replace(/-form$/, '')] = JSON.parse(readFileSync(labels, 'utf8'));
    }
    writeFileSync(join(to, `${t}.json`), JSON.stringify(catalog, null, 2));
    const help = join(from, 'help.md');
    if (!existsSync(help)) throw new Error(`missing ${help}`);
    writeFileSync(join(to, `${t}.html`), `<script type="text/markdown" data-help-name="${t}">\n${readFileSync(help, 'utf8').trim()}\n</script>\n`);
  }
  cpSync(join(root, 'icons'), join(out, 'icons'), { recursive: true });
}));
console.log(`built ${types.length} node types: ${types.join(', ')}`);
