// `raw` programs, the bpf_conformance convention: no context, r1 = pointer to the input
// memory (or 0), r2 = its length. Used by `bpfp run`, the conformance suite and the tests.

import { decodeProgram, type Insn, type IsaLevel } from '../isa/index.ts';
import { checkRunnable } from '../program/structure.ts';
import type { Region } from './memory.ts';
import { Vm, type Fault, type VmHost, type VmTier } from './vm.ts';

export interface RawRunOptions {
  readonly mem?: Uint8Array;
  /** Kernel services; default: `rawHost` (bpf_ktime_get_ns and legacy packet loads only). */
  readonly host?: VmHost;
  readonly maxInsns?: number;
  readonly isa?: IsaLevel;
  /** Superinstructions on (default) or off; results must not differ. */
  readonly superinstructions?: boolean;
  /** The compiled tier on (default) or off; results must not differ. */
  readonly compile?: boolean;
  /** The tier that runs it (see VmOptions.tier); results must not differ. */
  readonly tier?: VmTier;
}

export interface RawProblem {
  readonly pc: number;
  readonly message: string;
}

export type RawRunResult =
  | {
      readonly ok: true;
      readonly r0: bigint;
      readonly insns: number;
      /** Of `insns`, those the WebAssembly tier ran (the rest the interpreter or the compiled tier). */
      readonly wasmInsns: number;
    }
  | {
      readonly ok: false;
      /** load: rejected before running (decode or structure); run: faulted; internal: our bug. */
      readonly stage: 'load' | 'run' | 'internal';
      /** The first problem's message. */
      readonly error: string;
      readonly errors: readonly RawProblem[];
      readonly insns: number;
      readonly fault?: Fault;
    };

/**
 * The kernel services a raw program may use: bpf_ktime_get_ns (5) reads a virtual clock of
 * one nanosecond per executed instruction, so runs are deterministic; LD_ABS/LD_IND read the
 * input memory. Anything else faults with the helper's number.
 */
export function rawHost(input: () => Region | undefined): VmHost {
  return {
    helper(id, vm, pc) {
      if (id === 5) {
        vm.setReg(0, BigInt(vm.count));
        return true;
      }
      return vm.fail(pc, 'helper', `pc ${pc}: helper ${id} is not available to raw programs (only bpf_ktime_get_ns, 5)`);
    },
    kfunc: (id, _off, vm, pc) => vm.fail(pc, 'kfunc', `pc ${pc}: kfunc ${id} is not available to raw programs`),
    packet() {
      const r = input();
      return r ? { start: r.start, length: r.size } : undefined;
    },
  };
}

/** A host given by the caller reads legacy packet loads from the input too. */
function withPacket(host: VmHost | undefined, input: () => Region | undefined): VmHost | undefined {
  if (!host) return undefined;
  return {
    helper: (id, vm, pc) => host.helper(id, vm, pc),
    kfunc: (id, off, vm, pc) => host.kfunc(id, off, vm, pc),
    packet: (vm) => {
      const r = input();
      return host.packet?.(vm) ?? (r ? { start: r.start, length: r.size } : undefined);
    },
  };
}

/** A VM for a raw program with its input mapped (r1/r2 set). */
export function createRawVm(insns: readonly (Insn | null)[], options: RawRunOptions = {}): Vm {
  let input: Region | undefined;
  const vm = new Vm(insns, {
    host: withPacket(options.host, () => input) ?? rawHost(() => input),
    ...(options.maxInsns ? { maxInsns: options.maxInsns } : {}),
    ...(options.superinstructions === undefined ? {} : { superinstructions: options.superinstructions }),
    ...(options.compile === undefined ? {} : { compile: options.compile }),
    ...(options.tier === undefined ? {} : { tier: options.tier }),
  });
  if (options.mem) {
    input = vm.mem.map('input', 'input', options.mem.length);
    vm.mem.bytes.set(options.mem, input.start);
  }
  // Reset keeps the input where it is but restores its bytes and r1/r2.
  const region = input;
  const original = options.mem ? Uint8Array.from(options.mem) : undefined;
  vm.onReset = () => {
    if (region && original) vm.mem.bytes.set(original, region.start);
    prepareRaw(vm, region);
  };
  vm.reset();
  return vm;
}

function prepareRaw(vm: Vm, input: Region | undefined): void {
  if (input) vm.setRegPointer(1, input);
  else vm.setReg(1, 0n);
  vm.setReg(2, BigInt(input?.size ?? 0));
}

/** Decodes, checks and runs a raw program; never throws. */
export function runRaw(bytes: Uint8Array, options: RawRunOptions = {}): RawRunResult {
  const failure = (stage: 'load' | 'run' | 'internal', errors: RawProblem[], insns: number, fault?: Fault): RawRunResult => ({
    ok: false,
    stage,
    error: errors[0]?.message ?? 'failed',
    errors,
    insns,
    ...(fault ? { fault } : {}),
  });
  try {
    const decoded = decodeProgram(bytes, options.isa ?? 4);
    if (decoded.errors.length) return failure('load', decoded.errors.map((e) => ({ pc: e.pc, message: e.message })), 0);
    const structural = checkRunnable(decoded.insns);
    if (structural.length) return failure('load', structural.map((e) => ({ pc: e.pc, message: `pc ${e.pc}: ${e.message}` })), 0);
    const vm = createRawVm(decoded.insns, options);
    const status = vm.run();
    if (status === 'exited') return { ok: true, r0: vm.reg(0), insns: vm.count, wasmInsns: vm.wasmInsns };
    const fault = vm.faultInfo;
    return failure('run', [{ pc: fault?.pc ?? vm.pc, message: fault?.message ?? `stopped: ${status}` }], vm.count, fault);
  } catch (e) {
    return failure('internal', [{ pc: 0, message: `internal error: ${e instanceof Error ? e.message : String(e)}` }], 0);
  }
}
