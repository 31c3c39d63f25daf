/**
 * A plain Node-RED process, started the way an operator starts it: node-red's own `red.js` with a
 * settings file in a fresh user directory, this package installed there as a module, flows
 * deployed through the admin HTTP API. Only the settings a test passes differ from Node-RED's
 * defaults (so `httpAdminRoot` and `httpNodeRoot` are `/` unless given).
 *
 * What the flows see comes back over the process's IPC channel: a `report` function in
 * functionGlobalContext for function nodes, and a log handler for warnings and errors.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from './red';

const root = join(__dirname, '..', '..', '..');

/** Something the process reported: a function node's `report(...)` or a log record. */
export type Report = { kind: string } & Record<string, any>;

export interface RedProcess {
  /** http://127.0.0.1:port, without the admin or node root. */
  origin: string;
  /** The settings the process was started with (besides the test plumbing). */
  settings: Record<string, unknown>;
  /** The URL under which RED.httpNode serves `path`. */
  nodeUrl(path: string): string;
  reports: Report[];
  /** Deploys `nodes` (one tab is added) through POST <admin root>/flows. */
  deploy(nodes: Array<Record<string, unknown>>): Promise<void>;
  stop(): Promise<void>;
}

function settingsFile(settings: Record<string, unknown>): string {
  return `module.exports = Object.assign({
  uiPort: 0,
  uiHost: '127.0.0.1',
  flowFile: 'flows.json',
  credentialSecret: false,
  telemetry: { enabled: false, updateNotification: false },
  functionGlobalContext: { report: (m) => process.send && process.send(m) },
  logging: {
    console: { level: 'off' },
    ipc: {
      level: 'info', metrics: false, audit: false,
      handler: () => (r) => process.send && process.send({ kind: 'log', level: r.level, msg: String(r.msg), id: r.id, type: r.type }),
    },
  },
}, ${JSON.stringify(settings)});
`;
}

/**
 * A text of Node-RED's own runtime catalogue in `lang` (settings.js `lang`; en-US when unset), as
 * its log shows it, with `__name__` placeholders left for the caller to match.
 */
export function coreText(lang: string | undefined, key: string): string {
  const catalog = require(`@node-red/runtime/locales/${lang ?? 'en-US'}/runtime.json`) as Record<string, unknown>;
  const text = key.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], catalog);
  if (typeof text !== 'string') throw new Error(`Node-RED has no runtime text ${key} in ${lang}`);
  return text;
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export async function startRedProcess(settings: Record<string, unknown> = {}): Promise<RedProcess> {
  const pkg = require(join(root, 'package.json')) as { name: string };
  const userDir = mkdtempSync(join(tmpdir(), 'cniot-red-'));
  const modDir = join(userDir, 'node_modules', ...pkg.name.split('/'));
  mkdirSync(join(modDir, '..'), { recursive: true });
  symlinkSync(root, modDir, 'dir');
  writeFileSync(join(userDir, 'package.json'), JSON.stringify({ name: 'cniot-red-process', private: true }));
  writeFileSync(join(userDir, 'settings.js'), settingsFile(settings));
  const child: ChildProcess = fork(require.resolve('node-red/red.js'), ['--userDir', userDir, '--settings', join(userDir, 'settings.js')], {
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
  const reports: Report[] = [];
  child.on('message', (m: Report) => reports.push(m));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));

  const lang = typeof settings.lang === 'string' ? settings.lang : undefined;
  // Node-RED logs these in the language it runs in.
  const nowRunning = new RegExp(escapeRe(coreText(lang, 'server.now-running')).replace('__listenpath__', '(.*)'));
  const startedFlows = new RegExp(escapeRe(coreText(lang, 'nodes.flows.started-flows')));
  const running = await waitFor(() => {
    if (child.exitCode !== null) throw new Error(`Node-RED exited: ${stderr}`);
    const line = reports.find((r) => r.kind === 'log' && nowRunning.test(r.msg));
    return line && /http:\/\/127\.0\.0\.1:(\d+)/.exec(line.msg);
  }, 'Node-RED to listen', 30_000);
  // The (empty) flow file's start is logged on its own time; a deploy must not mistake it for its own.
  await waitFor(() => reports.some((r) => r.kind === 'log' && startedFlows.test(r.msg)), 'the first flows to start', 30_000);
  const origin = `http://127.0.0.1:${running[1]}`;
  const adminRoot = typeof settings.httpAdminRoot === 'string' ? settings.httpAdminRoot.replace(/\/+$/, '') : '';
  const nodeRoot = typeof settings.httpNodeRoot === 'string' ? settings.httpNodeRoot.replace(/\/+$/, '') : '';

  return {
    origin,
    settings,
    reports,
    nodeUrl: (path) => `${origin}${nodeRoot}${path}`,
    async deploy(nodes) {
      const tab = { id: 'tab1', type: 'tab', label: 'test' };
      const flows = [tab, ...nodes.map((n) => ('wires' in n && !n.z ? { ...n, z: tab.id } : n))];
      const before = reports.length;
      const res = await fetch(`${origin}${adminRoot}/flows`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'Node-RED-Deployment-Type': 'full', 'Node-RED-API-Version': 'v2' },
        body: JSON.stringify({ flows }),
      });
      if (res.status !== 200) throw new Error(`deploy answered ${res.status}: ${await res.text()}`);
      await waitFor(() => reports.slice(before).some((r) => r.kind === 'log' && startedFlows.test(r.msg)), 'flows started', 10_000);
    },
    async stop() {
      child.kill('SIGTERM');
      await exited;
      rmSync(userDir, { recursive: true, force: true });
    },
  };
}
