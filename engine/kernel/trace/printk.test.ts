import { describe, expect, it } from 'vitest';
import { formatPrintk, type PrintkMemory } from './printk.ts';

const enc = new TextEncoder();
/** Memory holding "hello\0" at 0x1000 and the bytes 10.0.0.1 at 0x2000; nothing else readable. */
const mem: PrintkMemory = {
  cstring: (p, count) => (p === 0x1000n ? enc.encode('hello').subarray(0, count - 1) : undefined),
  bytes: (p, n) => (p === 0x2000n && n === 4 ? new Uint8Array([10, 0, 0, 1]) : undefined),
};
const fmt = (f: string, ...args: bigint[]) => formatPrintk(enc.encode(f), args, mem);
const text = (f: string, ...args: bigint[]) => {
  const r = fmt(f, ...args);
  return r.ok ? r.text : `EINVAL: ${r.error}`;
};

describe('formatPrintk', () => {
  it('prints integers at 32 bits unless l or ll, with signs, widths and zero padding', () => {
    expect(text('%d', 0x1_0000_0005n)).toBe('5');
    expect(text('%d %u %x', -1n, -1n, -1n)).toBe('-1 4294967295 ffffffff');
    expect(text('%lld %llx %lX', -1n, -1n, 0xabn)).toBe('-1 ffffffffffffffff AB');
    expect(text('[%+d] [% d] [%+05d]', 5n, 5n, 5n)).toBe('[+5] [ 5] [+0005]');
    expect(text('[% 05d] [%-+5d]', 5n, 5n)).toBe('[ 0005] [+5   ]');
    expect(text('[%05d] [%0-5d]', -5n, -5n)).toBe('[-0005] [-5   ]');
    expect(text('%+u %+x', 5n, 5n)).toBe('5 5');
  });

  it('refuses what bpf_bprintf_prepare refuses', () => {
    for (const f of ['%#x', '%o', '%.3d', '%zu', '%hd', '%lc', '%q', '%', '%5%', '%d %d %d %d', '\x01', '%pa', '%pI5', '%sa', '%pksx']) {
      expect(fmt(f, 1n, 2n, 3n, 4n).ok, f).toBe(false);
    }
    expect(text('%q')).toBe("EINVAL: invalid conversion '%q' at offset 0 of the format");
  });

  it('reads strings, and prints a string it cannot read as nothing', () => {
    expect(text('[%s] [%8s] [%-8s]', 0x1000n, 0x1000n, 0x1000n)).toBe('[hello] [   hello] [hello   ]');
    expect(text('[%s]', 0n)).toBe('[]');
    expect(text('%pks|%pus', 0x1000n, 0x1000n)).toBe('hello|');
  });

  it('prints addresses from memory, zeros when unreadable, and skips the letters after them', () => {
    expect(text('%pI4 %pi4', 0x2000n, 0x2000n)).toBe('10.0.0.1 010.000.000.001');
    expect(text('%pI4h|%pI4n', 0x2000n, 0x2000n)).toBe('1.0.0.10|10.0.0.1');
    expect(text('%pI6', 0n)).toBe('0000:0000:0000:0000:0000:0000:0000:0000');
    expect(text('%pi6', 0n)).toBe('0'.repeat(32));
  });

  it('prints pointers as 16 hex digits unless a width is given', () => {
    expect(text('%p %px %pK', 0x1234n, 0x1234n, 0x1234n)).toBe('0000000000001234 0000000000001234 0000000000001234');
    expect(text('[%8px] [%-8px] [%08px]', 0x1234n, 0x1234n, 0x1234n)).toBe('[    1234] [1234    ] [00001234]');
    expect(text('%pS %pB', 0x1234n, 0n)).toBe('0x1234 0x0');
  });

  it('returns the full length but keeps 1023 bytes, and counts bytes not characters', () => {
    const r = fmt('%2000d', 1n);
    expect(r.ok && r.length).toBe(2000);
    expect(r.ok && r.text.length).toBe(1023);
    const e = fmt('é');
    expect(e.ok && [e.length, e.text]).toEqual([2, 'é']);
  });
});
