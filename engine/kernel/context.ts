// What a program receives in r1 (and r2), per program type, as BPF_PROG_TEST_RUN would set it
// up: raw input memory, a syscall program's ctx buffer, a tracepoint's arguments (a trusted
// task_struct or cgroup from the scenario), an XDP frame behind struct xdp_md, or a tc
// program's skb behind struct __sk_buff.

import type { SectionKind } from '../program/program.ts';
import { PERM_READ, PERM_WRITE, type Region, type Vm } from '../vm/index.ts';
import type { Kernel } from './kernel.ts';
import { SkBuff } from './skb.ts';
import { contextDesc, ctxAccess } from './decls/context-desc.ts';
import { parseHex } from './maps/hex.ts';
import { ETH_HLEN, maxMetaLength, XdpBuff, XDP_MAX_DATA } from './xdp-buff.ts';

export interface ContextInputs {
  /** Packet (xdp) or input memory (raw). */
  readonly data?: Uint8Array;
  /** ctx_in: a syscall program's context buffer, an XDP program's struct xdp_md. */
  readonly ctx?: Uint8Array;
  /** The program runs on the emulated NIC, which loads each frame itself. */
  readonly nic?: boolean;
  /**
   * Stop at the first access outside the packet (data_meta..data_end) with a fault, instead of
   * reading the frame around it as Linux would: for running a verifier counterexample, whose
   * point is that access.
   */
  readonly strictPacket?: boolean;
}

export interface BuiltContext {
  /** Sets r1 (and r2 for raw programs) on the VM; called at every reset. */
  readonly prepare: (vm: Vm) => void;
  /** data_out / ctx_out after the run. */
  readonly output: () => { dataOut?: Uint8Array; ctxOut?: Uint8Array };
  /** The packet LD_ABS/LD_IND read. */
  readonly packet?: () => { start: number; length: number } | undefined;
  /** What r1 is, in words, for the UI. */
  readonly describe: string;
  /** The program's frame (xdp) or skb (tc), which helpers and kfuncs work on while it runs. */
  readonly xdp?: XdpBuff;
  readonly skb?: SkBuff;
}

function regionCopy(k: Kernel, r: Region): Uint8Array {
  return k.mem.bytes.slice(r.start, r.start + r.size);
}

export function buildContext(kind: SectionKind, k: Kernel, inputs: ContextInputs): BuiltContext | { error: string } {
  const mem = k.mem;
  // A counterexample's run stops at a read of a socket the program gave back, too.
  k.sockets.strict = inputs.strictPacket === true;
  switch (kind.progType) {
    case 'raw':
    case 'unknown': {
      const data = inputs.data;
      const input = data ? mem.map('input', 'input', data.length) : undefined;
      if (input && data) mem.bytes.set(data, input.start);
      return {
        prepare: (vm) => {
          if (input && data) mem.bytes.set(data, input.start);
          if (input) vm.setRegPointer(1, input);
          else vm.setReg(1, 0n);
          vm.setReg(2, BigInt(input?.size ?? 0));
        },
        output: () => (input ? { dataOut: regionCopy(k, input) } : {}),
        packet: () => (input ? { start: input.start, length: input.size } : undefined),
        describe: input ? `r1 = the ${input.size}-byte input, r2 = its length` : 'r1 = NULL (no input), r2 = 0',
      };
    }
    case 'syscall': {
      const ctx = inputs.ctx ?? new Uint8Array(0);
      const region = ctx.length ? mem.map('syscall ctx', 'context', ctx.length, PERM_READ | PERM_WRITE) : undefined;
      return {
        prepare: (vm) => {
          if (region) {
            mem.bytes.set(ctx, region.start);
            vm.setRegPointer(1, region);
          } else vm.setReg(1, 0n);
        },
        output: () => (region ? { ctxOut: regionCopy(k, region) } : {}),
        describe: region ? `r1 = the ${ctx.length}-byte ctx buffer (ctx_in)` : 'r1 = NULL (no ctx_in)',
      };
    }
    case 'tp_btf': {
      const args = mem.map(`tp_btf/${kind.attachTo ?? ''} args`, 'context', 16, PERM_READ);
      const dv = () => mem.dv;
      // The arguments are read as the program type's context declaration allows (btf_ctx_access:
      // a pointer argument only as a whole 8-byte word) — the declaration the verifier reads — and
      // never written.
      const desc = contextDesc(kind, k.profile);
      if (desc) {
        mem.setSpecial(args, {
          load: (offset, size) => {
            if ((size !== 1 && size !== 2 && size !== 4 && size !== 8) || !ctxAccess(desc, offset, size, 'read')) return `invalid bpf_context access off=${offset} size=${size} (tp_btf/${kind.attachTo ?? ''} args are read as the tracepoint's arguments declare)`;
            const at = args.start + offset;
            const v = size === 8 ? dv().getBigUint64(at, true) : size === 4 ? BigInt(dv().getUint32(at, true)) : size === 2 ? BigInt(dv().getUint16(at, true)) : BigInt(mem.bytes[at] ?? 0);
            return { lo: Number(v & 0xffffffffn) | 0, hi: Number(v >> 32n) | 0 };
          },
          store: (offset, size) => `invalid bpf_context access off=${offset} size=${size} (tp_btf/${kind.attachTo ?? ''} args is read-only)`,
        });
      }
      if (kind.attachTo === 'task_newtask') {
        const set = () => {
          dv().setBigUint64(args.start, k.objects.address(k.world.newtask.object), true);
          dv().setBigUint64(args.start + 8, BigInt(k.world.cloneFlags), true);
        };
        set();
        return {
          prepare: (vm) => {
            set();
            vm.setRegPointer(1, args);
          },
          output: () => ({}),
          describe: `r1 = args: [0] struct task_struct *task (pid ${k.world.newtask.pid}, ${k.world.newtask.comm}), [1] u64 clone_flags`,
        };
      }
      if (kind.attachTo === 'cgroup_mkdir') {
        const path = new TextEncoder().encode(`${k.world.mkdir.path}\0`);
        const pathRegion = mem.map('cgroup_mkdir path', 'kernel-object', path.length, PERM_READ);
        mem.bytes.set(path, pathRegion.start);
        const set = () => {
          dv().setBigUint64(args.start, k.objects.address(k.world.mkdir.object), true);
          const a = mem.addressOf(pathRegion);
          dv().setBigUint64(args.start + 8, (BigInt(a.hi >>> 0) << 32n) | BigInt(a.lo >>> 0), true);
        };
        set();
        return {
          prepare: (vm) => {
            set();
            vm.setRegPointer(1, args);
          },
          output: () => ({}),
          describe: `r1 = args: [0] struct cgroup *cgrp (${k.world.mkdir.path}), [1] const char *path`,
        };
      }
      return { error: `tp_btf/${kind.attachTo ?? ''}: the simulated kernel has the tracepoints task_newtask and cgroup_mkdir` };
    }
    case 'xdp':
      return xdpContext(k, inputs);
    case 'tc':
    case 'socket':
      return skbContext(k, inputs, kind);
  }
}

/**
 * An XDP program's frame (struct xdp_buff behind struct xdp_md). On the emulated NIC the driver
 * loads every frame itself; under BPF_PROG_TEST_RUN the frame is data_in, laid out as
 * bpf_prog_test_run_xdp does, with ctx_in (struct xdp_md) giving the metadata length (its
 * `data`), ingress_ifindex and rx_queue_index.
 */
function xdpContext(k: Kernel, inputs: ContextInputs): BuiltContext | { error: string } {
  const buff = new XdpBuff(k.mem, k.profile);
  buff.strict = inputs.strictPacket === true;
  if (inputs.nic) {
    return {
      xdp: buff,
      prepare: (vm) => vm.setRegPointer(1, buff.ctx),
      output: () => ({ dataOut: buff.packet() }),
      packet: () => ({ start: buff.data, length: buff.dataEnd - buff.data }),
      describe: 'r1 = struct xdp_md * of the frame the emulated NIC received',
    };
  }
  const data = inputs.data ?? new Uint8Array(0);
  let metaLen = 0;
  if (inputs.ctx) {
    if (inputs.ctx.length !== 24) return { error: `ctx_in of an XDP program is a struct xdp_md: 24 bytes, not ${inputs.ctx.length} (-EINVAL)` };
    const dv = new DataView(inputs.ctx.buffer, inputs.ctx.byteOffset, 24);
    metaLen = dv.getUint32(0, true);
    if (dv.getUint32(8, true) !== 0 || dv.getUint32(4, true) !== data.length || metaLen > data.length) return { error: 'ctx_in: xdp_md.data_meta must be 0, data the metadata length and data_end the length of data_in (-EINVAL)' };
    if (metaLen > maxMetaLength(k.profile) || metaLen % 4) return { error: `ctx_in: ${metaLen} bytes of metadata is not a valid length (a multiple of 4, at most ${maxMetaLength(k.profile)}) (-EINVAL)` };
    buff.ingressIfindex = dv.getUint32(12, true) || 1;
    buff.rxQueueIndex = dv.getUint32(16, true);
  }
  if (data.length - metaLen < ETH_HLEN) return { error: `data_in of an XDP program needs at least ${ETH_HLEN} bytes after its metadata, the Ethernet header (-EINVAL)` };
  if (data.length > XDP_MAX_DATA) return { error: `data_in is ${data.length} bytes; an XDP frame holds ${XDP_MAX_DATA} without fragments (-EINVAL)` };
  return {
    xdp: buff,
    prepare: (vm) => {
      buff.load(data.subarray(metaLen));
      if (metaLen) {
        buff.dataMeta = buff.data - metaLen;
        if (buff.strict) buff.refence();
        k.mem.bytes.set(data.subarray(0, metaLen), buff.dataMeta);
      }
      vm.setRegPointer(1, buff.ctx);
    },
    output: () => {
      const ctxOut = new Uint8Array(24);
      const dv = new DataView(ctxOut.buffer);
      dv.setUint32(0, buff.metaLength, true);
      dv.setUint32(4, buff.metaLength + buff.dataEnd - buff.data, true);
      dv.setUint32(12, buff.ingressIfindex, true);
      dv.setUint32(16, buff.rxQueueIndex, true);
      return { dataOut: k.mem.bytes.slice(buff.data - buff.metaLength, buff.dataEnd), ...(inputs.ctx ? { ctxOut } : {}) };
    },
    packet: () => ({ start: buff.data, length: buff.dataEnd - buff.data }),
    describe: `r1 = struct xdp_md * over a ${data.length - metaLen}-byte frame (256 bytes of headroom${metaLen ? `, ${metaLen} bytes of metadata` : ''})`,
  };
}

/** A tc (sched_cls) program's skb under BPF_PROG_TEST_RUN: data_in from its MAC header. */
/**
 * A tc program's or a socket filter's skb (BPF_PROG_TEST_RUN runs both with bpf_prog_test_run_skb):
 * what the program may touch of struct __sk_buff is the program type's context declaration.
 */
function skbContext(k: Kernel, inputs: ContextInputs, kind: SectionKind): BuiltContext | { error: string } {
  const desc = contextDesc(kind, k.profile);
  const permits = desc ? (off: number, size: number, access: 'read' | 'write') => (size === 1 || size === 2 || size === 4 || size === 8) && ctxAccess(desc, off, size, access) !== undefined : undefined;
  const skb = new SkBuff(k.mem, permits, kind.progType === 'socket' ? 'socket filter' : 'tc');
  skb.strict = inputs.strictPacket === true;
  if (inputs.nic) {
    return {
      skb,
      prepare: (vm) => vm.setRegPointer(1, skb.ctx),
      output: () => ({ dataOut: skb.packet() }),
      packet: () => skb.loadView(),
      describe: 'r1 = struct __sk_buff * of a packet an XDP program passed',
    };
  }
  const data = inputs.data ?? new Uint8Array(0);
  if (data.length < ETH_HLEN) return { error: `data_in of a ${kind.progType === 'socket' ? 'socket filter' : 'tc program'} needs at least ${ETH_HLEN} bytes, the Ethernet header (-EINVAL)` };
  // The scenario's skb: how the stack hands a tc program its packet (BPF_PROG_TEST_RUN's own skb
  // is linear, not cloned, without metadata).
  const spec = kind.progType === 'tc' ? k.world.scenario.skb : undefined;
  const meta = spec?.meta === undefined ? undefined : parseHex(spec.meta);
  if (meta && meta.length > maxMetaLength(k.profile)) return { error: `scenario: skb.meta is ${meta.length} bytes; ${k.profile} keeps at most ${maxMetaLength(k.profile) & ~3} bytes of metadata in front of the packet (a multiple of 4)` };
  const linear = spec?.linear !== undefined && spec.linear < data.length ? spec.linear : undefined;
  const extra = [
    ...(meta?.length ? [`${meta.length} bytes of metadata in front (data_meta, as an XDP program that called bpf_xdp_adjust_meta left them)`] : []),
    ...(linear !== undefined ? [`non-linear: ${linear} bytes in the head (data..data_end), ${data.length - linear} in page fragments (len counts them)`] : []),
    ...(spec?.cloned ? ['cloned (its head shared with another skb)'] : []),
  ];
  return {
    skb,
    prepare: (vm) => {
      skb.load({
        packet: data,
        ifindex: 1,
        ...(kind.progType === 'socket' ? { fromNetworkHeader: true } : {}),
        ...(meta?.length ? { meta } : {}),
        ...(linear !== undefined ? { linear } : {}),
        ...(spec?.cloned ? { cloned: true } : {}),
      });
      vm.setRegPointer(1, skb.ctx);
    },
    output: () => ({ dataOut: skb.packet() }),
    packet: () => skb.loadView(),
    describe: `r1 = struct __sk_buff * of a ${data.length}-byte packet (from its Ethernet header)${kind.progType === 'socket' ? ', as a socket filter sees it' : ''}${extra.length ? `; ${extra.join('; ')}` : ''}`,
  };
}
