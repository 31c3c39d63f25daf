// `npm run new-platform -- <name>`: a new MQTT platform from scripts/platform-template/, working
// as it is made: a placeholder protocol (src/protocols/<name>/), an account node and an in node,
// an example flow, an icon, their tests, and the package.json entries. Every template file's path
// and text name the platform as {{name}} (demo-cloud), {{Name}} (DemoCloud), {{camel}}
// (demoCloud) and {{Title}} (Demo Cloud).
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const templates = join(root, 'scripts', 'platform-template');

function fail(text) {
  console.error(`new-platform: ${text}`);
  process.exit(1);
}

/** The platform's name in each form the templates use. */
function nameForms(name) {
  const words = name.split('-');
  const cap = (w) => w.charAt(0).toUpperCase() + w.slice(1);
  return {
    name,
    Name: words.map(cap).join(''),
    camel: words[0] + words.slice(1).map(cap).join(''),
    Title: words.map(cap).join(' '),
  };
}

const fill = (text, forms) => text.replace(/\{\{(name|Name|camel|Title)\}\}/g, (_m, k) => forms[k]);

function templateFiles(dir) {
  return readdirSync(dir).flatMap((entry) => {
    const p = join(dir, entry);
    return statSync(p).isDirectory() ? templateFiles(p) : p.endsWith('.tmpl') ? [p] : [];
  });
}

const name = process.argv[2];
if (!name) fail('usage: npm run new-platform -- <name>   (lower-case letters, digits and dashes, e.g. demo-cloud)');
// A name that starts with a letter keeps the TypeScript identifiers made from it valid.
if (!/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(name)) {
  fail(`"${name}" is not a platform name: use lower-case letters, digits and single dashes, starting with a letter (e.g. demo-cloud)`);
}
const forms = nameForms(name);
const pkgFile = join(root, 'package.json');
const pkg = JSON.parse(readFileSync(pkgFile, 'utf8'));
const types = [`${name}-account`, `${name}-in`];

const planned = templateFiles(templates).map((from) => ({
  from,
  to: join(root, fill(relative(templates, from), forms).replace(/\.tmpl$/, '')),
}));
const taken = [
  ...[`src/protocols/${name}`, ...types.map((t) => `src/nodes/${t}`)].filter((d) => existsSync(join(root, d))),
  ...planned.filter((f) => existsSync(f.to)).map((f) => relative(root, f.to)),
  ...types.filter((t) => pkg['node-red'].nodes[t]).map((t) => `package.json node-red.nodes "${t}"`),
];
if (taken.length) {
  const shown = [...new Set(taken)];
  const more = shown.length > 6 ? ` and ${shown.length - 6} more` : '';
  fail(`platform "${name}" exists already; nothing written. Present: ${shown.slice(0, 6).join(', ')}${more}`);
}

for (const { from, to } of planned) {
  mkdirSync(dirname(to), { recursive: true });
  writeFileSync(to, fill(readFileSync(from, 'utf8'), forms));
}
for (const t of types) pkg['node-red'].nodes[t] = `nodes/${t}/${t}.js`;
writeFileSync(pkgFile, `${JSON.stringify(pkg, null, 2)}\n`);

console.log(`Platform "${name}" created:`);
for (const { to } of planned) console.log(`  ${relative(root, to)}`);
console.log(`  package.json (node-red.nodes: ${types.join(', ')})`);
console.log(`
Next steps:
  1. Write the platform's document into src/protocols/${name}/: topics.ts (topics and KINDS),
     messages.ts (one zod schema per kind), account.ts (what the account stores).
  2. Follow them in the nodes (src/nodes/${name}-account/, src/nodes/${name}-in/), their
     locales (en-US and zh-CN messages.json and help.md), examples/${name}-in.json and the tests.
  3. npm run pretest, then the new tests:
       npx mocha --no-config --timeout 60000 --exit .build/test/protocols/${name}.spec.js .build/test/nodes/${name}-in.spec.js
     and npm test for everything (help pages, dialogs and examples in the editor too).`);
