// The int32-pair implementation of the primitives of engine/isa/ops.ts, as JavaScript source.
// Registers are int32 pairs in an Int32Array (lo at an even index, hi after it); the same
// lowering serves the interpreter (operands addressed through the decoded slot: `R[d]`) and
// the compiled tier (literal indexes, constants as literals): the caller says how operands are
// spelled. Generated code reads every operand half it needs into a constant first (so dst may
// be src) and writes dst last; everything stays int32 (no doubles above 2^31 reach a compare:
// unsigned order is signed order of `x ^ -0x80000000`).

import type { Expr, MemDef } from '../isa/ops.ts';

export interface JsOperands {
  /** dst's halves, assignable: `R[d]`, `R[d + 1]` (interpreter) or `R[4]`, `R[5]` (compiled). */
  readonly dst: readonly [lo: string, hi: string];
  /** src's halves: register reads or (constant slots, compiled tier) literals like `(5)`. */
  readonly src: readonly [lo: string, hi: string];
  /** The slot's immediate field (constant shift amounts): a name or a literal. */
  readonly k: string;
  /** How -0x80000000 is spelled (a module constant in the interpreter). */
  readonly sign: string;
  /** Prefix of the names the code declares (two instructions in one scope: a superinstruction). */
  readonly prefix?: string;
  /** The slot's offset (loads and stores): a name, an expression or a literal. */
  readonly off?: string;
}

/** Generated code, and which operands it reads (the interpreter declares only those). */
export interface JsCode {
  /** Top-level statements (branches on one line each). For a condition, they compute what `cond` uses. */
  readonly lines: readonly string[];
  /** The statements on one line. */
  readonly code: string;
  readonly uses: { readonly dst: boolean; readonly src: boolean; readonly k: boolean };
}

interface Pair {
  readonly lo: string;
  readonly hi: string;
}

const LITERAL = /^\(?-?(?:0x[0-9a-f]+|\d+)\)?$/i;
const ATOM = /^[A-Za-z_$][\w$]*$/;
const isLiteral = (s: string): boolean => LITERAL.test(s);
const literal = (v: number): string => (v < 0 ? `(${v})` : `${v}`);
const litValue = (s: string): number => Number(s.replace(/[()]/g, ''));

/** `e` is the 64-bit leaf `which`, or its low half. */
const isLeaf = (e: Expr, which: 'dst' | 'src'): boolean => e.op === which;

class Emitter {
  private lines: string[] = [];
  private temps = 0;
  readonly uses = { dst: false, src: false, k: false };
  /** Names (or literals) of the operand halves read at the start. */
  private readonly leaf: Record<'dst' | 'src', [string | undefined, string | undefined]> = { dst: [undefined, undefined], src: [undefined, undefined] };
  private readonly S: string;
  private readonly p: string;

  /**
   * @param at the arena offset a load's `mem` reads at (a declared name), for a load's value.
   */
  constructor(
    private readonly x: JsOperands,
    roots: readonly Expr[],
    private readonly at?: string,
  ) {
    this.S = x.sign;
    this.p = x.prefix ?? '';
    // The operand halves any node needs, read once at the top (before anything is written).
    const need = { dst: [false, false], src: [false, false] };
    const walk = (e: Expr, loOnly: boolean): void => {
      if (e.op === 'dst' || e.op === 'src') {
        need[e.op][0] = true;
        if (!loOnly) need[e.op][1] = true;
      }
      if (e.op === 'kLo' || e.op === 'kHi' || e.op === 'k32') this.uses.k = true;
      // wrap reads the low half; a 64-bit shift only the low half of its amount.
      const shift = e.ty === 'i64' && (e.op === 'shl' || e.op === 'shr' || e.op === 'sar');
      e.args.forEach((a, i) => walk(a, e.op === 'wrap' || (shift && i === 1)));
    };
    for (const r of roots) walk(r, false);
    for (const which of ['dst', 'src'] as const) {
      const spell = which === 'dst' ? x.dst : x.src;
      const name = which === 'dst' ? 'a' : 'b';
      for (const h of [0, 1] as const) {
        if (!need[which][h]) continue;
        const s = spell[h];
        if (isLiteral(s)) {
          this.leaf[which][h] = literal(litValue(s));
          this.uses[which] = true;
        } else this.leaf[which][h] = `${this.p}${name}${h}`;
      }
    }
  }

  /**
   * The top-level statements after the reads of the operand halves they (or `cond`, evaluated
   * after them) use. A half read once before anything is written to its half of dst (lo halves
   * alias only lo halves) is read in place, for shorter code.
   */
  finish(cond = ''): { lines: readonly string[]; cond: string } {
    const lines = [...this.lines, cond];
    const decls: string[] = [];
    for (const which of ['dst', 'src'] as const) {
      for (const h of [0, 1] as const) {
        const n = this.leaf[which][h];
        if (n === undefined || !ATOM.test(n)) continue;
        const spell = (which === 'dst' ? this.x.dst : this.x.src)[h];
        const word = new RegExp(`\\b${n}\\b`, 'g');
        const at = lines.map((l) => (l.match(word) ?? []).length);
        const count = at.reduce((x, y) => x + y, 0);
        if (count === 0) continue;
        this.uses[which] = true;
        const i = at.findIndex((c) => c > 0);
        const write = `${this.x.dst[h]} = `;
        const w = lines.findIndex((l) => l.includes(write));
        const line = lines[i] ?? '';
        if (count === 1 && (w < 0 || i < w || (i === w && line.startsWith(write) && !/[{}]/.test(line)))) lines[i] = line.replace(word, spell);
        else decls.push(`${n} = ${spell}`);
      }
    }
    const body = lines.join(' ');
    if (body.includes(this.x.dst[0]) || body.includes(this.x.dst[1])) this.uses.dst = true;
    const out = lines.slice(0, -1);
    return { lines: decls.length ? [`const ${decls.join(', ')};`, ...out] : out, cond: lines[lines.length - 1] ?? '' };
  }

  private push(...s: string[]): void {
    this.lines.push(...s);
  }
  private tmp(): string {
    return `${this.p}t${this.temps++}`;
  }
  /** `e` as a name or literal (bound to a constant when it is an expression). */
  private atom(e: string): string {
    if (ATOM.test(e) || isLiteral(e)) return e;
    const t = this.tmp();
    this.push(`const ${t} = ${e};`);
    return t;
  }
  /** Statements emitted by `f`, as one string (for a branch). */
  private block(f: () => void): string {
    const saved = this.lines;
    this.lines = [];
    f();
    const out = this.lines.join(' ');
    this.lines = saved;
    return out;
  }
  private branch(cond: string, a: string, b: string): void {
    if (a === '' && b === '') return;
    // Conditions come parenthesized (bool).
    if (a === '') this.push(`if (!${cond}) { ${b} }`);
    else if (b === '') this.push(`if ${cond} { ${a} }`);
    else this.push(`if ${cond} { ${a} } else { ${b} }`);
  }
  /** `v ^ -0x80000000` (unsigned order as signed order), folded for a literal. */
  private flip(v: string): string {
    return isLiteral(v) ? literal(litValue(v) ^ -0x80000000) : `(${v} ^ ${this.S})`;
  }
  private leafHalf(which: 'dst' | 'src', h: 0 | 1): string {
    const v = this.leaf[which][h];
    if (v === undefined) throw new Error(`ops-js: ${which} half ${h} was not read`);
    return v;
  }

  // ---- dst := e ----

  /** Writes the i64 `e` into dst. */
  store64(e: Expr): void {
    const [dlo, dhi] = this.x.dst;
    if (e.op === 'dst') return;
    if (e.op === 'select') {
      const c = this.bool(e.args[0] as Expr);
      this.branch(c, this.block(() => this.store64(e.args[1] as Expr)), this.block(() => this.store64(e.args[2] as Expr)));
      return;
    }
    if (e.op === 'zext') {
      this.store32(e.args[0] as Expr);
      this.push(`${dhi} = 0;`);
      return;
    }
    // The upper half first: its expression is the longer one, and reads in place what it can.
    const v = this.i64(e);
    if (v.hi !== this.leaf.dst[1]) this.push(`${dhi} = ${v.hi};`);
    if (v.lo !== this.leaf.dst[0]) this.push(`${dlo} = ${v.lo};`);
  }

  /** Writes the i32 `e` into dst's low half. */
  private store32(e: Expr): void {
    if (e.op === 'wrap' && isLeaf(e.args[0] as Expr, 'dst')) return;
    if (e.op === 'select') {
      const c = this.bool(e.args[0] as Expr);
      this.branch(c, this.block(() => this.store32(e.args[1] as Expr)), this.block(() => this.store32(e.args[2] as Expr)));
      return;
    }
    this.push(`${this.x.dst[0]} = ${this.i32(e)};`);
  }

  // ---- values ----

  private arg(e: Expr, i: number): Expr {
    const a = e.args[i];
    if (!a) throw new Error(`ops-js: ${e.op} needs argument ${i}`);
    return a;
  }

  i64(e: Expr): Pair {
    const A = (): Pair => this.i64(this.arg(e, 0));
    const B = (): Pair => this.i64(this.arg(e, 1));
    const atoms = (p: Pair): Pair => ({ lo: this.atom(p.lo), hi: this.atom(p.hi) });
    switch (e.op) {
      case 'dst':
      case 'src':
        return { lo: this.leafHalf(e.op, 0), hi: this.leafHalf(e.op, 1) };
      case 'const': {
        const v = BigInt.asIntN(64, e.value ?? 0n);
        return { lo: literal(Number(BigInt.asIntN(32, v))), hi: literal(Number(v >> 32n)) };
      }
      case 'mem': {
        const a = this.memAt(e, 8);
        return { lo: `DV.getInt32(${a}, true)`, hi: `DV.getInt32(${a} + 4, true)` };
      }
      case 'add': {
        const a = atoms(A()), b = B();
        const r = this.atom(`(${a.lo} + ${b.lo}) | 0`);
        return { lo: r, hi: `(${a.hi} + ${b.hi} + (${this.flip(r)} < ${this.flip(a.lo)} ? 1 : 0)) | 0` };
      }
      case 'sub': {
        const a = atoms(A()), b = atoms(B());
        return { lo: `(${a.lo} - ${b.lo}) | 0`, hi: `(${a.hi} - ${b.hi} - (${this.flip(a.lo)} < ${this.flip(b.lo)} ? 1 : 0)) | 0` };
      }
      case 'mul': {
        // The low 64 bits of the product, from 16-bit partial products.
        const a = atoms(A()), b = atoms(B());
        const t = this.tmp();
        this.push(
          `const ${t}a0 = ${a.lo} & 0xffff, ${t}a1 = ${a.lo} >>> 16, ${t}b0 = ${b.lo} & 0xffff, ${t}b1 = ${b.lo} >>> 16; ` +
            `const ${t}p10 = ${t}a1 * ${t}b0, ${t}p01 = ${t}a0 * ${t}b1; ` +
            `const ${t}m = ((${t}a0 * ${t}b0) >>> 16) + (${t}p10 & 0xffff) + (${t}p01 & 0xffff);`,
        );
        return {
          lo: `Math.imul(${a.lo}, ${b.lo})`,
          hi: `(${t}a1 * ${t}b1 + (${t}p10 >>> 16) + (${t}p01 >>> 16) + (${t}m >>> 16) + Math.imul(${a.lo}, ${b.hi}) + Math.imul(${a.hi}, ${b.lo})) | 0`,
        };
      }
      case 'udiv':
      case 'urem':
      case 'sdiv':
      case 'srem': {
        // Operands that fit 32 bits divide inline; the others go to divmod64 (BigInt), which
        // leaves the result in Q. The definitions keep 0 (and −1, signed) away from here.
        const a = atoms(A()), b = atoms(B());
        const lo = this.tmp(), hi = this.tmp();
        const op = e.op;
        const fast =
          op === 'udiv' ? [`(${a.hi} | ${b.hi}) === 0`, `((${a.lo} >>> 0) / (${b.lo} >>> 0)) | 0`, '0']
          : op === 'urem' ? [`(${a.hi} | ${b.hi}) === 0`, `((${a.lo} >>> 0) % (${b.lo} >>> 0)) | 0`, '0']
          : [`${a.hi} === ${a.lo} >> 31 && ${b.hi} === ${b.lo} >> 31`, `(${a.lo} ${op === 'sdiv' ? '/' : '%'} ${b.lo}) | 0`, `${lo} >> 31`];
        const name = { udiv: 'div', urem: 'mod', sdiv: 'sdiv', srem: 'smod' }[op];
        this.push(
          `let ${lo} = 0, ${hi} = 0; if (${fast[0]}) { ${lo} = ${fast[1]}; ${hi} = ${fast[2]}; } else { divmod64(${a.lo}, ${a.hi}, ${b.lo}, ${b.hi}, '${name}'); ${lo} = Q[0]; ${hi} = Q[1]; }`,
        );
        return { lo, hi };
      }
      case 'and':
      case 'or':
      case 'xor': {
        const o = e.op === 'and' ? '&' : e.op === 'or' ? '|' : '^';
        const a = A(), b = B();
        return { lo: `(${a.lo} ${o} ${b.lo})`, hi: `(${a.hi} ${o} ${b.hi})` };
      }
      case 'neg': {
        const a = atoms(A());
        return { lo: `-${a.lo} | 0`, hi: `(~${a.hi} + (${a.lo} === 0 ? 1 : 0)) | 0` };
      }
      case 'shl':
      case 'shr':
      case 'sar':
        return this.shift64(e.op, atoms(A()), this.arg(e, 1));
      case 'bswap': {
        const a = atoms(A());
        return { lo: swap32(a.hi), hi: swap32(a.lo) };
      }
      case 'zext':
        return { lo: this.i32(this.arg(e, 0)), hi: '0' };
      case 'sext': {
        const v = this.atom(this.i32(this.arg(e, 0)));
        return { lo: v, hi: `${v} >> 31` };
      }
      case 'select': {
        const c = this.bool(this.arg(e, 0));
        const lo = this.tmp(), hi = this.tmp();
        const side = (i: number): string =>
          this.block(() => {
            const v = this.i64(this.arg(e, i));
            this.push(`${lo} = ${v.lo}; ${hi} = ${v.hi};`);
          });
        this.push(`let ${lo} = 0, ${hi} = 0;`);
        this.branch(c, side(1), side(2));
        return { lo, hi };
      }
      default:
        throw new Error(`ops-js: no i64 ${e.op}`);
    }
  }

  /** A 64-bit shift; the amount is a constant 1..31 (kLo), 32..63 (kHi, held as amount − 32) or any i64 (mod 64). */
  private shift64(op: 'shl' | 'shr' | 'sar', a: Pair, amount: Expr): Pair {
    const lo = (k: string, k32: string): Pair =>
      op === 'shl'
        ? { lo: `${a.lo} << ${k}`, hi: `(${a.hi} << ${k}) | (${a.lo} >>> ${k32})` }
        : { lo: `(${a.lo} >>> ${k}) | (${a.hi} << ${k32})`, hi: op === 'shr' ? `(${a.hi} >>> ${k}) | 0` : `${a.hi} >> ${k}` };
    const hi = (k: string): Pair =>
      op === 'shl' ? { lo: '0', hi: `${a.lo} << ${k}` } : op === 'shr' ? { lo: `(${a.hi} >>> ${k}) | 0`, hi: '0' } : { lo: `${a.hi} >> ${k}`, hi: `${a.hi} >> 31` };
    const k = this.x.k;
    if (amount.op === 'kLo') return lo(k, isLiteral(k) ? `${32 - litValue(k)}` : `(32 - ${k})`);
    if (amount.op === 'kHi') return hi(k);
    // By a register: amounts 32..63 move one half into the other, 1..31 mix them, 0 keeps both.
    const n = this.atom(`${this.lo64(amount)} & 63`);
    const rl = this.tmp(), rh = this.tmp();
    const put = (p: Pair): string => `${rl} = ${p.lo}; ${rh} = ${p.hi};`;
    this.push(`let ${rl} = ${a.lo}, ${rh} = ${a.hi}; if (${n} >= 32) { ${put(hi(`(${n} - 32)`))} } else if (${n} !== 0) { ${put(lo(n, `(32 - ${n})`))} }`);
    return { lo: rl, hi: rh };
  }

  /** The low half of an i64 (of an operand: without reading its upper half). */
  private lo64(e: Expr): string {
    return e.op === 'dst' || e.op === 'src' ? this.leafHalf(e.op, 0) : this.i64(e).lo;
  }

  i32(e: Expr): string {
    const A = (): string => this.i32(this.arg(e, 0));
    const B = (): string => this.i32(this.arg(e, 1));
    switch (e.op) {
      case 'wrap':
        return this.lo64(this.arg(e, 0));
      case 'const':
        return literal(Number(BigInt.asIntN(32, e.value ?? 0n)));
      case 'k32':
        return this.x.k;
      case 'mem': {
        const a = this.memAt(e, e.size === 1 || e.size === 2 ? e.size : 4);
        return e.size === 1 ? `DV.getUint8(${a})` : e.size === 2 ? `DV.getUint16(${a}, true)` : `DV.getInt32(${a}, true)`;
      }
      case 'add':
        return `(${A()} + ${B()}) | 0`;
      case 'sub':
        return `(${A()} - ${B()}) | 0`;
      case 'mul':
        return `Math.imul(${A()}, ${B()})`;
      case 'udiv':
        return `((${A()} >>> 0) / (${B()} >>> 0)) | 0`;
      case 'urem':
        return `((${A()} >>> 0) % (${B()} >>> 0)) | 0`;
      case 'sdiv':
        return `(${A()} / ${B()}) | 0`;
      case 'srem':
        return `(${A()} % ${B()}) | 0`;
      case 'and':
        return `(${A()} & ${B()})`;
      case 'or':
        return `(${A()} | ${B()})`;
      case 'xor':
        return `(${A()} ^ ${B()})`;
      // JavaScript's shifts take the amount modulo 32, as the definitions ask.
      case 'shl':
        return `(${A()} << ${B()})`;
      case 'shr':
        return `((${A()} >>> ${B()}) | 0)`;
      case 'sar':
        return `(${A()} >> ${B()})`;
      case 'neg':
        return `(-${A()} | 0)`;
      // The bytes read and sign-extended at once, where that is what a DataView read does.
      case 'sext8':
        return this.arg(e, 0).op === 'mem' && this.arg(e, 0).size === 1 ? `DV.getInt8(${this.memAt(this.arg(e, 0), 1)})` : `((${A()} << 24) >> 24)`;
      case 'sext16':
        return this.arg(e, 0).op === 'mem' && this.arg(e, 0).size === 2 ? `DV.getInt16(${this.memAt(this.arg(e, 0), 2)}, true)` : `((${A()} << 16) >> 16)`;
      case 'bswap':
        return swap32(this.atom(A()));
      case 'bswap16': {
        const v = this.atom(A());
        return `(((${v} & 0xff) << 8) | ((${v} >>> 8) & 0xff))`;
      }
      case 'select': {
        const c = this.bool(this.arg(e, 0));
        const r = this.tmp();
        const side = (i: number): string => this.block(() => this.push(`${r} = ${this.i32(this.arg(e, i))};`));
        this.push(`let ${r} = 0;`);
        this.branch(c, side(1), side(2));
        return r;
      }
      default:
        throw new Error(`ops-js: no i32 ${e.op}`);
    }
  }

  /** The arena offset a `mem` of `size` bytes reads at. */
  private memAt(e: Expr, size: number): string {
    if (this.at === undefined || e.size !== size) throw new Error(`ops-js: a ${e.size ?? '?'}-byte read outside a load`);
    return this.at;
  }

  /** Writes the low `size` bytes of `value` at the arena offset `a` (a store's fast path). */
  write(value: Expr, size: number, a: string): void {
    if (size === 8) {
      const v = this.i64(value);
      this.push(`DV.setInt32(${a}, ${v.lo}, true);`, `DV.setInt32(${a} + 4, ${v.hi}, true);`);
      return;
    }
    const v = this.i32(value);
    this.push(size === 1 ? `DV.setUint8(${a}, ${v});` : size === 2 ? `DV.setUint16(${a}, ${v}, true);` : `DV.setInt32(${a}, ${v}, true);`);
  }

  /** A condition, as an expression (parenthesized). */
  bool(e: Expr): string {
    const a = this.arg(e, 0), b = this.arg(e, 1);
    const rel = { eq: '===', ne: '!==', ult: '<', ule: '<=', ugt: '>', uge: '>=', slt: '<', sle: '<=', sgt: '>', sge: '>=' }[e.op as string];
    if (rel === undefined) throw new Error(`ops-js: no condition ${e.op}`);
    const unsigned = e.op.startsWith('u');
    if (a.ty === 'i32') {
      const x = this.i32(a), y = this.i32(b);
      return unsigned ? `(${this.flip(x)} ${rel} ${this.flip(y)})` : `(${x} ${rel} ${y})`;
    }
    const x = this.i64(a);
    if (b.op === 'const' && (e.op === 'eq' || e.op === 'ne') && (b.value === 0n || b.value === -1n)) {
      // Against 0 or −1: one compare of the halves or'ed or and'ed.
      return b.value === 0n ? `((${x.lo} | ${x.hi}) ${rel} 0)` : `((${x.lo} & ${x.hi}) ${rel} -1)`;
    }
    const y = this.i64(b);
    if (e.op === 'eq') return `(${x.lo} === ${y.lo} && ${x.hi} === ${y.hi})`;
    if (e.op === 'ne') return `(${x.lo} !== ${y.lo} || ${x.hi} !== ${y.hi})`;
    // The upper halves decide unless equal; then the lower halves, compared unsigned.
    const xh = this.atom(unsigned ? this.flip(x.hi) : x.hi);
    const yh = this.atom(unsigned ? this.flip(y.hi) : y.hi);
    const strict = rel.startsWith('<') ? '<' : '>';
    return `(${xh} ${strict} ${yh} || (${xh} === ${yh} && ${this.flip(x.lo)} ${rel} ${this.flip(y.lo)}))`;
  }
}

/** swap32 of an atom, inline. */
function swap32(v: string): string {
  return `(((${v} & 0xff) << 24) | ((${v} & 0xff00) << 8) | ((${v} >>> 8) & 0xff00) | (${v} >>> 24))`;
}

/** Statements that set dst to the definition's value. */
export function jsAlu(def: Expr<'i64'>, x: JsOperands): JsCode {
  const e = new Emitter(x, [def]);
  e.store64(def);
  const { lines } = e.finish();
  return { lines, code: lines.join(' '), uses: e.uses };
}

/** Statements, and the expression that is true when the jump is taken. */
export function jsCond(def: Expr<'bool'>, x: JsOperands): JsCode & { readonly cond: string } {
  const e = new Emitter(x, [def]);
  const { lines, cond } = e.finish(e.bool(def));
  return { lines, code: lines.join(' '), cond, uses: e.uses };
}

/** How the memory model of the JavaScript tiers is spelled where the code runs. */
export interface JsMemory {
  /** The upper half of every arena address (a name or a literal). */
  readonly base: string;
  /** The shadow's permission bits for a read and a write. */
  readonly read: string;
  readonly write: string;
}

/** A load or store: its fast path, and when the tier's slow path must take it instead. */
export interface JsAccess {
  /** Declares the arena offset `at` from the base register's lower half and the offset. */
  readonly head: string;
  /** The arena offset's name (`a`, with the operands' prefix). */
  readonly at: string;
  /** True when the fast path refuses: the base is not an arena address, or a byte lacks the permission. */
  readonly refuse: string;
  /** The fast path: dst set from the bytes, or the bytes written. */
  readonly fast: readonly string[];
  readonly uses: JsCode['uses'];
}

/**
 * The memory model of the interpreter and the compiled tier, once for every load and store:
 * an access takes the fast path when the base register's upper half is the arena's and the
 * first and last byte at (lower half + offset) carry the permission (an arena offset that wraps
 * reads outside the shadow: `undefined`, refused); anything else — another region, a context
 * field, a fault — is the caller's slow path. What the fast path reads or writes, and how a
 * value extends, is the definition's.
 */
export function jsAccess(def: MemDef, x: JsOperands, m: JsMemory): JsAccess {
  const base = def.addr.op === 'add' ? def.addr.args[0] : undefined;
  if (!base || (base.op !== 'dst' && base.op !== 'src') || def.addr.args[1]?.op !== 'off' || x.off === undefined) {
    throw new Error('ops-js: an address is a register plus the offset');
  }
  const [lo, hi] = base.op === 'dst' ? x.dst : x.src;
  const a = `${x.prefix ?? ''}a`;
  const last = def.size > 1 ? ` & SH[${a} + ${def.size - 1}]` : '';
  const refuse = `${hi} !== ${m.base} || (SH[${a}]${last} & ${def.kind === 'load' ? m.read : m.write}) === 0`;
  const e = new Emitter(x, [def.value], a);
  if (def.kind === 'load') e.store64(def.value);
  else e.write(def.value, def.size, a);
  const { lines } = e.finish();
  const uses = { ...e.uses, [base.op]: true };
  return { head: `const ${a} = (${lo} + ${x.off}) | 0;`, at: a, refuse, fast: lines, uses };
}
