// A graded lesson as data (public/lessons/<track>/<id>/lesson.json beside its starter, solution
// and wrong answers): the goal, the hints, and the grader's spec — the kernel profiles and CPU
// counts it runs under, and the hidden runs (inputs and what must come out). `parseLesson`
// checks a lesson.json and says what is wrong, never throws; adding a lesson is adding a folder.

import { isProfile, type KernelProfile } from '../kernel/profiles.ts';

export const TRACKS = [
  { id: 'instructions', title: 'Instructions' },
  { id: 'verifier', title: 'The verifier' },
  { id: 'cpumask', title: 'cpumask kfuncs' },
  { id: 'xdp-metadata', title: 'XDP RX metadata' },
] as const;

export type TrackId = (typeof TRACKS)[number]['id'];

/** A lesson's kind: write a program, fix one, or find the bug the verifier refuses. */
export type LessonKind = 'write' | 'fix' | 'spot-the-bug';

export interface DocLink {
  readonly title: string;
  readonly url: string;
}

/** A plausible wrong answer (the mistake the lesson is about) and words its failure must contain. */
export interface WrongAnswer {
  readonly file: string;
  readonly mistake: string;
  readonly expect: string;
}

/** Map contents in the `--maps` format: map name → entries, key and value in hex. */
export type MapContentsSpec = Readonly<Record<string, readonly { readonly key: string; readonly value: string }[]>>;

/** One check of a kept packet's metadata area: the integer at `at` (little-endian) equals the packet's hint or a number. */
export interface MetaField {
  readonly at: number;
  readonly size: 4 | 8;
  readonly equals: 'rx_timestamp' | 'rx_hash' | 'rss_type' | 'queue' | number;
}

/** What every kept packet (those with `action`, when given) must show after a NIC run. */
export interface PacketExpect {
  readonly action?: string;
  /** Bytes of metadata in front of the data at the end of the XDP program. */
  readonly metaLength?: number;
  readonly fields?: readonly MetaField[];
  /** Said when it fails: the mistake it points at. */
  readonly why?: string;
}

/** A kptr slot of a map value after the run: the CPUs of the mask it holds (`null`: the slot is empty). */
export interface KptrExpect {
  readonly map: string;
  /** The array index (or u32 key). */
  readonly key: number;
  readonly offset?: number;
  readonly cpus: string | null;
  readonly why?: string;
}

export interface Expectations {
  /** r0 at exit: a decimal or 0x hex integer (compared as u64; a negative number as its two's complement). */
  readonly r0?: string | number;
  /** Lines that must appear in the trace pipe, in this order (each a substring of one line). */
  readonly trace?: readonly string[];
  /**
   * Map name → key → the value: hex bytes, or an integer as the value's first 8 (or fewer) bytes,
   * little-endian (summed over CPUs for a per-CPU map). The key: a decimal index for arrays (and
   * other u32-indexed maps), hex bytes for hash maps (spaces allowed).
   */
  readonly maps?: Readonly<Record<string, Readonly<Record<string, string | number>>>>;
  readonly kptrs?: readonly KptrExpect[];
  /** References still held at exit are allowed (default: none may be). */
  readonly leaksAllowed?: boolean;
  /** NIC runs: how many packets got each XDP action (XDP_PASS, XDP_DROP, XDP_REDIRECT, …). */
  readonly actions?: Readonly<Record<string, number>>;
  /** NIC runs: how many packets the tc program gave each verdict (TC_ACT_OK, …). */
  readonly tc?: Readonly<Record<string, number>>;
  /** NIC runs: packets delivered to AF_XDP sockets. */
  readonly xsk?: number;
  readonly packets?: readonly PacketExpect[];
  /** Said when a check fails (`r0`, `trace`, `maps`, `leaks`, `actions`, `tc`, `xsk`, `fault`): the mistake it points at. */
  readonly why?: Readonly<Record<string, string>>;
}

/** One hidden run: its inputs, and what must come out. */
export interface RunSpec {
  /** The input in words, as the results name it ("a 60-byte IPv4 UDP packet"). */
  readonly name: string;
  /** The packet, or a raw program's input memory (hex). */
  readonly data?: string;
  /** ctx_in (hex). */
  readonly ctx?: string;
  readonly maps?: MapContentsSpec;
  readonly scenario?: Readonly<Record<string, unknown>>;
  /** A traffic profile: the program runs on the emulated NIC (XDP, then tc for passed packets). */
  readonly traffic?: Readonly<Record<string, unknown>>;
  readonly expect: Expectations;
}

export interface GraderSpec {
  /** Kernel profiles it is graded under (default Linux 6.18). */
  readonly profiles?: readonly KernelProfile[];
  /** CPU counts (default 8). */
  readonly cpus?: readonly number[];
  /** The program to run (default the first). */
  readonly section?: string;
  /** For "fix" and "spot the bug" lessons: the verifier's refusal of the starter (a substring of its message). */
  readonly starterRefusal?: string;
  readonly runs: readonly RunSpec[];
}

export interface LessonSpec {
  readonly id: string;
  readonly track: TrackId;
  /** Its place in the track (1, 2, …). */
  readonly order: number;
  readonly title: string;
  /** Short prose: paragraphs split by a blank line, `code` in backquotes. */
  readonly goal: string;
  readonly docs: readonly DocLink[];
  readonly kind: LessonKind;
  /** File names in the lesson's folder. */
  readonly starter: string;
  readonly solution: string;
  /** More specific each time. */
  readonly hints: readonly string[];
  readonly wrong: readonly WrongAnswer[];
  readonly grader: GraderSpec;
}

/** A lesson as the playground and the CLI hold it: the spec and the texts of its files. */
export interface Lesson {
  readonly spec: LessonSpec;
  readonly starterText: string;
  readonly solutionText: string;
}

export type LessonParse = { readonly ok: true; readonly spec: LessonSpec } | { readonly ok: false; readonly error: string };

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const isString = (x: unknown): x is string => typeof x === 'string';
const FILE_NAME = /^[a-z0-9][a-z0-9._-]*\.bpf\.s$/;
const ID = /^[a-z0-9][a-z0-9-]*$/;

function runProblem(r: unknown, where: string): string | undefined {
  if (!isObject(r)) return `${where} must be an object`;
  if (!isString(r['name']) || !r['name']) return `${where}.name must be the input in words`;
  for (const k of ['data', 'ctx'] as const) {
    const v = r[k];
    if (v !== undefined && !(isString(v) && /^([0-9a-fA-F]{2})*$/.test(v.replace(/\s/g, '')))) return `${where}.${k} must be hex bytes`;
  }
  for (const k of ['maps', 'scenario', 'traffic'] as const) if (r[k] !== undefined && !isObject(r[k])) return `${where}.${k} must be an object`;
  const e = r['expect'];
  if (!isObject(e)) return `${where}.expect must be an object`;
  const known = new Set(['r0', 'trace', 'maps', 'kptrs', 'leaksAllowed', 'actions', 'tc', 'xsk', 'packets', 'why']);
  const unknown = Object.keys(e).find((k) => !known.has(k));
  if (unknown) return `${where}.expect.${unknown} is not a check (${[...known].join(', ')})`;
  if (e['r0'] !== undefined && !(typeof e['r0'] === 'number' || (isString(e['r0']) && /^-?(0x[0-9a-fA-F]+|\d+)$/.test(e['r0'])))) return `${where}.expect.r0 must be an integer (decimal or 0x hex)`;
  if (e['trace'] !== undefined && !(Array.isArray(e['trace']) && e['trace'].every(isString))) return `${where}.expect.trace must be a list of strings`;
  if (e['packets'] !== undefined && !Array.isArray(e['packets'])) return `${where}.expect.packets must be a list`;
  if (e['kptrs'] !== undefined && !Array.isArray(e['kptrs'])) return `${where}.expect.kptrs must be a list`;
  if (Object.keys(e).filter((k) => k !== 'why' && k !== 'leaksAllowed').length === 0) return `${where}.expect checks nothing`;
  const nic = r['traffic'] !== undefined;
  for (const k of ['actions', 'tc', 'xsk', 'packets'] as const) if (e[k] !== undefined && !nic) return `${where}.expect.${k} needs a traffic profile (a NIC run)`;
  if (nic && (e['r0'] !== undefined)) return `${where}.expect.r0 means nothing for a NIC run (many packets): check actions, maps or packets`;
  return undefined;
}

/** Checks a lesson.json (`folder` is its folder's name, which must be its id). */
export function parseLesson(x: unknown, folder?: string): LessonParse {
  const fail = (error: string): LessonParse => ({ ok: false, error });
  if (!isObject(x)) return fail('a lesson is a JSON object');
  const id = x['id'];
  if (!isString(id) || !ID.test(id)) return fail('id must be lowercase letters, digits and dashes');
  if (folder !== undefined && folder !== id) return fail(`id '${id}' must be its folder's name ('${folder}')`);
  const track = x['track'];
  if (!TRACKS.some((t) => t.id === track)) return fail(`track must be one of ${TRACKS.map((t) => t.id).join(', ')}`);
  if (typeof x['order'] !== 'number' || !Number.isInteger(x['order']) || x['order'] < 1) return fail('order must be a whole number from 1');
  for (const k of ['title', 'goal'] as const) if (!isString(x[k]) || !x[k]) return fail(`${k} must be text`);
  const docs = x['docs'] ?? [];
  if (!Array.isArray(docs) || !docs.every((d) => isObject(d) && isString(d['title']) && isString(d['url']) && /^https:\/\//.test(d['url']))) return fail('docs must be a list of {"title", "url"} (https)');
  const kind = x['kind'] ?? 'write';
  if (kind !== 'write' && kind !== 'fix' && kind !== 'spot-the-bug') return fail('kind must be write, fix or spot-the-bug');
  for (const k of ['starter', 'solution'] as const) if (!isString(x[k]) || !FILE_NAME.test(x[k])) return fail(`${k} must be a file name ending in .bpf.s`);
  const hints = x['hints'];
  if (!Array.isArray(hints) || hints.length < 2 || !hints.every((h) => isString(h) && h)) return fail('hints must be a list of at least two texts, each more specific');
  const wrong = x['wrong'];
  if (!Array.isArray(wrong) || wrong.length < 1) return fail('wrong must list at least one plausible wrong answer');
  for (const [i, w] of wrong.entries()) {
    if (!isObject(w) || !isString(w['file']) || !FILE_NAME.test(w['file']) || !isString(w['mistake']) || !isString(w['expect']) || !w['expect']) return fail(`wrong[${i}] must be {"file": "….bpf.s", "mistake", "expect"}`);
  }
  const g = x['grader'];
  if (!isObject(g)) return fail('grader must be an object');
  const profiles = g['profiles'] ?? ['linux-6.18'];
  if (!Array.isArray(profiles) || !profiles.length || !profiles.every((p) => isString(p) && isProfile(p))) return fail('grader.profiles must list linux-6.3 and/or linux-6.18');
  const cpus = g['cpus'] ?? [8];
  if (!Array.isArray(cpus) || !cpus.length || !cpus.every((c) => typeof c === 'number' && Number.isInteger(c) && c >= 1 && c <= 4096)) return fail('grader.cpus must list CPU counts from 1 to 4096');
  if (g['section'] !== undefined && !isString(g['section'])) return fail('grader.section must be a section name');
  if (g['starterRefusal'] !== undefined && !isString(g['starterRefusal'])) return fail('grader.starterRefusal must be a verifier message (or part of one)');
  if ((kind === 'spot-the-bug' || kind === 'fix') && g['starterRefusal'] === undefined) return fail(`a ${kind} lesson names its starter's refusal in grader.starterRefusal`);
  const runs = g['runs'];
  if (!Array.isArray(runs) || runs.length < 1) return fail('grader.runs must list at least one hidden run');
  for (const [i, r] of runs.entries()) {
    const p = runProblem(r, `grader.runs[${i}]`);
    if (p) return fail(p);
  }
  return { ok: true, spec: x as unknown as LessonSpec };
}
