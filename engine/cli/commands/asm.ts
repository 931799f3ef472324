// `bpfp asm FILE [-o OUT] [--dialect llvm|ubpf] [--isa v1..v4] [--section S] [--maps F] [--json]`
// OUT ending in `.o` is a BPF object file (every section, or --section's, with its maps) for
// libbpf and bpftool, `--maps F` giving the initial bytes of its global data (.data, .rodata);
// anything else is raw bytecode.

import { objectOfSource } from '../../load/object-export.ts';
import { checkKnown, type ParsedArgs, UsageError } from '../args.ts';
import { hex, loadProgram, readText, type LoadOptions } from '../inputs.ts';
import { EXIT_OK, EXIT_REJECTED, type Io } from '../io.ts';
import { commonLoadOptions, readJson } from './common.ts';

export function asmCommand(args: ParsedArgs, io: Io): number {
  checkKnown(args, ['-o', '--dialect', '--isa', '--section', '--maps', '--json']);
  const [file, ...extra] = args.positional;
  if (!file || extra.length) throw new UsageError('asm takes one FILE');
  const json = args.flags.has('--json');
  const loaded = loadProgram(file, commonLoadOptions(args));
  if (!loaded.ok) {
    loaded.messages.forEach((m) => io.err(m));
    if (json) io.out(JSON.stringify({ file, ok: false, errors: loaded.messages }));
    return EXIT_REJECTED;
  }
  const { bytes, warnings } = loaded.input;
  const out = args.options.get('-o') ?? file.replace(/(\.bpf)?\.s$/i, '') + '.bin';
  const isObject = /\.o$/i.test(out);
  // An object holds every section: the warning that only the first is used does not apply.
  warnings.filter((w) => !(isObject && / sections; using '/.test(w))).forEach((w) => io.err(w));
  let written = bytes;
  const mapsFile = args.options.get('--maps');
  if (mapsFile !== undefined && !isObject) throw new UsageError('--maps gives an object\'s global data: it goes with -o OUT.o');
  if (isObject) {
    const maps = mapsFile === undefined ? undefined : readJson(mapsFile, 'map contents', io);
    if (maps && !maps.ok) return EXIT_REJECTED;
    const object = objectFile(file, commonLoadOptions(args), maps?.value);
    if (!object.ok) {
      io.err(object.message);
      if (json) io.out(JSON.stringify({ file, ok: false, errors: [object.message] }));
      return EXIT_REJECTED;
    }
    written = object.bytes;
  }
  if (json) {
    io.out(JSON.stringify({ file, ok: true, slots: bytes.length / 8, bytecode: hex(bytes), ...(args.options.has('-o') ? { output: out } : {}) }));
    if (!args.options.has('-o')) return EXIT_OK;
  }
  if (out === '-') {
    if (io.stdoutIsTty) throw new UsageError('refusing to write bytecode to a terminal; use -o FILE or a pipe');
    io.writeStdout(written);
    return EXIT_OK;
  }
  try {
    io.writeFile(out, written);
  } catch (e) {
    io.err(`${out}: error: cannot write: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    return EXIT_REJECTED;
  }
  return EXIT_OK;
}

/** The simulated kernel's map type numbers, kfunc prototypes and struct layouts, for objectOfProgram. */
export { EXPORT_KERNEL } from '../../load/object-export.ts';

/** The object file of an assembly FILE (loadProgram has already reported its diagnostics). */
function objectFile(file: string, options: LoadOptions, maps?: unknown): { ok: true; bytes: Uint8Array } | { ok: false; message: string } {
  if (/\.(bin|data)$/i.test(file)) return { ok: false, message: `${file}: error: an object file is written from assembly (.s) only` };
  const t = readText(file);
  if (!t.ok) return { ok: false, message: t.message };
  const r = objectOfSource(t.text, { ...(options.dialect ? { dialect: options.dialect } : {}), ...(options.isa ? { isa: options.isa } : {}), ...(options.section ? { section: options.section } : {}), ...(maps === undefined ? {} : { maps }) });
  return r.ok ? r : { ok: false, message: `${file}: error: ${r.error}` };
}
