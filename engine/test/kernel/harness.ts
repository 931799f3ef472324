// Wraps a generated body for its two runs: as an XDP program for the kernel, whose 64-bit r0
// comes back through the packet, and as a raw program for our interpreter, which returns r0.

import { slotCount, type Insn, type Reg } from '../../isa/index.ts';

/** The input frame: test_run refuses packets shorter than ETH_HLEN (net/bpf/test_run.c bpf_test_init). */
export const PACKET_BYTES = 64;
/** Registers a body's prologue loads, in order (generate.ts: one lddw each). */
const PROLOGUE_REGS: readonly Reg[] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
/** Packet layout of inputPacketProgram: r0's result at 0, then the initial r0..r8. */
const INPUTS_AT = 8;

const movReg = (dst: Reg, src: Reg): Insn => ({ kind: 'alu', width: 64, op: 'mov', dst, src: { type: 'reg', reg: src } });
const addImm = (dst: Reg, imm: number): Insn => ({ kind: 'alu', width: 64, op: 'add', dst, src: { type: 'imm', imm } });

/**
 * Loads data (r2) and data_end (r3) from the xdp_md in r9 and compares data + `bytes` with
 * data_end; the jump after it (off `skip`) is taken when the packet is too short. The verifier
 * demands this check before any packet access (verifier.c check_packet_access).
 */
function packetCheck(bytes: number, skip: number): Insn[] {
  return [
    // struct xdp_md: data at offset 0, data_end at offset 4 (u32 fields the verifier rewrites
    // into the real pointers).
    { kind: 'load', size: 4, signExtend: false, dst: 2, base: 9, off: 0 },
    { kind: 'load', size: 4, signExtend: false, dst: 3, base: 9, off: 4 },
    movReg(4, 2),
    addImm(4, bytes),
    { kind: 'jcond', width: 64, cond: 'jgt', dst: 4, src: { type: 'reg', reg: 3 }, off: skip },
  ];
}

/** Stores r0 into the first 8 packet bytes and exits (r0 is returned too, so retval = low half). */
function epilogue(): Insn[] {
  return [...packetCheck(8, 1), { kind: 'store', size: 8, base: 2, off: 0, src: { type: 'reg', reg: 0 } }, { kind: 'exit' }];
}

/**
 * `r9 = r1` (keep the xdp_md), the body, then r0 into the first 8 packet bytes and exit. The
 * return value alone would carry only the low 32 bits (test_run's retval is a u32).
 */
export function xdpProgram(body: readonly Insn[]): Insn[] {
  return [movReg(9, 1), ...body, ...epilogue()];
}

/**
 * Like xdpProgram, but the body's lddw prologue is replaced by loads from the returned
 * packet, so the verifier sees unknown scalars instead of constants. With constants it
 * decides every branch itself and rewrites the dead side away (verifier.c
 * opt_hard_wire_dead_code_branches, opt_remove_dead_code); with unknowns the JIT's own
 * compare-and-branch code runs. Undefined if the body does not open with the prologue.
 */
export function inputPacketProgram(body: readonly Insn[]): { prog: Insn[]; packet: Uint8Array } | undefined {
  const packet = new Uint8Array(PACKET_BYTES + INPUTS_AT + 8 * PROLOGUE_REGS.length);
  const view = new DataView(packet.buffer);
  for (const [i, r] of PROLOGUE_REGS.entries()) {
    const insn = body[i];
    if (insn?.kind !== 'ldimm64' || insn.pseudo !== 0 || insn.dst !== r) return undefined;
    view.setInt32(INPUTS_AT + 8 * i, insn.imm, true);
    view.setInt32(INPUTS_AT + 8 * i + 4, insn.imm2, true);
  }
  const loadInput = (r: Reg): Insn => ({ kind: 'load', size: 8, signExtend: false, dst: r, base: 1, off: INPUTS_AT + 8 * r });
  // r1 is the base of the loads, so it is loaded last.
  const loads = [movReg(1, 2), ...PROLOGUE_REGS.filter((r) => r !== 1).map(loadInput), loadInput(1)];
  const rest = body.slice(PROLOGUE_REGS.length);
  const end = epilogue();
  // A short packet jumps straight to the final exit with r0 = 0 (the verifier wants r0 set on
  // every path to exit), and the caller's comparison fails.
  const toExit = slots(loads) + slots(rest) + slots(end) - 1;
  const prog: Insn[] = [movReg(9, 1), { kind: 'alu', width: 64, op: 'mov', dst: 0, src: { type: 'imm', imm: 0 } }, ...packetCheck(INPUTS_AT + 8 * PROLOGUE_REGS.length, toExit), ...loads, ...rest, ...end];
  return { prog, packet };
}

function slots(insns: readonly Insn[]): number {
  return insns.reduce((n, insn) => n + slotCount(insn), 0);
}

/** The body as a `raw` program: it already leaves its result in r0. */
export function rawProgram(body: readonly Insn[]): Insn[] {
  return [...body, { kind: 'exit' }];
}

/** The r0 an xdpProgram stored: the first 8 bytes of data_out, little-endian. */
export function r0FromPacket(dataOut: Uint8Array): bigint | undefined {
  if (dataOut.length < 8) return undefined;
  return new DataView(dataOut.buffer, dataOut.byteOffset, 8).getBigUint64(0, true);
}
