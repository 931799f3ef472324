// Functions named in BTF: the program's own (static and global FUNCs, which func_info points
// at) and the kfuncs it calls (extern FUNCs that clang lists in the `.ksyms` DATASEC).

import type { Btf, BtfLinkage } from './btf.ts';
import { typeById } from './layout.ts';

export interface BtfFunction {
  readonly id: number;
  readonly name: string;
  readonly linkage: BtfLinkage;
  /** The FUNC_PROTO's type id. */
  readonly proto: number;
}

/** Static and global FUNCs, in type id order. */
export function functionNames(btf: Btf): BtfFunction[] {
  const out: BtfFunction[] = [];
  for (const t of btf.types) {
    if (t.kind === 'func' && t.linkage !== 'extern') out.push({ id: t.id, name: t.name, linkage: t.linkage, proto: t.type });
  }
  return out;
}

/** Extern FUNCs of the `.ksyms` DATASEC (declared with `__ksym`), in section order, each once. */
export function kfuncExterns(btf: Btf): BtfFunction[] {
  const out: BtfFunction[] = [];
  const seen = new Set<number>();
  for (const sec of btf.types) {
    if (sec.kind !== 'datasec' || sec.name !== '.ksyms') continue;
    for (const v of sec.vars) {
      const f = typeById(btf, v.type);
      if (f?.kind !== 'func' || f.linkage !== 'extern' || seen.has(f.id)) continue;
      seen.add(f.id);
      out.push({ id: f.id, name: f.name, linkage: f.linkage, proto: f.type });
    }
  }
  return out;
}
