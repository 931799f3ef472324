// The generator's promises, checked without a kernel: determinism, r0-r8 only, no read of
// anything unwritten on any path, immediates the verifier accepts, and coverage of every form.

import { describe, expect, it } from 'vitest';
import { encodeProgram, formOf, FORMS, slotCount, type Insn, type Operand, type Reg } from '../../isa/index.ts';
import { generateProgram, lddw, PROGRAM_KINDS } from './generate.ts';
import { Rng } from './rng.ts';

const FP = 10;
const SEEDS = Array.from({ length: 60 }, (_, i) => i * 7919 + 1);

/** What is definitely written on every path into an instruction: registers and stack bytes below r10. */
interface Defined {
  regs: Set<Reg>;
  stack: Set<number>;
}

function meet(a: Defined, b: Defined): Defined {
  return { regs: new Set([...a.regs].filter((r) => b.regs.has(r))), stack: new Set([...a.stack].filter((s) => b.stack.has(s))) };
}

/**
 * Walks a body as a must-be-written analysis and returns every problem: a register outside
 * r0-r8 (r10 only as a stack base), a read of an unwritten register or stack byte, a jump out
 * of the body or into the middle of an lddw, an unconditional jump backwards.
 */
function problems(body: readonly Insn[]): string[] {
  const found: string[] = [];
  const starts = new Map<number, number>();
  let slot = 0;
  body.forEach((insn, i) => {
    starts.set(slot, i);
    slot += slotCount(insn);
  });
  const end = slot;
  starts.set(end, body.length);
  const incoming = new Map<number, Defined>();
  const arrive = (at: number, state: Defined): void => {
    const old = incoming.get(at);
    incoming.set(at, old ? meet(old, state) : { regs: new Set(state.regs), stack: new Set(state.stack) });
  };
  let live: Defined | undefined = { regs: new Set(), stack: new Set() };
  slot = 0;
  body.forEach((insn, i) => {
    const joined = incoming.get(slot);
    const state: Defined | undefined = live && joined ? meet(live, joined) : (live ?? joined);
    const here = `insn ${i} (${insn.kind})`;
    if (!state) {
      found.push(`${here} is unreachable`);
      return;
    }
    const reg = (r: Reg, role: string): void => {
      if (r < 0 || r > 8) found.push(`${here}: ${role} r${r} is outside r0-r8`);
    };
    const read = (r: Reg): void => {
      reg(r, 'read');
      if (!state.regs.has(r)) found.push(`${here}: reads r${r} before it is written`);
    };
    const write = (r: Reg): void => {
      reg(r, 'written');
      state.regs.add(r);
    };
    const readOperand = (o: Operand): void => {
      if (o.type === 'reg') read(o.reg);
    };
    const stackBytes = (base: Reg, off: number, size: number): number[] => {
      if (base !== FP) found.push(`${here}: memory access through r${base}, not r10`);
      if (off % size !== 0) found.push(`${here}: misaligned stack access at ${off}`);
      return Array.from({ length: size }, (_, k) => off + k);
    };
    const readStack = (base: Reg, off: number, size: number): void => {
      for (const b of stackBytes(base, off, size)) if (!state.stack.has(b)) found.push(`${here}: reads stack byte ${b} before it is written`);
    };
    const writeStack = (base: Reg, off: number, size: number): void => {
      for (const b of stackBytes(base, off, size)) state.stack.add(b);
    };
    let fallsThrough = true;
    switch (insn.kind) {
      case 'alu':
        readOperand(insn.src);
        if (insn.op !== 'mov') read(insn.dst);
        write(insn.dst);
        break;
      case 'neg':
      case 'end':
        read(insn.dst);
        write(insn.dst);
        break;
      case 'movsx':
        read(insn.src);
        write(insn.dst);
        break;
      case 'ldimm64':
        if (insn.pseudo !== 0) found.push(`${here}: lddw with pseudo ${insn.pseudo}`);
        write(insn.dst);
        break;
      case 'load':
        readStack(insn.base, insn.off, insn.size);
        write(insn.dst);
        break;
      case 'store':
        readOperand(insn.src);
        writeStack(insn.base, insn.off, insn.size);
        break;
      case 'atomic':
        read(insn.src);
        readStack(insn.base, insn.off, insn.size);
        if (insn.op === 'cmpxchg') {
          read(0);
          write(0);
        } else if (insn.fetch) {
          write(insn.src);
        }
        break;
      case 'jcond':
      case 'ja': {
        if (insn.kind === 'jcond') {
          read(insn.dst);
          readOperand(insn.src);
        } else {
          fallsThrough = false;
        }
        const target = slot + 1 + insn.off;
        if (!starts.has(target)) found.push(`${here}: jumps to slot ${target}, not an instruction start of the body`);
        else if (insn.off < 0 && insn.kind === 'ja') found.push(`${here}: an unconditional backward jump never ends`);
        // A loop's back edge brings at least what its head already had (instructions only add
        // to what is written), so for this must-analysis it changes nothing.
        else if (insn.off >= 0) arrive(target, state);
        break;
      }
      default:
        found.push(`${here}: bodies never contain ${insn.kind}`);
    }
    live = fallsThrough ? state : undefined;
    slot += slotCount(insn);
  });
  const atEnd = live && incoming.get(end) ? meet(live, incoming.get(end) as Defined) : (live ?? incoming.get(end));
  if (!atEnd?.regs.has(0)) found.push('r0 is not written on every path to the end');
  return found;
}

describe('the must-be-written walk used below', () => {
  const mov = (dst: Reg, src: Reg): Insn => ({ kind: 'alu', width: 64, op: 'mov', dst, src: { type: 'reg', reg: src } });
  it('catches what the generator must never do', () => {
    expect(problems([lddw(0, 1n), mov(0, 9)])).toEqual(['insn 1 (alu): read r9 is outside r0-r8', 'insn 1 (alu): reads r9 before it is written']);
    const early = problems([{ kind: 'store', size: 4, base: FP, off: -8, src: { type: 'imm', imm: 1 } }, { kind: 'load', size: 8, signExtend: false, dst: 0, base: FP, off: -8 }]);
    expect(early).toEqual([-4, -3, -2, -1].map((b) => `insn 1 (load): reads stack byte ${b} before it is written`));
    // r1 is written only on the fall-through path, so the join must forget it.
    const branchy: Insn[] = [lddw(0, 0n), { kind: 'jcond', width: 64, cond: 'jeq', dst: 0, src: { type: 'imm', imm: 0 }, off: 2 }, lddw(1, 5n), mov(0, 1)];
    expect(problems(branchy)).toEqual(['insn 3 (alu): reads r1 before it is written']);
    // verifier.c check_cfg refuses code that no path reaches.
    expect(problems([lddw(0, 0n), { kind: 'ja', long: false, off: 1 }, mov(0, 0)])).toEqual(['insn 2 (alu) is unreachable']);
    expect(problems([lddw(1, 0n)])).toEqual(['r0 is not written on every path to the end']);
  });
});

describe('Rng', () => {
  it('replays a seed and separates seeds', () => {
    const draw = (seed: number): number[] => {
      const r = new Rng(seed);
      return Array.from({ length: 8 }, () => r.u32());
    };
    expect(draw(42)).toEqual(draw(42));
    expect(draw(42)).not.toEqual(draw(43));
    // Seeds beyond 32 bits keep their high half.
    expect(draw(2 ** 40 + 5)).not.toEqual(draw(5));
  });

  it('stays in range', () => {
    const r = new Rng(7);
    for (let i = 0; i < 2000; i++) {
      const v = r.between(-3, 3);
      expect(v).toBeGreaterThanOrEqual(-3);
      expect(v).toBeLessThanOrEqual(3);
      expect(r.u64()).toBeLessThan(1n << 64n);
    }
  });
});

describe('generateProgram', () => {
  it('is deterministic for a seed and kind', () => {
    for (const kind of PROGRAM_KINDS) {
      expect(encodeProgram(generateProgram(99, kind))).toEqual(encodeProgram(generateProgram(99, kind)));
      expect(encodeProgram(generateProgram(99, kind))).not.toEqual(encodeProgram(generateProgram(100, kind)));
    }
  });

  it('uses only r0-r8, reads nothing unwritten and ends with r0 written', () => {
    for (const kind of PROGRAM_KINDS) {
      for (const seed of SEEDS) {
        const body = generateProgram(seed, kind);
        expect(problems(body), `${kind} seed ${seed}`).toEqual([]);
        const last = body[body.length - 1];
        // The checksum's last step is r0 *= k, so the result ends in r0.
        expect(last?.kind === 'alu' && last.dst === 0, `${kind} seed ${seed}`).toBe(true);
      }
    }
  });

  it('never uses an immediate the verifier refuses (check_alu_op: div by zero, invalid shift)', () => {
    for (const kind of ['mixed', 'divmod', 'shift', 'alu32', 'alu64'] as const) {
      for (const seed of SEEDS) {
        for (const insn of generateProgram(seed, kind)) {
          if (insn.kind !== 'alu' || insn.src.type !== 'imm') continue;
          if (['div', 'sdiv', 'mod', 'smod'].includes(insn.op)) expect(insn.src.imm).not.toBe(0);
          if (['lsh', 'rsh', 'arsh'].includes(insn.op)) {
            expect(insn.src.imm).toBeGreaterThanOrEqual(0);
            expect(insn.src.imm).toBeLessThan(insn.width);
          }
        }
      }
    }
  });

  it('covers every instruction form a body may hold', () => {
    const seen = new Set<string>();
    for (const kind of PROGRAM_KINDS) {
      for (let seed = 1; seed <= 150; seed++) for (const insn of generateProgram(seed, kind)) seen.add(formOf(insn)?.id ?? '?');
    }
    const wanted = FORMS.filter((f) => {
      const t = f.template;
      // Calls, exit and legacy packet loads are not body material; lddw only as a constant.
      // Linux extensions outside RFC 9669 (may_goto, addr_space_cast) are not generated either.
      return t.kind !== 'call' && t.kind !== 'exit' && t.kind !== 'ldpkt' && !(t.kind === 'ldimm64' && t.pseudo !== 0) && !f.linux;
    }).map((f) => f.id);
    expect(wanted.length).toBeGreaterThan(150);
    expect(wanted.filter((id) => !seen.has(id))).toEqual([]);
  });

  it('loops only on a counter it set itself', () => {
    let loops = 0;
    for (const seed of SEEDS) {
      const body = generateProgram(seed, 'jump');
      body.forEach((insn, i) => {
        if (insn.kind !== 'jcond' || insn.off >= 0) return;
        loops++;
        // The back edge tests the counter against 0 right after stepping it by -1.
        const step = body[i - 1];
        expect(step?.kind === 'alu' && step.dst === insn.dst && step.src.type === 'imm').toBe(true);
        expect(insn.src).toEqual({ type: 'imm', imm: 0 });
      });
    }
    expect(loops).toBeGreaterThan(5);
  });

  it('feeds each kind its own instructions', () => {
    const has = (kind: (typeof PROGRAM_KINDS)[number], test: (i: Insn) => boolean): boolean => generateProgram(5, kind).some(test);
    expect(has('divmod', (i) => i.kind === 'alu' && ['div', 'sdiv', 'mod', 'smod'].includes(i.op) && i.src.type === 'reg')).toBe(true);
    expect(has('atomic', (i) => i.kind === 'atomic')).toBe(true);
    expect(has('jump', (i) => i.kind === 'jcond')).toBe(true);
    expect(has('endian', (i) => i.kind === 'end')).toBe(true);
    expect(has('signext', (i) => i.kind === 'movsx' || (i.kind === 'load' && i.signExtend))).toBe(true);
    expect(has('alu32', (i) => i.kind === 'alu' && i.width === 32)).toBe(true);
  });
});

describe('lddw', () => {
  it('splits a 64-bit value into imm (low) and imm2 (high)', () => {
    expect(lddw(3, 0x8000_0000_ffff_fffen)).toEqual({ kind: 'ldimm64', dst: 3, pseudo: 0, imm: -2, imm2: -0x8000_0000 });
    expect(lddw(1, -1n)).toMatchObject({ imm: -1, imm2: -1 });
  });
});
