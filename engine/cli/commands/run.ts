// `bpfp run FILE… [--mem HEX | --mem-file F] [--isa v1..v4] [--max-insns N] [--tier T] [--json]`: runs each
// file as a `raw` program (r1 = input memory, r2 = its length) and prints r0.

import { Session } from '../../worker/session.ts';
import { checkKnown, type ParsedArgs, UsageError } from '../args.ts';
import { parseHexBytes } from '../../asm/index.ts';
import { loadProgram, problemAt, readBytes, u64hex } from '../inputs.ts';
import { EXIT_OK, EXIT_REJECTED, type Io } from '../io.ts';
import { commonLoadOptions, isaOption, positiveInt, tierOption } from './common.ts';

export function runCommand(args: ParsedArgs, io: Io): number {
  checkKnown(args, ['--mem', '--mem-file', '--isa', '--max-insns', '--tier', '--json', '--dialect', '--section']);
  if (args.positional.length === 0) throw new UsageError('run takes at least one FILE');
  if (args.options.has('--mem') && args.options.has('--mem-file')) throw new UsageError('give --mem or --mem-file, not both');
  let mem: Uint8Array | undefined;
  const memHex = args.options.get('--mem');
  if (memHex !== undefined) {
    mem = parseHexBytes(memHex);
    if (!mem) throw new UsageError(`--mem must be hex bytes (e.g. 0a0b0c), not '${memHex}'`);
  }
  const memFile = args.options.get('--mem-file');
  if (memFile !== undefined) {
    const r = readBytes(memFile);
    if (!r.ok) {
      io.err(r.message);
      return EXIT_REJECTED;
    }
    mem = r.bytes;
  }
  const maxInsns = positiveInt(args, '--max-insns');
  const isa = isaOption(args);
  const tier = tierOption(args);
  const json = args.flags.has('--json');
  const session = new Session();
  const several = args.positional.length > 1;
  let status = EXIT_OK;
  for (const file of args.positional) {
    const loaded = loadProgram(file, commonLoadOptions(args));
    if (!loaded.ok) {
      loaded.messages.forEach((m) => io.err(m));
      if (json) io.out(JSON.stringify({ file, ok: false, r0: null, insns: 0, error: loaded.messages.find((m) => m.includes('error:')) ?? loaded.messages[0] }));
      status = EXIT_REJECTED;
      continue;
    }
    const input = loaded.input;
    input.warnings.forEach((w) => io.err(w));
    const inputMem = mem ?? input.test?.mem;
    const reply = session.runRaw({
      bytecode: input.bytes,
      ...(inputMem ? { mem: inputMem } : {}),
      ...(isa ? { isa } : {}),
      ...(maxInsns ? { maxInsns } : {}),
      ...(tier ? { tier } : {}),
    });
    if (reply.ok) {
      if (json) io.out(JSON.stringify({ file, ok: true, r0: u64hex(reply.r0), insns: reply.insns, error: null }));
      else io.out(several ? `${file}: ${u64hex(reply.r0)}` : u64hex(reply.r0));
    } else {
      const lines = reply.errors.map((e) => problemAt(input, e.pc, e.message));
      lines.forEach((l) => io.err(l));
      if (json) io.out(JSON.stringify({ file, ok: false, r0: null, insns: reply.insns, error: reply.error }));
      status = EXIT_REJECTED;
    }
  }
  return status;
}
