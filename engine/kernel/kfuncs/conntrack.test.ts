// The conntrack kfuncs: alloc → set timeout/status → insert → lookup → release, lookup misses
// and the opts->error codes, the ___init strictness in both directions, the per-profile
// bpf_ct_opts sizes, and the status/timeout rules.

import { describe, expect, it } from 'vitest';
import { IPPROTO_TCP, IPPROTO_UDP, IPS, NF_CONN } from '../conntrack.ts';
import { KERNEL_PROFILES } from '../profiles.ts';
import { testKernel, type TestKernel } from './test-kernel.ts';

const neg = (e: number): bigint => BigInt.asUintN(64, BigInt(-e));

/** A bpf_sock_tuple for 10.0.0.1:sport → 10.0.0.2:dport (ports in network order). */
function ipv4Tuple(sport = 1234, dport = 80, swap = false): Uint8Array {
  const b = new Uint8Array(12);
  const dv = new DataView(b.buffer);
  const [sa, da, sp, dp] = swap ? [[10, 0, 0, 2], [10, 0, 0, 1], dport, sport] : [[10, 0, 0, 1], [10, 0, 0, 2], sport, dport];
  b.set(sa as number[], 0);
  b.set(da as number[], 4);
  dv.setUint16(8, sp as number, false);
  dv.setUint16(10, dp as number, false);
  return b;
}

interface OptsSpec {
  readonly netns?: number;
  readonly proto?: number;
  readonly zone?: number;
  readonly reserved?: number;
}

function opts(o: OptsSpec = {}): Uint8Array {
  const b = new Uint8Array(16);
  const dv = new DataView(b.buffer);
  dv.setInt32(0, o.netns ?? -1, true);
  b[8] = o.proto ?? IPPROTO_TCP;
  dv.setUint16(10, o.zone ?? 0, true);
  b[13] = o.reserved ?? 0;
  return b;
}

/** Runs an alloc/lookup kfunc; returns r0, opts->error and opts->dir. */
function ct(t: TestKernel, name: string, tuple: Uint8Array | null, o: Uint8Array | null, tupleSz?: number, optsSz?: number) {
  const tp = tuple ? t.region(tuple, 'stack').ptr : 0n;
  const op = o ? t.region(o, 'stack') : undefined;
  const ctx = t.region(24).ptr;
  const r0 = t.ok(name, ctx, tp, BigInt(tupleSz ?? tuple?.length ?? 0), op?.ptr ?? 0n, BigInt(optsSz ?? (t.k.profile === 'linux-6.3' ? 12 : 16)));
  const at = op?.region.start ?? 0;
  return { r0, error: op ? t.mem.dv.getInt32(at + 4, true) : undefined, dir: op ? t.mem.bytes[at + 9] : undefined, zoneDir: op ? t.mem.bytes[at + 12] : undefined };
}

function statusOf(t: TestKernel, ptr: bigint): number {
  return Number(t.mem.dv.getBigUint64(t.object(ptr)!.region.start + NF_CONN.status, true));
}

describe.each(KERNEL_PROFILES)('conntrack kfuncs (%s)', (profile) => {
  it('alloc gives NULL and -ENOMEM in opts->error once the scenario says memory has run short', () => {
    const t = testKernel({ profile, progType: 'xdp', failAllocationsAfter: 0 });
    const { r0, error } = ct(t, 'bpf_xdp_ct_alloc', ipv4Tuple(), opts());
    expect(r0).toBe(0n);
    expect(error).toBe(-12);
    expect(t.objects.heldReferences()).toEqual([]);
  });

  it('alloc → set_timeout → set_status → insert → lookup (both directions) → release', () => {
    const t = testKernel({ profile, progType: 'xdp' });
    const { r0: init, error } = ct(t, 'bpf_xdp_ct_alloc', ipv4Tuple(), opts());
    expect(error).toBe(0);
    const obj = t.object(init)!;
    expect(obj.type).toBe('nf_conn___init');
    expect(t.objects.refcount(obj)).toBe(1);
    expect(t.mem.dv.getUint32(obj.region.start + NF_CONN.timeout, true)).toBe(10_000);
    expect(t.ok('bpf_ct_set_timeout', init, 30_000n)).toBe(0n);
    expect(t.mem.dv.getUint32(obj.region.start + NF_CONN.timeout, true)).toBe(30_000);
    expect(t.ok('bpf_ct_set_status', init, BigInt(IPS.SEEN_REPLY | IPS.ASSURED))).toBe(0n);

    const nfct = t.ok('bpf_ct_insert_entry', init);
    expect(nfct).toBe(init);
    expect(obj.type).toBe('nf_conn');
    expect(obj.label).toContain('tcp 10.0.0.1:1234 → 10.0.0.2:80');
    expect(statusOf(t, nfct)).toBe(IPS.CONFIRMED | IPS.SEEN_REPLY | IPS.ASSURED);
    expect(t.objects.refcount(obj)).toBe(2); // the table's and the program's
    expect(t.objects.heldReferences().map((r) => r.via)).toEqual(['bpf_ct_insert_entry']);

    const orig = ct(t, 'bpf_xdp_ct_lookup', ipv4Tuple(), opts());
    expect(orig).toMatchObject({ r0: nfct, error: 0, dir: 0 });
    const reply = ct(t, 'bpf_xdp_ct_lookup', ipv4Tuple(1234, 80, true), opts());
    expect(reply).toMatchObject({ r0: nfct, dir: 1 });
    expect(t.objects.refcount(obj)).toBe(4);

    for (let i = 0; i < 3; i++) expect(t.ok('bpf_ct_release', nfct)).toBe(0n);
    expect(t.objects.refcount(obj)).toBe(1);
    expect(t.objects.heldReferences()).toHaveLength(0);
    expect(t.fault('bpf_ct_release', nfct)).toContain('release kernel function bpf_ct_release expects refcounted PTR_TO_BTF_ID');
  });

  it('a lookup miss is NULL with -ENOENT in opts->error', () => {
    const t = testKernel({ profile, progType: 'tc' });
    expect(ct(t, 'bpf_skb_ct_lookup', ipv4Tuple(), opts())).toMatchObject({ r0: 0n, error: -2 });
    expect(ct(t, 'bpf_skb_ct_lookup', ipv4Tuple(), opts({ proto: IPPROTO_UDP }))).toMatchObject({ r0: 0n, error: -2 });
  });

  it('reports tuple and opts problems in opts->error', () => {
    const t = testKernel({ profile, progType: 'xdp' });
    for (const name of ['bpf_xdp_ct_alloc', 'bpf_xdp_ct_lookup']) {
      expect(ct(t, name, new Uint8Array(8), opts(), 8)).toMatchObject({ r0: 0n, error: -97 });
      expect(ct(t, name, ipv4Tuple(), opts(), undefined, 8)).toMatchObject({ r0: 0n, error: -22 });
      expect(ct(t, name, null, opts())).toMatchObject({ r0: 0n, error: -22 });
      expect(ct(t, name, ipv4Tuple(), opts({ proto: 1 }))).toMatchObject({ r0: 0n, error: -71 });
      expect(ct(t, name, ipv4Tuple(), opts({ netns: -2 }))).toMatchObject({ r0: 0n, error: -22 });
      expect(ct(t, name, ipv4Tuple(), opts({ netns: 0 }))).toMatchObject({ r0: 0n, error: -64 });
      expect(ct(t, name, ipv4Tuple(), null)).toMatchObject({ r0: 0n, error: undefined });
    }
    // Lookup checks the protocol before netns_id; alloc checks netns_id first.
    expect(ct(t, 'bpf_xdp_ct_lookup', ipv4Tuple(), opts({ proto: 1, netns: -2 })).error).toBe(-71);
    expect(ct(t, 'bpf_xdp_ct_alloc', ipv4Tuple(), opts({ proto: 1, netns: -2 })).error).toBe(-22);
    expect(t.objects.heldReferences()).toHaveLength(0);
  });

  it('keeps nf_conn___init and nf_conn apart (___init strict type matching)', () => {
    const t = testKernel({ profile, progType: 'xdp' });
    const init = ct(t, 'bpf_xdp_ct_alloc', ipv4Tuple(), opts()).r0;
    expect(t.fault('bpf_ct_release', init)).toBe('pc 0: kernel function bpf_ct_release args#0 expected pointer to STRUCT nf_conn but R1 has a pointer to STRUCT nf_conn___init');
    expect(t.fault('bpf_ct_change_timeout', init, 1n)).toContain('expected pointer to STRUCT nf_conn but R1 has a pointer to STRUCT nf_conn___init');
    expect(t.fault('bpf_ct_change_status', init, 0n)).toContain('expected pointer to STRUCT nf_conn but R1 has a pointer to STRUCT nf_conn___init');
    const nfct = t.ok('bpf_ct_insert_entry', init);
    expect(t.fault('bpf_ct_insert_entry', nfct)).toBe('pc 0: kernel function bpf_ct_insert_entry args#0 expected pointer to STRUCT nf_conn___init but R1 has a pointer to STRUCT nf_conn');
    expect(t.fault('bpf_ct_set_timeout', nfct, 1n)).toContain('expected pointer to STRUCT nf_conn___init but R1 has a pointer to STRUCT nf_conn');
    expect(t.fault('bpf_ct_set_status', nfct, 0n)).toContain('expected pointer to STRUCT nf_conn___init but R1 has a pointer to STRUCT nf_conn');
    expect(t.fault('bpf_ct_release', 0n)).toContain('NULL pointer passed to trusted arg0');
  });

  it('inserting a tuple already tracked fails, frees the allocation and drops its reference', () => {
    const t = testKernel({ profile, progType: 'xdp' });
    t.ok('bpf_ct_insert_entry', ct(t, 'bpf_xdp_ct_alloc', ipv4Tuple(), opts()).r0);
    // The same connection seen from the other side is the same entry.
    const dup = ct(t, 'bpf_xdp_ct_alloc', ipv4Tuple(1234, 80, true), opts()).r0;
    expect(t.ok('bpf_ct_insert_entry', dup)).toBe(0n);
    expect(t.object(dup)?.state).toBe(profile === 'linux-6.3' ? 'freed' : 'rcu-free');
    expect(t.objects.heldReferences().map((r) => r.via)).toEqual(['bpf_ct_insert_entry']);
    t.objects.endGracePeriod();
    expect(t.fault('bpf_ct_set_timeout', dup, 5n)).toContain('use-after-free');
  });

  it('insert wants a reference the program holds', () => {
    const t = testKernel({ profile, progType: 'xdp' });
    const init = ct(t, 'bpf_xdp_ct_alloc', ipv4Tuple(), opts()).r0;
    t.objects.clearHeld();
    expect(t.fault('bpf_ct_insert_entry', init)).toContain('release kernel function bpf_ct_insert_entry expects refcounted PTR_TO_BTF_ID');
  });

  it('change_timeout honours IPS_FIXED_TIMEOUT and IPS_DYING', () => {
    const t = testKernel({ profile, progType: 'xdp', conntrack: [{ proto: 'tcp', src: '10.0.0.1', dst: '10.0.0.2', sport: 1234, dport: 80 }] });
    const nfct = ct(t, 'bpf_xdp_ct_lookup', ipv4Tuple(), opts()).r0;
    expect(t.ok('bpf_ct_change_timeout', nfct, 5000n)).toBe(0n);
    expect(t.mem.dv.getUint32(t.object(nfct)!.region.start + NF_CONN.timeout, true)).toBe(5000);
    expect(t.ok('bpf_ct_change_status', nfct, BigInt(statusOf(t, nfct) | IPS.FIXED_TIMEOUT))).toBe(0n);
    expect(t.ok('bpf_ct_change_timeout', nfct, 1n)).toBe(neg(1));
    const at = t.object(nfct)!.region.start + NF_CONN.status;
    t.mem.dv.setBigUint64(at, BigInt(IPS.CONFIRMED | IPS.DYING), true);
    expect(t.ok('bpf_ct_change_timeout', nfct, 7n)).toBe(neg(62));
    expect(t.mem.dv.getUint32(t.object(nfct)!.region.start + NF_CONN.timeout, true)).toBe(7);
  });

  it('status changes: EXPECTED/CONFIRMED/DYING fixed, SEEN_REPLY/ASSURED set-only, managed bits ignored', () => {
    const t = testKernel({ profile, progType: 'tc' });
    const init = ct(t, 'bpf_skb_ct_alloc', ipv4Tuple(), opts()).r0;
    expect(t.ok('bpf_ct_set_status', init, BigInt(IPS.CONFIRMED))).toBe(neg(16));
    expect(t.ok('bpf_ct_set_status', init, BigInt(IPS.ASSURED | 0x10 | 0x2000 | 0x10000))).toBe(0n);
    // SRC_NAT (0x10) is managed by the kernel and bit 16 is past __IPS_MAX_BIT: only ASSURED and HELPER stick.
    expect(statusOf(t, init)).toBe(IPS.ASSURED | 0x2000);
    const nfct = t.ok('bpf_ct_insert_entry', init);
    expect(t.ok('bpf_ct_change_status', nfct, BigInt(IPS.CONFIRMED | 0x2000))).toBe(neg(16));
    expect(t.ok('bpf_ct_change_status', nfct, BigInt(IPS.CONFIRMED | IPS.ASSURED | 0x2000 | IPS.SEEN_REPLY))).toBe(0n);
    expect(statusOf(t, nfct)).toBe(IPS.CONFIRMED | IPS.ASSURED | IPS.SEEN_REPLY | 0x2000);
  });

  it('wants a context and readable tuple/opts memory', () => {
    const t = testKernel({ profile, progType: 'xdp' });
    expect(t.fault('bpf_xdp_ct_lookup', 0n, 0n, 12n, 0n, 16n)).toContain('arg#0 must be the program context');
    const ctx = t.region(24).ptr;
    expect(t.fault('bpf_xdp_ct_lookup', ctx, t.region(4).ptr, 12n, 0n, 16n)).toContain('arg#1 (bpf_tuple) is not readable memory of tuple__sz = 12 bytes');
    expect(t.fault('bpf_xdp_ct_lookup', ctx, t.region(12).ptr, 12n, t.region(6).ptr, 16n)).toContain('arg#3 (opts) is not writable memory of 16 bytes');
  });
});

describe('bpf_ct_opts sizes per profile', () => {
  it('6.18 takes 16-byte opts with ct_zone_id, or 12-byte opts without', () => {
    const t = testKernel({ profile: 'linux-6.18', progType: 'xdp' });
    const a = ct(t, 'bpf_xdp_ct_alloc', ipv4Tuple(), opts({ zone: 7 }));
    expect(a.zoneDir).toBe(3); // NF_CT_DEFAULT_ZONE_DIR written back
    t.ok('bpf_ct_insert_entry', a.r0);
    expect(ct(t, 'bpf_xdp_ct_lookup', ipv4Tuple(), opts({ zone: 7 })).r0).toBe(a.r0);
    expect(ct(t, 'bpf_xdp_ct_lookup', ipv4Tuple(), opts()).error).toBe(-2);
    expect(ct(t, 'bpf_xdp_ct_lookup', ipv4Tuple(), opts({ zone: 7 }), undefined, 12).error).toBe(-22);
    expect(ct(t, 'bpf_xdp_ct_lookup', ipv4Tuple(), opts({ reserved: 1 })).error).toBe(-22);
    expect(ct(t, 'bpf_xdp_ct_lookup', ipv4Tuple(), opts(), undefined, 12).error).toBe(-2);
  });

  it('6.3 takes only 12-byte opts whose two reserved bytes are zero', () => {
    const t = testKernel({ profile: 'linux-6.3', progType: 'xdp' });
    expect(ct(t, 'bpf_xdp_ct_lookup', ipv4Tuple(), opts(), undefined, 16).error).toBe(-22);
    expect(ct(t, 'bpf_xdp_ct_lookup', ipv4Tuple(), opts({ zone: 1 }), undefined, 12).error).toBe(-22);
    expect(ct(t, 'bpf_xdp_ct_lookup', ipv4Tuple(), opts(), undefined, 12).error).toBe(-2);
  });

  it('finds a seeded IPv6 connection with a 36-byte tuple', () => {
    const t = testKernel({ profile: 'linux-6.18', progType: 'tc', conntrack: [{ proto: 'udp', src: 'fd00::1', dst: 'fd00::2', sport: 53, dport: 5353 }] });
    const b = new Uint8Array(36);
    const dv = new DataView(b.buffer);
    b[0] = 0xfd;
    b[15] = 1;
    b[16] = 0xfd;
    b[31] = 2;
    dv.setUint16(32, 53, false);
    dv.setUint16(34, 5353, false);
    const r = ct(t, 'bpf_skb_ct_lookup', b, opts({ proto: IPPROTO_UDP }));
    expect(r.error).toBe(0);
    expect(t.object(r.r0)?.label).toContain('udp [fd00:0:0:0:0:0:0:1]:53 → [fd00:0:0:0:0:0:0:2]:5353');
    expect(statusOf(t, r.r0)).toBe(IPS.CONFIRMED | IPS.SEEN_REPLY | IPS.ASSURED);
    expect(ct(t, 'bpf_skb_ct_lookup', b, opts({ proto: IPPROTO_TCP })).error).toBe(-2);
  });
});
