// Field offsets of the running kernel's structures, from /sys/kernel/btf/vmlinux: the kernel
// side of a differential resolves `STRUCT.FIELD` with them, as CO-RE relocations would, because
// the playground's kernel-internal structures (task_struct, cgroup, …) are compact stand-ins
// whose offsets are not the real kernel's. Members of anonymous structs and unions count as
// members of the enclosing struct, as in C.

import { readFileSync } from 'node:fs';
import { extraBytes, KIND, VMLINUX_BTF } from '../cpumask/vmlinux-btf.ts';

interface Member {
  readonly name: string;
  readonly type: number;
  /** Bit offset in the struct. */
  readonly bits: number;
}

export interface VmlinuxFields {
  /** Byte offset of `field` in `struct name`, or undefined (no such struct or field, or a bitfield). */
  readonly offset: (struct: string, field: string) => number | undefined;
  /** The size of `struct name` in bytes, or undefined. */
  readonly structSize: (struct: string) => number | undefined;
  /** The names of the BTF type tags the kernel carries (`rcu`, `user`, …: none when built without them, as with gcc). */
  readonly typeTags: ReadonlySet<string>;
}

/** Parses a BTF blob's structs and unions; throws when it is not BTF this reader understands. */
export function parseFields(blob: Uint8Array): VmlinuxFields {
  const dv = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  if (blob.length < 24 || dv.getUint16(0, true) !== 0xeb9f) throw new Error('not little-endian BTF (bad magic)');
  const hdrLen = dv.getUint32(4, true);
  const typeOff = hdrLen + dv.getUint32(8, true);
  const typeLen = dv.getUint32(12, true);
  const strOff = hdrLen + dv.getUint32(16, true);
  const strLen = dv.getUint32(20, true);
  const decoder = new TextDecoder();
  const nameAt = (off: number): string => {
    const start = strOff + off;
    let end = start;
    while (end < strOff + strLen && blob[end] !== 0) end++;
    return decoder.decode(blob.subarray(start, end));
  };
  /** Per type id: the members, when a struct or union. */
  const composites = new Map<number, Member[]>();
  const byName = new Map<string, number>();
  const sizes = new Map<number, number>();
  const typeTags = new Set<string>();
  let id = 0;
  for (let at = typeOff; at < typeOff + typeLen; ) {
    id++;
    const nameOff = dv.getUint32(at, true);
    const info = dv.getUint32(at + 4, true);
    const kind = (info >>> 24) & 0x1f;
    const kflag = info >>> 31;
    const vlen = info & 0xffff;
    const extra = extraBytes(kind, vlen);
    if (extra === undefined) throw new Error(`type ${id} has unknown kind ${kind}`);
    if (kind === KIND.TYPE_TAG && nameOff !== 0) typeTags.add(nameAt(nameOff));
    if (kind === KIND.STRUCT || kind === KIND.UNION) {
      sizes.set(id, dv.getUint32(at + 8, true));
      const members: Member[] = [];
      for (let i = 0; i < vlen; i++) {
        const m = at + 12 + i * 12;
        const raw = dv.getUint32(m + 8, true);
        // With kflag, the offset's low 24 bits are the bit offset and the high 8 a bitfield size.
        members.push({ name: nameAt(dv.getUint32(m, true)), type: dv.getUint32(m + 4, true), bits: kflag ? raw & 0xffffff : raw });
      }
      composites.set(id, members);
      if (kind === KIND.STRUCT && nameOff !== 0) {
        const name = nameAt(nameOff);
        // The first of a name that has members (an empty one may come first).
        const known = byName.get(name);
        if (known === undefined || (vlen > 0 && composites.get(known)?.length === 0)) byName.set(name, id);
      }
    }
    at += 12 + extra;
  }
  const find = (type: number, field: string, depth: number): number | undefined => {
    for (const m of composites.get(type) ?? []) {
      if (m.name === field) return m.bits;
      if (m.name === '' && depth < 8) {
        const inner = find(m.type, field, depth + 1);
        if (inner !== undefined) return m.bits + inner;
      }
    }
    return undefined;
  };
  return {
    offset: (struct, field) => {
      const type = byName.get(struct);
      const bits = type === undefined ? undefined : find(type, field, 0);
      return bits === undefined || bits % 8 !== 0 ? undefined : bits / 8;
    },
    structSize: (struct) => {
      const type = byName.get(struct);
      return type === undefined ? undefined : sizes.get(type);
    },
    typeTags,
  };
}

let cached: VmlinuxFields | { unavailable: string } | undefined;

/** The running kernel's struct field offsets (read once), or why they cannot be read. */
export function vmlinuxFields(path = VMLINUX_BTF): VmlinuxFields | { unavailable: string } {
  if (cached && path === VMLINUX_BTF) return cached;
  let result: VmlinuxFields | { unavailable: string };
  try {
    result = parseFields(readFileSync(path));
  } catch (e) {
    result = { unavailable: `${path}: ${e instanceof Error ? e.message : String(e)}` };
  }
  if (path === VMLINUX_BTF) cached = result;
  return result;
}
