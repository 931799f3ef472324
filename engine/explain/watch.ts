// The watcher of a run that shows a verifier refusal (issue 13): besides the faults the simulated
// memory catches, it stops an access Linux would make without a fault — outside the packet but
// inside the frame around it, outside a map value or ring buffer record but inside memory next
// to it, into a record already handed to user space, into a socket already released — and says
// what it was. The counterexample search runs every candidate under it; "Run it unverified" in
// the playground runs the counterexample under it too, so the run stops where the search said.
//
// It works by breakpoints: at every memory access, at the calls that hand memory out or take it
// back, and just after those (where r0 holds what was handed out). `pcs` are the breakpoints to
// set; `check` is called at each stop on one of them.

import type { Insn } from '../isa/index.ts';
import { helperDeclById } from '../kernel/helpers/registry.ts';
import { kfuncDecl } from '../kernel/kfuncs/ids.ts';
import type { Kernel } from '../kernel/kernel.ts';
import type { BuiltContext } from '../kernel/context.ts';
import type { MapDecl } from '../program/program.ts';
import type { RunStatus, Vm } from '../vm/index.ts';
import type { VerifyError } from '../verifier/api.ts';

function callName(insn: Insn | null | undefined): string | undefined {
  if (insn?.kind !== 'call') return undefined;
  if (insn.target === 'helper') return helperDeclById(insn.imm)?.name;
  if (insn.target === 'kfunc') return kfuncDecl(insn.imm)?.name;
  return undefined;
}

/** Memory a run was handed: a map value from a lookup, a ring buffer record from a reserve. */
interface Grant {
  readonly start: number;
  readonly size: number;
  readonly what: string;
}

/** A helper's memory argument: the register holding the pointer, and how its size is found. */
interface MemArg {
  readonly reg: number;
  readonly name: string;
  /** The size: the key or value size of the map in R1, or the value of the next register. */
  readonly size: 'map_key' | 'map_value' | { readonly reg: number };
  readonly write: boolean;
}

/** The refused access and the area the verifier believed its pointer was into (from its state there). */
export interface RefusedAccess {
  readonly pc: number;
  readonly area: 'meta' | 'packet';
}

/** The refused instruction's access, when it is a packet access whose base the verifier typed pkt or pkt_meta. */
export function refusedAccessOf(refusal: VerifyError, insns: readonly (Insn | null)[]): RefusedAccess | undefined {
  const pc = refusal.pc;
  const insn = pc === undefined ? undefined : insns[pc];
  if (pc === undefined || !insn || (insn.kind !== 'load' && insn.kind !== 'store' && insn.kind !== 'atomic')) return undefined;
  const state = refusal.states?.at(-1);
  const type = state?.pc === pc ? state.regs.find((r) => r.reg === insn.base)?.type : undefined;
  return type === 'pkt_meta' ? { pc, area: 'meta' } : type === 'pkt' ? { pc, area: 'packet' } : undefined;
}

/** What the watcher needs about the program: its memory accesses and the calls that hand out memory. */
export interface ProgramWatch {
  readonly accesses: ReadonlyMap<number, { readonly base: number; readonly off: number; readonly size: number; readonly write: boolean }>;
  /** Call pcs → the helper's name, for lookups and reserves. */
  readonly grants: ReadonlyMap<number, string>;
  /** Call pcs → the helper's name, for the calls that hand a ring buffer record back (submit, discard). */
  readonly returns: ReadonlyMap<number, string>;
  /** Call pcs → the helper's memory arguments (what it reads or writes through pointers the program passes). */
  readonly helperMem: ReadonlyMap<number, { readonly helper: string; readonly args: readonly MemArg[] }>;
}

export function programWatch(insns: readonly (Insn | null)[]): ProgramWatch {
  const accesses = new Map<number, { base: number; off: number; size: number; write: boolean }>();
  const grants = new Map<number, string>();
  const returns = new Map<number, string>();
  const helperMem = new Map<number, { helper: string; args: MemArg[] }>();
  insns.forEach((insn, pc) => {
    if (!insn) return;
    if (insn.kind === 'call' && insn.target === 'helper') {
      const d = helperDeclById(insn.imm);
      const args: MemArg[] = [];
      d?.args.forEach((a, i) => {
        const next = d.args[i + 1];
        if (a.type === 'ptr_to_map_key') args.push({ reg: i + 1, name: a.name, size: 'map_key', write: false });
        else if (a.type === 'ptr_to_map_value') args.push({ reg: i + 1, name: a.name, size: 'map_value', write: false });
        else if ((a.type === 'ptr_to_mem' || a.type === 'ptr_to_uninit_mem' || a.type === 'ptr_to_mem_or_null') && (next?.type === 'const_size' || next?.type === 'const_size_or_zero')) {
          args.push({ reg: i + 1, name: a.name, size: { reg: i + 2 }, write: a.type === 'ptr_to_uninit_mem' });
        }
      });
      if (d && args.length) helperMem.set(pc, { helper: d.name, args });
    }
    if (insn.kind === 'load') accesses.set(pc, { base: insn.base, off: insn.off, size: insn.size, write: false });
    else if (insn.kind === 'store' || insn.kind === 'atomic') accesses.set(pc, { base: insn.base, off: insn.off, size: insn.size, write: true });
    const name = callName(insn);
    if (name === 'bpf_map_lookup_elem' || name === 'bpf_map_lookup_percpu_elem' || name === 'bpf_ringbuf_reserve') grants.set(pc, name);
    if (name === 'bpf_ringbuf_submit' || name === 'bpf_ringbuf_discard') returns.set(pc, name);
  });
  return { accesses, grants, returns, helperMem };
}

export interface WatchOptions {
  readonly vm: Vm;
  readonly kernel: Kernel;
  readonly context: BuiltContext;
  readonly maps: readonly MapDecl[];
  /** An instruction's place in words (`line 7`, `insn 7`). */
  readonly where: (pc: number) => string;
  /** The refused access and the area its pointer was into, when the refusal is such an access. */
  readonly refused?: RefusedAccess;
}

/** The fault a watched run stops with at a problem its watcher found: what Linux does there, and why this run stops. */
export function watchedFault(problem: { readonly pc: number; readonly plain: string }): string {
  return `pc ${problem.pc}: ${problem.plain}; this run stops here to show the access the verifier refused`;
}

/** One run's watcher (see the top of the file). */
export class AccessWatch {
  /** The breakpoints to set. */
  readonly pcs: readonly number[];
  private readonly mem: Kernel['mem'];
  private readonly pkt: BuiltContext['xdp'] | BuiltContext['skb'];
  /** Memory the run was handed and still holds. */
  private readonly grants: Grant[] = [];
  /** Ring buffer records the program submitted or discarded: user space may be reading them (or the space reused). */
  private readonly handedBack: (Grant & { readonly how: string })[] = [];
  /** The instruction after each call that hands memory out → that call. */
  private readonly after = new Map<number, number>();
  private pending: { readonly pc: number; readonly what: string; readonly size: number } | undefined;

  constructor(
    private readonly program: ProgramWatch,
    private readonly o: WatchOptions,
  ) {
    this.mem = o.kernel.mem;
    this.pkt = o.context.xdp ?? o.context.skb;
    for (const pc of program.grants.keys()) this.after.set(pc + 1, pc);
    this.pcs = [...new Set([...program.accesses.keys(), ...program.grants.keys(), ...this.after.keys(), ...program.helperMem.keys(), ...program.returns.keys()])];
  }

  private mapOf(ptr: bigint): MapDecl | undefined {
    const { mem } = this;
    const maps = this.o.maps;
    const region = mem.regionAt(mem.offsetOf(Number(ptr & 0xffffffffn) | 0, Number((ptr >> 32n) & 0xffffffffn) | 0));
    const name = region?.name.replace(/^struct bpf_map /, '');
    return maps.find((m) => m.name === name);
  }
  /**
   * An access of `size` bytes at arena offset `at` outside the packet or outside what the run
   * was handed, in words; undefined when inside. `area` is the area the verifier believed the
   * pointer was into (known at the refused access): the metadata (data_meta..data) or the packet.
   */
  private outside(at: number, size: number, verb: string, through: string, area?: RefusedAccess['area']): string | undefined {
    const { mem, pkt, grants, handedBack } = this;
    const { kernel, where } = this.o;
    const region = at >= 0 ? mem.regionAt(at) : undefined;
    // Only the packet's own region: an skb head bpf_skb_pull_data left behind faults by itself (stale pointer).
    if (region && region.kind === 'packet' && pkt && mem.regionAt(pkt.data) === region) {
      const lo = Math.min(pkt.dataMeta, pkt.data);
      const meta = Math.max(0, pkt.data - pkt.dataMeta);
      if (area === 'meta' && (at < pkt.dataMeta || at + size > pkt.data)) {
        return `${verb} at offset ${at - pkt.dataMeta} of the ${meta} byte${meta === 1 ? '' : 's'} of metadata (data_meta..data), through ${through}: outside the metadata, ${at + size > pkt.data ? `into the packet's first bytes, ${verb.startsWith('writes') ? 'overwriting them' : 'taking them for metadata'}` : 'into the headroom in front of it'}, without a fault`;
      }
      if (area === 'packet' && at < pkt.data && at + size > lo) {
        return `${verb} at offset ${at - pkt.data} of a ${pkt.dataEnd - pkt.data}-byte packet (data..data_end), through ${through}: in front of the packet, in its ${meta} bytes of metadata, without a fault`;
      }
      // No access the verifier allows crosses data: a metadata access ends at it, a packet access starts at it.
      const straddles = at < pkt.data && at + size > pkt.data && lo < pkt.data;
      if (at < lo || at + size > pkt.dataEnd || straddles) {
        const len = pkt.dataEnd - pkt.data;
        if (straddles && at >= lo && at + size <= pkt.dataEnd) return `${verb} at offset ${at - pkt.data} of a ${len}-byte packet, through ${through}: across the end of the ${meta} bytes of metadata into the packet, without a fault`;
        return `${verb} at offset ${at - pkt.data} of a ${len}-byte packet (data..data_end), through ${through}: outside the packet but inside the frame around it, so Linux goes on without a fault, reading or writing bytes that are not the packet's`;
      }
    }
    const released = at >= 0 ? kernel.sockets.releasedAt(at) : undefined;
    if (released) {
      return `${verb} at offset ${at - released.socket.object.region.start} of ${released.socket.object.label}, through ${through}, after bpf_sk_release at ${where(released.pc)} gave back the program's reference: the socket is no longer the program's (it may be closed and its memory reused), and Linux does not fault`;
    }
    const back = region?.kind === 'ringbuf' ? handedBack.find((g) => at + size > g.start && at < g.start + g.size) : undefined;
    if (back) {
      return `${verb} at offset ${at - back.start} of the ${back.size}-byte ring buffer record, through ${through}, after ${back.how} handed it to user space: the record is no longer the program's (user space may be reading it, or its space is reused), and Linux does not fault`;
    }
    if (region && (region.kind === 'map-value' || region.kind === 'ringbuf') && grants.length) {
      const inside = grants.some((g) => at >= g.start && at + size <= g.start + g.size);
      if (!inside) {
        const near = grants.reduce((b, g) => (Math.abs(at - g.start) < Math.abs(at - b.start) ? g : b));
        return `${verb} at offset ${at - near.start} of the ${near.size}-byte ${near.what}, through ${through}: outside it but inside memory next to it, so Linux goes on without a fault`;
      }
    }
    return undefined;
  }

  /**
   * Runs a watched VM on from `status`, what its last run returned: at each stop on one of `pcs`
   * it checks the access or call, and ends the run with a fault there (watchedFault) or resumes
   * it with `resume`. A stop at one of `keep` (the debugger's own breakpoints) is returned as it is.
   */
  drive(status: RunStatus, resume: () => RunStatus, keep?: ReadonlySet<number>): RunStatus {
    const { vm } = this.o;
    let s = status;
    while (s === 'breakpoint') {
      const problem = this.check();
      if (problem) return vm.faultHere('memory', watchedFault(problem));
      if (keep?.has(vm.pc)) return s;
      s = resume();
    }
    return s;
  }

  /**
   * At a stop on one of `pcs`: follows what the run was handed and given back, and checks the
   * access or helper call about to run; the problem in words, or undefined when there is none.
   */
  check(): { readonly pc: number; readonly via: 'access' | 'helper'; readonly plain: string } | undefined {
    const { vm } = this.o;
    const { mem, grants, handedBack, after } = this;
    const watch = this.program;
    const pc = vm.pc;
    const from = after.get(pc);
    const pending = this.pending;
    if (pending && from === pending.pc && vm.depth >= 0) {
      const r0 = vm.reg(0);
      const at = mem.offsetOf(Number(r0 & 0xffffffffn) | 0, Number((r0 >> 32n) & 0xffffffffn) | 0);
      if (at >= 0) grants.push({ start: at, size: pending.size, what: pending.what });
      this.pending = undefined;
    }
    const call = watch.grants.get(pc);
    if (call) {
      if (call === 'bpf_ringbuf_reserve') this.pending = { pc, what: 'ring buffer record', size: Number(vm.reg(2) & 0xffffffffn) };
      else {
        const decl = this.mapOf(vm.reg(1));
        if (decl) this.pending = { pc, what: `value of map ${decl.name}`, size: decl.valueSize };
      }
    }
    const giveBack = watch.returns.get(pc);
    if (giveBack) {
      const r1 = vm.reg(1);
      const at = mem.offsetOf(Number(r1 & 0xffffffffn) | 0, Number((r1 >> 32n) & 0xffffffffn) | 0);
      const i = grants.findIndex((g) => g.start === at);
      const g = grants[i];
      if (g) {
        grants.splice(i, 1);
        handedBack.push({ ...g, how: giveBack });
      }
    }
    // A helper's memory arguments: what it will read or write, before it runs.
    const h = watch.helperMem.get(pc);
    if (h) {
      for (const arg of h.args) {
        const ptr = vm.reg(arg.reg);
        if (ptr === 0n) continue;
        const m = typeof arg.size === 'string' ? this.mapOf(vm.reg(1)) : undefined;
        const size = typeof arg.size === 'string' ? (arg.size === 'map_key' ? m?.keySize : m?.valueSize) : Number(BigInt.asUintN(32, vm.reg(arg.size.reg)));
        if (!size) continue;
        const at = mem.offsetOf(Number(ptr & 0xffffffffn) | 0, Number(ptr >> 32n) | 0);
        const what = this.outside(at, size, `makes ${h.helper} ${arg.write ? 'write' : 'read'} ${size} byte${size === 1 ? '' : 's'} (its ${arg.name})`, `R${arg.reg}`);
        if (what) return { pc, via: 'helper', plain: what };
      }
    }
    const a = watch.accesses.get(pc);
    if (a) {
      const base = vm.reg(a.base);
      const addr = (base + BigInt(a.off)) & 0xffffffffffffffffn;
      const at = mem.offsetOf(Number(addr & 0xffffffffn) | 0, Number(addr >> 32n) | 0);
      const refused = this.o.refused;
      const what = this.outside(at, a.size, `${a.write ? 'writes' : 'reads'} ${a.size} byte${a.size === 1 ? '' : 's'}`, `R${a.base}`, refused?.pc === pc ? refused.area : undefined);
      if (what) return { pc, via: 'access', plain: what };
    }
    return undefined;
  }
}
