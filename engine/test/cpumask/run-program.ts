// Runs a `.bpf.s` program through the simulated kernel (engine/test/sim.ts: assemble, load with
// the kernel's checks, run once, finish) and hands back the whole outcome — refusal, fault
// or exit with its report — plus the kernel, so tests can look at the objects a map points to.

import type { Kernel } from '../../kernel/kernel.ts';
import type { LoadProblem, RunReport } from '../../kernel/loader.ts';
import type { KptrView } from '../../kernel/maps/types.ts';
import type { KernelProfile } from '../../kernel/profiles.ts';
import { simulate } from '../sim.ts';

export interface RunOptions {
  readonly profile: KernelProfile;
  /** nr_cpu_ids (default 8, as bpfp test-run). */
  readonly cpus?: number;
  /** Initial map contents (the `--maps` JSON). */
  readonly mapContents?: unknown;
  /** A syscall program's ctx_in. */
  readonly ctx?: Uint8Array;
  /** Which program of the file (default: the first). */
  readonly section?: string;
}

export type ProgramRun =
  | { readonly kind: 'refused'; readonly problems: readonly LoadProblem[] }
  | { readonly kind: 'fault'; readonly message: string; readonly pc: number }
  | { readonly kind: 'exited'; readonly report: RunReport; readonly kernel: Kernel };

/** Assembles and runs `source`; an assembly error is a mistake in the test, so it throws. */
export function runSource(source: string, o: RunOptions): ProgramRun {
  const r = simulate(source, {
    profile: o.profile,
    cpus: o.cpus ?? 8,
    ...(o.mapContents === undefined ? {} : { maps: o.mapContents }),
    ...(o.ctx ? { ctx: o.ctx } : {}),
    ...(o.section === undefined ? {} : { section: o.section }),
  });
  switch (r.stage) {
    case 'assemble':
      throw new Error(`assembly failed: ${r.errors.join('; ')}`);
    case 'load':
      return { kind: 'refused', problems: r.problems };
    case 'run':
      return { kind: 'fault', message: r.error, pc: r.pc };
    case 'done':
      return { kind: 'exited', report: r.report, kernel: r.program.kernel };
  }
}

/** What a kptr slot holds after the run: the object's type, refcount, state and (for masks) CPUs. */
export interface KptrContents {
  readonly type: string;
  readonly id: number;
  readonly refcount: number;
  readonly state: string;
  readonly cpus: readonly number[];
}

export function kptrContents(kernel: Kernel, k: KptrView): KptrContents | null {
  if (k.ptr === null) return null;
  const ptr = BigInt(k.ptr);
  const obj = kernel.objects.at(Number(ptr & 0xffffffffn) | 0, Number(ptr >> 32n) | 0);
  if (!obj) throw new Error(`kptr ${k.ptr} at offset ${k.offset} points at no kernel object`);
  const cpus = obj.type === 'bpf_cpumask' ? kernel.world.cpusAt(obj.region.start) : [];
  return { type: obj.type, id: obj.id, refcount: kernel.objects.refcount(obj), state: obj.state, cpus };
}
