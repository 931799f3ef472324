// `bpfp disasm FILE.bin [--dialect llvm|ubpf] [--isa v1..v4] [--json]`: one instruction per line;
// in the LLVM dialect, the text of llvm-objdump's instruction column. `bpfp disasm FILE.o|FILE.c
// [--section S]`: the object as the playground opens it — assembly that reassembles to its bytes,
// maps and license as directives, each group of instructions under its C line as a comment
// (engine/asm/object-source.ts).

import { basename } from 'node:path';
import { disassemble, objectSource } from '../../asm/index.ts';
import { checkKnown, type ParsedArgs, UsageError } from '../args.ts';
import { hex, readBytes } from '../inputs.ts';
import { EXIT_OK, EXIT_REJECTED, type Io } from '../io.ts';
import { dialectOption, isaOption, readObjectFile } from './common.ts';

const ELF_MAGIC = [0x7f, 0x45, 0x4c, 0x46];

export function disasmCommand(args: ParsedArgs, io: Io): number {
  checkKnown(args, ['--dialect', '--isa', '--json', '--section']);
  const [file, ...extra] = args.positional;
  if (!file || extra.length) throw new UsageError('disasm takes one FILE.bin, FILE.o or FILE.c');
  if (/\.(o|c)$/.test(file)) return disasmObject(file, args, io);
  if (args.options.has('--section')) throw new UsageError('--section picks a program of an object (FILE.o or FILE.c); FILE.bin is one program');
  const r = readBytes(file);
  if (!r.ok) {
    io.err(r.message);
    return EXIT_REJECTED;
  }
  if (ELF_MAGIC.every((b, i) => r.bytes[i] === b)) {
    io.err(`${file}: error: the file is an ELF object, not raw bytecode: give it a .o name (bpfp disasm reads objects by their extension)`);
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

/** An object: its programs (or --section's) as the playground's assembly, or as JSON lines with their C lines. */
function disasmObject(file: string, args: ParsedArgs, io: Io): number {
  const o = readObjectFile(file);
  if (!o.ok) {
    io.err(o.error);
    return EXIT_REJECTED;
  }
  const wanted = args.options.get('--section');
  const programs = wanted === undefined ? o.object.programs : o.object.programs.filter((p) => p.name === wanted);
  if (!programs.length) {
    io.err(`${file}: error: no program${wanted === undefined ? '' : ` '${wanted}'`} (sections: ${o.object.programs.map((p) => p.name).join(', ') || 'none'})`);
    return EXIT_REJECTED;
  }
  for (const s of o.object.skipped) io.err(`${file}: note: section ${s}`);
  const opened = { programs: programs.map((p) => ({ name: p.name, bytecode: p.bytes, lines: p.lines })), maps: o.object.maps, ...(o.object.license === undefined ? {} : { license: o.object.license }), skipped: o.object.skipped };
  const s = objectSource(basename(file), opened, dialectOption(args));
  if (args.flags.has('--json')) {
    io.out(
      JSON.stringify({
        file,
        ok: s.sameBytes,
        dialect: s.dialect,
        sections: programs.map((p) => ({
          name: p.name,
          lines: disassemble(p.bytes, { dialect: s.dialect }).lines.map((l) => {
            const c = p.lines[l.pc];
            return { pc: l.pc, bytes: hex(p.bytes.subarray(l.pc * 8, (l.pc + l.slots) * 8)), text: l.text, ...(c ? { c: { file: c.file, line: c.line, text: c.text.trim() } } : {}) };
          }),
        })),
      }),
    );
  } else s.text.replace(/\n$/, '').split('\n').forEach((l) => io.out(l));
  if (!s.sameBytes) io.err(`${file}: warning: the text does not assemble back to the object's bytes: ${s.mismatches.join('; ')}`);
  return EXIT_OK;
}
