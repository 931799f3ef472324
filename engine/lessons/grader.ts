// The lesson grader: assembles a learner's program, asks the verifier under each of the lesson's
// kernel profiles, then runs it on the lesson's hidden inputs (BPF_PROG_TEST_RUN-like runs, or
// traffic on the emulated NIC) and says, check by check, what passed and what did not — in
// words, pinned to a source line where a line is to blame. Runs in the worker and in `bpfp lesson`.

import { assemble } from '../asm/index.ts';
import type { Leak } from '../kernel/kernel.ts';
import type { LoadProblem, RunReport } from '../kernel/loader.ts';
import type { MapEntryView, MapView } from '../kernel/maps/types.ts';
import { profileName } from '../kernel/profiles.ts';
import { loadProgram, verifiable, verifyProgram, type PipelineRequest } from '../load/load.ts';
import { sectionKind } from '../program/program.ts';
import { parseHexBytes } from '../asm/index.ts';
import { DEFAULT_MAX_INSNS } from '../vm/index.ts';
import { runWholeTraffic, startTraffic, trafficSetup } from '../worker/nic-session.ts';
import type { KernelProfile } from '../kernel/profiles.ts';
import type { Expectations, LessonSpec, RunSpec } from './spec.ts';

export interface GradeCheck {
  readonly name: string;
  readonly passed: boolean;
  /** What was seen, in words; for a failure, what was expected and the mistake it points at. */
  readonly message: string;
  /** The source line to blame, when one is. */
  readonly line?: number;
}

export interface GradeResult {
  readonly passed: boolean;
  readonly checks: readonly GradeCheck[];
}

export interface GradeOptions {
  /** Instructions one run may execute (default the playground's 10,000,000). */
  readonly maxInsns?: number;
}

/** A u64 written as the lesson writes it: decimal or 0x hex, a negative number as its two's complement. */
export function u64Of(v: string | number): bigint {
  return BigInt.asUintN(64, BigInt(v));
}

const hex64 = (v: bigint): string => `0x${v.toString(16)}`;
const withWhy = (message: string, why: string | undefined): string => (why ? `${message} — ${why}` : message);

/** Little-endian integer of up to 8 bytes. */
function leInt(bytes: Uint8Array): bigint {
  let v = 0n;
  for (let i = Math.min(8, bytes.length) - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[i] ?? 0);
  return v;
}

/** Entries an array leaves out of its view because every byte is zero (their kptr slots are empty). */
const ZERO = new WeakSet<MapEntryView>();

/** Maps whose keys are u32 indexes: a key written in decimal is one; other maps' keys are hex bytes. */
const INDEXED = new Set(['array', 'percpu_array', 'prog_array', 'devmap', 'cpumap', 'xskmap']);

function entryOf(view: MapView, key: string): MapEntryView | 'absent' {
  const index = INDEXED.has(view.type) && /^\d+$/.test(key) ? Number(key) : undefined;
  const hexKey = index === undefined ? key.replace(/\s/g, '').toLowerCase() : undefined;
  const e = view.entries.find((x) => (index !== undefined ? x.index === index : x.key.replace(/\s/g, '').toLowerCase() === hexKey));
  if (e) return e;
  // An array leaves its all-zero values out of the view.
  if (index !== undefined && (view.type === 'array' || view.type === 'percpu_array') && index < view.maxEntries) {
    const zero: MapEntryView = { key, index, value: view.type === 'array' ? '00'.repeat(view.valueSize) : ['00'.repeat(view.valueSize)] };
    ZERO.add(zero);
    return zero;
  }
  return 'absent';
}

/** The checks of one map value: an integer (summed over CPUs for a per-CPU map) or hex bytes. */
function mapValueCheck(view: MapView, key: string, want: string | number): { ok: boolean; seen: string; wanted: string } {
  const e = entryOf(view, key);
  if (e === 'absent') return { ok: false, seen: 'no such key', wanted: String(want) };
  const values = typeof e.value === 'string' ? [e.value] : e.value;
  if (typeof want === 'number') {
    const n = Math.min(8, view.valueSize);
    const sum = values.reduce((s, v) => s + leInt(parseHexBytes(v)?.subarray(0, n) ?? new Uint8Array(0)), 0n);
    const got = BigInt.asUintN(n * 8, sum);
    const w = BigInt.asUintN(n * 8, BigInt(want));
    return { ok: got === w, seen: `${got}${values.length > 1 ? ` (summed over ${values.length} CPUs)` : ''}`, wanted: `${w}` };
  }
  const wantHex = want.replace(/\s/g, '').toLowerCase();
  const got = (values[0] ?? '').replace(/\s/g, '').toLowerCase();
  return { ok: got.startsWith(wantHex), seen: got, wanted: wantHex };
}

/** The CPUs of the mask a kptr slot holds, as the map view words it (`…, CPUs 0,2)`), or null for an empty slot. */
function kptrCpus(e: MapEntryView, offset: number | undefined): string | null | undefined {
  if (ZERO.has(e)) return null;
  const k = offset === undefined ? e.kptrs?.[0] : e.kptrs?.find((x) => x.offset === offset);
  if (!k) return undefined;
  if (k.ptr === null) return null;
  return /CPUs ([^)]*)\)/.exec(k.object ?? '')?.[1] ?? '';
}

function leakText(l: Leak, lineOf: (pc: number) => number | undefined): string {
  const line = lineOf(l.pc);
  return `the reference ${l.via} acquired${line ? ` at line ${line}` : ''} is still held at exit: release it on every path`;
}

/** Grades `source` against the lesson. Never throws: an internal error becomes a failed check. */
export function gradeLesson(spec: LessonSpec, source: string, opts: GradeOptions = {}): GradeResult {
  try {
    return grade(spec, source, opts);
  } catch (e) {
    return { passed: false, checks: [{ name: 'grader', passed: false, message: `the grader stopped: ${e instanceof Error ? e.message : String(e)}` }] };
  }
}

function grade(spec: LessonSpec, source: string, opts: GradeOptions): GradeResult {
  const checks: GradeCheck[] = [];
  const done = (): GradeResult => ({ passed: checks.length > 0 && checks.every((c) => c.passed), checks });
  const asm = assemble(source, { isa: 4 });
  const firstError = asm.diagnostics.find((d) => d.severity === 'error');
  if (firstError) {
    checks.push({ name: 'assembles', passed: false, message: `line ${firstError.line}: ${firstError.message}`, line: firstError.line });
    return done();
  }
  const sections = asm.sections.filter((s) => s.insns.length > 0);
  const wanted = spec.grader.section;
  const entry = wanted ? sections.find((s) => s.name === wanted) : sections[0];
  if (!entry) {
    checks.push({ name: 'assembles', passed: false, message: wanted ? `there is no program in section ${wanted}: the lesson runs that one` : 'there is no program: start one with .section and write its instructions' });
    return done();
  }
  checks.push({ name: 'assembles', passed: true, message: `${entry.name}: ${entry.insns.length} instruction${entry.insns.length === 1 ? '' : 's'}` });
  const lineOf = (pc: number): number | undefined => entry.spans[pc]?.line;
  const profiles = spec.grader.profiles ?? ['linux-6.18'];
  const cpuCounts = spec.grader.cpus ?? [8];
  const base = (profile: KernelProfile, cpus: number): PipelineRequest => ({
    sections: sections.map((s) => ({ name: s.name, kind: sectionKind(s.name), bytes: s.bytes })),
    entry: entry.name,
    maps: asm.maps,
    ...(asm.license === undefined ? {} : { license: asm.license }),
    profile,
    cpus,
    isa: 4,
    maxInsns: opts.maxInsns ?? DEFAULT_MAX_INSNS,
    logLevel: 0,
  });

  for (const profile of profiles) {
    const name = `${profileName(profile)} loads it`;
    const raw = !verifiable(sectionKind(entry.name));
    // Every program of the file is loaded (the tc program that sees passed packets, a tail call's target): each is verified, the one run first.
    const refusal = raw ? undefined : refusalOf(base(profile, cpuCounts[0] ?? 8), [entry, ...sections.filter((x) => x !== entry && verifiable(sectionKind(x.name)))]);
    if (refusal) {
      const { section, problem: p } = refusal;
      const line = p.line ?? section.spans[p.pc]?.line;
      const which = sections.length > 1 ? ` ${section.name}` : ' it';
      checks.push({ name, passed: false, message: `${profileName(profile)} refuses${which}${line ? ` at line ${line}` : ''}: ${p.message}`, ...(line ? { line } : {}) });
      continue;
    }
    if (!raw) checks.push({ name, passed: true, message: `the verifier of ${profileName(profile)} accepts it` });
    for (const cpus of cpuCounts) {
      for (const run of spec.grader.runs) {
        const label = `${run.name}${profiles.length > 1 || cpuCounts.length > 1 ? ` (${profileName(profile)}${cpuCounts.length > 1 ? `, ${cpus} CPU${cpus === 1 ? '' : 's'}` : ''})` : ''}`;
        checks.push(...(run.traffic ? nicRun(base(profile, cpus), run, label, lineOf) : testRun(base(profile, cpus), run, label, lineOf)));
      }
    }
  }
  return done();
}

type Section = ReturnType<typeof assemble>['sections'][number];

/** The first refusal among the programs of the file, in order, with the program it is in. */
function refusalOf(req: PipelineRequest, sections: readonly Section[]): { section: Section; problem: LoadProblem } | undefined {
  for (const section of sections) {
    const v = verifyProgram({ ...req, entry: section.name, verify: true });
    const problem = v.problems[0];
    if (!v.ok && problem) return { section, problem };
  }
  return undefined;
}

function requestOf(req: PipelineRequest, run: RunSpec): PipelineRequest {
  const data = run.data === undefined ? undefined : parseHexBytes(run.data.replace(/\s/g, ''));
  const ctx = run.ctx === undefined ? undefined : parseHexBytes(run.ctx.replace(/\s/g, ''));
  return {
    ...req,
    // Loaded as Linux loads it: a program attached on the way (tc after XDP, a peer's XDP) is verified too.
    verify: true,
    ...(run.scenario ? { scenario: run.scenario } : {}),
    ...(run.maps ? { mapContents: run.maps } : {}),
    inputs: run.traffic ? { nic: true } : { ...(data ? { data } : {}), ...(ctx ? { ctx } : {}) },
  };
}

/** The checks on the state every run leaves: maps, kptr slots, references. */
function stateChecks(report: RunReport, e: Expectations, label: string, lineOf: (pc: number) => number | undefined): GradeCheck[] {
  const out: GradeCheck[] = [];
  const why = e.why ?? {};
  for (const [map, entries] of Object.entries(e.maps ?? {})) {
    const view = report.maps.find((m) => m.name === map);
    for (const [key, want] of Object.entries(entries)) {
      const name = `${label}: ${map}[${key}]`;
      if (!view) {
        out.push({ name, passed: false, message: withWhy(`there is no map ${map}: declare it with .map ${map} …`, why['maps']) });
        continue;
      }
      const c = mapValueCheck(view, key, want);
      out.push({ name, passed: c.ok, message: c.ok ? `${map}[${key}] = ${c.seen}` : withWhy(`${map}[${key}] is ${c.seen}, expected ${c.wanted}`, why['maps']) });
    }
  }
  for (const k of e.kptrs ?? []) {
    const name = `${label}: the kptr in ${k.map}[${k.key}]`;
    const view = report.maps.find((m) => m.name === k.map);
    const entry = view ? entryOf(view, String(k.key)) : 'absent';
    const cpus = entry === 'absent' ? undefined : kptrCpus(entry, k.offset);
    const seen = cpus === undefined ? 'no kptr slot there' : cpus === null ? 'empty' : `a mask of CPUs ${cpus || 'none'}`;
    const wanted = k.cpus === null ? 'empty' : `a mask of CPUs ${k.cpus || 'none'}`;
    const ok = cpus !== undefined && (k.cpus === null ? cpus === null : cpus === k.cpus);
    out.push({ name, passed: ok, message: ok ? `it holds ${seen}` : withWhy(`it holds ${seen}, expected ${wanted}`, k.why) });
  }
  // A reference still held at exit is always a mistake (said only when it happens).
  const leak = e.leaksAllowed ? undefined : report.leaks[0];
  if (leak) {
    const line = lineOf(leak.pc);
    out.push({ name: `${label}: references released`, passed: false, message: withWhy(leakText(leak, lineOf), why['leaks']), ...(line ? { line } : {}) });
  }
  return out;
}

function testRun(req: PipelineRequest, run: RunSpec, label: string, lineOf: (pc: number) => number | undefined): GradeCheck[] {
  const e = run.expect;
  const why = e.why ?? {};
  const loaded = loadProgram(requestOf(req, run));
  if (!loaded.ok) {
    const p = loaded.problems[0];
    const line = p ? (p.line ?? lineOf(p.pc)) : undefined;
    return [{ name: `${label}: loads`, passed: false, message: `it does not load with this input: ${p?.message ?? '?'}`, ...(line ? { line } : {}) }];
  }
  const { vm } = loaded.program;
  const status = vm.run();
  if (status !== 'exited') {
    const f = vm.faultInfo;
    const line = lineOf(f?.pc ?? vm.pc);
    return [{ name: `${label}: runs to its exit`, passed: false, message: withWhy(`${line ? `line ${line}: ` : ''}${f?.message ?? status}`, why['fault']), ...(line ? { line } : {}) }];
  }
  const report = loaded.program.finish();
  const out: GradeCheck[] = [];
  if (e.r0 !== undefined) {
    const want = u64Of(e.r0);
    const ok = report.r0 === want;
    out.push({ name: `${label}: r0`, passed: ok, message: ok ? `r0 = ${hex64(report.r0)} (${report.r0})` : withWhy(`r0 is ${hex64(report.r0)} (${BigInt.asIntN(64, report.r0)}), expected ${hex64(want)} (${BigInt.asIntN(64, want)})`, why['r0']) });
  }
  if (e.trace) out.push(traceCheck(report, e.trace, label, why['trace']));
  out.push(...stateChecks(report, e, label, lineOf));
  return out;
}

function traceCheck(report: RunReport, want: readonly string[], label: string, why: string | undefined): GradeCheck {
  const lines = report.trace.map((l) => l.text);
  let at = 0;
  for (const w of want) {
    const found = lines.findIndex((l, i) => i >= at && l.includes(w));
    if (found < 0) {
      const seen = report.trace.length ? `it has: ${report.trace.slice(0, 3).map((l) => `“${l.text.trim()}”`).join(', ')}${report.trace.length > 3 ? ', …' : ''}` : 'nothing was printed';
      return { name: `${label}: trace`, passed: false, message: withWhy(`the trace pipe lacks a line with “${w}”${at ? ' after the ones before it' : ''} (${seen})`, why) };
    }
    at = found + 1;
  }
  return { name: `${label}: trace`, passed: true, message: `the trace pipe has ${want.length === 1 ? 'the line' : `the ${want.length} lines`}${want.length > 1 ? ' in order' : ''}` };
}

function nicRun(req: PipelineRequest, run: RunSpec, label: string, lineOf: (pc: number) => number | undefined): GradeCheck[] {
  const e = run.expect;
  const why = e.why ?? {};
  const setup = trafficSetup(run.traffic, undefined);
  if (!setup.ok) return [{ name: `${label}: traffic`, passed: false, message: `the lesson's traffic profile is wrong: ${setup.errors.join('; ')}` }];
  const loaded = loadProgram(requestOf(req, run));
  if (!loaded.ok) {
    const p = loaded.problems[0];
    const line = p ? (p.line ?? lineOf(p.pc)) : undefined;
    return [{ name: `${label}: loads`, passed: false, message: `it does not load on the NIC: ${p?.message ?? '?'}`, ...(line ? { line } : {}) }];
  }
  const started = startTraffic(loaded.program, setup.setup);
  if (!started.ok) return [{ name: `${label}: attaches`, passed: false, message: started.errors.join('; ') }];
  const traffic = runWholeTraffic(started.run, setup.setup, loaded.program.deviceBound);
  const report = loaded.program.finish();
  if (traffic.stopped) return [{ name: `${label}: runs for every packet`, passed: false, message: withWhy(`the traffic stopped at ${traffic.stopped}`, why['fault']) }];
  const out: GradeCheck[] = [];
  const c = traffic.counters;
  for (const [action, n] of Object.entries(e.actions ?? {})) {
    const got = (c.actions as Record<string, number>)[action] ?? 0;
    out.push({ name: `${label}: ${action}`, passed: got === n, message: got === n ? `${got} packet${got === 1 ? '' : 's'} got ${action}` : withWhy(`${got} of ${c.received} packets got ${action}, expected ${n}`, why['actions']) });
  }
  for (const [verdict, n] of Object.entries(e.tc ?? {})) {
    const got = c.tc[verdict] ?? 0;
    out.push({ name: `${label}: tc ${verdict}`, passed: got === n, message: got === n ? `the tc program gave ${got} packet${got === 1 ? '' : 's'} ${verdict}` : withWhy(`the tc program gave ${got} packets ${verdict}, expected ${n}`, why['tc']) });
  }
  if (e.xsk !== undefined) out.push({ name: `${label}: AF_XDP`, passed: c.xsk === e.xsk, message: c.xsk === e.xsk ? `${c.xsk} packets reached AF_XDP sockets` : withWhy(`${c.xsk} packets reached AF_XDP sockets, expected ${e.xsk}`, why['xsk']) });
  for (const p of e.packets ?? []) {
    const kept = started.run.kept.filter((k) => p.action === undefined || k.summary.action === p.action);
    const name = `${label}: metadata of ${p.action ? `${p.action} packets` : 'every packet'}`;
    if (!kept.length) {
      out.push({ name, passed: false, message: withWhy(`no packet got ${p.action ?? 'any verdict'}`, p.why) });
      continue;
    }
    let problem: string | undefined;
    for (const k of kept) {
      const s = k.summary;
      if (p.metaLength !== undefined && s.metaLength !== p.metaLength) problem = `packet #${s.index} carries ${s.metaLength} bytes of metadata, expected ${p.metaLength}`;
      const meta = k.meta;
      for (const f of p.fields ?? []) {
        if (problem) break;
        if (f.at + f.size > meta.length) {
          problem = `packet #${s.index} carries ${meta.length} bytes of metadata: there is nothing at bytes ${f.at}..${f.at + f.size - 1}`;
          break;
        }
        const got = leInt(meta.subarray(f.at, f.at + f.size));
        const want = f.equals === 'rx_timestamp' ? BigInt(s.rxTimestamp ?? 0) : f.equals === 'rx_hash' ? BigInt(s.rxHash ?? 0) : f.equals === 'rss_type' ? BigInt(s.rssType) : f.equals === 'queue' ? BigInt(s.queue) : BigInt.asUintN(f.size * 8, BigInt(f.equals));
        if (got !== want) problem = `packet #${s.index}: metadata bytes ${f.at}..${f.at + f.size - 1} hold ${hex64(got)}, expected ${typeof f.equals === 'string' ? `its ${f.equals} ` : ''}${hex64(want)}`;
      }
      if (problem) break;
    }
    out.push({ name, passed: !problem, message: problem ? withWhy(problem, p.why) : `all ${kept.length} kept packet${kept.length === 1 ? '' : 's'} carry it` });
  }
  if (e.trace) out.push(traceCheck(report, e.trace, label, why['trace']));
  out.push(...stateChecks(report, e, label, lineOf));
  return out;
}
