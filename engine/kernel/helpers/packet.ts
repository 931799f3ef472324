// The XDP packet-adjusting helpers. Their prototypes are here so the verifier and editors know
// them; their packet side belongs to the emulated NIC, which registers the implementation.

import type { HelperDecl } from '../decls.ts';
import type { CallImpl } from '../services.ts';
import { HELPER_IDS } from './ids.ts';

function decl(name: string): HelperDecl {
  const id = HELPER_IDS[name];
  if (id === undefined) throw new Error(`internal: no helper id for ${name}`);
  return { id, name, args: [{ name: 'xdp_md', type: 'ptr_to_ctx' }, { name: 'delta', type: 'anything' }], ret: 'integer', progTypes: ['xdp'], gplOnly: false };
}

export const PACKET_HELPER_DECLS: readonly HelperDecl[] = [decl('bpf_xdp_adjust_head'), decl('bpf_xdp_adjust_meta'), decl('bpf_xdp_adjust_tail')];

/** Filled in by the NIC (engine/net) when it builds an XDP context. */
export const PACKET_HELPERS: Record<string, CallImpl> = {};
