// The ubpf dialect, as the bpf_conformance suite writes it (`mov %r0, 1`, `ldxw %r1, [%r2+4]`,
// `jgt %r1, 0x10, +3`, `lock fetch add [%r10-8], %r1`, `call local f`). Mnemonics come from
// the ISA table; this file only knows the operand shapes.

import { FORMS, type Form, type Insn, type Operand } from '../isa/index.ts';
import type { Cursor, Span } from './cursor.ts';
import type { Dialect, Fixup, ParsedInsn } from './dialect.ts';
import { AS16, IMM32, IMM64, OFF16, OFF32, splitImm64, toInt32, joinImm64 } from './numbers.ts';

/** Mnemonic → forms (e.g. `add32` → add32_imm, add32_reg), from the ISA table. */
const BY_MNEMONIC = new Map<string, Form[]>();
for (const f of FORMS) {
  const list = BY_MNEMONIC.get(f.mnemonic) ?? [];
  list.push(f);
  BY_MNEMONIC.set(f.mnemonic, list);
}
/** Spellings bpf_conformance and ubpf also use. */
const ALIASES: ReadonlyMap<string, string> = new Map([
  ['swap16', 'bswap16'],
  ['swap32', 'bswap32'],
  ['swap64', 'bswap64'],
  ['ldxsdw', 'ldxdw'],
]);

function register(c: Cursor): number | undefined {
  const t = c.peek();
  const m = t && t.kind === 'reg' ? /^%r(\d+)$/.exec(t.text) : null;
  if (!t || !m) {
    c.fail('expected a register %r0-%r10', 'expected-register');
    return undefined;
  }
  const n = Number(m[1]);
  if (n > 10) {
    c.ctx.error(t, `${t.text} is not a register (%r0-%r10)`, 'bad-register');
    c.next();
    return undefined;
  }
  c.next();
  return n;
}

function comma(c: Cursor): boolean {
  return c.expect(',', 'between operands') !== undefined;
}

function operand(c: Cursor): Operand | undefined {
  if (c.peek()?.kind === 'reg') {
    const reg = register(c);
    return reg === undefined ? undefined : { type: 'reg', reg };
  }
  const v = c.int(IMM32, 'a register or an immediate', 'imm');
  return v === undefined ? undefined : { type: 'imm', imm: toInt32(v.value) };
}

/** `[%rN]`, `[%rN+OFF]`, `[%rN-OFF]`; OFF may be STRUCT.FIELD. */
function memory(c: Cursor): { base: number; off: number } | undefined {
  if (!c.expect('[', 'to open a memory operand like [%r10-8]')) return undefined;
  const base = register(c);
  if (base === undefined) return undefined;
  let off = 0;
  if (c.is('+') || c.is('-')) {
    const v = c.int(OFF16, 'an offset', 'off');
    if (v === undefined) return undefined;
    off = Number(v.value);
  }
  if (!c.expect(']', 'to close the memory operand')) return undefined;
  return { base, off };
}

/** `+N`, `-N`, `N` (relative) or a label. */
function target(c: Cursor, long: boolean): { off: number } | { label: string; span: Span } | undefined {
  const t = c.peek();
  if (t && t.kind === 'ident') {
    c.next();
    return { label: t.text, span: t };
  }
  const v = c.int(long ? OFF32 : OFF16, 'a jump target (+N, -N or a label)');
  return v === undefined ? undefined : { off: Number(v.value) };
}

function withTarget(insn: Insn, t: { off: number } | { label: string; span: Span }): ParsedInsn {
  if ('label' in t) return { insn, fixup: { kind: 'jump', label: t.label, span: t.span } };
  return { insn: { ...insn, off: t.off } as Insn };
}

function pickForm(forms: readonly Form[], source: 'reg' | 'imm'): Form | undefined {
  return forms.find((f) => {
    const t = f.template;
    if (t.kind === 'alu' || t.kind === 'jcond' || t.kind === 'store') return t.src.type === source;
    return true;
  });
}

function parse(c: Cursor): ParsedInsn | undefined {
  const head = c.next();
  if (!head || head.kind !== 'ident') {
    c.ctx.error(head ?? { col: 1, endCol: 2 }, `expected a mnemonic${head ? `, found '${head.text}'` : ''}`, 'syntax');
    return undefined;
  }
  let mnemonic = head.text.toLowerCase();
  if (mnemonic === 'lock') {
    const words: string[] = [];
    while (c.peek()?.kind === 'ident') words.push(c.next()?.text ?? '');
    mnemonic = ['lock', ...words].join(' ');
  }
  mnemonic = ALIASES.get(mnemonic) ?? mnemonic;

  if (mnemonic === 'call') return parseCall(c);
  if (mnemonic === 'ld_pseudo') {
    const dst = register(c);
    if (dst === undefined || !comma(c)) return undefined;
    const src = c.int({ min: 0n, max: 6n, what: 'a pseudo source 0-6' }, 'the pseudo source');
    if (!src || !comma(c)) return undefined;
    const imm = c.int(IMM32, 'the immediate');
    if (!imm) return undefined;
    let imm2 = 0;
    if (c.accept(',')) {
      const v = c.int(IMM32, 'the second immediate');
      if (!v) return undefined;
      imm2 = toInt32(v.value);
    }
    if (!c.end()) return undefined;
    return { insn: { kind: 'ldimm64', dst, pseudo: Number(src.value), imm: toInt32(imm.value), imm2 } };
  }

  const forms = BY_MNEMONIC.get(mnemonic);
  if (!forms) {
    c.ctx.error(head, `unknown mnemonic '${mnemonic}'`, 'unknown-mnemonic');
    return undefined;
  }
  const kind = forms[0]?.template.kind;
  const first = forms[0];
  if (!first) return undefined;
  let result: ParsedInsn | undefined;
  switch (kind) {
    case 'alu': {
      const dst = register(c);
      if (dst === undefined || !comma(c)) return undefined;
      const src = operand(c);
      const form = src && pickForm(forms, src.type);
      if (!src || !form || form.template.kind !== 'alu') return undefined;
      result = { insn: { ...form.template, dst, src } };
      break;
    }
    case 'movsx':
    case 'neg':
    case 'end': {
      const dst = register(c);
      if (dst === undefined) return undefined;
      const t = first.template;
      if (t.kind === 'movsx') {
        if (!comma(c)) return undefined;
        const src = register(c);
        if (src === undefined) return undefined;
        result = { insn: { ...t, dst, src } };
      } else if (t.kind === 'neg' || t.kind === 'end') {
        result = { insn: { ...t, dst } };
      }
      break;
    }
    case 'ldimm64': {
      const dst = register(c);
      if (dst === undefined || !comma(c)) return undefined;
      const t = c.peek();
      if (t && t.kind === 'ident' && !t.text.includes('.')) {
        c.next();
        const fixup: Fixup = { kind: 'map', name: t.text, span: t };
        result = { insn: { kind: 'ldimm64', dst, pseudo: 1, imm: 0, imm2: 0 }, fixup };
        break;
      }
      const v = c.int(IMM64, 'a 64-bit immediate or a map name', 'imm');
      if (!v) return undefined;
      result = { insn: { kind: 'ldimm64', dst, pseudo: 0, ...splitImm64(v.value) } };
      break;
    }
    case 'load': {
      const dst = register(c);
      if (dst === undefined || !comma(c)) return undefined;
      const m = memory(c);
      if (!m || first.template.kind !== 'load') return undefined;
      result = { insn: { ...first.template, dst, base: m.base, off: m.off } };
      break;
    }
    case 'store': {
      const m = memory(c);
      if (!m || !comma(c)) return undefined;
      const src = operand(c);
      if (!src) return undefined;
      const form = forms.find((f) => f.template.kind === 'store' && f.template.src.type === src.type);
      if (!form || form.template.kind !== 'store') {
        c.ctx.error(head, `${mnemonic} stores ${src.type === 'reg' ? 'an immediate; use stx' : 'a register; use st'}${mnemonic.replace(/^stx?/, '')}`, 'operand');
        return undefined;
      }
      result = { insn: { ...form.template, base: m.base, off: m.off, src } };
      break;
    }
    case 'atomic': {
      const m = memory(c);
      if (!m || !comma(c)) return undefined;
      const src = register(c);
      if (src === undefined || first.template.kind !== 'atomic') return undefined;
      result = { insn: { ...first.template, base: m.base, off: m.off, src } };
      break;
    }
    case 'addr_space_cast': {
      // Not in bpf_conformance: the mnemonic of llvm-mc and the kernel, operands as `mov`
      // (dst first), then the address spaces in llvm-mc's order: addr_space_cast %r1, %r2, 0, 1.
      const dst = register(c);
      if (dst === undefined || !comma(c)) return undefined;
      const src = register(c);
      if (src === undefined || !comma(c)) return undefined;
      const dstAs = c.int(AS16, 'the destination address space');
      if (!dstAs || !comma(c)) return undefined;
      const srcAs = c.int(AS16, 'the source address space');
      if (!srcAs) return undefined;
      const as16 = (v: bigint): number => Number(BigInt.asUintN(16, v));
      result = { insn: { kind: 'addr_space_cast', dst, src, dstAs: as16(dstAs.value), srcAs: as16(srcAs.value) } };
      break;
    }
    case 'may_goto': {
      // Not in bpf_conformance either: shaped as `ja` (may_goto +3, may_goto LABEL).
      const t = target(c, false);
      if (!t) return undefined;
      result = withTarget({ kind: 'may_goto', off: 0 }, t);
      break;
    }
    case 'ja': {
      if (first.template.kind !== 'ja') return undefined;
      const t = target(c, first.template.long);
      if (!t) return undefined;
      result = withTarget(first.template, t);
      break;
    }
    case 'jcond': {
      const dst = register(c);
      if (dst === undefined || !comma(c)) return undefined;
      const src = operand(c);
      const form = src && pickForm(forms, src.type);
      if (!src || !form || form.template.kind !== 'jcond' || !comma(c)) return undefined;
      const t = target(c, false);
      if (!t) return undefined;
      result = withTarget({ ...form.template, dst, src }, t);
      break;
    }
    case 'exit':
      result = { insn: { kind: 'exit' } };
      break;
    case 'ldpkt': {
      if (first.template.kind !== 'ldpkt') return undefined;
      let src = 0;
      if (first.template.mode === 'ind') {
        const r = register(c);
        if (r === undefined || !comma(c)) return undefined;
        src = r;
      }
      const v = c.int(IMM32, 'an offset');
      if (!v) return undefined;
      result = { insn: { ...first.template, src, imm: toInt32(v.value) } };
      break;
    }
    default:
      c.ctx.error(head, `unknown mnemonic '${mnemonic}'`, 'unknown-mnemonic');
      return undefined;
  }
  if (!result || !c.end()) return undefined;
  return result;
}

/** `call N`, `call helper N`, `call local LABEL|+N`, `call runtime N` / `call kfunc N`, `call NAME`. */
function parseCall(c: Cursor): ParsedInsn | undefined {
  const mode = c.peek();
  let kind: 'helper' | 'local' | 'kfunc' | undefined;
  if (mode?.kind === 'ident' && c.peek(1) !== undefined && ['helper', 'local', 'runtime', 'kfunc'].includes(mode.text)) {
    kind = mode.text === 'local' ? 'local' : mode.text === 'helper' ? 'helper' : 'kfunc';
    c.next();
  }
  const t = c.peek();
  if (t?.kind === 'reg') {
    c.ctx.error(t, 'callx (call through a register) is not supported: it is not in RFC 9669 and Linux rejects it', 'unsupported');
    return undefined;
  }
  if (t?.kind === 'ident') {
    c.next();
    if (!c.end()) return undefined;
    if (kind === 'local') return { insn: { kind: 'call', target: 'local', imm: 0, off: 0 }, fixup: { kind: 'local-call', label: t.text, span: t } };
    return { insn: { kind: 'call', target: 'helper', imm: 0, off: 0 }, fixup: { kind: 'call', name: t.text, span: t } };
  }
  const v = c.int(IMM32, 'a helper number, a function name or a label');
  if (!v) return undefined;
  let off = 0;
  // A kfunc from module BTF carries the fd_array index in off: `call kfunc ID, OFF`.
  if (kind === 'kfunc' && c.accept(',')) {
    const o = c.int(OFF16, 'the BTF fd index');
    if (!o) return undefined;
    off = Number(o.value);
  }
  if (!c.end()) return undefined;
  return { insn: { kind: 'call', target: kind ?? 'helper', imm: toInt32(v.value), off } };
}

// ---- printing ----------------------------------------------------------------------------

function num(v: number): string {
  if (v >= -255 && v <= 255) return String(v);
  return v < 0 ? `-0x${(-v).toString(16)}` : `0x${v.toString(16)}`;
}
function rel(v: number): string {
  return v < 0 ? String(v) : `+${v}`;
}
function reg(r: number): string {
  return `%r${r}`;
}
function mem(base: number, off: number): string {
  return off === 0 ? `[${reg(base)}]` : `[${reg(base)}${off < 0 ? '-' : '+'}${num(Math.abs(off))}]`;
}
function opnd(o: Operand): string {
  return o.type === 'reg' ? reg(o.reg) : num(o.imm);
}
function imm64(imm: number, imm2: number): string {
  const v = BigInt.asIntN(64, joinImm64(imm, imm2));
  if (v >= -255n && v <= 255n) return String(v);
  return `0x${BigInt.asUintN(64, v).toString(16)}`;
}

function mnemonicOf(insn: Insn): string {
  const f = FORMS.find((x) => {
    const t = x.template;
    switch (insn.kind) {
      case 'alu':
        return t.kind === 'alu' && t.width === insn.width && t.op === insn.op;
      case 'movsx':
        return t.kind === 'movsx' && t.width === insn.width && t.bits === insn.bits;
      case 'addr_space_cast':
      case 'may_goto':
        return t.kind === insn.kind;
      case 'neg':
        return t.kind === 'neg' && t.width === insn.width;
      case 'end':
        return t.kind === 'end' && t.order === insn.order && t.bits === insn.bits;
      case 'load':
        return t.kind === 'load' && t.size === insn.size && t.signExtend === insn.signExtend;
      case 'store':
        return t.kind === 'store' && t.size === insn.size && t.src.type === insn.src.type;
      case 'atomic':
        return t.kind === 'atomic' && t.size === insn.size && t.op === insn.op && t.fetch === insn.fetch;
      case 'ja':
        return t.kind === 'ja' && t.long === insn.long;
      case 'jcond':
        return t.kind === 'jcond' && t.width === insn.width && t.cond === insn.cond;
      case 'ldpkt':
        return t.kind === 'ldpkt' && t.mode === insn.mode && t.size === insn.size;
      default:
        return false;
    }
  });
  return f?.mnemonic ?? insn.kind;
}

function format(insn: Insn): string {
  const m = mnemonicOf(insn);
  switch (insn.kind) {
    case 'alu':
      return `${m} ${reg(insn.dst)}, ${opnd(insn.src)}`;
    case 'movsx':
      return `${m} ${reg(insn.dst)}, ${reg(insn.src)}`;
    case 'addr_space_cast':
      return `${m} ${reg(insn.dst)}, ${reg(insn.src)}, ${insn.dstAs}, ${insn.srcAs}`;
    case 'may_goto':
      return `${m} ${rel(insn.off)}`;
    case 'neg':
    case 'end':
      return `${m} ${reg(insn.dst)}`;
    case 'ldimm64':
      if (insn.pseudo === 0) return `lddw ${reg(insn.dst)}, ${imm64(insn.imm, insn.imm2)}`;
      return `ld_pseudo ${reg(insn.dst)}, ${insn.pseudo}, ${num(insn.imm)}${insn.imm2 !== 0 ? `, ${num(insn.imm2)}` : ''}`;
    case 'load':
      return `${m} ${reg(insn.dst)}, ${mem(insn.base, insn.off)}`;
    case 'store':
      return `${m} ${mem(insn.base, insn.off)}, ${opnd(insn.src)}`;
    case 'atomic':
      return `${m} ${mem(insn.base, insn.off)}, ${reg(insn.src)}`;
    case 'ja':
      return `${m} ${rel(insn.off)}`;
    case 'jcond':
      return `${m} ${reg(insn.dst)}, ${opnd(insn.src)}, ${rel(insn.off)}`;
    case 'call':
      if (insn.target === 'local') return `call local ${rel(insn.imm)}`;
      if (insn.target === 'kfunc') return `call kfunc ${num(insn.imm)}${insn.off !== 0 ? `, ${insn.off}` : ''}`;
      return `call ${num(insn.imm)}`;
    case 'exit':
      return 'exit';
    case 'ldpkt':
      return insn.mode === 'ind' ? `${m} ${reg(insn.src)}, ${num(insn.imm)}` : `${m} ${num(insn.imm)}`;
  }
}

export const ubpfDialect: Dialect = {
  name: 'ubpf',
  parse,
  format: (insn) => format(insn),
  // bpf_conformance: a jump to `exit` without an `exit:` label goes to the first exit.
  implicitLabel: (name, insns) => {
    if (name !== 'exit') return undefined;
    const i = insns.findIndex((x) => x?.kind === 'exit');
    return i < 0 ? undefined : i;
  },
};
