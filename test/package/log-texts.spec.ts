/**
 * Every error code a node can log has its text in English and Chinese in every node's built
 * catalogue, and the Chinese texts use no placeholder the code's errors do not carry. The codes
 * are read from the sources (each place that names one), so a new code without texts fails here.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Reader } from '../../src/protocols/gb32960/binary';
import { decodeFrame } from '../../src/protocols/gb32960/codec';
import { describe as describeError } from '../../src/lib/log-text';
import { checkedUploadTopic } from '../../src/protocols/jointech/topics';

const root = join(__dirname, '..', '..', '..');
const LANGS = ['en-US', 'zh-CN'] as const;

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return name === 'editor' ? [] : sources(p);
    return p.endsWith('.ts') && !p.endsWith('editor.ts') ? [p] : [];
  });
}
const files = sources(join(root, 'src')).map((p) => ({ file: relative(root, p), text: readFileSync(p, 'utf8') }));

/** Where the sources name an error code, and what details that construction passes. */
interface CodeSite { code: string; file: string; line: string; details: boolean }
const SITES: CodeSite[] = [];
const PATTERNS: Array<[RegExp, boolean]> = [
  [/new (?:ProtocolError|PublishFailure)\(\s*'([a-z-]+)'/g, true],
  // mqtt-topic's invalidTopic(code, ...) and the webhook's refuse(res, status, code, ...).
  [/invalidTopic\('([a-z-]+)'/g, false],
  [/refuse\(res, \d+, '([a-z-]+)'/g, false],
  // Requests given up (timeout, node stopped): giveUp(request, code, why).
  [/giveUp\([\w.]+, '([a-z-]+)'/g, false],
  // Jointech command replies: the failure table and its default (commands.ts).
  [/\[\/[^\]]+\/i, '([a-z-]+)'\]/g, false],
  [/FAILURES\.find\(.*\?\? '([a-z-]+)'/g, false],
];
for (const { file, text } of files) {
  for (const [re, details] of PATTERNS) {
    for (const m of text.matchAll(re)) {
      const start = text.lastIndexOf('\n', m.index) + 1;
      const end = text.indexOf('\n', m.index);
      SITES.push({ code: m[1]!, file, line: text.slice(start, end), details });
    }
  }
}
const CODES = [...new Set(SITES.map((s) => s.code))].sort();

/**
 * Constructions whose code is not written out: each passes on a code named elsewhere (a caught
 * error's, a refusal's, a parameter filled by one of the sites above). A new form is listed here
 * only once its codes are among the sites.
 */
const PASSED_ON: Array<[form: string, codes: string[]]> = [
  ['new ProtocolError(e.code,', []], // gb32960-server/platform.ts: a decode error, with the VIN added
  ['new ProtocolError(err.code,', []], // typed-property.ts: a refused msg/context/env value, with its source named
  ['new ProtocolError(r.code, r.error)', []], // jointech-in: the webhook's refusal code
  ['new ProtocolError(code,', []], // giveUp / invalidTopic / failWaiting parameters
  ["new ProtocolError(reply.failure ?? 'platform-error',", ['platform-error']], // the failure table's codes
  ['new ProtocolError(error.code,', []], // iotos-device: a downlink error, with the reply added
  ["new ProtocolError(k === 'device' ? 'bad-device' : 'bad-command',", ['bad-device', 'bad-command']], // eztcloud-out
];

function catalogue(type: string, lang: string): { codes: Record<string, string>; logs: Record<string, string> } {
  return JSON.parse(readFileSync(join(root, 'nodes', type, 'locales', lang, `${type}.json`), 'utf8'));
}
const types = readdirSync(join(root, 'src', 'nodes'));
const placeholders = (t: string) => [...t.matchAll(/__(\w+)__/g)].map((m) => m[1]!).sort();
/** A construction's text with its strings taken out, so only the details object's keys remain. */
const withoutStrings = (line: string) => line.replace(/`(?:[^`\\]|\\.)*`|'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"/g, '""');

describe('runtime texts: error codes and warnings in every language', () => {
  it('finds the codes the sources name', () => {
    assert.ok(CODES.length >= 60, `only ${CODES.length} codes found: the patterns no longer match the sources`);
    for (const c of ['bad-json', 'truncated', 'closed', 'queue-full', 'unsupported-type', 'device-offline', 'platform-error', 'timeout', 'bad-filter']) {
      assert.ok(CODES.includes(c), c);
    }
  });

  it('knows where every code that is not written out comes from', () => {
    const dynamic = files.flatMap(({ file, text }) => [...text.matchAll(/new (?:ProtocolError|PublishFailure)\(\s*(?!')[^\n]*/g)].map((m) => ({ file, text: m[0] })));
    assert.ok(dynamic.length > 0);
    for (const d of dynamic) assert.ok(PASSED_ON.some(([form]) => d.text.startsWith(form)), `${d.file}: ${d.text.slice(0, 90)}: a code from a new place`);
    for (const [, codes] of PASSED_ON) for (const c of codes) assert.ok(CODES.includes(c), c);
  });

  it('has a text for every code in English and Chinese in every node\'s catalogue', () => {
    for (const type of types) {
      for (const lang of LANGS) {
        const { codes } = catalogue(type, lang);
        const missing = CODES.filter((c) => typeof codes[c] !== 'string' || codes[c].trim() === '');
        assert.deepEqual(missing, [], `${type} ${lang}`);
        if (lang === 'zh-CN') for (const c of CODES) assert.match(codes[c]!, /[\u4e00-\u9fff]/, `${c} in Chinese`);
      }
    }
  });

  it('uses in each code\'s texts only placeholders every error of that code carries', () => {
    const texts = catalogue('jointech-in', 'zh-CN').codes;
    for (const code of CODES) {
      const wanted = [...new Set([...placeholders(texts[code]!), ...placeholders(catalogue('jointech-in', 'en-US').codes[code]!)])].filter((p) => p !== 'message');
      for (const site of SITES.filter((s) => s.code === code)) {
        const bare = withoutStrings(site.line);
        for (const p of wanted) {
          assert.ok(site.details && new RegExp(`[{,]\\s*${p}\\s*[,:}]`).test(bare), `${site.file}: ${code} uses __${p}__ but this error has no details.${p}: ${site.line.trim()}`);
        }
      }
    }
  });

  it('has the same warnings, with the same placeholders, in both languages', () => {
    const en = catalogue('gb32960-server', 'en-US').logs;
    const zh = catalogue('gb32960-server', 'zh-CN').logs;
    assert.deepEqual(Object.keys(zh).sort(), Object.keys(en).sort());
    for (const k of Object.keys(en)) assert.deepEqual([...new Set(placeholders(zh[k]!))], [...new Set(placeholders(en[k]!))], k);
  });

  /** RED._ as Node-RED's i18n answers a node module: the node's catalogue, `__name__` filled. */
  const redIn = (type: string) => {
    const zh = catalogue(type, 'zh-CN');
    return {
      _: (key: string, params: Record<string, unknown> = {}) => {
        const t = key.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], zh);
        return typeof t === 'string' ? t.replace(/__(\w+)__/g, (m, k: string) => (k in params ? String(params[k]) : m)) : key;
      },
    };
  };
  const caught = (f: () => unknown) => {
    try { f(); } catch (err) { return err; }
    throw new Error('no error');
  };

  it('fills the Chinese text of real decoder errors completely', () => {
    const RED = redIn('gb32960-decode');
    const truncated = describeError(RED, caught(() => new Reader(Buffer.from([1, 2]), 0).uint(4, 'mileage')));
    assert.equal(truncated, '数据不完整：在第 0 字节处结束，mileage 还需 4 字节');
    // GB/T 32960.3-2016 table 2: 24 header bytes, the data unit, one check byte.
    const header = Buffer.concat([Buffer.from('##'), Buffer.from([0x02, 0xfe]), Buffer.from('LB9A32A19K0LS0001'), Buffer.from([0x01, 0x00, 0x0a])]);
    const short = describeError(RED, caught(() => decodeFrame(Buffer.concat([header, Buffer.alloc(5)]))));
    assert.equal(short, '帧长度不符：报头声明数据单元 10 字节（帧应比它多 25 字节），而帧实际 29 字节');
    const start = describeError(RED, caught(() => decodeFrame(Buffer.from('@@0000'))));
    assert.doesNotMatch(start, /__\w+__/);
    assert.match(start, /^不是 GB\/T 32960 帧/);
    // An error without a code, and a code with no text, keep their English message.
    assert.equal(describeError(RED, new Error('plain')), 'plain');
    assert.equal(describeError(RED, Object.assign(new Error('odd'), { code: 'no-such-code' })), 'odd');
  });

  it('names a code\'s problem in Chinese so that it fits every place that raises it', () => {
    // bad-topic: a publish topic mqtt.js refuses, and a Jointech upload topic (upload/{accessKey}/{deviceNum}/{type},
    // Jointech open platform document) that arrived with an empty device level.
    const received = describeError(redIn('jointech-in'), caught(() => checkedUploadTopic('upload/AK1//location', 'AK1')));
    assert.equal(received, '主题无效：topic "upload/AK1//location" has an empty device level');
  });
});
