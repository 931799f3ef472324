// A program of the playground's assembly as a relocatable object for libbpf and bpftool: the one
// path `bpfp asm FILE -o OUT.o` and the app's "Save .o" (through the worker) share. The object's
// contents are engine/program/elf/export.ts's; this module supplies what it needs from the
// simulated kernel (map type numbers, kfunc prototypes, scalar sizes, struct layouts).

import { assemble, type DialectName } from '../asm/index.ts';
import { KFUNC_SCALARS } from '../kernel/decls.ts';
import { kfuncByName } from '../kernel/kfuncs/ids.ts';
import { MAP_TYPE_IDS } from '../kernel/maps/types.ts';
import { structLayout } from '../kernel/btf/layouts.ts';
import type { IsaLevel } from '../isa/table.ts';
import { objectOfProgram, type ExportKernel, type ExportResult } from '../program/elf/export.ts';

export const EXPORT_KERNEL: ExportKernel = { mapTypeId: (t) => MAP_TYPE_IDS[t], kfunc: kfuncByName, scalars: KFUNC_SCALARS, struct: structLayout };

export interface ExportSourceOptions {
  readonly dialect?: DialectName;
  readonly isa?: IsaLevel;
  /** Only this program (section); default every section with instructions. */
  readonly section?: string;
  /**
   * Initial map contents in the `--maps` format (`{ name: [{ key, value }] }`, hex): what the
   * global data sections `.data` and `.rodata` hold. Anything else in it is not written.
   */
  readonly maps?: unknown;
}

/** The entries of a `--maps` value that are `{ key, value }` hex pairs, by map name. */
function mapContentsOf(maps: unknown): Record<string, { key: string; value: string }[]> {
  const out: Record<string, { key: string; value: string }[]> = {};
  if (typeof maps !== 'object' || maps === null || Array.isArray(maps)) return out;
  for (const [name, entries] of Object.entries(maps)) {
    if (!Array.isArray(entries)) continue;
    const pairs = entries.filter((e): e is { key: string; value: string } => typeof e === 'object' && e !== null && typeof (e as { key?: unknown }).key === 'string' && typeof (e as { value?: unknown }).value === 'string');
    if (pairs.length) out[name] = pairs.map((e) => ({ key: e.key, value: e.value }));
  }
  return out;
}

/**
 * The object of an assembly text, or why it cannot be written: the text's first error (line and
 * message) or what the export does not write yet. Never throws.
 */
export function objectOfSource(text: string, options: ExportSourceOptions = {}): ExportResult {
  const a = assemble(text, { ...(options.dialect ? { dialect: options.dialect } : {}), ...(options.isa ? { isa: options.isa } : {}) });
  const error = a.diagnostics.find((d) => d.severity === 'error');
  if (error) return { ok: false, error: `the program does not assemble (line ${error.line}: ${error.message})` };
  const sections = a.sections.filter((s) => s.insns.length > 0 && (!options.section || s.name === options.section));
  if (!sections.length) return { ok: false, error: options.section ? `no program '${options.section}'` : 'the text holds no program' };
  return objectOfProgram({ sections, maps: a.maps, ...(a.license === undefined ? {} : { license: a.license }), mapContents: mapContentsOf(options.maps) }, EXPORT_KERNEL);
}
