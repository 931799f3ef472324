// The fuzz run's report: a table of cases, failures by kind and cases/s per surface, then each
// surface's failures grouped by message, with the first reproducers of each group.

import { FINDING_KINDS, oneLine, reproducer, type FindingKind } from './case.ts';
import { PROTO_NAMES } from './mutate.ts';
import type { CaseFinding, SurfaceReport } from './pool.ts';

const PROTO = new RegExp(`\\b(${PROTO_NAMES.join('|')})\\b`, 'g');

function pad(s: string | number, n: number, right = false): string {
  const t = typeof s === 'number' ? s.toLocaleString('en-US') : s;
  return right ? t.padEnd(n) : t.padStart(n);
}

/** Failures grouped by kind and message (numbers and quoted text folded), each with its first reproducers. */
export function groupFindings(findings: readonly CaseFinding[]): { kind: FindingKind; signature: string; cases: CaseFinding[] }[] {
  const groups = new Map<string, { kind: FindingKind; signature: string; cases: CaseFinding[] }>();
  for (const f of findings) {
    const signature = f.detail
      .replace(/\bfunction [\w$]+\(\) \{ \[native cod[^)]*\)?/g, 'function')
      .replace(PROTO, 'NAME')
      .replace(/\S*\/bpfp-fuzz-[^/\s]*\/\S*/g, 'FILE')
      .replace(/'[^']*'|"[^"]*"|“[^”]*”/g, "'…'")
      .replace(/\b\d+(\.\d+)?\b/g, 'N')
      .replace(/0xN?[0-9a-f]+/gi, 'N');
    const key = `${f.kind}|${signature}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { kind: f.kind, signature, cases: [] }));
    g.cases.push(f);
  }
  return [...groups.values()].sort((a, b) => b.cases.length - a.cases.length);
}

export function printReports(reports: readonly SurfaceReport[], log: (line: string) => void): number {
  const head = `${pad('surface', 16, true)}${pad('cases', 10)}${FINDING_KINDS.map((k) => pad(k, 11)).join('')}${pad('cases/s', 10)}${pad('time', 9)}  slowest case`;
  log(head);
  let failures = 0;
  for (const r of reports) {
    const by = (k: FindingKind): number => r.findings.filter((f) => f.kind === k).length;
    failures += r.findings.length;
    const rate = r.ms > 0 ? Math.round((r.cases * 1000) / r.ms) : 0;
    log(`${pad(r.surface, 16, true)}${pad(r.cases, 10)}${FINDING_KINDS.map((k) => pad(by(k), 11)).join('')}${pad(rate, 10)}${pad(`${(r.ms / 1000).toFixed(1)} s`, 9)}  ${r.surface}:${r.seed}:${r.slowest.index} ${Math.round(r.slowest.ms)} ms`);
  }
  for (const r of reports) {
    if (!r.findings.length && !r.unconfirmed.length) continue;
    log('');
    log(`${r.surface}: ${r.findings.length} failure${r.findings.length === 1 ? '' : 's'}`);
    for (const g of groupFindings(r.findings)) {
      const first = g.cases[0];
      if (!first) continue;
      log(`  ${g.cases.length} × [${g.kind}] ${oneLine(first.detail, 200)}`);
      for (const c of g.cases.slice(0, 3)) log(`      ${c.surface}:${c.seed}:${c.index}   ${reproducer(c.surface, c.seed, c.index)}`);
      if (g.cases.length > 3) log(`      … ${g.cases.length - 3} more: ${g.cases.slice(3, 13).map((c) => c.index).join(', ')}${g.cases.length > 13 ? ', …' : ''}`);
    }
    if (r.unconfirmed.length) {
      const shown = r.unconfirmed.slice(0, 12).map((u) => `${u.surface}:${u.seed}:${u.index}`);
      log(`  (not counted: ${r.unconfirmed.length} case${r.unconfirmed.length === 1 ? '' : 's'} over the limit once but not when run again alone — a busy machine, or a case near the limit: ${shown.join(', ')}${r.unconfirmed.length > 12 ? ', …' : ''})`);
    }
  }
  return failures;
}

