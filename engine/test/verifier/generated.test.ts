// The verifier on generated programs. No false rejections: every program of the kernel
// differential's generator (programs Linux accepts and runs, engine/test/kernel) is accepted.
// Soundness: seeded mutations of them (instructions replaced, offsets shifted, bounds checks
// dropped) are verified, and every one accepted runs in the interpreter on random packets
// without a fault, a leak or an exhausted budget; nothing throws, nothing takes a second of CPU (timing.ts).
// Counts: VERIFIER_GEN_COUNT (default 1,000 each; the figures are 10,000 and 100,000).
// VERIFIER_SHARD=k/n runs the k-th of n equal parts of the soundness half's mutations (the same
// mutation indices, so n processes together cover exactly what one would).

import { describe, expect, it } from 'vitest';
import { decodeProgram, encodeProgram, type Insn } from '../../isa/index.ts';
import { loadProgram } from '../../load/load.ts';
import { verify } from '../../verifier/index.ts';
import { generateProgram, PROGRAM_KINDS } from '../kernel/generate.ts';
import { inputPacketProgram, xdpProgram } from '../kernel/harness.ts';
import { Rng } from '../kernel/rng.ts';
import { overLimit, timed, tookText } from './timing.ts';
import { shardRange } from './shard.ts';

const COUNT = Number(process.env.VERIFIER_GEN_COUNT ?? 1000);
/** The soundness half's share of the mutation indices [0, COUNT). */
const SHARD = shardRange(COUNT, process.env.VERIFIER_SHARD);
/** Time allowed per test: grows with the count (a run of 100,000 takes many minutes). */
const TIMEOUT = 600_000 + COUNT * 30;
const XDP = { progType: 'xdp' as const };

function check(insns: readonly Insn[]) {
  const decoded = decodeProgram(encodeProgram(insns)).insns;
  const t = timed(() => verify({ insns: decoded, kind: XDP, maps: [], gpl: true, profile: 'linux-6.18', logLevel: 0 }));
  return { r: t.value, time: t, decoded };
}

describe('the verifier on generated programs', () => {
  it(`accepts every program of the kernel differential's generator (${COUNT} programs, both the constant and the packet-input forms)`, () => {
    const refused: string[] = [];
    let n = 0;
    for (let seed = 1; n < COUNT; seed++) {
      for (const kind of PROGRAM_KINDS) {
        if (n >= COUNT) break;
        const body = generateProgram(seed, kind);
        for (const prog of [xdpProgram(body), inputPacketProgram(body)?.prog]) {
          if (!prog) continue;
          const { r } = check(prog);
          if (!r.accepted) refused.push(`${kind} seed ${seed}: ${r.errors[0]?.message} at ${r.errors[0]?.pc}`);
        }
        n++;
      }
    }
    expect(refused.slice(0, 20), `${refused.length} of ${n} refused`).toEqual([]);
  }, TIMEOUT);

  it(`is sound on ${SHARD.to - SHARD.from} seeded mutations${SHARD.label}: what it accepts runs without a fault, a leak or an exhausted budget`, () => {
    const problems: string[] = [];
    let accepted = 0;
    let slowest = { cpuMs: 0, wallMs: 0, i: -1 };
    for (let i = SHARD.from; i < SHARD.to; i++) {
      const rng = new Rng(0x5eed0000 + i);
      const random = { next: () => rng.u32() / 0x1_0000_0000 };
      const kind = PROGRAM_KINDS[i % PROGRAM_KINDS.length] ?? 'mixed';
      const body = [...generateProgram(1 + Math.floor(i / PROGRAM_KINDS.length), kind)];
      const packetForm = inputPacketProgram(body);
      const base = random.next() < 0.5 && packetForm ? packetForm.prog : xdpProgram(body);
      const prog = mutate(base, random);
      let result: ReturnType<typeof check>;
      try {
        result = check(prog);
      } catch (e) {
        problems.push(`mutation ${i}: the verifier threw ${e instanceof Error ? e.message : String(e)}`);
        continue;
      }
      if (result.time.cpuMs > slowest.cpuMs) slowest = { ...result.time, i };
      const over = overLimit(result.time, 1000, () => ({ sections: [{ name: 'xdp', kind: XDP, bytes: encodeProgram(prog) }], entry: 'xdp', maps: [], profile: 'linux-6.18', cpus: 2, isa: 4, maxInsns: 1_000_000 }));
      if (over) problems.push(`mutation ${i}: ${over} to verify`);
      if (!result.r.accepted) continue;
      accepted++;
      for (let run = 0; run < 3; run++) {
        const packet = new Uint8Array(64 + Math.floor(random.next() * 200));
        for (let b = 0; b < packet.length; b++) packet[b] = Math.floor(random.next() * 256);
        const loaded = loadProgram({ sections: [{ name: 'xdp', kind: XDP, bytes: encodeProgram(prog) }], entry: 'xdp', maps: [], profile: 'linux-6.18', cpus: 2, isa: 4, maxInsns: 1_000_000, verify: false, inputs: { data: packet } });
        if (!loaded.ok) {
          problems.push(`mutation ${i}: accepted but the load failed: ${loaded.problems[0]?.message}`);
          break;
        }
        const status = loaded.program.vm.run();
        if (status !== 'exited') {
          problems.push(`mutation ${i}: accepted but the run ended '${status}': ${loaded.program.vm.faultInfo?.message ?? ''}`);
          break;
        }
        const leaks = loaded.program.end().leaks;
        if (leaks.length) problems.push(`mutation ${i}: accepted but leaked ${leaks.length} reference(s)`);
      }
    }
    console.log(`generated soundness${SHARD.label}: mutations ${SHARD.from}..${SHARD.to - 1}, ${accepted} accepted and run 3 times each, ${problems.length} problems; slowest verify: mutation ${slowest.i}, ${tookText(slowest)}`);
    expect(accepted, 'some mutations must be accepted for the test to mean anything').toBeGreaterThan((SHARD.to - SHARD.from) / 10);
    expect(problems.slice(0, 20), `${problems.length} problems`).toEqual([]);
  }, TIMEOUT);
});

/** One to three mutations: an instruction replaced by another of the program, an offset shifted, a jump retargeted, a register swapped. */
function mutate(prog: readonly Insn[], random: { next(): number }): Insn[] {
  const out = [...prog];
  const pick = () => Math.floor(random.next() * out.length);
  const times = 1 + Math.floor(random.next() * 3);
  for (let t = 0; t < times; t++) {
    const i = pick();
    const insn = out[i];
    if (!insn) continue;
    const choice = random.next();
    if (choice < 0.3) {
      const other = out[pick()];
      if (other) out[i] = other;
    } else if (choice < 0.55 && (insn.kind === 'load' || insn.kind === 'store' || insn.kind === 'atomic')) {
      out[i] = { ...insn, off: insn.off + Math.floor(random.next() * 33) - 16 } as Insn;
    } else if (choice < 0.75 && (insn.kind === 'jcond' || insn.kind === 'ja')) {
      out[i] = { ...insn, off: insn.off + Math.floor(random.next() * 7) - 3 } as Insn;
    } else if (choice < 0.9 && insn.kind === 'alu') {
      out[i] = { ...insn, dst: Math.floor(random.next() * 10) } as Insn;
    } else {
      out.splice(i, 1);
    }
  }
  return out;
}
