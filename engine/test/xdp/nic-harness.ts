// XDP programs on the emulated NIC as tests drive them: through the worker's Session, the very
// path the playground and `bpfp xdp` take (load with the traffic, run it, read a packet, export).

import { readFileSync } from 'node:fs';
import { assemble } from '../../asm/index.ts';
import type { KernelProfile } from '../../kernel/profiles.ts';
import type { ProgramImage, TrafficReport } from '../../worker/protocol.ts';
import { Session } from '../../worker/session.ts';

export interface NicOptions {
  readonly profile?: KernelProfile;
  readonly traffic?: unknown;
  readonly pcap?: Uint8Array;
  readonly maps?: unknown;
  readonly section?: string;
  readonly cpus?: number;
}

export function imageOf(source: string, section?: string): ProgramImage {
  const asm = assemble(source);
  if (!asm.ok) throw new Error(`does not assemble: ${asm.diagnostics.map((d) => `${d.line}:${d.col}: ${d.message}`).join('; ')}`);
  const sections = asm.sections.filter((s) => s.insns.length > 0);
  const entry = section ?? sections[0]?.name;
  if (!entry) throw new Error('no program');
  return {
    sections: sections.map((s) => ({ name: s.name, progType: s.kind.progType, bytecode: s.bytes })),
    entry,
    maps: asm.maps,
    ...(asm.license === undefined ? {} : { license: asm.license }),
  };
}

/** Loads `source` for the NIC; the load problems as messages when it is refused. */
export function nicLoad(source: string, opts: NicOptions = {}): { ok: true; session: Session } | { ok: false; errors: string[] } {
  const session = new Session();
  const r = session.load(imageOf(source, opts.section), {
    isa: 4,
    profile: opts.profile ?? 'linux-6.18',
    cpus: opts.cpus ?? 4,
    maxInsns: 1_000_000,
    ...(opts.traffic === undefined ? {} : { traffic: opts.traffic }),
    ...(opts.pcap ? { pcap: opts.pcap } : {}),
    ...(opts.maps === undefined ? {} : { maps: opts.maps }),
  });
  return r.ok ? { ok: true, session } : { ok: false, errors: r.problems.map((p) => p.message) };
}

/** Runs the whole traffic; throws when the load is refused. */
export function nicRun(source: string, opts: NicOptions = {}): { session: Session; report: TrafficReport } {
  const l = nicLoad(source, opts);
  if (!l.ok) throw new Error(`refused: ${l.errors.join('; ')}`);
  return { session: l.session, report: l.session.runTraffic() };
}

/** One UDP flow to port 8080 (what the metadata examples want), `packets` packets on one queue. */
export function udpTraffic(extra: Record<string, unknown> = {}, flow: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    seed: 7,
    packets: 8,
    rate_pps: 1_000_000,
    queues: 1,
    flows: [{ proto: 'udp', src: '10.0.0.1', dst: '10.0.0.2', sport: 1234, dport: 8080, size: 64, weight: 1, ...flow }],
    ...extra,
  };
}

export function example(name: string): string {
  return readFileSync(new URL(`../../../public/examples/${name}`, import.meta.url), 'utf8');
}

export function fixture(name: string): string {
  return readFileSync(new URL(`./${name}`, import.meta.url), 'utf8');
}

export const u32 = (b: Uint8Array, at: number): number => ((b[at] ?? 0) | ((b[at + 1] ?? 0) << 8) | ((b[at + 2] ?? 0) << 16) | ((b[at + 3] ?? 0) << 24)) >>> 0;
export const s32 = (b: Uint8Array, at: number): number => u32(b, at) | 0;
export const u64 = (b: Uint8Array, at: number): bigint => BigInt(u32(b, at)) | (BigInt(u32(b, at + 4)) << 32n);
