// Reading bpf_conformance `.data` files: section headers are found in time linear in the line
// (a 200 KB header line took 42 s and more through a backtracking regex: issue 11, finding 6),
// with the same names the regex gave.

import { describe, expect, it } from 'vitest';
import { headerName, parseConformanceFile } from './conformance-file.ts';

/** The header rule as it was written first; fine on short lines, quadratic on long blank runs. */
function regexHeader(line: string): string | undefined {
  return /^-- (.+?)\s*$/.exec(line)?.[1];
}

describe('bpf_conformance headers', () => {
  it('name the same sections as the regex they replace', () => {
    const parts = ['-', '-- ', ' ', '\t', 'a', 'asm', 'b c', '\u2028', '\u00a0', '\ufeff', '#', '\r'];
    let seed = 11;
    const below = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % n;
    };
    for (let i = 0; i < 5_000; i++) {
      const line = (below(2) ? '-- ' : '') + Array.from({ length: below(6) }, () => parts[below(parts.length)]).join('');
      expect(headerName(line), JSON.stringify(line)).toBe(regexHeader(line));
    }
  });

  it('a 1 MB header line is read at once (the regex needed hours; the bound is the test timeout)', { timeout: 20_000 }, () => {
    const r = parseConformanceFile(`-- a${' '.repeat(1_000_000)}b\n-- asm\nmov %r0, 1\nexit\n-- result\n0x1\n`);
    expect(r).toMatchObject({ ok: true, test: { asm: 'mov %r0, 1\nexit', result: 1n } });
  });

  it('refuses a result of a million digits instead of converting it', () => {
    const r = parseConformanceFile(`-- asm\nexit\n-- result\n${'7'.repeat(1_000_000)}\n`);
    expect(r).toEqual({ ok: false, line: 4, message: "-- result: '777777777777777777777777…' is far larger than the 64 bits of r0" });
    expect(parseConformanceFile(`-- asm\nexit\n-- result\n0x${'0'.repeat(100_000)}ff\n`)).toMatchObject({ ok: true, test: { result: 255n } });
  });
});
