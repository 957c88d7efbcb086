/**
 * Security rows that need no editor: the kernel's environment (no secrets from the host beyond the
 * allow-list), no listening socket from the KernelClient and `tram run` paths (checked with `ss`), and a
 * static scan of the sample notebooks for code that reaches the network; and `npm start` locked by its secret
 * (lockedStart.ts).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT } from './hosts';
import * as nb from './notebook';
import { descendants, listenersOf, sleep } from './procs';
import { lockedStartRow } from './lockedStart';
import { fileChecks, outcome, runNotebook, tail, type Check } from './runner';
import type { Row } from './table';

/** Secrets planted in the host environment; none may reach a kernel. */
export const SECRETS: Record<string, string> = {
  AWS_SECRET_ACCESS_KEY: 'fault-suite-secret',
  GITHUB_TOKEN: 'fault-suite-token',
  NPM_TOKEN: 'fault-suite-npm',
};

export const ENV_CELL = "console.log('env', JSON.stringify(Object.keys(process.env).sort()));";

export function envCheck(text: string): Check {
  const m = /env (\[.*\])/.exec(text);
  if (!m) return { ok: false, text: `✗ no env listing: ${JSON.stringify(text.slice(0, 120))}` };
  const names = JSON.parse(m[1]) as string[];
  const leaked = names.filter((n) => n in SECRETS);
  return { ok: leaked.length === 0, text: leaked.length ? `✗ leaked ${leaked.join(', ')}` : `none of ${Object.keys(SECRETS).length} planted secrets; kernel sees ${names.length} vars: ${names.join(' ')}` };
}

// ------------------------------------------------------------------------------------------ network scan

const NETWORK: [string, RegExp][] = [
  ['fetch()', /\bfetch\s*\(/],
  ['XMLHttpRequest', /\bXMLHttpRequest\b/],
  ['WebSocket', /\bWebSocket\b/],
  ['EventSource', /\bEventSource\b/],
  ['node network module', /(?:require|import|importESM)\s*\(\s*['"`](?:node:)?(?:http|https|http2|net|dgram|tls|dns)['"`]/],
  ['node network module', /\bfrom\s+['"](?:node:)?(?:http|https|http2|net|dgram|tls|dns)['"]/],
  ['remote import', /(?:import|importESM)\s*\(\s*['"`]https?:/],
];

/** Code of a notebook (code cells only; comments stripped) or of a .ts source. */
function codeOf(file: string): string {
  const raw = fs.readFileSync(file, 'utf8');
  const code = file.endsWith('.ipynb')
    ? (JSON.parse(raw).cells as { cell_type: string; source: string | string[] }[])
        .filter((c) => c.cell_type === 'code')
        .map((c) => (Array.isArray(c.source) ? c.source.join('') : c.source))
        .join('\n')
    : raw;
  return code.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
}

export function networkUses(file: string): string[] {
  const code = codeOf(file);
  const found: string[] = [];
  for (const [what, re] of NETWORK) {
    const lineNo = code.split('\n').findIndex((l) => re.test(l));
    if (lineNo >= 0) found.push(`${path.basename(file)}: ${what} (code line ${lineNo + 1})`);
  }
  return found;
}

function scanRow(): Row {
  return {
    group: 'security',
    fault: 'sample notebooks reaching the network',
    host: 'static scan',
    expected: 'no fetch/http/https/net/dgram/tls/WebSocket/XMLHttpRequest in notebooks/; the scan catches a planted one',
    async run() {
      const dir = path.join(ROOT, 'notebooks');
      const files = [
        ...fs.readdirSync(dir).filter((f) => f.endsWith('.ipynb')).map((f) => path.join(dir, f)),
        ...(fs.existsSync(path.join(dir, 'src')) ? fs.readdirSync(path.join(dir, 'src')).filter((f) => /\.[mc]?[jt]s$/.test(f)).map((f) => path.join(dir, 'src', f)) : []),
      ];
      const hits = files.flatMap(networkUses);
      const planted = networkUses(path.join(ROOT, 'test', 'fixtures', 'faults', 'network-sample.ipynb'));
      return outcome([
        { ok: files.length > 0, text: `${files.length} files scanned` },
        { ok: hits.length === 0, text: hits.length ? `✗ ${hits.join('; ')}` : 'no network use' },
        { ok: planted.length >= 2, text: planted.length >= 2 ? `planted sample caught (${planted.length})` : `✗ scan missed the planted sample (${planted.join('; ')})` },
      ]);
    },
  };
}

// ------------------------------------------------------------------------------------------ environment

// ------------------------------------------------------------------------------------------ sockets

function socketsRow(): Row {
  return {
    group: 'security',
    fault: 'listening sockets (CLI path)',
    host: 'tram run',
    expected: 'ss -ltunp: no socket listened on by tram, its kernel, or their children while a cell runs',
    timeoutS: 120,
    async run() {
      const checks: Check[] = [];
      // tram run: while the second cell runs.
      let seen: ReturnType<typeof listenersOf> = [];
      let pids: number[] = [];
      const r = await runNotebook('sockets-tram', [ENV_CELL, "require('node:fs').writeFileSync('running', '');\nawait new Promise((r) => setTimeout(r, 3000));"], [], {
        during: async (pid) => {
          const t0 = Date.now();
          const marker = path.join(fs.readlinkSync(`/proc/${pid}/cwd`), 'running');
          while (!fs.existsSync(marker) && Date.now() - t0 < 60_000) await sleep(100);
          pids = [pid, ...descendants(pid).map((p) => p.pid)];
          seen = listenersOf(pids);
        },
      });
      checks.push({ ok: pids.length >= 2 && seen.length === 0, text: seen.length ? `✗ tram run listens: ${JSON.stringify(seen)}` : `tram run: ${pids.length} processes, no socket` });
      checks.push(...fileChecks(r));
      envOfTramRun = r.after ? nb.outputText(r.after.cells[0]) : '';
      return { ...outcome(checks), details: tail(r) };
    },
  };
}

let envOfTramRun: string | undefined;

function envTramRow(): Row {
  return {
    group: 'security',
    fault: 'secrets in the host environment',
    host: 'tram run',
    expected: 'AWS_SECRET_ACCESS_KEY, GITHUB_TOKEN, NPM_TOKEN set in the host: absent from the kernel',
    async run() {
      if (envOfTramRun === undefined) return { pass: false, observed: '✗ the socket row (which prints the environment) did not run' };
      return outcome([envCheck(envOfTramRun)]);
    },
  };
}

export function securityRows(): Row[] {
  return [scanRow(), socketsRow(), envTramRow(), lockedStartRow()];
}
