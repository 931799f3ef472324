// The assembly worker's packed program: what the main thread rebuilds is the program the
// worker assembled — spans, sections, the entry, and the decoded instructions it reads lazily.

import { describe, expect, it } from 'vitest';
import { EXAMPLES } from '../examples.ts';
import { DEFAULT_DOCUMENT } from './document.ts';
import { packProgram, unpackProgram } from './packed.ts';
import { assembleDocument, functionsOf, pcsOfLines } from './program.ts';

const sources = [
  ...EXAMPLES.map((e) => e.source),
  '.section raw\nr1 = 0x123456789 ll\ncall f\nr0 = 1\nexit\nf:\nr0 = 2\nexit\n',
  '.section raw\nr0 = 1\nbad instruction\nexit\n',
  '',
];

describe('packed programs', () => {
  it('unpack to the program the worker assembled, for every example and more', () => {
    for (const source of sources) {
      const p = assembleDocument({ ...DEFAULT_DOCUMENT, source });
      const packed = packProgram(p);
      // What crosses to the main thread holds no per-instruction objects, and no buffer per section.
      for (const s of packed.sections) expect(Object.values(s).some((v) => ArrayBuffer.isView(v)), s.name).toBe(false);
      expect(packed.bytes.length).toBe(p.sections.reduce((n, s) => n + s.bytes.length, 0));
      const back = unpackProgram(structuredClone(packed));
      expect(back, source.slice(0, 60)).toEqual(p);
      expect(back.section === undefined ? -1 : back.sections.indexOf(back.section)).toBe(p.section ? p.sections.indexOf(p.section) : -1);
    }
  });

  it('sends a program of 18,813 sections as two buffers, and unpacks it whole', () => {
    const source = Array.from({ length: 18_813 }, (_, i) => `.section s${i}\nexit`).join('\n');
    const p = assembleDocument({ ...DEFAULT_DOCUMENT, source });
    const packed = packProgram(p);
    expect(packed.sections).toHaveLength(18_813);
    expect(packed.sections.every((s) => s.labels === undefined && s.relocations === undefined)).toBe(true);
    const back = unpackProgram(structuredClone(packed));
    expect(back.sections.map((s) => s.name)).toEqual(p.sections.map((s) => s.name));
    expect(back.sections[18_812]?.bytes).toEqual(p.sections[18_812]?.bytes);
    expect(back.sections[18_812]?.spans).toEqual(p.sections[18_812]?.spans);
    expect(back.sections[18_812]?.insns).toEqual(p.sections[18_812]?.insns);
  });

  it('finds functions and breakpoint slots from the bytes and spans alone', () => {
    const p = assembleDocument({ ...DEFAULT_DOCUMENT, source: '.section raw\nr1 = 0x123456789 ll\ncall f\ncall g\nexit\nf:\nr0 = 2\nexit\ng:\nr0 = 3\nexit\n' });
    const s = p.section;
    if (!s) throw new Error('no section');
    expect(functionsOf(s).map((f) => [f.start, f.name])).toEqual([
      [0, 'raw'],
      [5, 'f'],
      [7, 'g'],
    ]);
    // Line 2 is the lddw (slots 0 and 1): its first slot only.
    expect(pcsOfLines(s, [2, 3, 7])).toEqual([0, 2, 5]);
  });
});
