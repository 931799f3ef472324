// Plays a program through the engine's facade the way the playground does: Session.load, then
// Run (with breakpoints and Continue) or, for an XDP program on the NIC, a whole traffic run with
// packet details and every pcap export; a few Steps after a reset. Budgets stay small, so a case
// that takes long is the product's doing, not the amount of work asked for.

import type { MapDecl, Section } from '../../asm/index.ts';
import type { IsaLevel } from '../../isa/index.ts';
import type { KernelProfile, PcapSelection, ProgramImage, RunSettings } from '../../worker/protocol.ts';
import { runsOnNic, Session } from '../../worker/session.ts';
import type { Rng } from './case.ts';

export const FUZZ_MAX_INSNS = 100_000;
export const PROFILES: readonly KernelProfile[] = ['linux-6.3', 'linux-6.18'];
export const SELECTIONS: readonly PcapSelection[] = ['received', 'passed', 'transmitted', 'redirected', 'dropped'];

export interface PlayOptions {
  /** Breakpoints for the first run (pcs; out-of-range ones are allowed). */
  readonly breakpoints?: readonly number[];
  /** Steps after a reset. */
  readonly steps?: number;
  /** Packet details to ask for after a traffic run. */
  readonly details?: readonly number[];
  /** Load only: the input asks for more work than a case may take (a profile of millions of packets). */
  readonly loadOnly?: boolean;
}

/** The image the playground would send for these sections (app/state/program.ts imageOf). */
export function imageOf(sections: readonly Section[], maps: readonly MapDecl[], license: string | undefined, entry?: string): ProgramImage | undefined {
  const runnable = sections.filter((s) => s.insns.length > 0);
  const first = entry ? runnable.find((s) => s.name === entry) : runnable[0];
  if (!first) return undefined;
  return {
    sections: runnable.map((x) => ({ name: x.name, progType: x.kind.progType, ...(x.kind.attachTo ? { attachTo: x.kind.attachTo } : {}), bytecode: x.bytes })),
    entry: first.name,
    maps,
    ...(license === undefined ? {} : { license }),
  };
}

/** Settings as the playground sends them, small budget. */
export function settingsOf(rng: Rng, extra: Partial<RunSettings> = {}): RunSettings {
  return {
    isa: 4 as IsaLevel,
    profile: rng.pick(PROFILES),
    cpus: rng.pick([1, 2, 4, 8, 8, 8, 64]),
    maxInsns: FUZZ_MAX_INSNS,
    seed: 1,
    ...extra,
  };
}

/** Random play options: a breakpoint or two, a few steps, a few packets to open. */
export function playOptions(rng: Rng): PlayOptions {
  return {
    breakpoints: rng.chance(0.3) ? Array.from({ length: 1 + rng.below(2) }, () => rng.below(40)) : [],
    steps: rng.chance(0.3) ? 1 + rng.below(5) : 0,
    details: rng.chance(0.5) ? [0, rng.below(70)] : [],
  };
}

/** Everything the facade answered, for inspection. Throws only when the facade throws. */
export function play(image: ProgramImage, settings: RunSettings, options: PlayOptions = {}): Record<string, unknown> {
  const s = new Session();
  const load = s.load(image, settings);
  const out: Record<string, unknown> = { load };
  if (!load.ok || options.loadOnly) return out;
  if (runsOnNic(image, settings)) {
    out.report = s.runTraffic();
    out.details = (options.details ?? []).map((i) => s.packetDetail(i));
    out.pcaps = SELECTIONS.map((which) => s.exportPcap(which).length);
  } else {
    let snap = s.run(options.breakpoints ?? []);
    const snaps = [snap];
    for (let i = 0; i < 3 && snap.status === 'breakpoint'; i++) {
      snap = s.continue([]);
      snaps.push(snap);
    }
    out.snaps = snaps;
  }
  const steps = options.steps ?? 0;
  if (steps > 0) {
    s.reset();
    const stepped = [];
    for (let i = 0; i < steps; i++) stepped.push(i % 2 ? s.stepOver() : s.step());
    out.steps = stepped;
  }
  return out;
}
