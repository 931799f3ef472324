// BPF_PROG_LOAD as one pipeline above the kernel and the verifier: the kernel's static checks
// (decode, structure, calls, maps), then the verifier, then binding maps, helpers and kfuncs
// into a loaded program. What the CLI and the worker call to load a program.

import { loadProgram as kernelLoad, type LoadRequest, type LoadResult, type VerifierInput } from '../kernel/loader.ts';
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

export function loadProgram(req: PipelineRequest): PipelineResult {
  const entry = req.sections.find((s) => s.name === req.entry);
  const off = req.verify === false;
  if (off || !entry || !verifiable(entry.kind)) {
    const r = kernelLoad(req);
    return entry && !verifiable(entry.kind) ? { ...r, unverified: 'raw' } : off ? { ...r, unverified: 'switched off' } : r;
  }
  let answer: VerifyResult | undefined;
  const verifier = (p: VerifierInput) => {
    const r = verify({
      insns: p.insns,
      kind: p.kind,
      maps: p.maps,
      gpl: p.gpl,
      profile: p.profile,
      logLevel: req.logLevel ?? 1,
      deviceBound: p.deviceBound,
      ...(p.name === req.entry && req.sourceLines ? { sourceLines: req.sourceLines } : {}),
    });
    if (p.name === req.entry) answer = r;
    return r.errors.map((e) => ({ pc: e.pc ?? 0, stage: 'verifier' as const, message: e.message }));
  };
  const r = kernelLoad({ ...req, verifier });
  return answer ? { ...r, verifier: answer } : r;
}
