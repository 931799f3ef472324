// Live verification's state: what BPF_PROG_LOAD would answer for the program in the editor,
// as plain data by pc (the worker's `VerifyReply`), and how it reads at source lines. The
// requests themselves are made by app/live-verify.ts; this file holds the data and pure views.

import type { KernelProfile, VerdictExplanation, VerifyReply } from '../../engine/worker/protocol.ts';
import type { Section } from '../../engine/asm/index.ts';
import type { ProblemView } from './program.ts';

export interface Verdict {
  /**
   * idle: nothing to verify (the program does not assemble); pending: a verification is
   * asked for; done: `reply` answers for the program with `key`; unavailable: the worker failed.
   */
  readonly status: 'idle' | 'pending' | 'done' | 'unavailable';
  /** The program (AssembledProgram.key) the verdict is about. */
  readonly key: string;
  readonly profile: KernelProfile;
  readonly reply?: VerifyReply;
  /** Why the verifier is unavailable. */
  readonly message?: string;
}

export const NO_VERDICT: Verdict = Object.freeze({ status: 'idle', key: '', profile: 'linux-6.18' });

/** "linux-6.18" → "Linux 6.18". */
export function profileName(p: KernelProfile): string {
  return p.replace(/^linux-/, 'Linux ');
}

/** The verdict in a few words, as the toolbar says it. */
export function verdictText(v: Verdict): string {
  switch (v.status) {
    case 'idle':
      return v.message ? 'Not verified live' : 'Not verified yet';
    case 'pending':
      return 'Checking…';
    case 'unavailable':
      return 'Verifier unavailable';
    case 'done':
      if (v.reply?.unverified === 'raw') return 'Raw program: not verified';
      return `${profileName(v.profile)} would ${v.reply?.accepted ? 'load' : 'reject'} this`;
  }
}

/** A place in the source an explanation points at. */
export interface VerdictSite {
  readonly pc: number;
  readonly line: number;
  readonly col: number;
  readonly endCol: number;
  readonly message: string;
}

/** A refusal at source lines: the failing instruction, where it began, the causal path. */
export interface RefusalView {
  readonly at: VerdictSite;
  readonly stage: string;
  readonly related: readonly VerdictSite[];
  /** The causal path; `message` is empty. */
  readonly slice: readonly VerdictSite[];
  /** What it means here and what to do (the verifier's message catalogue). */
  readonly explanation?: VerdictExplanation;
}

function site(section: Section | undefined, pc: number, message: string, line?: number): VerdictSite {
  const span = section?.spans[pc];
  if (line) return { pc, line, col: 1, endCol: 2, message };
  return { pc, line: span?.line ?? 1, col: span?.col ?? 1, endCol: span?.endCol ?? 2, message };
}

/** The refusals of a verdict for the program in `section`; empty unless it is done and about that program. */
export function refusalsOf(v: Verdict, key: string, section: Section | undefined): RefusalView[] {
  if (v.status !== 'done' || v.key !== key || !v.reply || v.reply.accepted) return [];
  return v.reply.errors.map((e) => ({
    at: site(section, e.pc, e.message, e.line),
    stage: e.stage,
    related: e.related.map((r) => site(section, r.pc, r.message)),
    slice: e.slice.map((pc) => site(section, pc, '')),
    ...(e.explanation ? { explanation: e.explanation } : {}),
  }));
}

/**
 * The verdict as editor markers: an error at the failing instruction (the kernel's words),
 * with related information at each site where its problem began, and an info marker there.
 */
export function verdictProblems(refusals: readonly RefusalView[]): ProblemView[] {
  const out: ProblemView[] = [];
  for (const r of refusals) {
    out.push({
      severity: 'error',
      message: r.at.message,
      code: r.stage,
      source: 'verifier',
      line: r.at.line,
      col: r.at.col,
      endLine: r.at.line,
      endCol: r.at.endCol,
      ...(r.related.length || r.explanation
        ? {
            related: [
              ...r.related.map((x) => ({ message: x.message, line: x.line, col: x.col, endLine: x.line, endCol: x.endCol })),
              // The hover's last line: the explanation, at the failing instruction itself.
              ...(r.explanation ? [{ message: `why: ${r.explanation.text} — ${r.explanation.suggestion}`, line: r.at.line, col: r.at.col, endLine: r.at.line, endCol: r.at.endCol }] : []),
            ],
          }
        : {}),
    });
    for (const x of r.related) {
      out.push({ severity: 'info', message: `where this began: ${x.message}`, code: 'related', source: 'verifier', line: x.line, col: x.col, endLine: x.line, endCol: x.endCol });
    }
  }
  return out;
}
