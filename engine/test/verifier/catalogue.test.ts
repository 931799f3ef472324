// The verifier's message catalogue (engine/verifier/catalogue.ts): every message template the
// verifier's source can emit has exactly one entry; every entry's example is refused with its
// message and its fix accepted; explanations carry the program's values.

import { describe, expect, it } from 'vitest';
import { assemble } from '../../asm/index.ts';
import { verify, type VerifyResult } from '../../verifier/index.ts';
import { CATALOGUE, explainError, type CatalogueProgram, type ExplainContext } from '../../verifier/catalogue.ts';
import type { KernelProfile } from '../../kernel/profiles.ts';
import { extractTemplates } from './catalogue-templates.ts';

interface Run {
  readonly result: VerifyResult;
  readonly ctx: ExplainContext;
}

function run(p: CatalogueProgram, logLevel: 0 | 1 = 0): Run {
  const a = assemble(p.source);
  if (!a.ok) throw new Error(`does not assemble: ${a.diagnostics.map((d) => d.message).join('; ')}\n${p.source}`);
  const s = a.sections[0];
  if (!s) throw new Error('no section');
  const profile: KernelProfile = p.profile ?? 'linux-6.18';
  const gpl = /^\.license "(GPL|Dual [^"]*|GPL v2)"/m.test(p.source);
  const metadata = s.insns.some((i) => i?.kind === 'call' && i.target === 'kfunc');
  const lines = p.source.split('\n');
  const deviceBound = metadata && /bpf_xdp_metadata_/.test(p.source) && s.kind.progType === 'xdp' && !/# not device-bound/.test(p.source);
  const result = verify({ insns: s.insns, kind: s.kind, maps: a.maps, gpl, profile, logLevel, explain: true, ...(deviceBound ? { deviceBound } : {}) });
  const lineOf = (pc: number): number | undefined => s.spans[pc]?.line;
  const ctx: ExplainContext = { profile, lineOf, textOf: (pc) => { const l = lineOf(pc); return l === undefined ? undefined : lines[l - 1]?.trim(); }, log: result.log };
  return { result, ctx };
}

describe('the catalogue covers every message', () => {
  const templates = extractTemplates();
  it('finds the messages in the source', () => {
    expect(templates.size).toBeGreaterThan(100);
  });

  it('lists every template exactly once, and no template the source lacks', () => {
    const listed = new Map<string, string[]>();
    for (const e of CATALOGUE) for (const t of e.templates) listed.set(t, [...(listed.get(t) ?? []), e.id]);
    const twice = [...listed].filter(([, ids]) => ids.length > 1).map(([t, ids]) => `${t} (${ids.join(', ')})`);
    const stale = [...listed.keys()].filter((t) => !templates.has(t));
    expect(twice).toEqual([]);
    expect(stale).toEqual([]);
    const uncovered = [...templates].filter(([t]) => !listed.has(t)).map(([t, where]) => `${where}: ${t}`);
    // A message added to the verifier without an entry fails here, named with its file and line.
    expect(uncovered, `${uncovered.length} of ${templates.size} message templates have no catalogue entry`).toEqual([]);
  });

  it('has unique ids', () => {
    expect(new Set(CATALOGUE.map((e) => e.id)).size).toBe(CATALOGUE.length);
  });
});

/**
 * The entries whose message no assembled program can meet (internal consistency checks), each
 * with its reason in the entry's `unreachable`. Listed here so none is skipped silently.
 */
const UNREACHABLE: readonly string[] = [
  'insn-idx', // internal: the structure checks keep the walk inside the program
  'map-value-pointer-offset', // the assembly cannot write ld_pseudo's second-slot offset
  'packet-write', // only xdp and tc get packet pointers here, and both may write
  'helper-map-missing', // internal: a map argument always precedes key/value arguments
  'ref-obj-id', // internal: a release invalidates every register carrying the reference
  'kfunc-sleepable', // no declared kfunc is KF_SLEEPABLE
  'exit-r0-not-scalar', // no supported program type has a checked return range
  'exit-r0-range', // no supported program type has a checked return range
  'empty-program', // the assembler refuses an empty section
  'back-edge', // the playground verifies as root (bpf_capable)
];

describe('every entry has a refused example and an accepted fix', () => {
  it('lists the entries without examples explicitly', () => {
    for (const e of CATALOGUE) {
      if (e.example === undefined || e.fix === undefined) expect(e.unreachable, e.id).toBeTruthy();
      if (e.unreachable !== undefined) expect(e.example, e.id).toBeUndefined();
    }
    expect(CATALOGUE.filter((e) => e.unreachable !== undefined).map((e) => e.id).sort()).toEqual([...UNREACHABLE].sort());
  });

  for (const e of CATALOGUE) {
    if (!e.example || !e.fix) continue;
    const example = e.example;
    const fix = e.fix;
    it(`${e.id}: the example is refused with its message and explained`, () => {
      const { result, ctx } = run(example);
      expect(result.accepted).toBe(false);
      const err = result.errors[0];
      if (!err) throw new Error('no error');
      expect(err.message).toMatch(e.pattern);
      const x = explainError(err, ctx);
      expect(x?.id).toBe(e.id);
      expect(x?.explanation).toBeTruthy();
      expect(x?.suggestion).toBeTruthy();
      expect(x?.explanation).not.toMatch(/undefined|NaN/);
    });
    it(`${e.id}: the fix is accepted`, () => {
      const { result } = run(fix);
      expect(result.errors.map((x) => x.message)).toEqual([]);
      expect(result.accepted).toBe(true);
    });
  }
});

describe('explanations carry the program\'s values', () => {
  it('names the call a NULL pointer came from and its line', () => {
    const { result, ctx } = run({ source: '.section tp_btf/task_newtask\n.license "GPL"\nr0 = 0\ncall bpf_cpumask_create\nr6 = r0\nr1 = 1\nr2 = r6\ncall bpf_cpumask_set_cpu\nr0 = 0\nexit\n' });
    const err = result.errors[0];
    if (!err) throw new Error('accepted');
    const x = explainError(err, ctx);
    expect(x?.id).toBe('null-to-kfunc');
    expect(x?.explanation).toContain('bpf_cpumask_create at line 4');
    expect(x?.explanation).toContain('returns NULL when the allocation fails');
    expect(x?.explanation).toContain('at line 8');
    expect(x?.suggestion).toMatch(/after line 4 and before line 8/);
  });

  it('returns nothing for a message the catalogue lacks', () => {
    expect(explainError({ message: 'no such message' }, { profile: 'linux-6.18', lineOf: () => undefined })).toBeUndefined();
  });

  it('names the line that acquired a leaked reference', () => {
    const { result, ctx } = run({ source: '.section tp_btf/task_newtask\n.license "GPL"\ncall bpf_cpumask_create\nif r0 == 0 goto out\nr6 = r0\nr0 = 0\nexit\nout:\nr0 = 0\nexit\n' });
    const err = result.errors[0];
    if (!err) throw new Error('accepted');
    const x = explainError(err, ctx);
    expect(x?.id).toBe('reference-leak');
    expect(x?.explanation).toContain('acquired by bpf_cpumask_create at line 3');
    expect(x?.explanation).toContain('The exit at line 7');
    expect(x?.suggestion).toContain('acquired at line 3');
  });

  it('names the offset read past a packet check and the length checked', () => {
    const src = '.section xdp\n.license "GPL"\nr2 = *(u32 *)(r1 + 0)\nr3 = *(u32 *)(r1 + 4)\nr4 = r2\nr4 += 14\nif r4 > r3 goto out\nr0 = *(u8 *)(r2 + 20)\nout:\nr0 = 2\nexit\n';
    const { result, ctx } = run({ source: src }, 1);
    const err = result.errors[0];
    if (!err) throw new Error('accepted');
    const x = explainError(err, ctx);
    expect(x?.id).toBe('packet-outside');
    expect(x?.explanation).toContain('byte 20 past R2');
    expect(x?.explanation).toContain('the first 14 bytes are in the packet');
    expect(x?.explanation).toContain('line 7');
    expect(x?.suggestion).toContain('21');
  });
});
