// kfunc names and the BTF ids programs call them by, derived from the declarations: the
// assembler resolves `call bpf_cpumask_create` through KFUNC_IDS, the kernel looks a call's id
// up with kfuncDecl.

import type { KfuncDecl } from '../decls.ts';
import { dictionary } from '../../util/dictionary.ts';
import { KFUNC_DECLS } from './decls.ts';

/** Prototype-less: user text (`call constructor`) is looked up here. */
export const KFUNC_IDS: Readonly<Record<string, number>> = dictionary(Object.fromEntries(KFUNC_DECLS.map((d) => [d.name, d.id])));

const byId = new Map<number, KfuncDecl>(KFUNC_DECLS.map((d) => [d.id, d]));
const byName = new Map<string, KfuncDecl>(KFUNC_DECLS.map((d) => [d.name, d]));

export function kfuncDecl(id: number): KfuncDecl | undefined {
  return byId.get(id);
}

export function kfuncByName(name: string): KfuncDecl | undefined {
  return byName.get(name);
}
