// The XDP programs and traffic of the XDP kernel differential (xdp-kernel.test.ts): verdicts
// from packet fields, rewrites, bpf_xdp_adjust_head/meta/tail at and around their limits, and
// combinations, on generated traffic of random profiles. Seeded: an Rng replays them.

import { assemble } from '../../asm/index.ts';
import { parseTrafficProfile } from '../../net/profile-json.ts';
import { generateFrames } from '../../net/traffic.ts';
import { Rng } from '../kernel/rng.ts';

export const pick = <T,>(rng: Rng, items: readonly T[]): T => items[rng.below(items.length)] as T;

const LOAD_BOUNDS = ['r2 = *(u32 *)(r6 + xdp_md.data)', 'r3 = *(u32 *)(r6 + xdp_md.data_end)'];
const LENGTH = ['r2 = *(u32 *)(r6 + xdp_md.data)', 'r0 = *(u32 *)(r6 + xdp_md.data_end)', 'r0 -= r2'];

/** A verdict from a packet field: load, mix with a constant, keep the low 3 bits (values 5-7 are illegal actions). */
function fieldVerdict(rng: Rng): string[] {
  const size = pick(rng, [1, 2, 4, 8] as const);
  const off = rng.below(60 - size);
  const op = pick(rng, ['^=', '+=', '&=', '|=', '>>=', '*=']);
  const k = op === '>>=' ? rng.below(8 * size) : rng.below(0x10000);
  return [
    ...LOAD_BOUNDS,
    'r4 = r2',
    `r4 += ${off + size}`,
    'if r4 > r3 goto short',
    `r5 = *(u${size * 8} *)(r2 + ${off})`,
    `r5 ${op} ${k}`,
    `r5 &= ${pick(rng, [3, 7])}`,
    'r0 = r5',
    'exit',
    'short:',
    `r0 = ${rng.below(5)}`,
    'exit',
  ];
}

/** Stores at random offsets of the packet (within a bounds check), then XDP_TX. */
function rewrite(rng: Rng): string[] {
  const n = 1 + rng.below(4);
  const stores = Array.from({ length: n }, () => {
    const size = pick(rng, [1, 2, 4, 8] as const);
    return { size, off: rng.below(54 - size), v: rng.below(0x7fffffff) };
  });
  const max = Math.max(...stores.map((s) => s.off + s.size));
  return [
    ...LOAD_BOUNDS,
    'r4 = r2',
    `r4 += ${max}`,
    'if r4 > r3 goto out',
    ...stores.map((s) => `*(u${s.size * 8} *)(r2 + ${s.off}) = ${s.size === 8 ? s.v : s.v & ((1 << (s.size * 8 - 1)) * 2 - 1)}`),
    'out:',
    'r0 = 3',
    'exit',
  ];
}

/** A delta for a helper: a constant, or computed from the packet length (to land on the length limits). */
function delta(rng: Rng, constants: readonly number[], fromLength: readonly number[]): string[] {
  if (rng.below(3) === 0 && fromLength.length) {
    // r2 = K - len: the packet ends up K bytes long (tail) or data moves to K before the end (head).
    return ['r2 = *(u32 *)(r6 + xdp_md.data)', 'r3 = *(u32 *)(r6 + xdp_md.data_end)', 'r3 -= r2', 'r2 = 0', 'r2 -= r3', `r2 += ${pick(rng, fromLength)}`];
  }
  return [`r2 = ${pick(rng, constants)}`];
}

const AFTER_SUCCESS_WRITE = ['r2 = *(u32 *)(r6 + xdp_md.data)', 'r3 = *(u32 *)(r6 + xdp_md.data_end)', 'r4 = r2', 'r4 += 2', 'if r4 > r3 goto out', 'r5 = 0xbeef', '*(u16 *)(r2 + 0) = r5'];

function adjustHead(rng: Rng): string[] {
  return [
    'r1 = r6',
    // len - K: data moves to K bytes before the end (ETH_HLEN, 14, is the least that may remain).
    ...(rng.below(3) === 0
      ? ['r2 = *(u32 *)(r6 + xdp_md.data)', 'r3 = *(u32 *)(r6 + xdp_md.data_end)', 'r3 -= r2', 'r2 = r3', `r2 -= ${pick(rng, [14, 13, 15])}`]
      : [`r2 = ${pick(rng, [-216, -217, -220, -256, -40, -14, -1, 0, 1, 14, 20, 34])}`]),
    'call bpf_xdp_adjust_head',
    'if r0 != 0 goto fail',
    ...AFTER_SUCCESS_WRITE,
    'out:',
    ...LENGTH,
    'exit',
    'fail:',
    'exit',
  ];
}

function adjustMeta(rng: Rng): string[] {
  return [
    'r1 = r6',
    `r2 = ${pick(rng, [-4, -8, -2, -1, -3, -32, -36, -40, -64, -216, -220, -252, -256, 0, 4, 8])}`,
    'call bpf_xdp_adjust_meta',
    'if r0 != 0 goto fail',
    'r2 = *(u32 *)(r6 + xdp_md.data_meta)',
    'r3 = *(u32 *)(r6 + xdp_md.data)',
    'r4 = r2',
    'r4 += 4',
    'if r4 > r3 goto out',
    `r5 = ${rng.below(0x7fffffff)}`,
    '*(u32 *)(r2 + 0) = r5',
    'out:',
    'r2 = *(u32 *)(r6 + xdp_md.data_meta)',
    'r0 = *(u32 *)(r6 + xdp_md.data)',
    'r0 -= r2',
    'exit',
    'fail:',
    'exit',
  ];
}

function adjustTail(rng: Rng): string[] {
  // 3520 - len fills the frame to its last byte before skb_shared_info (4096 - 256 - 320).
  return ['r1 = r6', ...delta(rng, [-1, -20, 1, 100, 2000, 4000, -2000], [14, 13, 3520, 3521, 60]), 'call bpf_xdp_adjust_tail', 'if r0 != 0 goto fail', ...LENGTH, 'exit', 'fail:', 'exit'];
}

/** adjust_meta, then adjust_head (the metadata moves along), then writes into both. */
function combo(rng: Rng): string[] {
  return [
    'r1 = r6',
    `r2 = ${pick(rng, [-4, -8, -16, -32])}`,
    'call bpf_xdp_adjust_meta',
    'if r0 != 0 goto fail',
    'r1 = r6',
    `r2 = ${pick(rng, [-200, -180, -184, -176, -14, 14, 0, -216])}`,
    'call bpf_xdp_adjust_head',
    'if r0 != 0 goto fail',
    'r2 = *(u32 *)(r6 + xdp_md.data_meta)',
    'r3 = *(u32 *)(r6 + xdp_md.data)',
    'r4 = r2',
    'r4 += 4',
    'if r4 > r3 goto out',
    '*(u32 *)(r2 + 0) = 0x11223344',
    'out:',
    'r2 = *(u32 *)(r6 + xdp_md.data_meta)',
    'r0 = *(u32 *)(r6 + xdp_md.data_end)',
    'r0 -= r2',
    'exit',
    'fail:',
    'exit',
  ];
}

const TEMPLATES = [fieldVerdict, rewrite, adjustHead, adjustMeta, adjustTail, combo];

/** Program `i` of a run: the templates in turn, each with its random choices. */
export function program(rng: Rng, i: number): string {
  const body = (TEMPLATES[i % TEMPLATES.length] ?? fieldVerdict)(rng);
  return ['.section xdp', '.license "GPL"', 'r6 = r1', ...body].join('\n');
}

/** Generated traffic of a random profile: UDP, TCP, ICMP, IPv4/IPv6, VLAN, fixed/range/IMIX sizes. */
export function traffic(rng: Rng, frames: number): Uint8Array[] {
  const flows = Array.from({ length: 1 + rng.below(3) }, () => {
    const v6 = rng.below(2) === 1;
    return {
      proto: pick(rng, ['udp', 'tcp', 'icmp']),
      ipv6: v6,
      src: v6 ? '2001:db8::1' : `10.0.${rng.below(256)}.1`,
      dst: v6 ? '2001:db8::2' : '10.0.0.2',
      sport: rng.below(65536),
      dport: rng.below(65536),
      ...(rng.below(3) === 0 ? { vlan: 1 + rng.below(4094) } : {}),
      size: pick(rng, [64, 60, 128, 1514, [60, 1514], 'imix']),
      weight: 1 + rng.below(3),
    };
  });
  const p = parseTrafficProfile({ seed: rng.below(1000), packets: frames, queues: 1, flows });
  if (!p.ok) throw new Error(p.errors.map((e) => `${e.path} ${e.message}`).join('; '));
  return generateFrames(p.profile).map((f) => f.bytes);
}

/** The bytecode of the first program of `source`. */
export function bytecode(source: string): Uint8Array {
  const asm = assemble(source);
  const bytes = asm.sections.find((s) => s.insns.length > 0)?.bytes;
  if (!asm.ok || !bytes) throw new Error(`does not assemble:\n${source}\n${asm.diagnostics.map((d) => `${d.line}: ${d.message}`).join('\n')}`);
  return bytes;
}

/** One program of a run with everything random about it: its traffic and its metadata length. */
export interface GeneratedCase {
  readonly index: number;
  readonly source: string;
  readonly frames: Uint8Array[];
  /** Bytes of metadata test_run gets in front of the first frame (the second pass). */
  readonly metaLen: number;
}

/** The programs of a run, each with all its random choices made (so leaving one out changes no other). */
export function* generatedCases(seed: number, programs: number, frames: number): Generator<GeneratedCase> {
  const rng = new Rng(seed);
  for (let index = 0; index < programs; index++) {
    const source = program(rng, index);
    const made = traffic(rng, frames);
    yield { index, source, frames: made, metaLen: pick(rng, [0, 4, 8, 32]) };
  }
}
