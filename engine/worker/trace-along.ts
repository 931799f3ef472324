// "Beliefs beside reality": the program run unverified on the current input, its registers
// recorded the first time each chosen instruction (the verifier's failing path) is reached, so
// the Verifier panel can show what the interpreter saw beside what the verifier believed.

import { loadProgram, type PipelineRequest } from '../load/load.ts';
import type { LoadedProgram } from '../kernel/loader.ts';
import { GUEST_BASE_HI, type Vm } from '../vm/index.ts';
import { startTraffic, trafficSetup } from './nic-session.ts';
import type { ConcreteReg, ConcreteStep, TraceAlongReply } from './protocol.ts';

/** Instructions a traced run may execute (a path of interest is reached long before). */
export const TRACE_LIMIT = 1_000_000;

const hex64 = (v: bigint): string => `0x${v.toString(16).padStart(16, '0')}`;

/** A register's value, and the guest region it points into when it is a pointer. */
export function concreteReg(program: LoadedProgram, reg: number, v: bigint): ConcreteReg {
  const base = { reg, hex: hex64(v), unsigned: v.toString(), signed: BigInt.asIntN(64, v).toString() };
  if ((Number(v >> 32n) | 0) !== GUEST_BASE_HI) return base;
  const off = Number(v & 0xffffffffn);
  const vm = program.vm;
  const region = vm.mem.regionAt(off) ?? vm.mem.regionAt(off - 1);
  return region ? { ...base, region: region.name + (region.freed ? ' (freed)' : ''), offset: off - region.start } : base;
}

function regsOf(program: LoadedProgram, vm: Vm): ConcreteReg[] {
  return Array.from({ length: 11 }, (_, r) => concreteReg(program, r, vm.reg(r)));
}

/**
 * Loads `request` without the verifier (on the NIC: with the traffic's first frame) and runs it
 * to its end, a fault or `limit` instructions, stopping at each of `pcs` the first time. With
 * `follow`, `pcs` is a path from the first instruction: the run is stepped along it and its
 * registers recorded at each step for as long as it takes the same way (only there may a value be
 * held against what the verifier believed on that path); then as without.
 */
export function traceAlong(request: PipelineRequest, pcs: readonly number[], nic: { traffic: unknown; pcap?: Uint8Array } | undefined, follow = false, limit = TRACE_LIMIT): TraceAlongReply {
  const steps: ConcreteStep[] = [];
  let followed = 0;
  try {
    const r = loadProgram({ ...request, verify: false, maxInsns: Math.min(request.maxInsns, limit) });
    if (!r.ok) return { ok: false, steps, followed, end: 'error', message: r.problems[0]?.message ?? 'the program could not be loaded' };
    const program = r.program;
    if (nic) {
      const t = trafficSetup(nic.traffic, nic.pcap);
      if (!t.ok) return { ok: false, steps, followed, end: 'error', message: t.errors[0] ?? 'the traffic profile is invalid' };
      const started = startTraffic(program, t.setup);
      if (!started.ok) return { ok: false, steps, followed, end: 'error', message: started.errors[0] ?? 'the traffic could not start' };
    }
    const vm = program.vm;
    const wanted = new Set(pcs);
    // Along the path, one instruction at a time, for as long as the run takes it.
    while (follow && followed < pcs.length && !vm.finished && vm.pc === pcs[followed]) {
      steps.push({ pc: vm.pc, index: followed, regs: regsOf(program, vm) });
      wanted.delete(vm.pc);
      // The path's last instruction (the refused one) is recorded, not run.
      if (++followed < pcs.length) vm.step();
    }
    if (follow && followed === pcs.length) return { ok: true, steps, followed, end: 'reached' };
    const take = (): void => {
      if (!wanted.delete(vm.pc)) return;
      steps.push({ pc: vm.pc, regs: regsOf(program, vm) });
    };
    if (!vm.finished) take();
    vm.setBreakpoints(wanted);
    let status = vm.finished ? vm.status : vm.run();
    while (status === 'breakpoint' || status === 'paused') {
      if (status === 'breakpoint') {
        take();
        vm.setBreakpoints(wanted);
      }
      if (!wanted.size) break;
      status = vm.run();
    }
    if (!wanted.size && !vm.finished) return { ok: true, steps, followed, end: 'reached' };
    if (status === 'exited') return { ok: true, steps, followed, end: 'exited' };
    const fault = vm.faultInfo;
    if (fault?.kind === 'budget') return { ok: true, steps, followed, end: 'limit', message: fault.message };
    return { ok: true, steps, followed, end: 'fault', message: fault?.message ?? `stopped: ${status}` };
  } catch (e) {
    return { ok: false, steps, followed, end: 'error', message: `internal error while tracing: ${e instanceof Error ? e.message : String(e)}` };
  }
}
