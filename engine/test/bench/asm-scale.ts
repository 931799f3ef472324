// `npx tsx engine/test/bench/asm-scale.ts [--runs N] [--only NAME]`: the assembler and the
// bpf_conformance reader on inputs that once took seconds to minutes (issue 11, finding 6) —
// median wall time of N runs in this process, plus the diagnostics returned. Timings only; the
// unit tests bound the same work by counting (engine/asm/scale.test.ts).

import { assemble } from '../../asm/index.ts';
import { parseConformanceFile } from '../../cli/conformance-file.ts';

interface Case {
  readonly name: string;
  readonly what: string;
  readonly run: () => string;
}

const lines = (n: number, line: (i: number) => string): string => Array.from({ length: n }, (_, i) => line(i)).join('\n');

const CASES: readonly Case[] = [
  {
    name: 'backticks',
    what: '1 MiB of backticks on one line',
    run: () => `${assemble('`'.repeat(1 << 20)).diagnostics.length} diagnostics`,
  },
  {
    name: 'backtick-lines',
    what: '1 MiB of backticks, 64 to a line',
    run: () => `${assemble(lines((1 << 20) / 65, () => '`'.repeat(64))).diagnostics.length} diagnostics`,
  },
  {
    name: 'unknown-jumps',
    what: '30,000 labels, each with a jump to an unknown label',
    run: () => `${assemble(`${lines(30_000, (i) => `lbl_${i}: goto nowhere_${i}`)}\nexit`).diagnostics.length} diagnostics`,
  },
  {
    name: 'sections',
    what: '50,000 .section lines, each with one instruction',
    run: () => `${assemble(lines(50_000, (i) => `.section s${i}\nexit`)).sections.length} sections`,
  },
  {
    name: 'conformance-header',
    what: 'a bpf_conformance file whose header line is 200 KB (`-- a` + spaces + `b`)',
    run: () => {
      const r = parseConformanceFile(`-- a${' '.repeat(200_000)}b\n-- asm\nmov %r0, 1\nexit\n-- result\n0x1\n`);
      return r.ok ? 'parsed' : r.message.slice(0, 40);
    },
  },
];

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
}

const argv = process.argv.slice(2);
const runsAt = argv.indexOf('--runs');
const runs = runsAt >= 0 ? Number(argv[runsAt + 1]) : 5;
const onlyAt = argv.indexOf('--only');
const only = onlyAt >= 0 ? argv[onlyAt + 1] : undefined;

for (const c of CASES) {
  if (only && c.name !== only) continue;
  const times: number[] = [];
  let result = '';
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    result = c.run();
    times.push(performance.now() - t0);
  }
  console.log(`${c.name.padEnd(20)} median ${median(times).toFixed(1).padStart(9)} ms of ${runs} (${times.map((t) => t.toFixed(0)).join(', ')}): ${c.what}; ${result}`);
}
