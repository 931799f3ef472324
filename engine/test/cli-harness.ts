// Runs `bpfp` in-process with captured output, for tests.
import { main } from '../cli/main.ts';

export interface CliRun {
  readonly code: number;
  readonly out: string[];
  readonly err: string[];
  readonly files: Map<string, Uint8Array>;
  readonly stdout: Uint8Array[];
}

export function runCli(argv: string[]): CliRun {
  const out: string[] = [];
  const err: string[] = [];
  const files = new Map<string, Uint8Array>();
  const stdout: Uint8Array[] = [];
  const code = main(argv, {
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    writeFile: (p, d) => files.set(p, d),
    stdoutIsTty: false,
    writeStdout: (d) => stdout.push(d),
  });
  return { code, out, err, files, stdout };
}
