// Writes the interpreter's ALU and conditional-jump cases, and its superinstructions, from the
// definitions in engine/isa/ops.ts (lowered by ops-js.ts) into interpreter.ts, between the
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
import { ALU_DEFS, COND_DEFS } from '../isa/ops.ts';
import { OP, SUPERINSTRUCTIONS, type OpName } from './interpreter.ts';
import { jsAlu, jsCond, type JsCode, type JsOperands } from './ops-js.ts';

export const BEGIN = '        // ---- generated from engine/isa/ops.ts by engine/vm/gen-interpreter.ts: do not edit ----';
export const END = '        // ---- end generated ----';

const IND = '          ';

/** Operands of the slot at pc (`first`) or pc + 1, read from the code array. */
function operands(first: boolean): { x: JsOperands; decl: (c: JsCode) => string[] } {
  const [d, s, k, at] = first ? ['d', 's', 'k', 0] : ['d2', 's2', 'k2', 8];
  const x: JsOperands = { dst: [`R[${d}]`, `R[${d} + 1]`], src: [`R[${s}]`, `R[${s} + 1]`], k, sign: 'SIGN', ...(first ? {} : { prefix: 'n' }) };
  const decl = (c: JsCode): string[] => {
    const parts: string[] = [];
    if (c.uses.dst) parts.push(`${d} = C[b + ${at + 1}]`);
    if (c.uses.src) parts.push(`${s} = C[b + ${at + 2}]`);
    if (c.uses.k) parts.push(`${k} = C[b + ${at + 4}]`);
    return parts.length ? [`const ${parts.join(', ')};`] : [];
  };
  return { x, decl };
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
  }
  // Superinstructions: the two slots' definitions one after the other (the second's operands
  // from the next slot), then the second's way on.
  for (const [fused, a, b] of SUPERINSTRUCTIONS) {
    const body = alu(a, true);
    let label: string;
    if (ALU_DEFS[b]) {
      label = `${fused}: ${a}; then the ${b} of the next slot`;
      body.push(...alu(b, false), 'pc += 2;', 'continue loop;');
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
