// The emulated NIC end to end, through the worker's Session: each XDP verdict carried out, each
// driver profile as the metadata kfuncs see it, -ENODATA where the hardware had nothing,
// redirects (devmap to a veth whose program gets no hardware metadata, cpumap, xskmap), the
// AF_XDP consumer's view, XDP_PASS into a tc program reading data_meta, the xdp_metadata
// selftest's program, device-bound refusals, and the debugger stepping from packet to packet.

import { describe, expect, it } from 'vitest';
import { ERRNO } from '../../kernel/services.ts';
import { readPcap } from '../../net/pcap.ts';
import { buildFrame } from '../../net/packet/build.ts';
import { writePcap } from '../../net/pcap.ts';
import { example, fixture, nicLoad, nicRun, s32, u32, u64, udpTraffic } from './nic-harness.ts';

const returning = (r0: number) => `.section xdp\n        r0 = ${r0}\n        exit\n`;

describe('verdicts', () => {
  it('XDP_ABORTED and XDP_DROP drop the frame, counted by action', () => {
    for (const [r0, action] of [[0, 'XDP_ABORTED'], [1, 'XDP_DROP']] as const) {
      const { report } = nicRun(returning(r0), { traffic: udpTraffic() });
      expect(report.counters.actions[action]).toBe(8);
      expect(report.packets.every((p) => p.action === action && p.fate.kind === 'dropped')).toBe(true);
    }
  });

  it('XDP_PASS hands the frame to the stack and XDP_TX sends it back out', () => {
    const pass = nicRun(returning(2), { traffic: udpTraffic() }).report;
    expect(pass.counters.actions.XDP_PASS).toBe(8);
    expect(pass.packets[0]?.fate).toEqual({ kind: 'passed' });
    const tx = nicRun(returning(3), { traffic: udpTraffic() }).report;
    expect(tx.counters.actions.XDP_TX).toBe(8);
    expect(tx.packets[0]?.fate).toEqual({ kind: 'transmitted' });
  });

  it('XDP_REDIRECT without bpf_redirect or bpf_redirect_map fails and drops the frame', () => {
    const { report } = nicRun(returning(4), { traffic: udpTraffic() });
    expect(report.counters.actions.XDP_REDIRECT).toBe(8);
    expect(report.counters.redirectErrors).toBe(8);
    expect(report.packets[0]?.fate.kind).toBe('dropped');
  });

  it('an illegal return value drops the frame and warns once, as bpf_warn_invalid_xdp_action', () => {
    const { report } = nicRun(returning(7), { traffic: udpTraffic() });
    expect(report.counters.actions.ILLEGAL).toBe(8);
    expect(report.packets[0]).toMatchObject({ action: 'ILLEGAL', retval: 7, fate: { kind: 'dropped' } });
    expect(report.warnings.filter((w) => /Illegal XDP return value 7/.test(w))).toHaveLength(1);
  });

  it('bpf_redirect to veth0 runs the xdp/peer program on veth1, and to lo fails (no ndo_xdp_xmit)', () => {
    const src = `.section xdp
        r1 = IFINDEX
        r2 = 0
        call bpf_redirect
        exit
.section xdp/peer
        r0 = 1
        exit
`;
    const veth = nicRun(src.replace('IFINDEX', '3'), { traffic: udpTraffic() }).report;
    expect(veth.counters.devices).toBe(8);
    expect(veth.packets[0]?.fate).toEqual({ kind: 'device', ifindex: 3, name: 'veth0', peerAction: 'XDP_DROP' });
    const lo = nicRun(src.replace('IFINDEX', '1'), { traffic: udpTraffic() }).report;
    expect(lo.counters.redirectErrors).toBe(8);
    expect(lo.packets[0]?.fate).toMatchObject({ kind: 'dropped', reason: expect.stringMatching(/EOPNOTSUPP/) });
  });

  it('bpf_redirect_map into a cpumap makes an skb on that CPU', () => {
    const src = `.section xdp
.map cpus type=cpumap key=4 value=4 max_entries=4
        r1 = cpus ll
        r2 = 1
        r3 = 1
        call bpf_redirect_map
        exit
`;
    const { report } = nicRun(src, { traffic: udpTraffic(), maps: { cpus: [{ key: 1, value: 2048 }] } });
    expect(report.counters.cpus).toBe(8);
    expect(report.packets[0]?.fate).toEqual({ kind: 'cpu', cpu: 1 });
  });
});

/** Runs the metadata example with a driver and returns the AF_XDP views and summaries. */
function metadataRun(driver: string, extraNic: Record<string, unknown> = {}, flow: Record<string, unknown> = {}) {
  const { session, report } = nicRun(example('xdp-metadata.bpf.s'), { traffic: udpTraffic({ nic: { driver, ...extraNic } }, flow) });
  const detail = session.packetDetail(0);
  if (!detail) throw new Error('packet 0 not kept');
  return { report, detail };
}

describe('driver profiles', () => {
  it('"full": the timestamp of the virtual clock and the Toeplitz hash reach the AF_XDP consumer', () => {
    const { report, detail } = metadataRun('full');
    expect(report.counters.xsk).toBe(8);
    const meta = detail.xsk?.metadata;
    if (!meta) throw new Error('no AF_XDP view');
    expect(meta.length).toBe(24);
    // 1 s after boot, then 1 µs per packet at 1 Mpps.
    expect(u64(meta, 0)).toBe(1_000_000_000n);
    expect(report.packets[1]?.rxTimestamp).toBe('1000001000');
    expect(u32(meta, 8)).toBe(detail.summary.rxHash);
    expect(detail.summary.rxHash).not.toBe(0);
    expect(u32(meta, 12)).toBe(41); // XDP_RSS_TYPE_L4_IPV4_UDP
    expect(detail.xsk?.addr).toBe('0x100');
  });

  it('"hash-only": rx_timestamp gives -EOPNOTSUPP, the hash is there', () => {
    const { detail } = metadataRun('hash-only');
    const meta = detail.xsk?.metadata ?? new Uint8Array(0);
    expect(u64(meta, 0)).toBe(0n);
    expect(detail.summary.rxTimestamp).toBeNull();
    expect(u32(meta, 8)).toBe(detail.summary.rxHash);
    expect(u32(meta, 8)).not.toBe(0);
  });

  it('"none": both kfuncs give -EOPNOTSUPP, as the generic kernel stubs do', () => {
    const { detail } = metadataRun('none');
    const meta = detail.xsk?.metadata ?? new Uint8Array(0);
    expect(u64(meta, 0)).toBe(0n);
    expect(u32(meta, 8)).toBe(0);
    expect(s32(meta, 12)).toBe(-ERRNO.EOPNOTSUPP);
    expect(detail.summary.rxHash).toBeNull();
  });

  it('-ENODATA per packet: no timestamp outside PTP under the "ptp" filter, no hash for a frame RSS cannot hash', () => {
    const ptp = metadataRun('full', { timestamps: 'ptp' });
    expect(ptp.detail.summary.rxTimestamp).toBeNull();
    expect(u64(ptp.detail.xsk?.metadata ?? new Uint8Array(8), 0)).toBe(0n);
    const ptpEvent = metadataRun('full', { timestamps: 'ptp' }, { dport: 319 });
    expect(ptpEvent.report.packets[0]?.rxTimestamp).toBe('1000000000');

    // An ARP frame: not IP, so RSS has no tuple and rx_hash answers -ENODATA.
    const arp = buildFrame({ eth: { src: '02:00:00:00:00:01', dst: 'ff:ff:ff:ff:ff:ff', type: 0x0806 }, payload: new Uint8Array(28) });
    const src = `.section xdp
.license "GPL"
        r6 = r1
        r1 = r6
        r2 = r10
        r2 += -8
        r3 = r10
        r3 += -16
        call bpf_xdp_metadata_rx_hash
        r0 = -r0
        exit
`;
    const { report } = nicRun(src, { pcap: writePcap([{ tsNs: 5_000, data: arp }]) });
    expect(report.packets[0]?.retval).toBe(ERRNO.ENODATA);
    expect(report.packets[0]?.rxHash).toBeNull();
  });
});

describe('redirects and the loss of hardware metadata', () => {
  it("a frame redirected through a devmap to veth0 keeps its custom metadata, but veth1's program gets -ENODATA from the kfuncs", () => {
    const src = `.section xdp
.license "GPL"
.map ports type=devmap key=4 value=4 max_entries=1
        r6 = r1
        r1 = r6
        r2 = -8
        call bpf_xdp_adjust_meta
        r2 = *(u32 *)(r6 + xdp_md.data_meta)
        r3 = *(u32 *)(r6 + xdp_md.data)
        r4 = r2
        r4 += 8
        if r4 > r3 goto out
        r1 = 0x5a5a5a5a
        *(u64 *)(r2 + 0) = r1                   # a marker in the custom metadata
        r1 = ports ll
        r2 = 0
        r3 = 0
        call bpf_redirect_map
        exit
out:
        r0 = 0
        exit

.section xdp/peer
        r6 = r1
        r2 = *(u32 *)(r6 + xdp_md.data_meta)
        r3 = *(u32 *)(r6 + xdp_md.data)
        r4 = r2
        r4 += 8
        if r4 > r3 goto aborted                 # the metadata did not come along
        r7 = *(u32 *)(r2 + 0)
        if r7 != 0x5a5a5a5a goto aborted
        r1 = r6
        r2 = r10
        r2 += -8
        call bpf_xdp_metadata_rx_timestamp
        if r0 != -61 goto aborted               # -ENODATA: veth has no hardware timestamp
        r0 = 3                                  # XDP_TX: everything as expected
        exit
aborted:
        r0 = 0
        exit
`;
    const { report } = nicRun(src, { traffic: udpTraffic(), maps: { ports: [{ key: 0, value: 3 }] } });
    expect(report.counters.devices).toBe(8);
    expect(report.packets[0]?.fate).toEqual({ kind: 'device', ifindex: 3, name: 'veth0', peerAction: 'XDP_TX' });
  });

  it('an XSKMAP slot bound to another queue refuses the frame', () => {
    const src = `.section xdp
.map xsk type=xskmap key=4 value=4 max_entries=4
        r1 = xsk ll
        r2 = 0
        r3 = 0
        call bpf_redirect_map
        exit
`;
    const { report } = nicRun(src, { traffic: udpTraffic({ queues: 2, nic: { indirection: [1] } }) });
    expect(report.packets[0]?.queue).toBe(1);
    expect(report.counters.redirectErrors).toBe(8);
    expect(report.packets[0]?.fate).toMatchObject({ kind: 'dropped', reason: expect.stringMatching(/bound to queue 0.*queue 1/) });
  });
});

describe('XDP_PASS to tc', () => {
  it('the tc program reads the XDP metadata through __sk_buff->data_meta', () => {
    const { session, report } = nicRun(example('xdp-to-tc-metadata.bpf.s'), { traffic: udpTraffic() });
    expect(report.counters.actions.XDP_PASS).toBe(8);
    expect(report.counters.tc.TC_ACT_OK).toBe(8);
    const d = session.packetDetail(0);
    const tc = d?.tc;
    if (!tc) throw new Error('no tc view');
    expect(tc.dataMeta.length).toBe(16);
    expect(u64(tc.dataMeta, 0)).toBe(1_000_000_000n);
    expect(u32(tc.dataMeta, 8)).toBe(d.summary.rxHash);
    expect(d.trace.length).toBeGreaterThan(0);
  });
});

describe('a cpumap to tc', () => {
  // The tc program returns skb->hash and tc reads hwtstamp: what the skb carries of the driver's hints.
  const SRC = `.section xdp
.map cpus type=cpumap key=4 value=4 max_entries=4
        r1 = cpus ll
        r2 = 1
        r3 = 2
        call bpf_redirect_map
        exit
.section tc
        r2 = *(u32 *)(r1 + __sk_buff.hash)
        r3 = *(u64 *)(r1 + __sk_buff.hwtstamp)
        r2 |= r3
        r0 = 0
        if r2 == 0 goto out
        r0 = 2
out:
        exit
`;

  it('builds the skb from the xdp_frame: no RX hash, no hardware timestamp (__xdp_build_skb_from_frame)', () => {
    const { report } = nicRun(SRC, { traffic: udpTraffic(), maps: { cpus: [{ key: 1, value: 2048 }] } });
    expect(report.counters.cpus).toBe(8);
    expect(report.counters.tc).toEqual({ TC_ACT_OK: 8 });
    // XDP_PASS on the receiving CPU keeps them: the same tc program sees both.
    const pass = nicRun(SRC.replace(/r1 = cpus ll[\s\S]*?call bpf_redirect_map\n/, 'r0 = 2\n'), { traffic: udpTraffic(), maps: { cpus: [] } });
    expect(pass.report.counters.tc).toEqual({ TC_ACT_SHOT: 8 });
  });
});

describe('the xdp_metadata selftest program (kernel-facts.md §4.9)', () => {
  const traffic = udpTraffic({ xsk: { metadata_size: 32 } }, { vlan: 59 });

  it('rx stores timestamp, hash, hash type and VLAN tag, and the AF_XDP consumer reads them', () => {
    const { session, report } = nicRun(fixture('xdp_metadata.bpf.s'), { traffic, section: 'xdp' });
    expect(report.deviceBound).toBe(true);
    expect(report.counters.xsk).toBe(8);
    for (let i = 0; i < 8; i++) {
      const d = session.packetDetail(i);
      const meta = d?.xsk?.metadata;
      if (!d || !meta) throw new Error(`packet ${i}: no AF_XDP view`);
      expect(meta.length).toBe(32);
      expect(u64(meta, 0)).not.toBe(0n); // rx_timestamp
      expect(u64(meta, 0)).toBe(BigInt(d.summary.rxTimestamp ?? -1));
      expect(u32(meta, 16)).not.toBe(0); // rx_hash
      expect(u32(meta, 16)).toBe(d.summary.rxHash);
      expect(u32(meta, 20) & 8).toBe(8); // rx_hash_type & XDP_RSS_L4
      expect((meta[24] ?? 0) << 8 | (meta[25] ?? 0)).toBe(0x8100); // rx_vlan_proto == htons(ETH_P_8021Q)
      expect(((meta[26] ?? 0) | ((meta[27] ?? 0) << 8)) & 0xfff).toBe(59); // rx_vlan_tci
      expect(u32(meta, 28)).toBe(7); // hint_valid: TS | RSS | VLAN_TAG
      // The consumer's packet is the frame as the program left it, after the NIC stripped the tag.
      expect(d.xsk?.packet.length).toBe(60);
      // The fate names the socket's queue and the descriptor's addr (made when the summary is read).
      expect(d.summary.fate).toEqual({ kind: 'xsk', queue: d.xsk?.queue, addr: d.xsk?.addr });
      expect(report.packets[i]).toEqual(d.summary);
    }
  });

  it('an untagged frame gets -ENODATA from rx_vlan_tag', () => {
    const { session } = nicRun(fixture('xdp_metadata.bpf.s'), { traffic: udpTraffic({ xsk: { metadata_size: 32 } }), section: 'xdp' });
    const meta = session.packetDetail(0)?.xsk?.metadata ?? new Uint8Array(32);
    expect(s32(meta, 24)).toBe(-ERRNO.ENODATA);
    expect(u32(meta, 28)).toBe(3);
  });

  it('the linux-6.3 profile refuses rx_vlan_tag, which came in 6.10', () => {
    const r = nicLoad(fixture('xdp_metadata.bpf.s'), { traffic, profile: 'linux-6.3' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.join('\n')).toMatch(/bpf_xdp_metadata_rx_vlan_tag/);
  });

  it('a device-bound program cannot go into a prog_array', () => {
    const r = nicLoad(fixture('xdp_metadata.bpf.s'), { traffic, maps: { prog_arr: [{ key: 0, value: 'xdp' }] } });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.join('\n')).toMatch(/cannot go into a prog_array/);
  });

  it('the redirect program, bound too, loads and redirects through its devmap', () => {
    const { report } = nicRun(fixture('xdp_metadata.bpf.s'), { traffic, section: 'xdp/redirect', maps: { dev_map: [{ key: 0, value: 4 }] } });
    expect(report.counters.devices).toBe(8);
  });
});

describe('debugging on the NIC', () => {
  it('continue runs packet after packet to a breakpoint; step at the exit loads the next frame', () => {
    const l = nicLoad(returning(2), { traffic: udpTraffic() });
    if (!l.ok) throw new Error(l.errors.join('; '));
    const s = l.session;
    let snap = s.snapshot();
    expect(snap.nic).toMatchObject({ packet: 0, total: 8 });
    snap = s.step();
    snap = s.step();
    expect(snap.status).toBe('exited');
    snap = s.step();
    expect(snap.nic?.packet).toBe(1);
    expect(snap.pc).toBe(0);
    snap = s.continue([1]);
    expect(snap.status).toBe('breakpoint');
    expect(snap.nic?.packet).toBe(1);
    snap = s.continue([1]);
    expect(snap.status).toBe('breakpoint');
    expect(snap.nic?.packet).toBe(2);
    expect(snap.nic?.counters.received).toBe(3);
    snap = s.continue([]);
    expect(snap.status).toBe('exited');
    expect(snap.nic?.counters.received).toBe(8);
  });
});

describe('pcap export', () => {
  it('exports the received frames and each fate, with the arrival timestamps', () => {
    const { session } = nicRun(example('xdp-metadata.bpf.s'), { traffic: { ...udpTraffic(), flows: [...(udpTraffic().flows as object[]), { proto: 'tcp', src: '10.0.0.3', dst: '10.0.0.2', sport: 1, dport: 80, size: 100, weight: 1 }] } });
    const received = readPcap(session.exportPcap('received'));
    const redirected = readPcap(session.exportPcap('redirected'));
    const passed = readPcap(session.exportPcap('passed'));
    if (!received.ok || !redirected.ok || !passed.ok) throw new Error('unreadable export');
    expect(received.frames).toHaveLength(8);
    expect(redirected.frames.length + passed.frames.length).toBe(8);
    expect(redirected.frames.length).toBeGreaterThan(0);
    expect(passed.frames.length).toBeGreaterThan(0);
    expect(received.frames[1]?.tsNs).toBe(1_000_001_000);
  });
});
