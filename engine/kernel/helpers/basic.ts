// Helpers that need no maps: time, randomness, the CPU and the current task, the trace pipe,
// reading kernel memory, bpf_loop, bpf_redirect (kernel/bpf/helpers.c, kernel/trace/bpf_trace.c).
// Their prototypes are in prototypes.ts.

import type { CallImpl } from '../services.ts';
import { ERRNO, neg } from '../services.ts';
import { formatPrintk, type PrintkMemory } from '../trace/printk.ts';

/** Longest bpf_loop (BPF_MAX_LOOPS, kernel/bpf/bpf_iter.c). */
const BPF_MAX_LOOPS = 1 << 23;
const XDP_REDIRECT = 4n;

export const BASIC_HELPERS: Readonly<Record<string, CallImpl>> = {
  bpf_ktime_get_ns: (k, vm) => k.now(vm),
  bpf_ktime_get_boot_ns: (k, vm) => k.now(vm),
  // HZ=250: one jiffy every 4 ms.
  bpf_jiffies64: (k, vm) => k.now(vm) / 4_000_000n,
  bpf_get_prandom_u32: (k) => BigInt(k.random() >>> 0),
  bpf_get_smp_processor_id: (k) => k.cpu,
  bpf_get_current_pid_tgid: (k) => (BigInt(k.world.current.tgid) << 32n) | BigInt(k.world.current.pid),
  bpf_get_current_comm(k, vm) {
    const size = Number(BigInt.asUintN(32, vm.reg(2)));
    const bytes = new Uint8Array(size);
    bytes.set(new TextEncoder().encode(k.world.current.comm).subarray(0, Math.max(0, size - 1)));
    return k.mem.write(vm.regLo(1), vm.regHi(1), bytes) ? 0n : neg(ERRNO.EFAULT);
  },
  bpf_trace_printk(k, vm, pc) {
    const size = Number(BigInt.asUintN(32, vm.reg(2)));
    const fmt = size > 0 ? k.mem.read(vm.regLo(1), vm.regHi(1), size) : undefined;
    if (!fmt) return vm.fail(pc, 'helper', `pc ${pc}: bpf_trace_printk: the format (r1, ${size} bytes from r2) is not readable memory`);
    // The NUL must lie inside fmt_size (bpf_bprintf_prepare: "fmt is not NUL-terminated").
    const nul = fmt.indexOf(0);
    if (nul < 0) return neg(ERRNO.EINVAL);
    const r = formatPrintk(fmt.subarray(0, nul), [vm.reg(3), vm.reg(4), vm.reg(5)], printkMemory(k));
    if (!r.ok) return neg(ERRNO.EINVAL);
    const cur = k.world.current;
    k.trace.push({ comm: cur.comm, pid: cur.pid, cpu: k.cpu, ns: Number(k.now(vm)), text: r.text.replace(/\n$/, '') });
    return BigInt(r.length);
  },
  bpf_probe_read_kernel: probeRead,
  bpf_probe_read: probeRead,
  bpf_loop(k, vm, pc) {
    const n = Number(BigInt.asUintN(32, vm.reg(1)));
    // Flags first, then the count (kernel/bpf/bpf_iter.c bpf_loop): both wrong is -EINVAL.
    if (vm.reg(4) !== 0n) return neg(ERRNO.EINVAL);
    if (n > BPF_MAX_LOOPS) return neg(ERRNO.E2BIG);
    const target = k.functionAt(vm.regLo(2), vm.regHi(2));
    if (target === undefined) return vm.fail(pc, 'helper', `pc ${pc}: bpf_loop: r2 is not a callback (load it with the address of a function of this program)`);
    const ctx = vm.reg(3);
    for (let i = 0; i < n; i++) {
      const r = k.callback(vm, pc, target, [BigInt(i), ctx]);
      if (r === false) return false;
      // 0 continues, anything else stops and counts this iteration (kernel/bpf/bpf_iter.c).
      if (r !== 0n) return BigInt(i + 1);
    }
    return BigInt(n);
  },
  bpf_redirect(k, vm) {
    const flags = vm.reg(2);
    if (flags !== 0n) return 0n; // XDP_ABORTED: bpf_redirect takes no flags in XDP
    const to = k.redirectTo;
    to.kind = 'ifindex';
    to.ifindex = vm.regLo(1) >>> 0;
    to.map = undefined;
    return XDP_REDIRECT;
  },
};

/** Kernel memory as bpf_trace_printk reads it for %s, %pks and %pI4-style arguments. */
function printkMemory(k: Parameters<CallImpl>[0]): PrintkMemory {
  const split = (p: bigint) => {
    const u = BigInt.asUintN(64, p);
    return [Number(u & 0xffffffffn) | 0, Number(u >> 32n) | 0] as const;
  };
  return {
    cstring: (p, count) => k.mem.readCString(...split(p), count),
    bytes: (p, n) => k.mem.read(...split(p), n),
  };
}

/** bpf_probe_read(_kernel): copies, or zeroes dst and returns -EFAULT (mm/maccess.c). */
function probeRead(k: Parameters<CallImpl>[0], vm: Parameters<CallImpl>[1], pc: number): bigint | false {
  const size = Number(BigInt.asUintN(32, vm.reg(2)));
  const src = k.mem.read(vm.regLo(3), vm.regHi(3), size);
  const ok = k.mem.write(vm.regLo(1), vm.regHi(1), src ?? new Uint8Array(size));
  if (!ok) return vm.fail(pc, 'helper', `pc ${pc}: the destination (r1, ${size} bytes) is not writable memory`);
  return src ? 0n : neg(ERRNO.EFAULT);
}
