// The `bpfp` command: dispatches to one command per file in commands/. Exit status 0 on
// success, 1 when the input is rejected, 2 on bad usage; errors never escape as stack traces.

import { parseArgs, UsageError } from './args.ts';
import { asmCommand } from './commands/asm.ts';
import { conformanceCommand } from './commands/conformance.ts';
import { lessonCommand } from './commands/lesson.ts';
import { disasmCommand } from './commands/disasm.ts';
import { runCommand } from './commands/run.ts';
import { testRunCommand } from './commands/test-run.ts';
import { verifyCommand } from './commands/verify.ts';
import { xdpCommand } from './commands/xdp.ts';
import { EXIT_REJECTED, EXIT_USAGE, type Io } from './io.ts';

const VALUED = new Set(['-o', '--dialect', '--isa', '--section', '--mem', '--mem-file', '--max-insns', '--profile', '--cpus', '--scenario', '--maps', '--data', '--ctx', '--repeat', '--traffic', '--packets', '--seed', '--driver', '--pcap', '--write-pcap', '--write', '--log-level', '--lessons', '--tier', '--strict-access']);

interface Command {
  readonly run: (args: ReturnType<typeof parseArgs>, io: Io) => number;
  readonly usage: string;
}

/** By name; a Map, so `bpfp constructor` is an unknown command like any other word. */
const COMMANDS: ReadonlyMap<string, Command> = new Map([
  ['asm', { run: asmCommand, usage: 'asm FILE [-o OUT] [--dialect llvm|ubpf] [--isa v1..v4] [--section S] [--json]' }],
  ['disasm', { run: disasmCommand, usage: 'disasm FILE.bin [--dialect llvm|ubpf] [--isa v1..v4] [--json]' }],
  ['run', { run: runCommand, usage: 'run FILE… [--mem HEX | --mem-file F] [--isa v1..v4] [--max-insns N] [--tier interpreter|compiled|wasm] [--json]' }],
  ['conformance', { run: conformanceCommand, usage: 'conformance DIR [--json]' }],
  ['verify', { run: verifyCommand, usage: 'verify FILE [--section S] [--profile linux-6.3|linux-6.18] [--log-level 1|2] [--explain [--seed S]] [--json]' }],
  [
    'test-run',
    {
      run: testRunCommand,
      usage: 'test-run FILE [--section S] [--profile linux-6.3|linux-6.18] [--cpus N] [--scenario F.json] [--maps F.json] [--data HEX] [--ctx HEX] [--repeat N] [--log-level 1|2] [--tier interpreter|compiled|wasm] [--no-verify [--strict | --strict-access PC:meta|packet]] [--json]',
    },
  ],
  [
    'xdp',
    {
      run: xdpCommand,
      usage:
        'xdp FILE [--traffic PROFILE.json] [--packets N] [--seed S] [--driver full|hash-only|none] [--pcap IN.pcap] [--write-pcap OUT.pcap [--write received|passed|transmitted|redirected|dropped]] [--section S] [--profile P] [--cpus N] [--log-level 1|2] [--tier interpreter|compiled|wasm] [--no-verify] [--json] [--trace]',
    },
  ],
  ['lesson', { run: lessonCommand, usage: 'lesson list [--json] | lesson check ID FILE [--json]' }],
]);

export function usage(): string {
  return ['usage: bpfp COMMAND [ARGS]', '', 'commands:', ...[...COMMANDS.values()].map((c) => `  bpfp ${c.usage}`)].join('\n');
}

export function main(argv: readonly string[], io: Io): number {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    (command ? io.out : io.err)(usage());
    return command ? 0 : EXIT_USAGE;
  }
  const cmd = COMMANDS.get(command);
  if (!cmd) {
    io.err(`bpfp: unknown command '${command}'\n${usage()}`);
    return EXIT_USAGE;
  }
  try {
    return cmd.run(parseArgs(rest, VALUED), io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`bpfp ${command}: ${e.message}\nusage: bpfp ${cmd.usage}`);
      return EXIT_USAGE;
    }
    io.err(`bpfp ${command}: internal error: ${e instanceof Error ? e.message : String(e)}`);
    return EXIT_REJECTED;
  }
}
