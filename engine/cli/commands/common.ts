// Options several commands share.

import { assemble, type AssembleResult, type DialectName } from '../../asm/index.ts';
import { parseIsaLevel, type IsaLevel } from '../../isa/index.ts';
import { UsageError, type ParsedArgs } from '../args.ts';
import { readText, type LoadOptions } from '../inputs.ts';
import type { Io } from '../io.ts';

export function dialectOption(args: ParsedArgs): DialectName | undefined {
  const d = args.options.get('--dialect');
  if (d === undefined) return undefined;
  if (d !== 'llvm' && d !== 'ubpf') throw new UsageError(`--dialect must be llvm or ubpf, not '${d}'`);
  return d;
}

export function isaOption(args: ParsedArgs): IsaLevel | undefined {
  const v = args.options.get('--isa');
  if (v === undefined) return undefined;
  const level = parseIsaLevel(v);
  if (!level) throw new UsageError(`--isa must be v1, v2, v3 or v4, not '${v}'`);
  return level;
}

export function commonLoadOptions(args: ParsedArgs): LoadOptions {
  const dialect = dialectOption(args);
  const isa = isaOption(args);
  const section = args.options.get('--section');
  return { ...(dialect ? { dialect } : {}), ...(isa ? { isa } : {}), ...(section ? { section } : {}) };
}

export function positiveInt(args: ParsedArgs, name: string): number | undefined {
  const v = args.options.get(name);
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v.replace(/_/g, '')) || Number(v.replace(/_/g, '')) < 1) throw new UsageError(`${name} must be a positive integer, not '${v}'`);
  return Number(v.replace(/_/g, ''));
}

type Section = AssembleResult['sections'][number];

export interface AssembledFile {
  readonly asm: AssembleResult;
  /** The sections that hold instructions. */
  readonly sections: readonly Section[];
  readonly entry: Section;
  readonly isa: IsaLevel;
  /** FILE:LINE:COL of an instruction of the entry program. */
  readonly at: (pc: number, line?: number) => string;
  /** The source text of an instruction of the entry program (trimmed; '' when unknown). */
  readonly sourceOf: (pc: number) => string;
}

/**
 * Reads and assembles FILE (--dialect, --isa) and picks the program to run: --section, else the
 * first that `prefer` accepts, else the first. Warnings go to stderr; errors come back as
 * compiler-style lines for the caller to print.
 */
export function assembleFile(file: string, args: ParsedArgs, io: Io, prefer?: (s: Section) => boolean): { ok: true; file: AssembledFile } | { ok: false; errors: string[] } {
  const text = readText(file);
  if (!text.ok) return { ok: false, errors: [text.message] };
  const dialect = dialectOption(args);
  const isa = isaOption(args) ?? 4;
  const asm = assemble(text.text, { ...(dialect ? { dialect } : {}), isa });
  const errors = asm.diagnostics.filter((d) => d.severity === 'error').map((d) => `${file}:${d.line}:${d.col}: error: ${d.message}`);
  asm.diagnostics.filter((d) => d.severity === 'warning').forEach((d) => io.err(`${file}:${d.line}:${d.col}: warning: ${d.message}`));
  if (errors.length) return { ok: false, errors };
  const sections = asm.sections.filter((s) => s.insns.length > 0);
  const wanted = args.options.get('--section');
  const entry = wanted ? sections.find((s) => s.name === wanted) : (sections.find((s) => prefer?.(s) ?? false) ?? sections[0]);
  if (!entry) return { ok: false, errors: [`${file}: error: no program${wanted ? ` '${wanted}'` : ''} (sections: ${sections.map((s) => s.name).join(', ') || 'none'})`] };
  if (!wanted && sections.length > 1) io.err(`${file}: note: ${sections.length} programs; running '${entry.name}' (choose with --section)`);
  const at = (pc: number, line?: number): string => {
    if (line) return `${file}:${line}:1`;
    const span = entry.spans[pc];
    return span ? `${file}:${span.line}:${span.col}` : file;
  };
  const lines = text.text.split('\n');
  const sourceOf = (pc: number): string => {
    const line = entry.spans[pc]?.line;
    return line ? (lines[line - 1] ?? '').trim() : '';
  };
  return { ok: true, file: { asm, sections, entry, isa, at, sourceOf } };
}

/** Reads a JSON file (a scenario, map contents, a traffic profile); errors go to stderr. */
export function readJson(path: string, what: string, io: Io): { ok: true; value: unknown } | { ok: false } {
  const t = readText(path);
  if (!t.ok) {
    io.err(t.message);
    return { ok: false };
  }
  try {
    return { ok: true, value: JSON.parse(t.text) as unknown };
  } catch (e) {
    io.err(`${path}: error: the ${what} is not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
    return { ok: false };
  }
}
