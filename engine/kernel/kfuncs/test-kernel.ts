// A small simulated kernel for the kfunc unit tests: guest memory, the object table, the
// default scenario's world, a conntrack table and a one-instruction VM that only holds
// registers. `call` runs one kfunc implementation with r1..r5 set, as the kernel host would.

import type { Insn } from '../../isa/index.ts';
import type { ProgType } from '../../program/program.ts';
import { GuestMemory, Vm, type Region } from '../../vm/index.ts';
import { ConntrackTable, type ConntrackSeed } from '../conntrack.ts';
import { ObjectTable, type KernelObject } from '../objects.ts';
import type { KernelProfile } from '../profiles.ts';
import { DEFAULT_SCENARIO } from '../scenario.ts';
import type { KernelServices } from '../services.ts';
import { World } from '../world.ts';
import { KFUNC_IMPLS } from './registry.ts';

export interface TestKernelOptions {
  readonly profile?: KernelProfile;
  readonly nrCpus?: number;
  readonly progType?: ProgType;
  readonly seed?: number;
  readonly conntrack?: readonly ConntrackSeed[];
  /** Scenario.failAllocationsAfter. */
  readonly failAllocationsAfter?: number;
}

export interface TestKernel {
  readonly k: KernelServices;
  readonly vm: Vm;
  readonly mem: GuestMemory;
  readonly objects: ObjectTable;
  readonly world: World;
  readonly conntrack: ConntrackTable;
  /** Runs kfunc `name` with r1.. = args; the result, or false after a fault. */
  call(name: string, ...args: readonly bigint[]): bigint | false;
  /** Like call, but throws (failing the test) on a fault. */
  ok(name: string, ...args: readonly bigint[]): bigint;
  /** Like call, but expects a fault and returns its message. */
  fault(name: string, ...args: readonly bigint[]): string;
  /** The object a returned pointer points to. */
  object(ptr: bigint): KernelObject | undefined;
  address(obj: KernelObject, offset?: number): bigint;
  /** A fresh writable region (kind `map-value` unless told) with `bytes` copied in. */
  region(bytes: Uint8Array | number, kind?: 'map-value' | 'stack'): { region: Region; ptr: bigint };
  /** CPUs set in the cpumask a pointer points to (a bpf_cpumask or a task's cpus_mask). */
  cpus(ptr: bigint): number[];
}

const EXIT: Insn = { kind: 'exit' };

export function testKernel(o: TestKernelOptions = {}): TestKernel {
  const profile = o.profile ?? 'linux-6.18';
  const nrCpus = o.nrCpus ?? 8;
  const mem = new GuestMemory();
  const objects = new ObjectTable(mem, profile === 'linux-6.18');
  const world = new World(objects, mem, o.failAllocationsAfter === undefined ? DEFAULT_SCENARIO : { ...DEFAULT_SCENARIO, failAllocationsAfter: o.failAllocationsAfter }, nrCpus);
  const conntrack = new ConntrackTable(objects, mem, o.conntrack ?? []);
  const vm = new Vm([EXIT], { memory: mem });
  let rng = (o.seed ?? 1) >>> 0 || 1;
  const services = {
    mem,
    profile,
    nrCpus,
    progType: o.progType ?? 'tp_btf',
    sleepable: false,
    objects,
    world,
    conntrack,
    cpu: 0,
    rcuDepth: 0,
    random(): number {
      rng ^= rng << 13;
      rng ^= rng >>> 17;
      rng ^= rng << 5;
      rng >>>= 0;
      return rng;
    },
    now: (): bigint => 1_000_000_000n,
  };
  // Maps, the trace pipe, callbacks and tail calls are not used by kfuncs.
  const k = services as unknown as KernelServices;
  const object = (ptr: bigint): KernelObject | undefined => objects.at(Number(ptr & 0xffffffffn) | 0, Number(ptr >> 32n) | 0);
  const call = (name: string, ...args: readonly bigint[]): bigint | false => {
    const impl = KFUNC_IMPLS[name];
    if (!impl) throw new Error(`no implementation of ${name}`);
    vm.faultInfo = undefined;
    args.forEach((a, i) => vm.setReg(i + 1, a));
    const r = impl(k, vm, 0);
    // r0 as the register holds it: a small number result is sign-extended to 64 bits.
    return typeof r === 'number' ? BigInt.asUintN(64, BigInt(r)) : r;
  };
  return {
    k,
    vm,
    mem,
    objects,
    world,
    conntrack,
    call,
    ok(name, ...args) {
      const r = call(name, ...args);
      if (r === false) throw new Error(`${name} faulted: ${vm.faultInfo?.message}`);
      return r;
    },
    fault(name, ...args) {
      const r = call(name, ...args);
      if (r !== false) throw new Error(`${name} returned ${r}, expected a fault`);
      return vm.faultInfo?.message ?? '';
    },
    object,
    address: (obj, offset = 0) => objects.address(obj, offset),
    region(bytes, kind = 'map-value') {
      const data = typeof bytes === 'number' ? new Uint8Array(bytes) : bytes;
      const region = mem.map(`${kind} ${mem.allRegions().length}`, kind, data.length);
      mem.bytes.set(data, region.start);
      const a = mem.addressOf(region);
      return { region, ptr: (BigInt(a.hi >>> 0) << 32n) | BigInt(a.lo >>> 0) };
    },
    cpus(ptr) {
      const off = mem.offsetOf(Number(ptr & 0xffffffffn) | 0, Number(ptr >> 32n) | 0);
      return world.cpusAt(off);
    },
  };
}
