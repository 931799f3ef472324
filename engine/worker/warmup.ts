// Warming the live verifier up. A fresh worker runs the verifier's code unoptimised: the first
// verdicts on a 1,000-line program took 100–190 ms from request to answer at 2.1 GHz, the
// tenth 30–50 (e2e/specs/verifier-timing.spec.ts). So, once the first verdict is answered, the
// verifier's worker verifies a few programs of the usual shapes (packet parsing with bounds checks and
// branches, a map lookup with its NULL check, a bounded loop, cpumask kfuncs; each accepted and
// refused) in short steps, one per task, so that a request from the page is never held back by
// more than one step.

import { assemble } from '../asm/index.ts';
import type { ProgramImage, RunSettings } from './protocol.ts';

/**
 * Packet reads in the XDP program: some 600 instructions, so that the verifier's walk over a long
 * program (its state lists and pruning) is what gets optimised, not only its set-up.
 */
const READS = 200;

/** An XDP program: parse Ethernet and IPv4 behind a bounds check, count per protocol in a map. */
function packetProgram(refused: boolean): string {
  const lines = [
    '.section xdp',
    '.license "GPL"',
    '.map counts type=array key=4 value=8 max_entries=256',
    'r6 = r1',
    'r2 = *(u32 *)(r6 + xdp_md.data)',
    'r3 = *(u32 *)(r6 + xdp_md.data_end)',
    'r4 = r2',
    'r4 += 34',
    'if r4 > r3 goto pass',
    'r5 = *(u16 *)(r2 + 12)',
    'if r5 != 0x8 goto pass',
    'r7 = 0',
  ];
  for (let i = 0; i < READS; i++) {
    // The refused variant reads one byte past what was checked, late in the program.
    const off = refused && i === READS - 4 ? 34 : 14 + (i % 20);
    lines.push(`r5 = *(u8 *)(r2 + ${off})`, i % 2 ? 'r7 += r5' : 'r7 ^= r5');
    if (i % 3 === 2) lines.push(`if r5 > ${(i * 7) % 200} goto +1`, 'r7 += 1');
  }
  lines.push(
    'r7 &= 0xff',
    '*(u32 *)(r10 - 4) = r7',
    'r2 = r10',
    'r2 += -4',
    'r1 = counts ll',
    'call bpf_map_lookup_elem',
    'if r0 == 0 goto pass',
    'r1 = 1',
    'lock *(u64 *)(r0 + 0) += r1',
    'r1 = 0',
    'loop:',
    'r1 += 1',
    'if r1 < 8 goto loop',
    'r0 = 2',
    'exit',
    'pass:',
    'r0 = 2',
    'exit',
  );
  return lines.join('\n');
}

/** A tracing program: a cpumask created, NULL-checked, set, tested and released (or leaked). */
function cpumaskProgram(refused: boolean): string {
  return [
    '.section tp_btf/task_newtask',
    '.license "GPL"',
    'r6 = *(u64 *)(r1 + 0)',
    'call bpf_cpumask_create',
    'if r0 == 0 goto out',
    'r7 = r0',
    'r1 = 1',
    'r2 = r7',
    'call bpf_cpumask_set_cpu',
    'r1 = 1',
    'r2 = r7',
    'call bpf_cpumask_test_cpu',
    'r1 = r7',
    refused ? 'r0 = 0' : 'call bpf_cpumask_release',
    'out:',
    'r0 = 0',
    'exit',
  ].join('\n');
}

/** The programs a warm-up verifies, assembled (those that fail to assemble are left out). */
export function warmUpImages(): ProgramImage[] {
  const sources = [packetProgram(false), packetProgram(true), cpumaskProgram(false), cpumaskProgram(true)];
  return sources.flatMap((text) => {
    const r = assemble(text);
    const s = r.sections.find((x) => x.insns.length > 0);
    if (!r.ok || !s) return [];
    return [{ sections: [{ name: s.name, progType: s.kind.progType, bytecode: s.bytes }], entry: s.name, maps: r.maps }];
  });
}

/** Rounds over the warm-up programs: enough for V8 to optimise the verifier's hot paths. */
export const WARMUP_ROUNDS = 10;

/**
 * Verifies the warm-up programs `rounds` times, one program per task, starting after `delayMs`
 * (the page's own start-up first). Returns a function that stops it.
 */
export function warmUp(verify: (image: ProgramImage, settings: RunSettings, lines: readonly number[]) => unknown, settings: RunSettings, delayMs: number, rounds = WARMUP_ROUNDS): () => void {
  let images: ProgramImage[] | undefined;
  let step = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const next = (): void => {
    images ??= warmUpImages();
    const image = images[step % Math.max(1, images.length)];
    if (!image || step >= rounds * images.length) return;
    step++;
    try {
      const insns = image.sections[0]?.bytecode.length ?? 0;
      verify(image, settings, Array.from({ length: insns / 8 }, (_, i) => i + 1));
    } catch {
      // A warm-up that fails costs nothing but the warmth.
    }
    timer = setTimeout(next, 0);
  };
  timer = setTimeout(next, delayMs);
  return () => clearTimeout(timer);
}
