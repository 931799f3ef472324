// XDP RX metadata kfuncs: only for XDP programs, only device-bound ones (the kernel refuses the
// load otherwise: run the differential with BPFP_KERNEL_XDP_DEV set to bind them), and their
// out-arguments are memory of the pointed-to size.

import { accept, reject, topic, type Case } from './build.ts';

const on = (section: string) => (name: string, body: string, expect: Case['expect'], note?: string, maps?: readonly string[]): Case => ({ name, section, body, expect, ...(note ? { note } : {}), ...(maps ? { maps } : {}) });
const xdp = on('xdp');
const tc = on('tc');
const TS = 'r2 = r10\nr2 += -8\ncall bpf_xdp_metadata_rx_timestamp\nr0 = 2\nexit';

export const XDP_METADATA = topic('xdp-metadata', [
  xdp('rx_timestamp into the stack', TS, accept),
  xdp('rx_hash into the stack', 'r2 = r10\nr2 += -4\nr3 = r10\nr3 += -8\ncall bpf_xdp_metadata_rx_hash\nr0 = 2\nexit', accept),
  xdp('rx_vlan_tag into the stack', 'r2 = r10\nr2 += -2\nr3 = r10\nr3 += -4\ncall bpf_xdp_metadata_rx_vlan_tag\nr0 = 2\nexit', accept),
  xdp('rx_timestamp into a 4-byte stack slot', 'r2 = r10\nr2 += -4\ncall bpf_xdp_metadata_rx_timestamp\nr0 = 2\nexit', reject('invalid read from stack R2 off=-4 size=8')),
  xdp('rx_timestamp with a NULL timestamp pointer', 'r2 = 0\ncall bpf_xdp_metadata_rx_timestamp\nr0 = 2\nexit', reject('Possibly NULL pointer passed to trusted arg1')),
  xdp('rx_timestamp with a stack pointer as ctx', `r1 = r10\nr1 += -16\n${TS}`, reject('arg#0 expected pointer to ctx, but got fp')),
  xdp('rx_hash without the rss type pointer', 'r2 = r10\nr2 += -4\ncall bpf_xdp_metadata_rx_hash\nr0 = 2\nexit', reject('variable ? access var_off=(0x0; 0xffffffffffffffff) disallowed'), 'an uninitialised pointer argument of a kfunc is not reported as !read_ok'),
  xdp('rx_hash into a map value', 'r6 = r1\nr1 = m ll\n*(u32 *)(r10 - 4) = 0\nr2 = r10\nr2 += -4\ncall bpf_map_lookup_elem\nif r0 == 0 goto out\nr1 = r6\nr2 = r0\nr3 = r0\nr3 += 4\ncall bpf_xdp_metadata_rx_hash\nout:\nr0 = 2\nexit', accept, undefined, ['m type=array key=4 value=8 max_entries=1']),
  xdp('rx_timestamp called from a subprogram', 'call f\nr0 = 2\nexit\nf:\nr2 = r10\nr2 += -8\ncall bpf_xdp_metadata_rx_timestamp\nexit', accept),
  xdp('rx_timestamp with a modified ctx', `r1 += 4\n${TS}`, reject('dereference of modified ctx ptr')),
  tc('rx_timestamp from tc', `${TS.replace('r0 = 2', 'r0 = 0')}`, reject('metadata kfuncs require device-bound program')),
]);
