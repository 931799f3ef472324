// Reads a program for the command line: assembly (.s, either dialect), raw bytecode (.bin)
// or a bpf_conformance test (.data). Problems come back as FILE:LINE:COL lines, never thrown.

import { readFileSync } from 'node:fs';
import { assemble, type DialectName } from '../asm/index.ts';
import type { IsaLevel } from '../isa/index.ts';
import { formatDiagnostic } from '../program/diagnostic.ts';
import type { SourceSpan } from '../program/program.ts';
import { parseConformanceFile, type ConformanceTest } from './conformance-file.ts';

export interface LoadedInput {
  readonly file: string;
  readonly bytes: Uint8Array;
  /** Source position of each slot, when the program was assembled here. */
  readonly spans?: readonly SourceSpan[];
  /** Warnings to show even on success. */
  readonly warnings: readonly string[];
  readonly test?: ConformanceTest;
}

export type LoadOutcome = { ok: true; input: LoadedInput } | { ok: false; messages: string[] };

export interface LoadOptions {
  readonly dialect?: DialectName;
  readonly isa?: IsaLevel;
  readonly section?: string;
}

export function readText(file: string): { ok: true; text: string } | { ok: false; message: string } {
  try {
    return { ok: true, text: readFileSync(file, 'utf8') };
  } catch (e) {
    return { ok: false, message: `${file}: error: cannot read: ${(e as NodeJS.ErrnoException).code ?? String(e)}` };
  }
}

export function readBytes(file: string): { ok: true; bytes: Uint8Array } | { ok: false; message: string } {
  try {
    return { ok: true, bytes: new Uint8Array(readFileSync(file)) };
  } catch (e) {
    return { ok: false, message: `${file}: error: cannot read: ${(e as NodeJS.ErrnoException).code ?? String(e)}` };
  }
}

/** Assembles `text`; `lineOffset` shifts reported lines (for asm embedded in a .data file). */
export function assembleFor(file: string, text: string, options: LoadOptions, lineOffset = 0): LoadOutcome {
  const result = assemble(text, { ...(options.dialect ? { dialect: options.dialect } : {}), ...(options.isa ? { isa: options.isa } : {}) });
  const shift = <T extends { line: number; endLine: number }>(d: T): T => ({ ...d, line: d.line + lineOffset, endLine: d.endLine + lineOffset });
  const messages = result.diagnostics.map((d) => formatDiagnostic(file, shift(d)));
  if (!result.ok) return { ok: false, messages };
  const sections = result.sections.filter((s) => s.insns.length > 0);
  const section = options.section ? sections.find((s) => s.name === options.section) : sections[0];
  if (!section) {
    const names = sections.map((s) => s.name).join(', ');
    return { ok: false, messages: [...messages, `${file}: error: no section '${options.section ?? ''}' (sections: ${names || 'none'})`] };
  }
  if (!options.section && sections.length > 1) {
    messages.push(`${file}: warning: ${sections.length} sections; using '${section.name}' (choose with --section)`);
  }
  const spans = section.spans.map((s) => ({ ...s, line: s.line + lineOffset }));
  return { ok: true, input: { file, bytes: section.bytes, spans, warnings: messages } };
}

export function loadProgram(file: string, options: LoadOptions): LoadOutcome {
  if (/\.bin$/i.test(file)) {
    const r = readBytes(file);
    return r.ok ? { ok: true, input: { file, bytes: r.bytes, warnings: [] } } : { ok: false, messages: [r.message] };
  }
  const t = readText(file);
  if (!t.ok) return { ok: false, messages: [t.message] };
  if (/\.data$/i.test(file)) {
    const parsed = parseConformanceFile(t.text);
    if (!parsed.ok) return { ok: false, messages: [`${file}:${parsed.line}:1: error: ${parsed.message}`] };
    const test = parsed.test;
    if (test.asm !== undefined) {
      const r = assembleFor(file, test.asm, { ...options, dialect: options.dialect ?? 'ubpf' }, test.asmLine - 1);
      return r.ok ? { ok: true, input: { ...r.input, test } } : r;
    }
    return { ok: true, input: { file, bytes: test.raw ?? new Uint8Array(0), warnings: [], test } };
  }
  return assembleFor(file, t.text, options);
}

/** `FILE:LINE:COL: error: MESSAGE` for a problem at `pc`, or `FILE: error: MESSAGE` without a source. */
export function problemAt(input: { file: string; spans?: readonly SourceSpan[] }, pc: number, message: string): string {
  const span = input.spans?.[pc];
  return span ? `${input.file}:${span.line}:${span.col}: error: ${message}` : `${input.file}: error: ${message}`;
}

export { toHex as hex } from '../program/hex.ts';

export function u64hex(v: bigint): string {
  return `0x${BigInt.asUintN(64, v).toString(16)}`;
}
