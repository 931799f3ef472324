// Counterexamples for the verifier's refusals (issue 13, point 5): for a refusal about memory
// safety, NULL, bounds or a leak, a small seeded search for a concrete input — a packet, a
// context, map contents — on which the program, run UNVERIFIED in the simulated kernel, really
// faults or leaks: "with this 20-byte packet, insn 7 reads 1 byte 6 bytes past the end of the
// packet". When none turns up within the budget, the answer says so and why, never a made-up run.
//
// The search: targeted inputs first (packets of every short length with real headers, all maps
// empty so every lookup returns NULL, maps filled at small keys with zero and with all-ones
// values, short and zeroed contexts), then seeded random ones (inputs.ts), bounded by time and
// tries. A fault at the refused instruction or on its causal slice shows THIS danger and ends the
// search; a fault elsewhere is kept as a fallback and labelled so.
//
// An allocation (bpf_cpumask_create) fails only when the scenario says memory is short
// (Scenario.failAllocationsAfter): a program that allocates is tried that way first, and the
// counterexample then carries that scenario.
//
// This module runs programs; the verifier must never import it.

import { decodeProgram, type Insn } from '../isa/index.ts';
import { helperDeclById } from '../kernel/helpers/registry.ts';
import { kfuncDecl } from '../kernel/kfuncs/ids.ts';
import { ETH_HLEN } from '../kernel/xdp-buff.ts';
import { DEFAULT_SCENARIO, type ConcurrentWrite, type SkbSpec } from '../kernel/scenario.ts';
import type { SocketSpec } from '../kernel/socket-spec.ts';

/** sizeof(struct xdp_md) as ctx_in. */
const XDP_MD_SIZE = 24;
/** The helpers that look a socket up (and take a reference to it). */
const SOCKET_LOOKUPS = ['bpf_sk_lookup_tcp', 'bpf_sk_lookup_udp', 'bpf_skc_lookup_tcp'];
/** A TCP and a UDP socket per family, each handed every lookup of its protocol by an sk_lookup program (Scenario.sockets' steer). */
const STEERED_SOCKETS: readonly SocketSpec[] = [
  { proto: 'tcp', local: '10.0.0.1:80', steer: true },
  { proto: 'udp', local: '10.0.0.1:53', steer: true },
  { proto: 'tcp', local: '[fd00::1]:80', steer: true },
  { proto: 'udp', local: '[fd00::1]:53', steer: true },
];
/** offsetof(struct __sk_buff, data_meta). */
const SKB_DATA_META = 140;
import type { ContextInputs } from '../kernel/context.ts';
import type { MapDecl } from '../program/program.ts';
import { loadProgram, type PipelineRequest } from '../load/load.ts';
import { metadataKfuncsCalled } from '../kernel/loader.ts';
import { ERRNO } from '../kernel/services.ts';
import { toHex } from '../program/hex.ts';
import type { VerifyError } from '../verifier/api.ts';
import { Rng } from '../util/rng.ts';
import { randomInputs, type InputTarget, type MapContents } from './inputs.ts';
import { AccessWatch, programWatch, refusedAccessOf, type ProgramWatch, type RefusedAccess } from './watch.ts';

// ---------------------------------------------------------------------------------------------
// Which refusals

export { categorize, type RefusalCategory } from '../util/refusal-category.ts';
import { categorize } from '../util/refusal-category.ts';

// ---------------------------------------------------------------------------------------------
// The answer

/** An input on which the program, run unverified, faults or leaks. */
export interface Counterexample {
  readonly input: {
    /** The packet (`--data`), hex. */
    readonly data?: string;
    /** The context (`--ctx`), hex. */
    readonly ctx?: string;
    /** Map contents in the `--maps` format; absent: every map empty. */
    readonly maps?: MapContents;
    /** The scenario (`--scenario`), when the search changed the given one: memory short, so allocations fail. */
    readonly scenario?: Record<string, unknown>;
    /** The search's seed that produced this input (the run itself uses the kernel's default seed, as `bpfp test-run` does). */
    readonly seed: number;
  };
  /** What went wrong, in plain words. */
  readonly fault: string;
  /**
   * The program is device-bound (it calls XDP metadata kfuncs), which BPF_PROG_TEST_RUN refuses:
   * the input packet is a frame the emulated NIC received, and is to be replayed there.
   */
  readonly nic?: true;
  /** The instruction that faulted (for a leak: the one that acquired the reference). */
  readonly pc: number;
  readonly kind: 'fault' | 'leak';
  /** The fault is at the refused instruction or on its causal slice (false: elsewhere, and `fault` says so). */
  readonly here: boolean;
  /** Inputs tried before this one was found (it included). */
  readonly tries: number;
  /**
   * The refused access, when its pointer was into the packet or its metadata as the verifier
   * typed it: a replay's watcher needs it to tell a metadata read that runs into the packet.
   */
  readonly access?: RefusedAccess;
}

export interface SearchOptions {
  readonly seed: number;
  readonly budgetMs: number;
  /** Default SEARCH.maxTries. */
  readonly maxTries?: number;
  /** An instruction's place in words (`line 7`); default `insn 7`. */
  readonly where?: (pc: number) => string;
  /** Instructions one run may execute (default 100,000: a refused program may loop for ever). */
  readonly maxInsns?: number;
}

/** An input to try and how it is described. */
interface Candidate {
  readonly inputs: ContextInputs;
  readonly maps?: MapContents;
  /** What it changes in the simulated world: fields of the scenario (`scenarioOf` merges them in). */
  readonly world?: WorldChanges;
}

/** Scenario fields a candidate sets, each one world change `simplify` may drop. */
interface WorldChanges {
  /** How the skb reaches a tc program: metadata in front, a non-linear head, a clone (Scenario.skb). */
  readonly skb?: SkbSpec;
  /** Sockets in the program's network namespace, for its socket lookups (Scenario.sockets). */
  readonly sockets?: readonly SocketSpec[];
  /** Writes another CPU makes to a map while the program runs (Scenario.concurrentWrites). */
  readonly concurrentWrites?: readonly ConcurrentWrite[];
  /** Memory runs short in the scenario after this many allocations (Scenario.failAllocationsAfter). */
  readonly failAllocationsAfter?: number;
  /** tp_btf/task_newtask: the CPUs the new task may run on (merged into the scenario's newtask). */
  readonly newtask?: { readonly cpus: string };
}

/** The world changes in the order `simplify` tries dropping them (the map contents after them). */
const WORLD_CHANGES = ['skb', 'sockets', 'concurrentWrites', 'failAllocationsAfter', 'newtask'] as const satisfies readonly (keyof WorldChanges)[];

/**
 * The search as the playground and `bpfp verify --explain` run it: it stops on tries, so the same
 * program finds the same input on any machine however busy; the time is only a guard against a
 * search that hangs (400 tries take well under a second on this corpus). The tests search the same way.
 */
export const SEARCH = { seed: 13, maxTries: 400, budgetMs: 10_000 } as const;
const RUN_MAX_INSNS = 100_000;
/** Packet lengths tried one by one from the shortest the program type takes. */
const SHORT_PACKETS = 48;
/** Kernel functions that return NULL only when an allocation fails: the simulator never fails one. */
const ALLOCATORS = /create|alloc|obj_new|percpu_obj_new/;

function callName(insn: Insn | null | undefined): string | undefined {
  if (insn?.kind !== 'call') return undefined;
  if (insn.target === 'helper') return helperDeclById(insn.imm)?.name;
  if (insn.target === 'kfunc') return kfuncDecl(insn.imm)?.name;
  return undefined;
}

/** A packet of `len` bytes: Ethernet + IPv4 + TCP headers where they fit, the rest `fill`. */
function headerPacket(len: number, fill: number, v6 = false): Uint8Array {
  const p = new Uint8Array(len).fill(fill);
  if (len >= 14) {
    p[12] = v6 ? 0x86 : 0x08;
    p[13] = v6 ? 0xdd : 0x00;
  }
  if (len > 14) p[14] = v6 ? 0x60 : 0x45;
  if (!v6 && len > 23) p[23] = 6;
  if (v6 && len > 20) p[20] = 6;
  return p;
}

/**
 * A packet of `len` bytes with Ethernet, IPv4 (or IPv6) and a UDP (or TCP) header where they
 * fit, both ports holding `port` as a program reading them with a little-endian u16 load
 * compares them (`if r5 != 0x901f` is port 8080): the packets that get past a port filter.
 */
function portPacket(len: number, port: number, v6: boolean, proto: 6 | 17): Uint8Array {
  const p = headerPacket(len, 0, v6);
  if (!v6 && len > 23) p[23] = proto;
  if (v6 && len > 20) p[20] = proto;
  const l4 = v6 ? 54 : 34;
  for (const at of [l4, l4 + 2]) {
    if (len > at) p[at] = port & 0xff;
    if (len > at + 1) p[at + 1] = port >> 8;
  }
  return p;
}

/** Constants a program compares with (jumps against an immediate) that could be 16-bit port numbers, at most 4. */
function portConstants(insns: readonly (Insn | null)[]): number[] {
  const out = new Set<number>();
  for (const insn of insns) {
    if (insn?.kind !== 'jcond' || insn.src.type !== 'imm') continue;
    const c = insn.src.imm;
    // Ethertypes as read little-endian (0x0008 IPv4, 0xdd86 IPv6, 0x0081 802.1Q) are not ports.
    if (c > 0xff && c <= 0xffff && ![0x0008, 0xdd86, 0x0081, 0xa888, 0x0608].includes(c)) out.add(c);
  }
  return [...out].slice(0, 4);
}

/** 1st, 2nd, 3rd, 4th … */
function ordinal(n: number): string {
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${suffix}`;
}

/** Maps whose entries come and go (an array's always exist). */
const HASH_TYPES = ['hash', 'percpu_hash', 'lru_hash', 'lru_percpu_hash'];

/**
 * A lookup's NULL that the program's other lookups do not rule out: another CPU inserting (or
 * deleting) a key of a hash map between two calls. For each call a write can come before (the
 * 2nd to the 8th) and each of keys 0..3: the map empty and the key inserted, the map filled and
 * the key deleted.
 */
function* raceCandidates(target: InputTarget, insns: readonly (Insn | null)[], inputs: ContextInputs): Generator<Candidate> {
  const calls = insns.filter((i) => i?.kind === 'call').length;
  const lookups = insns.filter((i) => callName(i) === 'bpf_map_lookup_elem').length;
  if (lookups < 2) return;
  const full = filledMaps(target, 0);
  for (const m of target.maps.filter((x) => HASH_TYPES.includes(x.type))) {
    for (let before = 2; before <= Math.min(calls, 8); before++) {
      for (let k = 0; k < Math.min(4, m.maxEntries); k++) {
        const key = new Uint8Array(m.keySize);
        for (let b = 0, n = k; b < Math.min(4, m.keySize); b++, n >>>= 8) key[b] = n & 0xff;
        yield { inputs, maps: { ...full, [m.name]: [] }, world: { concurrentWrites: [{ beforeCall: before, map: m.name, key: toHex(key), value: toHex(new Uint8Array(m.valueSize)) }] } };
        yield { inputs, maps: full, world: { concurrentWrites: [{ beforeCall: before, map: m.name, key: toHex(key) }] } };
      }
    }
  }
}

/** Map contents: every array and hash map filled at keys 0..7 (within max_entries) with `fill` bytes, or with 8-byte words each holding the integer `fill` (little-endian, two's complement); every prog_array slot holding the entry program. */
function filledMaps(target: InputTarget, fill: number | bigint): MapContents {
  const out: MapContents = {};
  for (const m of target.maps) {
    // A prog_array's slots hold the entry program itself: every tail call is taken.
    if (m.type === 'prog_array') {
      out[m.name] = Array.from({ length: Math.min(8, m.maxEntries) }, (_, k) => {
        const key = new Uint8Array(m.keySize);
        key[0] = k;
        return { key: toHex(key), value: target.entry };
      });
      continue;
    }
    if (!['array', 'percpu_array', 'hash', 'percpu_hash', 'lru_hash', 'lru_percpu_hash'].includes(m.type)) continue;
    const entries: { key: string; value: string }[] = [];
    for (let k = 0; k < Math.min(8, m.maxEntries); k++) {
      const key = new Uint8Array(m.keySize);
      for (let b = 0, n = k; b < Math.min(4, m.keySize); b++, n >>>= 8) key[b] = n & 0xff;
      const v = new Uint8Array(m.valueSize);
      if (typeof fill === 'number') v.fill(fill);
      else for (let w = 0; w + 8 <= v.length; w += 8) new DataView(v.buffer).setBigUint64(w, BigInt.asUintN(64, fill), true);
      for (const kp of m.kptrs) v.fill(0, kp.offset, kp.offset + 8);
      entries.push({ key: toHex(key), value: toHex(v) });
    }
    out[m.name] = entries;
  }
  return out;
}

/** The largest ring buffer the search fills (its unread record is written out as hex). */
const MAX_FULL_RING = 1 << 16;

/** Byte values map values are filled with after 0 and 0xff: small indexes and sizes, and the signed edges. */
const FILLS = [1, 2, 3, 4, 7, 8, 15, 16, 31, 32, 63, 64, 0x7f, 0x80, 0xfe];

/**
 * The map sets tried: all empty, all filled with 0 / 0xff, each map left empty with the others
 * filled, then other fills — last the program's constants with bit 32 set, for a 64-bit value
 * checked only in its low 32 bits.
 */
function mapSets(target: InputTarget, constants: readonly bigint[]): { readonly first: (MapContents | undefined)[]; readonly more: MapContents[] } {
  if (!target.maps.length) return { first: [undefined], more: [] };
  // Indexes and sizes read out of map values: the program's own constants (a bound compared
  // against, a mask) and their neighbours, as whole integers, where an off-by-one bites.
  const full = filledMaps(target, 0);
  const oneEmpty = target.maps.length > 1 ? target.maps.map((m) => ({ ...full, [m.name]: [] })) : [];
  // Ring buffers left full by records user space has not read: every reservation fails (NULL).
  const rings = target.maps.filter((m) => m.type === 'ringbuf' && m.maxEntries <= MAX_FULL_RING);
  const fullRings: MapContents[] = rings.length ? [{ ...full, ...Object.fromEntries(rings.map((m) => [m.name, [{ key: '', value: '00'.repeat(m.maxEntries - 16) }]])) }] : [];
  return { first: [undefined, full, filledMaps(target, 0xff), ...fullRings], more: [...oneEmpty, ...constants.map((c) => filledMaps(target, c)), ...FILLS.map((f) => filledMaps(target, f)), ...constants.filter((c) => c >= 0n).map((c) => filledMaps(target, c + (1n << 32n)))] };
}

/** The program's comparison and ALU constants, each with its neighbours and -1, at most 24 values. */
function constantsOf(insns: readonly (Insn | null)[]): bigint[] {
  const out = new Set<bigint>();
  for (const insn of insns) {
    if (!insn) continue;
    const imm = insn.kind === 'jcond' && insn.src.type === 'imm' ? insn.src.imm : insn.kind === 'alu' && insn.src.type === 'imm' && insn.op !== 'mov' ? insn.src.imm : undefined;
    if (imm === undefined) continue;
    for (const d of [0, 1, -1]) out.add(BigInt(imm + d));
  }
  out.add(-1n);
  return [...out].slice(0, 24);
}

/** The targeted inputs, in order: the ones most likely to show a bounds, NULL or leak problem first. */
function* targeted(target: InputTarget, insns: readonly (Insn | null)[], nrCpus: number): Generator<Candidate> {
  const t = target.kind.progType;
  const sets = mapSets(target, constantsOf(insns));
  const withMaps = (maps: MapContents | undefined) => (maps ? { maps } : {});
  // A program that allocates (bpf_cpumask_create): first, the same inputs with memory short.
  // A program that allocates (bpf_cpumask_create): first, the same inputs with memory running
  // short after 0, 1, … allocations (one more than its allocation sites, at most 8).
  const sites = insns.filter((i) => ALLOCATORS.test(callName(i) ?? '')).length;
  if (sites) {
    const inputs: ContextInputs = t === 'xdp' || t === 'tc' || t === 'socket' ? { data: headerPacket(64, 0) } : t === 'syscall' ? { ctx: new Uint8Array(64) } : {};
    for (let after = 0; after < Math.min(sites, 8); after++) for (const maps of sets.first) yield { inputs, ...withMaps(maps), world: { failAllocationsAfter: after } };
  }
  if (t === 'xdp' || t === 'tc' || t === 'socket') {
    // Metadata in front of the packet (xdp_md as ctx_in: its data field is the metadata's
    // length, a multiple of 4 up to 32): first when the program reads xdp_md.data_meta.
    const readsMeta = t === 'xdp' && insns.some((i) => i?.kind === 'load' && i.off === 8 && i.size === 4);
    if (readsMeta) {
      for (const maps of sets.first) {
        for (let meta = 4; meta <= 32; meta += 4) {
          for (const len of [ETH_HLEN, 64]) {
            const data = new Uint8Array(meta + len);
            data.set(headerPacket(len, 0), meta);
            const ctx = new Uint8Array(XDP_MD_SIZE);
            const dv = new DataView(ctx.buffer);
            dv.setUint32(0, meta, true);
            dv.setUint32(4, data.length, true);
            yield { inputs: { data, ctx }, ...withMaps(maps) };
          }
        }
      }
    }
    // Socket lookups find a socket: one an sk_lookup program hands every lookup (TCP and UDP, IPv4 and IPv6).
    if (insns.some((i) => SOCKET_LOOKUPS.includes(callName(i) ?? ''))) {
      const protos = new Set(insns.map((i) => callName(i)).filter((n) => n !== undefined && SOCKET_LOOKUPS.includes(n)).map((n) => (n === 'bpf_sk_lookup_udp' ? 'udp' : 'tcp')));
      const sockets = STEERED_SOCKETS.filter((x) => protos.has(x.proto));
      for (const maps of sets.first) for (const len of [64, ETH_HLEN]) yield { inputs: { data: headerPacket(len, 0) }, ...withMaps(maps), world: { sockets } };
    }
    if (t === 'tc') {
      // Metadata an XDP program left in front of the packet (Scenario.skb.meta): what
      // __sk_buff.data_meta points at, first when the program reads it.
      if (insns.some((i) => i?.kind === 'load' && i.off === SKB_DATA_META && i.size === 4)) {
        for (const maps of sets.first) for (let meta = 4; meta <= 32; meta += 4) for (const len of [ETH_HLEN, 64]) yield { inputs: { data: headerPacket(len, 0) }, ...withMaps(maps), world: { skb: { meta: '00'.repeat(meta) } } };
      }
      // bpf_skb_pull_data moves a head that has to grow (a non-linear skb) or is shared (a clone).
      if (insns.some((i) => callName(i) === 'bpf_skb_pull_data')) {
        for (const maps of sets.first) for (const skb of [{ linear: ETH_HLEN }, { cloned: true }, { linear: ETH_HLEN, cloned: true }]) yield { inputs: { data: headerPacket(64, 0) }, ...withMaps(maps), world: { skb } };
      }
    }
    // Past a port filter: packets to the ports the program compares with, from the end of the
    // UDP/TCP header's first 8 bytes on (IPv4 and IPv6), where a shifted access bites.
    for (const port of portConstants(insns)) {
      for (const v6 of [false, true]) {
        for (const proto of [17, 6] as const) {
          const l4 = v6 ? 54 : 34;
          for (let len = l4 + 8; len <= l4 + 24; len++) yield { inputs: { data: portPacket(len, port, v6, proto) } };
        }
      }
    }
    for (const maps of sets.first) {
      // A few long packets first (a length used as a key or an index), then every short length (where bounds bite).
      for (const len of [64, 128, 256, 1500]) yield { inputs: { data: headerPacket(len, 0xff) }, ...withMaps(maps) };
      for (let len = ETH_HLEN; len < ETH_HLEN + SHORT_PACKETS; len++) yield { inputs: { data: headerPacket(len, 0) }, ...withMaps(maps) };
      for (let len = ETH_HLEN; len < ETH_HLEN + SHORT_PACKETS; len += 4) yield { inputs: { data: headerPacket(len, 0xff, true) }, ...withMaps(maps) };
    }
    for (const maps of sets.more) for (const len of [ETH_HLEN, 64]) yield { inputs: { data: headerPacket(len, 0) }, maps };
    if (t === 'xdp') {
      // The RX queue (xdp_md.rx_queue_index) is the input a program may use as an index: every
      // queue number past the program's constants up to 64 (NICs have that many), on the
      // program's small packets, each map set.
      const queues = [...new Set([...constantsOf(insns).filter((k) => k >= 0n && k < 256n).map((k) => Number(k) + 1), 4, 8, 16, 32, 64, 65, 128, 255])].sort((a, b) => a - b);
      for (const maps of [...sets.first, ...sets.more]) {
        for (const q of queues) {
          const ctx = new Uint8Array(XDP_MD_SIZE);
          const dv = new DataView(ctx.buffer);
          const data = headerPacket(64, 0);
          dv.setUint32(4, data.length, true);
          dv.setUint32(12, 1, true);
          dv.setUint32(16, q, true);
          yield { inputs: { data, ctx }, ...withMaps(maps) };
        }
      }
    }
    return;
  }
  // A new task's affinity is the tracepoint's input: each single CPU, then two.
  if (target.kind.progType === 'tp_btf' && target.kind.attachTo === 'task_newtask') {
    const n = nrCpus;
    for (const cpus of [...new Set(['0', '1', `${n - 1}`, '0-1'])].filter((c) => c.split(/[-,]/).every((x) => Number(x) < n))) {
      for (const maps of sets.first) yield { inputs: {}, ...withMaps(maps), world: { newtask: { cpus } } };
    }
  }
  if (t === 'syscall') {
    for (const maps of sets.first) for (const size of [0, 8, 16, 64, 256, 4096]) yield { inputs: size ? { ctx: new Uint8Array(size) } : {}, ...withMaps(maps) };
    for (const maps of sets.more) yield { inputs: { ctx: new Uint8Array(64) }, maps };
    return;
  }
  for (const maps of [...sets.first, ...sets.more]) yield { inputs: {}, ...withMaps(maps) };
}

type Outcome =
  | { readonly kind: 'fault'; readonly pc: number; readonly message: string; readonly plain?: string }
  | { readonly kind: 'leak'; readonly pc: number; readonly via: string }
  | { readonly kind: 'clean' }
  | { readonly kind: 'other'; readonly why: string };


/**
 * One run of the entry program on `c`, unverified, in the step-by-step interpreter with a
 * breakpoint at every memory access and around the calls that hand out memory: besides the
 * faults the simulated memory catches, an access outside the packet's data..data_end (the frame
 * around it is mapped, as in Linux, so nothing faults there) or outside every map value and ring
 * buffer record the run was handed (values of an array lie side by side) is stopped and reported.
 */
function runOnce(req: PipelineRequest, c: Candidate, maxInsns: number, watchOf: ProgramWatch, maps: readonly MapDecl[], onNic = false, refused?: RefusedAccess, where: (pc: number) => string = (pc) => `insn ${pc}`): Outcome {
  // The interpreter, whatever tier the playground asked for (breakpoints stop it at every access anyway).
  const { mapContents: _given, tier: _tier, ...rest } = req;
  // A device-bound program runs on the emulated NIC (BPF_PROG_TEST_RUN refuses it): the packet is the frame it received.
  const loaded = loadProgram({ ...rest, verify: false, compile: false, maxInsns, inputs: onNic ? { nic: true } : c.inputs, ...(c.maps ? { mapContents: c.maps } : {}), ...(changesScenario(c) ? { scenario: scenarioOf(req, c) } : {}) });
  if (!loaded.ok) return { kind: 'other', why: `the simulated kernel does not load it unverified: ${loaded.problems[0]?.message ?? '?'}` };
  const { vm, kernel, context } = loaded.program;
  if (onNic) {
    const buff = context.xdp;
    if (!buff || !c.inputs.data) return { kind: 'other', why: 'no frame to give the emulated NIC' };
    buff.load(c.inputs.data);
    // As the emulated NIC gives every frame: a hardware RX timestamp and an RSS hash (no VLAN tag stripped).
    Object.assign(buff.rx, { tsStatus: 0, ts: 1_000_000_000, hashStatus: 0, hash: 0x9e3779b9, hashType: 0, vlanStatus: -ERRNO.ENODATA });
    if (c.inputs.ctx?.length === XDP_MD_SIZE) buff.rxQueueIndex = new DataView(c.inputs.ctx.buffer, c.inputs.ctx.byteOffset).getUint32(16, true);
  }
  const watch = new AccessWatch(watchOf, { vm, kernel, context, maps, where, ...(refused ? { refused } : {}) });
  vm.setBreakpoints(watch.pcs);
  let status = vm.run();
  for (let stops = 0; status === 'breakpoint' && stops < maxInsns; stops++) {
    const problem = watch.check();
    if (problem) return { kind: 'fault', pc: problem.pc, message: problem.via, plain: problem.plain };
    status = vm.run();
  }
  if (status !== 'exited') {
    const f = vm.faultInfo;
    if (!f || f.kind === 'budget') return { kind: 'other', why: `a run ended '${status}'${f ? `: ${f.message}` : ''}` };
    if (/not available in the simulated kernel yet|not implemented in the simulated kernel yet|not part of the simulated kernel/.test(f.message)) return { kind: 'other', why: f.message };
    return { kind: 'fault', pc: f.pc, message: f.message };
  }
  const leaks = loaded.program.end().leaks;
  const first = leaks[0];
  if (first) return { kind: 'leak', pc: first.pc, via: first.via };
  return { kind: 'clean' };
}

const changesScenario = (c: Candidate): boolean => WORLD_CHANGES.some((key) => c.world?.[key] !== undefined);

/** The request's scenario with what the candidate changes in it (its world changes; the new task's CPUs merged into the given task). */
function scenarioOf(req: PipelineRequest, c: Candidate): Record<string, unknown> {
  const given = typeof req.scenario === 'object' && req.scenario !== null && !Array.isArray(req.scenario) ? (req.scenario as Record<string, unknown>) : {};
  const newtask = typeof given['newtask'] === 'object' && given['newtask'] !== null ? (given['newtask'] as Record<string, unknown>) : DEFAULT_SCENARIO.newtask;
  const world = c.world ?? {};
  return { ...given, ...world, ...(world.newtask ? { newtask: { ...newtask, ...world.newtask } } : {}) };
}

/** The input as given to `bpfp test-run`: the packet and context hex, maps only when some has entries, the scenario when the search changed it. */
function inputOf(req: PipelineRequest, c: Candidate, seed: number): Counterexample['input'] {
  const maps = c.maps && Object.values(c.maps).some((e) => e.length) ? c.maps : undefined;
  return {
    ...(c.inputs.data ? { data: toHex(c.inputs.data) } : {}),
    ...(c.inputs.ctx ? { ctx: toHex(c.inputs.ctx) } : {}),
    ...(maps ? { maps } : {}),
    ...(changesScenario(c) ? { scenario: scenarioOf(req, c) } : {}),
    seed,
  };
}

function describeInput(c: Candidate, maps: readonly MapDecl[], progType?: string): string {
  const hasMaps = maps.length > 0;
  const parts: string[] = [];
  const ctx = c.inputs.ctx;
  if (c.inputs.data) parts.push(`a ${c.inputs.data.length - (progType === 'xdp' && ctx?.length === XDP_MD_SIZE ? new DataView(ctx.buffer, ctx.byteOffset).getUint32(0, true) : 0)}-byte packet`);
  if (ctx && progType === 'xdp' && ctx.length === XDP_MD_SIZE) {
    // struct xdp_md as ctx_in: the metadata length, the device and its RX queue.
    const dv = new DataView(ctx.buffer, ctx.byteOffset, XDP_MD_SIZE);
    const meta = dv.getUint32(0, true);
    const queue = dv.getUint32(16, true);
    parts.push(`${meta ? `${meta} bytes of metadata in front, ` : ''}received on RX queue ${queue}${queue >= 8 ? ` (of a NIC with more than ${queue} queues)` : ''}`);
  } else if (ctx) parts.push(`a ${ctx.length}-byte context`);
  const rings = new Set(maps.filter((m) => m.type === 'ringbuf').map((m) => m.name));
  const filled = c.maps ? Object.entries(c.maps).filter(([, e]) => e.length) : [];
  const full = filled.filter(([n]) => rings.has(n));
  const others = filled.filter(([n]) => !rings.has(n));
  if (full.length) parts.push(`${full.map(([n]) => `ring buffer ${n} full of records user space has not read`).join(', ')}`);
  const progArrays = new Set(maps.filter((m) => m.type === 'prog_array').map((m) => m.name));
  if (others.length) parts.push(`entries in ${others.map(([n, e]) => (progArrays.has(n) ? `${n} (${e.length} slot${e.length === 1 ? '' : 's'} holding ${[...new Set(e.map((x) => x.value))].join(', ')}, so the tail call is taken)` : `${n} (${e.length})`)).join(', ')}`);
  else if (hasMaps && maps.length > full.length) parts.push(full.length ? 'the other maps empty' : 'every map empty');
  const world = c.world ?? {};
  const cpus = world.newtask?.cpus;
  if (cpus !== undefined) parts.push(`a new task allowed on CPU${/^\d+$/.test(cpus) ? ` ${cpus} only` : `s ${cpus}`} (the scenario's newtask.cpus)`);
  for (const proto of ['tcp', 'udp'] as const) {
    const steered = (world.sockets ?? []).filter((x) => x.steer && x.proto === proto).map((x) => x.local);
    if (steered.length) parts.push(`a ${proto.toUpperCase()} socket that an sk_lookup program hands every ${proto.toUpperCase()} lookup (${steered.join(', ')}; the scenario's sockets: with such a program even an all-zero tuple finds one)`);
  }
  const skb = world.skb;
  if (skb?.meta) parts.push(`${skb.meta.length / 2} bytes of metadata in front of it, as an XDP program that returned XDP_PASS leaves them for tc (the scenario's skb.meta)`);
  if (skb?.linear !== undefined) parts.push(`only its first ${skb.linear} bytes in the skb's head and the rest in page fragments, as drivers build skbs (the scenario's skb.linear)`);
  if (skb?.cloned) parts.push(`an skb that is a clone, as TCP's transmitted segments are at tc egress (the scenario's skb.cloned)`);
  for (const w of world.concurrentWrites ?? []) parts.push(`another CPU ${w.value === undefined ? 'deleting' : 'inserting'} key ${w.key} ${w.value === undefined ? 'from' : 'into'} ${w.map} just before the program's ${ordinal(w.beforeCall)} helper call (the scenario's concurrentWrites: nothing stops a map from changing between two calls)`);
  const after = world.failAllocationsAfter;
  if (after !== undefined) parts.push(`memory running short ${after ? `after ${after} allocation${after === 1 ? '' : 's'}, so every later one fails` : 'so every allocation fails'} (the scenario's failAllocationsAfter: ${after}, as under memory pressure)`);
  return parts.length ? parts.join(', ') : 'no input';
}

/**
 * Drops each world change of a found candidate (the skb's metadata, sockets, another CPU's writes,
 * memory running short, the new task's CPUs, map contents) that the same fault, at the same
 * instruction, does not need: the counterexample then shows only what the danger takes.
 */
function simplify(c: Candidate, o: Outcome & { kind: 'fault' | 'leak' }, run: (c: Candidate) => Outcome): [Candidate, Outcome & { kind: 'fault' | 'leak' }] {
  let best = c;
  let outcome = o;
  const without = (key: (typeof WORLD_CHANGES)[number] | 'maps'): Candidate | undefined => {
    if (key === 'maps') {
      if (best.maps === undefined) return undefined;
      const { maps: _dropped, ...rest } = best;
      return rest;
    }
    if (best.world?.[key] === undefined) return undefined;
    const { [key]: _dropped, ...world } = best.world;
    return { ...best, world };
  };
  for (const key of [...WORLD_CHANGES, 'maps'] as const) {
    const rest = without(key);
    if (rest === undefined) continue;
    const r = run(rest);
    if (r.kind === outcome.kind && r.pc === outcome.pc) {
      best = rest;
      outcome = r;
    }
  }
  return [best, outcome];
}

/**
 * Looks for an input on which `req`'s entry program, run unverified, shows the danger `refusal`
 * is about. Never throws; returns within about `budgetMs` (one run past it at most).
 */
export function findCounterexample(req: PipelineRequest, refusal: VerifyError, opts: SearchOptions): Counterexample | { readonly none: string } {
  const t0 = performance.now();
  try {
    return search(req, refusal, opts, t0);
  } catch (e) {
    return { none: `the search stopped: ${e instanceof Error ? e.message : String(e)}` };
  }
}

function search(req: PipelineRequest, refusal: VerifyError, opts: SearchOptions, t0: number): Counterexample | { readonly none: string } {
  const category = categorize(refusal.message);
  if (!category) return { none: `the refusal ('${refusal.message}') is not about memory safety, NULL, bounds or a leak` };
  const section = req.sections.find((s) => s.name === req.entry);
  if (!section) return { none: `no section ${req.entry}` };
  const t = section.kind.progType;
  const insns = decodeProgram(section.bytes).insns;
  const onNic = t === 'xdp' && metadataKfuncsCalled(insns).length > 0;
  const where = opts.where ?? ((pc: number) => `insn ${pc}`);
  const maxTries = opts.maxTries ?? SEARCH.maxTries;
  const maxInsns = opts.maxInsns ?? RUN_MAX_INSNS;
  const target: InputTarget = { kind: section.kind, maps: req.maps, profile: req.profile, entry: req.entry };
  const onSlice = new Set<number>([...(refusal.pc === undefined ? [] : [refusal.pc]), ...(refusal.slice ?? [])]);
  const relatedPcs = new Set((refusal.related ?? []).map((r) => r.pc));
  const rng = new Rng(opts.seed);
  const watch = programWatch(insns);
  const refused = refusal.pc === undefined ? undefined : insns[refusal.pc];
  // A refusal at pointer arithmetic (not at an access): the access through the moved pointer that follows is its danger.
  const atArithmetic = refused?.kind === 'alu';
  const refusedAccess = refusedAccessOf(refusal, insns);
  const random = function* (): Generator<Candidate> {
    for (;;) {
      const r = randomInputs(rng, target);
      yield { inputs: r.inputs, maps: r.mapContents };
    }
  };

  let tries = 0;
  let fallback: Counterexample | undefined;
  let other: string | undefined;
  const describe = (o: Outcome & { kind: 'fault' | 'leak' }, c: Candidate, here: boolean): string => {
    const input = `${describeInput(c, target.maps, t)}${onNic ? ' received by the emulated NIC with its RX timestamp and hash (the program is device-bound)' : ''}`;
    if (o.kind === 'leak') return `with ${input}, the reference acquired at ${where(o.pc)} (${o.via}) is still held at exit${here ? '' : ' (another problem than the refused one, on this input)'}`;
    const m = /invalid (read|write) of (\d+) bytes? at (0x[0-9a-f]+): (.*)$/.exec(o.message);
    let what: string;
    if (o.plain) what = `${where(o.pc)} ${o.plain}`;
    else if (m) {
      const insn = insns[o.pc];
      const reg = insn && (insn.kind === 'load' || insn.kind === 'store' || insn.kind === 'atomic') ? `R${insn.base}` : 'the pointer';
      if (m[4] === 'NULL pointer dereference') {
        const source = (refusal.related ?? [])[0];
        const call = source ? callName(insns[source.pc]) : undefined;
        const base = insn && (insn.kind === 'load' || insn.kind === 'store' || insn.kind === 'atomic') ? insn.off : 0;
        if (source && call) what = `${reg} is NULL at ${where(o.pc)}: ${call} at ${where(source.pc)} returned NULL`;
        // An address in the first page that is not base + offset of 0: a number used as a pointer.
        else if (BigInt(m[3] ?? '0') !== BigInt.asUintN(64, BigInt(base))) what = `${where(o.pc)} ${m[1] === 'read' ? 'reads' : 'writes'} ${m[2]} byte${m[2] === '1' ? '' : 's'} at ${m[3]} through ${reg}, which holds a number, not a pointer (the first page, where NULL points, is never mapped)`;
        else what = `${reg} is NULL at ${where(o.pc)}`;
      } else what = `${where(o.pc)} ${m[1] === 'read' ? 'reads' : 'writes'} ${m[2]} byte${m[2] === '1' ? '' : 's'} through ${reg} at ${m[3]}: ${m[4]}`;
    } else what = `${where(o.pc)} faults: ${o.message.replace(/^pc \d+: /, '')}`;
    return `with ${input}, ${what}${here ? '' : ' (not at the refused instruction: a fault elsewhere on this input)'}`;
  };

  const candidates = (function* () {
    // A NULL a second lookup does not rule out: the map changing between them.
    if (category === 'null') yield* raceCandidates(target, insns, t === 'xdp' || t === 'tc' || t === 'socket' ? { data: headerPacket(64, 0) } : t === 'syscall' ? { ctx: new Uint8Array(64) } : {});
    yield* targeted(target, insns, req.cpus);
    yield* random();
  })();
  for (const c of candidates) {
    if (tries >= maxTries || performance.now() - t0 > opts.budgetMs) break;
    tries++;
    const o = runOnce(req, c, maxInsns, watch, req.maps, onNic, refusedAccess, where);
    if (o.kind === 'clean') continue;
    if (o.kind === 'other') {
      other ??= o.why;
      if (other.startsWith('the simulated kernel does not load it')) return { none: other };
      continue;
    }
    const here = o.kind === 'leak' ? category === 'leak' && (relatedPcs.size === 0 || relatedPcs.has(o.pc)) : category !== 'leak' && (onSlice.has(o.pc) || relatedPcs.has(o.pc) || (atArithmetic && watch.accesses.has(o.pc)));
    // The input as small as it goes: each change to the world the same fault does not need, dropped.
    const run = (x: Candidate): Outcome => runOnce(req, x, maxInsns, watch, req.maps, onNic, refusedAccess, where);
    const [small, smallOutcome] = here ? simplify(c, o, run) : [c, o];
    const found: Counterexample = { input: inputOf(req, small, opts.seed), fault: describe(smallOutcome, small, here), ...(onNic ? { nic: true as const } : {}), pc: o.pc, kind: o.kind, here, tries, ...(refusedAccess ? { access: refusedAccess } : {}) };
    if (here) return found;
    fallback ??= found;
  }
  const ms = Math.round(performance.now() - t0);
  let why = `no input among ${tries} tried (${ms} ms, seed ${opts.seed}) made it ${category === 'leak' ? 'leak' : 'fault'}`;
  if (category === 'null') {
    const source = (refusal.related ?? []).map((r) => callName(insns[r.pc])).find((n) => n !== undefined);
    if (source && ALLOCATORS.test(source)) why = `${source} returns NULL only when an allocation fails, and it did not fail on the inputs tried, memory running short among them (${why})`;
    else if (source) why = `${source} never returned NULL on the inputs tried (${why})`;
  }
  if (category !== 'leak' && (t === 'xdp' || t === 'tc') && /packet|pkt/.test(refusal.message)) why += `; packets of every length from ${ETH_HLEN} to ${ETH_HLEN + SHORT_PACKETS - 1} bytes were among them, and BPF_PROG_TEST_RUN takes none shorter than ${ETH_HLEN} (the Ethernet header): an access the verifier cannot prove inside the packet may still be inside every packet a run can get`;
  if (other) why += `; some runs stopped short: ${other}`;
  if (fallback) return { ...fallback, fault: `${fallback.fault}; for the refused problem itself: ${why}` };
  return { none: why };
}
