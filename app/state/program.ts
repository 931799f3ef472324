// The program as the UI sees it: assembled on the main thread from the document (for live
// diagnostics), with the maps between source lines and instruction slots that breakpoints,
// the current line and worker diagnostics need.

import { assemble, parseHexBytes, type Diagnostic, type MapDecl, type Section } from '../../engine/asm/index.ts';
import type { ProgramImage, ProgramProblem, RunSettings, RunTier } from '../../engine/worker/protocol.ts';
import type { EditorDiagnostic } from '../editor/index.ts';
import type { PlaygroundDocument } from './document.ts';

/** A problem shown in the editor and the Problems panel; `source` says who found it. */
export type ProblemView = EditorDiagnostic;

/**
 * Problems kept per program: the editor marks these and the Problems panel lists them. A
 * source of a megabyte of stray characters has a diagnostic per character; drawing each would
 * freeze the page, and nobody reads past the first few hundred.
 */
export const MAX_PROBLEMS = 500;

export interface AssembledProgram {
  readonly ok: boolean;
  readonly dialect: 'llvm' | 'ubpf';
  /** The first MAX_PROBLEMS problems. */
  readonly problems: readonly ProblemView[];
  /** How many problems there are in all (more than `problems` holds when capped). */
  readonly problemCount: number;
  /** Being assembled in the background (a large document): nothing is known yet. */
  readonly pending?: boolean;
  /** The section that runs (the first with instructions). */
  readonly section?: Section;
  /** Every program of the file (a tail call may enter any). */
  readonly sections: readonly Section[];
  readonly sectionNames: readonly string[];
  readonly license?: string;
  readonly maps: readonly MapDecl[];
  /** Identifies bytecode + settings: the worker reloads when it changes. */
  readonly key: string;
  /** Milliseconds the assembly took (shown in the status bar; watched by the perf budget). */
  readonly ms: number;
}

function toProblem(d: Diagnostic, source: string): ProblemView {
  return { severity: d.severity, message: d.message, code: d.code, source, line: d.line, col: d.col, endLine: d.endLine, endCol: d.endCol };
}

function hashBytes(bytes: Uint8Array): string {
  // FNV-1a: enough to tell one program from the next.
  let h = 0x811c9dc5;
  for (const b of bytes) h = Math.imul(h ^ b, 0x01000193);
  return (h >>> 0).toString(16);
}

/** The code's part of a program key: its sections' bytes (the same program whatever its input). */
export function codeKey(p: Pick<AssembledProgram, 'key'>): string {
  return p.key.split(':')[0] ?? '';
}

export function assembleDocument(doc: PlaygroundDocument): AssembledProgram {
  const t0 = performance.now();
  const r = assemble(doc.source, { ...(doc.dialect === 'auto' ? {} : { dialect: doc.dialect }), isa: doc.isa });
  const section = r.sections.find((s) => s.insns.length > 0);
  const ms = performance.now() - t0;
  const key = section
    ? `${r.sections.map((x) => hashBytes(x.bytes)).join('.')}:${section.name}:${doc.isa}:${doc.profile}:${doc.cpus}:${doc.input}:${doc.ctx ?? ''}:${JSON.stringify(doc.scenario ?? null)}:${JSON.stringify(doc.maps ?? null)}:${JSON.stringify(doc.traffic ?? null)}:${JSON.stringify(r.maps)}`
    : '';
  return {
    ok: r.ok && section !== undefined,
    dialect: r.dialect,
    problems: r.diagnostics.slice(0, MAX_PROBLEMS).map((d) => toProblem(d, 'assembler')),
    problemCount: r.diagnostics.length,
    ...(section ? { section } : {}),
    sections: r.sections.filter((s) => s.insns.length > 0),
    sectionNames: r.sections.map((s) => s.name),
    ...(r.license === undefined ? {} : { license: r.license }),
    maps: r.maps,
    key,
    ms,
  };
}

/** What the UI holds while a large document is assembled in the background. */
export function pendingProgram(dialect: AssembledProgram['dialect']): AssembledProgram {
  return { ok: false, pending: true, dialect, problems: [], problemCount: 0, sections: [], sectionNames: [], maps: [], key: '', ms: 0 };
}

export function imageOf(p: AssembledProgram): ProgramImage | undefined {
  const s = p.section;
  if (!s) return undefined;
  return {
    sections: p.sections.map((x) => ({ name: x.name, progType: x.kind.progType, ...(x.kind.attachTo ? { attachTo: x.kind.attachTo } : {}), bytecode: x.bytes })),
    entry: s.name,
    maps: p.maps,
    ...(p.license === undefined ? {} : { license: p.license }),
  };
}


/**
 * What the worker runs with; `pcap` is a capture to replay (held in the store, not the
 * document), `tier` the VM tier the settings force (none: the engine chooses).
 */
export function runSettingsOf(doc: PlaygroundDocument, maxInsns: number, pcap?: Uint8Array, tier?: RunTier): RunSettings {
  const input = parseHexBytes(doc.input);
  const ctx = doc.ctx ? parseHexBytes(doc.ctx) : undefined;
  return {
    isa: doc.isa,
    profile: doc.profile,
    cpus: doc.cpus,
    maxInsns,
    seed: 1,
    ...(input && input.length ? { input } : {}),
    ...(ctx && ctx.length ? { ctx } : {}),
    ...(doc.scenario ? { scenario: doc.scenario } : {}),
    ...(doc.maps ? { maps: doc.maps } : {}),
    ...(doc.traffic !== undefined ? { traffic: doc.traffic } : {}),
    ...(pcap ? { pcap } : {}),
    ...(tier ? { tier } : {}),
  };
}

/** Source line of a slot. */
export function lineOfPc(section: Section | undefined, pc: number): number | undefined {
  return section?.spans[pc]?.line;
}

/** Slots whose instruction starts on one of `lines` (the first slot of each line). */
export function pcsOfLines(section: Section | undefined, lines: readonly number[]): number[] {
  if (!section) return [];
  const wanted = new Set(lines);
  const out: number[] = [];
  const seen = new Set<number>();
  // The second slot of an lddw repeats the first's span, so the first slot of a line comes first.
  section.spans.forEach((span, pc) => {
    const line = span.line;
    if (wanted.has(line) && !seen.has(line)) {
      seen.add(line);
      out.push(pc);
    }
  });
  return out;
}

/** Worker problems (by pc) as editor problems (by line). */
export function problemsAtLines(section: Section | undefined, problems: readonly ProgramProblem[], source: string): ProblemView[] {
  return problems.map((p) => {
    // A refused declaration (a .map) names its own line; the rest are about an instruction.
    if (p.line) return { severity: 'error', message: p.message, code: p.stage, source, line: p.line, col: 1, endLine: p.line, endCol: 2 };
    const span = section?.spans[p.pc];
    const line = span?.line ?? 1;
    return { severity: 'error', message: p.message, code: p.stage, source, line, col: span?.col ?? 1, endLine: line, endCol: span?.endCol ?? 2 };
  });
}

/** One frame of a call stack, as the user wrote it: the function's name and the line it is at. */
export interface FrameView {
  readonly name: string;
  readonly line: number | undefined;
}

/**
 * The functions of a section, by first slot: the entry (named after a label on its first
 * instruction, else the section) and every target of a BPF-to-BPF call (named after its label).
 */
export function functionsOf(section: Section): { readonly start: number; readonly name: string }[] {
  const labelAt = new Map<number, string>();
  for (const [name, slot] of section.labels) if (!labelAt.has(slot)) labelAt.set(slot, name);
  const starts = new Set<number>([0]);
  // Read from the bytes (a BPF-to-BPF call: opcode 0x85, src 1), not the decoded instructions,
  // which a large program assembled in the background decodes only when asked (packed.ts).
  const b = section.bytes;
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  for (let pc = 0; pc * 8 + 8 <= b.length; pc++) {
    if (b[pc * 8] === 0x85 && ((b[pc * 8 + 1] ?? 0) >> 4) === 1) starts.add(pc + 1 + view.getInt32(pc * 8 + 4, true));
  }
  return [...starts].sort((a, b) => a - b).map((start) => ({ start, name: labelAt.get(start) ?? (start === 0 ? section.name : `function at pc ${start}`) }));
}

/**
 * The call stack as frames, outermost first: for each caller the function and the line of its
 * call (the slot before the return pc), then the current function at `pc`.
 */
export function callFrames(section: Section | undefined, callStack: readonly number[], pc: number): FrameView[] {
  if (!section) return callStack.map((ret) => ({ name: `return to pc ${ret}`, line: undefined }));
  const fns = functionsOf(section);
  const at = (slot: number): FrameView => {
    let name = section.name;
    for (const f of fns) if (f.start <= slot) name = f.name;
    return { name, line: section.spans[slot]?.line };
  };
  return [...callStack.map((ret) => at(ret - 1)), at(pc)];
}
