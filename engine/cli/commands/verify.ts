// `bpfp verify FILE [--section S] [--profile linux-6.3|linux-6.18] [--log-level 1|2] [--explain] [--json]`:
// BPF_PROG_LOAD's answer without running the program — the kernel's load checks, then the
// verifier — with the verifier's log as the kernel prints it. --explain adds, for a refusal,
// where its problem began and the causal path (the instructions that produced its operands),
// and, for a refusal about memory safety, NULL, bounds or a leak, a counterexample: an input on
// which the program, run unverified, really faults or leaks (400 seeded tries, as the playground searches; `--seed S`).

import { verifiable, verifyProgram, type PipelineRequest } from '../../load/load.ts';
import { categorize, findCounterexample, SEARCH, type Counterexample } from '../../explain/counterexample.ts';
import type { VerifyError } from '../../verifier/api.ts';
import { DEFAULT_PROFILE, DEFAULT_CPUS, isProfile } from '../../kernel/profiles.ts';
import { DEFAULT_MAX_INSNS } from '../../vm/index.ts';
import { checkKnown, type ParsedArgs, UsageError } from '../args.ts';
import { EXIT_OK, EXIT_REJECTED, type Io } from '../io.ts';
import { assembleFile } from './common.ts';

export function logLevelOption(args: ParsedArgs): 1 | 2 | undefined {
  const v = args.options.get('--log-level');
  if (v === undefined) return undefined;
  if (v !== '1' && v !== '2') throw new UsageError(`--log-level must be 1 or 2, not '${v}'`);
  return v === '1' ? 1 : 2;
}

export function verifyCommand(args: ParsedArgs, io: Io): number {
  checkKnown(args, ['--section', '--profile', '--log-level', '--json', '--explain', '--seed', '--isa', '--dialect']);
  const explain = args.flags.has('--explain');
  const [file, ...extra] = args.positional;
  if (!file || extra.length) throw new UsageError('verify takes one FILE');
  const profile = args.options.get('--profile') ?? DEFAULT_PROFILE;
  if (!isProfile(profile)) throw new UsageError(`--profile must be linux-6.3 or linux-6.18, not '${profile}'`);
  const logLevel = logLevelOption(args) ?? 1;
  const json = args.flags.has('--json');
  const assembled = assembleFile(file, args, io, (s) => verifiable(s.kind));
  if (!assembled.ok) {
    assembled.errors.forEach((l) => io.err(l));
    if (json) io.out(JSON.stringify({ file, accepted: false, errors: [], log: assembled.errors.join('\n') }));
    return EXIT_REJECTED;
  }
  const { maps, license, mapContents: fileMaps, sections, entry, isa, at } = assembled.file;
  if (!verifiable(entry.kind)) {
    const note = `${file}: note: '${entry.name}' is a raw program (the bpf_conformance convention); Linux has no such program type, so it runs unverified`;
    io.err(note);
    if (json) io.out(JSON.stringify({ file, section: entry.name, accepted: true, errors: [], log: '', unverified: 'raw' }));
    return EXIT_OK;
  }
  const request: PipelineRequest = {
    sections: sections.map((s) => ({ name: s.name, kind: s.kind, bytes: s.bytes })),
    entry: entry.name,
    maps,
    ...(license === undefined ? {} : { license }),
    ...(fileMaps ? { mapContents: fileMaps } : {}),
    profile,
    cpus: DEFAULT_CPUS,
    isa,
    maxInsns: DEFAULT_MAX_INSNS,
    logLevel,
    ...(explain ? { explain: true } : {}),
  };
  const r = verifyProgram(request);
  const log = r.verifier?.log ?? '';
  const where = (pc: number) => {
    const span = entry.spans[pc];
    return { pc, line: span?.line ?? 0, col: span?.col ?? 0 };
  };
  const detail = explain ? r.verifier?.errors[0] : undefined;
  const cex = detail && r.problems[0]?.stage === 'verifier' && categorize(detail.message) ? counterexample(request, detail, args, (pc) => `line ${entry.spans[pc]?.line ?? '?'}`) : undefined;
  const errors = r.problems.map((p, i) => {
    const span = entry.spans[p.pc];
    const base = { pc: p.pc, line: p.line ?? span?.line ?? 0, col: span?.col ?? 0, message: p.message };
    if (!detail || i > 0 || p.stage !== 'verifier') return base;
    return {
      ...base,
      related: (detail.related ?? []).map((x) => ({ ...where(x.pc), message: x.message })),
      slice: (detail.slice ?? []).map(where),
      ...(cex ? { counterexample: 'none' in cex ? { none: cex.none } : { input: cex.input, fault: cex.fault, kind: cex.kind, ...where(cex.pc), ...(cex.access ? { access: cex.access } : {}) } } : {}),
    };
  });
  if (json) io.out(JSON.stringify({ file, section: entry.name, profile, accepted: r.ok, errors, log, ...(r.verifier ? { stats: r.verifier.stats } : {}) }));
  else {
    if (log) io.out(log.replace(/\n$/, ''));
    if (r.ok) io.out(`${entry.name}: accepted by the ${profile} verifier`);
  }
  for (const p of r.problems) io.err(`${at(p.pc, p.line)}: error: ${p.message}`);
  if (detail && !json) {
    // The report: where the problem began, then the causal path, each at its source line.
    const text = assembled.file.sourceOf;
    for (const x of detail.related ?? []) io.err(`${at(x.pc)}: note: ${x.message}${text(x.pc) ? `: ${text(x.pc)}` : ''}`);
    if (detail.slice?.length) {
      io.err(`${file}: note: the causal path (the instructions on the failing path that produced its operands):`);
      for (const pc of detail.slice) io.err(`  ${at(pc)}: ${text(pc)}`);
    }
    if (cex && 'none' in cex) io.err(`${file}: note: no counterexample found: ${cex.none}`);
    else if (cex) {
      const { input } = cex;
      const opts = [
        ...(args.options.has('--section') ? [`--section ${entry.name}`] : []),
        ...(profile === DEFAULT_PROFILE ? [] : [`--profile ${profile}`]),
        ...(input.data ? [`--data ${input.data}`] : []),
        ...(input.ctx ? [`--ctx ${input.ctx}`] : []),
        ...(input.maps ? ['--maps MAPS.json'] : []),
        ...(input.scenario ? ['--scenario SCENARIO.json'] : []),
        // Stopped at the access the verifier refused, where Linux (and a plain run) would go on.
        cex.access ? `--strict-access ${cex.access.pc}:${cex.access.area}` : '--strict',
      ];
      io.err(`${at(cex.pc)}: note: counterexample: ${cex.fault} — run it unverified: bpfp test-run ${file} --no-verify${opts.length ? ` ${opts.join(' ')}` : ''}`);
      if (input.maps) io.err(`${file}: note: MAPS.json: ${JSON.stringify(input.maps)}`);
      if (input.scenario) io.err(`${file}: note: SCENARIO.json: ${JSON.stringify(input.scenario)}`);
    }
  }
  return r.ok ? EXIT_OK : EXIT_REJECTED;
}

/** The counterexample search for a refusal, as the playground runs it (`--seed S`, default 13). */
function counterexample(request: PipelineRequest, refusal: VerifyError, args: ParsedArgs, where: (pc: number) => string): Counterexample | { readonly none: string } {
  const text = args.options.get('--seed');
  const seed = text === undefined ? SEARCH.seed : Number(text);
  if (!Number.isSafeInteger(seed) || seed < 0) throw new UsageError(`--seed must be a non-negative integer, not '${text ?? ''}'`);
  return findCounterexample(request, refusal, { ...SEARCH, seed, where });
}
