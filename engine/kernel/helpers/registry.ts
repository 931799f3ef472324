// Every helper the simulated kernel knows: prototypes (for the verifier and editors) and
// implementations, by id and by name.

import type { HelperDecl } from '../decls.ts';
import type { CallImpl } from '../services.ts';
import { BASIC_HELPERS } from './basic.ts';
import { HELPER_IDS } from './ids.ts';
import { MAP_HELPERS } from './map-helpers.ts';
import { PACKET_HELPERS } from './packet.ts';
import { SOCKET_HELPERS } from './sockets.ts';
import { dictionary } from '../../util/dictionary.ts';
import { HELPER_DECLS, helperPrototype } from './prototypes.ts';

export { HELPER_DECLS };

const IMPLS: Readonly<Record<string, CallImpl>> = dictionary({ ...BASIC_HELPERS, ...MAP_HELPERS, ...PACKET_HELPERS, ...SOCKET_HELPERS });

export function helperDeclById(id: number): HelperDecl | undefined {
  return helperPrototype(id);
}

export function helperDeclByName(name: string): HelperDecl | undefined {
  const id = HELPER_IDS[name];
  return id === undefined ? undefined : helperPrototype(id);
}

export function helperImpl(name: string): CallImpl | undefined {
  return IMPLS[name];
}
