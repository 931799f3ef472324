// An assembled program as the assembly worker sends it: a megabyte source is 131,069
// instructions, and the structured clone of their decoded instructions and source spans —
// 260,000 small objects — took the main thread 300 ms to receive. Packed, the program carries
// every section's bytes in one Uint8Array and every section's spans in one Int32Array, and a
// section only where its bytes and spans lie: a link with 18,813 sections had sent 37,626 small
// ArrayBuffers and as many Maps and arrays, and receiving and unpacking them took the main
// thread 180-250 ms in one task. The spans are rebuilt on arrival (cheap: plain objects made in
// a loop); a section's bytes are copied out, and its instructions decoded, only when something
// reads them (the main thread reads them rarely: the status bar counts slots from the bytes).

import { decodeProgram, type Section, type SourceSpan } from '../../engine/asm/index.ts';
import type { AssembledProgram } from './program.ts';

export interface PackedSection extends Omit<Section, 'insns' | 'spans' | 'bytes' | 'labels' | 'relocations'> {
  /** Its bytes: [bytesAt, bytesEnd) of the program's `bytes`. */
  readonly bytesAt: number;
  readonly bytesEnd: number;
  /** Its spans (line, col, endCol for each slot): [spansAt, spansEnd) of the program's `spans`. */
  readonly spansAt: number;
  readonly spansEnd: number;
  /** Its labels and relocations, only when it has any (even an empty Map costs the clone). */
  readonly labels?: readonly (readonly [string, number])[];
  readonly relocations?: Section['relocations'];
}

export interface PackedProgram extends Omit<AssembledProgram, 'section' | 'sections'> {
  readonly sections: readonly PackedSection[];
  /** Every section's bytes, one after the other. */
  readonly bytes: Uint8Array;
  /** Every section's spans, one after the other. */
  readonly spans: Int32Array;
  /** Which of `sections` is the one that runs; -1 when none. */
  readonly entry: number;
}

export function packProgram(p: AssembledProgram): PackedProgram {
  const { section, sections, ...rest } = p;
  const bytes = new Uint8Array(sections.reduce((n, s) => n + s.bytes.length, 0));
  const spans = new Int32Array(sections.reduce((n, s) => n + s.spans.length * 3, 0));
  let b = 0;
  let k = 0;
  const packed = sections.map(({ insns: _insns, spans: own, bytes: code, labels, relocations, ...s }): PackedSection => {
    const at = { bytesAt: b, bytesEnd: b + code.length, spansAt: k, spansEnd: k + own.length * 3 };
    bytes.set(code, b);
    b += code.length;
    for (const sp of own) {
      spans[k++] = sp.line;
      spans[k++] = sp.col;
      spans[k++] = sp.endCol;
    }
    return { ...s, ...at, ...(labels.size > 0 ? { labels: [...labels] } : {}), ...(relocations.length > 0 ? { relocations } : {}) };
  });
  return { ...rest, sections: packed, bytes, spans, entry: section ? sections.indexOf(section) : -1 };
}

/** Labels and relocations of the sections without any: one of each, shared (read-only). */
const NO_LABELS: ReadonlyMap<string, number> = new Map();
const NO_RELOCATIONS: Section['relocations'] = Object.freeze([]);

function unpackSection(s: PackedSection, all: Uint8Array, allSpans: Int32Array): Section {
  const { bytesAt, bytesEnd, spansAt, spansEnd } = s;
  const spans: SourceSpan[] = new Array<SourceSpan>((spansEnd - spansAt) / 3);
  for (let i = 0, j = spansAt; i < spans.length; i++, j += 3) spans[i] = { line: allSpans[j] ?? 0, col: allSpans[j + 1] ?? 0, endCol: allSpans[j + 2] ?? 0 };
  let bytes: Uint8Array | undefined;
  let insns: Section['insns'] | undefined;
  // Its own copy (callers may read `bytes.buffer` whole).
  const code = (): Uint8Array => (bytes ??= all.slice(bytesAt, bytesEnd));
  // Built field by field: an object rest (`...rest`) costs microseconds per section.
  return {
    name: s.name,
    kind: s.kind,
    get bytes() {
      return code();
    },
    spans,
    labels: s.labels ? new Map(s.labels) : NO_LABELS,
    relocations: s.relocations ?? NO_RELOCATIONS,
    get insns() {
      insns ??= decodeProgram(code()).insns;
      return insns;
    },
  };
}

export function unpackProgram(p: PackedProgram): AssembledProgram {
  const { sections, entry, bytes, spans, ...rest } = p;
  const unpacked = sections.map((s) => unpackSection(s, bytes, spans));
  const section = unpacked[entry];
  return { ...rest, sections: unpacked, ...(section ? { section } : {}) };
}
