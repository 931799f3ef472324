// The BTF string section as the readers see it: NUL-terminated UTF-8 names at byte offsets,
// decoded once per offset under a byte budget, so that hostile records cannot make a reader
// decode the same long string again and again (one million suffixes of one long string).

const decoder = new TextDecoder('utf-8');

/** Decoded bytes allowed per byte of string section, plus a floor for tiny sections. */
const BUDGET_PER_BYTE = 4;
const BUDGET_FLOOR = 1 << 16;

export class StringTable {
  private readonly memo = new Map<number, string>();
  private budget: number;

  constructor(private readonly bytes: Uint8Array) {
    this.budget = bytes.length * BUDGET_PER_BYTE + BUDGET_FLOOR;
  }

  /** The string at `off`, or a message saying why there is none. */
  at(off: number): { ok: true; value: string } | { ok: false; message: string } {
    const known = this.memo.get(off);
    if (known !== undefined) return { ok: true, value: known };
    if (off >= this.bytes.length) return { ok: false, message: `string offset ${off} is beyond the string section (${this.bytes.length} bytes)` };
    const end = this.bytes.indexOf(0, off);
    if (end < 0) return { ok: false, message: `string at offset ${off} has no terminating NUL` };
    this.budget -= end - off + 1;
    if (this.budget < 0) return { ok: false, message: `string at offset ${off}: too many overlapping string references` };
    const value = decoder.decode(this.bytes.subarray(off, end));
    this.memo.set(off, value);
    return { ok: true, value };
  }
}
