// Entry point under Node: wires main() to the process's streams, files and exit status.

import { writeFileSync } from 'node:fs';
import { main } from './main.ts';

const io = {
  out: (line: string) => process.stdout.write(`${line}\n`),
  err: (line: string) => process.stderr.write(`${line}\n`),
  writeFile: (path: string, data: Uint8Array) => writeFileSync(path, data),
  stdoutIsTty: Boolean(process.stdout.isTTY),
  writeStdout: (data: Uint8Array) => process.stdout.write(data),
};

let code: number;
try {
  code = main(process.argv.slice(2), io);
} catch (e) {
  process.stderr.write(`bpfp: internal error: ${e instanceof Error ? e.message : String(e)}\n`);
  code = 1;
}
process.exitCode = code;
