// The helpers that work on maps — lookup, update, delete, for_each, the ring buffer, kptr_xchg,
// redirect_map and tail_call (kernel/bpf/helpers.c, ringbuf.c, net/core/filter.c; prototypes
// in prototypes.ts). Each reads its arguments from r1-r5 and leaves the semantics to the map
// (engine/kernel/maps); an argument the verifier would have refused becomes a fault that names
// the helper and the register.

import type { Vm } from '../../vm/index.ts';
import { ArrayMap, HashMap, ProgArrayMap, RingbufMap, type BpfMap } from '../maps/map-set.ts';
import type { CallImpl, KernelServices } from '../services.ts';
import { ERRNO, neg } from '../services.ts';

const XDP_ABORTED = 0;
const XDP_REDIRECT = 4;
/** XDP_ABORTED | XDP_DROP | XDP_PASS | XDP_TX: the action bits of bpf_redirect_map's flags. */
const ACTION_MASK = 3;
const BPF_F_BROADCAST = 1 << 3;
const BPF_F_EXCLUDE_INGRESS = 1 << 4;
/** BPF_RB_NO_WAKEUP | BPF_RB_FORCE_WAKEUP. */
const RB_WAKEUP_FLAGS = 3n;

function fault(vm: Vm, pc: number, helper: string, message: string): false {
  return vm.fail(pc, 'helper', `pc ${pc}: ${helper}: ${message}`);
}

/** A map-or-errno result as r0. */
function result(r: number): bigint {
  return BigInt.asUintN(64, BigInt(r));
}

const KIND: Readonly<Record<BpfMap['type'], string>> = {
  hash: 'a hash map',
  array: 'an array',
  prog_array: 'a prog_array',
  percpu_hash: 'a per-CPU hash map',
  percpu_array: 'a per-CPU array',
  lru_hash: 'an LRU hash map',
  lru_percpu_hash: 'a per-CPU LRU hash map',
  ringbuf: 'a ring buffer',
  devmap: 'a devmap',
  devmap_hash: 'a devmap_hash',
  cpumap: 'a cpumap',
  xskmap: 'an xskmap',
};

function mapArg(k: KernelServices, vm: Vm, pc: number, helper: string, reg = 1): BpfMap | false {
  const map = k.maps.byPointer(vm.regLo(reg), vm.regHi(reg));
  return map ?? fault(vm, pc, helper, `r${reg} is not a map (load one with r${reg} = NAME ll)`);
}

function readArg(k: KernelServices, vm: Vm, pc: number, helper: string, reg: number, size: number, what: string): Uint8Array | false {
  if (size === 0) return new Uint8Array();
  const bytes = k.mem.read(vm.regLo(reg), vm.regHi(reg), size);
  if (bytes) return bytes;
  const why = k.mem.explain(vm.regLo(reg), vm.regHi(reg), size, false).reason;
  return fault(vm, pc, helper, `the ${what} (r${reg}, ${size} bytes) is not readable memory: ${why}`);
}

function ringbufArg(k: KernelServices, vm: Vm, pc: number, helper: string): RingbufMap | false {
  const map = mapArg(k, vm, pc, helper);
  if (map === false) return false;
  return map instanceof RingbufMap ? map : fault(vm, pc, helper, `map '${map.name}' is ${KIND[map.type]}, not a ring buffer`);
}

function commit(discard: boolean): CallImpl {
  const helper = discard ? 'bpf_ringbuf_discard' : 'bpf_ringbuf_submit';
  return (k, vm, pc) => {
    const at = k.maps.ringbufAt(vm.regLo(1), vm.regHi(1));
    if (!at) return fault(vm, pc, helper, 'r1 does not point into a ring buffer (pass the pointer bpf_ringbuf_reserve returned)');
    if (!at.map.commit(at.offset, discard)) {
      return fault(vm, pc, helper, `r1 is not a record of '${at.map.name}' awaiting commit: it was already submitted or discarded, or is not the pointer bpf_ringbuf_reserve returned`);
    }
    // BPF_RB_NO_WAKEUP / BPF_RB_FORCE_WAKEUP only steer notification, which nothing here waits on.
    return 0n;
  };
}

export const MAP_HELPERS: Readonly<Record<string, CallImpl>> = {
  bpf_map_lookup_elem(k, vm, pc) {
    const map = mapArg(k, vm, pc, 'bpf_map_lookup_elem');
    if (map === false) return false;
    const key = readArg(k, vm, pc, 'bpf_map_lookup_elem', 2, map.decl.keySize, 'key');
    return key === false ? false : map.lookup(key);
  },

  bpf_map_update_elem(k, vm, pc) {
    const map = mapArg(k, vm, pc, 'bpf_map_update_elem');
    if (map === false) return false;
    const key = readArg(k, vm, pc, 'bpf_map_update_elem', 2, map.decl.keySize, 'key');
    if (key === false) return false;
    const value = readArg(k, vm, pc, 'bpf_map_update_elem', 3, map.decl.valueSize, 'value');
    return value === false ? false : result(map.update(key, value, vm.reg(4)));
  },

  bpf_map_delete_elem(k, vm, pc) {
    const map = mapArg(k, vm, pc, 'bpf_map_delete_elem');
    if (map === false) return false;
    const key = readArg(k, vm, pc, 'bpf_map_delete_elem', 2, map.decl.keySize, 'key');
    return key === false ? false : result(map.delete(key));
  },

  /** callback(map, key, value, ctx) per element until it returns non-zero; the number visited. */
  bpf_for_each_map_elem(k, vm, pc) {
    const helper = 'bpf_for_each_map_elem';
    const map = mapArg(k, vm, pc, helper);
    if (map === false) return false;
    const target = k.functionAt(vm.regLo(2), vm.regHi(2));
    if (target === undefined) return fault(vm, pc, helper, 'r2 is not a callback (load it with the address of a function of this program)');
    if (vm.reg(4) !== 0n) return neg(ERRNO.EINVAL);
    const entries = map instanceof ArrayMap || map instanceof HashMap ? map.forEachEntries() : undefined;
    if (!entries) return fault(vm, pc, helper, `map '${map.name}' is ${KIND[map.type]}, which has no for_each (the verifier refuses this call)`);
    const mapPtr = k.maps.pointerOf(map.index);
    const ctx = vm.reg(3);
    const depth = k.maps.enterForEach();
    let visited = 0;
    for (const e of entries) {
      // Elements the callback deleted are not visited (the kernel walks the live buckets).
      if (!e.live()) continue;
      visited++;
      const r = k.callback(vm, pc, target, [mapPtr, e.keyPtr ?? k.maps.scratchKey(depth, e.key), e.valuePtr, ctx]);
      if (r === false) {
        k.maps.leaveForEach();
        return false;
      }
      if (r !== 0n) break;
    }
    k.maps.leaveForEach();
    return BigInt(visited);
  },

  bpf_ringbuf_output(k, vm, pc) {
    const map = ringbufArg(k, vm, pc, 'bpf_ringbuf_output');
    if (map === false) return false;
    if (vm.reg(4) & ~RB_WAKEUP_FLAGS) return neg(ERRNO.EINVAL);
    const size = vm.reg(3);
    // A record that can never fit fails before its data is read (__bpf_ringbuf_reserve).
    if (size + 8n > BigInt(map.size)) return neg(ERRNO.EAGAIN);
    const data = readArg(k, vm, pc, 'bpf_ringbuf_output', 2, Number(size), 'data');
    return data === false ? false : result(map.output(data, pc));
  },

  bpf_ringbuf_reserve(k, vm, pc) {
    const map = ringbufArg(k, vm, pc, 'bpf_ringbuf_reserve');
    if (map === false) return false;
    // Any flag makes the reservation fail (NULL).
    if (vm.reg(3) !== 0n) return 0n;
    return map.reserve(vm.reg(2), pc);
  },

  bpf_ringbuf_submit: commit(false),
  bpf_ringbuf_discard: commit(true),

  /** Swaps the kptr at r1 with r2; the map takes r2's reference, the program gets the old one. */
  bpf_kptr_xchg(k, vm, pc) {
    const helper = 'bpf_kptr_xchg';
    const slot = k.maps.kptrSlot(vm.regLo(1), vm.regHi(1));
    if (!slot) return fault(vm, pc, helper, 'r1 does not point at a kptr field of a map value (declare one with kptr=OFFSET:TYPE and pass value + OFFSET)');
    const where = `the kptr at offset ${slot.field.offset} of map '${slot.map.name}'`;
    const next = vm.reg(2);
    const obj = next === 0n ? undefined : k.objects.at(vm.regLo(2), vm.regHi(2));
    if (next !== 0n) {
      if (!obj) return fault(vm, pc, helper, 'r2 is neither NULL nor a kernel object (pass a referenced pointer, e.g. from bpf_cpumask_create)');
      if (obj.type !== slot.field.type) return fault(vm, pc, helper, `r2 is a struct ${obj.type}, but ${where} holds struct ${slot.field.type}`);
      if (!k.objects.holds(obj)) return fault(vm, pc, helper, `the program holds no reference to ${obj.label} (r2): it was released or never acquired, so it cannot be given to the map`);
    }
    const old = k.maps.exchangeKptr(slot, next);
    if (obj) k.objects.unhold(obj);
    if (old !== 0n) {
      const prev = k.objects.at(Number(old & 0xffffffffn) | 0, Number(old >> 32n) | 0);
      if (prev) k.objects.hold(prev, pc, helper);
    }
    return old;
  },

  /** __bpf_xdp_redirect_map (include/linux/filter.h). */
  bpf_redirect_map(k, vm, pc) {
    const arg = mapArg(k, vm, pc, 'bpf_redirect_map');
    if (arg === false) return false;
    const map = arg.asRedirect();
    if (map === undefined) return fault(vm, pc, 'bpf_redirect_map', `map '${arg.name}' is ${KIND[arg.type]}; redirects go through a devmap, devmap_hash, cpumap or xskmap`);
    // Runs per packet: the flags are read as 32-bit halves, not as a BigInt.
    const flagsLo = vm.regLo(3) >>> 0;
    const allowed = ACTION_MASK | (map.toDevices ? BPF_F_BROADCAST | BPF_F_EXCLUDE_INGRESS : 0);
    if (vm.regHi(3) !== 0 || (flagsLo & ~allowed) !== 0) return XDP_ABORTED;
    // The lookup takes a u32 key.
    const key = vm.regLo(2) >>> 0;
    if (!map.redirectTarget(key) && !(flagsLo & BPF_F_BROADCAST)) return flagsLo & ACTION_MASK;
    const to = k.redirectTo;
    to.kind = 'map';
    to.map = map;
    to.key = key;
    return XDP_REDIRECT;
  },

  /**
   * Continues in the program at prog_array[index]. On failure (an empty slot, an index out of
   * range, the tail-call limit) the program goes on with r0 unchanged: the kernel rewrites the
   * call into BPF_TAIL_CALL, whose failure path writes nothing (kernel/bpf/core.c).
   */
  bpf_tail_call(k, vm, pc) {
    const map = mapArg(k, vm, pc, 'bpf_tail_call', 2);
    if (map === false) return false;
    if (!(map instanceof ProgArrayMap)) return fault(vm, pc, 'bpf_tail_call', `map '${map.name}' (r2) is ${KIND[map.type]}, not a prog_array`);
    const section = map.progAt(Number(vm.reg(3) & 0xffffffffn));
    if (section === undefined || !k.tailCall(vm, pc, section)) return vm.reg(0);
    return 0n;
  },
};
