// BPF_PROG_LOAD as one pipeline above the kernel and the verifier: the kernel's static checks
// (decode, structure, calls, maps), then the verifier, then binding maps, helpers and kfuncs
// into a loaded program. What the CLI and the worker call to load a program.

import { checkLoad, loadProgram as kernelLoad, type LoadProblem, type LoadRequest, type LoadResult, type VerifierInput } from '../kernel/loader.ts';
import { verify, type LogLevel, type VerifyResult } from '../verifier/index.ts';

export interface PipelineRequest extends Omit<LoadRequest, 'verifier'> {
  /**
   * false: run unverified (`--no-verify`, the playground's "run unverified" switch), for
   * studying the interpreter; runtime faults still protect the run. Default true.
   */
  readonly verify?: boolean;
  /** The verifier log's level (default 1: the failing path). */
  readonly logLevel?: LogLevel;
  /** Source text per pc of the entry program, for `; line` comments in the log. */
  readonly sourceLines?: readonly (string | undefined)[];
  /** Ask the verifier for a refusal's explanation data (related sites, path, slice). */
  readonly explain?: boolean;
  /** With `explain`: record the verifier's beliefs along the failing path too (default true). */
  readonly beliefs?: boolean;
}

export type PipelineResult = LoadResult & {
  /** The verifier's answer for the entry program (absent when it did not run). */
  readonly verifier?: VerifyResult;
  /** It was not verified: a raw program (no such program type in Linux) or verification was switched off. */
  readonly unverified?: 'raw' | 'switched off';
};

/** Whether a program of this kind goes through the verifier (raw is bpf_conformance's, not Linux's). */
export function verifiable(kind: { readonly progType: string }): boolean {
  return kind.progType !== 'raw';
}

/** The verifier as the kernel's load calls it; `answer` receives the entry program's result. */
function verifierFor(req: PipelineRequest, answer: (r: VerifyResult) => void): (p: VerifierInput) => readonly LoadProblem[] {
  return (p) => {
    const r = verify({
      insns: p.insns,
      kind: p.kind,
      maps: p.maps,
      gpl: p.gpl,
      profile: p.profile,
      logLevel: req.logLevel ?? 1,
      deviceBound: p.deviceBound,
      ...(req.explain && p.name === req.entry ? { explain: true, ...(req.beliefs === false ? { beliefs: false } : {}) } : {}),
      ...(p.name === req.entry && req.sourceLines ? { sourceLines: req.sourceLines } : {}),
    });
    if (p.name === req.entry) answer(r);
    return r.errors.map((e) => ({ pc: e.pc ?? 0, stage: 'verifier' as const, message: e.message }));
  };
}

/** BPF_PROG_LOAD's answer without running anything (`bpfp verify`): the checks, then the verifier. */
export function verifyProgram(req: PipelineRequest): { readonly ok: boolean; readonly problems: readonly LoadProblem[]; readonly verifier?: VerifyResult } {
  let answer: VerifyResult | undefined;
  const r = checkLoad({ ...req, verifier: verifierFor(req, (v) => (answer = v)) });
  const problems = r.ok ? [] : r.problems;
  return answer ? { ok: r.ok, problems, verifier: answer } : { ok: r.ok, problems };
}

export function loadProgram(req: PipelineRequest): PipelineResult {
  const entry = req.sections.find((s) => s.name === req.entry);
  const off = req.verify === false;
  if (off || !entry || !verifiable(entry.kind)) {
    const r = kernelLoad(req);
    return entry && !verifiable(entry.kind) ? { ...r, unverified: 'raw' } : off ? { ...r, unverified: 'switched off' } : r;
  }
  let answer: VerifyResult | undefined;
  const verifier = verifierFor(req, (v) => (answer = v));
  const r = kernelLoad({ ...req, verifier });
  return answer ? { ...r, verifier: answer } : r;
}
