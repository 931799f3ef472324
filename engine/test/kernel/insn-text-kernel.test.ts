// The verifier log's instruction text against the running kernel: programs with many instruction
// forms are loaded at log level 2, and every instruction the kernel prints (the "Live regs before
// insn" listing and the walk's `pc: (op) …` lines) must read as insnText prints it.
// Skipped, saying why, where the kernel cannot be asked.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeProgram, type AluOp, type Insn, type JmpCond, type Operand, type Width } from '../../isa/index.ts';
import { HELPER_IDS } from '../../kernel/helpers/ids.ts';
import { insnText, LIVE_REGS_HEADING, liveRegsLine, padToStateColumn } from '../../verifier/insn-text.ts';
import { vmlinuxFuncs } from '../cpumask/vmlinux-btf.ts';
import { probe } from './features.ts';
import { insnFeature, insnFeatures } from './insn-features.ts';
import { kernelOracle, type KernelOracle, type KernelProgType } from './oracle.ts';

const reg = (r: number): Operand => ({ type: 'reg', reg: r });
const imm = (v: number): Operand => ({ type: 'imm', imm: v });
const mov = (dst: number, src: Operand, width: Width = 64): Insn => ({ kind: 'alu', width, op: 'mov', dst, src });

const ALU_OPS: readonly AluOp[] = ['add', 'sub', 'mul', 'div', 'sdiv', 'or', 'and', 'lsh', 'rsh', 'mod', 'smod', 'xor', 'mov', 'arsh'];
const CONDS: readonly JmpCond[] = ['jeq', 'jgt', 'jge', 'jset', 'jne', 'jsgt', 'jsge', 'jlt', 'jle', 'jslt', 'jsle'];
const IMMS = [0, 1, -1, 7, 255, -0x80000000, 0x7fffffff, 0x1234];

/** Scalars in r2-r5 and an initialised stack; the forms that need no program type or kfunc. */
function mainForms(): Insn[] {
  const p: Insn[] = [];
  p.push(mov(2, imm(7)), mov(3, imm(-3)), mov(4, reg(2)), mov(5, imm(9), 32));
  for (const width of [64, 32] as const) {
    for (const op of ALU_OPS) {
      p.push({ kind: 'alu', width, op, dst: 2, src: reg(3) });
      for (const v of IMMS) {
        const shift = op === 'lsh' || op === 'rsh' || op === 'arsh';
        if (shift && (v < 0 || v >= width)) continue;
        if ((op === 'div' || op === 'sdiv' || op === 'mod' || op === 'smod') && v === 0) continue;
        p.push({ kind: 'alu', width, op, dst: 4, src: imm(v) });
      }
    }
    p.push({ kind: 'neg', width, dst: 3 });
    for (const bits of [8, 16] as const) p.push({ kind: 'movsx', width, bits, dst: 5, src: 2 });
  }
  p.push({ kind: 'movsx', width: 64, bits: 32, dst: 5, src: 3 });
  for (const order of ['le', 'be', 'bswap'] as const) for (const bits of [16, 32, 64] as const) p.push({ kind: 'end', order, bits, dst: 2 });
  for (const [imm, imm2] of [[0, 0], [1, 0], [-1, -1], [0x12345678, 0x9abcdef0 | 0], [-2, 0], [0, 1]] as const) {
    p.push({ kind: 'ldimm64', dst: 5, pseudo: 0, imm, imm2 });
  }
  // Stores, loads and atomics on the stack.
  p.push({ kind: 'store', size: 8, base: 10, off: -8, src: reg(2) });
  p.push({ kind: 'store', size: 8, base: 10, off: -16, src: imm(-5) });
  for (const size of [1, 2, 4] as const) p.push({ kind: 'store', size, base: 10, off: -24 + size, src: reg(4) });
  for (const size of [1, 2, 4] as const) p.push({ kind: 'store', size, base: 10, off: -32 + size, src: imm(100 * size) });
  for (const size of [1, 2, 4, 8] as const) p.push({ kind: 'load', size, signExtend: false, dst: 3, base: 10, off: -8 });
  for (const size of [1, 2, 4] as const) p.push({ kind: 'load', size, signExtend: true, dst: 3, base: 10, off: -16 });
  p.push(mov(0, imm(0)));
  for (const size of [4, 8] as const) {
    for (const op of ['add', 'or', 'and', 'xor'] as const) {
      for (const fetch of [false, true]) p.push({ kind: 'atomic', size, op, fetch, base: 10, off: -16, src: 2 });
    }
    p.push({ kind: 'atomic', size, op: 'xchg', fetch: true, base: 10, off: -8, src: 3 });
    p.push({ kind: 'atomic', size, op: 'cmpxchg', fetch: true, base: 10, off: -8, src: 4 });
  }
  // Conditional jumps to the next instruction (both ways meet), and a few that skip one.
  for (const width of [64, 32] as const) {
    for (const cond of CONDS) {
      p.push({ kind: 'jcond', width, cond, dst: 2, src: reg(3), off: 0 });
      p.push({ kind: 'jcond', width, cond, dst: 3, src: imm(cond === 'jset' ? -1 : 5), off: 1 }, mov(4, imm(1)));
    }
    p.push({ kind: 'jcond', width, cond: 'jeq', dst: 3, src: imm(-0x80000000), off: 0 });
  }
  // Each goto skips an instruction the jump before it reaches.
  for (const long of [false, true]) {
    p.push({ kind: 'jcond', width: 64, cond: 'jeq', dst: 2, src: imm(5), off: 1 }, { kind: 'ja', long, off: 1 }, mov(4, imm(2)));
  }
  p.push({ kind: 'ja', long: false, off: 0 });
  p.push({ kind: 'call', target: 'helper', imm: HELPER_IDS.bpf_get_prandom_u32 ?? 7, off: 0 });
  p.push({ kind: 'call', target: 'helper', imm: HELPER_IDS.bpf_ktime_get_ns ?? 5, off: 0 });
  return p;
}

/** main; a BPF-to-BPF call to a subprogram `r0 = 0; exit` placed after it. */
function withSubprogram(body: Insn[]): Insn[] {
  const tail: Insn[] = [mov(0, imm(2)), { kind: 'exit' }];
  const sub: Insn[] = [mov(0, imm(0)), { kind: 'exit' }];
  const slots = (list: Insn[]) => list.reduce((n, i) => n + (i.kind === 'ldimm64' ? 2 : 1), 0);
  const call: Insn = { kind: 'call', target: 'local', imm: slots(tail), off: 0 };
  return [...body, call, ...tail, ...sub];
}

interface Printed {
  readonly pc: number;
  readonly text: string;
  /** The whole line (the liveness listing; the walk's lines that go on with the state). */
  readonly line?: string;
  readonly scc?: number;
  readonly live?: number;
}

/** The instructions a level-2 log prints: the liveness listing, then the walk's lines. */
function printedInsns(log: string): { listing: Printed[]; walk: Printed[] } {
  const listing: Printed[] = [];
  const walk: Printed[] = [];
  for (const line of log.split('\n')) {
    const l = /^(\s*\d+ | {4})\s*(\d+): ([0-9.]{10}) (\(.*)$/.exec(line);
    if (l) {
      const live = [...(l[3] ?? '')].reduce((m, ch, r) => (ch === '.' ? m : m | (1 << r)), 0);
      listing.push({ pc: Number(l[2]), text: l[4] ?? '', line, scc: Number((l[1] ?? '').trim() || 0), live });
      continue;
    }
    const w = /^(\d+): (\([0-9a-f]{2}\) .*?)(?:\s+;.*)?$/.exec(line);
    if (w) walk.push({ pc: Number(w[1]), text: w[2] ?? '', line: line.includes(';') ? line : undefined });
  }
  return { listing, walk };
}

function ourTexts(insns: readonly Insn[], kfuncs: ReadonlyMap<number, string>): Map<number, string> {
  const helperNames = new Map(Object.entries(HELPER_IDS).map(([name, id]) => [id, name]));
  const names = { helper: (id: number) => helperNames.get(id), kfunc: (id: number) => kfuncs.get(id) };
  const out = new Map<number, string>();
  let pc = 0;
  for (const insn of insns) {
    out.set(pc, insnText(insn, pc, names));
    pc += insn.kind === 'ldimm64' ? 2 : 1;
  }
  return out;
}

let oracle: KernelOracle | undefined;
let skipReason = '';

beforeAll(async () => {
  const o = await kernelOracle();
  if ('unavailable' in o) skipReason = o.unavailable;
  else oracle = o;
}, 120_000);

afterAll(async () => {
  await oracle?.close();
});

/**
 * `insns` with each instruction whose form this kernel build refuses (sdiv, ldsx, gotol, an
 * atomic… : insn-features.ts) replaced by `r4 = 1`, one slot for one, so the rest is still
 * compared; what was replaced is printed with the kernel's words.
 */
async function withoutRefusedForms(oracle: KernelOracle, insns: Insn[]): Promise<Insn[]> {
  const refused = new Map<string, string>();
  for (const f of insnFeatures(insns)) {
    const a = await probe(oracle, f);
    if (!a.ok) refused.set(f.name, a.reason);
  }
  if (refused.size === 0) return insns;
  const counts = new Map<string, number>();
  const out = insns.map((insn) => {
    const form = insnFeature(insn)?.name;
    if (form === undefined || !refused.has(form)) return insn;
    counts.set(form, (counts.get(form) ?? 0) + 1);
    return mov(4, imm(1));
  });
  for (const [form, n] of counts) console.log(`left out: ${n} instruction${n === 1 ? '' : 's'} of the form ${form} (each replaced by r4 = 1) — this kernel refuses it: ${JSON.stringify(refused.get(form))}`);
  return out;
}

/** Loads the program and compares; the liveness listing as parsed (empty when skipped). */
async function compare(insns: Insn[], type: KernelProgType, kfuncs: ReadonlyMap<number, string> = new Map()): Promise<Printed[]> {
  if (!oracle) {
    console.log(`skipped: ${skipReason}`);
    return [];
  }
  insns = await withoutRefusedForms(oracle, insns);
  const r = await oracle.run({ prog: encodeProgram(insns), type, logLevel: 2, data: new Uint8Array(64) });
  expect(r.ok, r.ok ? '' : `${r.stage}: ${r.error}\n${r.log.slice(-2000)}`).toBe(true);
  const ours = ourTexts(insns, kfuncs);
  const { listing, walk } = printedInsns(r.log);
  expect(r.log).toContain(`\n${LIVE_REGS_HEADING}\n`);
  expect(listing.length).toBe(ours.size);
  for (const p of [...listing, ...walk]) expect(`${p.pc}: ${p.text}`).toBe(`${p.pc}: ${ours.get(p.pc) ?? '(none)'}`);
  for (const p of walk) {
    if (p.line !== undefined) expect(`${padToStateColumn(`${p.pc}: ${p.text}`)};`).toBe(p.line.slice(0, p.line.indexOf(';') + 1));
  }
  for (const p of listing) expect(liveRegsLine(p.pc, p.scc ?? 0, p.live ?? 0, ours.get(p.pc) ?? '')).toBe(p.line);
  expect(new Set(walk.map((p) => p.pc)).size).toBe(ours.size);
  return listing;
}

describe('instruction text against the kernel verifier log', () => {
  it('ALU, movsx, neg, endianness, ldimm64, stores, loads, atomics, jumps, helper and local calls (xdp)', async () => {
    await compare(withSubprogram(mainForms()), 'xdp');
  }, 60_000);

  it('a bounded loop: the listing numbers its strongly connected component', async () => {
    const p: Insn[] = [
      mov(2, imm(0)),
      { kind: 'alu', width: 64, op: 'add', dst: 2, src: imm(1) },
      { kind: 'jcond', width: 64, cond: 'jlt', dst: 2, src: imm(4), off: -2 },
      mov(0, imm(2)),
      { kind: 'exit' },
    ];
    const listing = await compare(p, 'xdp');
    if (listing.length > 0) expect(listing.map((l) => l.scc)).toEqual([0, 1, 1, 0, 0]);
  }, 60_000);

  it('legacy packet loads (sched_cls)', async () => {
    const p: Insn[] = [mov(6, reg(1)), mov(7, imm(2))];
    for (const size of [1, 2, 4] as const) p.push({ kind: 'ldpkt', mode: 'abs', size, src: 0, imm: 12 });
    for (const size of [1, 2, 4] as const) p.push({ kind: 'ldpkt', mode: 'ind', size, src: 7, imm: size === 4 ? -1 : 0 });
    p.push(mov(0, imm(0)), { kind: 'exit' });
    await compare(p, 'sched_cls');
  }, 60_000);

  it('kfunc calls print the BTF name and id', async () => {
    const funcs = vmlinuxFuncs();
    if ('unavailable' in funcs) {
      console.log(`skipped: ${funcs.unavailable}`);
      return;
    }
    const lock = funcs.funcId('bpf_rcu_read_lock');
    const unlock = funcs.funcId('bpf_rcu_read_unlock');
    if (lock === undefined || unlock === undefined) {
      console.log('skipped: this kernel has no bpf_rcu_read_lock/unlock kfuncs');
      return;
    }
    const p: Insn[] = [
      { kind: 'call', target: 'kfunc', imm: lock, off: 0 },
      { kind: 'call', target: 'kfunc', imm: unlock, off: 0 },
      mov(0, imm(2)),
      { kind: 'exit' },
    ];
    await compare(p, 'xdp', new Map([[lock, 'bpf_rcu_read_lock'], [unlock, 'bpf_rcu_read_unlock']]));
  }, 60_000);
});
