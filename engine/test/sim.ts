// The simulated kernel as tests use it: assemble a source, load it with the kernel's checks,
// run it once and return what BPF_PROG_TEST_RUN would (or why it was refused or stopped).

import { assemble } from '../asm/index.ts';
import { loadProgram, type LoadProblem, type LoadRequest, type LoadedProgram, type RunReport } from '../kernel/loader.ts';
import { DEFAULT_MAX_INSNS } from '../vm/index.ts';
import type { KernelProfile } from '../kernel/profiles.ts';

export interface SimOptions {
  readonly profile?: KernelProfile;
  readonly cpus?: number;
  readonly section?: string;
  readonly scenario?: unknown;
  readonly maps?: unknown;
  readonly ctx?: Uint8Array;
  readonly data?: Uint8Array;
  readonly maxInsns?: number;
  readonly seed?: number;
  /** The compiled tier (default on); off interprets everything. */
  readonly compile?: boolean;
}

export type SimResult =
  | { readonly stage: 'assemble'; readonly errors: readonly string[] }
  | { readonly stage: 'load'; readonly errors: readonly string[]; readonly problems: readonly LoadProblem[] }
  | { readonly stage: 'run'; readonly error: string; readonly pc: number; readonly program: LoadedProgram }
  | { readonly stage: 'done'; readonly report: RunReport; readonly program: LoadedProgram };

/** Loads a source without running it (the first program, or `section`). */
export function simLoad(source: string, opts: SimOptions = {}): { ok: true; program: LoadedProgram } | { ok: false; stage: 'assemble'; errors: string[] } | { ok: false; stage: 'load'; errors: string[]; problems: readonly LoadProblem[] } {
  const asm = assemble(source);
  if (!asm.ok) return { ok: false, stage: 'assemble', errors: asm.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.line}:${d.col}: ${d.message}`) };
  const sections = asm.sections.filter((s) => s.insns.length > 0);
  const entry = opts.section ? sections.find((s) => s.name === opts.section) : sections[0];
  if (!entry) return { ok: false, stage: 'assemble', errors: ['no program'] };
  const req: LoadRequest = {
    sections: sections.map((s) => ({ name: s.name, kind: s.kind, bytes: s.bytes })),
    entry: entry.name,
    maps: asm.maps,
    ...(asm.license === undefined ? {} : { license: asm.license }),
    profile: opts.profile ?? 'linux-6.18',
    cpus: opts.cpus ?? 8,
    isa: 4,
    maxInsns: opts.maxInsns ?? DEFAULT_MAX_INSNS,
    ...(opts.seed === undefined ? {} : { seed: opts.seed }),
    ...(opts.compile === undefined ? {} : { compile: opts.compile }),
    ...(opts.scenario === undefined ? {} : { scenario: opts.scenario }),
    ...(opts.maps === undefined ? {} : { mapContents: opts.maps }),
    inputs: { ...(opts.ctx ? { ctx: opts.ctx } : {}), ...(opts.data ? { data: opts.data } : {}) },
  };
  const r = loadProgram(req);
  if (!r.ok) return { ok: false, stage: 'load', errors: r.problems.map((p) => `pc ${p.pc}: ${p.message}`), problems: r.problems };
  return { ok: true, program: r.program };
}

export function simulate(source: string, opts: SimOptions = {}): SimResult {
  const l = simLoad(source, opts);
  if (!l.ok) return l.stage === 'load' ? { stage: 'load', errors: l.errors, problems: l.problems } : { stage: 'assemble', errors: l.errors };
  const vm = l.program.vm;
  const status = vm.run();
  if (status !== 'exited') return { stage: 'run', error: vm.faultInfo?.message ?? status, pc: vm.faultInfo?.pc ?? vm.pc, program: l.program };
  return { stage: 'done', report: l.program.finish(), program: l.program };
}

/** Runs and returns the report, or throws with the reason (for tests that expect success). */
export function simReport(source: string, opts: SimOptions = {}): RunReport {
  const r = simulate(source, opts);
  if (r.stage === 'done') return r.report;
  throw new Error(r.stage === 'run' ? `stopped: ${r.error}` : `${r.stage}: ${r.errors.join('; ')}`);
}
