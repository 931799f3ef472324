import { describe, expect, it } from 'vitest';
import { ByteLog } from './byte-log.ts';

describe('ByteLog', () => {
  it('gives back each appended span, across block boundaries and for spans larger than a block', () => {
    const log = new ByteLog();
    const spans: { at: number; bytes: Uint8Array }[] = [];
    for (let i = 0; i < 900; i++) {
      const n = i === 500 ? (1 << 20) + 3 : (i * 37) % 1600;
      const bytes = Uint8Array.from({ length: n }, (_, k) => (k * 13 + i) & 0xff);
      spans.push({ at: log.append(bytes, 0, n), bytes });
    }
    for (const s of spans) expect(log.read(s.at, s.bytes.length)).toEqual(s.bytes);
  });

  it('appends a part of the source and returns copies', () => {
    const log = new ByteLog();
    const src = Uint8Array.of(1, 2, 3, 4, 5);
    const at = log.append(src, 1, 4);
    const a = log.read(at, 3);
    expect([...a]).toEqual([2, 3, 4]);
    a[0] = 99;
    expect([...log.read(at, 3)]).toEqual([2, 3, 4]);
    expect(log.read(log.append(src, 2, 2), 0).length).toBe(0);
  });
});
