// The verifier's message catalogue (issue 13): one entry per message the verifier can emit —
// what it means in plain words, its usual cause, a minimal program that meets it and that
// program fixed, and the kernel function that emits it. `explainError` finds a refusal's entry
// and words its explanation with the program's own values (registers, lines, the call a
// pointer came from). Pure data and string functions: the tests
// (engine/test/verifier/catalogue.test.ts) assemble and verify every example and fix, and check
// that every message template in checker.ts, program/structure.ts and index.ts has an entry.

import type { KernelProfile } from '../kernel/profiles.ts';
import type { VerifyError } from './api.ts';

export type Category = 'memory safety' | 'types' | 'references and lifetimes' | 'program structure' | 'limits' | 'policy';

/** A complete assembly file, and the profile it is verified under (default linux-6.18). */
export interface CatalogueProgram {
  readonly profile?: KernelProfile;
  readonly source: string;
}

/** What `explainError` is told about the program, to word an explanation with its values. */
export interface ExplainContext {
  readonly profile: KernelProfile;
  /** The source line of an instruction (1-based), if known. */
  readonly lineOf: (pc: number) => number | undefined;
  /** The source text of an instruction (`call bpf_cpumask_create`). */
  readonly textOf?: (pc: number) => string | undefined;
  /** The name of the helper or kfunc an instruction calls, if it is a call. */
  readonly insnName?: (pc: number) => string | undefined;
  /** The verifier's log (level 1 or 2), for the figures it prints before a refusal. */
  readonly log?: string;
}

/** The refusal's facts, already worded, that an entry's sentences use. */
export interface Facts {
  readonly error: VerifyError;
  readonly ctx: ExplainContext;
  /** "at line 9" or "here". */
  readonly at: string;
  /** "line 9" or "this instruction". */
  readonly here: string;
  /** Where the value in question came from, worded ("R6 comes from bpf_cpumask_create at line 4"), or ''. */
  readonly origin: string;
  /** The call (helper or kfunc name) the value came from, if it came from one. */
  readonly originCall?: string;
  /** "line 4", where the value came from, or ''. */
  readonly originAt: string;
}

export interface CatalogueEntry {
  readonly id: string;
  readonly category: Category;
  /** The message templates of the verifier's source this entry covers (`${}` for each value). */
  readonly templates: readonly string[];
  /** Matches the message as every profile words it; groups capture its values. */
  readonly pattern: RegExp;
  /** The message's wording, per profile where they differ. */
  readonly words: string | Partial<Record<KernelProfile, string>>;
  /** A short title. */
  readonly title: string;
  readonly plain: (m: RegExpExecArray, f: Facts) => string;
  readonly cause: string;
  readonly suggestion: (m: RegExpExecArray, f: Facts) => string;
  /** A minimal program refused with this message; undefined only with `unreachable`. */
  readonly example?: CatalogueProgram;
  /** The example, fixed: accepted. */
  readonly fix?: CatalogueProgram;
  /** Why no program assembled by the playground can meet this message (an internal check). */
  readonly unreachable?: string;
  readonly kernelFunction: string;
}

export interface Explanation {
  readonly id: string;
  readonly category: Category;
  readonly title: string;
  readonly explanation: string;
  readonly suggestion: string;
  readonly kernelFunction: string;
}

// ---------------------------------------------------------------- programs

function file(section: string, body: string, maps: readonly string[] = [], license: string | null = 'GPL'): string {
  const head = [`.section ${section}`];
  if (license !== null) head.push(`.license "${license}"`);
  for (const m of maps) head.push(`.map ${m}`);
  return `${head.join('\n')}\n${body.trim()}\n`;
}
const xdp = (body: string, maps?: readonly string[]): CatalogueProgram => ({ source: file('xdp', body, maps) });
const tc = (body: string, maps?: readonly string[]): CatalogueProgram => ({ source: file('tc', body, maps) });
const tp = (body: string, maps?: readonly string[]): CatalogueProgram => ({ source: file('tp_btf/task_newtask', body, maps) });
const sock = (body: string, maps?: readonly string[]): CatalogueProgram => ({ source: file('socket', body, maps) });

const ARRAY = 'm type=array key=4 value=64 max_entries=4';
const HASH = 'm type=hash key=4 value=8 max_entries=4';
const KPTR = 'km type=array key=4 value=16 max_entries=1 kptr=0:bpf_cpumask';
/** r0 = bpf_map_lookup_elem(&map, &(u32)0). */
const lookup = (map = 'm'): string => `r1 = ${map} ll\n*(u32 *)(r10 - 4) = 0\nr2 = r10\nr2 += -4\ncall bpf_map_lookup_elem`;
/** r0 = bpf_sk_lookup_tcp(ctx, &tuple, 12, current netns, 0) in a tc program, ctx kept in r6. */
const SK_LOOKUP = 'r6 = r1\n*(u64 *)(r10 - 16) = 0\n*(u32 *)(r10 - 8) = 0\nr2 = r10\nr2 += -16\nr3 = 12\nr4 = -1\nr5 = 0\ncall bpf_sk_lookup_tcp';

// ---------------------------------------------------------------- wording helpers

const reg = (m: RegExpExecArray, i = 1): string => `R${m[i] ?? '?'}`;

/** "; R6 comes from bpf_cpumask_create at line 4" or '' — for appending to a sentence. */
function from(f: Facts): string {
  return f.origin ? ` (${f.origin})` : '';
}

/** "before line 9" or "before it is used". */
function before(f: Facts): string {
  return f.here === 'this instruction' ? 'before it is used' : `before ${f.here}`;
}

/** What the named call returns when it fails, for NULL explanations. */
function nullReason(call: string | undefined): string {
  if (!call) return 'it may be NULL';
  if (/map_lookup/.test(call)) return `${call} returns NULL when the key is not in the map`;
  if (/_create$|_alloc|ringbuf_reserve/.test(call)) return `${call} returns NULL when the allocation fails`;
  if (/lookup|from_pid|from_id|acquire|kptr_xchg|get$/.test(call)) return `${call} returns NULL when there is nothing to return`;
  return `${call} may return NULL`;
}

/** The numbers of the log line `invalid access to packet, off=… size=…, R2(id=0,off=…,r=…)` before a packet refusal. */
function packetFigures(log: string | undefined): { off: number; size: number; range: number } | undefined {
  const m = log ? /invalid access to packet, off=(-?\d+) size=(\d+), R\d+\(id=\d+,off=-?\d+,r=(\d+)\)/.exec(log) : null;
  return m ? { off: Number(m[1]), size: Number(m[2]), range: Number(m[3]) } : undefined;
}

// ---------------------------------------------------------------- the entries

export const CATALOGUE: readonly CatalogueEntry[] = [
  // ---------------------------------------------------------------- NULL and references
  {
    id: 'null-to-kfunc',
    category: 'references and lifetimes',
    templates: ['Possibly NULL pointer passed to trusted arg${}'],
    pattern: /^Possibly NULL pointer passed to trusted arg(\d+)$/,
    words: 'Possibly NULL pointer passed to trusted arg<n>',
    title: 'A pointer that may be NULL is passed to a kfunc',
    plain: (m, f) => `Argument ${m[1] ?? '?'} (R${Number(m[1] ?? 0) + 1}) of the kfunc called ${f.at} may be NULL on this path${f.originCall ? `: it comes from ${f.originCall}${f.originAt ? ` at ${f.originAt}` : ''}, and ${nullReason(f.originCall)}` : from(f)}. The kfunc takes a trusted pointer and would dereference it.`,
    cause: 'The result of a call that can fail (bpf_cpumask_create, bpf_task_from_pid, a kptr load, …) is passed on without a test for NULL.',
    suggestion: (m, f) => `Test R${Number(m[1] ?? 0) + 1} against 0 (\`if rN == 0 goto out\`) ${f.originAt ? `after ${f.originAt} and ` : ''}${before(f)}, and use it only on the branch where it is not NULL.`,
    example: tp('call bpf_cpumask_create\nr6 = r0\nr1 = 1\nr2 = r6\ncall bpf_cpumask_set_cpu\nr1 = r6\ncall bpf_cpumask_release\nr0 = 0\nexit'),
    fix: tp('call bpf_cpumask_create\nr6 = r0\nif r6 == 0 goto out\nr1 = 1\nr2 = r6\ncall bpf_cpumask_set_cpu\nr1 = r6\ncall bpf_cpumask_release\nout:\nr0 = 0\nexit'),
    kernelFunction: 'check_kfunc_args',
  },
  {
    id: 'null-to-helper',
    category: 'references and lifetimes',
    templates: ['Possibly NULL pointer passed to helper arg${}'],
    pattern: /^Possibly NULL pointer passed to helper arg(\d+)$/,
    words: 'Possibly NULL pointer passed to helper arg<n>',
    title: 'A pointer that may be NULL is passed to bpf_kptr_xchg',
    plain: (m, f) => `R${m[1] ?? '?'}, the pointer to store with bpf_kptr_xchg ${f.at}, may be NULL on this path${from(f)}; the helper requires a non-NULL referenced pointer in that argument.`,
    cause: 'A freshly created object is stored into a map kptr slot before its NULL test.',
    suggestion: (_m, f) => `Test the pointer against 0 ${before(f)} and call bpf_kptr_xchg only when it is not NULL.`,
    example: tp(`${lookup('km')}\nif r0 == 0 goto out\nr8 = r0\ncall bpf_cpumask_create\nr7 = r0\nr1 = r8\nr2 = r7\ncall bpf_kptr_xchg\nif r0 == 0 goto out\nr1 = r0\ncall bpf_cpumask_release\nout:\nr0 = 0\nexit`, [KPTR]),
    fix: tp(`${lookup('km')}\nif r0 == 0 goto out\nr8 = r0\ncall bpf_cpumask_create\nif r0 == 0 goto out\nr7 = r0\nr1 = r8\nr2 = r7\ncall bpf_kptr_xchg\nif r0 == 0 goto out\nr1 = r0\ncall bpf_cpumask_release\nout:\nr0 = 0\nexit`, [KPTR]),
    kernelFunction: 'check_reg_type',
  },
  {
    id: 'invalid-mem-access',
    category: 'types',
    templates: ["R${} invalid mem access '${}'", "R${} invalid mem access 'map_value'"],
    pattern: /^R(\d+) invalid mem access '([^']+)'$/,
    words: "R<n> invalid mem access '<type>'",
    title: 'A load or store through something that is not a usable pointer',
    plain: (m, f) => {
      const t = m[2] ?? '';
      if (t.endsWith('_or_null')) return `${reg(m)} is a ${t.slice(0, -8)} pointer that may be NULL here${f.originCall ? `: it comes from ${f.originCall}${f.originAt ? ` at ${f.originAt}` : ''}, and ${nullReason(f.originCall)}` : from(f)}. Memory can only be read or written through it once the path has tested it.`;
      if (t === 'scalar') return `${reg(m)} holds a number (a scalar), not a pointer, so the access ${f.at} cannot be allowed${from(f)}. Numbers never become pointers: the verifier only lets you dereference values it knows are pointers.`;
      return `${reg(m)} has type ${t}, which this access ${f.at} cannot go through${from(f)}.`;
    },
    cause: 'Dereferencing a lookup result before its NULL test, a pointer after it was released (the register then holds a scalar), or a value computed as a number.',
    suggestion: (m, f) => ((m[2] ?? '').endsWith('_or_null') ? `Add \`if ${reg(m).toLowerCase()} == 0 goto …\` ${before(f)}.` : `Make sure ${reg(m)} holds a pointer from the context, the stack, a map or a helper on every path to ${f.here}.`),
    example: xdp(`${lookup()}\nr1 = *(u64 *)(r0 + 0)\nr0 = 0\nexit`, [HASH]),
    fix: xdp(`${lookup()}\nif r0 == 0 goto out\nr1 = *(u64 *)(r0 + 0)\nout:\nr0 = 0\nexit`, [HASH]),
    kernelFunction: 'check_mem_access',
  },
  {
    id: 'reference-leak',
    category: 'references and lifetimes',
    templates: ['${} would lead to reference leak'],
    pattern: /^(BPF_EXIT instruction in main prog|tail_call) would lead to reference leak$/,
    words: '<BPF_EXIT instruction in main prog|tail_call> would lead to reference leak',
    title: 'A reference is still held when the program ends',
    plain: (m, f) => `${m[1] === 'tail_call' ? 'The tail call' : 'The exit'} ${f.at} leaves the program while it still holds a reference${f.originAt ? ` acquired ${f.originCall ? `by ${f.originCall} ` : ''}at ${f.originAt}` : ''}. Every object a program acquires (a socket, a task, a cpumask, …) must be released on every path, or it would never be freed.`,
    cause: 'A path (often an early error exit) that forgets the release call, or a tail call made while a reference is held.',
    suggestion: (_m, f) => `Release the object${f.originAt ? ` acquired at ${f.originAt}` : ''} (its release kfunc or helper, or store it into a map with bpf_kptr_xchg) on the path that reaches ${f.here}.`,
    example: tp('call bpf_cpumask_create\nif r0 == 0 goto out\nr6 = r0\nr0 = 0\nexit\nout:\nr0 = 0\nexit'),
    fix: tp('call bpf_cpumask_create\nif r0 == 0 goto out\nr1 = r0\ncall bpf_cpumask_release\nr0 = 0\nexit\nout:\nr0 = 0\nexit'),
    kernelFunction: 'check_resource_leak',
  },
  {
    id: 'release-unreferenced',
    category: 'references and lifetimes',
    templates: ['R${} must be referenced when passed to release function'],
    pattern: /^R(\d+) must be referenced when passed to release function$/,
    words: 'R<n> must be referenced when passed to release function',
    title: 'Releasing a pointer the program does not own',
    plain: (m, f) => `${reg(m)} is passed to a release function ${f.at}, but it does not carry a reference the program acquired${from(f)}. Only what the program acquired (by a lookup, create or acquire call) can be released.`,
    cause: 'Releasing a pointer read from the context (e.g. skb->sk), or releasing the same object twice.',
    suggestion: () => 'Release only pointers returned by an acquiring helper or kfunc; pointers read from the context are borrowed.',
    example: tc('r1 = *(u64 *)(r1 + 168)\nif r1 == 0 goto out\ncall bpf_sk_release\nout:\nr0 = 0\nexit'),
    fix: tc(`${SK_LOOKUP}\nif r0 == 0 goto out\nr1 = r0\ncall bpf_sk_release\nout:\nr0 = 0\nexit`),
    kernelFunction: 'check_func_arg',
  },
  {
    id: 'kfunc-release-unreferenced',
    category: 'references and lifetimes',
    templates: ['release kernel function ${} expects refcounted PTR_TO_BTF_ID'],
    pattern: /^release kernel function (\w+) expects refcounted PTR_TO_BTF_ID$/,
    words: 'release kernel function <kfunc> expects refcounted PTR_TO_BTF_ID',
    title: 'A release kfunc is given a pointer the program holds no reference on',
    plain: (m, f) => `${m[1] ?? 'The kfunc'} drops a reference, but the pointer given to it ${f.at} is not one the program acquired${from(f)}.`,
    cause: 'Releasing a borrowed pointer (a tracepoint argument, a field read) instead of one returned by an acquire kfunc.',
    suggestion: (m) => `Pass ${m[1] ?? 'it'} only what an acquire kfunc returned (e.g. bpf_task_acquire, bpf_cpumask_create), or drop the release call.`,
    example: tp('r6 = *(u64 *)(r1 + 0)\nr1 = r6\ncall bpf_task_release\nr0 = 0\nexit'),
    fix: tp('r6 = *(u64 *)(r1 + 0)\nr1 = r6\ncall bpf_task_acquire\nif r0 == 0 goto out\nr1 = r0\ncall bpf_task_release\nout:\nr0 = 0\nexit'),
    kernelFunction: 'check_kfunc_args',
  },
  {
    id: 'must-be-trusted',
    category: 'references and lifetimes',
    templates: ['R${} must be referenced or trusted'],
    pattern: /^R(\d+) must be referenced or trusted$/,
    words: 'R<n> must be referenced or trusted',
    title: 'A kfunc needs a trusted pointer',
    plain: (m, f) => `${reg(m)} ${f.at} is a pointer the verifier cannot trust${from(f)}: it was read from a field of another object (or lost its trust), so the object may be freed at any time. This kfunc accepts only pointers the program holds a reference on or the kernel passed in directly.`,
    cause: 'Passing a pointer loaded from a struct field (task->cpus_ptr, a kptr read outside RCU) to a KF_TRUSTED_ARGS kfunc.',
    suggestion: (m) => `Pass ${reg(m)} a pointer the program acquired (an acquire kfunc's result), a tracepoint's own arguments, or, for RCU-protected fields, read it inside bpf_rcu_read_lock().`,
    example: tp('r6 = *(u64 *)(r1 + 0)\nr1 = *(u64 *)(r6 + task_struct.cpus_ptr)\ncall bpf_cpumask_acquire\nr0 = 0\nexit'),
    fix: tp('r6 = *(u64 *)(r1 + 0)\nr1 = r6\ncall bpf_task_acquire\nif r0 == 0 goto out\nr1 = r0\ncall bpf_task_release\nout:\nr0 = 0\nexit'),
    kernelFunction: 'check_kfunc_args',
  },
  {
    id: 'must-be-rcu',
    category: 'references and lifetimes',
    templates: ['R${} must be a rcu pointer'],
    pattern: /^R(\d+) must be a rcu pointer$/,
    words: 'R<n> must be a rcu pointer',
    title: 'An RCU-protected pointer used outside its RCU section',
    plain: (m, f) => `${reg(m)} was read inside an RCU read section${from(f)}, and that section ended before ${f.here}; the object may already be freed, so the kfunc refuses it.`,
    cause: 'Calling bpf_rcu_read_unlock() before the last use of a pointer loaded under RCU (a kptr, task->cpus_ptr).',
    suggestion: (_m, f) => `Move bpf_rcu_read_unlock() after ${f.here}, or take a reference (an acquire kfunc) while still inside the section.`,
    example: tp(`${lookup('km')}\nif r0 == 0 goto out\nr8 = r0\ncall bpf_rcu_read_lock\nr6 = *(u64 *)(r8 + 0)\ncall bpf_rcu_read_unlock\nif r6 == 0 goto out\nr1 = r6\ncall bpf_cpumask_setall\nout:\nr0 = 0\nexit`, [KPTR]),
    fix: tp(`${lookup('km')}\nif r0 == 0 goto out\nr8 = r0\ncall bpf_rcu_read_lock\nr6 = *(u64 *)(r8 + 0)\nif r6 == 0 goto unlock\nr1 = r6\ncall bpf_cpumask_setall\nunlock:\ncall bpf_rcu_read_unlock\nout:\nr0 = 0\nexit`, [KPTR]),
    kernelFunction: 'check_kfunc_args',
  },
  {
    id: 'kfunc-struct-mismatch',
    category: 'types',
    templates: ['kernel function ${} args#${} expected pointer to STRUCT ${} but R${} has a pointer to STRUCT ${}'],
    pattern: /^kernel function (\w+) args#(\d+) expected pointer to STRUCT (\w+) but R(\d+) has a pointer to STRUCT (\w+)$/,
    words: 'kernel function <kfunc> args#<i> expected pointer to STRUCT <a> but R<n> has a pointer to STRUCT <b>',
    title: 'A kfunc is given a pointer to the wrong struct',
    plain: (m, f) => `${m[1] ?? 'The kfunc'} takes a struct ${m[3] ?? '?'} * as argument ${m[2] ?? '?'}, but R${m[4] ?? '?'} ${f.at} points to a struct ${m[5] ?? '?'}${from(f)}.${m[3] === 'bpf_cpumask' && m[5] === 'cpumask' ? ' A struct cpumask (e.g. task->cpus_ptr) is read-only to BPF; only masks the program created (struct bpf_cpumask) can be changed.' : ''}`,
    cause: 'Passing the wrong object, or a read-only struct cpumask where a mutable struct bpf_cpumask is needed (bpf_cpumask_set_cpu, bpf_cpumask_copy\'s destination).',
    suggestion: (m) => (m[3] === 'bpf_cpumask' ? 'Create a mask with bpf_cpumask_create() and change that one; read-only masks can be a source only (e.g. bpf_cpumask_copy(dst, task->cpus_ptr)).' : `Pass a pointer to struct ${m[3] ?? '?'}.`),
    example: tp('r1 = *(u64 *)(r1 + 0)\ncall bpf_cpumask_empty\nr0 = 0\nexit'),
    fix: tp('r6 = *(u64 *)(r1 + 0)\nr1 = *(u64 *)(r6 + task_struct.cpus_ptr)\ncall bpf_cpumask_empty\nr0 = 0\nexit'),
    kernelFunction: 'check_kfunc_args',
  },
  {
    id: 'kfunc-zero-offset',
    category: 'references and lifetimes',
    templates: ['R${} must have zero offset when passed to release func or trusted arg to kfunc'],
    pattern: /^R(\d+) must have zero offset when passed to release func or trusted arg to kfunc$/,
    words: 'R<n> must have zero offset when passed to release func or trusted arg to kfunc',
    title: 'A moved pointer passed where the object\'s start is needed',
    plain: (m, f) => `${reg(m)} ${f.at} points inside an object rather than at its start${from(f)}; release functions and trusted kfunc arguments need the pointer exactly as it was returned.`,
    cause: 'Pointer arithmetic on an acquired object before releasing it or passing it to a kfunc.',
    suggestion: (m) => `Keep an unmodified copy of the pointer and pass that in ${reg(m)}.`,
    example: tp('call bpf_cpumask_create\nif r0 == 0 goto out\nr7 = r0\nr7 += 8\nr1 = r7\ncall bpf_cpumask_release\nout:\nr0 = 0\nexit'),
    fix: tp('call bpf_cpumask_create\nif r0 == 0 goto out\nr7 = r0\nr1 = r7\ncall bpf_cpumask_release\nout:\nr0 = 0\nexit'),
    kernelFunction: 'check_func_arg_reg_off',
  },
  {
    id: 'kfunc-arg-not-scalar',
    category: 'types',
    templates: ['R${} is not a scalar'],
    pattern: /^R(\d+) is not a scalar$/,
    words: 'R<n> is not a scalar',
    title: 'A kfunc\'s number argument is not a number',
    plain: (m, f) => `The kfunc called ${f.at} takes a number in ${reg(m)}, but ${reg(m)} is not a known scalar there${from(f)} (a pointer, or a register never written).`,
    cause: 'An argument register left unset or holding a pointer, often after arguments were put in the wrong registers.',
    suggestion: (m) => `Put the number in ${reg(m)} before the call.`,
    example: tp('call bpf_cpumask_create\nif r0 == 0 goto out\nr7 = r0\nr2 = r7\ncall bpf_cpumask_set_cpu\nr1 = r7\ncall bpf_cpumask_release\nout:\nr0 = 0\nexit'),
    fix: tp('call bpf_cpumask_create\nif r0 == 0 goto out\nr7 = r0\nr1 = 1\nr2 = r7\ncall bpf_cpumask_set_cpu\nr1 = r7\ncall bpf_cpumask_release\nout:\nr0 = 0\nexit'),
    kernelFunction: 'check_kfunc_args',
  },
  {
    id: 'kfunc-not-allowed',
    category: 'policy',
    templates: ['calling kernel function ${} is not allowed'],
    pattern: /^calling kernel function (\w+) is not allowed$/,
    words: 'calling kernel function <kfunc> is not allowed',
    title: 'This program type cannot call that kfunc',
    plain: (m, f) => `${m[1] ?? 'The kfunc'}, called ${f.at}, is not registered for this program type; each kfunc set is available to some program types only.`,
    cause: 'Calling a tracing or scheduler kfunc from a networking program (or the reverse).',
    suggestion: (m) => `Move the call to a program type that may use ${m[1] ?? 'it'} (e.g. tp_btf, fentry, struct_ops, syscall), or use a helper this type has.`,
    example: sock('r1 = 1\ncall bpf_task_from_pid\nif r0 == 0 goto out\nr1 = r0\ncall bpf_task_release\nout:\nr0 = 0\nexit'),
    fix: tp('r1 = 1\ncall bpf_task_from_pid\nif r0 == 0 goto out\nr1 = r0\ncall bpf_task_release\nout:\nr0 = 0\nexit'),
    kernelFunction: 'check_kfunc_call',
  },
  {
    id: 'rcu-nested',
    category: 'references and lifetimes',
    templates: ['nested rcu read lock (kernel function ${})'],
    pattern: /^nested rcu read lock \(kernel function (\w+)\)$/,
    words: 'nested rcu read lock (kernel function bpf_rcu_read_lock)',
    title: 'bpf_rcu_read_lock inside an RCU section',
    plain: (_m, f) => `The program calls bpf_rcu_read_lock() ${f.at} while an RCU read section is already open; the verifier allows one level only.`,
    cause: 'A second lock call, often on a path that did not unlock.',
    suggestion: () => 'Open one RCU section and close it with exactly one bpf_rcu_read_unlock() on every path.',
    example: tp('call bpf_rcu_read_lock\ncall bpf_rcu_read_lock\ncall bpf_rcu_read_unlock\ncall bpf_rcu_read_unlock\nr0 = 0\nexit'),
    fix: tp('call bpf_rcu_read_lock\ncall bpf_rcu_read_unlock\nr0 = 0\nexit'),
    kernelFunction: 'check_kfunc_call',
  },
  {
    id: 'rcu-unmatched-unlock',
    category: 'references and lifetimes',
    templates: ['unmatched rcu read unlock (kernel function ${})'],
    pattern: /^unmatched rcu read unlock \(kernel function (\w+)\)$/,
    words: 'unmatched rcu read unlock (kernel function bpf_rcu_read_unlock)',
    title: 'bpf_rcu_read_unlock without a lock',
    plain: (_m, f) => `bpf_rcu_read_unlock() ${f.at} closes an RCU section that is not open on this path.`,
    cause: 'An unlock on a path that skipped the lock, or a second unlock.',
    suggestion: () => 'Pair every bpf_rcu_read_unlock() with a bpf_rcu_read_lock() earlier on the same path.',
    example: tp('call bpf_rcu_read_unlock\nr0 = 0\nexit'),
    fix: tp('call bpf_rcu_read_lock\ncall bpf_rcu_read_unlock\nr0 = 0\nexit'),
    kernelFunction: 'check_kfunc_call',
  },
  {
    id: 'rcu-at-exit',
    category: 'references and lifetimes',
    templates: ['${} cannot be used inside bpf_rcu_read_lock-ed region'],
    pattern: /^(BPF_EXIT instruction in main prog|tail_call) cannot be used inside bpf_rcu_read_lock-ed region$/,
    words: '<BPF_EXIT instruction in main prog|tail_call> cannot be used inside bpf_rcu_read_lock-ed region',
    title: 'The program ends inside an RCU section',
    plain: (m, f) => `${m[1] === 'tail_call' ? 'A tail call' : 'The exit'} ${f.at} is reached while an RCU read section is still open; the section must be closed before the program leaves.`,
    cause: 'A path that returns early between bpf_rcu_read_lock() and bpf_rcu_read_unlock().',
    suggestion: (_m, f) => `Call bpf_rcu_read_unlock() before ${f.here}.`,
    example: tp('call bpf_rcu_read_lock\nr0 = 0\nexit'),
    fix: tp('call bpf_rcu_read_lock\ncall bpf_rcu_read_unlock\nr0 = 0\nexit'),
    kernelFunction: 'check_resource_leak',
  },
  // ---------------------------------------------------------------- memory safety
  {
    id: 'packet-outside',
    category: 'memory safety',
    templates: ['R${} offset is outside of the packet'],
    pattern: /^R(\d+) offset is outside of the packet$/,
    words: 'R<n> offset is outside of the packet',
    title: 'A packet access past the bytes the program has checked',
    plain: (m, f) => {
      const p = packetFigures(f.ctx.log);
      const check = f.error.related?.find((r) => /bounds check/.test(r.message));
      const checked = check ? ` (the last bounds check on this path is at ${lineWord(check.pc, f.ctx)})` : '';
      const what = p ? `${p.size === 1 ? `byte ${p.off}` : `bytes ${p.off} to ${p.off + p.size - 1}`} past ${reg(m)}, but this path has only proved that the first ${p.range} bytes are in the packet${checked}` : `memory past ${reg(m)} that this path has not proved to lie inside the packet${checked || ' (no bounds check against data_end covers it)'}`;
      return `The access ${f.at} reads or writes ${what}. A packet can be shorter than the program expects, so every byte must be checked against data_end first.`;
    },
    cause: 'Reading a header field beyond the length compared with data_end (e.g. checking 14 bytes and reading at offset 20), or no comparison at all.',
    suggestion: (m, f) => {
      const p = packetFigures(f.ctx.log);
      return p ? `Compare ${reg(m).toLowerCase()} + ${p.off + p.size} (not ${p.range}) with data_end ${before(f)}: \`r4 = ${reg(m).toLowerCase()}; r4 += ${p.off + p.size}; if r4 > data_end goto drop\`.` : `Compare ${reg(m).toLowerCase()} plus the end of the access with data_end ${before(f)}, and access only on the branch where it is within.`;
    },
    example: xdp('r2 = *(u32 *)(r1 + 0)\nr3 = *(u32 *)(r1 + 4)\nr4 = r2\nr4 += 14\nif r4 > r3 goto out\nr0 = *(u8 *)(r2 + 20)\nout:\nr0 = 2\nexit'),
    fix: xdp('r2 = *(u32 *)(r1 + 0)\nr3 = *(u32 *)(r1 + 4)\nr4 = r2\nr4 += 21\nif r4 > r3 goto out\nr0 = *(u8 *)(r2 + 20)\nout:\nr0 = 2\nexit'),
    kernelFunction: 'check_packet_access',
  },
  {
    id: 'map-value-min',
    category: 'memory safety',
    templates: ['R${} min value is outside of the allowed memory range'],
    pattern: /^R(\d+) min value is outside of the allowed memory range$/,
    words: 'R<n> min value is outside of the allowed memory range',
    title: 'An access that may start before the memory it points into',
    plain: (m, f) => `The smallest offset ${reg(m)} may have ${f.at}, plus the instruction's offset, lies before the start of the map value (or memory) it points into${from(f)}; the verifier needs every possible offset inside it.`,
    cause: 'A negative constant offset, or a variable offset whose lower bound the program never checked.',
    suggestion: (m, f) => `Bound the offset added to ${reg(m)} from below (an unsigned check such as \`if rX > N goto out\` on the index) ${before(f)}.`,
    example: xdp(`${lookup()}\nif r0 == 0 goto out\nr1 = *(u64 *)(r0 - 8)\nout:\nr0 = 0\nexit`, [ARRAY]),
    fix: xdp(`${lookup()}\nif r0 == 0 goto out\nr1 = *(u64 *)(r0 + 0)\nout:\nr0 = 0\nexit`, [ARRAY]),
    kernelFunction: 'check_mem_region_access',
  },
  {
    id: 'map-value-max',
    category: 'memory safety',
    templates: ['R${} max value is outside of the allowed memory range'],
    pattern: /^R(\d+) max value is outside of the allowed memory range$/,
    words: 'R<n> max value is outside of the allowed memory range',
    title: 'An access that may run past the end of a map value',
    plain: (m, f) => `The largest offset ${reg(m)} may have ${f.at}, plus the size of the access, goes past the end of the map value (or memory) it points into${from(f)}.`,
    cause: 'Checking or masking an index with a bound one too large, or forgetting the access size in the bound.',
    suggestion: (m, f) => `Bound the index added to ${reg(m)} so that index + size ≤ value_size ${before(f)} (e.g. \`r1 &= 0x38\` or \`if r1 > 56 goto out\` for an 8-byte read of a 64-byte value).`,
    example: xdp(`${lookup()}\nif r0 == 0 goto out\nr1 = *(u64 *)(r0 + 0)\nr1 &= 63\nr0 += r1\nr0 = *(u64 *)(r0 + 0)\nout:\nr0 = 0\nexit`, [ARRAY]),
    fix: xdp(`${lookup()}\nif r0 == 0 goto out\nr1 = *(u64 *)(r0 + 0)\nr1 &= 56\nr0 += r1\nr0 = *(u64 *)(r0 + 0)\nout:\nr0 = 0\nexit`, [ARRAY]),
    kernelFunction: 'check_mem_region_access',
  },
  {
    id: 'min-negative',
    category: 'memory safety',
    templates: ['R${} min value is negative, either use unsigned index or do a if (index >=0) check.'],
    pattern: /^R(\d+) min value is negative, either use unsigned index or do a if \(index >=0\) check\.$/,
    words: 'R<n> min value is negative, either use unsigned index or do a if (index >=0) check.',
    title: 'An index that may be negative',
    plain: (m, f) => `The offset of ${reg(m)} ${f.at} may be negative${from(f)}: the index was loaded or computed as a signed number and nothing on the path proved it is at least 0.`,
    cause: 'A sign-extending load (s8/s16/s32) or a signed comparison used as the only bound of an index.',
    suggestion: (_m, f) => `Use an unsigned load or an unsigned bound (\`if rX > N goto out\` is unsigned) on the index ${before(f)}.`,
    example: xdp(`${lookup()}\nif r0 == 0 goto out\nr1 = *(s8 *)(r0 + 0)\nr0 += r1\nr0 = *(u8 *)(r0 + 0)\nout:\nr0 = 0\nexit`, [ARRAY]),
    fix: xdp(`${lookup()}\nif r0 == 0 goto out\nr1 = *(u8 *)(r0 + 0)\nif r1 > 63 goto out\nr0 += r1\nr0 = *(u8 *)(r0 + 0)\nout:\nr0 = 0\nexit`, [ARRAY]),
    kernelFunction: 'check_mem_region_access',
  },
  {
    id: 'unbounded-access',
    category: 'memory safety',
    templates: ['R${} unbounded memory access, make sure to bounds check any such access'],
    pattern: /^R(\d+) unbounded memory access, make sure to bounds check any such access$/,
    words: 'R<n> unbounded memory access, make sure to bounds check any such access',
    title: 'An access through a pointer with an unchecked offset',
    plain: (m, f) => `${reg(m)} ${f.at} points at an offset with no upper bound${from(f)}: a number from the context or a map was added to it without a comparison, so it could point anywhere.`,
    cause: 'Adding an unchecked value to a map value pointer before reading through it.',
    suggestion: (_m, f) => `Compare the added value with the largest valid index (\`if rX > N goto out\`) ${before(f)}.`,
    example: xdp(`r6 = *(u32 *)(r1 + 16)\n${lookup()}\nif r0 == 0 goto out\nr0 += r6\nr0 = *(u8 *)(r0 + 0)\nout:\nr0 = 0\nexit`, [ARRAY]),
    fix: xdp(`r6 = *(u32 *)(r1 + 16)\n${lookup()}\nif r0 == 0 goto out\nif r6 > 63 goto out\nr0 += r6\nr0 = *(u8 *)(r0 + 0)\nout:\nr0 = 0\nexit`, [ARRAY]),
    kernelFunction: 'check_mem_region_access',
  },
  {
    id: 'stack-out-of-bounds',
    category: 'memory safety',
    templates: ['invalid${} stack R${} off=${} size=${}'],
    pattern: /^invalid( read from| write to)? stack R(\d+) off=(-?\d+) size=(\d+)$/,
    words: 'invalid[ read from| write to] stack R<n> off=<off> size=<size>',
    title: 'A stack access outside the 512-byte stack',
    plain: (m, f) => `The access ${f.at} covers ${m[4] ?? '?'} bytes at fp${Number(m[3] ?? 0) >= 0 ? '+' : ''}${m[3] ?? '?'}, outside the program's stack, which is the 512 bytes from fp-512 to fp-1.`,
    cause: 'An offset below -512, at or above 0, or a buffer passed to a helper that is longer than the stack space behind its pointer.',
    suggestion: () => 'Keep every stack access within fp-512 … fp-1 (including its size); move large buffers into a per-CPU array map.',
    example: xdp('r0 = *(u32 *)(r10 - 516)\nexit'),
    fix: xdp('*(u32 *)(r10 - 512) = 0\nr0 = *(u32 *)(r10 - 512)\nexit'),
    kernelFunction: 'check_stack_access_within_bounds',
  },
  {
    id: 'stack-variable-offset',
    category: 'memory safety',
    templates: ['invalid variable-offset${} stack R${} var_off=${} off=${} size=${}', 'invalid unbounded variable-offset${} stack R${}'],
    pattern: /^invalid (?:unbounded )?variable-offset( read from| write to)? stack R(\d+)(?: var_off=(\S+ \S+) off=(-?\d+) size=(\d+))?$/,
    words: 'invalid variable-offset[ read from| write to] stack R<n> var_off=<tnum> off=<off> size=<size>',
    title: 'A stack access at a variable offset that may leave the stack',
    plain: (m, f) => `R${m[2] ?? '?'} ${f.at} points into the stack at a variable offset${m[3] ? ` ${m[3]}` : ''}, and some of its values put the access outside fp-512 … fp-1.`,
    cause: 'An index added to a stack pointer with a bound that lets the access reach fp+0 or below fp-512.',
    suggestion: () => 'Bound the index so base + index + size stays within the stack, or use a constant offset.',
    example: xdp('r2 = *(u32 *)(r1 + 16)\nr2 &= 15\nr1 = r10\nr1 += -8\nr1 += r2\n*(u8 *)(r1 + 0) = 0\nr0 = 0\nexit'),
    fix: xdp('r2 = *(u32 *)(r1 + 16)\nr2 &= 7\nr1 = r10\nr1 += -16\nr1 += r2\n*(u8 *)(r1 + 0) = 0\nr0 = 0\nexit'),
    kernelFunction: 'check_stack_access_within_bounds',
  },
  {
    id: 'misaligned',
    category: 'memory safety',
    templates: ['misaligned ${}access off ${}+${}+${} size ${}', 'misaligned stack access off ${}+${}+${} size ${}'],
    pattern: /^misaligned (\w+ )?access off (\S+)\+(-?\d+)\+(-?\d+) size (\d+)$/,
    words: 'misaligned <kind> access off <var>+<reg off>+<insn off> size <size>',
    title: 'A misaligned access',
    plain: (m, f) => `The ${m[5] ?? '?'}-byte ${(m[1] ?? '').trim() || 'memory'} access ${f.at} is not aligned to its size; pointers spilled to the stack, and stack accesses generally, must be naturally aligned.`,
    cause: 'Spilling a register at an offset that is not a multiple of 8, or reading a field at an odd offset.',
    suggestion: () => 'Use an offset that is a multiple of the access size (8 for a spilled register).',
    example: xdp('*(u64 *)(r10 - 12) = r1\nr0 = 0\nexit'),
    fix: xdp('*(u64 *)(r10 - 16) = r1\nr0 = 0\nexit'),
    kernelFunction: 'check_ptr_alignment',
  },
  {
    id: 'ctx-access',
    category: 'memory safety',
    templates: ['invalid bpf_context access off=${} size=${}'],
    pattern: /^invalid bpf_context access off=(-?\d+) size=(\d+)$/,
    words: 'invalid bpf_context access off=<off> size=<size>',
    title: 'A context access that is not a field of this program type\'s context',
    plain: (m, f) => `The ${m[2] ?? '?'}-byte access at offset ${m[1] ?? '?'} of the context ${f.at} is not a field this program type may access in that way (a field that does not exist, a wrong size, or a write to a read-only field).`,
    cause: 'Using the offsets of another program type\'s context, reading a field with the wrong width, or writing a field that is read-only.',
    suggestion: () => 'Use the context struct of this section (struct xdp_md for xdp, struct __sk_buff for tc) with its field names and sizes.',
    example: xdp('r0 = *(u32 *)(r1 - 4)\nr0 = 0\nexit'),
    fix: xdp('r0 = *(u32 *)(r1 + 16)\nr0 = 0\nexit'),
    kernelFunction: 'check_ctx_access',
  },
  {
    id: 'ctx-modified',
    category: 'memory safety',
    templates: ['dereference of modified ctx ptr R${} off=${} disallowed'],
    pattern: /^dereference of modified ctx ptr R(\d+) off=(-?\d+) disallowed$/,
    words: 'dereference of modified ctx ptr R<n> off=<off> disallowed',
    title: 'A read through a context pointer that was moved',
    plain: (m, _f) => `${reg(m)} is the context pointer moved by ${m[2] ?? '?'} bytes; the context may only be accessed through its original pointer with a constant offset in the instruction (the kernel rewrites these accesses).`,
    cause: 'Adding to the context pointer instead of using the load\'s offset field.',
    suggestion: (m) => `Use \`*(u32 *)(r1 + ${m[2] ?? 'N'})\` on the unmodified context pointer.`,
    example: xdp('r1 += 4\nr0 = *(u32 *)(r1 + 0)\nexit'),
    fix: xdp('r0 = *(u32 *)(r1 + 4)\nr0 = 0\nexit'),
    kernelFunction: 'check_ptr_off_reg',
  },
  {
    id: 'ctx-variable',
    category: 'memory safety',
    templates: ['variable ctx access var_off=${} disallowed'],
    pattern: /^variable ctx access var_off=(.+) disallowed$/,
    words: 'variable ctx access var_off=<tnum> disallowed',
    title: 'A context access at a variable offset',
    plain: (_m, f) => `The context pointer was moved by a value unknown at load time, and read ${f.at}; context fields may only be read at constant offsets.`,
    cause: 'Indexing into the context with a variable.',
    suggestion: () => 'Read the fields you need at constant offsets and choose between them with branches.',
    example: xdp('r2 = *(u32 *)(r1 + 16)\nr1 += r2\nr0 = *(u32 *)(r1 + 0)\nexit'),
    fix: xdp('r2 = *(u32 *)(r1 + 16)\nr0 = *(u32 *)(r1 + 0)\nr0 = 0\nexit'),
    kernelFunction: 'check_mem_access',
  },
  // ---------------------------------------------------------------- uninitialised values
  {
    id: 'uninit-register',
    category: 'types',
    templates: ['R${} !read_ok', 'R0 !read_ok'],
    pattern: /^R(\d+) !read_ok$/,
    words: 'R<n> !read_ok',
    title: 'A register read before it was written',
    plain: (m, f) => `${reg(m)} is read ${f.at} but holds no value on this path${f.origin ? ` (${f.origin})` : m[1] === '0' ? ' (the program returns R0, which was never set)' : ''}. At entry only R1 (the context) and R10 (the frame pointer) are set, and every call leaves R1-R5 unreadable.`,
    cause: 'Using an argument register after a helper call, forgetting to set R0 before exit, or a path that skips the assignment.',
    suggestion: (m, f) => `Write ${reg(m)} on every path to ${f.here}; to keep a value across a call, keep it in R6-R9.`,
    example: tc('exit'),
    fix: tc('r0 = 0\nexit'),
    kernelFunction: 'check_reg_arg',
  },
  {
    id: 'frame-pointer-write',
    category: 'types',
    templates: ['frame pointer is read only'],
    pattern: /^frame pointer is read only$/,
    words: 'frame pointer is read only',
    title: 'A write to R10',
    plain: (_m, f) => `The instruction ${f.at} writes R10, the frame pointer; it is read-only so that the verifier always knows where the stack is.`,
    cause: 'Using R10 as a general register.',
    suggestion: () => 'Copy R10 into another register (`r1 = r10; r1 += -8`) and change the copy.',
    example: xdp('r10 = 0\nr0 = 0\nexit'),
    fix: xdp('r1 = r10\nr1 += -8\nr0 = 0\nexit'),
    kernelFunction: 'check_reg_arg',
  },
  // ---------------------------------------------------------------- pointer arithmetic
  {
    id: 'ptr-arith-null',
    category: 'references and lifetimes',
    templates: ['R${} pointer arithmetic on ${} prohibited, null-check it first'],
    pattern: /^R(\d+) pointer arithmetic on (\w+) prohibited, null-check it first$/,
    words: 'R<n> pointer arithmetic on <type>_or_null prohibited, null-check it first',
    title: 'Arithmetic on a pointer that may be NULL',
    plain: (m, f) => `${reg(m)} ${f.at} is a ${m[2] ?? ''} pointer that may still be NULL${f.originCall ? `: it comes from ${f.originCall}${f.originAt ? ` at ${f.originAt}` : ''}, and ${nullReason(f.originCall)}` : from(f)}. Moving it first would make the NULL test afterwards meaningless.`,
    cause: 'Adding an offset to a lookup result before testing it.',
    suggestion: (m, f) => `Test ${reg(m)} against 0 ${before(f)}, then add the offset on the non-NULL branch.`,
    example: xdp(`${lookup()}\nr0 += 4\nif r0 == 0 goto out\nr1 = *(u32 *)(r0 + 0)\nout:\nr0 = 0\nexit`, [HASH]),
    fix: xdp(`${lookup()}\nif r0 == 0 goto out\nr0 += 4\nr1 = *(u32 *)(r0 + 0)\nout:\nr0 = 0\nexit`, [HASH]),
    kernelFunction: 'adjust_ptr_min_max_vals',
  },
  {
    id: 'ptr-arith-type',
    category: 'types',
    templates: ['R${} pointer arithmetic on ${} prohibited'],
    pattern: /^R(\d+) pointer arithmetic on (\w+) prohibited$/,
    words: 'R<n> pointer arithmetic on <type> prohibited',
    title: 'Arithmetic on a pointer that cannot be moved',
    plain: (m, f) => `${reg(m)} ${f.at} is a ${m[2] ?? ''} pointer; pointers of this kind (data_end, a map or a socket, …) only have meaning as they are, so the verifier forbids changing them.`,
    cause: 'Adding to data_end or to a map, socket or context pointer of a kind that must stay exact.',
    suggestion: (m) => (m[2] === 'pkt_end' ? 'Add to the data pointer instead and compare the result with data_end.' : `Keep ${reg(m)} unchanged; move a copy of a pointer that allows arithmetic instead.`),
    example: xdp('r2 = *(u32 *)(r1 + 0)\nr3 = *(u32 *)(r1 + 4)\nr3 += 1\nr0 = 2\nexit'),
    fix: xdp('r2 = *(u32 *)(r1 + 0)\nr3 = *(u32 *)(r1 + 4)\nr2 += 1\nr0 = 2\nexit'),
    kernelFunction: 'adjust_ptr_min_max_vals',
  },
  {
    id: 'ptr-plus-ptr',
    category: 'types',
    templates: ['R${} pointer ${} pointer prohibited'],
    pattern: /^R(\d+) pointer (\S+) pointer prohibited$/,
    words: 'R<n> pointer <op> pointer prohibited',
    title: 'Arithmetic between two pointers',
    plain: (m, f) => `The instruction ${f.at} computes pointer ${m[2] ?? ''} pointer in ${reg(m)}; only a pointer and a number can be combined (and two packet pointers subtracted).`,
    cause: 'Adding two pointers, usually a register mix-up.',
    suggestion: () => 'Add a number (an offset) to a pointer, not another pointer.',
    example: xdp('r1 = r10\nr1 += r10\nr0 = 0\nexit'),
    fix: xdp('r1 = r10\nr1 += -8\nr0 = 0\nexit'),
    kernelFunction: 'adjust_reg_min_max_vals',
  },
  {
    id: 'ptr-32bit',
    category: 'types',
    templates: ['R${} 32-bit pointer arithmetic prohibited'],
    pattern: /^R(\d+) 32-bit pointer arithmetic prohibited$/,
    words: 'R<n> 32-bit pointer arithmetic prohibited',
    title: '32-bit arithmetic on a pointer',
    plain: (m, f) => `The 32-bit (w-register) operation ${f.at} applies to ${reg(m)}, a pointer; it would drop the pointer's upper half.`,
    cause: 'Using `w1 += …` where `r1 += …` was meant.',
    suggestion: (m) => `Use the 64-bit form (\`${reg(m).toLowerCase()} += …\`).`,
    example: xdp('r1 = r10\nw1 += -8\nr0 = 0\nexit'),
    fix: xdp('r1 = r10\nr1 += -8\nr0 = 0\nexit'),
    kernelFunction: 'adjust_ptr_min_max_vals',
  },
  {
    id: 'ptr-sub-from-scalar',
    category: 'types',
    templates: ['R${} tried to subtract pointer from scalar'],
    pattern: /^R(\d+) tried to subtract pointer from scalar$/,
    words: 'R<n> tried to subtract pointer from scalar',
    title: 'A pointer subtracted from a number',
    plain: (m, f) => `${reg(m)} is a number and the instruction ${f.at} subtracts a pointer from it; the result would be neither a pointer nor a meaningful number.`,
    cause: 'Operands of a subtraction in the wrong order.',
    suggestion: () => 'Subtract the number from the pointer (`rP -= rN`), or two packet pointers from each other.',
    example: xdp('r0 = 8\nr0 -= r10\nexit'),
    fix: xdp('r2 = *(u32 *)(r1 + 0)\nr3 = *(u32 *)(r1 + 4)\nr3 -= r2\nr0 = 2\nexit'),
    kernelFunction: 'adjust_ptr_min_max_vals',
  },
  {
    id: 'ptr-sub-stack',
    category: 'types',
    templates: ['R${} subtraction from stack pointer prohibited'],
    pattern: /^R(\d+) subtraction from stack pointer prohibited$/,
    words: 'R<n> subtraction from stack pointer prohibited',
    title: 'Subtraction of a register from a stack pointer',
    plain: (m, f) => `${reg(m)} is a stack pointer and the instruction ${f.at} subtracts from it; Linux allows no subtraction from stack pointers at all — only additions, of negative constants for locals.`,
    cause: 'Writing `r1 -= 16` instead of `r1 += -16` on a copy of r10, or subtracting a variable.',
    suggestion: (m) => `Add a negative constant instead: \`${reg(m).toLowerCase()} += -N\`.`,
    example: xdp('r1 = r10\nr2 = 16\nr1 -= r2\n*(u64 *)(r1 + 8) = 0\nr0 = 0\nexit'),
    fix: xdp('r1 = r10\nr1 += -16\n*(u64 *)(r1 + 8) = 0\nr0 = 0\nexit'),
    kernelFunction: 'adjust_ptr_min_max_vals',
  },
  {
    id: 'ptr-bitwise',
    category: 'types',
    templates: ['R${} bitwise operator ${} on pointer prohibited'],
    pattern: /^R(\d+) bitwise operator (\S+) on pointer prohibited$/,
    words: 'R<n> bitwise operator <op> on pointer prohibited',
    title: 'A bitwise operation on a pointer',
    plain: (m, f) => `${f.at.replace(/^at/, 'At')}, ${reg(m)} is a pointer and \`${m[2] ?? ''}\` would turn it into an address the verifier cannot follow (and could leak kernel addresses).`,
    cause: 'Aligning a pointer by masking it.',
    suggestion: () => 'Compute with offsets (numbers) and add the result to the pointer.',
    example: xdp('r1 = r10\nr1 |= 1\nr0 = 0\nexit'),
    fix: xdp('r1 = r10\nr1 += -8\nr0 = 0\nexit'),
    kernelFunction: 'adjust_ptr_min_max_vals',
  },
  {
    id: 'ptr-operator',
    category: 'types',
    templates: ['R${} pointer arithmetic with ${} operator prohibited'],
    pattern: /^R(\d+) pointer arithmetic with (\S+) operator prohibited$/,
    words: 'R<n> pointer arithmetic with <op> operator prohibited',
    title: 'An operator pointers do not support',
    plain: (m, f) => `${reg(m)} ${f.at} is a pointer; only addition and subtraction of numbers are allowed on pointers, not \`${m[2] ?? ''}\`.`,
    cause: 'Multiplying, dividing or shifting a pointer.',
    suggestion: () => 'Do the computation on the offset, then add it to the pointer.',
    example: xdp('r1 = r10\nr1 *= 2\nr0 = 0\nexit'),
    fix: xdp('r1 = 2\nr1 *= 2\nr0 = 0\nexit'),
    kernelFunction: 'adjust_ptr_min_max_vals',
  },
  {
    id: 'ptr-unbounded-min',
    category: 'memory safety',
    templates: ['math between ${} pointer and register with unbounded min value is not allowed'],
    pattern: /^math between (\w+) pointer and register with unbounded min value is not allowed$/,
    words: 'math between <type> pointer and register with unbounded min value is not allowed',
    title: 'A pointer moved by a value with no lower bound',
    plain: (m, f) => `${f.at.replace(/^at/, 'At')}, a number with no known lower bound is added to a ${m[1] ?? ''} pointer${from(f)}; it could move the pointer anywhere, backwards too.`,
    cause: 'Adding a value read from memory, a helper result or a signed-bounded value to a pointer without an unsigned bound.',
    suggestion: (_m, f) => `Bound the value with an unsigned comparison or a mask (\`if rX > N goto out\`, \`rX &= N\`) ${before(f)}.`,
    example: xdp(`call bpf_get_prandom_u32\nr6 = r0\n${lookup()}\nif r0 == 0 goto out\nr0 += r6\nr0 = *(u8 *)(r0 + 0)\nout:\nr0 = 0\nexit`, [ARRAY]),
    fix: xdp(`call bpf_get_prandom_u32\nr6 = r0\n${lookup()}\nif r0 == 0 goto out\nr1 = r6\nr1 &= 63\nr0 += r1\nr0 = *(u8 *)(r0 + 0)\nout:\nr0 = 0\nexit`, [ARRAY]),
    kernelFunction: 'adjust_ptr_min_max_vals',
  },
  {
    id: 'ptr-out-of-bounds',
    category: 'memory safety',
    templates: ['value ${} makes ${} pointer be out of bounds'],
    pattern: /^value (-?\d+) makes (\w+) pointer be out of bounds$/,
    words: 'value <n> makes <type> pointer be out of bounds',
    title: 'A pointer moved by a value that may be huge',
    plain: (m, f) => `${f.at.replace(/^at/, 'At')}, a number as small as ${m[1] ?? '?'} may be added to a ${m[2] ?? ''} pointer${from(f)}; the verifier refuses offsets that can move a pointer by 2^29 bytes or more, as no object is that large.`,
    cause: 'A sign-extended value (e.g. `r1 <<= 32; r1 s>>= 32`, or an s32 load) used as an offset without a lower bound.',
    suggestion: (_m, f) => `Bound the offset from both sides (\`if rX > N goto out\` treats it as unsigned) ${before(f)}.`,
    example: xdp(`call bpf_get_prandom_u32\nr6 = r0\n${lookup()}\nif r0 == 0 goto out\nr1 = r6\nr1 <<= 32\nr1 s>>= 32\nr0 += r1\nr0 = *(u8 *)(r0 + 0)\nout:\nr0 = 0\nexit`, [ARRAY]),
    fix: xdp(`call bpf_get_prandom_u32\nr6 = r0\n${lookup()}\nif r0 == 0 goto out\nr1 = r6\nr1 <<= 32\nr1 s>>= 32\nif r1 > 63 goto out\nr0 += r1\nr0 = *(u8 *)(r0 + 0)\nout:\nr0 = 0\nexit`, [ARRAY]),
    kernelFunction: 'check_reg_sane_offset',
  },
  // ---------------------------------------------------------------- arithmetic
  {
    id: 'div-by-zero',
    category: 'program structure',
    templates: ['div by zero'],
    pattern: /^div by zero$/,
    words: 'div by zero',
    title: 'Division by the constant 0',
    plain: (_m, f) => `The instruction ${f.at} divides (or takes the remainder) by the constant 0.`,
    cause: 'A typo in a constant divisor.',
    suggestion: () => 'Divide by a non-zero constant, or by a register (BPF defines division by a zero register as 0).',
    example: xdp('r0 = 10\nr0 /= 0\nexit'),
    fix: xdp('r0 = 10\nr0 /= 2\nexit'),
    kernelFunction: 'check_alu_op',
  },
  {
    id: 'invalid-shift',
    category: 'program structure',
    templates: ['invalid shift ${}'],
    pattern: /^invalid shift (-?\d+)$/,
    words: 'invalid shift <n>',
    title: 'A shift by a constant out of range',
    plain: (m, f) => `The shift ${f.at} is by ${m[1] ?? '?'} bits; a constant shift must be from 0 to 63 (0 to 31 for a 32-bit operation).`,
    cause: 'Shifting by the register width or more.',
    suggestion: () => 'Shift by less than the width, or set the register to 0 directly.',
    example: xdp('r0 = 1\nr0 <<= 64\nexit'),
    fix: xdp('r0 = 1\nr0 <<= 63\nexit'),
    kernelFunction: 'check_alu_op',
  },
  // ---------------------------------------------------------------- stack
  {
    id: 'register-fill-size',
    category: 'types',
    templates: ['invalid size of register fill'],
    pattern: /^invalid size of register fill$/,
    words: 'invalid size of register fill',
    title: 'Part of a spilled pointer read back',
    plain: (_m, f) => `The load ${f.at} reads fewer than 8 bytes of a stack slot that holds a spilled pointer; a pointer can only be read back whole.`,
    cause: 'Reading a spilled pointer with a u32 (or smaller) load.',
    suggestion: () => 'Read the slot back with a 64-bit load (`*(u64 *)(r10 - N)`).',
    example: xdp('*(u64 *)(r10 - 8) = r1\nr2 = *(u32 *)(r10 - 8)\nr0 = *(u32 *)(r2 + 16)\nexit'),
    fix: xdp('*(u64 *)(r10 - 8) = r1\nr2 = *(u64 *)(r10 - 8)\nr0 = *(u32 *)(r2 + 16)\nexit'),
    kernelFunction: 'check_stack_read_fixed_off',
  },
  {
    id: 'spill-fp-to-caller',
    category: 'references and lifetimes',
    templates: ['cannot spill pointers to stack into stack frame of the caller'],
    pattern: /^cannot spill pointers to stack into stack frame of the caller$/,
    words: 'cannot spill pointers to stack into stack frame of the caller',
    title: 'A pointer to a function\'s stack stored in its caller\'s stack',
    plain: (_m, f) => `The store ${f.at} puts a pointer to the current function's stack into its caller's stack; that frame disappears when the function returns, so the pointer would dangle.`,
    cause: 'Returning a buffer through an out-parameter by storing a pointer to a local.',
    suggestion: () => 'Let the caller pass its own buffer and write the data into it instead of a pointer.',
    example: xdp('r1 = r10\nr1 += -8\ncall f\nr0 = 0\nexit\nf:\nr2 = r10\nr2 += -8\n*(u64 *)(r1 + 0) = r2\nr0 = 0\nexit'),
    fix: xdp('r1 = r10\nr1 += -8\ncall f\nr0 = 0\nexit\nf:\nr2 = 7\n*(u64 *)(r1 + 0) = r2\nr0 = 0\nexit'),
    kernelFunction: 'check_stack_write_fixed_off',
  },
  {
    id: 'stack-too-large',
    category: 'limits',
    templates: ['combined stack size of ${} calls is ${}. Too large'],
    pattern: /^combined stack size of (\d+) calls is (\d+)\. Too large$/,
    words: 'combined stack size of <n> calls is <bytes>. Too large',
    title: 'The stacks of a call chain exceed 512 bytes',
    plain: (m) => `A chain of ${m[1] ?? '?'} nested calls uses ${m[2] ?? '?'} bytes of stack in total; all frames of a call chain share the 512-byte limit.`,
    cause: 'Large local buffers in functions that call each other.',
    suggestion: () => 'Shrink the buffers, or keep large data in a per-CPU array map.',
    example: xdp('call f\n*(u64 *)(r10 - 288) = 0\nr0 = 0\nexit\nf:\n*(u64 *)(r10 - 256) = 0\nr0 = 0\nexit'),
    fix: xdp('call f\n*(u64 *)(r10 - 248) = 0\nr0 = 0\nexit\nf:\n*(u64 *)(r10 - 256) = 0\nr0 = 0\nexit'),
    kernelFunction: 'check_max_stack_depth',
  },
  {
    id: 'call-stack-too-deep',
    category: 'limits',
    templates: ['the call stack of ${} frames is too deep !'],
    pattern: /^the call stack of (\d+) frames is too deep !$/,
    words: 'the call stack of <n> frames is too deep !',
    title: 'Too many nested function calls',
    plain: (m, f) => `The call ${f.at} would make ${m[1] ?? '?'} nested frames; BPF allows at most 8, and recursion is never allowed.`,
    cause: 'A recursive function, or a deep chain of calls.',
    suggestion: () => 'Replace recursion with a bounded loop (or bpf_loop), or inline some functions.',
    example: xdp('r1 = 3\ncall f\nexit\nf:\nr0 = 0\nif r1 == 0 goto out\nr1 -= 1\ncall f\nout:\nexit'),
    fix: xdp('r1 = 3\ncall f\nexit\nf:\nr0 = 0\nl:\nif r1 == 0 goto out\nr1 -= 1\ngoto l\nout:\nexit'),
    kernelFunction: 'check_func_call',
  },
  // ---------------------------------------------------------------- helpers
  {
    id: 'helper-not-allowed',
    category: 'policy',
    templates: ['program of this type cannot use helper ${}#${}', 'program of this type cannot use helper ${}'],
    pattern: /^program of this type cannot use helper (\w+)(?:#(\d+))?$/,
    words: 'program of this type cannot use helper <name>#<id>',
    title: 'A helper this program type cannot call',
    plain: (m, f) => `${m[1] ?? 'The helper'} (called ${f.at}) is not available to this program type: each type offers the helpers that make sense for its context.`,
    cause: 'Calling an skb helper from XDP (or the reverse), a tracing helper from a networking program, or a helper id that is not a real helper.',
    suggestion: (m) => `Use the equivalent helper of this program type, or move the code to a program type that has ${m[1] ?? 'it'}.`,
    example: tc('r2 = 4\ncall bpf_xdp_adjust_head\nr0 = 0\nexit'),
    fix: xdp('r2 = 4\ncall bpf_xdp_adjust_head\nr0 = 2\nexit'),
    kernelFunction: 'check_helper_call',
  },
  {
    id: 'helper-unknown',
    category: 'program structure',
    templates: ['invalid func unknown#${}'],
    pattern: /^invalid func unknown#(-?\d+)$/,
    words: 'invalid func unknown#<id>',
    title: 'A call to a helper id that does not exist',
    plain: (m, f) => `The call ${f.at} names helper number ${m[1] ?? '?'}, which this kernel does not have.`,
    cause: 'A wrong helper number, or a helper newer than the kernel.',
    suggestion: () => 'Call the helper by its name so the assembler checks it.',
    example: xdp('call 9999\nr0 = 0\nexit'),
    fix: xdp('call bpf_ktime_get_ns\nr0 = 0\nexit'),
    kernelFunction: 'check_helper_call',
  },
  {
    id: 'gpl-helper',
    category: 'policy',
    templates: ['cannot call GPL-restricted function from non-GPL compatible program'],
    pattern: /^cannot call GPL-restricted function from non-GPL compatible program$/,
    words: 'cannot call GPL-restricted function from non-GPL compatible program',
    title: 'A GPL-only helper in a program without a GPL-compatible license',
    plain: (_m, f) => `The helper called ${f.at} is GPL-only, and the program does not declare a GPL-compatible license.`,
    cause: 'A missing `.license "GPL"` line (or a proprietary license) with tracing helpers such as bpf_probe_read_kernel or bpf_trace_printk.',
    suggestion: () => 'Declare a GPL-compatible license (`.license "GPL"`, or "Dual BSD/GPL").',
    example: { source: file('xdp', 'r2 = 8\nr1 = r10\nr1 += -64\nr3 = 0\ncall bpf_probe_read_kernel\nr0 = 0\nexit', [], null) },
    fix: xdp('r2 = 8\nr1 = r10\nr1 += -64\nr3 = 0\ncall bpf_probe_read_kernel\nr0 = 0\nexit'),
    kernelFunction: 'check_helper_call',
  },
  {
    id: 'gpl-kfunc',
    category: 'policy',
    templates: ['cannot call kernel function from non-GPL compatible program'],
    pattern: /^cannot call kernel function from non-GPL compatible program$/,
    words: 'cannot call kernel function from non-GPL compatible program',
    title: 'A kfunc in a program without a GPL-compatible license',
    plain: (_m, f) => `The program calls a kernel function (kfunc) ${f.at}; kfuncs are available to GPL-compatible programs only, and this one declares no such license.`,
    cause: 'A missing `.license "GPL"` line.',
    suggestion: () => 'Declare a GPL-compatible license (`.license "GPL"`).',
    example: { source: file('tp_btf/task_newtask', 'call bpf_rcu_read_lock\ncall bpf_rcu_read_unlock\nr0 = 0\nexit', [], null) },
    fix: tp('call bpf_rcu_read_lock\ncall bpf_rcu_read_unlock\nr0 = 0\nexit'),
    kernelFunction: 'add_subprog_and_kfunc',
  },
  {
    id: 'helper-arg-type',
    category: 'types',
    templates: ['R${} type=${} expected=${}', 'R${} type=${} expected=scalar', 'R${} type=${} expected=fp'],
    pattern: /^R(\d+) type=(\S+) expected=(.+)$/,
    words: 'R<n> type=<actual> expected=<types>',
    title: 'An argument of the wrong kind',
    plain: (m, f) => `The call ${f.at} needs ${reg(m)} to be ${m[3] === 'fp' ? 'a pointer to memory' : `one of: ${m[3] ?? '?'}`}, but ${reg(m)} holds ${m[2] === 'scalar' ? 'a number' : `a ${m[2] ?? '?'}`} there${from(f)}.${m[2] === 'scalar' && m[3] !== 'scalar' ? ' A pointer turns into a number when the object it points to is released or moved into a map.' : ''}${(m[2] ?? '').endsWith('_or_null') ? ' It may still be NULL: test it first.' : ''}`,
    cause: 'Passing a pointer where a number is expected (or the reverse), an object after releasing it, or a result not yet tested for NULL.',
    suggestion: (m, f) => ((m[2] ?? '').endsWith('_or_null') ? `Test ${reg(m)} against 0 ${before(f)}.` : `Put ${m[3] === 'fp' ? 'a pointer to memory' : `a ${m[3] ?? '?'}`} in ${reg(m)} before the call${m[2] === 'scalar' ? ', and do not use an object after releasing it' : ''}.`),
    example: tc(`${SK_LOOKUP}\nr1 = r0\ncall bpf_sk_release\nr0 = 0\nexit`),
    fix: tc(`${SK_LOOKUP}\nif r0 == 0 goto out\nr1 = r0\ncall bpf_sk_release\nout:\nr0 = 0\nexit`),
    kernelFunction: 'check_reg_type',
  },
  {
    id: 'helper-size-negative',
    category: 'memory safety',
    templates: ["R${} min value is negative, either use unsigned or 'var &= const'"],
    pattern: /^R(\d+) min value is negative, either use unsigned or 'var &= const'$/,
    words: "R<n> min value is negative, either use unsigned or 'var &= const'",
    title: 'A size argument that may be negative',
    plain: (m, f) => `${reg(m)}, the size passed to the helper ${f.at}, may be negative on this path${from(f)}.`,
    cause: 'A size bounded only by a signed comparison.',
    suggestion: (m) => `Bound ${reg(m)} with an unsigned check or a mask (\`${reg(m).toLowerCase()} &= 63\`).`,
    example: xdp('call bpf_ktime_get_ns\nr2 = r0\nif r2 s<= 64 goto +1\nr2 = 0\nr1 = r10\nr1 += -64\nr3 = 0\ncall bpf_probe_read_kernel\nr0 = 0\nexit'),
    fix: xdp('call bpf_ktime_get_ns\nr2 = r0\nif r2 <= 64 goto +1\nr2 = 0\nr1 = r10\nr1 += -64\nr3 = 0\ncall bpf_probe_read_kernel\nr0 = 0\nexit'),
    kernelFunction: 'check_mem_size_reg',
  },
  {
    id: 'helper-size-zero',
    category: 'memory safety',
    templates: ['R${} invalid zero-sized read: u64=[${},${}]'],
    pattern: /^R(\d+) invalid zero-sized read: u64=\[(\d+),(\d+)\]$/,
    words: 'R<n> invalid zero-sized read: u64=[<min>,<max>]',
    title: 'A size argument that may be 0',
    plain: (m, f) => `${reg(m)}, the size passed to the helper ${f.at}, may be 0 (its range is ${m[2] ?? '?'} to ${m[3] ?? '?'}); this helper needs at least one byte.`,
    cause: 'A size of 0, or a size whose lower bound was never checked.',
    suggestion: (m) => `Make ${reg(m)} at least 1 (\`if ${reg(m).toLowerCase()} == 0 goto out\`).`,
    example: xdp('*(u64 *)(r10 - 8) = 0x6968\nr1 = r10\nr1 += -8\nr2 = 0\ncall bpf_trace_printk\nr0 = 0\nexit'),
    fix: xdp('*(u64 *)(r10 - 8) = 0x6968\nr1 = r10\nr1 += -8\nr2 = 8\ncall bpf_trace_printk\nr0 = 0\nexit'),
    kernelFunction: 'check_mem_size_reg',
  },
  {
    id: 'helper-size-unbounded',
    category: 'memory safety',
    templates: ["R${} unbounded memory access, use 'var &= const' or 'if (var < const)'"],
    pattern: /^R(\d+) unbounded memory access, use 'var &= const' or 'if \(var < const\)'$/,
    words: "R<n> unbounded memory access, use 'var &= const' or 'if (var < const)'",
    title: 'A size argument with no upper bound',
    plain: (m, f) => `${reg(m)}, the size passed to the helper ${f.at}, has no upper bound${from(f)}, so the verifier cannot tell whether the buffer is large enough.`,
    cause: 'Passing a length read from the context, a packet or a map without checking it.',
    suggestion: (m) => `Bound ${reg(m)} by the buffer's size (\`if ${reg(m).toLowerCase()} > 64 goto out\`) before the call.`,
    example: xdp('r2 = *(u32 *)(r1 + 16)\nr1 = r10\nr1 += -64\nr3 = 0\ncall bpf_probe_read_kernel\nr0 = 0\nexit'),
    fix: xdp('r2 = *(u32 *)(r1 + 16)\nif r2 > 64 goto out\nr1 = r10\nr1 += -64\nr3 = 0\ncall bpf_probe_read_kernel\nout:\nr0 = 0\nexit'),
    kernelFunction: 'check_mem_size_reg',
  },
  {
    id: 'helper-const-size',
    category: 'types',
    templates: ["R${} is not a known constant'"],
    pattern: /^R(\d+) is not a known constant'$/,
    words: "R<n> is not a known constant'",
    title: 'A size that must be a constant',
    plain: (m, f) => `The helper called ${f.at} needs ${reg(m)} to be a constant known at load time (e.g. bpf_ringbuf_reserve's size), but it is a variable here.`,
    cause: 'Reserving a ring buffer record of a computed size.',
    suggestion: (m) => `Put a constant in ${reg(m)} (reserve the largest size you need).`,
    example: xdp('r2 = *(u32 *)(r1 + 16)\nr2 &= 63\nr1 = rb ll\nr3 = 0\ncall bpf_ringbuf_reserve\nif r0 == 0 goto out\nr1 = r0\nr2 = 0\ncall bpf_ringbuf_submit\nout:\nr0 = 2\nexit', ['rb type=ringbuf key=0 value=0 max_entries=4096']),
    fix: xdp('r2 = 64\nr1 = rb ll\nr3 = 0\ncall bpf_ringbuf_reserve\nif r0 == 0 goto out\nr1 = r0\nr2 = 0\ncall bpf_ringbuf_submit\nout:\nr0 = 2\nexit', ['rb type=ringbuf key=0 value=0 max_entries=4096']),
    kernelFunction: 'check_func_arg',
  },
  {
    id: 'helper-zero-sized',
    category: 'memory safety',
    templates: ['invalid zero-sized read'],
    pattern: /^invalid zero-sized read$/,
    words: 'invalid zero-sized read',
    title: 'A helper would read 0 bytes of memory',
    plain: (_m, f) => `The helper called ${f.at} reads memory of size 0 — typically a map key or value of a map with no keys (a ring buffer).`,
    cause: 'Using bpf_map_lookup_elem (or update) on a map type without keys, such as a ring buffer.',
    suggestion: () => 'Use the map type\'s own helpers (bpf_ringbuf_output / reserve for a ring buffer).',
    example: xdp(lookup('rb') + '\nr0 = 0\nexit', ['rb type=ringbuf key=0 value=0 max_entries=4096']),
    fix: xdp('*(u64 *)(r10 - 8) = 0\nr1 = rb ll\nr2 = r10\nr2 += -8\nr3 = 8\nr4 = 0\ncall bpf_ringbuf_output\nr0 = 0\nexit', ['rb type=ringbuf key=0 value=0 max_entries=4096']),
    kernelFunction: 'check_helper_mem_access',
  },
  {
    id: 'map-func-compat',
    category: 'types',
    templates: ['cannot pass map_type ${} into func ${}#${}'],
    pattern: /^cannot pass map_type (\d+) into func (\w+)#(\d+)$/,
    words: 'cannot pass map_type <type> into func <helper>#<id>',
    title: 'A map of a type this helper does not take',
    plain: (m, f) => `${m[2] ?? 'The helper'} (called ${f.at}) does not work on a map of type ${m[1] ?? '?'}; each helper takes certain map types only, and some map types allow only their own helpers.`,
    cause: 'bpf_redirect_map on an array instead of a devmap/cpumap/xskmap, bpf_map_lookup_elem on a ring buffer, …',
    suggestion: (m) => `Declare the map with a type ${m[2] ?? 'the helper'} accepts.`,
    example: xdp('r1 = m ll\nr2 = 0\nr3 = 0\ncall bpf_redirect_map\nexit', ['m type=array key=4 value=8 max_entries=4']),
    fix: xdp('r1 = m ll\nr2 = 0\nr3 = 0\ncall bpf_redirect_map\nexit', ['m type=devmap key=4 value=4 max_entries=4']),
    kernelFunction: 'check_map_func_compatibility',
  },
  {
    id: 'tail-call-map',
    category: 'types',
    templates: ['expected prog array map for tail call'],
    pattern: /^expected prog array map for tail call$/,
    words: 'expected prog array map for tail call',
    title: 'bpf_tail_call through a map that is not a program array',
    plain: (_m, f) => `The tail call ${f.at} is given a map that is not a BPF_MAP_TYPE_PROG_ARRAY; tail calls jump to programs stored in such a map.`,
    cause: 'Passing the wrong map as bpf_tail_call\'s second argument.',
    suggestion: () => 'Declare the map with `type=prog_array key=4 value=4`.',
    example: xdp('r2 = m ll\nr3 = 0\ncall bpf_tail_call\nr0 = 2\nexit', ['m type=array key=4 value=8 max_entries=4']),
    fix: xdp('r2 = m ll\nr3 = 0\ncall bpf_tail_call\nr0 = 2\nexit', ['m type=prog_array key=4 value=4 max_entries=4']),
    kernelFunction: 'check_map_func_compatibility',
  },
  // ---------------------------------------------------------------- kernel objects (BTF pointers)
  {
    id: 'btf-write',
    category: 'memory safety',
    templates: ['only read is supported'],
    pattern: /^only read is supported$/,
    words: 'only read is supported',
    title: 'A write into a kernel object',
    plain: (_m, f) => `The store ${f.at} writes into a kernel object (a task_struct, a cgroup, …) reached through a BTF pointer; BPF programs may only read such objects directly.`,
    cause: 'Trying to change a kernel structure\'s field by a plain store.',
    suggestion: () => 'Read the field only; to change kernel state, use the helper or kfunc made for it.',
    example: tp('r2 = *(u64 *)(r1 + 0)\nr3 = 1\n*(u32 *)(r2 + task_struct.pid) = r3\nr0 = 0\nexit'),
    fix: tp('r2 = *(u64 *)(r1 + 0)\nr3 = *(u32 *)(r2 + task_struct.pid)\nr0 = 0\nexit'),
    kernelFunction: 'btf_struct_access',
  },
  {
    id: 'btf-beyond-struct',
    category: 'memory safety',
    templates: ['access beyond struct ${} at off ${} size ${}'],
    pattern: /^access beyond struct (\w+) at off (-?\d+) size (\d+)$/,
    words: 'access beyond struct <name> at off <off> size <size>',
    title: 'A read past the end of a kernel struct',
    plain: (m, f) => `The read ${f.at} of ${m[3] ?? '?'} bytes at offset ${m[2] ?? '?'} lies past the end of struct ${m[1] ?? '?'}.`,
    cause: 'A wrong offset, or the field of another struct.',
    suggestion: (m) => `Use the field's name (\`${m[1] ?? 'struct'}.field\`) so the assembler puts in its offset.`,
    example: tp('r2 = *(u64 *)(r1 + 0)\nr0 = *(u64 *)(r2 + 0x7ff8)\nr0 = 0\nexit'),
    fix: tp('r2 = *(u64 *)(r1 + 0)\nr0 = *(u32 *)(r2 + task_struct.pid)\nr0 = 0\nexit'),
    kernelFunction: 'btf_struct_walk',
  },
  {
    id: 'btf-variable-offset',
    category: 'memory safety',
    templates: ['R${} is ptr_${} invalid variable offset: off=${}, var_off=${}'],
    pattern: /^R(\d+) is ptr_(\w+) invalid variable offset: off=(-?\d+), var_off=(.+)$/,
    words: 'R<n> is ptr_<struct> invalid variable offset: off=<off>, var_off=<tnum>',
    title: 'A kernel object read at a variable offset',
    plain: (m, f) => `${reg(m)} points into a struct ${m[2] ?? '?'} moved by a variable amount ${m[4] ?? ''}, and is read ${f.at}; fields of kernel objects can only be read at constant offsets, so the verifier knows which field (and type) it gets.`,
    cause: 'Indexing into a kernel struct with a computed offset.',
    suggestion: () => 'Read the fields at constant offsets and choose between them with branches.',
    example: tp('r2 = *(u64 *)(r1 + 0)\nr3 = *(u32 *)(r2 + task_struct.pid)\nr3 &= 7\nr2 += r3\nr0 = *(u32 *)(r2 + 0)\nr0 = 0\nexit'),
    fix: tp('r2 = *(u64 *)(r1 + 0)\nr3 = *(u32 *)(r2 + task_struct.pid)\nr0 = *(u32 *)(r2 + 0)\nr0 = 0\nexit'),
    kernelFunction: 'check_ptr_to_btf_access',
  },
  {
    id: 'btf-negative',
    category: 'memory safety',
    templates: ['R${} is ptr_${} invalid negative access: off=${}'],
    pattern: /^R(\d+) is ptr_(\w+) invalid negative access: off=(-?\d+)$/,
    words: 'R<n> is ptr_<struct> invalid negative access: off=<off>',
    title: 'A read before the start of a kernel object',
    plain: (m, f) => `The read ${f.at} is at offset ${m[3] ?? '?'} from ${reg(m)}, a pointer to struct ${m[2] ?? '?'}: before the start of the object.`,
    cause: 'A negative offset (container_of-style arithmetic is not allowed on BTF pointers).',
    suggestion: () => 'Read fields at their (non-negative) offsets in the struct.',
    example: tp('r2 = *(u64 *)(r1 + 0)\nr0 = *(u32 *)(r2 - 8)\nr0 = 0\nexit'),
    fix: tp('r2 = *(u64 *)(r1 + 0)\nr0 = *(u32 *)(r2 + 8)\nr0 = 0\nexit'),
    kernelFunction: 'check_ptr_to_btf_access',
  },
  {
    id: 'map-ptr-write',
    category: 'memory safety',
    templates: ['only read from ${} is supported'],
    pattern: /^only read from (\w+) is supported$/,
    words: 'only read from <struct> is supported',
    title: 'A write through a map pointer',
    plain: (m, f) => `The store ${f.at} writes into the map itself (its kernel struct ${m[1] ?? '?'}), which programs may only read. Map contents are reached with bpf_map_lookup_elem.`,
    cause: 'Using `r1 = m ll` (the map) where a pointer to a map value (a lookup result) was meant.',
    suggestion: () => 'Look the element up with bpf_map_lookup_elem and write through the returned pointer.',
    example: xdp('r1 = m ll\n*(u64 *)(r1 + 0) = 0\nr0 = 0\nexit', ['m type=array key=4 value=8 max_entries=4']),
    fix: xdp(`${lookup()}\nif r0 == 0 goto out\n*(u64 *)(r0 + 0) = 0\nout:\nr0 = 0\nexit`, ['m type=array key=4 value=8 max_entries=4']),
    kernelFunction: 'check_map_access_type',
  },
  {
    id: 'sock-write',
    category: 'memory safety',
    templates: ['R${} cannot write into ${}'],
    pattern: /^R(\d+) cannot write into (?!map_key$)(\w+)$/,
    words: 'R<n> cannot write into <type>',
    title: 'A write into read-only memory',
    plain: (m, f) => `${reg(m)} ${f.at} points to a ${m[2] ?? '?'}, which programs may read but not write.`,
    cause: 'Storing into a socket, a read-only map value or other memory the kernel hands out read-only.',
    suggestion: () => 'Only read this memory; change kernel state through a helper made for it.',
    example: tc(`${SK_LOOKUP}\nif r0 == 0 goto out\n*(u32 *)(r0 + 16) = 1\nr1 = r0\ncall bpf_sk_release\nout:\nr0 = 0\nexit`),
    fix: tc(`${SK_LOOKUP}\nif r0 == 0 goto out\nr7 = *(u32 *)(r0 + 16)\nr1 = r0\ncall bpf_sk_release\nout:\nr0 = 0\nexit`),
    kernelFunction: 'check_mem_access',
  },
  {
    id: 'map-key-write',
    category: 'memory safety',
    templates: ['R${} cannot write into map_key'],
    pattern: /^R(\d+) cannot write into map_key$/,
    words: 'R<n> cannot write into map_key',
    title: 'A write into a map key handed to a callback',
    plain: (m, f) => `${reg(m)} ${f.at} points to the key of the element a bpf_for_each_map_elem callback is visiting; keys are read-only (changing one would corrupt the map).`,
    cause: 'Storing through the callback\'s key argument.',
    suggestion: () => 'Copy the key to the stack if you need a changed version.',
    example: xdp('r1 = m ll\nr2 = cb ll\nr3 = 0\nr4 = 0\ncall bpf_for_each_map_elem\nr0 = 2\nexit\ncb:\n*(u32 *)(r2 + 0) = 1\nr0 = 0\nexit', ['m type=array key=4 value=8 max_entries=4']),
    fix: xdp('r1 = m ll\nr2 = cb ll\nr3 = 0\nr4 = 0\ncall bpf_for_each_map_elem\nr0 = 2\nexit\ncb:\nr1 = *(u32 *)(r2 + 0)\nr0 = 0\nexit', ['m type=array key=4 value=8 max_entries=4']),
    kernelFunction: 'check_mem_access',
  },
  {
    id: 'sock-access',
    category: 'memory safety',
    templates: ['R${} invalid ${} access off=${} size=${}'],
    pattern: /^R(\d+) invalid (sock|sock_common|tcp_sock|xdp_sock) access off=(-?\d+) size=(\d+)$/,
    words: 'R<n> invalid <sock type> access off=<off> size=<size>',
    title: 'A socket read outside struct bpf_sock',
    plain: (m, f) => `The ${m[4] ?? '?'}-byte read at offset ${m[3] ?? '?'} of ${reg(m)} (a ${m[2] ?? 'socket'}) ${f.at} is not a field of struct bpf_sock, the view of a socket programs get.`,
    cause: 'A wrong offset, or a field of the kernel\'s struct sock rather than struct bpf_sock.',
    suggestion: () => 'Read the fields of struct bpf_sock at their offsets and sizes.',
    example: tc(`${SK_LOOKUP}\nif r0 == 0 goto out\nr7 = *(u32 *)(r0 + 200)\nr1 = r0\ncall bpf_sk_release\nout:\nr0 = 0\nexit`),
    fix: tc(`${SK_LOOKUP}\nif r0 == 0 goto out\nr7 = *(u32 *)(r0 + 4)\nr1 = r0\ncall bpf_sk_release\nout:\nr0 = 0\nexit`),
    kernelFunction: 'bpf_sock_is_valid_access',
  },
  {
    id: 'atomic-target',
    category: 'memory safety',
    templates: ['BPF_ATOMIC stores into R${} ${} is not allowed'],
    pattern: /^BPF_ATOMIC stores into R(\d+) (\w+) is not allowed$/,
    words: 'BPF_ATOMIC stores into R<n> <type> is not allowed',
    title: 'An atomic operation on memory that does not allow it',
    plain: (m, f) => `The atomic instruction ${f.at} targets ${reg(m)}, a ${m[2] ?? '?'} pointer; atomic operations work on the stack and on map values only.`,
    cause: 'An atomic add or exchange on the context, a packet or a kernel object.',
    suggestion: () => 'Keep the counter in a map value (or on the stack) and update it there.',
    example: xdp('r2 = 1\nlock *(u32 *)(r1 + 16) += w2\nr0 = 2\nexit'),
    fix: xdp(`${lookup()}\nif r0 == 0 goto out\nr1 = 1\nlock *(u64 *)(r0 + 0) += r1\nout:\nr0 = 2\nexit`, [ARRAY]),
    kernelFunction: 'check_atomic',
  },
  {
    id: 'map-readonly',
    category: 'policy',
    templates: ['write into map forbidden, value_size=${} off=${} size=${}'],
    pattern: /^write into map forbidden, value_size=(\d+) off=(-?\d+) size=(\d+)$/,
    words: 'write into map forbidden, value_size=<n> off=<off> size=<size>',
    title: 'A write into a read-only map',
    plain: (m, f) => `The write ${f.at} (${m[3] ?? '?'} bytes at offset ${m[2] ?? '?'}) goes into a map created with BPF_F_RDONLY_PROG: programs may only read it.`,
    cause: 'Writing to a map meant as read-only configuration (flags=128), such as a .rodata map.',
    suggestion: () => 'Write to a map without BPF_F_RDONLY_PROG, or only read this one.',
    example: xdp(`${lookup()}\nif r0 == 0 goto out\nr1 = 1\nlock *(u64 *)(r0 + 0) += r1\nout:\nr0 = 2\nexit`, ['m type=array key=4 value=8 max_entries=1 flags=128']),
    fix: xdp(`${lookup()}\nif r0 == 0 goto out\nr1 = *(u64 *)(r0 + 0)\nout:\nr0 = 2\nexit`, ['m type=array key=4 value=8 max_entries=1 flags=128']),
    kernelFunction: 'check_map_access_type',
  },
  {
    id: 'stack-indirect-variable',
    category: 'memory safety',
    templates: ['invalid variable-offset indirect access to stack R${} var_off=${} off=${} size=${}'],
    pattern: /^invalid variable-offset indirect access to stack R(\d+) var_off=(\S+ \S+) off=(-?\d+) size=(\d+)$/,
    words: 'invalid variable-offset indirect access to stack R<n> var_off=<tnum> off=<off> size=<size>',
    title: 'A helper given a stack buffer at a variable offset that may leave the stack',
    plain: (m, f) => `${reg(m)}, passed to the helper ${f.at}, points into the stack at a variable offset ${m[2] ?? ''}; for some of its values the ${m[4] ?? '?'} bytes the helper uses would reach past fp+0.`,
    cause: 'A buffer pointer computed from a variable index with a bound that is too loose.',
    suggestion: () => 'Use a constant offset for helper buffers, or bound the index so the whole buffer stays inside the stack.',
    example: xdp('r6 = *(u32 *)(r1 + 16)\nr6 &= 15\nr1 = h ll\nr2 = r10\nr2 += -8\nr2 += r6\ncall bpf_map_lookup_elem\nr0 = 0\nexit', ['h type=hash key=4 value=8 max_entries=4']),
    fix: xdp('*(u32 *)(r10 - 8) = 0\nr1 = h ll\nr2 = r10\nr2 += -8\ncall bpf_map_lookup_elem\nr0 = 0\nexit', ['h type=hash key=4 value=8 max_entries=4']),
    kernelFunction: 'check_stack_range_initialized',
  },
  {
    id: 'register-spill-size',
    category: 'types',
    templates: ['invalid size of register spill'],
    pattern: /^invalid size of register spill$/,
    words: 'invalid size of register spill',
    title: 'Part of a pointer stored to the stack',
    plain: (_m, f) => `The store ${f.at} writes fewer than 8 bytes of a register that holds a pointer; pointers can only be spilled to the stack whole.`,
    cause: 'A u32 store of a pointer register.',
    suggestion: () => 'Store the pointer with a 64-bit store (`*(u64 *)(r10 - N) = rX`).',
    example: xdp('*(u32 *)(r10 - 8) = r1\nr0 = 0\nexit'),
    fix: xdp('*(u64 *)(r10 - 8) = r1\nr0 = 0\nexit'),
    kernelFunction: 'check_stack_write_fixed_off',
  },
  // ---------------------------------------------------------------- kptrs
  {
    id: 'kptr-insn-mode',
    category: 'references and lifetimes',
    templates: ['kptr in map can only be accessed using BPF_MEM instruction mode'],
    pattern: /^kptr in map can only be accessed using BPF_MEM instruction mode$/,
    words: 'kptr in map can only be accessed using BPF_MEM instruction mode',
    title: 'An atomic instruction on a kptr field',
    plain: (_m, f) => `The instruction ${f.at} is an atomic operation on a map value's kptr field; kptr fields may only be read with plain loads and changed with bpf_kptr_xchg.`,
    cause: 'Treating a kptr field as a counter.',
    suggestion: () => 'Use bpf_kptr_xchg to swap the pointer; keep counters in other fields.',
    example: tp(`${lookup('km')}\nif r0 == 0 goto out\nr8 = r0\nr1 = 1\nlock *(u64 *)(r8 + 0) += r1\nout:\nr0 = 0\nexit`, [KPTR]),
    fix: tp(`${lookup('km')}\nif r0 == 0 goto out\nr8 = r0\nr1 = 1\nlock *(u64 *)(r8 + 8) += r1\nout:\nr0 = 0\nexit`, [KPTR]),
    kernelFunction: 'check_map_kptr_access',
  },
  {
    id: 'kptr-size',
    category: 'references and lifetimes',
    templates: ['kptr access size must be BPF_DW'],
    pattern: /^kptr access size must be BPF_DW$/,
    words: 'kptr access size must be BPF_DW',
    title: 'A kptr field read with less than 8 bytes',
    plain: (_m, f) => `The load ${f.at} reads part of a kptr field; a kptr is a pointer and must be read whole, with a 64-bit load.`,
    cause: 'A u32 load of a kptr field.',
    suggestion: () => 'Use `*(u64 *)(rX + off)`.',
    example: tp(`${lookup('km')}\nif r0 == 0 goto out\nr8 = r0\nr1 = *(u32 *)(r8 + 0)\nout:\nr0 = 0\nexit`, [KPTR]),
    fix: tp(`${lookup('km')}\nif r0 == 0 goto out\nr8 = r0\nr1 = *(u64 *)(r8 + 0)\nout:\nr0 = 0\nexit`, [KPTR]),
    kernelFunction: 'check_map_kptr_access',
  },
  {
    id: 'kptr-misaligned',
    category: 'references and lifetimes',
    templates: ['kptr access misaligned expected=${} off=${}'],
    pattern: /^kptr access misaligned expected=(\d+) off=(-?\d+)$/,
    words: 'kptr access misaligned expected=<off> off=<off>',
    title: 'An access that overlaps a kptr field without starting at it',
    plain: (m, f) => `The access ${f.at} at offset ${m[2] ?? '?'} overlaps the kptr field at offset ${m[1] ?? '?'}; a kptr can only be read at its own offset.`,
    cause: 'A wrong field offset in a map value that holds a kptr.',
    suggestion: (m) => `Read the kptr at offset ${m[1] ?? '?'}, and other fields outside it.`,
    example: tp(`${lookup('km')}\nif r0 == 0 goto out\nr8 = r0\nr1 = *(u64 *)(r8 + 4)\nout:\nr0 = 0\nexit`, [KPTR]),
    fix: tp(`${lookup('km')}\nif r0 == 0 goto out\nr8 = r0\nr1 = *(u64 *)(r8 + 8)\nout:\nr0 = 0\nexit`, [KPTR]),
    kernelFunction: 'check_map_kptr_access',
  },
  {
    id: 'kptr-store',
    category: 'references and lifetimes',
    templates: ['store to referenced kptr disallowed'],
    pattern: /^store to referenced kptr disallowed$/,
    words: 'store to referenced kptr disallowed',
    title: 'A plain store into a referenced kptr field',
    plain: (_m, f) => `The store ${f.at} writes a kptr field directly; the field owns a reference, which a plain store would leak or forge. Only bpf_kptr_xchg may change it.`,
    cause: 'Clearing a kptr field with `= 0`, or storing a pointer into it.',
    suggestion: () => 'Use bpf_kptr_xchg (with 0 to take the object out, then release what it returns).',
    example: tp(`${lookup('km')}\nif r0 == 0 goto out\nr8 = r0\n*(u64 *)(r8 + 0) = 0\nout:\nr0 = 0\nexit`, [KPTR]),
    fix: tp(`${lookup('km')}\nif r0 == 0 goto out\nr1 = r0\nr2 = 0\ncall bpf_kptr_xchg\nif r0 == 0 goto out\nr1 = r0\ncall bpf_cpumask_release\nout:\nr0 = 0\nexit`, [KPTR]),
    kernelFunction: 'check_map_kptr_access',
  },
  {
    id: 'kptr-var-offset',
    category: 'references and lifetimes',
    templates: ["R${} doesn't have constant offset. kptr has to be at the constant offset"],
    pattern: /^R(\d+) doesn't have constant offset\. kptr has to be at the constant offset$/,
    words: "R<n> doesn't have constant offset. kptr has to be at the constant offset",
    title: 'bpf_kptr_xchg at a variable offset',
    plain: (m, f) => `${reg(m)}, the kptr field's address passed to bpf_kptr_xchg ${f.at}, points into the map value at a variable offset; the verifier must know which field it is.`,
    cause: 'Choosing the kptr field with a computed index.',
    suggestion: () => 'Use a constant offset for each kptr field and branch between them.',
    example: tp(`r6 = *(u64 *)(r1 + 0)\nr9 = *(u32 *)(r6 + task_struct.pid)\nr9 &= 8\n${lookup('km')}\nif r0 == 0 goto out\nr8 = r0\ncall bpf_cpumask_create\nif r0 == 0 goto out\nr7 = r0\nr1 = r8\nr1 += r9\nr2 = r7\ncall bpf_kptr_xchg\nif r0 == 0 goto out\nr1 = r0\ncall bpf_cpumask_release\nout:\nr0 = 0\nexit`, [KPTR]),
    fix: tp(`${lookup('km')}\nif r0 == 0 goto out\nr8 = r0\ncall bpf_cpumask_create\nif r0 == 0 goto out\nr7 = r0\nr1 = r8\nr2 = r7\ncall bpf_kptr_xchg\nif r0 == 0 goto out\nr1 = r0\ncall bpf_cpumask_release\nout:\nr0 = 0\nexit`, [KPTR]),
    kernelFunction: 'process_kptr_func',
  },
  {
    id: 'kptr-no-btf',
    category: 'types',
    templates: ["map '${}' has to have BTF in order to use bpf_kptr_xchg"],
    pattern: /^map '(\w*)' has to have BTF in order to use bpf_kptr_xchg$/,
    words: "map '<name>' has to have BTF in order to use bpf_kptr_xchg",
    title: 'bpf_kptr_xchg on a map without kptr fields',
    plain: (m, f) => `bpf_kptr_xchg ${f.at} is given a value of map '${m[1] ?? ''}', whose value type declares no kptr field.`,
    cause: 'A map declared without `kptr=offset:type`.',
    suggestion: (m) => `Declare the kptr field in map '${m[1] ?? ''}' (\`kptr=0:bpf_cpumask\`).`,
    example: tp(`${lookup()}\nif r0 == 0 goto out\nr8 = r0\ncall bpf_cpumask_create\nif r0 == 0 goto out\nr7 = r0\nr1 = r8\nr2 = r7\ncall bpf_kptr_xchg\nif r0 == 0 goto out\nr1 = r0\ncall bpf_cpumask_release\nout:\nr0 = 0\nexit`, ['m type=array key=4 value=8 max_entries=4']),
    fix: tp(`${lookup()}\nif r0 == 0 goto out\nr8 = r0\ncall bpf_cpumask_create\nif r0 == 0 goto out\nr7 = r0\nr1 = r8\nr2 = r7\ncall bpf_kptr_xchg\nif r0 == 0 goto out\nr1 = r0\ncall bpf_cpumask_release\nout:\nr0 = 0\nexit`, ['m type=array key=4 value=8 max_entries=4 kptr=0:bpf_cpumask']),
    kernelFunction: 'process_kptr_func',
  },
  {
    id: 'kptr-not-at-offset',
    category: 'types',
    templates: ["off=${} doesn't point to kptr"],
    pattern: /^off=(-?\d+) doesn't point to kptr$/,
    words: "off=<off> doesn't point to kptr",
    title: 'bpf_kptr_xchg at an offset that is not a kptr field',
    plain: (m, f) => `bpf_kptr_xchg ${f.at} is given the address of offset ${m[1] ?? '?'} of a map value, where there is no kptr field.`,
    cause: 'A wrong field offset.',
    suggestion: () => 'Pass the address of the kptr field as the map declares it.',
    example: tp(`${lookup('km')}\nif r0 == 0 goto out\nr8 = r0\ncall bpf_cpumask_create\nif r0 == 0 goto out\nr7 = r0\nr1 = r8\nr1 += 8\nr2 = r7\ncall bpf_kptr_xchg\nif r0 == 0 goto out\nr1 = r0\ncall bpf_cpumask_release\nout:\nr0 = 0\nexit`, [KPTR]),
    fix: tp(`${lookup('km')}\nif r0 == 0 goto out\nr8 = r0\ncall bpf_cpumask_create\nif r0 == 0 goto out\nr7 = r0\nr1 = r8\nr2 = r7\ncall bpf_kptr_xchg\nif r0 == 0 goto out\nr1 = r0\ncall bpf_cpumask_release\nout:\nr0 = 0\nexit`, [KPTR]),
    kernelFunction: 'process_kptr_func',
  },
  {
    id: 'kptr-type',
    category: 'types',
    templates: ['invalid kptr access, R${} type=${}${} expected=ptr_${}'],
    pattern: /^invalid kptr access, R(\d+) type=(\S+) expected=ptr_(\w+)$/,
    words: 'invalid kptr access, R<n> type=<type> expected=ptr_<struct>',
    title: 'bpf_kptr_xchg given an object of the wrong type',
    plain: (m, f) => `The kptr field takes a referenced struct ${m[3] ?? '?'}, but ${reg(m)} ${f.at} is a ${m[2] ?? '?'}${from(f)}.${/cpumask/.test(m[2] ?? '') && m[3] === 'bpf_cpumask' ? ' A struct cpumask read from a task is not a struct bpf_cpumask the program owns.' : ''}`,
    cause: 'Storing a borrowed pointer, or an object of another type, into a kptr field.',
    suggestion: (m) => `Store a struct ${m[3] ?? '?'} the program holds a reference on (e.g. from ${m[3] === 'bpf_cpumask' ? 'bpf_cpumask_create' : 'an acquire kfunc'}).`,
    example: tp(`r6 = *(u64 *)(r1 + 0)\n${lookup('km')}\nif r0 == 0 goto out\nr8 = r0\nr1 = r8\nr2 = *(u64 *)(r6 + task_struct.cpus_ptr)\ncall bpf_kptr_xchg\nif r0 == 0 goto out\nr1 = r0\ncall bpf_cpumask_release\nout:\nr0 = 0\nexit`, [KPTR]),
    fix: tp(`${lookup('km')}\nif r0 == 0 goto out\nr8 = r0\ncall bpf_cpumask_create\nif r0 == 0 goto out\nr1 = r8\nr2 = r0\ncall bpf_kptr_xchg\nif r0 == 0 goto out\nr1 = r0\ncall bpf_cpumask_release\nout:\nr0 = 0\nexit`, [KPTR]),
    kernelFunction: 'map_kptr_match_type',
  },
];

/** The entry whose pattern matches a message, and the match. */
export function entryOf(message: string): { entry: CatalogueEntry; match: RegExpExecArray } | undefined {
  for (const entry of CATALOGUE) {
    const match = entry.pattern.exec(message);
    if (match) return { entry, match };
  }
  return undefined;
}

/** The call an instruction makes, from its name or its text. */
function callName(pc: number, ctx: ExplainContext): string | undefined {
  const n = ctx.insnName?.(pc);
  if (n) return n;
  return /\bcall\s+([A-Za-z_]\w*)/.exec(ctx.textOf?.(pc) ?? '')?.[1];
}

function lineWord(pc: number | undefined, ctx: ExplainContext): string {
  if (pc === undefined) return '';
  const line = ctx.lineOf(pc);
  return line === undefined ? `instruction ${pc}` : `line ${line}`;
}

/** The refusal's facts, worded once for every entry. */
export function factsOf(error: VerifyError, ctx: ExplainContext): Facts {
  const here = error.pc === undefined ? 'this instruction' : lineWord(error.pc, ctx);
  // The first related site that names where a value came from or a reference was taken.
  const site = error.related?.find((r) => /comes from here|acquired here|last written here|got its value here/.test(r.message));
  let origin = '';
  let originCall: string | undefined;
  let originAt = '';
  if (site) {
    originAt = lineWord(site.pc, ctx);
    originCall = callName(site.pc, ctx);
    const reg = /^R\d+/.exec(site.message)?.[0];
    const what = originCall ? `${originCall} at ${originAt}` : originAt;
    if (/acquired here/.test(site.message)) origin = `the reference was acquired by ${what}`;
    else if (/may be NULL/.test(site.message)) origin = `${reg ?? 'it'} comes from ${what}, and ${nullReason(originCall)}`;
    else if (/lost its trust/.test(site.message)) origin = `${reg ?? 'it'} comes from ${what}, a load that gives an untrusted pointer`;
    else if (/last written here/.test(site.message)) origin = `${reg ?? 'it'} was last written by ${what}; a call leaves R1-R5 unreadable`;
    else origin = `${reg ?? 'it'} got its value from ${what}`;
  }
  const at = here === 'this instruction' ? 'here' : `at ${here}`;
  return { error, ctx, at, here, origin, originAt, ...(originCall ? { originCall } : {}) };
}

/** A refusal explained in plain words with this program's values, or undefined for a message the catalogue lacks. */
export function explainError(error: VerifyError, ctx: ExplainContext): Explanation | undefined {
  const found = entryOf(error.message);
  if (!found) return undefined;
  const { entry, match } = found;
  const f = factsOf(error, ctx);
  return {
    id: entry.id,
    category: entry.category,
    title: entry.title,
    explanation: entry.plain(match, f),
    suggestion: entry.suggestion(match, f),
    kernelFunction: entry.kernelFunction,
  };
}
