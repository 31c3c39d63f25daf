/**
 * Help pages state counts from the code's tables (scripts/build.mjs fills `{{fact:name}}` from
 * src/help-facts.ts): no built page keeps a placeholder, and the numbers are the tables' own.
 * The kind/type lists the dialogs draw checkboxes from have their labels and their help lines.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { HELP_FACTS } from '../../src/help-facts';
import { FRAME_KINDS } from '../../src/nodes/gb32960-in/kinds';
import { KINDS } from '../../src/protocols/eztcloud/kinds';
import { DATA_TYPES } from '../../src/protocols/jointech/data-types';
import { ALARM_TYPES } from '../../src/protocols/jointech/enums';

const root = join(__dirname, '..', '..', '..');
const types = readdirSync(join(root, 'src', 'nodes'));
const helpPage = (type: string, lang: string) => readFileSync(join(root, 'nodes', type, 'locales', lang, `${type}.html`), 'utf8');

describe('help facts', () => {
  it('no built help page keeps a {{fact:...}} placeholder', () => {
    assert.ok(types.length > 10, 'the nodes are built');
    for (const t of types) {
      for (const lang of ['en-US', 'zh-CN']) assert.doesNotMatch(helpPage(t, lang), /\{\{\s*fact:/, `${t} ${lang}`);
    }
  });

  it('the jointech-in help gives the alarm table\'s size', () => {
    assert.equal(HELP_FACTS['jointech.alarmTypes.count'], ALARM_TYPES.size);
    assert.match(helpPage('jointech-in', 'en-US'), new RegExp(`\`alarmType\` \\(all ${ALARM_TYPES.size} types\\)`));
    assert.match(helpPage('jointech-in', 'zh-CN'), new RegExp(`全部 ${ALARM_TYPES.size} 种报警`));
  });

  // The per-kind output lists are prose in each language; a kind added to the list must show there too.
  for (const [type, list] of [['eztcloud-in', KINDS], ['jointech-in', DATA_TYPES]] as const) {
    it(`the ${type} help names one output per entry of its list, in both languages`, () => {
      const en = /the outputs are, in order: ([^.]+)\./.exec(helpPage(type, 'en-US'))?.[1];
      const zh = /输出依次为：([^。]+)。/.exec(helpPage(type, 'zh-CN'))?.[1];
      assert.equal(en?.split(', ').length, list.length, `${type} en-US: ${en}`);
      assert.equal(zh?.split('、').length, list.length, `${type} zh-CN: ${zh}`);
    });
  }

  // The dialogs draw a checkbox per entry and label it from the node's catalogue.
  for (const [type, key, list] of [['eztcloud-in', 'kind', KINDS], ['jointech-in', 'type', DATA_TYPES], ['gb32960-in', 'label.kind', FRAME_KINDS]] as const) {
    it(`every entry of the ${type} checkbox list has its label in both languages`, () => {
      for (const lang of ['en-US', 'zh-CN']) {
        let labels: unknown = JSON.parse(readFileSync(join(root, 'nodes', type, 'locales', lang, `${type}.json`), 'utf8'));
        for (const part of key.split('.')) labels = (labels as Record<string, unknown>)[part];
        for (const v of list) assert.equal(typeof (labels as Record<string, unknown>)[v], 'string', `${type} ${lang} ${key}.${v}`);
      }
    });
  }
});
