// How the Packets panel words and arranges what the NIC reports: hash types by their kernel
// names, fates in words, the table's filter and pages, the frame buffer's regions to scale,
// the hex dump's rows, and the AF_XDP consumer's metadata. Pure (tested in Node).

import { fateText, rssBits, rssTypeName, rssTypeTitle } from '../../../engine/net/names.ts';
import type { NicCounters, PacketSummary, XdpActionName } from '../../../engine/worker/protocol.ts';

export { fateText, rssBits, rssTypeName, rssTypeTitle };

export const ACTIONS: readonly XdpActionName[] = ['XDP_ABORTED', 'XDP_DROP', 'XDP_PASS', 'XDP_TX', 'XDP_REDIRECT', 'ILLEGAL'];

export function hex32(n: number): string {
  return `0x${(n >>> 0).toString(16).padStart(8, '0')}`;
}

export function hashText(p: Pick<PacketSummary, 'rxHash'>): string {
  return p.rxHash === null ? '—' : hex32(p.rxHash);
}

/** A word per action for the badges and the table (no colour-only information). */
export function actionShort(a: XdpActionName): string {
  return a === 'ILLEGAL' ? 'illegal' : a.slice(4).toLowerCase();
}

export interface PacketFilter {
  /** '' for every action. */
  readonly action: XdpActionName | '';
  /** -1 for every queue. */
  readonly queue: number;
  readonly text: string;
}

export const NO_FILTER: PacketFilter = { action: '', queue: -1, text: '' };

const rowTexts = new WeakMap<PacketSummary, string>();

/** Everything the text filter searches in a row, lower case. */
export function rowText(p: PacketSummary): string {
  let t = rowTexts.get(p);
  if (t === undefined) {
    t = [
      `#${p.index}`,
      `queue ${p.queue}`,
      p.rxTimestamp ?? '',
      hashText(p),
      p.rxHash === null ? '' : rssTypeName(p.rssType),
      p.vlan === null ? '' : `vlan ${p.vlan}`,
      `${p.length} bytes`,
      p.action,
      fateText(p.fate),
    ]
      .join(' ')
      .toLowerCase();
    rowTexts.set(p, t);
  }
  return t;
}

/**
 * Whether a row's text holds a term. A term that ends in a decimal number matches that whole
 * number ("queue 3" is not "queue 30"); anything else matches as a prefix or inside a word
 * (a hash's first digits, "af_xdp").
 */
function holds(text: string, term: string): boolean {
  const whole = /(^|[\s#])\d+$/.test(term);
  for (let at = text.indexOf(term); at >= 0; at = text.indexOf(term, at + 1)) {
    if (!whole || !/\d/.test(text[at + term.length] ?? '')) return true;
  }
  return false;
}

/** Splits the text filter into terms: commas separate them, spaces inside one are kept. */
export function filterTerms(text: string): string[] {
  return text
    .toLowerCase()
    .split(',')
    .map((t) => t.trim().replace(/\s+/g, ' '))
    .filter(Boolean);
}

/** The rows that pass the filter: the action, the queue, and every term of the text. */
export function filterPackets(packets: readonly PacketSummary[], f: PacketFilter): readonly PacketSummary[] {
  const terms = filterTerms(f.text);
  if (!f.action && f.queue < 0 && terms.length === 0) return packets;
  return packets.filter((p) => (!f.action || p.action === f.action) && (f.queue < 0 || p.queue === f.queue) && terms.every((t) => holds(rowText(p), t)));
}

export const PAGE_SIZE = 200;

export function pageCount(rows: number, size = PAGE_SIZE): number {
  return Math.max(1, Math.ceil(rows / size));
}

/** The page that holds row `i` of the filtered list. */
export function pageOf(i: number, size = PAGE_SIZE): number {
  return Math.max(0, Math.floor(i / size));
}

/** One region of the frame buffer (from data_hard_start). */
export interface Region {
  readonly kind: 'xdp_frame' | 'headroom' | 'metadata' | 'data';
  readonly label: string;
  readonly start: number;
  readonly end: number;
}

/** struct xdp_frame sits at the start of the headroom (xdp_convert_buff_to_frame). */
export const XDP_FRAME_BYTES = 40;

export function bufferRegions(d: { readonly metaOffset: number; readonly dataOffset: number; readonly endOffset: number }): Region[] {
  const frame = Math.min(XDP_FRAME_BYTES, d.metaOffset);
  const all: Region[] = [
    { kind: 'xdp_frame', label: 'struct xdp_frame', start: 0, end: frame },
    { kind: 'headroom', label: 'headroom', start: frame, end: d.metaOffset },
    { kind: 'metadata', label: 'metadata', start: d.metaOffset, end: d.dataOffset },
    { kind: 'data', label: 'data', start: d.dataOffset, end: d.endOffset },
  ];
  return all.filter((r) => r.end > r.start || r.kind === 'metadata' || r.kind === 'data');
}

function bytes(n: number): string {
  return `${n.toLocaleString('en-US')} byte${n === 1 ? '' : 's'}`;
}

/** The bar's text alternative: every region and its size. */
export function bufferDescription(regions: readonly Region[]): string {
  const total = regions.reduce((n, r) => Math.max(n, r.end), 0);
  return `Frame buffer of ${bytes(total)} from data_hard_start: ${regions.map((r) => `${r.label} ${bytes(r.end - r.start)} (offset ${r.start})`).join(', ')}.`;
}

/** Offsets of a buffer byte relative to data: "data-24", "data+0", "data+13". */
export function dataRelative(i: number, dataOffset: number): string {
  const d = i - dataOffset;
  return d < 0 ? `data${d}` : `data+${d}`;
}

/** Runs of changed bytes in [from, to), as [start, end) pairs. */
export function changedRuns(changed: Uint8Array, from: number, to: number): [number, number][] {
  const runs: [number, number][] = [];
  let start = -1;
  for (let i = from; i <= to; i++) {
    const on = i < to && changed[i] === 1;
    if (on && start < 0) start = i;
    if (!on && start >= 0) {
      runs.push([start, i]);
      start = -1;
    }
  }
  return runs;
}

/** "12 bytes changed: data+0…data+11, data+30" */
export function changedSummary(changed: Uint8Array, from: number, to: number, dataOffset: number): string {
  const runs = changedRuns(changed, from, to);
  const n = runs.reduce((a, [s, e]) => a + e - s, 0);
  if (n === 0) return 'The program changed no byte of the metadata or the data.';
  const parts = runs.map(([s, e]) => (e - s === 1 ? dataRelative(s, dataOffset) : `${dataRelative(s, dataOffset)}…${dataRelative(e - 1, dataOffset)}`));
  return `${bytes(n)} changed by the program: ${parts.slice(0, 12).join(', ')}${parts.length > 12 ? ` and ${parts.length - 12} more runs` : ''}.`;
}

/** Rows of the hex dump: 16 bytes each, aligned on data (so data+0 starts a row). */
export function hexRows(from: number, to: number, dataOffset: number, width = 16): { start: number; end: number }[] {
  const rows: { start: number; end: number }[] = [];
  if (to <= from) return rows;
  // Align rows so that dataOffset is a row boundary.
  let start = from - ((((from - dataOffset) % width) + width) % width);
  for (; start < to; start += width) rows.push({ start: Math.max(start, from), end: Math.min(start + width, to) });
  return rows;
}

/** One field of a metadata struct, read from the bytes. */
export interface MetaField {
  readonly name: string;
  /** The C type: "__u64", "__s32", "__be16". */
  readonly type: string;
  readonly offset: number;
  readonly size: number;
  readonly value: string;
}

/** The structs the playground knows how to read metadata as (the user picks; "auto" goes by size). */
export type MetaLayout = 'example' | 'selftest' | 'bytes';
export type MetaLayoutChoice = MetaLayout | 'auto';

export const META_LAYOUTS: readonly { readonly id: MetaLayoutChoice; readonly label: string }[] = [
  { id: 'auto', label: 'guess from its size' },
  { id: 'example', label: 'struct xdp_meta of the xdp-metadata example (24 bytes)' },
  { id: 'selftest', label: "struct xdp_meta of the kernel's xdp_metadata selftest (32 bytes)" },
  { id: 'bytes', label: 'bytes only' },
];

/** What "auto" reads metadata of this many bytes as: the selftest's 32 bytes, the example's 24 (16: the tc example's prefix of it). */
export function autoLayout(size: number): MetaLayout {
  return size >= 32 ? 'selftest' : size >= 16 ? 'example' : 'bytes';
}

export function layoutOf(choice: MetaLayoutChoice, size: number): MetaLayout {
  return choice === 'auto' ? autoLayout(size) : choice;
}

/** The errno values the XDP helpers and kfuncs answer with (include/uapi/asm-generic/errno*.h, linux/errno.h). */
const ERRNO_NAMES: Readonly<Record<number, string>> = {
  1: 'EPERM',
  2: 'ENOENT',
  7: 'E2BIG',
  12: 'ENOMEM',
  13: 'EACCES',
  14: 'EFAULT',
  16: 'EBUSY',
  19: 'ENODEV',
  22: 'EINVAL',
  28: 'ENOSPC',
  34: 'ERANGE',
  61: 'ENODATA',
  95: 'EOPNOTSUPP',
  524: 'ENOTSUPP',
};

/** "-95 (-EOPNOTSUPP)" for a negative errno, or undefined for anything else. */
export function errnoText(n: number): string | undefined {
  if (n >= 0 || n < -4095) return undefined;
  const name = ERRNO_NAMES[-n];
  return `${n} (${name ? `-${name}` : 'an error'})`;
}

/** An enum xdp_rss_hash_type as stored, or -errno where the kfunc failed: "41 (L4_IPV4_UDP)", "-95 (-EOPNOTSUPP)". */
export function hashTypeText(n: number): string {
  return errnoText(n) ?? `${n >>> 0} (${rssTypeName(n >>> 0)})`;
}

const HINT_BITS: readonly [number, string][] = [
  [1, 'TS'],
  [2, 'RSS'],
  [4, 'VLAN_TAG'],
];

/**
 * Reads metadata as one of the structs, little-endian, keeping the fields that fit (the tc
 * example writes the first 16 bytes of the example's struct). `bytes` gives no fields.
 *
 * The example's struct (public/examples/xdp-metadata.bpf.s): rx_timestamp u64, rx_hash u32,
 * rx_hash_type s32 (or -errno), rx_queue_index u32, reserved u32.
 * The selftest's (tools/testing/selftests/bpf/xdp_metadata.h, newest): rx_timestamp u64 (or
 * rx_timestamp_err s32), xdp_timestamp u64, rx_hash u32, rx_hash_type u32 (or rx_hash_err s32),
 * rx_vlan_proto be16 + rx_vlan_tci u16 (or rx_vlan_tag_err s32), hint_valid u32 saying which
 * of each union holds.
 */
export function decodeMeta(meta: Uint8Array, layout: MetaLayout): MetaField[] {
  if (layout === 'bytes') return [];
  const v = new DataView(meta.buffer, meta.byteOffset, meta.byteLength);
  const out: MetaField[] = [];
  const fits = (offset: number, size: number) => offset + size <= meta.length;
  const add = (name: string, type: string, offset: number, size: number, value: () => string) => {
    if (fits(offset, size)) out.push({ name, type, offset, size, value: value() });
  };
  const timestamp = (offset: number) => () => {
    const ns = v.getBigUint64(offset, true);
    return ns === 0n ? '0 (no timestamp)' : ns.toString();
  };
  if (layout === 'example') {
    add('rx_timestamp', '__u64', 0, 8, timestamp(0));
    add('rx_hash', '__u32', 8, 4, () => hex32(v.getUint32(8, true)));
    add('rx_hash_type', '__s32', 12, 4, () => hashTypeText(v.getInt32(12, true)));
    add('rx_queue_index', '__u32', 16, 4, () => String(v.getUint32(16, true)));
    add('reserved', '__u32', 20, 4, () => String(v.getUint32(20, true)));
    return out;
  }
  // Without hint_valid (fewer than 32 bytes) every union is read as its first member.
  const hint = fits(28, 4) ? v.getUint32(28, true) : 0xffffffff;
  if (hint & 1) add('rx_timestamp', '__u64', 0, 8, timestamp(0));
  else add('rx_timestamp_err', '__s32', 0, 4, () => errnoText(v.getInt32(0, true)) ?? String(v.getInt32(0, true)));
  add('xdp_timestamp', '__u64', 8, 8, () => v.getBigUint64(8, true).toString());
  add('rx_hash', '__u32', 16, 4, () => hex32(v.getUint32(16, true)));
  if (hint & 2) add('rx_hash_type', '__u32', 20, 4, () => hashTypeText(v.getUint32(20, true)));
  else add('rx_hash_err', '__s32', 20, 4, () => errnoText(v.getInt32(20, true)) ?? String(v.getInt32(20, true)));
  if (hint & 4) {
    add('rx_vlan_proto', '__be16', 24, 2, () => `0x${v.getUint16(24, false).toString(16).padStart(4, '0')}`);
    add('rx_vlan_tci', '__u16', 26, 2, () => {
      const tci = v.getUint16(26, true);
      return `0x${tci.toString(16).padStart(4, '0')} (VLAN ${tci & 0xfff}, priority ${tci >> 13})`;
    });
  } else add('rx_vlan_tag_err', '__s32', 24, 4, () => errnoText(v.getInt32(24, true)) ?? String(v.getInt32(24, true)));
  add('hint_valid', '__u32', 28, 4, () => {
    const names = HINT_BITS.filter(([bit]) => hint & bit).map(([, n]) => n);
    return `${hint} (${names.length ? names.join(' | ') : 'none'})`;
  });
  return out;
}

export function hexBytes(b: Uint8Array, sep = ' '): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(sep);
}

/** "1.25 M", "830 k", "12": packets per second, compact. */
export function formatRate(pps: number): string {
  if (!Number.isFinite(pps) || pps <= 0) return '0';
  if (pps >= 1e6) return `${(pps / 1e6).toFixed(pps >= 1e7 ? 1 : 2)} M`;
  if (pps >= 1e4) return `${Math.round(pps / 1e3)} k`;
  return Math.round(pps).toLocaleString('en-US');
}

/** The packet in the program while debugging: "packet 3 of 64, queue 1". */
export function nicPositionText(nic: { readonly packet: number; readonly total: number }, queue?: number): string {
  return `packet ${nic.packet.toLocaleString('en-US')} of ${nic.total.toLocaleString('en-US')}${queue === undefined ? '' : `, queue ${queue}`}`;
}

/** Counter badges: one per action that happened, then where the packets went. */
export function counterBadges(c: NicCounters): { label: string; value: number; kind: string }[] {
  const out: { label: string; value: number; kind: string }[] = ACTIONS.filter((a) => c.actions[a] > 0 || a === 'XDP_PASS' || a === 'XDP_DROP').map((a) => ({ label: a, value: c.actions[a] ?? 0, kind: c.actions[a] ? actionShort(a) : 'quiet' }));
  out.push({ label: 'to AF_XDP', value: c.xsk, kind: 'xsk' }, { label: 'to devices', value: c.devices, kind: 'dev' }, { label: 'to CPUs', value: c.cpus, kind: 'cpu' });
  for (const [verdict, n] of Object.entries(c.tc)) out.push({ label: `tc ${verdict}`, value: n, kind: 'tc' });
  out.push({ label: 'redirect errors', value: c.redirectErrors, kind: c.redirectErrors ? 'error' : 'quiet' }, { label: 'faults', value: c.faults, kind: c.faults ? 'error' : 'quiet' });
  return out;
}
