// A program of the playground's assembly loaded into the running kernel for verification only:
// assembled, its kfunc calls patched to the kernel's BTF ids, its maps created (with BTF for
// kptr fields), its program type, attach target and license set as libbpf would, then
// BPF_PROG_LOAD through the kernel oracle (kernel/oracle.ts). The answer is the kernel's verdict,
// its log and its final message: what the playground's verifier is compared with.

import { readFileSync } from 'node:fs';
import { assemble, kernelSymbols, type AsmSymbols } from '../../asm/index.ts';
import { helperDeclById } from '../../kernel/helpers/registry.ts';
import { helperRefusal, kfuncRefusal } from '../../kernel/kernel.ts';
import { kfuncByName, kfuncDecl } from '../../kernel/kfuncs/ids.ts';
import { metadataKfuncsCalled } from '../../kernel/loader.ts';
import type { KernelProfile } from '../../kernel/profiles.ts';
import type { MapDecl, MapType, Section } from '../../program/program.ts';
import { vmlinuxFuncs, type VmlinuxFuncs } from '../cpumask/vmlinux-btf.ts';
import { BPF_F_SLEEPABLE, HELPER_REFUSALS, KFUNC_REFUSALS, type Feature } from '../kernel/features.ts';
import { programBtf, type FuncInfo } from '../kernel/map-btf.ts';
import { buildCfg } from '../../program/cfg.ts';
import { decodeProgram } from '../../isa/index.ts';
import { vmlinuxFields } from '../kernel/vmlinux-fields.ts';
import { kernelOracle, type KernelMap, type KernelOracle, type KernelRequest, type KernelResult } from '../kernel/oracle.ts';

export type LogLevel = 0 | 1 | 2;

export interface LoadOptions {
  /** The section to load, by name; default the first. */
  readonly section?: string;
  /** 0: the log only of a refusal (at level 1); 1 or 2: always the log at that level. Default 1. */
  readonly logLevel?: LogLevel;
}

export type KernelLoad =
  | {
      readonly accepted: boolean;
      /** The verifier log (at level 0, only a refusal's, taken at level 1). */
      readonly log: string;
      /** The kernel's final refusal message (see finalMessage); empty when accepted. */
      readonly message: string;
      /** bpf()'s errno; 0 when accepted. */
      readonly errno: number;
    }
  | { readonly skipped: string };

/** The environment variable naming a network device to bind device-bound XDP programs to. */
export const XDP_DEV_ENV = 'BPFP_KERNEL_XDP_DEV';

/** enum bpf_map_type (include/uapi/linux/bpf.h). */
const MAP_TYPE_IDS: Readonly<Record<MapType, number>> = {
  hash: 1,
  array: 2,
  prog_array: 3,
  percpu_hash: 5,
  percpu_array: 6,
  lru_hash: 9,
  lru_percpu_hash: 10,
  devmap: 14,
  cpumap: 16,
  xskmap: 17,
  devmap_hash: 25,
  ringbuf: 27,
};

/** BPF_TRACE_RAW_TP (enum bpf_attach_type): tp_btf programs' expected_attach_type. */
const BPF_TRACE_RAW_TP = 23;
/** BPF_F_XDP_DEV_BOUND_ONLY (include/uapi/linux/bpf.h: 1U << 6). */
const BPF_F_XDP_DEV_BOUND_ONLY = 1 << 6;
/** BPF_PSEUDO_KFUNC_CALL: a call's src_reg for a kfunc. */
const PSEUDO_KFUNC_CALL = 2;

/** Lines after the message: the statistics the kernel prints last (kernel/bpf/verifier.c print_verification_stats). */
const SUMMARY = [/^processed \d+ insns/, /^verification time \d+ usec$/, /^stack depth /];

/**
 * The kernel's final message: the last non-empty line of the log that is not one of the
 * statistics lines printed after it ("processed N insns (limit …) …", and at BPF_LOG_STATS
 * "verification time" and "stack depth"). A refusal without a log (bpf() failing before the
 * verifier runs) has none: the message is then empty.
 */
export function finalMessage(log: string): string {
  const lines = log.split('\n').filter((l) => l.trim() !== '' && !SUMMARY.some((re) => re.test(l)));
  return lines.at(-1)?.trimEnd() ?? '';
}

/** A program made ready for BPF_PROG_LOAD, and what it needs the kernel to have. */
export interface PreparedLoad {
  readonly request: KernelRequest;
  readonly section: Section;
  readonly maps: readonly MapDecl[];
  readonly license: string | undefined;
  /** The license is GPL-compatible as the kernel counts it (include/linux/license.h). */
  readonly gpl: boolean;
  readonly deviceBound: boolean;
  /**
   * The helpers and kfuncs the program calls that the playground allows for this program type
   * and profile, each with a probe: a program of the same type calling it. A kernel whose build
   * refuses one (probeRefusal) leaves the program out of a differential.
   */
  readonly features: readonly Feature[];
}

const GPL_COMPATIBLE = new Set(['GPL', 'GPL v2', 'GPL and additional rights', 'Dual BSD/GPL', 'Dual MIT/GPL', 'Dual MPL/GPL']);

let btfCache: VmlinuxFuncs | { unavailable: string } | undefined;
function vmlinux(): VmlinuxFuncs | { unavailable: string } {
  btfCache ??= vmlinuxFuncs();
  return btfCache;
}

/** The ifindex of BPFP_KERNEL_XDP_DEV, or why device-bound programs cannot be loaded. */
export function deviceIfindex(env: NodeJS.ProcessEnv = process.env): number | { unavailable: string } {
  const dev = env[XDP_DEV_ENV];
  if (!dev) {
    return {
      unavailable: `device-bound XDP programs (XDP metadata kfuncs) need a device whose driver has XDP metadata ops (lo and most virtual NICs refuse BPF_F_XDP_DEV_BOUND_ONLY with EOPNOTSUPP); set ${XDP_DEV_ENV}=<a veth> (ip link add bpfp0 type veth peer name bpfp1)`,
    };
  }
  if (!/^[\w.-]+$/.test(dev)) return { unavailable: `${XDP_DEV_ENV}=${dev} is not a device name` };
  try {
    return Number(readFileSync(`/sys/class/net/${dev}/ifindex`, 'utf8').trim());
  } catch {
    return { unavailable: `${XDP_DEV_ENV}=${dev}: no such network device` };
  }
}

/**
 * The maps to create and the program's BTF object: func_info for every subprogram (as libbpf
 * sends it for a clang-built object, which callbacks, and tail calls and LD_ABS in subprograms,
 * need) and the kptr map values' types.
 */
function kernelMaps(maps: readonly MapDecl[], subprogStarts: readonly number[]): { maps: KernelMap[]; btf: Uint8Array; funcInfo: readonly FuncInfo[] } {
  const btf = programBtf(maps, subprogStarts);
  const out = maps.map((m, i): KernelMap => {
    const ids = btf.ids.get(i);
    return { type: MAP_TYPE_IDS[m.type], keySize: m.keySize, valueSize: m.valueSize, maxEntries: m.maxEntries, flags: m.flags, ...(/^[\w.]+$/.test(m.name) ? { name: m.name } : {}), ...(ids ? { btf: ids } : {}) };
  });
  return { maps: out, btf: btf.blob, funcInfo: btf.funcInfo };
}

/** Each kfunc call's imm (our stand-in id) becomes the running kernel's BTF id. */
function patchKfuncs(section: Section, funcs: VmlinuxFuncs): Uint8Array | { unavailable: string } {
  const bytes = section.bytes.slice();
  const dv = new DataView(bytes.buffer);
  for (const r of section.relocations) {
    if (r.kind !== 'kfunc') continue;
    const id = funcs.funcId(r.name);
    if (id === undefined) return { unavailable: `kfunc ${r.name} is not in this kernel's BTF (libbpf: extern (func ksym) '${r.name}': not found in kernel or module BTFs)` };
    const at = r.pc * 8;
    if (bytes[at] !== 0x85 || (bytes[at + 1] ?? 0) >> 4 !== PSEUDO_KFUNC_CALL || dv.getInt32(at + 4, true) !== kfuncByName(r.name)?.id) {
      throw new Error(`pc ${r.pc}: ${r.name} is not a kfunc call the patcher understands`);
    }
    dv.setInt32(at + 4, id, true);
  }
  return bytes;
}

/** The request fields of a section's program type: type, flags, attach target. */
function programType(section: Section, funcs: VmlinuxFuncs, deviceBound: boolean, env: NodeJS.ProcessEnv): Omit<KernelRequest, 'prog'> | { unavailable: string } {
  const kind = section.kind;
  switch (kind.progType) {
    case 'xdp': {
      if (!deviceBound) return { type: 'xdp' };
      const ifindex = deviceIfindex(env);
      return typeof ifindex === 'number' ? { type: 'xdp', progFlags: BPF_F_XDP_DEV_BOUND_ONLY, ifindex } : ifindex;
    }
    case 'tc':
      return { type: 'sched_cls' };
    case 'socket':
      return { type: 'socket_filter' };
    case 'syscall':
      return { type: 'syscall', progFlags: BPF_F_SLEEPABLE };
    case 'tp_btf': {
      const name = `btf_trace_${kind.attachTo ?? ''}`;
      const id = funcs.typedefId?.(name);
      if (id === undefined) return { unavailable: `tracepoint ${kind.attachTo ?? '(none)'}: ${name} is not in this kernel's BTF` };
      return { type: 'tracing', attachType: BPF_TRACE_RAW_TP, attachBtfId: id };
    }
    case 'raw':
    case 'unknown':
      return { unavailable: `section ${section.name} has no kernel program type` };
  }
}

/** The assembler's symbols with STRUCT.FIELD resolved by `offset` where it knows the field. */
function withKernelOffsets(offset: (struct: string, field: string) => number | undefined): AsmSymbols {
  return {
    ...kernelSymbols,
    fieldOffset: (struct, field) => {
      const off = offset(struct, field);
      return off === undefined ? kernelSymbols.fieldOffset(struct, field) : { offset: off };
    },
  };
}

/** `call NAME; r0 = 0; exit`: enough for the kernel to say whether NAME exists for the type. */
function callProbe(fields: Omit<KernelRequest, 'prog'>, call: { helper: number } | { kfunc: number }): KernelRequest {
  const prog = new Uint8Array(24);
  const dv = new DataView(prog.buffer);
  prog[0] = 0x85;
  if ('kfunc' in call) {
    prog[1] = PSEUDO_KFUNC_CALL << 4;
    dv.setInt32(4, call.kfunc, true);
  } else dv.setInt32(4, call.helper, true);
  prog[8] = 0xb7;
  prog[16] = 0x95;
  return { ...fields, prog, loadOnly: true, license: 'GPL' };
}

/**
 * Assembles `source` and builds its BPF_PROG_LOAD request; or why this kernel cannot be asked
 * (no kernel program type, a kfunc or tracepoint missing from its BTF, no device to bind to).
 * An assembly error or a missing section is a bug of the caller and throws.
 */
export function prepareLoad(source: string, options: LoadOptions & { profile?: KernelProfile } = {}, env: NodeJS.ProcessEnv = process.env): PreparedLoad | { skipped: string } {
  const asm = assemble(source);
  const errors = asm.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) throw new Error(`assembly failed: ${errors.map((d) => `${d.line}: ${d.message}`).join('; ')}`);
  const index = options.section === undefined ? 0 : asm.sections.findIndex((s) => s.name === options.section);
  const section = asm.sections[index];
  if (!section) throw new Error(options.section === undefined ? 'the source has no section' : `the source has no section ${options.section}`);
  const funcs = vmlinux();
  if ('unavailable' in funcs) return { skipped: funcs.unavailable };
  const fields = vmlinuxFields();
  if ('unavailable' in fields) return { skipped: fields.unavailable };
  // The kernel's copy: STRUCT.FIELD at the running kernel's offsets, as CO-RE would relocate it
  // (the playground's kernel-internal structs are stand-ins with offsets of their own).
  const kernelAsm = assemble(source, { symbols: withKernelOffsets((s, f) => fields.offset(s, f)) });
  const kernelSection = kernelAsm.sections[index];
  if (!kernelSection || kernelAsm.diagnostics.some((d) => d.severity === 'error')) throw new Error('the source assembles with the playground offsets but not with the kernel ones');
  // Only an XDP program is bound to a device (a tc program calling a metadata kfunc is refused unbound).
  const deviceBound = section.kind.progType === 'xdp' && metadataKfuncsCalled(section.insns).length > 0;
  const type = programType(section, funcs, deviceBound, env);
  if ('unavailable' in type) return { skipped: type.unavailable };
  const prog = patchKfuncs(kernelSection, funcs);
  if ('unavailable' in prog) return { skipped: prog.unavailable };
  // The subprograms as the kernel finds them (add_subprog_and_kfunc): pc 0 and the targets of
  // BPF-to-BPF calls and BPF_PSEUDO_FUNC ldimm64s.
  const { maps, btf, funcInfo } = kernelMaps(asm.maps, [...buildCfg(kernelSection.insns).subprogStarts]);
  const license = asm.license;
  const request: KernelRequest = {
    ...type,
    prog,
    maps,
    btf,
    funcInfo,
    license: license ?? '',
    logLevel: options.logLevel ?? 1,
    loadOnly: true,
  };

  const profile = options.profile ?? 'linux-6.18';
  const progType = section.kind.progType;
  const features: Feature[] = [];
  const seen = new Set<string>();
  for (const insn of section.insns) {
    if (insn?.kind !== 'call' || (insn.target !== 'helper' && insn.target !== 'kfunc')) continue;
    if (insn.target === 'helper') {
      const d = helperDeclById(insn.imm);
      if (!d || helperRefusal(d, insn.imm, progType, 'linux-6.18') !== undefined || seen.has(d.name)) continue;
      seen.add(d.name);
      features.push({ name: `${d.name} in ${section.name} programs`, probe: callProbe(type, { helper: d.id }) });
    } else {
      const d = kfuncDecl(insn.imm);
      if (!d || kfuncRefusal(d, insn.imm, profile, progType, progType === 'syscall') !== undefined || seen.has(d.name)) continue;
      seen.add(d.name);
      const id = funcs.funcId(d.name);
      if (id !== undefined) features.push({ name: `${d.name} in ${section.name} programs`, probe: callProbe(type, { kfunc: id }) });
    }
  }
  return { request, section, maps: asm.maps, license, gpl: license !== undefined && GPL_COMPATIBLE.has(license), deviceBound, features };
}

/**
 * `p`'s request with another program in place of the one assembled (a mutant of it, made from
 * the kernel's copy of the instructions): the BTF and func_info follow the new program's
 * subprograms, as libbpf would send them for an object compiled to that code.
 */
export function withProgram(p: PreparedLoad, prog: Uint8Array): KernelRequest {
  const starts = [...buildCfg(decodeProgram(prog).insns).subprogStarts];
  const { maps, btf, funcInfo } = kernelMaps(p.maps, starts);
  return { ...p.request, prog, maps, btf, funcInfo };
}

/**
 * Whether a probe's answer means the kernel build lacks the helper or kfunc for the program
 * type — a refusal in one of the upstream wordings (features.ts) — and then in which words.
 */
export function probeRefusal(answer: KernelResult): string | undefined {
  if (answer.ok || answer.stage !== 'load') return undefined;
  const message = finalMessage(answer.log);
  return [...HELPER_REFUSALS, ...KFUNC_REFUSALS].some((w) => w.pattern.test(message)) ? message : undefined;
}

/** The kernel's answer as loadInKernel gives it. */
export function kernelLoadOf(answer: KernelResult): KernelLoad {
  if (answer.ok) return { accepted: true, log: answer.log, message: '', errno: 0 };
  if (answer.stage === 'request' || answer.stage === 'setup') return { skipped: `the kernel could not be asked (${answer.stage}): ${answer.error}${answer.log ? `\n${answer.log}` : ''}` };
  if (answer.stage === 'run') throw new Error('a load-only request was run');
  return { accepted: false, log: answer.log, message: finalMessage(answer.log), errno: answer.errno };
}

/**
 * The first helper or kfunc call of `features` this kernel build refuses for the program type,
 * with its words. A probe calls it with no arguments set up: a refusal in another way (`R1
 * !read_ok`, …) or an acceptance means the call itself is allowed.
 */
export async function firstRefusedCall(oracle: KernelOracle, features: readonly Feature[], cache: Map<string, Promise<string | undefined>>): Promise<{ feature: string; reason: string } | undefined> {
  for (const f of features) {
    let answer = cache.get(f.name);
    if (!answer) {
      const p = f.probe;
      answer = 'unavailable' in p ? Promise.resolve(p.unavailable) : oracle.run(p).then(probeRefusal);
      cache.set(f.name, answer);
    }
    const reason = await answer;
    if (reason !== undefined) return { feature: f.name, reason };
  }
  return undefined;
}

let shared: Promise<KernelOracle | { unavailable: string }> | undefined;

/** The kernel oracle loadInKernel uses (one helper process, started on first use). */
export function sharedOracle(): Promise<KernelOracle | { unavailable: string }> {
  shared ??= kernelOracle();
  return shared;
}

/** Stops the helper process behind loadInKernel (call it when done: it keeps Node alive). */
export async function closeKernelLoader(): Promise<void> {
  const o = await shared;
  shared = undefined;
  if (o && !('unavailable' in o)) await o.close();
}

/**
 * Loads `source` (the playground's assembly) into the running kernel, verification only.
 * `{ skipped }` when the kernel cannot be asked here: no bpf(), no privilege, or something the
 * program needs that this kernel or machine lacks.
 */
export async function loadInKernel(source: string, options: LoadOptions = {}): Promise<KernelLoad> {
  const oracle = await sharedOracle();
  if ('unavailable' in oracle) return { skipped: oracle.unavailable };
  const prepared = prepareLoad(source, options);
  if ('skipped' in prepared) return prepared;
  const refused = await refusalOf(oracle, prepared);
  if (refused) return { skipped: refused };
  return kernelLoadOf(await oracle.run(prepared.request));
}

/** The probes loadInKernel and buildRefusal asked the shared oracle, by feature. */
const sharedProbes = new Map<string, Promise<string | undefined>>();

/** The first call of `prepared` this build refuses though upstream allows it, as a reason to leave it out. */
async function refusalOf(oracle: KernelOracle, prepared: PreparedLoad): Promise<string | undefined> {
  const r = await firstRefusedCall(oracle, prepared.features, sharedProbes);
  return r && `${r.feature}: this kernel build refuses it (${JSON.stringify(r.reason)}); upstream Linux allows it, and so does the playground`;
}

/**
 * Why `source`'s section cannot be compared with this kernel: a helper or kfunc it calls that
 * upstream allows for its program type but this build refuses (one 6.18 build refuses
 * bpf_xdp_adjust_meta in XDP programs), in the kernel's words; undefined when the build allows
 * every call, or when the kernel cannot be asked (loadInKernel says why then). For tests that
 * load an object another way (libbpf) and must leave such programs out the same way.
 */
export async function buildRefusal(source: string, options: LoadOptions = {}): Promise<string | undefined> {
  const oracle = await sharedOracle();
  if ('unavailable' in oracle) return undefined;
  const prepared = prepareLoad(source, options);
  return 'skipped' in prepared ? undefined : refusalOf(oracle, prepared);
}
