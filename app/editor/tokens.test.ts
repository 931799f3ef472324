import { compile } from 'monaco-editor/editor/standalone/common/monarch/monarchCompile.js';
import { MonarchTokenizer, type MonarchState } from 'monaco-editor/editor/standalone/common/monarch/monarchLexer.js';
import { describe, expect, it } from 'vitest';
import { FUNCTION_DOCS, INSTRUCTION_DOCS } from '../../engine/asm/index.ts';
import { LANGUAGE_ID, monarchLanguage, stateAfterLine, TOKEN_TYPES, tokenizeLine, tokenizeText, type LexState, type SpanType } from './tokens.ts';

const LLVM = `# r0 = 6 * 7, the LLVM way
.section xdp
.license "GPL"
.map counters type=array key=4 value=8 max_entries=16 [kptr=0:bpf_cpumask]
entry:  r6 = r1                   // keep the context
        r2 = *(u32 *)(r6 + xdp_md.data)
        r3 = *(u32 *)(r6 + xdp_md.data_end)
        w1 = -w1
        r1 = 0x1234 ll
        r1 = counters ll
        if r1 s> 0x10 goto +3
        if w2 s>= -1 goto entry
        gotol -5
        r0 = bswap64 r0
        r1 = be16 r1
        lock *(u64 *)(r10 - 8) += r2
        r1 = atomic_fetch_add((u64 *)(r10 - 0x8), r1)
        r0 = cmpxchg_64(r10 - 8, r0, r1)
        r1 = xchg_64(r10 - 8, r1)
        r1 = (s8)r2
        r1 s>>= 3 ; arithmetic shift
        r0 = *(u16 *)skb[12]
        call bpf_map_lookup_elem
        call 1
        callx r3
        exit
/* a block comment
   over lines with * and / inside */ r0 = 0
.Ltmp0:
        .p2align 3
        .section "xdp","ax",@progbits
bad $ ? ~ %foo 12abc 'c' "unterminated`;

const UBPF = `# ubpf dialect, bpf_conformance style
mov %r0, 1
mov32 %r1, 0xffffffff
ldxw %r1, [%r2+4]
ldxdw %r3, [%r10-8]
stxb [%r10-1], %r1
stdw [%r1], 0x7
jgt %r1, 0x10, +3
jeq %r1, %r2, exit
ja -1
be16 %r0
le64 %r0
lock add [%r1], %r2
lock fetch add [%r10-8], %r1
lock cmpxchg [%r1+8], %r2
neg %r9
lddw %r1, 0x123456789abcdef0
call local fn
call kfunc 42
ldabsh 12
ldindw %r1, 4
fn: exit ; done`;

/** One type per character, so the comparison ignores how each side splits runs. */
function perCharStatic(text: string): SpanType[][] {
  return tokenizeText(text).map((spans) => spans.flatMap((s) => Array<SpanType>(s.end - s.start).fill(s.type)));
}

function perCharMonarch(text: string): SpanType[][] {
  const stub = { getValue: () => 20_000, onDidChangeConfiguration: () => ({ dispose: () => undefined }) };
  const tokenizer = new MonarchTokenizer({}, {}, LANGUAGE_ID, compile(LANGUAGE_ID, monarchLanguage()), stub);
  let state: MonarchState = tokenizer.getInitialState();
  const out = text.split('\n').map((line) => {
    const r = tokenizer.tokenize(line, true, state);
    state = r.endState;
    return Array.from(line, (_, i) => {
      const tok = [...r.tokens].reverse().find((t) => t.offset <= i);
      return (tok?.type ?? '').replace(new RegExp(`\\.${LANGUAGE_ID}$`), '') as SpanType;
    });
  });
  tokenizer.dispose();
  return out;
}

describe('the token table', () => {
  it('gives Monaco and the static view the same tokens on both dialects', () => {
    const corpus = [LLVM, UBPF, INSTRUCTION_DOCS.map((d) => d.llvm).join('\n'), INSTRUCTION_DOCS.map((d) => d.ubpf).join('\n')];
    for (const text of corpus) expect(perCharStatic(text)).toEqual(perCharMonarch(text));
  });

  it('emits only the declared token types', () => {
    const seen = new Set(perCharStatic(`${LLVM}\n${UBPF}`).flat());
    for (const t of seen) if (t) expect(TOKEN_TYPES).toContain(t);
  });

  const typeOf = (line: string, word: string, state: LexState = 'root'): SpanType | undefined => {
    const at = line.indexOf(word);
    return tokenizeLine(line, state).spans.find((s) => s.start <= at && at < s.end)?.type;
  };

  it('classifies the parts of an LLVM line', () => {
    const line = 'loop: if r1 s> -0x10 goto loop # why';
    expect(typeOf(line, 'loop:')).toBe('label');
    expect(typeOf(line, 'if')).toBe('keyword');
    expect(typeOf(line, 'r1')).toBe('register');
    expect(typeOf(line, 's>')).toBe('operator');
    expect(typeOf(line, '-0x10')).toBe('number');
    expect(typeOf(line, 'goto')).toBe('keyword');
    expect(typeOf(line, '# why')).toBe('comment');
    expect(typeOf('r2 = *(u32 *)(r1 + xdp_md.data)', 'u32')).toBe('type');
    expect(typeOf('r2 = *(u32 *)(r1 + xdp_md.data)', 'xdp_md.data')).toBe('field');
    expect(typeOf('call bpf_map_lookup_elem', 'bpf_map_lookup_elem')).toBe('function');
    expect(typeOf('r1 = atomic_fetch_xor((u64 *)(r1 + 0), r1)', 'atomic_fetch_xor')).toBe('keyword');
    expect(typeOf('.map m type=array', '.map')).toBe('directive');
    expect(typeOf('r1 = m ll', 'm ')).toBe('identifier');
    expect(typeOf('.license "GPL"', '"GPL"')).toBe('string');
  });

  it('classifies the parts of a ubpf line and carries block comments across lines', () => {
    expect(typeOf('jsge32 %r1, -4, lbl', 'jsge32')).toBe('keyword');
    expect(typeOf('jsge32 %r1, -4, lbl', '%r1')).toBe('register');
    expect(typeOf('lock fetch xor [%r10-8], %r1', 'fetch')).toBe('keyword');
    expect(typeOf('ldxw %r1, [%r2+4]', '+4')).toBe('number');
    expect(typeOf('mov %r11, 1', '%r11')).toBe('invalid');
    const [first, second] = tokenizeText('/* open\n still */ exit');
    expect(first?.map((s) => s.type)).toEqual(['comment']);
    expect(second?.map((s) => s.type)).toEqual(['comment', '', 'keyword']);
  });

  it('knows every helper and every ubpf mnemonic', () => {
    for (const d of FUNCTION_DOCS) expect(typeOf(`call ${d.name}`, d.name)).toBe('function');
    for (const d of INSTRUCTION_DOCS) for (const w of d.mnemonic.split(' ')) expect(typeOf(`${w} `, w)).toBe('keyword');
  });
});

describe('stateAfterLine', () => {
  it('agrees with the tokenizer on every line, whether it tokenizes or not', () => {
    const lines = ['r0 = 1', 'r0 = 1 /* open', 'still in', 'end */ r0 = 2', '# not /* a comment', '"/*" r1 = 0', '/* a */ /* b', 'x */', '*/'];
    for (const start of ['root', 'comment'] as const) {
      for (const line of lines) expect(stateAfterLine(line, start), `${start}: ${line}`).toBe(tokenizeLine(line, start).state);
    }
  });
});
