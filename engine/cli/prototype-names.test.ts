// `bpfp` with Object.prototype names as the command, an option, an option's value or a name in
// the program: each must get the answer an ordinary word of the same length gets (a usage error
// with exit status 2 for a command or option), never "internal error" (issue 11, finding 3).

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, type CliRun } from '../test/cli-harness.ts';
import { normalize, ordinaryName, PROTOTYPE_NAMES } from '../test/prototype-names.ts';

const dir = mkdtempSync(join(tmpdir(), 'bpfp-proto-'));
const answer = join(dir, 'answer.s');
writeFileSync(answer, 'r0 = 6\nr0 *= 7\nexit\n');

/** A program using `name` as a map, a label and a section; the file is named after it too. */
function programFile(name: string): string {
  const file = join(dir, `prog-${name}.s`);
  writeFileSync(
    file,
    [
      `.section syscall`,
      `.map ${name} type=array key=4 value=8 max_entries=1`,
      '  r6 = 0',
      '  *(u32 *)(r10 - 4) = r6',
      `  r1 = ${name} ll`,
      '  r2 = r10',
      '  r2 += -4',
      '  call bpf_map_lookup_elem',
      `  if r0 == 0 goto ${name}`,
      '  r1 = 7',
      '  *(u64 *)(r0 + 0) = r1',
      `${name}:`,
      '  r0 = 2',
      '  exit',
      `.section ${name}`,
      '  exit',
    ].join('\n'),
  );
  return file;
}

/** A bpf_conformance file with `name` as an (ignored) section header. */
function dataFile(name: string): string {
  const file = join(dir, `test-${name}.data`);
  writeFileSync(file, `-- ${name}\nwhatever\n-- asm\nmov %r0, 1\nexit\n-- result\n0x1\n`);
  return file;
}

/** What a run printed and returned, with the name swapped out and timings dropped. */
function shape(r: CliRun, name: string): string {
  const out = r.out.map((l) => l.replace(/"duration_ns":\d+/g, '"duration_ns":0'));
  const text = JSON.stringify({ code: r.code, out, err: r.err, files: [...r.files.keys()] });
  return normalize(text, name);
}

const CASES: readonly { readonly what: string; readonly argv: (name: string) => string[] }[] = [
  { what: 'the command', argv: (n) => [n, 'x'] },
  { what: 'the command alone', argv: (n) => [n] },
  { what: 'a flag', argv: (n) => ['asm', answer, `--${n}`] },
  { what: 'an option with a value', argv: (n) => ['asm', answer, `--${n}=1`] },
  { what: '--dialect', argv: (n) => ['asm', answer, '--dialect', n] },
  { what: '--isa', argv: (n) => ['disasm', answer, '--isa', n] },
  { what: '--section', argv: (n) => ['asm', answer, '--section', n] },
  { what: '--profile', argv: (n) => ['test-run', answer, '--profile', n] },
  { what: '--max-insns', argv: (n) => ['run', answer, '--max-insns', n] },
  { what: '--tier', argv: (n) => ['run', answer, '--tier', n] },
  { what: '--cpus', argv: (n) => ['test-run', answer, '--cpus', n] },
  { what: '--write', argv: (n) => ['xdp', answer, '--write', n] },
  { what: '--driver', argv: (n) => ['xdp', answer, '--driver', n] },
  { what: 'map, label and section names in the program (asm)', argv: (n) => ['asm', programFile(n), '-o', join(dir, 'out.bin')] },
  { what: 'map, label and section names in the program (test-run --json)', argv: (n) => ['test-run', programFile(n), '--section', 'syscall', '--json'] },
  { what: 'the --section value naming a section of the program', argv: (n) => ['asm', programFile(n), '--section', n, '--json'] },
  { what: 'a bpf_conformance section header', argv: (n) => ['run', dataFile(n)] },
];

describe('bpfp with Object.prototype names', () => {
  for (const c of CASES) {
    it(`as ${c.what}: the answer an ordinary word gets`, () => {
      for (const name of PROTOTYPE_NAMES) {
        const r = runCli(c.argv(name));
        expect(r.err.join('\n'), name).not.toMatch(/internal error|native code|\[object /);
        expect(shape(r, name), name).toBe(shape(runCli(c.argv(ordinaryName(name))), name));
      }
    });
  }

  it('answers an unknown command with usage and exit status 2', () => {
    for (const name of PROTOTYPE_NAMES) {
      const r = runCli([name, 'x']);
      expect(r.code, name).toBe(2);
      expect(r.err[0]).toMatch(new RegExp(`^bpfp: unknown command '${name.replace(/[$()*+.?[\\\]^{|}]/g, '\\$&')}'`));
    }
  });
});
