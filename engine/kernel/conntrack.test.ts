// The conntrack table on its own: addresses, seeds and their problems, the two directions of
// an entry, and what alloc and insert do to an object's type, label and references.

import { describe, expect, it } from 'vitest';
import { GuestMemory } from '../vm/index.ts';
import { ConntrackTable, IPPROTO_TCP, IPPROTO_UDP, IPS, NF_CONN, describeTuple, formatIp, parseAddress, type ConntrackTuple } from './conntrack.ts';
import { ObjectTable } from './objects.ts';

function table(seeds: ConstructorParameters<typeof ConntrackTable>[2] = [], rcuFree = true) {
  const mem = new GuestMemory();
  const objects = new ObjectTable(mem, rcuFree);
  return { mem, objects, ct: new ConntrackTable(objects, mem, seeds) };
}

const v4 = (s: string): Uint8Array => parseAddress(s) ?? new Uint8Array(0);

function tuple(o: Partial<ConntrackTuple> = {}): ConntrackTuple {
  return { proto: IPPROTO_TCP, zone: 0, src: v4('192.168.1.10'), dst: v4('192.168.1.20'), sport: 40000, dport: 443, ...o };
}

describe('parseAddress', () => {
  it('reads IPv4 and IPv6, and refuses anything else', () => {
    expect([...(parseAddress('10.0.0.1') ?? [])]).toEqual([10, 0, 0, 1]);
    expect(parseAddress('256.0.0.1')).toBeUndefined();
    expect([...(parseAddress('::1') ?? [])]).toEqual([...new Array<number>(15).fill(0), 1]);
    expect([...(parseAddress('fd00::2:1') ?? [])].slice(0, 2)).toEqual([0xfd, 0]);
    expect([...(parseAddress('1:2:3:4:5:6:7:8') ?? [])].slice(14)).toEqual([0, 8]);
    for (const bad of ['', '1.2.3', 'fd00:::1', '1::2::3', '1:2:3:4:5:6:7', '1:2:3:4:5:6:7:8:9', 'g::1', '1:2:3:4::5:6:7:8']) expect(parseAddress(bad), bad).toBeUndefined();
    expect(formatIp(v4('10.1.2.3'))).toBe('10.1.2.3');
    expect(formatIp(parseAddress('fd00::1') ?? new Uint8Array(16))).toBe('[fd00:0:0:0:0:0:0:1]');
  });
});

describe('ConntrackTable', () => {
  it('alloc gives an nf_conn___init with one reference, a 10 s timeout and the tuple in its fields', () => {
    const { ct, objects, mem } = table();
    const obj = ct.alloc(tuple(), 7);
    expect(obj.type).toBe('nf_conn___init');
    expect(obj.createdAt).toBe(7);
    expect(objects.refcount(obj)).toBe(1);
    const at = obj.region.start;
    expect(mem.dv.getUint32(at + NF_CONN.timeout, true)).toBe(10_000);
    expect(mem.dv.getUint8(at + NF_CONN.proto)).toBe(IPPROTO_TCP);
    expect([...mem.bytes.subarray(at + NF_CONN.src, at + NF_CONN.src + 4)]).toEqual([192, 168, 1, 10]);
    expect(mem.dv.getUint16(at + NF_CONN.dport, false)).toBe(443);
    expect(ct.lookup(tuple())).toBeUndefined();
    expect(ct.tupleOf(obj)).toEqual(tuple());
    // Only mark is writable by programs.
    const a = mem.addressOf(obj.region, NF_CONN.mark);
    expect(mem.write(a.lo, a.hi, new Uint8Array([1, 2, 3, 4]))).toBe(true);
    expect(mem.write(a.lo - 4, a.hi, new Uint8Array([1]))).toBe(false);
    expect(mem.write(a.lo + 4, a.hi, new Uint8Array([1]))).toBe(false);
  });

  it('insert confirms, retypes and indexes both directions with the table reference', () => {
    const { ct, objects, mem } = table();
    const obj = ct.alloc(tuple());
    expect(ct.insert(obj)).toBe(true);
    expect(obj.type).toBe('nf_conn');
    expect(obj.label).toBe(`nf_conn #${obj.id} (tcp 192.168.1.10:40000 → 192.168.1.20:443)`);
    expect(objects.refcount(obj)).toBe(2);
    expect(Number(mem.dv.getBigUint64(obj.region.start + NF_CONN.status, true))).toBe(IPS.CONFIRMED);
    expect(ct.lookup(tuple())).toEqual({ object: obj, dir: 0 });
    expect(ct.lookup(tuple({ src: v4('192.168.1.20'), dst: v4('192.168.1.10'), sport: 443, dport: 40000 }))).toEqual({ object: obj, dir: 1 });
    expect(ct.lookup(tuple({ zone: 1 }))).toBeUndefined();
    expect(ct.lookup(tuple({ proto: IPPROTO_UDP }))).toBeUndefined();
    expect(ct.insert(obj)).toBe(false);
    expect(ct.insert(ct.alloc(tuple()))).toBe(false);
    expect(ct.insert(ct.alloc(tuple({ zone: 1 })))).toBe(true);
    expect(ct.entries()).toHaveLength(2);
  });

  it('seeds established connections that only the table references', () => {
    const { ct, objects } = table([
      { proto: 'tcp', src: '10.0.0.1', dst: '10.0.0.2', sport: 1, dport: 2 },
      { proto: 'udp', src: 'fd00::1', dst: 'fd00::2', sport: 3, dport: 4, zone: 5, status: IPS.CONFIRMED, timeoutMs: 99, mark: 42 },
    ]);
    expect(ct.problems).toEqual([]);
    const [a, b] = ct.entries();
    expect(a && objects.refcount(a.object)).toBe(1);
    expect(b && describeTuple(b.tuple)).toBe('udp [fd00:0:0:0:0:0:0:1]:3 → [fd00:0:0:0:0:0:0:2]:4 zone 5');
    expect(objects.heldReferences()).toHaveLength(0);
  });

  it('reports seeds it cannot add', () => {
    const { ct } = table([
      { proto: 'tcp', src: '10.0.0.1', dst: 'nowhere', sport: 1, dport: 2 },
      { proto: 'tcp', src: '10.0.0.1', dst: 'fd00::1', sport: 1, dport: 2 },
      { proto: 'tcp', src: '10.0.0.1', dst: '10.0.0.2', sport: 70000, dport: 2 },
      { proto: 'tcp', src: '10.0.0.1', dst: '10.0.0.2', sport: 1, dport: 2 },
      { proto: 'tcp', src: '10.0.0.2', dst: '10.0.0.1', sport: 2, dport: 1 },
    ]);
    expect(ct.problems).toEqual([
      "conntrack[0]: 'nowhere' is not an IPv4 or IPv6 address",
      'conntrack[1]: source and destination must both be IPv4 or both IPv6',
      'conntrack[2]: ports must be whole numbers from 0 to 65535',
      'conntrack[4]: tcp 10.0.0.2:2 → 10.0.0.1:1 is already in the table',
    ]);
    expect(ct.entries()).toHaveLength(1);
  });
});
