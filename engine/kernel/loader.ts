// BPF_PROG_LOAD for the simulated kernel: decodes a program, makes the kernel's load-time
// checks (structure, helpers and kfuncs allowed for the program type and profile, the GPL rule,
// map and function references), builds the kernel, the maps and the context, and hands back a
// VM ready to run. Every refusal is a problem with a pc, never an exception.

import { decodeProgram, formOf, type Insn, type IsaLevel } from '../isa/index.ts';
import type { MapDecl, SectionKind } from '../program/program.ts';
import { checkFramePointerWrites, checkRunnable, checkStructure, type StructureError } from '../program/structure.ts';
import { GuestMemory, Vm, type VmTier } from '../vm/index.ts';
import { buildContext, type BuiltContext, type ContextInputs } from './context.ts';
import { helperDeclById } from './helpers/registry.ts';
import { helperRefusal, Kernel, kfuncRefusal, type Leak } from './kernel.ts';
import { XDP_METADATA_KFUNCS } from './kfuncs/decls.ts';
import { kfuncDecl } from './kfuncs/ids.ts';
import { ProgArrayMap, type MapView } from './maps/map-set.ts';
import type { KernelProfile } from './profiles.ts';
import { parseScenario } from './scenario.ts';
import { functionPointer } from './services.ts';
import type { TraceLine } from './trace/pipe.ts';

export interface ProgramSource {
  readonly name: string;
  readonly kind: SectionKind;
  readonly bytes: Uint8Array;
}

export interface LoadRequest {
  /** Every program of the file (a tail call may enter any of them). */
  readonly sections: readonly ProgramSource[];
  /** The one to run. */
  readonly entry: string;
  readonly maps: readonly MapDecl[];
  readonly license?: string;
  readonly profile: KernelProfile;
  readonly cpus: number;
  readonly isa: IsaLevel;
  readonly maxInsns: number;
  readonly seed?: number;
  /** Scenario JSON (tasks, cgroups, the tracepoint's event); default scenario when absent. */
  readonly scenario?: unknown;
  /** Map contents before the run (the MapSet.initialize contract). */
  readonly mapContents?: unknown;
  readonly inputs?: ContextInputs;
  /** false: interpret everything (the counterexample search, the fuzzers). Absent or true: `tier` decides. */
  readonly compile?: boolean;
  /**
   * The tier that runs each program of the file when not debugging (VmOptions.tier): `bpfp
   * --tier`, the playground's Tier setting. Absent: chosen per program (VmTier 'auto'), or
   * the interpreter when `compile` is false. Results must not differ.
   */
  readonly tier?: VmTier;
  /**
   * The verifier, run on each program after the kernel's static checks and before anything is
   * bound (engine/load passes it in; the kernel does not depend on the verifier). Its problems
   * refuse the load. Absent: the program runs unverified.
   */
  readonly verifier?: (program: VerifierInput) => readonly LoadProblem[];
}

/** What the load pipeline hands the verifier for one program. */
export interface VerifierInput {
  readonly name: string;
  readonly kind: SectionKind;
  readonly insns: readonly (Insn | null)[];
  readonly maps: readonly MapDecl[];
  readonly gpl: boolean;
  readonly profile: KernelProfile;
  /** It calls XDP metadata kfuncs (loaded with BPF_F_XDP_DEV_BOUND_ONLY). */
  readonly deviceBound: boolean;
}

/** The metadata kfuncs a program calls: calling any binds it to a device (net/core/xdp.c). */
export function metadataKfuncsCalled(insns: readonly (Insn | null)[]): string[] {
  const names = new Set<string>();
  for (const insn of insns) {
    if (insn?.kind === 'call' && insn.target === 'kfunc') {
      const d = kfuncDecl(insn.imm);
      if (d && XDP_METADATA_KFUNCS.has(d.name)) names.add(d.name);
    }
  }
  return [...names];
}

export interface LoadProblem {
  readonly pc: number;
  readonly message: string;
  readonly stage: 'decode' | 'structure' | 'call' | 'map' | 'context' | 'scenario' | 'verifier';
  /** The source line of the declaration it concerns (a refused .map), when it is not about an instruction. */
  readonly line?: number;
}

export interface RunReport {
  /** test_run's retval: the low 32 bits of r0. */
  readonly retval: number;
  readonly r0: bigint;
  readonly dataOut?: Uint8Array;
  readonly ctxOut?: Uint8Array;
  readonly trace: readonly TraceLine[];
  readonly maps: readonly MapView[];
  readonly leaks: readonly Leak[];
}

export interface LoadedProgram {
  readonly vm: Vm;
  readonly kernel: Kernel;
  readonly context: BuiltContext;
  readonly section: ProgramSource;
  /** Every program of the file, decoded (tail calls, and the tc program that sees passed packets). */
  readonly programs: ReadonlyMap<string, readonly (Insn | null)[]>;
  /** It calls metadata kfuncs, so it is bound to the emulated NIC (BPF_F_XDP_DEV_BOUND_ONLY). */
  readonly deviceBound: boolean;
  /**
   * Another program of the file, on the same kernel (maps, objects, memory): the tc program that
   * sees passed packets, the XDP program of a peer device. Checked as a load would check it.
   */
  attach(name: string, inputs: ContextInputs): { ok: true; attached: AttachedProgram } | { ok: false; problems: readonly LoadProblem[] };
  /** Ends the run: leaks and the end of the grace period (what the playground's debugger needs). */
  end(): RunEnd;
  /** Ends the run (as `end`) and says what test_run reports: every map in full, among the rest. */
  finish(): RunReport;
}

/** What the end of a run leaves: the references still held. */
export interface RunEnd {
  readonly leaks: readonly Leak[];
}

export interface AttachedProgram {
  readonly vm: Vm;
  readonly context: BuiltContext;
  readonly section: ProgramSource;
  readonly deviceBound: boolean;
}

export type LoadResult = { readonly ok: true; readonly program: LoadedProgram } | { readonly ok: false; readonly problems: readonly LoadProblem[] };

/** Licenses the kernel counts as GPL-compatible (include/linux/license.h). */
const GPL_COMPATIBLE = new Set(['GPL', 'GPL v2', 'GPL and additional rights', 'Dual BSD/GPL', 'Dual MIT/GPL', 'Dual MPL/GPL']);

/**
 * The kernel's structural checks of one decoded program (its first error), then the write to
 * r10 the verifier would refuse (the loader runs programs without the verifier). A `raw`
 * program (the bpf_conformance convention, no kernel program type) gets only what it needs to
 * run: its suite has unreachable code and loops the kernel's check_cfg would refuse.
 */
function structureProblems(insns: readonly (Insn | null)[], kind: SectionKind): StructureError[] {
  if (kind.progType === 'raw') return checkRunnable(insns);
  const structure = checkStructure(insns);
  return structure.length ? structure : checkFramePointerWrites(insns);
}

/** The Linux release of a profile, as [major, minor]. */
function profileRelease(profile: KernelProfile): [number, number] {
  const m = /(\d+)\.(\d+)/.exec(profile);
  return [Number(m?.[1] ?? 0), Number(m?.[2] ?? 0)];
}

/** What a kernel before the extension says of it (Linux 6.3: kernel/bpf/verifier.c). */
const OLDER_KERNEL_SAYS: Readonly<Record<string, string>> = {
  // resolve_pseudo_ldimm64: bpf_opcode_in_insntable has no BPF_JMP | BPF_JCOND.
  may_goto: 'unknown opcode e5',
  // check_alu_op: a MOV X with off != 0.
  addr_space_cast: 'BPF_MOV uses reserved fields',
};

/** Instructions outside RFC 9669 that the profile's kernel does not have yet (the table's `linux` release). */
function checkProfileForms(insns: readonly (Insn | null)[], profile: KernelProfile): LoadProblem[] {
  const problems: LoadProblem[] = [];
  const [major, minor] = profileRelease(profile);
  insns.forEach((insn, pc) => {
    const form = insn ? formOf(insn) : undefined;
    if (!form?.linux) return;
    const [fMajor, fMinor] = form.linux.split('.').map(Number);
    if ((fMajor ?? 0) < major || ((fMajor ?? 0) === major && (fMinor ?? 0) <= minor)) return;
    const says = OLDER_KERNEL_SAYS[form.id];
    problems.push({
      pc,
      stage: 'structure',
      message: `${form.mnemonic} does not exist in ${profile} (Linux ${form.linux} brought it; the linux-6.18 profile has it)${says ? `; Linux ${major}.${minor} says: ${says}` : ''}`,
    });
  });
  return problems;
}

/** The checks of one decoded program; returns its problems. */
function checkCalls(insns: readonly (Insn | null)[], req: LoadRequest, kind: SectionKind, gpl: boolean): LoadProblem[] {
  const problems: LoadProblem[] = [];
  const sleepable = kind.progType === 'syscall';
  insns.forEach((insn, pc) => {
    if (!insn) return;
    if (insn.kind === 'call' && insn.target === 'helper') {
      const d = helperDeclById(insn.imm);
      const refusal = helperRefusal(d, insn.imm, kind.progType, req.profile);
      if (refusal) problems.push({ pc, stage: 'call', message: refusal });
      else if (d?.gplOnly && !gpl) problems.push({ pc, stage: 'call', message: 'cannot call GPL-restricted function from non-GPL compatible program' });
    }
    if (insn.kind === 'call' && insn.target === 'kfunc') {
      const refusal = kfuncRefusal(kfuncDecl(insn.imm), insn.imm, req.profile, kind.progType, sleepable);
      if (refusal) problems.push({ pc, stage: 'call', message: refusal });
    }
    if (insn.kind === 'ldimm64') {
      if ((insn.pseudo === 1 || insn.pseudo === 2 || insn.pseudo === 5 || insn.pseudo === 6) && !req.maps[insn.imm]) {
        problems.push({ pc, stage: 'map', message: `fd ${insn.imm} is not pointing to valid bpf_map` });
      }
      if (insn.pseudo === 3) problems.push({ pc, stage: 'map', message: 'kernel variables (BPF_PSEUDO_BTF_ID, ksyms) are not part of the simulated kernel' });
    }
  });
  return problems;
}

/** A VM for one program of the file, sharing the kernel's memory, maps and objects. */
function makeVm(kernel: Kernel, decoded: ReadonlyMap<string, readonly (Insn | null)[]>, name: string, req: LoadRequest, ctx: BuiltContext): Vm {
  const host = kernel.host();
  const vm = new Vm(decoded.get(name) ?? [], {
    memory: kernel.mem,
    maxInsns: req.maxInsns,
    // Neither given: the VM chooses per program (VmTier 'auto').
    ...(req.compile === false ? { compile: false } : {}),
    ...(req.tier === undefined ? {} : { tier: req.tier }),
    section: name,
    host: { ...host, packet: () => ctx.packet?.() },
    resolveProgram: (n) => {
      const insns = decoded.get(n);
      return insns ? { name: n, insns } : undefined;
    },
    imm64: (pc, insn) => {
      const asPair = (v: bigint | undefined) => {
        const u = BigInt.asUintN(64, v ?? 0n);
        return { lo: Number(u & 0xffffffffn) | 0, hi: Number(u >> 32n) | 0 };
      };
      switch (insn.pseudo) {
        case 1:
        case 5:
          return asPair(kernel.maps.pointerOf(insn.imm));
        case 2:
        case 6:
          return asPair(kernel.maps.valuePointer(insn.imm, insn.imm2));
        case 4:
          return asPair(functionPointer(pc + 1 + insn.imm));
        default:
          return { lo: insn.imm, hi: insn.imm2 };
      }
    },
  });
  vm.onReset = () => ctx.prepare(vm);
  return vm;
}

/** What BPF_PROG_LOAD's checks leave: every program of the file decoded, and the entry's facts. */
export interface CheckedLoad {
  readonly entry: ProgramSource;
  readonly decoded: ReadonlyMap<string, readonly (Insn | null)[]>;
  readonly gpl: boolean;
  /** The metadata kfuncs the entry calls (it is device-bound when any). */
  readonly bound: readonly string[];
}

/**
 * BPF_PROG_LOAD's checks without building anything: decode, the profile's instruction set,
 * structure, calls and maps, then the verifier when the request has one.
 */
export function checkLoad(req: LoadRequest): { readonly ok: true; readonly checked: CheckedLoad } | { readonly ok: false; readonly problems: readonly LoadProblem[] } {
  const entry = req.sections.find((s) => s.name === req.entry);
  if (!entry) return { ok: false, problems: [{ pc: 0, stage: 'context', message: `no program '${req.entry}' (programs: ${req.sections.map((s) => s.name).join(', ') || 'none'})` }] };
  const decoded = new Map<string, readonly (Insn | null)[]>();
  const gpl = req.license === undefined || GPL_COMPATIBLE.has(req.license);
  const problems: LoadProblem[] = [];
  for (const s of req.sections) {
    const d = decodeProgram(s.bytes, req.isa);
    if (s.name === entry.name) {
      problems.push(...d.errors.map((e) => ({ pc: e.pc, stage: 'decode' as const, message: e.message })));
      if (!d.errors.length) {
        problems.push(...checkProfileForms(d.insns, req.profile));
        problems.push(...structureProblems(d.insns, s.kind).map((e) => ({ pc: e.pc, stage: 'structure' as const, message: e.message })));
        problems.push(...checkCalls(d.insns, req, s.kind, gpl));
      }
    }
    if (!d.errors.length) decoded.set(s.name, d.insns);
  }
  if (problems.length) return { ok: false, problems };
  const bound = metadataKfuncsCalled(decoded.get(entry.name) ?? []);
  if (req.verifier) {
    const refused = req.verifier({ name: entry.name, kind: entry.kind, insns: decoded.get(entry.name) ?? [], maps: req.maps, gpl, profile: req.profile, deviceBound: bound.length > 0 });
    if (refused.length) return { ok: false, problems: refused };
  }
  return { ok: true, checked: { entry, decoded, gpl, bound } };
}

export function loadProgram(req: LoadRequest): LoadResult {
  const c = checkLoad(req);
  if (!c.ok) return c;
  const { entry, decoded, gpl, bound } = c.checked;
  if (bound.length && !req.inputs?.nic) {
    return {
      ok: false,
      problems: [
        {
          pc: 0,
          stage: 'context',
          message: `BPF_PROG_TEST_RUN refuses device-bound programs (-EINVAL): this program calls ${bound.join(', ')}, so it is bound to a device (the playground's emulated NIC); run it on traffic instead (bpfp xdp, or Run in the playground)`,
        },
      ],
    };
  }
  const scenario = parseScenario(req.scenario, req.cpus);
  if (!scenario.ok) return { ok: false, problems: [{ pc: 0, stage: 'scenario', message: `scenario: ${scenario.error}` }] };

  const mem = new GuestMemory();
  const kernel = new Kernel({
    mem,
    profile: req.profile,
    nrCpus: req.cpus,
    progType: entry.kind.progType,
    sleepable: entry.kind.progType === 'syscall',
    maps: req.maps,
    scenario: scenario.scenario,
    seed: req.seed ?? scenario.scenario.seed,
  });
  kernel.programNames = new Set(decoded.keys());
  if (kernel.maps.errors.length) {
    const lines = kernel.maps.errorLines;
    return { ok: false, problems: kernel.maps.errors.map((message, i) => ({ pc: 0, stage: 'map' as const, message, ...(lines[i] ? { line: lines[i] } : {}) })) };
  }
  if (kernel.concurrentProblems.length) return { ok: false, problems: kernel.concurrentProblems.map((m) => ({ pc: 0, stage: 'scenario' as const, message: `scenario: ${m}` })) };
  if (kernel.conntrack.problems.length) return { ok: false, problems: kernel.conntrack.problems.map((m) => ({ pc: 0, stage: 'scenario' as const, message: `scenario: ${m}` })) };
  if (req.mapContents !== undefined) {
    const r = kernel.maps.initialize(req.mapContents);
    if (!r.ok) return { ok: false, problems: r.errors.map((message) => ({ pc: 0, stage: 'map' as const, message })) };
  }
  // A prog_array slot must name a program of this file (it stands for the program's fd).
  const badSlots: string[] = [];
  for (const m of kernel.maps.maps) {
    if (!(m instanceof ProgArrayMap)) continue;
    for (const [slot, prog] of m.slots()) {
      if (!decoded.has(prog)) badSlots.push(`map ${m.name}: slot ${slot} names '${prog}', which is not a program of this file`);
      // bpf_prog_map_compatible: a device-bound program cannot join a prog_array (the update fails).
      else if (metadataKfuncsCalled(decoded.get(prog) ?? []).length > 0) {
        badSlots.push(`map ${m.name}: slot ${slot}: '${prog}' calls metadata kfuncs, so it is bound to a device, and a device-bound program cannot go into a prog_array (the update fails with -EINVAL)`);
      }
    }
  }
  if (badSlots.length) return { ok: false, problems: badSlots.map((message) => ({ pc: 0, stage: 'map' as const, message })) };
  const ctx = buildContext(entry.kind, kernel, req.inputs ?? {});
  if ('error' in ctx) return { ok: false, problems: [{ pc: 0, stage: 'context', message: ctx.error }] };

  const vm = makeVm(kernel, decoded, entry.name, req, ctx);
  kernel.enter(entry.kind.progType, ctx);
  vm.reset();
  return {
    ok: true,
    program: {
      vm,
      kernel,
      context: ctx,
      section: entry,
      programs: decoded,
      deviceBound: bound.length > 0,
      attach(name, inputs) {
        const source = req.sections.find((x) => x.name === name);
        const insns = decoded.get(name);
        if (!source || !insns) return { ok: false, problems: [{ pc: 0, stage: 'context', message: `no program '${name}' to attach` }] };
        const structure = [...checkProfileForms(insns, req.profile), ...structureProblems(insns, source.kind)].map((e) => ({ pc: e.pc, stage: 'structure' as const, message: `${name}: ${e.message}` }));
        const calls = checkCalls(insns, req, source.kind, gpl).map((p) => ({ ...p, message: `${name}: ${p.message}` }));
        if (structure.length || calls.length) return { ok: false, problems: [...structure, ...calls] };
        if (req.verifier) {
          const refused = req.verifier({ name, kind: source.kind, insns, maps: req.maps, gpl, profile: req.profile, deviceBound: metadataKfuncsCalled(insns).length > 0 });
          if (refused.length) return { ok: false, problems: refused.map((p) => ({ ...p, message: `${name}: ${p.message}` })) };
        }
        const c = buildContext(source.kind, kernel, inputs);
        if ('error' in c) return { ok: false, problems: [{ pc: 0, stage: 'context', message: `${name}: ${c.error}` }] };
        const other = makeVm(kernel, decoded, name, req, c);
        return { ok: true, attached: { vm: other, context: c, section: source, deviceBound: metadataKfuncsCalled(insns).length > 0 } };
      },
      end() {
        return { leaks: kernel.finishRun() };
      },
      finish() {
        const leaks = kernel.finishRun();
        const out = ctx.output();
        const r0 = vm.reg(0);
        return { retval: Number(r0 & 0xffffffffn), r0, ...out, trace: kernel.trace.since(0), maps: kernel.maps.view(), leaks };
      },
    },
  };
}
