// Every helper the simulated kernel knows: prototypes (for the verifier and editors) and
// implementations, by id and by name.

import type { HelperDecl } from '../decls.ts';
import type { CallImpl } from '../services.ts';
import { BASIC_HELPER_DECLS, BASIC_HELPERS } from './basic.ts';
import { HELPER_IDS } from './ids.ts';
import { MAP_HELPER_DECLS, MAP_HELPERS } from './map-helpers.ts';
import { PACKET_HELPER_DECLS, PACKET_HELPERS } from './packet.ts';

export const HELPER_DECLS: readonly HelperDecl[] = [...BASIC_HELPER_DECLS, ...MAP_HELPER_DECLS, ...PACKET_HELPER_DECLS].sort((a, b) => a.id - b.id);

const IMPLS: Readonly<Record<string, CallImpl>> = { ...BASIC_HELPERS, ...MAP_HELPERS, ...PACKET_HELPERS };

const byId = new Map(HELPER_DECLS.map((d) => [d.id, d]));

export function helperDeclById(id: number): HelperDecl | undefined {
  return byId.get(id);
}

export function helperDeclByName(name: string): HelperDecl | undefined {
  const id = HELPER_IDS[name];
  return id === undefined ? undefined : byId.get(id);
}

export function helperImpl(name: string): CallImpl | undefined {
  return IMPLS[name];
}
