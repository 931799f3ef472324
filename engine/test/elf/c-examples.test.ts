// The C examples (public/examples/c, built by clang-19 and shipped as objects) against their
// assembly twins: each object loads as libbpf would (engine/load/elf-object.ts), is accepted by
// the verifier under Linux 6.18 as its twin is, and gives the same results — the trace pipe,
// the return value's low 32 bits (test_run's retval), the maps, no leaked reference; the XDP ones
// on the emulated NIC give the same verdicts and the same metadata bytes for every packet.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { assemble } from '../../asm/index.ts';
import { objectOfElf } from '../../load/elf-object.ts';
import { loadProgram, type PipelineRequest } from '../../load/load.ts';
import { sectionKind } from '../../program/program.ts';
import { Session } from '../../worker/session.ts';
import type { ProgramImage } from '../../worker/protocol.ts';
import { udpTraffic } from '../xdp/nic-harness.ts';

const dir = new URL('../../../public/examples/', import.meta.url);
const TWINS = ['cpumask-set-clear', 'cpumask-and-or-xor', 'cpumask-record-task', 'cpumask-kptr-rcu', 'cpumask-query-618', 'xdp-metadata', 'xdp-to-tc-metadata'];

/** The twin's image: from the assembly, or from the object. */
function imageOf(name: string, from: 'asm' | 'object'): ProgramImage & { readonly mapContents?: Readonly<Record<string, readonly { key: string; value: string }[]>> } {
  if (from === 'asm') {
    const a = assemble(readFileSync(new URL(`${name}.bpf.s`, dir), 'utf8'), { isa: 4 });
    if (!a.ok) throw new Error(`${name}.bpf.s does not assemble`);
    const sections = a.sections.filter((s) => s.insns.length > 0);
    return { sections: sections.map((s) => ({ name: s.name, progType: s.kind.progType, bytecode: s.bytes })), entry: sections[0]?.name ?? '', maps: a.maps, ...(a.license === undefined ? {} : { license: a.license }) };
  }
  const o = objectOfElf(new Uint8Array(readFileSync(new URL(`c/${name}.o`, dir))));
  if (!o.ok) throw new Error(`${name}.o: ${o.error}`);
  const p = o.object.programs;
  return { sections: p.map((s) => ({ name: s.name, progType: sectionKind(s.name).progType, bytecode: s.bytes })), entry: p[0]?.name ?? '', maps: o.object.maps, ...(o.object.license === undefined ? {} : { license: o.object.license }), mapContents: o.object.mapContents };
}

function requestOf(image: ReturnType<typeof imageOf>, scenario?: unknown): PipelineRequest {
  return {
    sections: image.sections.map((s) => ({ name: s.name, kind: sectionKind(s.name), bytes: s.bytecode })),
    entry: image.entry,
    maps: image.maps,
    ...(image.license === undefined ? {} : { license: image.license }),
    ...(image.mapContents && Object.keys(image.mapContents).length ? { mapContents: image.mapContents } : {}),
    ...(scenario === undefined ? {} : { scenario }),
    profile: 'linux-6.18',
    cpus: 8,
    isa: 4,
    maxInsns: 1_000_000,
  };
}

/** What a tracepoint run leaves: retval, the trace pipe's texts, every map's entries (kptr slots by the CPUs of their mask), leaks. */
function tracepointRun(image: ReturnType<typeof imageOf>, scenario?: unknown) {
  const loaded = loadProgram(requestOf(image, scenario));
  if (!loaded.ok) return { refused: loaded.problems[0]?.message };
  const status = loaded.program.vm.run();
  if (status !== 'exited') return { fault: loaded.program.vm.faultInfo?.message };
  const r = loaded.program.finish();
  return {
    retval: r.retval,
    trace: r.trace.map((l) => l.text),
    maps: r.maps.map((m) => ({ name: m.name, entries: m.entries.map((e) => ({ key: e.key, value: e.value, kptrs: (e.kptrs ?? []).map((k) => (k.ptr === null ? null : /CPUs ([^)]*)/.exec(k.object ?? '')?.[1])) })) })),
    leaks: r.leaks.length,
  };
}

describe('the C examples against their assembly twins', () => {
  it.each(TWINS.filter((t) => !t.startsWith('xdp')))('%s: same verdict, trace, retval, maps and references', (name) => {
    let seen = 0;
    for (const scenario of [undefined, { newtask: { pid: 77, comm: 'pinned', cpus: '1-2', parent: 1 } }]) {
      const asm = tracepointRun(imageOf(name, 'asm'), scenario);
      const c = tracepointRun(imageOf(name, 'object'), scenario);
      expect(asm.refused, 'the assembly twin loads').toBeUndefined();
      expect(asm.fault, 'the assembly twin runs to its exit').toBeUndefined();
      seen += (asm.trace?.length ?? 0) + (asm.maps?.reduce((n, m) => n + m.entries.length, 0) ?? 0);
      expect(c).toEqual(asm);
    }
    // The runs left something to compare besides the return code (and-or-xor says all in its return code).
    if (name !== 'cpumask-and-or-xor') expect(seen).toBeGreaterThan(0);
  });

  it.each(TWINS.filter((t) => t.startsWith('xdp')))('%s: on the NIC, the same verdicts, tc verdicts and metadata for every packet', (name) => {
    const run = (from: 'asm' | 'object') => {
      const session = new Session();
      const image = imageOf(name, from);
      const l = session.load(image, { isa: 4, profile: 'linux-6.18', cpus: 4, maxInsns: 1_000_000, traffic: udpTraffic({ packets: 16, queues: 2 }) });
      if (!l.ok) throw new Error(`${name} (${from}): ${l.problems.map((p) => p.message).join('; ')}`);
      const report = session.runTraffic();
      const packets = report.packets.map((p) => ({ action: p.action, meta: p.metaLength, fate: p.fate }));
      const meta = report.packets.map((p) => session.packetDetail(p.index)?.xsk?.metadata ?? session.packetDetail(p.index)?.tc?.dataMeta);
      return { actions: report.counters.actions, tc: report.counters.tc, xsk: report.counters.xsk, packets, meta: meta.map((m) => (m ? [...m] : null)) };
    };
    const asm = run('asm');
    expect(asm.packets.length).toBe(16);
    expect(run('object')).toEqual(asm);
  });
});
