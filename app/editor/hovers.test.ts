import { describe, expect, it } from 'vitest';
import { FUNCTION_DOCS } from '../../engine/asm/index.ts';
import { directiveHover, encodingMarkdown, escapeMarkdown, functionHover, hoverAt } from './hovers.ts';

const text = (h: ReturnType<typeof hoverAt>): string => h?.contents.join('\n\n') ?? '';

describe('hovers', () => {
  it('describes the instruction of a line with its encoding, in either dialect', () => {
    const llvm = hoverAt('  r0 = 1 # answer', 5, 'llvm');
    expect(llvm).toMatchObject({ startCol: 3, endCol: 9 });
    expect(text(llvm)).toContain('**mov**');
    expect(text(llvm)).toContain('`b7 00 00 00 01 00 00 00`');
    expect(text(llvm)).toContain('ubpf: `mov %r1, 4`');
    const ubpf = hoverAt('ldxw %r1, [%r2+4]', 2, 'ubpf');
    expect(text(ubpf)).toContain('**ldxw**');
    expect(text(ubpf)).toContain('off `4`');
  });

  it('says how symbols encode before the program is assembled', () => {
    expect(text(hoverAt('loop: if r1 > 3 goto loop', 8, 'llvm'))).toContain('`loop`: resolved when the whole program is assembled');
    expect(text(hoverAt('  r1 = counters ll', 9, 'llvm', 'root', ['counters']))).toContain('BPF_PSEUDO_MAP_FD');
    expect(text(hoverAt('call my_fn', 2, 'llvm'))).toContain('call the BPF function');
  });

  it('describes registers, helpers, directives and struct fields', () => {
    expect(hoverAt('mov %r10, 1', 6, 'ubpf')).toMatchObject({ startCol: 5, endCol: 9 });
    expect(text(hoverAt('mov %r10, 1', 6, 'ubpf'))).toContain('frame pointer');
    expect(text(hoverAt('w3 = w2', 1, 'llvm'))).toContain('lower 32 bits of `r3`');
    const helper = text(hoverAt('call bpf_map_lookup_elem', 8, 'llvm'));
    expect(helper).toContain('```c\nvoid *bpf_map_lookup_elem(struct bpf_map *map, const void *key)\n```');
    expect(helper).toContain('**Returns**');
    expect(helper).toContain('helper #1');
    expect(text(hoverAt('.map m type=array key=4 value=8 max_entries=1', 2, 'llvm'))).toContain('Declares a map');
    expect(text(hoverAt('.p2align 3', 2, 'llvm'))).toContain('accepted and ignored');
    const field = hoverAt('r2 = *(u32 *)(r1 + xdp_md.data_end)', 25, 'llvm');
    expect(field).toMatchObject({ startCol: 20, endCol: 35 });
    expect(text(field)).toContain('offset 4');
    expect(text(hoverAt('r2 = *(u32 *)(r1 + xdp_md.nope)', 25, 'llvm'))).toContain('has no field `nope`');
  });

  it('shows kfunc flags and kernel profiles when a kfunc has them', () => {
    const md = functionHover({ kind: 'kfunc', name: 'bpf_cpumask_create', id: 7, signature: 'struct bpf_cpumask *bpf_cpumask_create(void)', summary: 'Allocates a cpumask.', returns: 'a referenced cpumask, or NULL', flags: ['KF_ACQUIRE', 'KF_RET_NULL'], profiles: ['linux-6.3', 'linux-6.18'] }).join('\n\n');
    expect(md).toContain('kfunc (BTF id 7)');
    expect(md).toContain('Flags: `KF_ACQUIRE` `KF_RET_NULL`');
    expect(md).toContain('Kernels: `linux-6.3`, `linux-6.18`');
    for (const d of FUNCTION_DOCS) expect(functionHover(d)[0]).toContain(d.signature);
  });

  it('shows nothing in comments, blank space or on a label', () => {
    expect(hoverAt('r0 = 1 # r1', 10, 'llvm')).toBeUndefined();
    expect(hoverAt('/* r1 */', 4, 'llvm')).toBeUndefined();
    expect(hoverAt(' r1 */ exit', 2, 'llvm', 'comment')).toBeUndefined();
    expect(text(hoverAt(' r1 */ exit', 8, 'llvm', 'comment'))).toContain('**exit**');
    expect(hoverAt('loop:', 2, 'llvm')).toBeUndefined();
    expect(hoverAt('    exit', 2, 'llvm')).toBeUndefined();
  });

  it('spells out the fields of an encoding', () => {
    expect(encodingMarkdown(Uint8Array.of(0x61, 0x21, 0xfc, 0xff, 0x01, 0, 0, 0))).toContain('dst `r1` · src `r2` · off `-4` · imm `1`');
  });
});

describe('user text in hovers', () => {
  it('is escaped where it stands in running markdown, so it shows as typed', () => {
    expect(escapeMarkdown('a_b*c*[x](javascript:y)<img src=x>')).toBe('a\\_b\\*c\\*\\[x\\]\\(javascript:y\\)\\<img src=x\\>');
    expect(directiveHover('.my_dir')[0]).toBe("**\\.my\\_dir** — bookkeeping of clang's `-S` output; accepted and ignored.");
  });
});
