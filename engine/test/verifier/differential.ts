// The verifier differential: each corpus program loaded into the running kernel and handed to
// the playground's verifier, the verdicts compared, and on the kernel's refusals whether its
// final message is in ours. Programs this kernel build or machine cannot answer for (a helper or
// kfunc its build refuses for the program type, a kfunc missing from its BTF, a device-bound
// program without a device, another profile's program) are left out with the reason, not
// counted: upstream Linux stays the authority, so nothing is "fixed" to suit one build.

import { existsSync } from 'node:fs';
import { release } from 'node:os';
import { fileURLToPath } from 'node:url';
import { isProfile, type KernelProfile } from '../../kernel/profiles.ts';
import type { VerifyRequest, VerifyResult } from '../../verifier/api.ts';
import { LeftOut } from '../kernel/features.ts';
import type { KernelOracle, KernelRequest } from '../kernel/oracle.ts';
import type { Insn } from '../../isa/index.ts';
import type { CorpusEntry } from './corpus-entry.ts';
import { vmlinuxFields } from '../kernel/vmlinux-fields.ts';
import { finalMessage, firstRefusedCall, kernelLoadOf, prepareLoad, type PreparedLoad } from './kernel-load.ts';

export type VerifyFn = (req: VerifyRequest) => VerifyResult | Promise<VerifyResult>;

/** The thresholds of the issue: below either, the differential fails. */
export const VERDICT_AGREEMENT_MIN = 0.98;
export const MESSAGE_CONTAINED_MIN = 0.95;

const VERIFIER_MODULE = new URL('../../verifier/index.ts', import.meta.url);
const CORPUS_MODULE = new URL('./corpus/index.ts', import.meta.url);

/**
 * `verify` from engine/verifier, or why there is none. The verifier is written alongside this
 * harness: while its module does not exist, the differential says so instead of failing; a
 * module that exists but does not load or export `verify` is an error.
 */
export async function loadVerifier(): Promise<VerifyFn | { unavailable: string }> {
  if (!existsSync(fileURLToPath(VERIFIER_MODULE))) return { unavailable: 'the verifier is not built yet' };
  const mod: unknown = await import(VERIFIER_MODULE.href);
  const verify = typeof mod === 'object' && mod !== null ? (mod as Record<string, unknown>)['verify'] : undefined;
  if (typeof verify !== 'function') throw new Error(`${fileURLToPath(VERIFIER_MODULE)} does not export a function verify`);
  return verify as VerifyFn;
}

/** VERIFIER_CORPUS from corpus/index.ts, or why there is none yet. */
export async function loadCorpus(): Promise<readonly CorpusEntry[] | { unavailable: string }> {
  if (!existsSync(fileURLToPath(CORPUS_MODULE))) return { unavailable: 'the verifier corpus is not written yet' };
  const mod: unknown = await import(CORPUS_MODULE.href);
  const corpus = typeof mod === 'object' && mod !== null ? (mod as Record<string, unknown>)['VERIFIER_CORPUS'] : undefined;
  if (!Array.isArray(corpus)) throw new Error(`${fileURLToPath(CORPUS_MODULE)} does not export an array VERIFIER_CORPUS`);
  return corpus as readonly CorpusEntry[];
}

/** The profile of the running kernel's release (6.18.x is linux-6.18), or undefined for another kernel. */
export function runningProfile(kernelRelease = release()): KernelProfile | undefined {
  const m = /^(\d+)\.(\d+)/.exec(kernelRelease);
  const p = m ? `linux-${m[1]}.${m[2]}` : '';
  return isProfile(p) ? p : undefined;
}

export interface Side {
  readonly accepted: boolean;
  readonly message: string;
  readonly log: string;
}

export interface EntryOutcome {
  readonly name: string;
  readonly kernel: Side & { readonly errno: number };
  /** Absent when no verifier was given (VDIFF_SHOW without a verifier). */
  readonly ours?: Side;
  /** Why they disagree: the verdicts, or on a refusal both make, the message; undefined when they agree. */
  readonly disagreement?: string;
  /** Both refused and the kernel's final message is in ours. */
  readonly messageContained?: boolean;
  /** For a disagreement: the known difference between this kernel build (or the playground's model) and upstream that explains it. */
  readonly cause?: string;
}

export interface DifferentialReport {
  readonly outcomes: readonly EntryOutcome[];
  readonly leftOut: LeftOut;
  /** Entries compared (answered by both sides). */
  readonly compared: number;
  readonly verdictsAgree: number;
  /** Entries the kernel refused (among those compared). */
  readonly kernelRejections: number;
  /** Of those, how many had the kernel's final message in ours (our verdict must be a refusal too). */
  readonly messagesContained: number;
  /** Notes: why a profile's entries are compared on another kernel, and the like. */
  readonly notes: readonly string[];
}

export interface DifferentialOptions {
  /** The playground's verifier; without it only the kernel's answers are collected. */
  readonly verify?: VerifyFn;
  /** The running kernel's profile (runningProfile()); entries of another profile are left out. */
  readonly kernelProfile?: KernelProfile;
  readonly env?: NodeJS.ProcessEnv;
  /** What is known of the kernel's build, to name the cause of a disagreement (runningFacts()). */
  readonly facts?: BuildFacts;
}

/** `o` with its known cause, if it is a disagreement that has one. */
export function withCause(o: EntryOutcome, facts: BuildFacts, layoutTouched = false): EntryOutcome {
  const cause = knownCause(o, facts, layoutTouched);
  return cause ? { ...o, cause } : o;
}

/** The running kernel's build facts, from its BTF (empty when it cannot be read). */
export function runningFacts(): BuildFacts {
  const f = vmlinuxFields();
  if ('unavailable' in f) return {};
  const size = f.structSize('cpumask');
  return { typeTags: f.typeTags, ...(size === undefined ? {} : { cpumaskSize: size }) };
}

/** Our verdict and message for an entry, at log level 1 (the failing path, as the kernel's). */
async function ours(verify: VerifyFn, req: VerifyRequest): Promise<Side> {
  const r = await verify(req);
  const message = r.accepted ? '' : (r.errors[0]?.message ?? finalMessage(r.log));
  return { accepted: r.accepted, message, log: r.log };
}

function compare(kernel: Side & { readonly errno: number }, our: Side): { disagreement?: string; messageContained?: boolean } {
  if (kernel.accepted && our.accepted) return {};
  if (kernel.accepted) return { disagreement: `the kernel accepts; ours refuses: ${JSON.stringify(our.message)}` };
  if (our.accepted) return { disagreement: `the kernel refuses: ${JSON.stringify(kernel.message)}; ours accepts` };
  if (kernel.message === '') return { messageContained: false, disagreement: `both refuse; the kernel with errno ${kernel.errno} and no log (bpf() failed before the verifier ran), ours says ${JSON.stringify(our.message)}` };
  const contained = our.message.includes(kernel.message) || finalMessage(our.log).includes(kernel.message);
  return contained ? { messageContained: true } : { messageContained: false, disagreement: `both refuse; the kernel says ${JSON.stringify(kernel.message)}, ours ${JSON.stringify(our.message)}` };
}

/** Why a prepared program was not loaded (prepareLoad's reason), as the key the report groups it under. */
export function leftOutKey(skipped: string): string {
  return /^(kfunc \S+|tracepoint \S+|device-bound XDP programs|section \S+)/.exec(skipped)?.[1] ?? 'what this machine lacks';
}

/** What our verifier is asked for a prepared program (or a mutant of it: `insns`), at log level 1. */
export function verifyRequestOf(prepared: PreparedLoad, insns: readonly (Insn | null)[], profile: KernelProfile): VerifyRequest {
  return {
    insns,
    kind: prepared.section.kind,
    maps: prepared.maps,
    gpl: prepared.gpl,
    profile,
    logLevel: 1,
    ...(prepared.deviceBound ? { deviceBound: true } : {}),
  };
}

/**
 * One program loaded into the kernel (`request`) and given to our verifier (`req`), compared;
 * `{ leftOut }` when the kernel would not create what the program needs.
 */
export async function judge(oracle: KernelOracle, name: string, request: KernelRequest, req: VerifyRequest, verify: VerifyFn | undefined): Promise<EntryOutcome | { leftOut: string }> {
  const load = kernelLoadOf(await oracle.run(request));
  if ('skipped' in load) return { leftOut: load.skipped };
  const kernel = { accepted: load.accepted, message: load.message, log: load.log, errno: load.errno };
  if (!verify) return { name, kernel };
  let our: Side;
  try {
    our = await ours(verify, req);
  } catch (e) {
    return { name, kernel, disagreement: `our verifier threw: ${e instanceof Error ? e.message : String(e)}` };
  }
  return { name, kernel, ours: our, ...compare(kernel, our) };
}

/**
 * `entry` made ready for this kernel (its load request, and the calls it makes probed), or
 * undefined when this kernel cannot answer for it — another profile's program, something the
 * machine lacks, a helper or kfunc this build refuses — the reason then added to `leftOut`.
 */
export async function preparedFor(
  entry: CorpusEntry,
  oracle: KernelOracle,
  comparedProfile: KernelProfile,
  leftOut: LeftOut,
  probes: Map<string, Promise<string | undefined>>,
  env?: NodeJS.ProcessEnv,
): Promise<{ readonly prepared: PreparedLoad; readonly profile: KernelProfile } | undefined> {
  const profile = entry.profile ?? 'linux-6.18';
  if (profile !== comparedProfile) {
    leftOut.add(`the ${profile} profile`, `this kernel is ${oracle.kernel}: its verifier is not that of ${profile}`);
    return undefined;
  }
  const prepared = prepareLoad(entry.source, { ...(entry.section !== undefined ? { section: entry.section } : {}), profile, logLevel: 1 }, env);
  if ('skipped' in prepared) {
    leftOut.add(leftOutKey(prepared.skipped), prepared.skipped);
    return undefined;
  }
  const refused = await firstRefusedCall(oracle, prepared.features, probes);
  if (refused) {
    leftOut.add(refused.feature, refused.reason);
    return undefined;
  }
  return { prepared, profile };
}

/** Loads every entry into the kernel (and our verifier, when given) and compares. */
export async function runDifferential(entries: readonly CorpusEntry[], oracle: KernelOracle, options: DifferentialOptions = {}): Promise<DifferentialReport> {
  const leftOut = new LeftOut();
  const notes: string[] = [];
  const kernelProfile = options.kernelProfile;
  if (kernelProfile === undefined) notes.push(`note: kernel ${oracle.kernel} is neither profile; linux-6.18 entries are compared with it, linux-6.3 ones left out`);
  const comparedProfile: KernelProfile = kernelProfile ?? 'linux-6.18';
  const names = new Set<string>();
  const probes = new Map<string, Promise<string | undefined>>();
  const jobs = entries.map(async (entry): Promise<EntryOutcome | undefined> => {
    if (names.has(entry.name)) throw new Error(`two corpus entries are named ${entry.name}`);
    names.add(entry.name);
    const ready = await preparedFor(entry, oracle, comparedProfile, leftOut, probes, options.env);
    if (!ready) return undefined;
    const { prepared, profile } = ready;
    const judged = await judge(oracle, entry.name, prepared.request, verifyRequestOf(prepared, prepared.section.insns, profile), options.verify);
    if ('leftOut' in judged) {
      leftOut.add('objects the kernel would not create', judged.leftOut);
      return undefined;
    }
    return withCause(judged, options.facts ?? {});
  });
  return summarize((await Promise.all(jobs)).filter((o): o is EntryOutcome => o !== undefined), leftOut, notes);
}

/** The counts of a differential over `outcomes`. */
export function summarize(outcomes: readonly EntryOutcome[], leftOut: LeftOut, notes: readonly string[]): DifferentialReport {
  const compared = outcomes.filter((o) => o.ours !== undefined || o.disagreement !== undefined);
  const rejections = compared.filter((o) => !o.kernel.accepted);
  return {
    outcomes,
    leftOut,
    compared: compared.length,
    verdictsAgree: compared.filter((o) => o.ours !== undefined && o.ours.accepted === o.kernel.accepted).length,
    kernelRejections: rejections.length,
    messagesContained: rejections.filter((o) => o.messageContained === true).length,
    notes,
  };
}

function percent(n: number, of: number): string {
  return of === 0 ? 'n/a' : `${((100 * n) / of).toFixed(1)}%`;
}

/** What is known of the running kernel's build, against which a disagreement is explained. */
export interface BuildFacts {
  /** The BTF type tags this kernel carries; without 'rcu', __rcu fields load as untrusted pointers. */
  readonly typeTags?: ReadonlySet<string>;
  /** sizeof(struct cpumask) in this kernel (NR_CPUS / 8); the playground's profiles use 512. */
  readonly cpumaskSize?: number;
}

/** The playground's sizeof(struct cpumask): NR_CPUS 4096, as the profiles model it. */
const OUR_CPUMASK_SIZE = 512;

/**
 * The known cause of a disagreement, when there is one: a difference of this kernel's build
 * from upstream (checked against its BTF), of the playground's model, or of what the log's last
 * line holds. `layoutTouched`: a mutation moved or re-based an access to a kernel struct field,
 * whose offsets differ between the playground's stand-in structs and this kernel's.
 */
export function knownCause(o: EntryOutcome, facts: BuildFacts, layoutTouched = false): string | undefined {
  if (!o.disagreement || !o.ours) return undefined;
  const k = o.kernel.message;
  const us = o.ours.message;
  if (/^verifier bug/.test(k)) return `kernel: the kernel's verifier stopped on an internal error of its own (${JSON.stringify(k)}), which it reports as a refusal`;
  if (layoutTouched) return 'model: a mutation moved an access within a kernel struct, whose fields lie elsewhere in the playground\'s stand-in struct than in this kernel\'s, so the two verifiers judge different fields';
  if (/^old state:/.test(k) && /^infinite loop detected/.test(us)) return "log: both find the infinite loop; the kernel's last line is its state dump, whose precision marks (P) the playground does not track";
  if (facts.typeTags && !facts.typeTags.has('rcu') && /must be a rcu pointer/.test(k) && /Possibly NULL pointer passed to trusted arg/.test(us)) {
    return "build: this kernel's BTF has no 'rcu' type tags (a gcc build), so an __rcu field loads as an untrusted pointer; with them (clang builds) it loads as rcu_ptr_or_null_, as ours does";
  }
  if (facts.cpumaskSize !== undefined && facts.cpumaskSize !== OUR_CPUMASK_SIZE && (/size=5(12|20)\b|off=51[19] size=1\b/.test(us) || /size=5(12|20)\b/.test(k))) {
    return `build: struct cpumask is ${facts.cpumaskSize} bytes in this kernel (its NR_CPUS) and ${OUR_CPUMASK_SIZE} in the playground's profiles`;
  }
  return undefined;
}

/** The report's lines: the figures, every disagreement with its reason, what was left out. */
export function reportLines(r: DifferentialReport): string[] {
  const disagreements = r.outcomes.filter((o) => o.disagreement);
  const explained = disagreements.filter((o) => o.cause).length;
  const lines = [
    `verdicts agree: ${r.verdictsAgree}/${r.compared} (${percent(r.verdictsAgree, r.compared)}, need ${VERDICT_AGREEMENT_MIN * 100}%)`,
    `kernel's message in ours: ${r.messagesContained}/${r.kernelRejections} rejections (${percent(r.messagesContained, r.kernelRejections)}, need ${MESSAGE_CONTAINED_MIN * 100}%)`,
    ...(disagreements.length ? [`disagreements: ${disagreements.length}, of which ${explained} have a known cause (build, model or log) and ${disagreements.length - explained} none`] : []),
  ];
  for (const o of disagreements) lines.push(`disagree: ${o.name}: ${o.disagreement}${o.cause ? ` — ${o.cause}` : ' — cause unknown'}`);
  lines.push(...r.leftOut.lines(), ...r.notes);
  return lines;
}

/** One line per entry: the kernel's verdict and message (and ours when compared), for VDIFF_SHOW=1. */
export function showLines(r: DifferentialReport): string[] {
  return r.outcomes.map((o) => {
    const k = o.kernel.accepted ? 'kernel accepts' : `kernel refuses (errno ${o.kernel.errno}): ${JSON.stringify(o.kernel.message)}`;
    const us = o.ours ? (o.ours.accepted ? '; ours accepts' : `; ours refuses: ${JSON.stringify(o.ours.message)}`) : '';
    return `${o.name}: ${k}${us}`;
  });
}

/** Whether the report meets the thresholds; the failures otherwise. */
export function thresholdFailures(r: DifferentialReport): string[] {
  const failures: string[] = [];
  if (r.compared > 0 && r.verdictsAgree / r.compared < VERDICT_AGREEMENT_MIN) failures.push(`verdicts agree on ${percent(r.verdictsAgree, r.compared)} of ${r.compared} programs, below ${VERDICT_AGREEMENT_MIN * 100}%`);
  if (r.kernelRejections > 0 && r.messagesContained / r.kernelRejections < MESSAGE_CONTAINED_MIN) {
    failures.push(`the kernel's message is in ours for ${percent(r.messagesContained, r.kernelRejections)} of ${r.kernelRejections} rejections, below ${MESSAGE_CONTAINED_MIN * 100}%`);
  }
  return failures;
}
