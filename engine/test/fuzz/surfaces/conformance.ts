// Surface conformance: bpf_conformance `.data` files — the suite's own files mutated line by line
// and character by character, and files made of random sections — through the parser
// (engine/cli/conformance-file.ts), `bpfp run FILE.data` and `bpfp conformance DIR`.

import { parseConformanceFile } from '../../../cli/conformance-file.ts';
import type { Rng, Surface } from '../case.ts';
import { conformanceCorpus } from '../corpus.ts';
import { mutateLines, mutateText, PROTO_NAMES } from '../mutate.ts';
import { cliAnswer, scratchDir, writeScratch } from '../scratch.ts';
import { ubpfLine } from './asm-text.ts';

const HEADERS = ['-- asm', '-- raw', '-- mem', '-- result', '-- error', '-- c', '--', '-- ', '-- asm ', '-- __proto__', '-- toString', '# comment'];

function dataLine(rng: Rng): string {
  switch (rng.below(8)) {
    case 0:
    case 1:
      return rng.pick(HEADERS);
    case 2:
      return Array.from({ length: rng.below(12) }, () => rng.below(256).toString(16).padStart(2, '0')).join(' ');
    case 3:
      return `0x${rng.u32().toString(16)}${rng.chance(0.5) ? rng.u32().toString(16).padStart(8, '0') : ''}`;
    case 4:
      return rng.pick(['0x0', '-1', '0xffffffffffffffff', '18446744073709551616', 'abc', '', '0x', '1 2', PROTO_NAMES[0] ?? '']);
    default:
      return ubpfLine(rng);
  }
}

function randomFile(rng: Rng): string {
  const lines: string[] = [];
  const sections = rng.below(5);
  for (let s = 0; s < sections; s++) {
    lines.push(rng.pick(HEADERS.slice(0, 5)));
    const n = rng.below(6);
    for (let i = 0; i < n; i++) lines.push(dataLine(rng));
  }
  return lines.join('\n');
}

export const conformance: Surface<string> = {
  name: 'conformance',
  about: 'bpf_conformance .data files: parseConformanceFile, bpfp run FILE.data, bpfp conformance DIR',
  generate(rng) {
    if (rng.chance(0.25)) return randomFile(rng);
    const base = rng.pick(conformanceCorpus()).text;
    let text = rng.chance(0.7) ? mutateLines(rng, base, dataLine) : base;
    if (rng.chance(0.5)) text = mutateText(rng, text);
    return text;
  },
  run(text) {
    const parsed = parseConformanceFile(text);
    const dir = scratchDir();
    const file = writeScratch(dir, 'case.data', text);
    return { parsed: parsed.ok ? { ok: true } : parsed, run: cliAnswer(['run', file, '--json', '--max-insns', '100000']), suite: cliAnswer(['conformance', dir, '--json']) };
  },
  show: (text) => `--- case.data (${text.length} chars) ---\n${text}`,
};
