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
      // What crosses to the main thread holds no per-instruction objects.
      for (const s of packed.sections) expect(s.spans).toBeInstanceOf(Int32Array);
      const back = unpackProgram(structuredClone(packed));
      expect(back, source.slice(0, 60)).toEqual(p);
      expect(back.section === undefined ? -1 : back.sections.indexOf(back.section)).toBe(p.section ? p.sections.indexOf(p.section) : -1);
    }
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
