// The XDP packet-adjusting helpers: their prototypes are in prototypes.ts; their packet side
// belongs to the emulated NIC, which registers the implementation here.

import type { CallImpl } from '../services.ts';

/** Filled in by the NIC (engine/net) when it builds an XDP context. */
export const PACKET_HELPERS: Record<string, CallImpl> = {};
