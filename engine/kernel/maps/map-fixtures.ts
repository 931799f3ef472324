// A small world for map and map-helper tests: guest memory, an object table whose puts act as
// the kptr dtor, and a MapSet built from short declarations. Only tests import this.

import type { KptrField, MapDecl, MapType } from '../../program/program.ts';
import { GuestMemory } from '../../vm/index.ts';
import { ObjectTable } from '../objects.ts';
import { MapSet } from './map-set.ts';

export interface MapFixture {
  readonly mem: GuestMemory;
  readonly objects: ObjectTable;
  readonly maps: MapSet;
  /** Pointers handed to the dtor, with the map that dropped them. */
  readonly dropped: { ptr: bigint; map: string }[];
  /** The CPU the "program" runs on; tests change it. */
  cpu: number;
}

/** `.map NAME type=… key=… value=… max_entries=…` as a declaration. */
export function mapDecl(name: string, type: MapType, keySize: number, valueSize: number, maxEntries: number, extra: { flags?: number; kptrs?: KptrField[] } = {}): MapDecl {
  return { name, type, keySize, valueSize, maxEntries, flags: extra.flags ?? 0, kptrs: extra.kptrs ?? [], line: 1 };
}

export function mapFixture(decls: readonly MapDecl[], nrCpus = 2, memoryBudget?: number): MapFixture {
  const mem = new GuestMemory();
  const objects = new ObjectTable(mem, false);
  const dropped: { ptr: bigint; map: string }[] = [];
  const fixture: { -readonly [K in keyof MapFixture]: MapFixture[K] } = { mem, objects, dropped, cpu: 0, maps: undefined as unknown as MapSet };
  fixture.maps = new MapSet(mem, decls, {
    nrCpus,
    cpu: () => fixture.cpu,
    dropKptr: (ptr, map) => {
      dropped.push({ ptr, map });
      const obj = objects.at(Number(ptr & 0xffffffffn) | 0, Number(ptr >> 32n) | 0);
      if (obj && obj.state === 'live') objects.put(obj);
    },
    describeKptr: (ptr) => objects.at(Number(ptr & 0xffffffffn) | 0, Number(ptr >> 32n) | 0)?.label,
    ...(memoryBudget === undefined ? {} : { memoryBudget }),
  });
  return fixture;
}

/** A u32 key (little-endian). */
export function u32(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n >>> 0, true);
  return b;
}

/** Arena offset of a guest pointer. */
export function offsetOf(mem: GuestMemory, ptr: bigint): number {
  return mem.offsetOf(Number(ptr & 0xffffffffn) | 0, Number(ptr >> 32n) | 0);
}

/** `size` bytes at a guest pointer (read-only or not), straight from the arena. */
export function bytesAt(mem: GuestMemory, ptr: bigint, size: number): Uint8Array {
  const off = offsetOf(mem, ptr);
  return mem.bytes.slice(off, off + size);
}
