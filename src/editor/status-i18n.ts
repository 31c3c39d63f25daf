/**
 * Node status texts in the editor's language. The runtime writes them in English from the
 * templates in src/lib/status-texts.ts (so flows with a `status` node see one language); this
 * reads each back with the same templates and shows it through the node's message catalogue
 * (`status.*`, merged in by the build), as Node-RED shows its own nodes' status keys.
 */
import { STATUS_TEXTS, readBack, statusPattern, translateReason } from '../lib/status-texts';

type Translate = (key: string, vars?: Record<string, string>) => string;
const EN = STATUS_TEXTS['en-US'];

const PARTS: Array<[string, ReturnType<typeof statusPattern>]> = [
  ...(['connectingLast', 'disconnected', 'ready', 'connected', 'connecting', 'closed'] as const).map((k) => [`status.${k}`, statusPattern(EN[k])] as [string, ReturnType<typeof statusPattern>]),
  ...(Object.keys(EN.notes) as Array<keyof typeof EN.notes>).map((k) => [`status.notes.${k}`, statusPattern(EN.notes[k])] as [string, ReturnType<typeof statusPattern>]),
];

const ERRORS = [['status.errors', statusPattern(` (${EN.errors})`)], ['status.error', statusPattern(` (${EN.error})`)]] as const;

function translatePart(part: string, t: Translate): string {
  for (const [key, re] of PARTS) {
    const vars = readBack(re, part);
    if (!vars) continue;
    if (vars.reason !== undefined) vars.reason = translateReason(vars.reason, t);
    return t(key, vars);
  }
  return part;
}

/** "connected · 212 received (1 error)" in the language `t` speaks; unknown parts stay as they are. */
export function translateStatus(text: string, t: Translate): string {
  let rest = text;
  let suffix = '';
  for (const [key, re] of ERRORS) {
    const tail = /\s\(\d+ errors?\)$/.exec(rest);
    const m = tail && re.exec(tail[0].replace(/^\s/, ' '));
    if (tail && m) {
      suffix = ` (${t(key, { count: m[1] })})`;
      rest = rest.slice(0, tail.index);
      break;
    }
  }
  return rest.split(' · ').map((p) => translatePart(p, t)).join(' · ') + suffix;
}

interface StatusNode { _: Translate; status?: { text?: string }; dirty?: boolean; dirtyStatus?: boolean }

function translateNode(node: StatusNode | null | undefined, status: { text?: unknown } | undefined): void {
  if (!node || !status || typeof status.text !== 'string' || typeof node._ !== 'function') return;
  // Only nodes of this package carry the status catalogue.
  if (node._('status.ready') === 'status.ready') return;
  const text = translateStatus(status.text, (k, v) => node._(k, v));
  if (text === status.text) return;
  status.text = text;
  node.dirty = true;
  node.dirtyStatus = true;
  RED.view.redrawStatus(node);
}

/** Registers once per editor, whichever node type's script loads first. */
export function translateStatuses(): void {
  const w = window as unknown as { cniotStatusI18n?: boolean };
  if (w.cniotStatusI18n) return;
  w.cniotStatusI18n = true;
  RED.comms.subscribe('status/#', (topic: string, msg: { text?: unknown }) => {
    translateNode(RED.nodes.node(topic.split('/')[1]) as StatusNode | null, msg);
  });
}
