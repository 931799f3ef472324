// The simulated kernel of one loaded program: its objects, maps, scenario, trace pipe and
// clock, and the VmHost through which the program calls helpers and kfuncs. Calls are checked
// against the declarations (does it exist in this profile, may this program type call it)
// before an implementation runs.

import type { MapDecl, ProgType } from '../program/program.ts';
import type { GuestMemory, Vm, VmHost } from '../vm/index.ts';
import { ConntrackTable } from './conntrack.ts';
import { SocketTable } from './sockets.ts';
import type { HelperDecl, KfuncDecl } from './decls.ts';
import { helperName } from './helpers/ids.ts';
import { helperDeclById, helperImpl } from './helpers/registry.ts';
import { helperProgTypes } from './helpers/prototypes.ts';
import { kfuncDecl } from './kfuncs/ids.ts';
import { KFUNC_IMPLS } from './kfuncs/registry.ts';
import { MapSet, type BpfMap } from './maps/map-set.ts';
import { parseHex } from './maps/hex.ts';
import { ObjectTable, type HeldReference } from './objects.ts';
import type { KernelProfile } from './profiles.ts';
import { formatCpuList, type ConcurrentWrite, type Scenario } from './scenario.ts';
import { FUNC_BASE_HI, FUNC_BASE_LO, noRedirect, type CallImpl, type KernelServices, type RedirectTarget } from './services.ts';
import { TracePipe } from './trace/pipe.ts';
import { World } from './world.ts';
import type { SkBuff } from './skb.ts';
import type { XdpBuff } from './xdp-buff.ts';

export interface KernelOptions {
  readonly mem: GuestMemory;
  readonly profile: KernelProfile;
  readonly nrCpus: number;
  readonly progType: ProgType;
  readonly sleepable: boolean;
  readonly maps: readonly MapDecl[];
  readonly scenario: Scenario;
  /** Seed of bpf_get_prandom_u32 and the *_distribute kfuncs. */
  readonly seed: number;
  /** The CPU the program runs on (default 0). */
  readonly cpu?: number;
  /** Virtual nanoseconds at the start of the run. */
  readonly bootNs?: bigint;
}

export interface Leak {
  readonly refId: number;
  readonly object: string;
  readonly pc: number;
  readonly via: string;
  /** As the verifier words it: `Unreleased reference id=N alloc_insn=PC`. */
  readonly message: string;
}

/** Why a call is not allowed, in the kernel's words, or undefined when it is. */
export function helperRefusal(d: HelperDecl | undefined, id: number, progType: ProgType, profile: KernelProfile): string | undefined {
  if (!d) {
    const name = helperName(id);
    if (name === undefined) return `invalid func unknown#${id}`;
    // bpf_unspec (0) has a name but no prototype in any program type: Linux's words exactly.
    if (id === 0) return `program of this type cannot use helper ${name}#${id}`;
    // A real helper the simulated kernel has no prototype for: whether Linux allows it in this
    // program type is not known here, so say that rather than guess.
    return `helper ${name}#${id} is not part of the simulated kernel (no prototype is declared for it)`;
  }
  const allowed = helperProgTypes(d, profile);
  if (allowed !== 'any' && !allowed.includes(progType)) return `program of this type cannot use helper ${d.name}#${d.id}`;
  return undefined;
}

export function kfuncRefusal(d: KfuncDecl | undefined, id: number, profile: KernelProfile, progType: ProgType, sleepable: boolean): string | undefined {
  if (!d) return `kernel btf_id ${id} is not a function`;
  const p = d.profiles[profile];
  if (!p) {
    const other = Object.keys(d.profiles).join(', ');
    // Linux never sees such a program: libbpf fails to resolve the extern first.
    return `kfunc ${d.name} does not exist in ${profile} (it exists in ${other}); libbpf: extern (func ksym) '${d.name}': not found in kernel or module BTFs`;
  }
  if (!p.progTypes.includes(progType)) return `calling kernel function ${d.name} is not allowed`;
  if (p.flags.includes('KF_SLEEPABLE') && !sleepable) return `program must be sleepable to call sleepable kfunc ${d.name}`;
  return undefined;
}

export class Kernel implements KernelServices {
  readonly mem: GuestMemory;
  readonly profile: KernelProfile;
  readonly nrCpus: number;
  /** The type of the program running now (the NIC runs xdp and tc programs in one kernel). */
  progType: ProgType;
  readonly sleepable: boolean;
  readonly objects: ObjectTable;
  readonly world: World;
  readonly maps: MapSet;
  readonly conntrack: ConntrackTable;
  readonly sockets: SocketTable;
  readonly trace = new TracePipe();
  /** The CPU the program runs on (the NIC runs each RX queue on its own CPU). */
  cpu: number;
  rcuDepth = 0;
  readonly redirectTo: RedirectTarget = noRedirect();
  /** The frame of an XDP program (made by the loader for xdp programs). */
  xdp: XdpBuff | undefined;
  /** The skb of a tc program. */
  skb: SkBuff | undefined;
  /** Virtual ns at the start of the current run: boot + 1 s, or when the NIC received the packet. */
  clockNs: number;
  private rng: number;
  /** Programs of the file a tail call may enter (set by the loader). */
  programNames: ReadonlySet<string> = new Set();

  constructor(o: KernelOptions) {
    this.mem = o.mem;
    this.profile = o.profile;
    this.nrCpus = o.nrCpus;
    this.progType = o.progType;
    this.sleepable = o.sleepable;
    this.cpu = Math.min(o.cpu ?? 0, o.nrCpus - 1);
    this.clockNs = Number(o.bootNs ?? 1_000_000_000n);
    this.rng = (o.seed >>> 0) || 1;
    // 6.18 frees bpf_cpumasks after an RCU grace period (bpf_mem_cache_free_rcu); 6.3 at once.
    this.objects = new ObjectTable(o.mem, o.profile === 'linux-6.18');
    this.world = new World(this.objects, o.mem, o.scenario, o.nrCpus);
    this.maps = new MapSet(o.mem, o.maps, {
      nrCpus: o.nrCpus,
      cpu: () => this.cpu,
      dropKptr: (ptr) => this.dropKptr(ptr),
      describeKptr: (ptr) => {
        const obj = this.objects.at(Number(ptr & 0xffffffffn) | 0, Number(ptr >> 32n) | 0);
        if (!obj) return undefined;
        // A mask also says which CPUs it holds, as the cpumask grid would.
        const cpus = obj.type === 'bpf_cpumask' && obj.state !== 'freed' ? `, CPUs ${formatCpuList(this.world.cpusAt(obj.region.start), this.nrCpus)}` : '';
        return `${obj.label} (refcount ${this.objects.refcount(obj)}${obj.state === 'live' ? '' : `, ${obj.state}`}${cpus})`;
      },
    });
    this.conntrack = new ConntrackTable(this.objects, o.mem, o.scenario.conntrack ?? []);
    this.sockets = new SocketTable(this.objects, o.mem, o.scenario.sockets ?? []);
    this.concurrent = this.checkConcurrentWrites(o.scenario.concurrentWrites ?? []);
  }

  /** Scenario.concurrentWrites by the call they come before, keys and values as bytes. */
  private readonly concurrent: ReadonlyMap<number, readonly { readonly map: BpfMap; readonly key: Uint8Array; readonly value?: Uint8Array }[]>;
  /** What is wrong with the scenario's concurrentWrites for these maps (the loader refuses the scenario). */
  readonly concurrentProblems: string[] = [];
  /** Helper and kfunc calls made in this run so far (Scenario.concurrentWrites counts them; `enter` and the end of a run start again). */
  private callsThisRun = 0;

  private checkConcurrentWrites(writes: readonly ConcurrentWrite[]): Map<number, { map: BpfMap; key: Uint8Array; value?: Uint8Array }[]> {
    const out = new Map<number, { map: BpfMap; key: Uint8Array; value?: Uint8Array }[]>();
    writes.forEach((w, i) => {
      const map = this.maps.byName(w.map);
      const key = parseHex(w.key);
      const value = w.value === undefined ? undefined : parseHex(w.value);
      const where = `concurrentWrites[${i}]`;
      if (!map) return void this.concurrentProblems.push(`${where}: the program has no map '${w.map}'`);
      if (!key || key.length !== map.decl.keySize) return void this.concurrentProblems.push(`${where}: map ${w.map} has ${map.decl.keySize}-byte keys, not ${key?.length ?? 0}`);
      if (w.value !== undefined && (!value || value.length !== map.decl.valueSize)) return void this.concurrentProblems.push(`${where}: map ${w.map} has ${map.decl.valueSize}-byte values, not ${value?.length ?? 0}`);
      out.set(w.beforeCall, [...(out.get(w.beforeCall) ?? []), { map, key, ...(value ? { value } : {}) }]);
    });
    return out;
  }

  /** Before each helper or kfunc call: the writes another CPU or user space makes at this point (Scenario.concurrentWrites). */
  private beforeCall(): void {
    const writes = this.concurrent.get(++this.callsThisRun);
    if (!writes) return;
    for (const w of writes) {
      if (w.value) w.map.update(w.key, w.value, 0n);
      else w.map.delete(w.key);
    }
  }

  /** A map let go of a kptr (overwrite, delete, teardown): its dtor releases the object. */
  private dropKptr(ptr: bigint): void {
    const lo = Number(ptr & 0xffffffffn) | 0;
    const hi = Number(ptr >> 32n) | 0;
    const obj = this.objects.at(lo, hi);
    if (obj && obj.state === 'live') this.objects.put(obj);
  }

  random(): number {
    // xorshift32: deterministic per seed, so a shared link replays the same choices.
    let x = this.rng;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.rng = x >>> 0;
    return this.rng;
  }

  /** The virtual clock: one nanosecond per instruction run, from clockNs. */
  now(vm: Vm): bigint {
    return BigInt(this.clockNs + vm.count);
  }

  callback(vm: Vm, pc: number, target: number, args: readonly bigint[]): bigint | false {
    return vm.invokeCallback(pc, target, args);
  }

  tailCall(vm: Vm, _pc: number, section: string): boolean {
    if (!this.programNames.has(section)) return false;
    return vm.requestTailCall(section);
  }

  functionAt(lo: number, hi: number): number | undefined {
    if ((hi | 0) !== FUNC_BASE_HI) return undefined;
    const d = (lo >>> 0) - (FUNC_BASE_LO >>> 0);
    return d >= 0 && d % 8 === 0 ? d / 8 : undefined;
  }

  /** Makes a program's context the current one: its type, and its frame or skb for the helpers. */
  enter(progType: ProgType, context: { readonly xdp?: XdpBuff; readonly skb?: SkBuff }): void {
    this.progType = progType;
    // A run of its own (each packet on the NIC): Scenario.concurrentWrites count its calls from 1.
    this.callsThisRun = 0;
    this.xdp = context.xdp;
    this.skb = context.skb;
  }

  private resolveHelper(id: number): CallImpl | string {
    const d = helperDeclById(id);
    const refusal = helperRefusal(d, id, this.progType, this.profile);
    if (refusal || !d) return refusal ?? `unknown func #${id}`;
    return helperImpl(d.name) ?? `helper ${d.name} (${id}) is not available in the simulated kernel yet`;
  }

  private resolveKfunc(id: number): CallImpl | string {
    const d = kfuncDecl(id);
    const refusal = kfuncRefusal(d, id, this.profile, this.progType, this.sleepable);
    if (refusal || !d) return refusal ?? `unknown kfunc #${id}`;
    return KFUNC_IMPLS[d.name] ?? `kfunc ${d.name} is not implemented in the simulated kernel yet`;
  }

  /**
   * The VmHost the VM calls. Both tiers call a site's implementation as `bind` resolved it for
   * the program type (the bind key: another type rebinds); `helper` and `kfunc` are the long way
   * — resolve, then run — taken where `bind` found nothing to bind, which gives the refusal.
   */
  host(): VmHost {
    const concurrent = this.concurrent.size > 0;
    const run = (impl: CallImpl | string, kind: 'helper' | 'kfunc', vm: Vm, pc: number): boolean => {
      if (typeof impl === 'string') return vm.fail(pc, kind, `pc ${pc}: ${impl}`);
      if (concurrent) this.beforeCall();
      const r = impl(this, vm, pc);
      if (r === false) return false;
      if (typeof r === 'number') vm.setRegSmall(0, r);
      else vm.setReg(0, r);
      return true;
    };
    const host: VmHost = {
      bind: (kind, id) => {
        const impl = kind === 'helper' ? this.resolveHelper(id) : this.resolveKfunc(id);
        if (typeof impl === 'string') return undefined;
        // Only a scenario with concurrent writes counts calls: every other run calls the implementation directly.
        if (!concurrent) return impl.bind(undefined, this);
        return (vm: Vm, pc: number) => {
          this.beforeCall();
          return impl(this, vm, pc);
        };
      },
      bindKey: () => this.progType,
      helper: (id, vm, pc) => run(this.resolveHelper(id), 'helper', vm, pc),
      kfunc: (id, _off, vm, pc) => run(this.resolveKfunc(id), 'kfunc', vm, pc),
    };
    return host;
  }

  /**
   * At program exit: references the program still holds are leaks (the verifier's
   * "Unreleased reference"), and the RCU grace period ends.
   */
  finishRun(): Leak[] {
    const leaks: Leak[] = this.objects.heldReferences().map((r: HeldReference) => ({
      refId: r.id,
      object: r.object.label,
      pc: r.pc,
      via: r.via,
      message: `Unreleased reference id=${r.id} alloc_insn=${r.pc}`,
    }));
    // A ring buffer record reserved but neither submitted nor discarded is a leak too.
    for (const o of this.maps.outstanding()) {
      leaks.push({ refId: 0, object: `a ${o.size}-byte record of ring buffer ${o.map}`, pc: o.pc, via: 'bpf_ringbuf_reserve', message: `Unreleased reference (ringbuf record) alloc_insn=${o.pc}` });
    }
    this.objects.endGracePeriod();
    this.maps.endOfRun();
    this.callsThisRun = 0;
    return leaks;
  }
}

export { helperDeclById };
