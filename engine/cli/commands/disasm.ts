// `bpfp disasm FILE.bin [--dialect llvm|ubpf] [--isa v1..v4] [--json]`: one instruction per line;
// in the LLVM dialect, the text of llvm-objdump's instruction column.

import { disassemble } from '../../asm/index.ts';
import { checkKnown, type ParsedArgs, UsageError } from '../args.ts';
import { hex, readBytes } from '../inputs.ts';
import { EXIT_OK, EXIT_REJECTED, type Io } from '../io.ts';
import { dialectOption, isaOption } from './common.ts';

export function disasmCommand(args: ParsedArgs, io: Io): number {
  checkKnown(args, ['--dialect', '--isa', '--json']);
  const [file, ...extra] = args.positional;
  if (!file || extra.length) throw new UsageError('disasm takes one FILE.bin');
  const r = readBytes(file);
  if (!r.ok) {
    io.err(r.message);
    return EXIT_REJECTED;
  }
  const dialect = dialectOption(args) ?? 'llvm';
  const isa = isaOption(args);
  const { lines, errors } = disassemble(r.bytes, { dialect, ...(isa ? { isa } : {}) });
  if (args.flags.has('--json')) {
    io.out(
      JSON.stringify({
        file,
        ok: errors.length === 0,
        lines: lines.map((l) => ({ pc: l.pc, bytes: hex(r.bytes.subarray(l.pc * 8, (l.pc + l.slots) * 8)), text: l.text })),
        errors: errors.map((e) => ({ pc: e.pc, message: e.message })),
      }),
    );
  } else lines.forEach((l) => io.out(l.text));
  errors.forEach((e) => io.err(`${file}: error: ${e.message}`));
  return errors.length ? EXIT_REJECTED : EXIT_OK;
}
