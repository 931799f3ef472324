import { describe, expect, it } from 'vitest';
import { trafficSetup } from './nic-session.ts';
import { Session } from './session.ts';

const FLOW = { proto: 'udp', src: '10.0.0.1', dst: '10.0.0.2', sport: 1, dport: 2 };
const XDP_PASS = Uint8Array.from([0xb7, 0, 0, 0, 2, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0]);

function session(traffic: unknown): { session: Session; loaded: ReturnType<Session['load']> } {
  const s = new Session();
  const image = { sections: [{ name: 'xdp', progType: 'xdp' as const, bytecode: XDP_PASS }], entry: 'xdp', maps: [] };
  return { session: s, loaded: s.load(image, { isa: 4, profile: 'linux-6.18', cpus: 8, maxInsns: 1000, traffic }) };
}

describe('loading a traffic profile', () => {
  it('an indirection table that is not a power of two is refused with the field, not an internal error', () => {
    const { loaded } = session({ queues: 2, flows: [FLOW], nic: { indirection: [0, 1, 0] } });
    expect(loaded).toEqual({
      ok: false,
      problems: [{ pc: 0, stage: 'context', message: "traffic profile: nic.indirection must have a power of two of entries (1, 2, 4, … 65,536): the NIC picks an entry with the hash's low bits; this one has 3" }],
    });
  });

  it('a power-of-two table loads and runs', () => {
    const { session: s, loaded } = session({ queues: 2, packets: 8, flows: [FLOW], nic: { indirection: [0, 1, 1, 0] } });
    expect(loaded).toMatchObject({ ok: true });
    expect(s.runTraffic().counters.received).toBe(8);
  });

  it.each(Object.getOwnPropertyNames(Object.prototype))('%s as a key at every level loads with warnings', (name) => {
    const json = JSON.parse(JSON.stringify({ [name]: 1, flows: [{ ...FLOW, [name]: 1 }], nic: { [name]: 1 } })) as unknown;
    const setup = trafficSetup(json, undefined);
    expect(setup.ok && setup.setup.warnings.length).toBe(3);
    expect(session(json).loaded).toMatchObject({ ok: true });
  });
});

describe('exportPcap over the worker boundary', () => {
  const ran = () => {
    const { session: s } = session({ packets: 4, flows: [FLOW] });
    s.runTraffic();
    return s;
  };
  const rule = 'the packets to save must be "received", "passed", "transmitted", "redirected" or "dropped", not ';

  it.each<[string, unknown, string]>([
    ...Object.getOwnPropertyNames(Object.prototype).map((n): [string, unknown, string] => [n, n, JSON.stringify(n)]),
    ['an unknown name', 'everything', '"everything"'],
    ['a number', 3, '3'],
    ['null', null, 'null'],
    ['an object', { which: 'received' }, 'an object'],
  ])('%s is refused with a message naming the choices', (_, which, shown) => {
    const s = ran();
    expect(() => s.exportPcap(which as never)).toThrow(new Error(`${rule}${shown}`));
  });

  it('each selection gives a capture', () => {
    const s = ran();
    expect(s.exportPcap('received').length).toBe(24 + 4 * (16 + 64));
    expect(s.exportPcap('passed').length).toBe(24 + 4 * (16 + 64));
    expect(s.exportPcap('dropped').length).toBe(24);
  });
});
