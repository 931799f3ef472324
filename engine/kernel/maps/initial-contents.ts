// The initial-contents contract shared by the UI, `bpfp test-run --maps` and share links:
//   { "MAPNAME": [ { "key": "HEX", "value": "HEX" }, ... ] }
// Keys are hex bytes (spaces allowed) or, for 4- and 8-byte keys, a decimal number (little-
// endian, so arrays take an index). Per-CPU maps take one "value" for every CPU or "values"
// (or a "value" list) with one per CPU; prog_array values are section names; devmap, cpumap and
// xskmap values may be a number (ifindex, qsize, queue id). Every problem names the map, the
// entry and what is wrong.

import type { MapDecl } from '../../program/program.ts';
import { isZero, leBytes, parseHex } from './hex.ts';
import type { BpfMap, InitialEntry } from './types.ts';

export interface ParsedContents {
  readonly entries: ReadonlyMap<BpfMap, readonly InitialEntry[]>;
  readonly errors: readonly string[];
}

const PERCPU = new Set(['percpu_array', 'percpu_hash', 'lru_percpu_hash']);
const NUMBER_VALUES = new Set(['devmap', 'devmap_hash', 'cpumap', 'xskmap']);

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** Bytes of a key or value given as hex text or (when `numberSize` allows) a number. */
function bytesOf(x: unknown, size: number, what: string, numberSize: boolean): Uint8Array | string {
  if (typeof x === 'number') {
    if (!numberSize) return `${what} must be hex bytes ("0a 00 00 00"), not a number`;
    const max = size >= 8 ? Number.MAX_SAFE_INTEGER : 2 ** (size * 8) - 1;
    if (!Number.isInteger(x) || x < 0 || x > max) return `${what} ${x} is not an integer from 0 to ${max}`;
    return leBytes(x, size);
  }
  if (typeof x !== 'string') return `${what} must be hex bytes as a string${numberSize ? ' or a number' : ''}`;
  const bytes = parseHex(x);
  if (!bytes) return `${what} '${x}' is not hex bytes`;
  if (bytes.length !== size) return `${what} has ${bytes.length} byte${bytes.length === 1 ? '' : 's'}, the map's are ${size}`;
  return bytes;
}

function valuesOf(decl: MapDecl, e: Record<string, unknown>, nrCpus: number): Uint8Array[] | string {
  const raw = e['values'] ?? e['value'];
  if (raw === undefined) return 'missing "value"';
  const size = decl.valueSize;
  const numbers = NUMBER_VALUES.has(decl.type);
  if (!PERCPU.has(decl.type)) {
    if (Array.isArray(raw)) return `"value" is a list, but ${decl.type} maps have one value per key`;
    // A number is the first u32 (ifindex, qsize, queue id); hex gives the whole value.
    const v = typeof raw === 'number' && numbers ? bytesOf(raw, 4, 'the value', true) : bytesOf(raw, size, 'the value', numbers);
    if (typeof v === 'string') return v;
    const full = new Uint8Array(size);
    full.set(v);
    return [full];
  }
  const list = Array.isArray(raw) ? raw : undefined;
  if (list && list.length > nrCpus) return `${list.length} per-CPU values for ${nrCpus} CPU${nrCpus === 1 ? '' : 's'}`;
  // One value for every CPU, and zeros for the CPUs a list leaves out, are one shared buffer each:
  // 4,096 CPUs of a 32 KiB value would otherwise be 128 MiB before the map is even asked.
  const one = list ? undefined : bytesOf(raw, size, 'the value', false);
  if (typeof one === 'string') return one;
  const zero = new Uint8Array(size);
  const out: Uint8Array[] = [];
  for (let cpu = 0; cpu < nrCpus; cpu++) {
    if (one) {
      out.push(one);
      continue;
    }
    const item: unknown = list?.[cpu];
    if (item === undefined) {
      out.push(zero);
      continue;
    }
    const v = bytesOf(item, size, `the value for CPU ${cpu}`, false);
    if (typeof v === 'string') return v;
    out.push(v);
  }
  return out;
}

/** Problems reported one by one before the rest are counted in one line. */
export const MAX_CONTENT_ERRORS = 100;

/** Collects problems, keeping the first MAX_CONTENT_ERRORS and counting the rest. */
class ErrorList {
  readonly kept: string[] = [];
  private more = 0;
  push(message: string): number {
    if (this.kept.length < MAX_CONTENT_ERRORS) this.kept.push(message);
    else this.more++;
    return this.kept.length;
  }
  done(): string[] {
    return this.more ? [...this.kept, `… and ${this.more.toLocaleString('en-US')} more problems like these`] : this.kept;
  }
}

export function parseContents(contents: unknown, maps: readonly BpfMap[], nrCpus: number): ParsedContents {
  const entries = new Map<BpfMap, InitialEntry[]>();
  const errors = new ErrorList();
  if (contents === undefined || contents === null) return { entries, errors: [] };
  if (!isRecord(contents)) return { entries, errors: ['initial map contents must be an object: { "MAPNAME": [ { "key": "HEX", "value": "HEX" } ] }'] };
  // By name in a Map: a map called "__proto__" or "constructor" is found like any other.
  const byName = new Map<string, BpfMap>();
  for (const m of maps) if (!byName.has(m.name)) byName.set(m.name, m);
  const declared = maps.length ? `${maps.slice(0, 20).map((m) => `'${m.name}'`).join(', ')}${maps.length > 20 ? ` and ${maps.length - 20} more` : ''}` : 'no maps';
  // Object.keys lists an own "__proto__" key (JSON.parse makes one) like any other key.
  for (const name of Object.keys(contents)) {
    const list = contents[name];
    const map = byName.get(name);
    if (!map) {
      errors.push(`unknown map '${name}' (the program declares ${declared})`);
      continue;
    }
    if (!Array.isArray(list)) {
      errors.push(`map '${name}': expected a list of { "key": …, "value": … } entries`);
      continue;
    }
    const decl = map.decl;
    if (decl.type === 'ringbuf') {
      // A ring buffer's entries are records already submitted and not yet read by user space:
      // { "value": HEX } each, the sample, in order; no key.
      const records: InitialEntry[] = [];
      list.forEach((e: unknown, i) => {
        const where = `map '${name}' record ${i}`;
        if (!isRecord(e) || typeof e['value'] !== 'string') return errors.push(`${where}: a ring buffer record is { "value": "HEX" }, its sample (unread by user space)`);
        if (e['key'] !== undefined && e['key'] !== '') return errors.push(`${where}: a ring buffer record has no key`);
        const sample = parseHex(e['value']);
        if (!sample) return errors.push(`${where}: the value '${e['value'].slice(0, 40)}' is not hex bytes`);
        return records.push({ where, key: new Uint8Array(0), values: [sample] });
      });
      entries.set(map, records);
      continue;
    }
    const parsed: InitialEntry[] = [];
    const seen = new Set<string>();
    list.forEach((e: unknown, i) => {
      const where = `map '${name}' entry ${i}`;
      if (!isRecord(e)) return errors.push(`${where}: expected { "key": …, "value": … }`);
      if (e['key'] === undefined) return errors.push(`${where}: missing "key"`);
      const key = bytesOf(e['key'], decl.keySize, 'the key', decl.keySize === 4 || decl.keySize === 8);
      if (typeof key === 'string') return errors.push(`${where}: ${key}`);
      const keyText = Array.from(key, (b) => b.toString(16).padStart(2, '0')).join('');
      if (seen.has(keyText)) return errors.push(`${where}: key ${keyText} appears twice`);
      seen.add(keyText);
      if (decl.type === 'prog_array') {
        const prog = e['value'];
        if (typeof prog !== 'string' || !prog) return errors.push(`${where}: a prog_array value is the section name of a program, e.g. "xdp/next"`);
        return parsed.push({ where, key, values: [], prog });
      }
      const values = valuesOf(decl, e, nrCpus);
      if (typeof values === 'string') return errors.push(`${where}: ${values}`);
      for (const k of decl.kptrs) {
        if (values.some((v) => !isZero(v.subarray(k.offset, k.offset + 8)))) {
          return errors.push(`${where}: the kptr at offset ${k.offset} must be NULL (zero bytes); only bpf_kptr_xchg stores kptrs`);
        }
      }
      return parsed.push({ where, key, values });
    });
    entries.set(map, parsed);
  }
  return { entries, errors: errors.done() };
}

/**
 * A key as a person types it to find an entry: hex bytes, or (for 4- and 8-byte keys, so an
 * array takes an index) a decimal number. The bytes, or what is wrong with the text.
 */
export function parseKey(decl: MapDecl, text: string): Uint8Array | string {
  const t = text.trim();
  const numeric = decl.keySize === 4 || decl.keySize === 8;
  if (numeric && /^\d+$/.test(t)) return bytesOf(Number(t), decl.keySize, 'the key', true);
  return bytesOf(t, decl.keySize, 'the key', numeric);
}
