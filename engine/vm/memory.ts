// Guest memory: every region a program can touch (stack frames, context, packet, map values,
// kernel objects) lives in one ArrayBuffer. A shadow byte per guest byte holds its permissions,
// so the interpreter checks an access with two loads; regions are separated by unmapped gaps
// so that no access of up to 8 bytes can run from one region into the next.
//
// Once the WebAssembly tier asks for it (`wasmBacking`), the buffer is a WebAssembly.Memory's,
// so that the tier works on the arena itself, with no copy per run; until then an ArrayBuffer
// (a Memory costs about 200 µs to make, four times a short program's whole run in the
// interpreter, and most memories never meet the WebAssembly tier). Its layout, fixed for the
// life of the buffer (a Memory never `grow`s: that would detach every view; a bigger arena, or
// the move into a Memory, is a new buffer):
//   [0, ARENA_OFFSET)                       the WebAssembly tier's header (registers, count, pc;
//                                           the windows at HDR_WINDOW and HDR_STACK_WINDOW,
//                                           which this class keeps)
//   [ARENA_OFFSET, ARENA_OFFSET + size)     the arena (`bytes`, `dv`: arena offset 0 is its first byte)
//   [ARENA_OFFSET + size, … + 2 × size)     the shadow, one permission byte per arena byte
// Without WebAssembly (or when a Memory cannot be had) the layout stays in an ArrayBuffer.

/** Upper 32 bits of every guest address: the x86-64 direct map, as in real kernel pointers. */
export const GUEST_BASE_HI = 0xffff8881 | 0;
/** Offset of the first region, so that a NULL-ish pointer is never inside one. */
const FIRST_OFFSET = 0x1000;
/** Gap between regions (≥ the largest access, 8 bytes); 64 keeps addresses readable. */
const GAP = 64;
const ALIGN = 16;
/** Where arena offset 0 lives in the buffer: the bytes before it are the WebAssembly tier's header. */
export const ARENA_OFFSET = 256;
const WASM_PAGE = 65536;

/**
 * Where the header holds the window (see GuestMemory.window): the guest address of its first
 * byte (i64), then how many offsets U from it start a readable 8-byte access (i32: `len − 7`,
 * 0 when it is shorter or unreadable) and the same for writes.
 */
export const HDR_WINDOW = 112;
/**
 * Where the header holds the stack window (GuestMemory.setStackWindow): the negated guest
 * address of its first byte (i64: the module adds it), then the same two counts as the window's.
 */
export const HDR_STACK_WINDOW = 176;

export const PERM_READ = 1;
export const PERM_WRITE = 2;

export type RegionKind = 'stack' | 'input' | 'context' | 'packet' | 'map-value' | 'map-key' | 'kernel-object' | 'ringbuf' | 'scratch';

export interface Region {
  readonly id: number;
  readonly name: string;
  readonly kind: RegionKind;
  /** Arena offset of the first byte. */
  readonly start: number;
  readonly size: number;
  readonly perms: number;
  /** Set when the region was freed; accesses then fault as use-after-free. */
  freed: boolean;
  /** Free text shown with faults and in the memory panel (e.g. "refcount 0"). */
  note?: string;
  /**
   * Set while only [lo, hi) of the region may be accessed (a packet's data_meta..data_end when a
   * run is asked to stop at the first access outside the packet): the bytes around it keep their
   * contents but fault, and `describe` says why.
   */
  fence?: { readonly lo: number; readonly hi: number; readonly describe: (off: number, size: number, write: boolean) => string };
}

/**
 * A region whose loads and stores the kernel serves itself — a context such as xdp_md, whose
 * 32-bit fields the kernel rewrites into 64-bit pointer loads (verifier.c convert_ctx_access).
 * Its bytes have no permissions, so the interpreter's fast path always falls through to these.
 * A string answer is the reason the access is refused.
 */
export interface SpecialAccess {
  load(offset: number, size: number): { lo: number; hi: number } | string;
  store(offset: number, size: number, lo: number, hi: number): true | string;
  /**
   * Optionally, the answers of aligned 4-byte loads kept current in a table, which the
   * interpreter reads without calling `load` (a context is read a few times per packet).
   */
  readonly fields?: FieldTable;
}

/** 64-bit answers of the aligned 4-byte loads of a special region: slot k is bytes 4k..4k+3. */
export interface FieldTable {
  /** lo, hi of slot k at 2k, 2k + 1. */
  readonly values: Int32Array;
  /** 1 where slot k is answered from `values`; other slots go to `load`. */
  readonly readable: Uint8Array;
}

export interface GuestAddress {
  readonly lo: number;
  readonly hi: number;
}

/** The backing of an arena of `size` bytes: a WebAssembly.Memory's buffer when wanted and one can be had. */
function allocate(size: number, wantWasm: boolean): { buffer: ArrayBuffer; wasm: WebAssembly.Memory | undefined } {
  const total = ARENA_OFFSET + 2 * size;
  if (wantWasm && typeof WebAssembly !== 'undefined') {
    try {
      const wasm = new WebAssembly.Memory({ initial: Math.ceil(total / WASM_PAGE) });
      return { buffer: wasm.buffer, wasm };
    } catch {
      // Too large, or no address space for it: an ordinary buffer (the WebAssembly tier then interprets).
    }
  }
  return { buffer: new ArrayBuffer(total), wasm: undefined };
}

export class GuestMemory {
  /** The whole backing buffer (header, arena, shadow: see the layout above). */
  buffer: ArrayBuffer;
  /** The WebAssembly.Memory whose buffer `buffer` is (what the WebAssembly tier imports), once `wasmBacking` made one. */
  wasmMemory: WebAssembly.Memory | undefined;
  /** The WebAssembly tier asked for a Memory: every new buffer is one (when one can be had). */
  private wantWasm = false;
  /** The arena: `size` bytes from ARENA_OFFSET of the buffer. */
  dv: DataView;
  bytes: Uint8Array;
  /** One permission byte per arena byte (0 = unmapped). */
  shadow: Uint8Array;
  /** Counts the times the arena moved to a bigger buffer (views of the old one are stale then). */
  generation = 0;
  private next = FIRST_OFFSET;
  private readonly regions: Region[] = [];
  /**
   * The window: the last packet or input mapped, whose accessible bytes (all of it, or its
   * fence) carry the region's permissions throughout. The header says where it is, kept true at
   * each change of the region's shadow (free, fence, unfence, setPerms) and of buffer, so the
   * WebAssembly tier can take an access inside it with one compare and no shadow read (the
   * packet a parsing loop walks). Only this class writes such a region's shadow.
   */
  private window: Region | undefined;
  /**
   * The stack window: the first stack frame (the one a run at depth 0 uses), whose bytes keep the
   * region's permissions throughout just as the window's — so that the WebAssembly tier takes a
   * stack access with one compare too. Kept in the header at HDR_STACK_WINDOW.
   */
  private stackWindow: Region | undefined;
  private readonly special = new Map<number, SpecialAccess>();

  constructor(initialSize = 1 << 16) {
    const { buffer, wasm } = allocate(initialSize, false);
    this.buffer = buffer;
    this.wasmMemory = wasm;
    this.dv = new DataView(buffer, ARENA_OFFSET, initialSize);
    this.bytes = new Uint8Array(buffer, ARENA_OFFSET, initialSize);
    this.shadow = new Uint8Array(buffer, ARENA_OFFSET + initialSize, initialSize);
    this.writeWindow();
  }

  /** The windows' places and permissions into the header (HDR_WINDOW, HDR_STACK_WINDOW). */
  private writeWindow(): void {
    const h = new DataView(this.buffer, 0, ARENA_OFFSET);
    for (const [r, at, negated] of [[this.window, HDR_WINDOW, false], [this.stackWindow, HDR_STACK_WINDOW, true]] as const) {
      let lo = 0;
      let len = 0;
      let perms = 0;
      if (r && !r.freed) {
        lo = r.fence ? r.fence.lo : r.start;
        len = (r.fence ? r.fence.hi : r.start + r.size) - lo;
        perms = r.perms;
      }
      const span = len >= 8 ? len - 7 : 0;
      // The guest address GUEST_BASE_HI:lo, or its negation (two's complement of the pair).
      h.setInt32(at, negated ? -lo | 0 : lo, true);
      h.setInt32(at + 4, negated ? (~GUEST_BASE_HI + (lo === 0 ? 1 : 0)) | 0 : GUEST_BASE_HI, true);
      h.setInt32(at + 8, (perms & PERM_READ) !== 0 ? span : 0, true);
      h.setInt32(at + 12, (perms & PERM_WRITE) !== 0 ? span : 0, true);
    }
  }

  /** Whether `region` is a window (its shadow changed: the header follows). */
  private changed(region: Region): void {
    if (region === this.window || region === this.stackWindow) this.writeWindow();
  }

  /** Makes `region` (the first stack frame) the stack window. */
  setStackWindow(region: Region): void {
    this.stackWindow = region;
    this.writeWindow();
  }

  /**
   * Maps a new zero-filled region; the arena grows as needed (callers re-read the views).
   * `guard`: unmapped bytes after it, when more than the usual gap (so a program that reads a
   * kernel object at an offset past its end faults rather than landing in the next region).
   */
  map(name: string, kind: RegionKind, size: number, perms = PERM_READ | PERM_WRITE, guard = GAP): Region {
    const start = alignUp(this.next, ALIGN);
    const end = start + size;
    const after = Math.max(GAP, guard);
    this.ensure(end + after);
    this.next = end + after;
    const region: Region = { id: this.regions.length, name, kind, start, size, perms, freed: false };
    this.regions.push(region);
    this.shadow.fill(perms, start, end);
    if (kind === 'packet' || kind === 'input') {
      this.window = region;
      this.writeWindow();
    }
    return region;
  }

  /** Serves every access to `region` through `access` (its bytes get no permissions). */
  setSpecial(region: Region, access: SpecialAccess): void {
    this.special.set(region.id, access);
    this.setPerms(region, 0);
  }

  specialAt(offset: number): { region: Region; access: SpecialAccess } | undefined {
    const region = this.regionAt(offset);
    const access = region ? this.special.get(region.id) : undefined;
    return region && access ? { region, access } : undefined;
  }

  /** Marks a region freed: its bytes stay for the memory panel, any access faults. */
  free(region: Region): void {
    region.freed = true;
    this.shadow.fill(0, region.start, region.start + region.size);
    this.changed(region);
  }

  /** Lets only [lo, hi) of `region` be accessed (see Region.fence); `unfence` lifts it. */
  fence(region: Region, lo: number, hi: number, describe: (off: number, size: number, write: boolean) => string): void {
    const a = Math.max(region.start, Math.min(lo, region.start + region.size));
    const b = Math.max(a, Math.min(hi, region.start + region.size));
    region.fence = { lo: a, hi: b, describe };
    this.changed(region);
    if (region.freed) return;
    this.shadow.fill(0, region.start, a);
    this.shadow.fill(region.perms, a, b);
    this.shadow.fill(0, b, region.start + region.size);
  }

  unfence(region: Region): void {
    if (!region.fence) return;
    delete region.fence;
    if (!region.freed) this.shadow.fill(region.perms, region.start, region.start + region.size);
    this.changed(region);
  }

  setPerms(region: Region, perms: number): void {
    (region as { perms: number }).perms = perms;
    if (!region.freed) this.shadow.fill(perms, region.start, region.start + region.size);
    this.changed(region);
  }

  /**
   * The arena as a WebAssembly.Memory, for the WebAssembly tier: the first call moves it into
   * one (a new buffer, like a growth: views of the old one are stale), and from then on every
   * new buffer is one. Undefined where no Memory can be had (the tier then interprets).
   */
  wasmBacking(): WebAssembly.Memory | undefined {
    if (!this.wantWasm) {
      this.wantWasm = true;
      this.move(this.bytes.length);
    }
    return this.wasmMemory;
  }

  private ensure(size: number): void {
    if (size <= this.bytes.length) return;
    let n = this.bytes.length;
    while (n < size) n *= 2;
    this.move(n);
  }

  /** Moves the header, arena and shadow into a new buffer with an arena of `n` bytes (a new Memory, never a grown one: growing would detach the views others hold). */
  private move(n: number): void {
    const { buffer, wasm } = allocate(n, this.wantWasm);
    const bytes = new Uint8Array(buffer, ARENA_OFFSET, n);
    const shadow = new Uint8Array(buffer, ARENA_OFFSET + n, n);
    new Uint8Array(buffer, 0, ARENA_OFFSET).set(new Uint8Array(this.buffer, 0, ARENA_OFFSET));
    // Only what lies below the next region's place was ever mapped (and so written): the new
    // buffer is zeroed, and copying the rest would only touch its pages (most of a move's cost).
    const used = Math.min(this.next, this.bytes.length);
    bytes.set(this.bytes.subarray(0, used));
    shadow.set(this.shadow.subarray(0, used));
    this.generation++;
    this.buffer = buffer;
    this.wasmMemory = wasm;
    this.dv = new DataView(buffer, ARENA_OFFSET, n);
    this.bytes = bytes;
    this.shadow = shadow;
    this.writeWindow();
  }

  /** Guest address of an arena offset. */
  address(offset: number): GuestAddress {
    return { lo: offset | 0, hi: GUEST_BASE_HI };
  }
  addressOf(region: Region, offset = 0): GuestAddress {
    return this.address(region.start + offset);
  }

  /** Arena offset of a guest address, or -1 if it is not in the arena. */
  offsetOf(lo: number, hi: number): number {
    if ((hi | 0) !== GUEST_BASE_HI) return -1;
    const off = lo >>> 0;
    return off < this.bytes.length ? off : -1;
  }

  /** The region holding an arena offset, freed ones included. */
  regionAt(offset: number): Region | undefined {
    // Regions are allocated in increasing order: binary search by start.
    let lo = 0;
    let hi = this.regions.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const r = this.regions[mid];
      if (!r) break;
      if (offset < r.start) hi = mid - 1;
      else if (offset >= r.start + r.size) lo = mid + 1;
      else return r;
    }
    return undefined;
  }

  /** The closest region before an arena offset (to say "N bytes past the end of …"). */
  regionBefore(offset: number): Region | undefined {
    let best: Region | undefined;
    for (const r of this.regions) if (r.start <= offset) best = r;
    return best;
  }

  /** True when `size` bytes at `offset` are all mapped with `perm`. */
  accessible(offset: number, size: number, perm: number): boolean {
    if (offset < 0 || offset + size > this.shadow.length) return false;
    for (let i = 0; i < size; i++) if (((this.shadow[offset + i] ?? 0) & perm) === 0) return false;
    return true;
  }

  /** Copies `len` bytes at a guest address, or undefined if any of them is not readable. */
  read(lo: number, hi: number, len: number): Uint8Array | undefined {
    const off = this.offsetOf(lo, hi);
    if (off < 0 || !this.accessible(off, len, PERM_READ)) return undefined;
    return this.bytes.slice(off, off + len);
  }

  /** Writes bytes at a guest address; false (and nothing written) if any is not writable. */
  write(lo: number, hi: number, data: Uint8Array): boolean {
    const off = this.offsetOf(lo, hi);
    if (off < 0 || !this.accessible(off, data.length, PERM_WRITE)) return false;
    this.bytes.set(data, off);
    return true;
  }

  /**
   * Stores a 16-bit value (`size` 2), a 32-bit one (4) or a 64-bit one (8, halves lo and hi) at a guest
   * address; false, and nothing written, unless every byte is writable. Regions have one
   * permission throughout and gaps wider than 8 bytes between them, so the first and the last
   * byte decide, as in the interpreter. For kernel code that stores per packet.
   */
  store(lo: number, hi: number, size: 2 | 4 | 8, vlo: number, vhi = 0): boolean {
    if ((hi | 0) !== GUEST_BASE_HI) return false;
    const a = lo >>> 0;
    const sh = this.shadow;
    if (a + size > sh.length || ((sh[a] ?? 0) & (sh[a + size - 1] ?? 0) & PERM_WRITE) === 0) return false;
    if (size === 2) this.dv.setUint16(a, vlo & 0xffff, true);
    else this.dv.setInt32(a, vlo, true);
    if (size === 8) this.dv.setInt32(a + 4, vhi, true);
    return true;
  }

  /**
   * strncpy_from_kernel_nofault: the bytes of the NUL-terminated string at an address, at most
   * `count - 1` of them (a longer string is cut there), or undefined when a byte before the end
   * cannot be read (the kernel's -EFAULT).
   */
  readCString(lo: number, hi: number, count: number): Uint8Array | undefined {
    const off = this.offsetOf(lo, hi);
    if (off < 0 || count < 1) return undefined;
    let end = off;
    while (end - off < count - 1) {
      if (!this.accessible(end, 1, PERM_READ)) return undefined;
      if (this.bytes[end] === 0) break;
      end++;
    }
    return this.bytes.slice(off, end);
  }

  allRegions(): readonly Region[] {
    return this.regions;
  }

  /** Why an access is refused, in words: used for fault messages. */
  explain(lo: number, hi: number, size: number, write: boolean): { region: string; reason: string } {
    const off = this.offsetOf(lo, hi);
    if (off < 0) {
      const small = (hi | 0) === 0 && (lo >>> 0) < 4096;
      return { region: 'none', reason: small ? 'NULL pointer dereference' : 'address outside guest memory' };
    }
    const r = this.regionAt(off) ?? this.regionAt(off + size - 1);
    if (r) {
      if (r.freed) return { region: r.name, reason: `use-after-free: ${r.name} was freed${r.note ? ` (${r.note})` : ''}` };
      const rel = off - r.start;
      if (rel < 0 || rel + size > r.size) return { region: r.name, reason: `access at offset ${rel} of ${size} bytes crosses the bounds of ${r.name} (${r.size} bytes)` };
      if (r.fence && (off < r.fence.lo || off + size > r.fence.hi)) return { region: r.name, reason: r.fence.describe(off, size, write) };
      if (write && (r.perms & PERM_WRITE) === 0) return { region: r.name, reason: `${r.name} is read-only` };
      if (!write && (r.perms & PERM_READ) === 0) return { region: r.name, reason: `${r.name} is not readable` };
      return { region: r.name, reason: 'access refused' };
    }
    // Between regions: name the nearer neighbour, as "past the end of" or "below the start of".
    const before = this.regionBefore(off);
    const after = this.regions.find((x) => x.start > off);
    const pastEnd = before ? off - (before.start + before.size) : Infinity;
    const belowStart = after ? after.start - off : Infinity;
    if (before && pastEnd <= belowStart) {
      return { region: 'none', reason: `${pastEnd} bytes past the end of ${before.name}${before.freed ? ' (freed)' : ''}` };
    }
    if (after && belowStart !== Infinity) {
      const extra = after.kind === 'stack' ? ` (the stack spans r10-${after.size}..r10)` : '';
      return { region: 'none', reason: `${after.start - off} bytes below the start of ${after.name}${extra}` };
    }
    return { region: 'none', reason: 'unmapped address' };
  }
}

function alignUp(n: number, a: number): number {
  return (n + a - 1) & ~(a - 1);
}

/** 0xffff888100001000-style text of a guest address. */
export function formatAddress(lo: number, hi: number): string {
  return `0x${(hi >>> 0).toString(16).padStart(8, '0')}${(lo >>> 0).toString(16).padStart(8, '0')}`;
}
