// bpf_xdp_adjust_meta, bpf_xdp_adjust_head and bpf_xdp_adjust_tail: each error the kernel
// returns (net/core/filter.c), each limit, under the profile whose limit differs — run as
// BPF_PROG_TEST_RUN runs them: a 64-byte frame, 256 bytes of headroom (40 of them
// struct xdp_frame's), a 4,096-byte frame with 320 bytes of skb_shared_info at its end.
// engine/test/xdp-kernel.test.ts checks the same limits against Linux itself.

import { describe, expect, it } from 'vitest';
import { ERRNO } from '../../kernel/services.ts';
import type { KernelProfile } from '../../kernel/profiles.ts';
import { simReport } from '../sim.ts';

const FRAME = Uint8Array.from({ length: 64 }, (_, i) => i);

/** The helper's return value for `delta` (as a signed 32-bit retval). */
function call(helper: string, delta: number, profile: KernelProfile = 'linux-6.18', before = ''): number {
  const src = `.section xdp
        r6 = r1
${before}
        r1 = r6
        r2 = ${delta}
        call ${helper}
        exit
`;
  return simReport(src, { data: FRAME, profile }).retval | 0;
}

/** data_out after the helper and a write of 0xab at the start of the metadata (if any) and 0xcd at data. */
function after(helper: string, delta: number, pre = ''): Uint8Array {
  const src = `.section xdp
        r6 = r1
${pre}
        r1 = r6
        r2 = ${delta}
        call ${helper}
        r2 = *(u32 *)(r6 + xdp_md.data_meta)
        r3 = *(u32 *)(r6 + xdp_md.data)
        r4 = r2
        r4 += 1
        if r4 > r3 goto data
        *(u8 *)(r2 + 0) = 0xab
data:
        r2 = *(u32 *)(r6 + xdp_md.data)
        r3 = *(u32 *)(r6 + xdp_md.data_end)
        r4 = r2
        r4 += 1
        if r4 > r3 goto out
        *(u8 *)(r2 + 0) = 0xcd
out:
        r0 = 2
        exit
`;
  return simReport(src, { data: FRAME }).dataOut ?? new Uint8Array(0);
}

describe('bpf_xdp_adjust_meta', () => {
  it('grows the metadata by a multiple of 4 and shrinks it back', () => {
    expect(call('bpf_xdp_adjust_meta', -4)).toBe(0);
    expect(call('bpf_xdp_adjust_meta', -32)).toBe(0);
    expect(call('bpf_xdp_adjust_meta', 8, 'linux-6.18', '        r1 = r6\n        r2 = -8\n        call bpf_xdp_adjust_meta')).toBe(0);
    const out = after('bpf_xdp_adjust_meta', -8);
    expect(out.length).toBe(72); // 8 bytes of metadata in front of the 64-byte frame
    expect(out[0]).toBe(0xab);
    expect(out[8]).toBe(0xcd);
  });

  it('-EACCES for a length that is not a multiple of 4', () => {
    expect(call('bpf_xdp_adjust_meta', -2)).toBe(-ERRNO.EACCES);
    expect(call('bpf_xdp_adjust_meta', -1)).toBe(-ERRNO.EACCES);
  });

  it('-EACCES above 32 bytes in linux-6.3; up to 255 (skb_shared_info.meta_len is a u8) in linux-6.18', () => {
    expect(call('bpf_xdp_adjust_meta', -32, 'linux-6.3')).toBe(0);
    expect(call('bpf_xdp_adjust_meta', -36, 'linux-6.3')).toBe(-ERRNO.EACCES);
    expect(call('bpf_xdp_adjust_meta', -36, 'linux-6.18')).toBe(0);
    expect(call('bpf_xdp_adjust_meta', -216, 'linux-6.18')).toBe(0);
  });

  it('-EINVAL when the metadata would reach into struct xdp_frame (216 bytes of room) or past data', () => {
    expect(call('bpf_xdp_adjust_meta', -220)).toBe(-ERRNO.EINVAL);
    expect(call('bpf_xdp_adjust_meta', -256)).toBe(-ERRNO.EINVAL);
    expect(call('bpf_xdp_adjust_meta', 4)).toBe(-ERRNO.EINVAL);
  });
});

describe('bpf_xdp_adjust_head', () => {
  it('moves data back into the headroom (new bytes in front) and forward (bytes dropped)', () => {
    expect(call('bpf_xdp_adjust_head', -216)).toBe(0);
    const grown = after('bpf_xdp_adjust_head', -16);
    expect(grown.length).toBe(80);
    expect(grown[0]).toBe(0xcd);
    expect(grown.subarray(16)).toEqual(FRAME);
    const cut = after('bpf_xdp_adjust_head', 14);
    expect(cut.length).toBe(50);
    expect(cut[1]).toBe(FRAME[15]);
  });

  it('-EINVAL below struct xdp_frame plus the metadata, and when fewer than 14 bytes (ETH_HLEN) would remain', () => {
    expect(call('bpf_xdp_adjust_head', -217)).toBe(-ERRNO.EINVAL);
    // With 8 bytes of metadata the room shrinks by 8.
    expect(call('bpf_xdp_adjust_head', -212, 'linux-6.18', '        r1 = r6\n        r2 = -8\n        call bpf_xdp_adjust_meta')).toBe(-ERRNO.EINVAL);
    expect(call('bpf_xdp_adjust_head', -208, 'linux-6.18', '        r1 = r6\n        r2 = -8\n        call bpf_xdp_adjust_meta')).toBe(0);
    expect(call('bpf_xdp_adjust_head', 50)).toBe(0);
    expect(call('bpf_xdp_adjust_head', 51)).toBe(-ERRNO.EINVAL);
  });

  it('carries the metadata along', () => {
    const out = after('bpf_xdp_adjust_head', -20, '        r1 = r6\n        r2 = -4\n        call bpf_xdp_adjust_meta\n        r2 = *(u32 *)(r6 + xdp_md.data_meta)\n        r3 = *(u32 *)(r6 + xdp_md.data)\n        r4 = r2\n        r4 += 4\n        if r4 > r3 goto skip\n        *(u32 *)(r2 + 0) = 0x44332211\nskip:');
    // 4 bytes of metadata (the first rewritten to 0xab by after()), then 20 new bytes, then the frame.
    expect(out.length).toBe(4 + 20 + 64);
    expect(Array.from(out.subarray(1, 4))).toEqual([0x22, 0x33, 0x44]);
    expect(out[4]).toBe(0xcd);
  });
});

describe('bpf_xdp_adjust_tail', () => {
  it('grows the frame zero-filled up to the end of the 4,096-byte frame minus skb_shared_info, and shrinks it to 14 bytes', () => {
    expect(call('bpf_xdp_adjust_tail', 3520 - 64)).toBe(0);
    const grown = after('bpf_xdp_adjust_tail', 8);
    expect(grown.length).toBe(72);
    expect(Array.from(grown.subarray(64))).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    expect(call('bpf_xdp_adjust_tail', 14 - 64)).toBe(0);
  });

  it('-EINVAL past the frame end and below 14 bytes', () => {
    expect(call('bpf_xdp_adjust_tail', 3521 - 64)).toBe(-ERRNO.EINVAL);
    expect(call('bpf_xdp_adjust_tail', 13 - 64)).toBe(-ERRNO.EINVAL);
  });
});
