// XDP RX metadata kfuncs: only for XDP programs, only device-bound ones (the kernel refuses the
// load otherwise: run the differential with BPFP_KERNEL_XDP_DEV set to bind them), and their
// out-arguments are memory of the pointed-to size.

import { accept, reject, topic, type Case } from './build.ts';

const on = (section: string) => (name: string, body: string, expect: Case['expect'], note?: string): Case => ({ name, section, body, expect, ...(note ? { note } : {}) });
const xdp = on('xdp');
const tc = on('tc');
const TS = 'r2 = r10\nr2 += -8\ncall bpf_xdp_metadata_rx_timestamp\nr0 = 2\nexit';

export const XDP_METADATA = topic('xdp-metadata', [
  xdp('rx_timestamp into the stack', TS, accept),
  xdp('rx_hash into the stack', 'r2 = r10\nr2 += -4\nr3 = r10\nr3 += -8\ncall bpf_xdp_metadata_rx_hash\nr0 = 2\nexit', accept),
  xdp('rx_vlan_tag into the stack', 'r2 = r10\nr2 += -2\nr3 = r10\nr3 += -4\ncall bpf_xdp_metadata_rx_vlan_tag\nr0 = 2\nexit', accept),
  xdp('rx_timestamp into a 4-byte stack slot', 'r2 = r10\nr2 += -4\ncall bpf_xdp_metadata_rx_timestamp\nr0 = 2\nexit', reject('invalid')),
  xdp('rx_timestamp with a NULL timestamp pointer', 'r2 = 0\ncall bpf_xdp_metadata_rx_timestamp\nr0 = 2\nexit', reject('R2')),
  xdp('rx_timestamp with a stack pointer as ctx', `r1 = r10\nr1 += -16\n${TS}`, reject('R1')),
  xdp('rx_hash without the rss type pointer', 'r2 = r10\nr2 += -4\ncall bpf_xdp_metadata_rx_hash\nr0 = 2\nexit', reject('R3 !read_ok')),
  tc('rx_timestamp from tc', `${TS.replace('r0 = 2', 'r0 = 0')}`, reject('metadata kfuncs require device-bound program')),
]);
