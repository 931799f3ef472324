// The LLVM tools as a test oracle: finds llvm-mc-19 and llvm-objdump-19 on PATH, assembles
// text into an ELF object, pulls out its .text bytes and parses objdump's listing.

import { execFileSync } from 'node:child_process';
import { accessSync, constants, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

export const LLVM_MC = 'llvm-mc-19';
export const LLVM_OBJDUMP = 'llvm-objdump-19';
/** The target and CPU the LLVM dialect follows (DESIGN.md). */
const MC_ARGS = ['-triple', 'bpfel', '-mcpu=v4', '-filetype=obj'];
const OBJDUMP_ARGS = ['-d', '--mcpu=v4'];

export interface LlvmTools {
  readonly mc: string;
  readonly objdump: string;
}

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const file = join(dir, name);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

/** Both tools, or the name of the first one missing. */
export function findLlvmTools(): { readonly ok: true; readonly tools: LlvmTools } | { readonly ok: false; readonly missing: string } {
  const mc = onPath(LLVM_MC);
  if (!mc) return { ok: false, missing: LLVM_MC };
  const objdump = onPath(LLVM_OBJDUMP);
  if (!objdump) return { ok: false, missing: LLVM_OBJDUMP };
  return { ok: true, tools: { mc, objdump } };
}

function withTempDir<T>(run: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'bpfp-llvm-'));
  try {
    return run(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function stderrOf(e: unknown): string {
  const stderr = (e as { stderr?: Buffer | string }).stderr;
  return stderr ? String(stderr) : e instanceof Error ? e.message : String(e);
}

/** Assembles `source` with llvm-mc into an ELF object; llvm-mc's diagnostics on failure. */
export function llvmMc(tools: LlvmTools, source: string): { readonly ok: true; readonly object: Uint8Array } | { readonly ok: false; readonly error: string } {
  return withTempDir((dir) => {
    const input = join(dir, 'in.s');
    const output = join(dir, 'out.o');
    writeFileSync(input, source);
    try {
      execFileSync(tools.mc, [...MC_ARGS, input, '-o', output], { stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 });
    } catch (e) {
      return { ok: false, error: stderrOf(e) };
    }
    return { ok: true, object: new Uint8Array(readFileSync(output)) };
  });
}

/** The contents of the `.text` section of a little-endian ELF64 object. */
export function textSection(elf: Uint8Array): Uint8Array {
  const view = new DataView(elf.buffer, elf.byteOffset, elf.byteLength);
  if (view.getUint32(0) !== 0x7f454c46 || elf[4] !== 2 || elf[5] !== 1) throw new Error('not a little-endian ELF64 object');
  const shoff = Number(view.getBigUint64(0x28, true));
  const shentsize = view.getUint16(0x3a, true);
  const shnum = view.getUint16(0x3c, true);
  const shstrndx = view.getUint16(0x3e, true);
  const header = (i: number): { name: number; offset: number; size: number } => {
    const o = shoff + i * shentsize;
    return { name: view.getUint32(o, true), offset: Number(view.getBigUint64(o + 24, true)), size: Number(view.getBigUint64(o + 32, true)) };
  };
  const strings = header(shstrndx);
  const nameAt = (at: number): string => {
    let end = strings.offset + at;
    while (elf[end] !== 0 && end < elf.length) end++;
    return new TextDecoder().decode(elf.subarray(strings.offset + at, end));
  };
  for (let i = 0; i < shnum; i++) {
    const h = header(i);
    if (nameAt(h.name) === '.text') return elf.slice(h.offset, h.offset + h.size);
  }
  throw new Error('the object has no .text section');
}

export interface ObjdumpLine {
  /** Slot index, as objdump prints it. */
  readonly pc: number;
  readonly bytes: Uint8Array;
  /** The instruction column without the ` <label+0x…>` jump comment. */
  readonly text: string;
}

/**
 * objdump's instruction lines: `  12:\t18 01 … 00\tr1 = 0x1 ll <.text+0x8>`. The text may hold
 * a tab itself (`ld_pseudo\tr1, …`), so only the first two tabs separate columns.
 */
export function parseObjdump(listing: string): ObjdumpLine[] {
  const lines: ObjdumpLine[] = [];
  for (const line of listing.split('\n')) {
    const m = /^\s*(\d+):\t((?:[0-9a-f]{2} )*[0-9a-f]{2}) *\t(.*)$/.exec(line);
    if (!m) continue;
    const bytes = Uint8Array.from((m[2] ?? '').split(' '), (b) => parseInt(b, 16));
    lines.push({ pc: Number(m[1]), bytes, text: (m[3] ?? '').replace(/ <[^<>]*>$/, '') });
  }
  return lines;
}

/** Disassembles an ELF object with llvm-objdump. */
export function llvmObjdump(tools: LlvmTools, object: Uint8Array): ObjdumpLine[] {
  return withTempDir((dir) => {
    const file = join(dir, 'in.o');
    writeFileSync(file, object);
    const out = execFileSync(tools.objdump, [...OBJDUMP_ARGS, file], { encoding: 'utf8', maxBuffer: 64 << 20 });
    return parseObjdump(out);
  });
}
