/**
 * Every help page as the Help sidebar renders it, in en-US and zh-CN: each documented property
 * (a `: name (type) : description` line of the Markdown source) is a name + type + description
 * row, no Markdown is left raw, and nothing is wider than the sidebar.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { haveChromium, root, startEditor, TYPES, type Editor } from './harness';

declare const RED: any;
const LANGS = ['en-US', 'zh-CN'];

function documentedProperties(type: string, lang: string): string[] {
  const md = readFileSync(join(root, 'src', 'nodes', type, 'locales', lang, 'help.md'), 'utf8');
  return md.split('\n').filter((l) => /^:\s/.test(l)).map((l) => l.slice(1).split('(')[0].trim());
}

interface Rendered { rows: Array<{ name: string; type: string; description: string }>; raw: string[]; tooWide: string[]; title: string }

async function renderedHelp(page: Page, type: string): Promise<Rendered> {
  await page.evaluate((t) => { RED.sidebar.show('help'); RED.sidebar.help.show(t); }, type);
  await page.waitForFunction((t) => {
    const h = document.querySelector('.red-ui-sidebar-help-stack .red-ui-help');
    return !!h && (h.textContent ?? '').length > 50 && (h.querySelector('h1,h2,h3,p') !== null) && (window as any).RED.sidebar.help && t !== '';
  }, type, { timeout: 10000 });
  await page.waitForTimeout(100);
  return page.evaluate(() => {
    const help = document.querySelector('.red-ui-sidebar-help-stack .red-ui-help') as HTMLElement;
    const rows = Array.from(help.querySelectorAll('dl.message-properties > dt')).map((dt) => {
      const dd = dt.nextElementSibling;
      const type = dt.querySelector('.property-type')?.textContent?.trim() ?? '';
      const text = (dt.textContent ?? '').trim();
      return { name: (type && text.endsWith(type) ? text.slice(0, -type.length) : text).trim(), type, description: dd?.tagName === 'DD' ? (dd.textContent ?? '').trim() : '' };
    });
    // Markdown that did not render: emphasis or code marks, or a property line left as text.
    const text = Array.from(help.querySelectorAll('p, li, dd, dt, td')).map((e) => (e as HTMLElement).innerText);
    const raw = text.filter((t) => /\*\*|(^|\s)`|`(\s|$)|^\s*:\s*\w+\s*\(/m.test(t));
    const limit = help.getBoundingClientRect().right + 0.5;
    const tooWide = Array.from(help.querySelectorAll('*'))
      .filter((e) => e.getBoundingClientRect().right > limit && (e as HTMLElement).offsetParent !== null)
      .map((e) => `${e.tagName.toLowerCase()}: ${(e.textContent ?? '').slice(0, 60)}`);
    if (help.scrollWidth > help.clientWidth + 1) tooWide.push(`help panel scrolls sideways (${help.scrollWidth} > ${help.clientWidth})`);
    return { rows, raw, tooWide, title: document.querySelector('.red-ui-sidebar-help-stack .red-ui-help h1, .red-ui-sidebar-help-stack .red-ui-help-title')?.textContent ?? '' };
  });
}

describe('editor: help pages in the Help sidebar', function () {
  this.timeout(300000);
  let editor: Editor;
  const pages: Record<string, Page> = {};

  before(async function () {
    if (!haveChromium()) this.skip();
    editor = await startEditor({ name: 'help' });
    pages['en-US'] = editor.page;
    pages['zh-CN'] = await editor.openPage('zh-CN');
  });
  after(async () => { await editor?.stop(); });

  for (const lang of LANGS) {
    it(`${lang}: every documented property is a name + type + description row, nothing raw or too wide`, async () => {
      const page = pages[lang];
      const problems: string[] = [];
      for (const type of TYPES) {
        const expected = documentedProperties(type, lang);
        const got = await renderedHelp(page, type);
        const names = got.rows.map((r) => r.name);
        if (names.length !== expected.length || expected.some((n, i) => names[i] !== n)) {
          problems.push(`${type}: documents [${expected.join(', ')}], renders [${names.join(', ')}]`);
        }
        for (const r of got.rows) if (!r.type || !r.description) problems.push(`${type}: row ${r.name} lacks a type or description`);
        for (const r of got.raw) problems.push(`${type}: raw Markdown: ${r.slice(0, 100)}`);
        for (const w of got.tooWide) problems.push(`${type}: wider than the sidebar: ${w}`);
      }
      assert.deepEqual(problems, []);
    });
  }

  it('zh-CN pages are the Chinese ones', async () => {
    for (const type of TYPES) {
      await renderedHelp(pages['zh-CN'], type);
      const text = await pages['zh-CN'].locator('.red-ui-sidebar-help-stack .red-ui-help').first().innerText();
      assert.match(text, /[\u4e00-\u9fff]/, `${type} help in Chinese`);
    }
  });

  it('logged no browser console errors', () => {
    assert.deepEqual(editor.errors, []);
  });
});
