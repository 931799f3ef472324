// The bpf_conformance test file format (`*.data`): `-- asm` (ubpf dialect), optional `-- raw`
// (hex words of the expected bytecode), `-- mem` (hex bytes), `-- result` (expected r0),
// `-- error` (expected failure text); `#` lines are comments, other sections are ignored.

export interface ConformanceTest {
  readonly asm?: string;
  /** Line number (1-based) in the .data file where the asm section's first line is. */
  readonly asmLine: number;
  readonly raw?: Uint8Array;
  readonly mem?: Uint8Array;
  readonly result?: bigint;
  readonly error?: string;
}

/** Significant digits past which a `-- result` cannot be a 64-bit value in any base. */
const MAX_RESULT_DIGITS = 40;

export type ParseOutcome = { ok: true; test: ConformanceTest } | { ok: false; line: number; message: string };

/**
 * The name of a `-- NAME` header line, trailing blanks dropped, or undefined. What the regex
 * /^-- (.+?)\s*$/ matched, without its backtracking: that regex took time quadratic in the run
 * of blanks inside a long header (a 200 KB line: minutes).
 */
export function headerName(line: string): string | undefined {
  if (!line.startsWith('-- ') || line.length === 3) return undefined;
  const rest = line.slice(3);
  // `.` stops at line terminators: one inside the name means no match.
  const name = rest.trimEnd() || rest.charAt(0);
  return /[\n\r\u2028\u2029]/.test(name) ? undefined : name;
}

export function parseConformanceFile(text: string): ParseOutcome {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const sections = new Map<string, { start: number; lines: string[] }>();
  let current: { start: number; lines: string[] } | undefined;
  lines.forEach((line, i) => {
    const name = headerName(line);
    if (name !== undefined) {
      current = { start: i + 2, lines: [] };
      sections.set(name, current);
    } else current?.lines.push(line);
  });
  const body = (name: string): { start: number; text: string } | undefined => {
    const s = sections.get(name);
    return s ? { start: s.start, text: s.lines.join('\n') } : undefined;
  };
  const asm = body('asm');
  let raw: Uint8Array | undefined;
  const rawText = body('raw');
  if (rawText) {
    const words = rawText.text.split('\n').map((l) => l.replace(/#.*/, '').trim()).filter(Boolean);
    raw = new Uint8Array(words.length * 8);
    const dv = new DataView(raw.buffer);
    for (const [i, w] of words.entries()) {
      if (!/^0x[0-9a-fA-F]{1,16}$/.test(w)) return { ok: false, line: rawText.start + i, message: `-- raw: '${w}' is not a 64-bit hex word` };
      dv.setBigUint64(i * 8, BigInt(w), true);
    }
  }
  let mem: Uint8Array | undefined;
  const memText = body('mem');
  if (memText) {
    const bytes = memText.text.replace(/#.*/g, '').split(/\s+/).filter(Boolean);
    const bad = bytes.find((b) => !/^[0-9a-fA-F]{2}$/.test(b));
    if (bad !== undefined) return { ok: false, line: memText.start, message: `-- mem: '${bad}' is not a hex byte` };
    mem = Uint8Array.from(bytes.map((b) => parseInt(b, 16)));
  }
  let result: bigint | undefined;
  const resultText = body('result');
  if (resultText) {
    const t = resultText.text.replace(/#.*/g, '').trim();
    if (!/^(0x[0-9a-fA-F]+|-?\d+)$/.test(t)) return { ok: false, line: resultText.start, message: `-- result: '${t}' is not a number` };
    // BigInt() of a long numeral costs time quadratic in its length; r0 has 64 bits.
    if (t.replace(/^(0x|-)?0*/, '').length > MAX_RESULT_DIGITS) return { ok: false, line: resultText.start, message: `-- result: '${t.slice(0, 24)}…' is far larger than the 64 bits of r0` };
    result = BigInt.asUintN(64, BigInt(t));
  }
  const error = body('error')?.text.trim();
  if (!asm && !raw) return { ok: false, line: 1, message: 'no -- asm or -- raw section' };
  return {
    ok: true,
    test: {
      ...(asm ? { asm: asm.text } : {}),
      asmLine: asm?.start ?? 1,
      ...(raw ? { raw } : {}),
      ...(mem ? { mem } : {}),
      ...(result !== undefined ? { result } : {}),
      ...(error ? { error } : {}),
    },
  };
}
