// What a program receives in r1 (and r2), per program type, as BPF_PROG_TEST_RUN would set it
// up: raw input memory, a syscall program's ctx buffer, a tracepoint's arguments (a trusted
// task_struct or cgroup from the scenario), or an XDP frame behind struct xdp_md.

import type { SectionKind } from '../program/program.ts';
import { PERM_READ, PERM_WRITE, type Region, type Vm } from '../vm/index.ts';
import type { Kernel } from './kernel.ts';

export interface ContextInputs {
  /** Packet (xdp) or input memory (raw). */
  readonly data?: Uint8Array;
  /** ctx_in: a syscall program's context buffer. */
  readonly ctx?: Uint8Array;
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
}

/** XDP_PACKET_HEADROOM (include/uapi/linux/bpf.h). */
export const XDP_HEADROOM = 256;

function regionCopy(k: Kernel, r: Region): Uint8Array {
  return k.mem.bytes.slice(r.start, r.start + r.size);
}

export function buildContext(kind: SectionKind, k: Kernel, inputs: ContextInputs): BuiltContext | { error: string } {
  const mem = k.mem;
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
      return xdpContext(k, inputs.data ?? new Uint8Array(64));
    case 'tc':
    case 'socket':
      return { error: `${kind.progType} programs get their context (struct __sk_buff) from the emulated NIC, which is not built yet` };
  }
}

/**
 * BPF_PROG_TEST_RUN's XDP frame: 256 bytes of headroom, then the packet; struct xdp_md is
 * served by the kernel, its 32-bit data/data_end/data_meta loads giving 64-bit packet pointers
 * as the verifier's ctx rewrite does (net/core/filter.c xdp_convert_ctx_access).
 */
function xdpContext(k: Kernel, data: Uint8Array): BuiltContext {
  const mem = k.mem;
  const frame = mem.map('packet', 'packet', XDP_HEADROOM + data.length);
  const ctx = mem.map('xdp_md', 'context', 24);
  const bounds = { data: XDP_HEADROOM, end: XDP_HEADROOM + data.length, meta: XDP_HEADROOM };
  const ptr = (off: number) => mem.address(frame.start + off);
  mem.setSpecial(ctx, {
    load(offset, size) {
      if (size !== 4 || offset % 4 !== 0) return `xdp_md fields are read as aligned 4-byte loads (offset ${offset}, ${size} bytes)`;
      switch (offset) {
        case 0:
          return ptr(bounds.data);
        case 4:
          return ptr(bounds.end);
        case 8:
          return ptr(bounds.meta);
        case 12:
          return { lo: 1, hi: 0 };
        case 16:
          return { lo: 0, hi: 0 };
        default:
          return `xdp_md has no readable field at offset ${offset} (egress_ifindex is only for devmap programs)`;
      }
    },
    store: (offset) => `xdp_md is read-only (a write at offset ${offset})`,
  });
  return {
    prepare: (vm) => {
      mem.bytes.fill(0, frame.start, frame.start + XDP_HEADROOM);
      mem.bytes.set(data, frame.start + XDP_HEADROOM);
      bounds.data = XDP_HEADROOM;
      bounds.end = XDP_HEADROOM + data.length;
      bounds.meta = XDP_HEADROOM;
      vm.setRegPointer(1, ctx);
    },
    output: () => ({ dataOut: mem.bytes.slice(frame.start + bounds.data, frame.start + bounds.end) }),
    packet: () => ({ start: frame.start + bounds.data, length: bounds.end - bounds.data }),
    describe: `r1 = struct xdp_md * over a ${data.length}-byte frame (256 bytes of headroom)`,
  };
}
