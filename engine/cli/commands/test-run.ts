// `bpfp test-run FILE [--section S] [--profile P] [--cpus N] [--scenario F] [--maps F]
// [--data HEX] [--ctx HEX] [--repeat N] [--tier T] [--json]`: like BPF_PROG_TEST_RUN — load (with the
// kernel's checks), run with the program type's context, and report retval, r0, the trace pipe,
// the maps (kptr slots show the object and its refcount) and leaked references.

import { parseHexBytes } from '../../asm/index.ts';
import type { LoadedProgram, RunReport } from '../../kernel/loader.ts';
import { AccessWatch, programWatch, type RefusedAccess } from '../../explain/watch.ts';
import { loadProgram, type PipelineRequest } from '../../load/load.ts';
import { logLevelOption } from './verify.ts';
import type { MapView } from '../../kernel/maps/map-set.ts';
import { DEFAULT_CPUS, DEFAULT_PROFILE, isProfile } from '../../kernel/profiles.ts';
import { formatTraceLine } from '../../kernel/trace/pipe.ts';
import { DEFAULT_MAX_INSNS, type RunStatus } from '../../vm/index.ts';
import { checkKnown, type ParsedArgs, UsageError } from '../args.ts';
import { hex, u64hex } from '../inputs.ts';
import { EXIT_OK, EXIT_REJECTED, type Io } from '../io.ts';
import { assembleFile, positiveInt, readJson, tierOption } from './common.ts';

function hexOption(args: ParsedArgs, name: string): Uint8Array | undefined {
  const v = args.options.get(name);
  if (v === undefined) return undefined;
  const b = parseHexBytes(v);
  if (!b) throw new UsageError(`${name} must be hex bytes (e.g. 0a0b0c), not '${v}'`);
  return b;
}

/** --strict-access PC:meta|packet: the refused access and the area the verifier typed its pointer into. */
function strictAccessOption(args: ParsedArgs): RefusedAccess | undefined {
  const v = args.options.get('--strict-access');
  if (v === undefined) return undefined;
  const m = /^(\d+):(meta|packet)$/.exec(v);
  if (!m) throw new UsageError(`--strict-access must be PC:meta or PC:packet (the refused access and the area its pointer is into), not '${v}'`);
  return { pc: Number(m[1]), area: m[2] === 'meta' ? 'meta' : 'packet' };
}

/** One run under the counterexample search's watcher: it stops, with a fault, where Linux would go on past the refused access. */
function watched(program: LoadedProgram, maps: PipelineRequest['maps'], refused: RefusedAccess | undefined): RunStatus {
  const { vm } = program;
  const insns = program.programs.get(program.section.name) ?? [];
  const watch = new AccessWatch(programWatch(insns), { vm, kernel: program.kernel, context: program.context, maps, where: (pc) => `pc ${pc}`, ...(refused ? { refused } : {}) });
  vm.setBreakpoints(watch.pcs);
  return watch.drive(vm.run(), () => vm.run());
}

export function testRunCommand(args: ParsedArgs, io: Io): number {
  checkKnown(args, ['--section', '--profile', '--cpus', '--scenario', '--maps', '--data', '--ctx', '--repeat', '--json', '--isa', '--dialect', '--max-insns', '--log-level', '--tier', '--no-verify', '--strict', '--strict-access']);
  const [file, ...extra] = args.positional;
  if (!file || extra.length) throw new UsageError('test-run takes one FILE');
  const profile = args.options.get('--profile') ?? DEFAULT_PROFILE;
  if (!isProfile(profile)) throw new UsageError(`--profile must be linux-6.3 or linux-6.18, not '${profile}'`);
  const cpus = positiveInt(args, '--cpus') ?? DEFAULT_CPUS;
  if (cpus > 4096) throw new UsageError('--cpus must be from 1 to 4096');
  const repeat = positiveInt(args, '--repeat') ?? 1;
  const json = args.flags.has('--json');
  const data = hexOption(args, '--data');
  const ctx = hexOption(args, '--ctx');
  const tier = tierOption(args);
  let scenario: unknown;
  const scenarioFile = args.options.get('--scenario');
  if (scenarioFile !== undefined) {
    const r = readJson(scenarioFile, 'scenario', io);
    if (!r.ok) return EXIT_REJECTED;
    scenario = r.value;
  }
  let mapContents: unknown;
  const mapsFile = args.options.get('--maps');
  if (mapsFile !== undefined) {
    const r = readJson(mapsFile, 'map contents', io);
    if (!r.ok) return EXIT_REJECTED;
    mapContents = r.value;
  }

  const reject = (lines: string[]): number => {
    lines.forEach((l) => io.err(l));
    if (json) io.out(JSON.stringify({ file, accepted: false, log: lines.join('\n'), retval: null, r0: null }));
    return EXIT_REJECTED;
  };
  const assembled = assembleFile(file, args, io);
  if (!assembled.ok) return reject(assembled.errors);
  const { maps, license, mapContents: fileMaps, sections, entry, isa, at } = assembled.file;

  const noVerify = args.flags.has('--no-verify');
  // A verifier counterexample's run, as the playground's "Run it unverified": stopped at the access the verifier refused.
  const strict = args.flags.has('--strict') || args.options.has('--strict-access');
  if (strict && !noVerify) throw new UsageError('--strict runs a program unverified, to show a verifier counterexample: add --no-verify');
  const strictAccess = strictAccessOption(args);
  const request: PipelineRequest = {
    sections: sections.map((s) => ({ name: s.name, kind: s.kind, bytes: s.bytes })),
    entry: entry.name,
    maps,
    ...(license === undefined ? {} : { license }),
    profile,
    cpus,
    isa,
    maxInsns: positiveInt(args, '--max-insns') ?? DEFAULT_MAX_INSNS,
    ...(tier ? { tier } : {}),
    ...(scenario === undefined ? {} : { scenario }),
    // An object's global data first; --maps adds to it (or replaces a map it names).
    ...(mapContents === undefined && !fileMaps ? {} : { mapContents: { ...fileMaps, ...(typeof mapContents === 'object' && mapContents !== null ? (mapContents as Record<string, unknown>) : {}) } }),
    inputs: { ...(data ? { data } : {}), ...(ctx ? { ctx } : {}), ...(strict ? { strictPacket: true } : {}) },
    verify: !noVerify,
    logLevel: logLevelOption(args) ?? 1,
  };
  const loaded = loadProgram(request);
  const vlog = loaded.verifier?.log ?? '';
  if (!loaded.ok) {
    if (vlog && !json) io.err(vlog.replace(/\n$/, ''));
    const lines = loaded.problems.map((p) => `${at(p.pc, p.line)}: error: ${p.message}`);
    lines.forEach((l) => io.err(l));
    if (json) io.out(JSON.stringify({ file, accepted: false, log: vlog || lines.join('\n'), errors: loaded.problems.map((p) => ({ pc: p.pc, message: p.message })), retval: null, r0: null }));
    return EXIT_REJECTED;
  }
  if (loaded.unverified === 'switched off') io.err(`${file}: warning: running '${entry.name}' UNVERIFIED (--no-verify): Linux would verify it first; only the interpreter's runtime checks protect this run`);
  const { vm } = loaded.program;
  let report: RunReport | undefined;
  let total = 0;
  for (let i = 0; i < repeat; i++) {
    if (i > 0) vm.reset();
    const t0 = process.hrtime.bigint();
    const status = strict ? watched(loaded.program, maps, strictAccess) : vm.run();
    total += Number(process.hrtime.bigint() - t0);
    if (status !== 'exited') {
      const fault = vm.faultInfo;
      const line = `${at(fault?.pc ?? vm.pc)}: error: ${fault?.message ?? status}`;
      io.err(line);
      if (json) io.out(JSON.stringify({ file, section: entry.name, accepted: true, log: vlog, retval: null, r0: null, insns: vm.count, error: fault?.message ?? status }));
      return EXIT_REJECTED;
    }
    report = loaded.program.finish();
  }
  if (!report) return EXIT_REJECTED;
  const durationNs = Math.round(total / repeat);
  if (json) {
    io.out(
      JSON.stringify({
        file,
        section: entry.name,
        accepted: true,
        log: vlog,
        ...(loaded.unverified ? { unverified: loaded.unverified } : {}),
        retval: report.retval,
        r0: u64hex(report.r0),
        insns: vm.count,
        duration_ns: durationNs,
        ...(report.dataOut ? { data_out: hex(report.dataOut) } : {}),
        ...(report.ctxOut ? { ctx_out: hex(report.ctxOut) } : {}),
        trace: report.trace.map(formatTraceLine),
        maps: Object.fromEntries(report.maps.map((m) => [m.name, m])),
        leaks: report.leaks,
        error: null,
      }),
    );
  } else {
    io.out(`${entry.name}: retval ${report.retval} (r0 = ${u64hex(report.r0)}), ${vm.count.toLocaleString('en-US')} instructions${repeat > 1 ? `, ${durationNs.toLocaleString('en-US')} ns per run over ${repeat} runs` : ''}`);
    io.out(`context: ${loaded.program.context.describe}`);
    if (report.trace.length) {
      io.out('trace pipe:');
      for (const l of report.trace) io.out(`  ${formatTraceLine(l)}`);
    }
    if (report.maps.length) {
      io.out('maps:');
      for (const m of report.maps) for (const line of describeMap(m)) io.out(`  ${line}`);
    }
    if (report.dataOut) io.out(`data_out: ${hex(report.dataOut)}`);
    if (report.ctxOut) io.out(`ctx_out: ${hex(report.ctxOut)}`);
    if (report.leaks.length) {
      io.out('leaked references:');
      for (const l of report.leaks) io.out(`  ${l.message}: ${l.object} (from ${l.via})`);
    } else io.out('leaked references: none');
  }
  return report.leaks.length ? EXIT_REJECTED : EXIT_OK;
}

export function describeMap(m: MapView): string[] {
  const lines = [`${m.name} (${m.type}, key ${m.keySize} B, value ${m.valueSize} B, max_entries ${m.maxEntries}): ${m.entries.length} entr${m.entries.length === 1 ? 'y' : 'ies'}`];
  for (const e of m.entries.slice(0, 20)) {
    const value = Array.isArray(e.value) ? e.value.map((v, cpu) => `cpu${cpu}=${v}`).join(' ') : e.value;
    const kptrs = e.kptrs?.map((k) => ` kptr@${k.offset}: ${k.object ?? k.ptr ?? 'NULL'}`).join('') ?? '';
    lines.push(`  [${e.index ?? e.key}] ${value}${kptrs}`);
  }
  if (m.entries.length > 20) lines.push(`  … ${m.entries.length - 20} more`);
  return lines;
}
