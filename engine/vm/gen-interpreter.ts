// Writes the interpreter's ALU, conditional-jump, load and store cases, and its
// superinstructions, from the definitions in engine/isa/ops.ts (lowered by ops-js.ts) into interpreter.ts, between the
// marker comments. Run after changing a definition, a primitive's JavaScript or the list of
// superinstructions:
//
//   node --import tsx engine/vm/gen-interpreter.ts
//
// A test (engine/vm/ops.test.ts) fails while the checked-in cases differ from what this writes.
// The cases keep literal labels (`case 10: { // ADD64`): V8 compiles a dense switch over
// numeric literals to a jump table.

import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ALU_DEFS, COND_DEFS, MEM_DEFS, signExtends } from '../isa/ops.ts';
import { OP, SUPERINSTRUCTIONS, type OpName } from './interpreter.ts';
import { jsAccess, jsAlu, jsCond, type JsCode, type JsMemory, type JsOperands } from './ops-js.ts';

export const BEGIN = '        // ---- generated from engine/isa/ops.ts by engine/vm/gen-interpreter.ts: do not edit ----';
export const END = '        // ---- end generated ----';

const IND = '          ';

/** Operands of the slot at pc (`first`) or pc + 1, read from the code array. */
function operands(first: boolean): { x: JsOperands; decl: (c: Pick<JsCode, 'uses'>) => string[]; d: string; s: string } {
  const [d, s, k, at] = first ? ['d', 's', 'k', 0] : ['d2', 's2', 'k2', 8];
  const x: JsOperands = { dst: [`R[${d}]`, `R[${d} + 1]`], src: [`R[${s}]`, `R[${s} + 1]`], k, sign: 'SIGN', off: `C[b + ${at + 3}]`, ...(first ? {} : { prefix: 'n' }) };
  const decl = (c: Pick<JsCode, 'uses'>): string[] => {
    const parts: string[] = [];
    if (c.uses.dst) parts.push(`${d} = C[b + ${at + 1}]`);
    if (c.uses.src) parts.push(`${s} = C[b + ${at + 2}]`);
    if (c.uses.k) parts.push(`${k} = C[b + ${at + 4}]`);
    return parts.length ? [`const ${parts.join(', ')};`] : [];
  };
  return { x, decl, d, s };
}

function alu(name: string, first: boolean): string[] {
  const def = ALU_DEFS[name];
  if (!def) throw new Error(`no ALU definition ${name}`);
  const { x, decl } = operands(first);
  const c = jsAlu(def, x);
  return [...decl(c), ...c.lines];
}

function cond(name: string, first: boolean): string[] {
  const def = COND_DEFS[name];
  if (!def) throw new Error(`no condition ${name}`);
  const { x, decl } = operands(first);
  const c = jsCond(def, x);
  return [...decl(c), ...c.lines, ...branch(c.cond, first ? 0 : 8, first ? 'pc++;' : 'pc += 2;')];
}

const NEXT = ['pc++;', 'continue loop;'];

const MEMORY: JsMemory = { base: 'BASE', read: 'PERM_READ', write: 'PERM_WRITE' };

/**
 * A load or store: the fast path from its definition (ops-js.ts), else the Vm's slow path — a
 * context field, another region, a fault. A 4-byte load first tries the field table the last
 * slow load found (vm.fieldTable), without a call. The second slot of a pair steps onto its own
 * pc before it leaves, so a slow access or a fault is the second instruction's.
 */
function access(name: string, first: boolean): string[] {
  const def = MEM_DEFS[name];
  if (!def) throw new Error(`no load or store ${name}`);
  const { x, decl, d, s } = operands(first);
  const c = jsAccess(def, x, MEMORY);
  const o = x.off ?? '';
  const onward = ['pc++;', 'continue loop;'];
  const slow: string[] = first ? [] : ['pc++;'];
  if (def.kind === 'load' && def.size === 4 && !signExtends(def)) {
    slow.push(
      '// A context field, from the table the last slow load found (vm.fieldTable): no call.',
      `const f = (${c.at} - vm.fieldStart) | 0;`,
      `if (R[${s} + 1] === BASE && f >= 0 && f < vm.fieldSize && (f & 3) === 0 && vm.fieldReadable[f >> 2] === 1) {`,
      `  const V = vm.fieldValues;`,
      `  R[${d}] = V[f >> 1];`,
      `  R[${d} + 1] = V[(f >> 1) + 1];`,
      ...onward.map((l) => `  ${l}`),
      '}',
    );
  }
  const call =
    def.kind === 'load'
      ? `vm.slowLoad(pc, n + pc, ${d}, R[${s}], R[${s} + 1], ${o}, ${def.size}, ${signExtends(def)})`
      : `vm.slowStore(pc, n + pc, R[${d}], R[${d} + 1], ${o}, ${def.size}, R[${s}], R[${s} + 1])`;
  slow.push(`if (${call}) {`, ...onward.map((l) => `  ${l}`), '}', 'stop = Stop.Fault;', 'break loop;');
  // The slow path reads dst and src by index.
  const uses = { ...c.uses, dst: true, src: true };
  return [...decl({ uses }), c.head, `if (${c.refuse}) {`, ...slow.map((l) => `  ${l}`), '}', ...c.fast];
}

/**
 * A conditional jump's way on, in its own case (each case's branch is predicted on its own): the
 * target (fields `at` + 5 and + 6 of the slot at b: its target and count delta), else `skip`.
 */
function branch(cond: string, at: number, skip: string): string[] {
  return [
    `if ${cond} {`,
    `  n += C[b + ${at + 6}];`,
    `  pc = C[b + ${at + 5}];`,
    '  if (n + pc > limit) {',
    '    stop = Stop.Budget;',
    '    break loop;',
    '  }',
    '  continue loop;',
    '}',
    skip,
    'continue loop;',
  ];
}

function block(n: number, label: string, body: readonly string[]): string {
  return [`        case ${n}: { // ${label}`, ...body.map((l) => IND + l), '        }'].join('\n');
}

/** The generated cases, as they stand between the markers. */
export function interpreterCases(): string {
  const out: string[] = [];
  const byNumber = (Object.entries(OP) as [OpName, number][]).sort((a, b) => a[1] - b[1]);
  for (const [name, n] of byNumber) {
    if (ALU_DEFS[name]) out.push(block(n, name, [...alu(name, true), ...NEXT]));
    else if (COND_DEFS[name]) out.push(block(n, name, cond(name, true)));
    else if (MEM_DEFS[name]) out.push(block(n, name, [...access(name, true), ...NEXT]));
  }
  // Superinstructions: the two slots' definitions one after the other (the second's operands
  // from the next slot), then the second's way on.
  for (const [fused, a, b] of SUPERINSTRUCTIONS) {
    const body = MEM_DEFS[a] ? access(a, true) : alu(a, true);
    let label: string;
    if (ALU_DEFS[b] || MEM_DEFS[b]) {
      label = `${fused}: ${a}; then the ${b} of the next slot`;
      body.push(...(MEM_DEFS[b] ? access(b, false) : alu(b, false)), 'pc += 2;', 'continue loop;');
    } else if (COND_DEFS[b]) {
      label = `${fused}: ${a}, then the conditional jump of the next slot`;
      body.push(...cond(b, false));
    } else if (b === 'JA') {
      label = `${fused}: ${a}, then the jump of the next slot`;
      body.push('n += C[b + 14];', 'pc = C[b + 13];', 'if (n + pc > limit) {', '  stop = Stop.Budget;', '  break loop;', '}', 'continue loop;');
    } else throw new Error(`superinstruction ${fused}: no definition of ${b}`);
    out.push(block(OP[fused], label, body));
  }
  return out.join('\n');
}

const FILE = fileURLToPath(new URL('./interpreter.ts', import.meta.url));

/** interpreter.ts with the generated cases replaced by `cases`. */
export function splice(source: string, cases: string): string {
  const begin = source.indexOf(BEGIN);
  const end = source.indexOf(END);
  if (begin < 0 || end < begin) throw new Error('interpreter.ts: the generated-code markers are missing');
  return `${source.slice(0, begin + BEGIN.length)}\n${cases}\n${source.slice(end)}`;
}

/** The checked-in cases (for the staleness test). */
export function checkedInCases(): string {
  const source = readFileSync(FILE, 'utf8');
  const begin = source.indexOf(BEGIN);
  const end = source.indexOf(END);
  if (begin < 0 || end < begin) throw new Error('interpreter.ts: the generated-code markers are missing');
  return source.slice(begin + BEGIN.length + 1, end - 1);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const source = readFileSync(FILE, 'utf8');
  const next = splice(source, interpreterCases());
  if (next !== source) writeFileSync(FILE, next);
  process.stdout.write(next === source ? 'interpreter.ts is up to date\n' : 'interpreter.ts: generated cases rewritten\n');
}
