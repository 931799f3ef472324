// Cpumask programs for the running kernel: the bytecode of a program text with each kfunc call
// patched to the kernel's own BTF id, the kfuncs it calls, and the features (features.ts) a
// program needs — SYSCALL programs, then each cpumask kfunc, probed with the smallest program
// of ops.ts that calls it — so that a kernel without one leaves its programs out.

import { assemble } from '../../asm/index.ts';
import { kfuncByName } from '../../kernel/kfuncs/ids.ts';
import { BPF_F_SLEEPABLE, SYSCALL_PROGRAMS, type Feature } from '../kernel/features.ts';
import type { KernelRequest } from '../kernel/oracle.ts';
import { programText, type Op } from './ops.ts';
import { VMLINUX_BTF, type VmlinuxFuncs } from './vmlinux-btf.ts';

/** BPF_PSEUDO_KFUNC_CALL: a call's src_reg for a kfunc. */
const PSEUDO_KFUNC_CALL = 2;

/** The smallest case that calls each kfunc (its probe). */
function probeCase(kfunc: string): Op[] {
  const bytes = new Uint8Array(32);
  const cases: Record<string, Op[]> = {
    bpf_cpumask_set_cpu: [{ op: 'set', m: 0, cpu: 0n }],
    bpf_cpumask_clear_cpu: [{ op: 'clear', m: 0, cpu: 0n }],
    bpf_cpumask_test_cpu: [{ op: 'test', m: 0, cpu: 0n }],
    bpf_cpumask_test_and_set_cpu: [{ op: 'test_and_set', m: 0, cpu: 0n }],
    bpf_cpumask_test_and_clear_cpu: [{ op: 'test_and_clear', m: 0, cpu: 0n }],
    bpf_cpumask_setall: [{ op: 'setall', m: 0 }],
    bpf_cpumask_clear: [{ op: 'clear_all', m: 0 }],
    bpf_cpumask_full: [{ op: 'full', m: 0 }],
    bpf_cpumask_empty: [{ op: 'empty', m: 0 }],
    bpf_cpumask_first: [{ op: 'first', m: 0 }],
    bpf_cpumask_first_zero: [{ op: 'first_zero', m: 0 }],
    bpf_cpumask_first_and: [{ op: 'first_and', a: 0, b: 1 }],
    bpf_cpumask_weight: [{ op: 'weight', m: 0 }],
    bpf_cpumask_and: [{ op: 'and', d: 0, a: 1, b: 2 }],
    bpf_cpumask_or: [{ op: 'or', d: 0, a: 1, b: 2 }],
    bpf_cpumask_xor: [{ op: 'xor', d: 0, a: 1, b: 2 }],
    bpf_cpumask_equal: [{ op: 'equal', a: 0, b: 1 }],
    bpf_cpumask_intersects: [{ op: 'intersects', a: 0, b: 1 }],
    bpf_cpumask_subset: [{ op: 'subset', a: 0, b: 1 }],
    bpf_cpumask_copy: [{ op: 'copy', d: 0, a: 1 }],
    bpf_cpumask_populate: [{ op: 'populate', m: 0, bytes, size: 8, misaligned: false }],
    // Not observed (the last op is), so neither calls bpf_cpumask_test_cpu.
    bpf_cpumask_any_distribute: [{ op: 'any', m: 0 }, { op: 'word', m: 0, w: 0 }],
    bpf_cpumask_any_and_distribute: [{ op: 'any_and', a: 0, b: 1 }, { op: 'word', m: 0, w: 0 }],
    bpf_cpumask_acquire: [{ op: 'acquire', m: 0 }],
  };
  return cases[kfunc] ?? [];
}

export type KernelProgram = { readonly bytes: Uint8Array; readonly kfuncs: readonly string[] } | { readonly missing: string; readonly kfuncs: readonly string[] };

/**
 * The bytecode of a program text for the kernel (each kfunc call's imm becomes the kernel's
 * BTF id) and the kfuncs it calls in order, once each; or the first kfunc the kernel's BTF
 * lacks. An assembly error or a call the patcher does not understand is a bug of the test.
 */
export function kernelProgram(text: string, funcs: VmlinuxFuncs): KernelProgram {
  const asm = assemble(text);
  const errors = asm.diagnostics.filter((d) => d.severity === 'error');
  const section = asm.sections[0];
  if (errors.length || !section) throw new Error(`assembly failed: ${errors.map((d) => `${d.line}: ${d.message}`).join('; ')}\n${text}`);
  const kfuncs: string[] = [];
  for (const r of section.relocations) if (r.kind === 'kfunc' && !kfuncs.includes(r.name)) kfuncs.push(r.name);
  const missing = kfuncs.find((n) => funcs.funcId(n) === undefined);
  if (missing !== undefined) return { missing, kfuncs };
  const bytes = section.bytes.slice();
  const dv = new DataView(bytes.buffer);
  for (const r of section.relocations) {
    if (r.kind !== 'kfunc') continue;
    const id = funcs.funcId(r.name);
    const ours = kfuncByName(r.name)?.id;
    const at = r.pc * 8;
    // The assembler's encoding: opcode 0x85, src_reg 2 (kfunc), off 0 (vmlinux), imm = our id.
    if (id === undefined || bytes[at] !== 0x85 || (bytes[at + 1] ?? 0) >> 4 !== PSEUDO_KFUNC_CALL || dv.getInt16(at + 2, true) !== 0 || dv.getInt32(at + 4, true) !== ours) {
      throw new Error(`pc ${r.pc}: ${r.name} is not a vmlinux kfunc call the patcher understands`);
    }
    dv.setInt32(at + 4, id, true);
  }
  return { bytes, kfuncs };
}

/** A SYSCALL test_run request for the bytes (sleepable, as syscall programs must be). */
export function syscallRequest(bytes: Uint8Array, ctx?: Uint8Array): KernelRequest {
  return { prog: bytes, type: 'syscall', progFlags: BPF_F_SLEEPABLE, ...(ctx ? { ctx } : {}) };
}

/** libbpf's words for a kfunc the kernel's BTF does not have (what a real loader stops at). */
export function missingFromBtf(kfunc: string): string {
  return `libbpf: extern (func ksym) '${kfunc}': not found in kernel or module BTFs (${VMLINUX_BTF})`;
}

/** The features a cpumask program needs, in the order to ask: SYSCALL programs, create and release, then the rest. */
export function cpumaskFeatures(kfuncs: readonly string[], funcs: VmlinuxFuncs, nrCpus: number, cache: Map<string, Feature>): Feature[] {
  const ordered = [...new Set(['bpf_cpumask_create', 'bpf_cpumask_release', ...kfuncs])];
  return [
    SYSCALL_PROGRAMS,
    ...ordered.map((name) => {
      let f = cache.get(name);
      if (!f) {
        const p = kernelProgram(programText(probeCase(name), nrCpus), funcs);
        f = { name, probe: 'missing' in p ? { unavailable: missingFromBtf(p.missing) } : syscallRequest(p.bytes) };
        cache.set(name, f);
      }
      return f;
    }),
  ];
}
