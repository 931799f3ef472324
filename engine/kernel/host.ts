// The simulated kernel as the VM sees it: the helpers a program may call. This first part
// covers time, randomness, the current task and the trace pipe; maps, kfuncs and packets
// join with the simulated-kernel and NIC work.

import { helperName } from './helpers/ids.ts';
import { formatPrintk } from './trace/printk.ts';
import type { TracePipe } from './trace/pipe.ts';
import type { Vm, VmHost } from '../vm/index.ts';

const EINVAL = 22;
const EFAULT = 14;

export interface KernelHostOptions {
  readonly trace: TracePipe;
  /** Virtual nanoseconds at the start of the run. */
  readonly bootNs?: bigint;
  readonly cpu?: number;
  readonly pid?: number;
  readonly tgid?: number;
  readonly comm?: string;
  /** Seed of bpf_get_prandom_u32. */
  readonly seed?: number;
}

/** A helper returns a value for r0, or false after recording a fault. */
type Helper = (vm: Vm, pc: number) => bigint | false;

function neg(errno: number): bigint {
  return BigInt.asUintN(64, BigInt(-errno));
}

export function createKernelHost(options: KernelHostOptions): VmHost & { reset(): void } {
  const boot = options.bootNs ?? 1_000_000_000n;
  const cpu = options.cpu ?? 0;
  const pid = options.pid ?? 4242;
  const tgid = options.tgid ?? pid;
  const comm = options.comm ?? 'bpfp';
  let rng = (options.seed ?? 1) >>> 0 || 1;
  // Virtual time: one nanosecond per executed instruction after boot, so runs replay exactly.
  const now = (vm: Vm): bigint => boot + BigInt(vm.count);

  const helpers = new Map<number, Helper>([
    [5, (vm) => now(vm)],
    [125, (vm) => now(vm)],
    [118, (vm) => now(vm) / 4_000_000n], // HZ=250
    [
      7,
      () => {
        // xorshift32: deterministic per seed.
        rng ^= rng << 13;
        rng ^= rng >>> 17;
        rng ^= rng << 5;
        rng >>>= 0;
        return BigInt(rng);
      },
    ],
    [8, () => BigInt(cpu)],
    [14, () => (BigInt(tgid) << 32n) | BigInt(pid)],
    [
      16,
      (vm) => {
        const size = Number(BigInt.asUintN(32, vm.reg(2)));
        const bytes = new Uint8Array(size);
        const name = new TextEncoder().encode(comm).subarray(0, Math.max(0, size - 1));
        bytes.set(name);
        return vm.mem.write(vm.regLo(1), vm.regHi(1), bytes) ? 0n : neg(EFAULT);
      },
    ],
    [
      6,
      (vm, pc) => {
        const size = Number(BigInt.asUintN(32, vm.reg(2)));
        const fmt = size > 0 ? vm.mem.read(vm.regLo(1), vm.regHi(1), size) : undefined;
        if (!fmt) return vm.fail(pc, 'helper', `pc ${pc}: bpf_trace_printk: the format (r1, ${size} bytes from r2) is not readable memory`);
        // The kernel wants the NUL inside fmt_size (bpf_bprintf_prepare: "fmt is not NUL-terminated").
        const nul = fmt.indexOf(0);
        if (nul < 0) return neg(EINVAL);
        const r = formatPrintk(new TextDecoder().decode(fmt.subarray(0, nul)), [vm.reg(3), vm.reg(4), vm.reg(5)], (lo, hi, max) => vm.mem.readCString(lo, hi, max));
        if (!r.ok) return neg(EINVAL);
        options.trace.push({ comm, pid, cpu, ns: Number(now(vm)), text: r.text.replace(/\n$/, '') });
        return BigInt(r.text.length);
      },
    ],
  ]);

  return {
    helper(id, vm, pc) {
      const h = helpers.get(id);
      if (!h) {
        const name = helperName(id);
        return vm.fail(pc, 'helper', `pc ${pc}: ${name ? `helper ${name} (${id})` : `helper ${id}`} is not available in the simulated kernel yet`);
      }
      const r = h(vm, pc);
      if (r === false) return false;
      vm.setReg(0, r);
      return true;
    },
    kfunc: (id, _off, vm, pc) => vm.fail(pc, 'kfunc', `pc ${pc}: kfunc ${id} is not available in the simulated kernel yet`),
    reset() {
      rng = (options.seed ?? 1) >>> 0 || 1;
    },
  };
}
