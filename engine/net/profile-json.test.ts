import { describe, expect, it } from 'vitest';
import { checkTraffic, minRatePps, parseTrafficProfile } from './profile-json.ts';

const FLOW = { proto: 'udp', src: '10.0.0.1', dst: '10.0.0.2', sport: 1, dport: 2 };

describe('nic.indirection', () => {
  it.each([3, 7, 100, 129])('%i entries are refused by the checker, naming the field and the rule', (length) => {
    const traffic = { queues: 2, flows: [FLOW], nic: { indirection: Array.from({ length }, (_, i) => i % 2) } };
    expect(checkTraffic(traffic)).toMatchObject({
      ok: false,
      errors: [{ path: 'nic.indirection', message: `must have a power of two of entries (1, 2, 4, … 65,536): the NIC picks an entry with the hash's low bits; this one has ${length}` }],
    });
  });

  it.each([1, 2, 64, 256])('%i entries are accepted', (length) => {
    const traffic = { queues: 2, flows: [FLOW], nic: { indirection: Array.from({ length }, (_, i) => i % 2) } };
    expect(checkTraffic(traffic).ok).toBe(true);
    expect(parseTrafficProfile(traffic).ok).toBe(true);
  });
});

describe('rate_pps', () => {
  it('refuses a rate whose last packet would arrive past 2^53 ns, naming the field', () => {
    const r = checkTraffic({ packets: 64, rate_pps: 1e-300, flows: [FLOW] });
    expect(r).toMatchObject({ ok: false, errors: [{ path: 'rate_pps' }] });
    expect(!r.ok && r.errors[0]?.message).toBe(
      'must be at least 7.00e-6 packets per second for 64 packets: at 1e-300 the last packet would arrive at an infinite time, and the virtual clock counts whole nanoseconds below 2^53 (about 104 days)',
    );
  });

  it('takes the packet count into account (the default is 64)', () => {
    expect(minRatePps(10_000_000)).toBeCloseTo(1.11, 2);
    expect(checkTraffic({ packets: 10_000_000, rate_pps: 1, flows: [FLOW] })).toMatchObject({ ok: false, errors: [{ path: 'rate_pps' }] });
    expect(checkTraffic({ packets: 10_000_000, rate_pps: 2, flows: [FLOW] }).ok).toBe(true);
    expect(checkTraffic({ rate_pps: 1e-6, flows: [FLOW] })).toMatchObject({ ok: false, errors: [{ path: 'rate_pps' }] });
    expect(checkTraffic({ rate_pps: 1e-5, flows: [FLOW] }).ok).toBe(true);
    // One packet arrives at 1 s whatever the rate.
    expect(checkTraffic({ packets: 1, rate_pps: 1e-300, flows: [FLOW] }).ok).toBe(true);
  });

  it('keeps every timestamp of an accepted slow profile a whole number of ns', () => {
    const p = parseTrafficProfile({ packets: 64, rate_pps: 1e-5, flows: [FLOW] });
    expect(p.ok).toBe(true);
    if (!p.ok) return;
    const last = 1e9 + Math.round((63 * 1e9) / p.profile.ratePps);
    expect(Number.isSafeInteger(last)).toBe(true);
  });
});

describe('xsk.frames', () => {
  it('bounds the UMEM of every queue together', () => {
    expect(checkTraffic({ queues: 64, flows: [FLOW], xsk: { frames: 65_536, frame_size: 4096 } })).toMatchObject({
      ok: false,
      errors: [{ path: 'xsk.frames', message: "is too many for 64 queues: each queue's socket has a UMEM of frames × frame_size bytes, and together they must fit in 64 MiB, so at most 256 frames of 4,096 bytes" }],
    });
    expect(checkTraffic({ queues: 64, flows: [FLOW], xsk: { frames: 256, frame_size: 4096 } }).ok).toBe(true);
  });
});

describe('Object.prototype names as traffic profile keys', () => {
  it.each(Object.getOwnPropertyNames(Object.prototype))('%s is an unknown field at every level, warned about and ignored', (name) => {
    const json = JSON.parse(JSON.stringify({ [name]: 1, flows: [{ ...FLOW, [name]: 1 }], nic: { [name]: 1 }, xsk: { [name]: 1 } })) as unknown;
    const r = checkTraffic(json);
    expect(r.ok).toBe(true);
    expect(r.warnings.map((w) => w.path)).toEqual([name, `nic.${name}`, `xsk.${name}`, `flows[0].${name}`]);
    expect(parseTrafficProfile(json).ok).toBe(true);
  });
});
