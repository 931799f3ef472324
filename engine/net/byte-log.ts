// The bytes of the packets a traffic run keeps (frames as received, as the program saw them, as
// it left them, and their metadata), appended to large blocks: one allocation per megabyte
// instead of four small arrays per packet, which the garbage collector would then copy and
// promote while the run goes on at millions of packets per second.

import { copyBytes } from '../util/typed-set.ts';

const BLOCK = 1 << 20;
/** The first block's size; each next one is 4× larger up to BLOCK (a short run keeps a few KB, and zeroing a megabyte for it was most of its cost). */
const FIRST_BLOCK = 1 << 14;
const SMALL = 128;

export class ByteLog {
  private readonly blocks: Uint8Array[] = [];
  private used = 0;

  /** Appends source[from, to) and returns its place as `at` (block * BLOCK + offset; a block holds at most BLOCK bytes). */
  append(source: Uint8Array, from: number, to: number): number {
    const n = Math.max(0, to - from);
    const last = this.blocks[this.blocks.length - 1];
    if (!last || this.used + n > last.length) {
      const size = last ? Math.min(BLOCK, last.length * 4) : FIRST_BLOCK;
      // A frame larger than a block gets a block of its own (frames are at most 64 KB).
      this.blocks.push(new Uint8Array(Math.max(size, n)));
      this.used = 0;
    }
    const block = this.blocks.length - 1;
    const at = this.used;
    const dst = this.blocks[block] as Uint8Array;
    // Frames of a few dozen bytes go byte by byte: a subarray view per call would cost more
    // than the copy, and feed the garbage collector.
    if (n > SMALL) copyBytes(dst, source.subarray(from, to), at);
    else for (let i = 0; i < n; i++) dst[at + i] = source[from + i] ?? 0;
    this.used = at + n;
    return block * BLOCK + at;
  }

  /** A copy of the bytes appended at `at`. */
  read(at: number, length: number): Uint8Array {
    const block = this.blocks[Math.floor(at / BLOCK)];
    const off = at % BLOCK;
    return block ? block.slice(off, off + length) : new Uint8Array(0);
  }
}
