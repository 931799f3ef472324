// Options several commands share.

import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { assemble, type DialectName } from '../../asm/index.ts';
import { objectOfElf } from '../../load/elf-object.ts';
import { sectionKind, type MapDecl, type SectionKind } from '../../program/program.ts';
import { parseIsaLevel, type IsaLevel } from '../../isa/index.ts';
import { parseRunTier, RUN_TIERS, type RunTier } from '../../worker/protocol.ts';
import { UsageError, type ParsedArgs } from '../args.ts';
import { readBytes, readText, type LoadOptions } from '../inputs.ts';
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

/** `--tier interpreter|compiled|wasm`: force the VM tier that runs the program (default: the engine's choice). */
export function tierOption(args: ParsedArgs): RunTier | undefined {
  const v = args.options.get('--tier');
  if (v === undefined) return undefined;
  const tier = parseRunTier(v);
  if (!tier) throw new UsageError(`--tier must be ${RUN_TIERS.join(', ').replace(/, (\w+)$/, ' or $1')}, not '${v}'`);
  return tier;
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

/** A program of the file: its name (the section), kind, bytes and the source position of each instruction slot. */
export interface FileSection {
  readonly name: string;
  readonly kind: SectionKind;
  readonly bytes: Uint8Array;
  readonly spans: readonly ({ readonly line: number; readonly col: number } | undefined)[];
}

export interface AssembledFile {
  readonly maps: readonly MapDecl[];
  readonly license?: string;
  /** Initial map contents the file itself brings (an object's .data and .rodata), in the `--maps` format. */
  readonly mapContents?: Readonly<Record<string, readonly { key: string; value: string }[]>>;
  /** The sections that hold instructions. */
  readonly sections: readonly FileSection[];
  readonly entry: FileSection;
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
export function assembleFile(file: string, args: ParsedArgs, io: Io, prefer?: (s: FileSection) => boolean): { ok: true; file: AssembledFile } | { ok: false; errors: string[] } {
  if (/\.(o|c)$/.test(file)) return objectFile(file, args, io, prefer);
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
  return { ok: true, file: { maps: asm.maps, ...(asm.license === undefined ? {} : { license: asm.license }), sections, entry, isa, at, sourceOf } };
}

/**
 * An object built by clang (`.o`), or a C file compiled here with clang-19 (`.c`), loaded as
 * libbpf loads it (engine/load/elf-object.ts); positions are the C source's, from BTF line info.
 */
function objectFile(file: string, args: ParsedArgs, io: Io, prefer?: (s: FileSection) => boolean): { ok: true; file: AssembledFile } | { ok: false; errors: string[] } {
  const o = readObjectFile(file);
  if (!o.ok) return { ok: false, errors: [o.error] };
  for (const s of o.object.skipped) io.err(`${file}: note: section ${s}`);
  const sections: FileSection[] = o.object.programs.map((p) => ({ name: p.name, kind: sectionKind(p.name), bytes: p.bytes, spans: p.lines.map((l) => (l ? { line: l.line, col: l.col } : undefined)) }));
  const wanted = args.options.get('--section');
  const entry = wanted ? sections.find((s) => s.name === wanted) : (sections.find((s) => prefer?.(s) ?? false) ?? sections[0]);
  if (!entry) return { ok: false, errors: [`${file}: error: no program${wanted ? ` '${wanted}'` : ''} (sections: ${sections.map((s) => s.name).join(', ') || 'none'})`] };
  if (!wanted && sections.length > 1) io.err(`${file}: note: ${sections.length} programs; running '${entry.name}' (choose with --section)`);
  const program = o.object.programs.find((p) => p.name === entry.name);
  const cFile = (pc: number): string => program?.lines[pc]?.file ?? file;
  const at = (pc: number, line?: number): string => {
    const l = program?.lines[pc];
    if (line) return `${file}:${line}:1`;
    return l ? `${cFile(pc)}:${l.line}:${l.col || 1}` : file;
  };
  const sourceOf = (pc: number): string => program?.lines[pc]?.text.trim() ?? '';
  return {
    ok: true,
    file: { maps: o.object.maps, ...(o.object.license === undefined ? {} : { license: o.object.license }), ...(Object.keys(o.object.mapContents).length ? { mapContents: o.object.mapContents } : {}), sections, entry, isa: isaOption(args) ?? 4, at, sourceOf },
  };
}

/** An object file (`.o`), or a C file compiled here (`.c`), read as libbpf reads it; errors as `FILE: error: …`. */
export function readObjectFile(file: string): { ok: true; object: LoadedObject } | { ok: false; error: string } {
  let path = file;
  if (file.endsWith('.c')) {
    const built = compileC(file);
    if (!built.ok) return built;
    path = built.path;
  }
  const bytes = readBytes(path);
  if (!bytes.ok) return { ok: false, error: bytes.message };
  const o = objectOfElf(bytes.bytes);
  return o.ok ? { ok: true, object: o.object } : { ok: false, error: `${file}: error: ${o.error}` };
}

type LoadedObject = Extract<ReturnType<typeof objectOfElf>, { ok: true }>['object'];

/** clang-19 -target bpf -O2 -g on a C file, into a temporary object; says how to install clang when it is missing. */
function compileC(file: string): { ok: true; path: string } | { ok: false; error: string } {
  const out = join(mkdtempSync(join(tmpdir(), 'bpfp-cc-')), `${basename(file, '.c')}.o`);
  const r = spawnSync('clang-19', ['-target', 'bpf', '-O2', '-g', '-c', '-I', dirname(file), file, '-o', out], { encoding: 'utf8' });
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ENOENT') return { ok: false, error: `${file}: error: compiling C needs clang-19 (apt-get install clang-19), or give the .o clang built` };
  if (r.status !== 0) return { ok: false, error: `${file}: error: clang-19 failed:\n${(r.stderr || r.stdout || '').trim()}` };
  return { ok: true, path: out };
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
