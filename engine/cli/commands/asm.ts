// `bpfp asm FILE [-o OUT] [--dialect llvm|ubpf] [--isa v1..v4] [--section S] [--json]`

import { checkKnown, type ParsedArgs, UsageError } from '../args.ts';
import { hex, loadProgram } from '../inputs.ts';
import { EXIT_OK, EXIT_REJECTED, type Io } from '../io.ts';
import { commonLoadOptions } from './common.ts';

export function asmCommand(args: ParsedArgs, io: Io): number {
  checkKnown(args, ['-o', '--dialect', '--isa', '--section', '--json']);
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
  warnings.forEach((w) => io.err(w));
  const out = args.options.get('-o') ?? file.replace(/(\.bpf)?\.s$/i, '') + '.bin';
  if (json) {
    io.out(JSON.stringify({ file, ok: true, slots: bytes.length / 8, bytecode: hex(bytes), ...(args.options.has('-o') ? { output: out } : {}) }));
    if (!args.options.has('-o')) return EXIT_OK;
  }
  if (out === '-') {
    if (io.stdoutIsTty) throw new UsageError('refusing to write bytecode to a terminal; use -o FILE or a pipe');
    io.writeStdout(bytes);
    return EXIT_OK;
  }
  try {
    io.writeFile(out, bytes);
  } catch (e) {
    io.err(`${out}: error: cannot write: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    return EXIT_REJECTED;
  }
  return EXIT_OK;
}
