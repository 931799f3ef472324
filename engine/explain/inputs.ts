// Seeded random inputs for one run of a program in the simulated kernel, for every program type
// it runs: packets with real headers, an xdp_md ctx, a syscall ctx, map contents in the `--maps`
// format, a kernel seed. The corpus soundness test runs mutants on them; the counterexample
// search (counterexample.ts) looks among them for an input on which a refused program faults.

import { maxMetaLength, XDP_MAX_DATA, ETH_HLEN } from '../kernel/xdp-buff.ts';
import type { KernelProfile } from '../kernel/profiles.ts';
import type { ContextInputs } from '../kernel/context.ts';
import { toHex } from '../program/hex.ts';
import type { MapDecl, SectionKind } from '../program/program.ts';
import type { Rng } from '../util/rng.ts';

/** What inputs are generated for: the entry program's type, the file's maps, the kernel. */
export interface InputTarget {
  readonly kind: SectionKind;
  readonly maps: readonly MapDecl[];
  readonly profile: KernelProfile;
  /** The entry program's section name (a prog_array entry tail-calls into it). */
  readonly entry: string;
}

/** Map contents in the `--maps` format: map name → entries, key and value in hex (a prog_array's value: a section name). */
export type MapContents = Record<string, { key: string; value: string }[]>;


export interface RunInputs {
  readonly inputs: ContextInputs;
  readonly mapContents: MapContents;
  /** The simulated kernel's seed (bpf_get_prandom_u32 and the like). */
  readonly seed: number;
  /** In words, for a problem's report. */
  readonly describe: string;
}

export function randomBytes(rng: Rng, n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = rng.below(256);
  return b;
}

/**
 * A packet: random bytes, or half the time headers the corpus's parsers follow (Ethernet with
 * IPv4 or IPv6, then TCP or UDP), so the paths behind their protocol checks run too. Lengths are
 * mostly short (where bounds checks bite) and now and then up to the largest XDP frame.
 */
export function randomPacket(rng: Rng, min: number): Uint8Array {
  const len = rng.chance(0.1) ? rng.between(min, XDP_MAX_DATA) : rng.chance(0.3) ? rng.between(min, min + 40) : rng.between(min, 300);
  const p = randomBytes(rng, len);
  if (rng.chance(0.5) && len >= 14) {
    const v6 = rng.chance(0.3);
    p[12] = v6 ? 0x86 : 0x08;
    p[13] = v6 ? 0xdd : 0x00;
    const proto = rng.pick([6, 17, 1]);
    if (!v6 && len > 14) p[14] = 0x45;
    if (!v6 && len > 23) p[23] = proto;
    if (v6 && len > 14) p[14] = 0x60;
    if (v6 && len > 20) p[20] = proto;
  }
  return p;
}

/** Map contents in the `--maps` format: arrays and hashes partly filled, some maps left empty. */
export function randomMaps(rng: Rng, p: InputTarget): MapContents {
  const out: MapContents = {};
  for (const m of p.maps) {
    if (rng.chance(0.25)) continue;
    const entries: { key: string; value: string }[] = [];
    const value = () => {
      const v = randomBytes(rng, m.valueSize);
      for (const k of m.kptrs) v.fill(0, k.offset, k.offset + 8); // only bpf_kptr_xchg stores kptrs
      return toHex(v);
    };
    const seen = new Set<string>();
    const add = (key: Uint8Array, v: string) => {
      const k = toHex(key);
      if (seen.has(k)) return;
      seen.add(k);
      entries.push({ key: k, value: v });
    };
    /** A small index (the corpus looks up key 0 most) or random bytes. */
    const key = (max: number) => {
      if (m.keySize === 0) return new Uint8Array(0);
      if (rng.chance(0.7)) {
        const k = new Uint8Array(m.keySize);
        let n = rng.below(Math.max(1, Math.min(max, 8)));
        for (let b = 0; b < Math.min(4, m.keySize); b++, n >>>= 8) k[b] = n & 0xff;
        return k;
      }
      return randomBytes(rng, m.keySize);
    };
    switch (m.type) {
      case 'array':
      case 'percpu_array':
        for (let n = rng.below(Math.min(m.maxEntries, 8) + 1); n > 0; n--) {
          const k = key(m.maxEntries);
          const idx = (k[0] ?? 0) | ((k[1] ?? 0) << 8) | ((k[2] ?? 0) << 16) | ((k[3] ?? 0) << 24);
          if (idx >>> 0 < m.maxEntries) add(k, value());
        }
        break;
      case 'hash':
      case 'percpu_hash':
      case 'lru_hash':
      case 'lru_percpu_hash':
        for (let n = rng.below(Math.min(m.maxEntries, 8) + 1); n > 0; n--) add(key(m.maxEntries), value());
        break;
      case 'prog_array':
        // A tail call into the entry itself: the only program of the file the test verified.
        for (let n = rng.below(Math.min(m.maxEntries, 4) + 1); n > 0; n--) {
          const k = key(m.maxEntries);
          const idx = (k[0] ?? 0) | ((k[1] ?? 0) << 8) | ((k[2] ?? 0) << 16) | ((k[3] ?? 0) << 24);
          if (idx >>> 0 < m.maxEntries && !seen.has(toHex(k))) {
            seen.add(toHex(k));
            (out[m.name] ??= []).push({ key: toHex(k), value: p.entry });
          }
        }
        continue;
      default:
        // Ring buffers take no contents; redirect maps (devmap, cpumap, xskmap) stay empty.
        continue;
    }
    out[m.name] = entries;
  }
  return out;
}

/** Random inputs for one run of a program of `p`'s type. */
export function randomInputs(rng: Rng, p: InputTarget): RunInputs {
  const mapContents = randomMaps(rng, p);
  const seed = rng.u32();
  const filled = Object.entries(mapContents).map(([name, e]) => `${name}: ${e.length}`).join(', ');
  const base = `seed ${seed}, maps {${filled}}`;
  switch (p.kind.progType) {
    case 'xdp': {
      // Half the time a struct xdp_md ctx_in too, which puts metadata before the packet.
      const meta = rng.chance(0.5) ? 4 * rng.below(Math.floor(maxMetaLength(p.profile) / 4) + 1) : -1;
      const data = randomPacket(rng, ETH_HLEN + Math.max(0, meta));
      if (meta < 0) return { inputs: { data }, mapContents, seed, describe: `${data.length}-byte packet, ${base}` };
      const ctx = new Uint8Array(24);
      const dv = new DataView(ctx.buffer);
      dv.setUint32(0, meta, true);
      dv.setUint32(4, data.length, true);
      dv.setUint32(12, rng.between(1, 4), true);
      dv.setUint32(16, rng.below(4), true);
      return { inputs: { data, ctx }, mapContents, seed, describe: `${data.length - meta}-byte packet after ${meta} bytes of metadata, ${base}` };
    }
    case 'tc':
    case 'socket': {
      const data = randomPacket(rng, ETH_HLEN);
      return { inputs: { data }, mapContents, seed, describe: `${data.length}-byte packet, ${base}` };
    }
    case 'syscall': {
      // A syscall program may touch any aligned offset below U16_MAX of its ctx (the kernel
      // trusts ctx_size_in to cover what it reads): give it all of that, random.
      const ctx = randomBytes(rng, 0x10000);
      return { inputs: { ctx }, mapContents, seed, describe: `64 KiB random ctx, ${base}` };
    }
    default:
      return { inputs: {}, mapContents, seed, describe: base };
  }
}
