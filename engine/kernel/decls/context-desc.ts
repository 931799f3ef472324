// What r1 points at when each program type starts, per profile, as the verifier checks ctx
// loads and stores: every field with the (offset, size) accesses allowed and the register type
// a load yields (net/core/filter.c *_is_valid_access, kernel/bpf/btf.c btf_ctx_access,
// kernel/bpf/syscall.c syscall_prog_is_valid_access). Offsets come from btf/layouts.ts.

import type { SectionKind } from '../../program/program.ts';
import { structLayout } from '../btf/layouts.ts';
import type { KernelProfile } from '../profiles.ts';

export type AccessSize = 1 | 2 | 4 | 8;

/** Flags of a PTR_TO_BTF_ID register, as the log prints them (`trusted_ptr_`, `rcu_ptr_or_null_`…). */
export type BtfPtrFlag = 'trusted' | 'rcu' | 'or_null' | 'untrusted';

/** The register type a ctx load yields. */
export type CtxYield =
  | 'scalar'
  /** PTR_TO_PACKET */
  | 'pkt'
  /** PTR_TO_PACKET_END */
  | 'pkt_end'
  /** PTR_TO_PACKET_META */
  | 'pkt_meta'
  /** PTR_TO_SOCK_COMMON_OR_NULL (struct bpf_sock), __sk_buff.sk (bpf_skb_is_valid_access). */
  | 'sock_common_or_null'
  | { readonly btf: string; readonly flags: readonly BtfPtrFlag[] };

export interface CtxAccess {
  /** Absolute offset in the context. */
  readonly offset: number;
  readonly size: AccessSize;
}

export interface CtxField {
  readonly name: string;
  readonly offset: number;
  readonly size: number;
  /** Every load the verifier allows inside the field; empty when it is not readable. */
  readonly reads: readonly CtxAccess[];
  /** Every store it allows; empty when the field is read-only. */
  readonly writes: readonly CtxAccess[];
  /** What a full-size load yields (a narrower load of a scalar field is a scalar too). */
  readonly yields: CtxYield;
  /** The C declaration, for tp_btf arguments (`struct task_struct *task`). */
  readonly c?: string;
}

interface FieldsDesc {
  readonly progType: 'xdp' | 'tc' | 'socket' | 'tp_btf';
  /** The struct r1 points at (`xdp_md`, `__sk_buff`), or the tracepoint for tp_btf. */
  readonly name: string;
  readonly size: number;
  readonly fields: readonly CtxField[];
  readonly doc: string;
}

/** A context with named fields: xdp, tc and socket programs (a UAPI struct) and tp_btf (a u64 array of the tracepoint's arguments). */
export interface StructCtxDesc extends FieldsDesc {
  readonly kind: 'struct' | 'args';
}

/**
 * A syscall program's ctx: BPF_PROG_TEST_RUN's ctx_in, user memory of any layout. The verifier
 * keeps it PTR_TO_CTX and allows any load or store with 0 ≤ off < `limit` and off % size == 0;
 * loads are scalars. It records the highest byte touched (max_ctx_offset), and test_run refuses
 * a ctx_size_in below that or above U16_MAX with -EINVAL (net/bpf/test_run.c).
 */
export interface SyscallCtxDesc {
  readonly kind: 'user_mem';
  readonly progType: 'syscall';
  readonly limit: number;
  readonly doc: string;
}

/**
 * The bpf_conformance convention, no kernel program type: r1 = input memory, r2 = its length
 * in bytes. Plain memory, not PTR_TO_CTX: no field rules apply.
 */
export interface RawCtxDesc {
  readonly kind: 'raw_mem';
  readonly progType: 'raw';
  readonly doc: string;
}

export type ContextDesc = StructCtxDesc | SyscallCtxDesc | RawCtxDesc;

const SIZES: readonly AccessSize[] = [1, 2, 4, 8];

/** Loads of `sizes` at every offset inside [offset, offset + size) aligned to the load size. */
function aligned(offset: number, size: number, sizes: readonly AccessSize[]): CtxAccess[] {
  const out: CtxAccess[] = [];
  for (const s of sizes) for (let o = offset; o + s <= offset + size; o += s) if (o % s === 0) out.push({ offset: o, size: s });
  return out;
}

function layoutField(struct: string, name: string): { offset: number; size: number } {
  const f = structLayout(struct)?.fields.find((x) => x.name === name);
  if (!f) throw new Error(`internal: no ${struct}.${name} in btf/layouts.ts`);
  return { offset: f.offset, size: f.size };
}

interface Rule {
  /** Read sizes: 'narrow' = 1, 2, 4 at any aligned offset (bpf_ctx_narrow_access_ok), 'full' = the whole field only, 'any' = 1..8 aligned, false = not readable. */
  readonly read: 'narrow' | 'full' | 'any' | false;
  readonly write: 'full' | 'any' | false;
  readonly yields?: CtxYield;
}

function field(struct: string, name: string, r: Rule): CtxField {
  const { offset, size } = layoutField(struct, name);
  const full: CtxAccess[] = [{ offset, size: size as AccessSize }];
  const sizes = (mode: Rule['read']) => (mode === 'narrow' ? aligned(offset, size, [1, 2, 4]) : mode === 'any' ? aligned(offset, size, SIZES) : mode === 'full' ? full : []);
  return { name, offset, size, reads: sizes(r.read), writes: r.write === false ? [] : sizes(r.write), yields: r.yields ?? 'scalar' };
}

const R: Rule = { read: 'narrow', write: false };
const RW: Rule = { read: 'narrow', write: 'full' };
const NONE: Rule = { read: false, write: false };

/**
 * struct xdp_md (xdp_is_valid_access): only aligned 4-byte loads; no stores (offloaded programs
 * may write rx_queue_index, which the playground has not); egress_ifindex only for
 * expected_attach_type BPF_XDP_DEVMAP, which the playground has not either.
 */
function xdpDesc(): StructCtxDesc {
  const x = (name: string, yields?: CtxYield): CtxField => field('xdp_md', name, { read: 'full', write: false, ...(yields ? { yields } : {}) });
  return {
    kind: 'struct',
    progType: 'xdp',
    name: 'xdp_md',
    size: structLayout('xdp_md')?.size ?? 24,
    fields: [x('data', 'pkt'), x('data_end', 'pkt_end'), x('data_meta', 'pkt_meta'), x('ingress_ifindex'), x('rx_queue_index'), field('xdp_md', 'egress_ifindex', NONE)],
    doc: 'struct xdp_md: u32 fields, aligned 4-byte loads only; data, data_end and data_meta load as packet pointers',
  };
}

/**
 * struct __sk_buff for tc (tc_cls_act_is_valid_access, then bpf_skb_is_valid_access) and for
 * socket filters (sk_filter_is_valid_access). Other u32 fields take narrow loads and full-size
 * stores; cb[] any aligned 1–8 byte access; family…local_port, flow_keys belong to other program
 * types. tstamp_type is a u8 only tc may read; the padding after it is refused.
 */
function skbDesc(progType: 'tc' | 'socket'): StructCtxDesc {
  const tc = progType === 'tc';
  const s = (name: string, r: Rule) => field('__sk_buff', name, r);
  const tcOnly = (r: Rule): Rule => (tc ? r : NONE);
  /** Written by tc only; socket filters read it. */
  const tcWrites: Rule = tc ? RW : R;
  const pkt = (y: CtxYield): Rule => tcOnly({ read: 'full', write: false, yields: y });
  const fields: CtxField[] = [
    s('len', R),
    s('pkt_type', R),
    s('mark', tcWrites),
    s('queue_mapping', tcWrites),
    s('protocol', R),
    s('vlan_present', R),
    s('vlan_tci', R),
    s('vlan_proto', R),
    s('priority', tcWrites),
    s('ingress_ifindex', R),
    s('ifindex', R),
    s('tc_index', tcWrites),
    s('cb', { read: 'any', write: 'any' }),
    s('hash', R),
    s('tc_classid', tcOnly(RW)),
    s('data', pkt('pkt')),
    s('data_end', pkt('pkt_end')),
    s('napi_id', R),
    s('family', NONE),
    s('remote_ip4', NONE),
    s('local_ip4', NONE),
    s('remote_ip6', NONE),
    s('local_ip6', NONE),
    s('remote_port', NONE),
    s('local_port', NONE),
    s('data_meta', pkt('pkt_meta')),
    s('flow_keys', NONE),
    s('tstamp', tcOnly({ read: 'full', write: 'full' })),
    s('wire_len', tcOnly(R)),
    s('gso_segs', R),
    s('sk', { read: 'full', write: false, yields: 'sock_common_or_null' }),
    s('gso_size', R),
    s('tstamp_type', tcOnly({ read: 'full', write: false })),
    s('hwtstamp', tcOnly({ read: 'full', write: false })),
  ];
  return {
    kind: 'struct',
    progType,
    name: '__sk_buff',
    size: structLayout('__sk_buff')?.size ?? 192,
    fields,
    doc: tc
      ? 'struct __sk_buff as tc (sched_cls) sees it: data/data_end/data_meta as packet pointers, sk as a socket or NULL; mark, queue_mapping, priority, tc_index, cb[], tc_classid and tstamp writable'
      : 'struct __sk_buff as a socket filter sees it: no direct packet access; only cb[] is writable',
  };
}

interface TpArg {
  readonly c: string;
  readonly name: string;
  /** A struct pointer (PTR_TO_BTF_ID) or a scalar (integers, and pointers to anything but a struct: btf_ctx_access). */
  readonly btf?: string;
  readonly pointer: boolean;
}

/** The tracepoints the simulated kernel has (TP_PROTO in include/trace/events/task.h, cgroup.h). */
const TRACEPOINTS: Readonly<Record<string, readonly TpArg[]>> = {
  task_newtask: [
    { c: 'struct task_struct *', name: 'task', btf: 'task_struct', pointer: true },
    { c: 'u64', name: 'clone_flags', pointer: false },
  ],
  cgroup_mkdir: [
    { c: 'struct cgroup *', name: 'cgrp', btf: 'cgroup', pointer: true },
    { c: 'const char *', name: 'path', pointer: true },
  ],
};

/**
 * tp_btf: a u64 per argument; read-only, at offsets that are multiples of 8 (btf_ctx_access). A
 * struct pointer argument loads as PTR_TO_BTF_ID | PTR_TRUSTED in both profiles
 * (prog_args_trusted: BPF_PROG_TYPE_TRACING with BPF_TRACE_RAW_TP). A pointer to a non-struct
 * (`const char *`) loads as a scalar. Pointer arguments must be loaded whole in 6.18 ("func '%s'
 * size %d must be 8", Dec 2024); 6.3 did not check the size. Scalars take any size.
 */
function tpDesc(tracepoint: string, profile: KernelProfile): StructCtxDesc | undefined {
  const args = TRACEPOINTS[tracepoint];
  if (!args) return undefined;
  const fields = args.map((a, i): CtxField => {
    const offset = 8 * i;
    const reads = a.pointer && profile !== 'linux-6.3' ? [{ offset, size: 8 as const }] : SIZES.map((size) => ({ offset, size }));
    return { name: a.name, offset, size: 8, reads, writes: [], yields: a.btf ? { btf: a.btf, flags: ['trusted'] } : 'scalar', c: `${a.c}${a.c.endsWith('*') ? '' : ' '}${a.name}` };
  });
  return {
    kind: 'args',
    progType: 'tp_btf',
    name: tracepoint,
    size: 8 * args.length,
    fields,
    doc: `tp_btf/${tracepoint}: u64 args[${args.length}] = (${fields.map((f) => f.c).join(', ')})`,
  };
}

const SYSCALL: SyscallCtxDesc = {
  kind: 'user_mem',
  progType: 'syscall',
  limit: 0xffff,
  doc: 'syscall: ctx_in, user memory of any layout; any aligned load or store below 65535 (U16_MAX); loads are scalars',
};

const RAW: RawCtxDesc = { kind: 'raw_mem', progType: 'raw', doc: 'raw (bpf_conformance): r1 = input memory, r2 = its length; plain memory, not a kernel context' };

const XDP = xdpDesc();
const TC = skbDesc('tc');
const SOCKET = skbDesc('socket');

/** The context of a program of `kind` in `profile`; undefined for an unknown tracepoint or program type. */
export function contextDesc(kind: SectionKind, profile: KernelProfile): ContextDesc | undefined {
  switch (kind.progType) {
    case 'xdp':
      return XDP;
    case 'tc':
      return TC;
    case 'socket':
      return SOCKET;
    case 'syscall':
      return SYSCALL;
    case 'raw':
      return RAW;
    case 'tp_btf':
      return tpDesc(kind.attachTo ?? '', profile);
    case 'unknown':
      return undefined;
  }
}

/** The tracepoints tp_btf programs may attach to. */
export const TRACEPOINT_NAMES: readonly string[] = Object.keys(TRACEPOINTS);

/**
 * The field a ctx access of `size` bytes at `offset` touches, when the verifier allows it; for
 * a syscall ctx, 'user_mem'; undefined when it refuses (`invalid bpf_context access off=%d
 * size=%d`). Raw memory is no context: always undefined.
 */
export function ctxAccess(desc: ContextDesc, offset: number, size: AccessSize, access: 'read' | 'write'): CtxField | 'user_mem' | undefined {
  if (desc.kind === 'raw_mem') return undefined;
  if (desc.kind === 'user_mem') return offset >= 0 && offset < desc.limit && offset % size === 0 ? 'user_mem' : undefined;
  return desc.fields.find((f) => (access === 'read' ? f.reads : f.writes).some((a) => a.offset === offset && a.size === size));
}
