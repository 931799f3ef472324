// BPF_MAP_TYPE_RINGBUF (kernel/bpf/ringbuf.c): max_entries bytes of data, a power of two and a
// whole number of pages. A record is an 8-byte header (u32 len with the BUSY and DISCARD bits,
// u32 page offset) followed by the sample, the whole rounded up to 8. The producer may run at
// most size - 1 bytes ahead of the consumer. The kernel maps the data pages twice in a row, so
// a record that wraps is still contiguous; the guest region here is twice the size for the
// same reason, and the wrapped tail is mirrored into the front when the record is committed.

import type { MapDecl } from '../../program/program.ts';
import type { Region } from '../../vm/index.ts';
import { ERRNO } from '../services.ts';
import { toHex } from './hex.ts';
import { footprint } from './limits.ts';
import { MapBase } from './map-base.ts';
import { MAP_FLAG, type InitialEntry, type MapContext, type MapEntryView, type MapPage, type MapView, type PageRequest, type RingbufView, type ValueLimits } from './types.ts';

export const RINGBUF_HDR_SZ = 8;
const BUSY_BIT = 0x8000_0000;
const DISCARD_BIT = 0x4000_0000;
const PAGE_SIZE = 4096;
/** RINGBUF_MAX_RECORD_SZ (UINT_MAX / 4). */
const MAX_RECORD = 0x3fff_ffff;

/** Guest memory a ring maps: its data twice over, as the kernel maps the pages twice. */
export function ringbufBytes(decl: MapDecl): number {
  return footprint(2 * decl.maxEntries);
}

export function checkRingbufDecl(decl: MapDecl): string | undefined {
  const where = `map '${decl.name}' (ringbuf)`;
  const size = decl.maxEntries;
  // ringbuf_map_alloc: key and value sizes 0, max_entries a power of two and page-aligned.
  if (decl.keySize !== 0 || decl.valueSize !== 0) return `${where}: a ring buffer has no keys or values; declare key=0 value=0 (BPF_MAP_CREATE fails with -EINVAL)`;
  if (size < PAGE_SIZE || !Number.isInteger(Math.log2(size))) return `${where}: max_entries is the ring's size in bytes and must be a power of two and a multiple of ${PAGE_SIZE} (e.g. ${PAGE_SIZE * 64}), not ${size} (-EINVAL)`;
  if (decl.flags & ~MAP_FLAG.NUMA_NODE) return `${where}: flags 0x${(decl.flags & ~MAP_FLAG.NUMA_NODE).toString(16)} are not allowed for ring buffers (-EINVAL)`;
  if (decl.kptrs.length) return `${where}: kptr fields are only supported in hash and array maps`;
  return undefined;
}

interface RingRecord {
  /** Producer position of the header. */
  readonly pos: number;
  readonly size: number;
  state: 'busy' | 'submitted' | 'discarded';
  /** Instruction of the bpf_ringbuf_reserve that made it (for the report of unreleased records). */
  readonly pc: number;
}

/** A reserved record the program neither submitted nor discarded. */
export interface OutstandingRecord {
  readonly map: string;
  readonly pc: number;
  readonly size: number;
  /** Guest address of the sample. */
  readonly ptr: bigint;
}

export class RingbufMap extends MapBase<never> {
  private readonly data: Region;
  private readonly mask: number;
  private producer = 0;
  private consumer = 0;
  /** Records between consumer and producer, oldest first. */
  private records: RingRecord[] = [];

  constructor(ctx: MapContext, decl: MapDecl, index: number) {
    super(ctx, decl, index);
    this.mask = decl.maxEntries - 1;
    this.data = ctx.mem.map(`ringbuf ${decl.name} data (mapped twice)`, 'ringbuf', decl.maxEntries * 2);
  }

  get size(): number {
    return this.decl.maxEntries;
  }

  /** __bpf_ringbuf_reserve: the sample's guest address, or 0n when it does not fit. */
  reserve(size: bigint, pc: number): bigint {
    if (size > BigInt(MAX_RECORD)) return 0n;
    const n = Number(size);
    const len = (n + RINGBUF_HDR_SZ + 7) & ~7;
    if (len > this.size) return 0n;
    // The producer may run at most size - 1 bytes ahead of the consumer.
    if (this.producer + len - this.consumer > this.mask) return 0n;
    const at = this.producer & this.mask;
    const dv = this.ctx.mem.dv;
    const hdr = this.data.start + at;
    dv.setUint32(hdr, (n | BUSY_BIT) >>> 0, true);
    // The kernel stores the page offset from struct bpf_ringbuf; here it counts from the data.
    dv.setUint32(hdr + 4, at >>> 12, true);
    // The second mapping shows the same bytes as the first.
    const wrap = at + len - this.size;
    if (wrap > 0) this.ctx.mem.bytes.copyWithin(this.data.start + this.size, this.data.start, this.data.start + wrap);
    this.records.push({ pos: this.producer, size: n, state: 'busy', pc });
    this.producer += len;
    this.generation++;
    return this.pointer(hdr + RINGBUF_HDR_SZ);
  }

  /** bpf_ringbuf_commit: false when `offset` (arena) is not the sample of a reserved record. */
  commit(offset: number, discard: boolean): boolean {
    const rec = this.records.find((r) => r.state === 'busy' && this.data.start + (r.pos & this.mask) + RINGBUF_HDR_SZ === offset);
    if (!rec) return false;
    const hdr = this.data.start + (rec.pos & this.mask);
    const dv = this.ctx.mem.dv;
    dv.setUint32(hdr, ((dv.getUint32(hdr, true) ^ BUSY_BIT) | (discard ? DISCARD_BIT : 0)) >>> 0, true);
    const wrap = (rec.pos & this.mask) + RINGBUF_HDR_SZ + rec.size - this.size;
    if (wrap > 0) this.ctx.mem.bytes.copyWithin(this.data.start, this.data.start + this.size, this.data.start + this.size + wrap);
    rec.state = discard ? 'discarded' : 'submitted';
    this.generation++;
    return true;
  }

  /** True when `offset` (arena) lies in this ring's data. */
  holds(offset: number): boolean {
    return offset >= this.data.start && offset < this.data.start + this.data.size;
  }

  /** bpf_ringbuf_output: 0, or -EAGAIN when the record does not fit. */
  output(data: Uint8Array, pc: number): number {
    const ptr = this.reserve(BigInt(data.length), pc);
    if (ptr === 0n) return -ERRNO.EAGAIN;
    const off = this.ctx.mem.offsetOf(Number(ptr & 0xffffffffn) | 0, Number(ptr >> 32n) | 0);
    this.ctx.mem.bytes.set(data, off);
    this.commit(off, false);
    return 0;
  }

  /** A record's sample, or its first `max` bytes. */
  private sample(rec: RingRecord, max = Infinity): Uint8Array {
    const off = (rec.pos & this.mask) + RINGBUF_HDR_SZ;
    const out = new Uint8Array(Math.min(rec.size, max));
    for (let i = 0; i < out.length; i++) out[i] = this.ctx.mem.bytes[this.data.start + ((off + i) & this.mask)] ?? 0;
    return out;
  }

  /**
   * What a user-space consumer reads: the submitted records up to the first busy one (a busy
   * record blocks the consumer), skipping discarded ones. Advances the consumer position.
   */
  consume(): Uint8Array[] {
    const out: Uint8Array[] = [];
    while (this.records.length && this.records[0]?.state !== 'busy') {
      const rec = this.records.shift();
      if (!rec) break;
      if (rec.state === 'submitted') out.push(this.sample(rec));
      this.consumer = rec.pos + ((rec.size + RINGBUF_HDR_SZ + 7) & ~7);
      this.generation++;
    }
    return out;
  }

  outstanding(): OutstandingRecord[] {
    return this.records
      .filter((r) => r.state === 'busy')
      .map((r) => ({ map: this.name, pc: r.pc, size: r.size, ptr: this.pointer(this.data.start + (r.pos & this.mask) + RINGBUF_HDR_SZ) }));
  }

  keys(): Uint8Array[] {
    return [];
  }

  /**
   * An initial entry is a record already submitted that user space has not read yet (its value
   * the sample; no key): a ring holding them starts that full, and a reservation that does not
   * fit in what is left fails (NULL), as in Linux when the consumer lags.
   */
  load(entry: InitialEntry): string | undefined {
    if (entry.key.length) return `${entry.where}: a ring buffer record has no key (give only its value, the sample)`;
    const sample = entry.values[0] ?? new Uint8Array(0);
    if (this.output(sample, -1) !== 0) return `${entry.where}: no room left for a ${sample.length}-byte record (the ring holds ${this.size} bytes; each record takes 8 more, rounded up to 8)`;
    return undefined;
  }

  clear(): void {
    this.records = [];
    this.producer = 0;
    this.consumer = 0;
    this.ctx.mem.bytes.fill(0, this.data.start, this.data.start + this.data.size);
    this.generation++;
  }

  count(): number {
    return this.records.reduce((n, r) => (r.state === 'submitted' ? n + 1 : n), 0);
  }

  protected positions(): number {
    return this.count();
  }

  protected positionOf(): undefined {
    return undefined;
  }

  /** A ring buffer has records, not entries: views carry them in `ringbuf`. */
  protected *walk(): Iterable<readonly [number, never]> {}

  entryView(entry: never): MapEntryView {
    return entry;
  }

  private ringView(from: number, limit: number, limits: ValueLimits, paged: boolean): RingbufView {
    const submitted = this.records.filter((r) => r.state === 'submitted');
    const records = submitted.slice(from, from + limit).map((r) => toHex(this.sample(r, limits.valueBytes)));
    const count = (state: RingRecord['state']) => this.records.filter((r) => r.state === state).length;
    return { records, ...(paged ? { submitted: submitted.length } : {}), producer: this.producer, consumer: this.consumer, busy: count('busy'), discarded: count('discarded') };
  }

  override view(): MapView {
    const ringbuf = this.ringView(0, Infinity, { valueBytes: Infinity, cpus: 1 }, false);
    return this.viewOf([], ringbuf.records.length, { ringbuf });
  }

  override page(request: PageRequest): MapPage {
    const start = Math.max(0, Math.floor(request.start ?? 0));
    const ringbuf = this.ringView(start, request.limit, request, true);
    const positions = ringbuf.submitted ?? 0;
    return { start, entries: [], positions, ringbuf, ...(start + request.limit < positions ? { next: start + request.limit } : {}) };
  }

  free(): void {
    this.ctx.mem.free(this.data);
    this.ctx.mem.free(this.header);
  }
}
