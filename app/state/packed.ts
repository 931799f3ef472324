// An assembled program as the assembly worker sends it: a megabyte source is 131,069
// instructions, and the structured clone of their decoded instructions and source spans —
// 260,000 small objects — took the main thread 300 ms to receive. Packed, a section carries
// its bytes and its spans as one Int32Array; the spans are rebuilt on arrival (cheap: plain
// objects made in a loop) and the decoded instructions only when something reads them, from the
// bytes (the main thread reads them rarely: the status bar counts slots from the bytes).

import { decodeProgram, type Section, type SourceSpan } from '../../engine/asm/index.ts';
import type { AssembledProgram } from './program.ts';

export interface PackedSection extends Omit<Section, 'insns' | 'spans'> {
  /** line, col, endCol for each slot. */
  readonly spans: Int32Array;
}

export interface PackedProgram extends Omit<AssembledProgram, 'section' | 'sections'> {
  readonly sections: readonly PackedSection[];
  /** Which of `sections` is the one that runs; -1 when none. */
  readonly entry: number;
}

export function packProgram(p: AssembledProgram): PackedProgram {
  const { section, sections, ...rest } = p;
  const packed = sections.map(({ insns: _insns, spans, ...s }): PackedSection => {
    const a = new Int32Array(spans.length * 3);
    spans.forEach((sp, i) => {
      a[i * 3] = sp.line;
      a[i * 3 + 1] = sp.col;
      a[i * 3 + 2] = sp.endCol;
    });
    return { ...s, spans: a };
  });
  return { ...rest, sections: packed, entry: section ? sections.indexOf(section) : -1 };
}

function unpackSection(s: PackedSection): Section {
  const spans: SourceSpan[] = new Array<SourceSpan>(s.spans.length / 3);
  for (let i = 0; i < spans.length; i++) spans[i] = { line: s.spans[i * 3] ?? 0, col: s.spans[i * 3 + 1] ?? 0, endCol: s.spans[i * 3 + 2] ?? 0 };
  let insns: Section['insns'] | undefined;
  const { spans: _packed, ...rest } = s;
  return {
    ...rest,
    spans,
    get insns() {
      insns ??= decodeProgram(s.bytes).insns;
      return insns;
    },
  };
}

export function unpackProgram(p: PackedProgram): AssembledProgram {
  const { sections, entry, ...rest } = p;
  const unpacked = sections.map(unpackSection);
  const section = unpacked[entry];
  return { ...rest, sections: unpacked, ...(section ? { section } : {}) };
}
