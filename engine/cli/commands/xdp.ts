// `bpfp xdp FILE [--traffic PROFILE.json] [--packets N] [--seed S] [--driver D] [--pcap F]
// [--write-pcap F] [--section S] [--profile P] [--cpus N] [--tier T] [--json] [--trace]`: runs the XDP
// program of FILE on the emulated NIC — the profile's generated traffic, or a replayed capture —
// and reports the verdict counts; with --trace, per packet its queue, hardware timestamp, RSS
// hash and hash type, action and the metadata bytes. The same code the playground's worker runs.

import { readFileSync } from 'node:fs';
import { loadProgram } from '../../load/load.ts';
import { logLevelOption } from './verify.ts';
import { DEFAULT_CPUS, DEFAULT_PROFILE, isProfile } from '../../kernel/profiles.ts';
import { formatTraceLine } from '../../kernel/trace/pipe.ts';
import { fateText, rssTypeName } from '../../net/names.ts';
import { DEFAULT_TRAFFIC_JSON } from '../../net/profile.ts';
import { DRIVERS } from '../../net/profile-json.ts';
import { DEFAULT_MAX_INSNS } from '../../vm/index.ts';
import { pcapOf, runWholeTraffic, startTraffic, trafficSetup } from '../../worker/nic-session.ts';
import { loadRequestOf } from '../../worker/session.ts';
import type { PcapSelection } from '../../worker/protocol.ts';
import { checkKnown, type ParsedArgs, UsageError } from '../args.ts';
import { hex } from '../inputs.ts';
import { EXIT_OK, EXIT_REJECTED, type Io } from '../io.ts';
import { assembleFile, positiveInt, readJson, tierOption } from './common.ts';
import { describeMap } from './test-run.ts';

const SELECTIONS: readonly PcapSelection[] = ['received', 'passed', 'transmitted', 'redirected', 'dropped'];

function trafficOf(args: ParsedArgs, io: Io): { ok: true; value: Record<string, unknown> } | { ok: false } {
  const file = args.options.get('--traffic');
  let value: Record<string, unknown> = { ...DEFAULT_TRAFFIC_JSON };
  if (file !== undefined) {
    const r = readJson(file, 'traffic profile', io);
    if (!r.ok) return r;
    if (typeof r.value !== 'object' || r.value === null || Array.isArray(r.value)) {
      io.err(`${file}: error: a traffic profile is a JSON object: { "packets": 64, "flows": [ … ] }`);
      return { ok: false };
    }
    value = r.value as Record<string, unknown>;
  }
  const packets = positiveInt(args, '--packets');
  if (packets !== undefined) value = { ...value, packets };
  const seed = args.options.get('--seed');
  if (seed !== undefined) {
    if (!/^\d+$/.test(seed) || Number(seed) > 0xffffffff) throw new UsageError(`--seed must be a whole number from 0 to 4294967295, not '${seed}'`);
    value = { ...value, seed: Number(seed) };
  }
  const driver = args.options.get('--driver');
  if (driver !== undefined) {
    if (!(DRIVERS as readonly string[]).includes(driver)) throw new UsageError(`--driver must be full, hash-only or none, not '${driver}'`);
    const nic = typeof value.nic === 'object' && value.nic !== null ? value.nic : {};
    value = { ...value, nic: { ...nic, driver } };
  }
  return { ok: true, value };
}

export function xdpCommand(args: ParsedArgs, io: Io): number {
  checkKnown(args, ['--traffic', '--packets', '--seed', '--driver', '--pcap', '--write-pcap', '--write', '--section', '--profile', '--cpus', '--json', '--trace', '--isa', '--dialect', '--max-insns', '--log-level', '--tier', '--no-verify']);
  const [file, ...extra] = args.positional;
  if (!file || extra.length) throw new UsageError('xdp takes one FILE');
  const profile = args.options.get('--profile') ?? DEFAULT_PROFILE;
  if (!isProfile(profile)) throw new UsageError(`--profile must be linux-6.3 or linux-6.18, not '${profile}'`);
  const cpus = positiveInt(args, '--cpus') ?? DEFAULT_CPUS;
  if (cpus > 4096) throw new UsageError('--cpus must be from 1 to 4096');
  const which = (args.options.get('--write') ?? 'received') as PcapSelection;
  if (!SELECTIONS.includes(which)) throw new UsageError(`--write must be ${SELECTIONS.join(', ')}, not '${which}'`);
  const json = args.flags.has('--json');
  const trace = args.flags.has('--trace');
  const tier = tierOption(args);

  const reject = (lines: readonly string[]): number => {
    lines.forEach((l) => io.err(l));
    if (json) io.out(JSON.stringify({ file, accepted: false, log: lines.join('\n'), actions: null, packets: [] }));
    return EXIT_REJECTED;
  };
  const traffic = trafficOf(args, io);
  if (!traffic.ok) return EXIT_REJECTED;
  let pcap: Uint8Array | undefined;
  const pcapFile = args.options.get('--pcap');
  if (pcapFile !== undefined) {
    try {
      pcap = new Uint8Array(readFileSync(pcapFile));
    } catch (e) {
      return reject([`${pcapFile}: error: cannot read the capture: ${e instanceof Error ? e.message : String(e)}`]);
    }
  }
  const assembled = assembleFile(file, args, io, (s) => s.kind.progType === 'xdp');
  if (!assembled.ok) return reject(assembled.errors);
  const { maps, license, mapContents: fileMaps, sections, entry, isa, at } = assembled.file;
  if (entry.kind.progType !== 'xdp') return reject([`${file}: error: '${entry.name}' is not an XDP program (its section must be xdp or xdp/…); the NIC runs XDP programs`]);

  const settings = { isa, profile, cpus, maxInsns: positiveInt(args, '--max-insns') ?? DEFAULT_MAX_INSNS, ...(tier ? { tier } : {}), traffic: traffic.value, ...(pcap ? { pcap } : {}), ...(fileMaps ? { maps: fileMaps } : {}) };
  const setup = trafficSetup(settings.traffic, pcap);
  if (!setup.ok) return reject(setup.errors.map((e) => `${pcapFile && e.startsWith('pcap') ? pcapFile : (args.options.get('--traffic') ?? file)}: error: ${e}`));
  setup.setup.warnings.forEach((w) => io.err(`${file}: warning: ${w}`));
  const image = { sections: sections.map((s) => ({ name: s.name, progType: s.kind.progType, bytecode: s.bytes })), entry: entry.name, maps, ...(license === undefined ? {} : { license }) };
  const noVerify = args.flags.has('--no-verify');
  const loaded = loadProgram({ ...loadRequestOf(image, settings), verify: !noVerify, logLevel: logLevelOption(args) ?? 1 });
  if (!loaded.ok) {
    const vlog = loaded.verifier?.log ?? '';
    if (vlog && !args.flags.has('--json')) io.err(vlog.replace(/\n$/, ''));
    return reject(loaded.problems.map((p) => `${at(p.pc, p.line)}: error: ${p.message}`));
  }
  if (loaded.unverified === 'switched off') io.err(`${file}: warning: running '${entry.name}' UNVERIFIED (--no-verify): Linux would verify it first; only the interpreter's runtime checks protect this run`);
  const started = startTraffic(loaded.program, setup.setup);
  if (!started.ok) return reject(started.errors.map((e) => `${file}: error: ${e}`));
  const run = started.run;
  const report = runWholeTraffic(run, setup.setup, loaded.program.deviceBound);
  const result = loaded.program.finish();
  run.warnings.forEach((w) => io.err(`${file}: warning: ${w}`));
  if (report.stopped) io.err(`${file}: error: the traffic stopped at ${report.stopped}`);

  const writeTo = args.options.get('--write-pcap');
  if (writeTo !== undefined) {
    try {
      io.writeFile(writeTo, pcapOf(run, which));
    } catch (e) {
      io.err(`${writeTo}: error: cannot write the capture: ${e instanceof Error ? e.message : String(e)}`);
      return EXIT_REJECTED;
    }
  }

  const packets = run.kept.map((k) => {
    const p = k.summary;
    return {
      index: p.index,
      queue: p.queue,
      rx_timestamp: p.rxTimestamp === null ? null : Number(p.rxTimestamp),
      rx_hash: p.rxHash,
      rss_type: p.rssType,
      rss_type_name: rssTypeName(p.rssType),
      vlan: p.vlan,
      action: p.action,
      retval: p.retval,
      fate: fateText(p.fate),
      insns: p.insns,
      data: hex(k.out),
      meta: hex(k.meta),
    };
  });
  const c = report.counters;
  if (json) {
    io.out(
      JSON.stringify({
        file,
        section: entry.name,
        accepted: true,
        device_bound: report.deviceBound,
        driver: report.driver,
        queues: report.queues,
        total: report.total,
        received: c.received,
        actions: c.actions,
        xsk: c.xsk,
        devices: c.devices,
        cpus: c.cpus,
        tc: c.tc,
        redirect_errors: c.redirectErrors,
        faults: c.faults,
        pps: report.pps,
        stopped: report.stopped ?? null,
        warnings: report.warnings,
        kept: packets.length,
        packets: trace ? packets : [],
        trace: result.trace.map(formatTraceLine),
        maps: Object.fromEntries(result.maps.map((m) => [m.name, m])),
      }),
    );
  } else {
    const n = (v: number) => v.toLocaleString('en-US');
    io.out(`${entry.name}: ${n(c.received)} of ${n(report.total)} packets on ${report.queues} queues, driver "${report.driver}"${report.deviceBound ? ', device-bound (it calls XDP metadata kfuncs)' : ''}`);
    io.out(`actions: ${Object.entries(c.actions).filter(([, v]) => v > 0).map(([k, v]) => `${k} ${n(v)}`).join(', ') || 'none'}`);
    const where = [c.xsk && `AF_XDP ${n(c.xsk)}`, c.devices && `devices ${n(c.devices)}`, c.cpus && `CPUs ${n(c.cpus)}`, c.redirectErrors && `failed ${n(c.redirectErrors)}`].filter(Boolean);
    if (where.length) io.out(`redirected: ${where.join(', ')}`);
    const tc = Object.entries(c.tc);
    if (tc.length) io.out(`tc: ${tc.map(([k, v]) => `${k} ${n(v)}`).join(', ')}`);
    if (trace) {
      io.out('packets:');
      for (const p of packets) {
        const ts = p.rx_timestamp === null ? 'ts -' : `ts ${p.rx_timestamp}`;
        const hash = p.rx_hash === null ? 'hash -' : `hash 0x${p.rx_hash.toString(16).padStart(8, '0')} ${p.rss_type_name}`;
        io.out(`  #${p.index} q${p.queue} ${ts} ${hash}${p.vlan === null ? '' : ` vlan ${p.vlan}`} ${p.action}: ${p.fate}${p.meta ? ` meta ${p.meta}` : ''}`);
      }
      if (packets.length < c.received) io.out(`  … the first ${n(packets.length)} packets are kept`);
    }
    if (result.trace.length) {
      io.out('trace pipe:');
      for (const l of result.trace) io.out(`  ${formatTraceLine(l)}`);
    }
    if (result.maps.length) {
      io.out('maps:');
      for (const m of result.maps) for (const line of describeMap(m)) io.out(`  ${line}`);
    }
  }
  return report.stopped ? EXIT_REJECTED : EXIT_OK;
}
