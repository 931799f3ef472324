// The skb a tc program gets when the scenario says how the stack built it (Scenario.skb:
// metadata in front, a non-linear head, a clone), and bpf_skb_pull_data on it: bytes pulled
// from the fragments, a head reallocated into new guest memory, stale packet pointers faulting.
// (The verifier corpus's stale read after the call: engine/test/kernel/skb-pull-data.test.ts.)

import { describe, expect, it } from 'vitest';
import { simLoad, simulate, simReport, type SimOptions } from '../test/sim.ts';
import { parseScenario } from './scenario.ts';

const TC = '.section tc\n.license "GPL"\n';
/** A 64-byte packet whose byte i is i + 1 (an IPv4 ethertype at 12..13 would not matter here). */
const PACKET = Uint8Array.from({ length: 64 }, (_, i) => i + 1);
const NEG = (e: number) => BigInt.asUintN(64, BigInt(-e));
const PKT = 'r2 = *(u32 *)(r1 + 76)\nr3 = *(u32 *)(r1 + 80)';
/** r7 = data (kept across the call), then bpf_skb_pull_data(skb, len) with its result in r8, then r2/r3 = the new data/data_end. */
const pull = (len: number) => `r6 = r1\n${PKT}\nr7 = r2\nr1 = r6\nr2 = ${len}\ncall bpf_skb_pull_data\nr8 = r0\nr1 = r6\n${PKT}`;

const run = (body: string, skb?: unknown, opts: SimOptions = {}) => simulate(TC + body, { data: PACKET, ...(skb === undefined ? {} : { scenario: { skb } }), ...opts });
const r0 = (body: string, skb?: unknown, opts: SimOptions = {}) => simReport(TC + body, { data: PACKET, ...(skb === undefined ? {} : { scenario: { skb } }), ...opts }).r0;
const stopped = (body: string, skb?: unknown, opts: SimOptions = {}) => {
  const r = run(body, skb, opts);
  return r.stage === 'run' ? r.error : `not stopped: ${r.stage}`;
};

describe('Scenario.skb: the skb a tc program gets', () => {
  it('meta: the bytes in front of the MAC header, read through data_meta', () => {
    const body = `r2 = *(u32 *)(r1 + 140)\nr3 = *(u32 *)(r1 + 76)\nr0 = r3\nr0 -= r2\nr4 = r2\nr4 += 4\nif r4 > r3 goto +2\nr5 = *(u32 *)(r2 + 0)\nr0 |= r5\nexit`;
    // Length 8 | the first metadata word (0x04030201, little-endian) ORed in: a check on both.
    expect(r0(body, { meta: '0102030405060708' })).toBe(0x04030201n | 8n);
    // Without the scenario, data_meta == data (BPF_PROG_TEST_RUN builds no metadata).
    expect(r0('r2 = *(u32 *)(r1 + 140)\nr3 = *(u32 *)(r1 + 76)\nr0 = r3\nr0 -= r2\nexit')).toBe(0n);
  });

  it('linear N: data..data_end is the head (N bytes), len the whole packet, data_out the whole packet', () => {
    const body = `${PKT}\nr0 = r3\nr0 -= r2\nr4 = *(u32 *)(r1 + 0)\nr4 <<= 16\nr0 |= r4\nexit`;
    const rep = simReport(TC + body, { data: PACKET, scenario: { skb: { linear: 14 } } });
    expect(rep.r0).toBe((64n << 16n) | 14n);
    expect(rep.dataOut).toEqual(PACKET);
    expect(r0(body)).toBe((64n << 16n) | 64n);
    // At or past the packet's length the skb is linear.
    expect(r0(body, { linear: 64 })).toBe((64n << 16n) | 64n);
    expect(r0(body, { linear: 100 })).toBe((64n << 16n) | 64n);
  });

  it('linear N: LD_ABS still reads past the head (bpf_skb_load_helper copies from the fragments)', () => {
    expect(r0('r6 = r1\nr0 = *(u8 *)skb[40]\nexit', { linear: 14 })).toBe(41n);
    expect(r0('r6 = r1\nr0 = *(u32 *)skb[12]\nexit', { linear: 14 })).toBe(0x0d0e0f10n);
  });

  it('r1 in words names the metadata, the head and the clone', () => {
    const l = simLoad(`${TC}r0 = 0\nexit`, { data: PACKET, scenario: { skb: { meta: '01020304', linear: 14, cloned: true } } });
    if (!l.ok) throw new Error(l.errors.join('; '));
    expect(l.program.context.describe).toBe(
      'r1 = struct __sk_buff * of a 64-byte packet (from its Ethernet header); 4 bytes of metadata in front (data_meta, as an XDP program that called bpf_xdp_adjust_meta left them); non-linear: 14 bytes in the head (data..data_end), 50 in page fragments (len counts them); cloned (its head shared with another skb)',
    );
  });

  it('meta longer than the profile keeps is refused when the context is built', () => {
    const r = run('r0 = 0\nexit', { meta: '00'.repeat(36) }, { profile: 'linux-6.3' });
    expect(r.stage === 'load' && r.errors.join('\n')).toContain('scenario: skb.meta is 36 bytes; linux-6.3 keeps at most 32 bytes of metadata');
    expect(run('r0 = 0\nexit', { meta: '00'.repeat(36) }).stage).toBe('done');
  });
});

describe('bpf_skb_pull_data (helper 39)', () => {
  it('within the head of a linear, uncloned skb: 0, nothing moves, an old pointer still reads', () => {
    // r0 = result | (new data == old data) << 8 | old pointer's byte << 16.
    const body = `${pull(20)}\nr0 = r8\nif r2 != r7 goto +1\nr0 |= 0x100\nr5 = *(u8 *)(r7 + 0)\nr5 <<= 16\nr0 |= r5\nexit`;
    expect(r0(body, { linear: 32 })).toBe(0x10100n);
    expect(r0(body)).toBe(0x10100n);
    // len 0: the head's bytes, already there.
    expect(r0(`${pull(0)}\nr0 = r8\nif r2 != r7 goto +1\nr0 |= 0x100\nexit`, { linear: 14 })).toBe(0x100n);
  });

  it('past the head: the bytes are pulled in, the head moves, the new pointers read the packet whole', () => {
    // data_end - data after the call, the byte at data + 39, len: 40, 40, 64.
    const body = `${pull(40)}\nr0 = r3\nr0 -= r2\nr4 = r2\nr4 += 40\nif r4 > r3 goto +3\nr5 = *(u8 *)(r2 + 39)\nr5 <<= 8\nr0 |= r5\nr5 = *(u32 *)(r6 + 0)\nr5 <<= 16\nr0 |= r5\nr8 <<= 32\nr0 |= r8\nexit`;
    for (const compile of [true, false]) {
      const rep = simReport(TC + body, { data: PACKET, scenario: { skb: { linear: 14 } }, compile });
      expect(rep.r0).toBe((64n << 16n) | (40n << 8n) | 40n);
      expect(rep.dataOut).toEqual(PACKET);
    }
    // Moved: the new data is another address.
    expect(r0(`${pull(40)}\nr0 = 0\nif r2 == r7 goto +1\nr0 = 1\nexit`, { linear: 14 })).toBe(1n);
    // Pulling everything makes the skb linear; a write through the new pointer reaches data_out.
    const write = simReport(`${TC}${pull(64)}\nr4 = r2\nr4 += 64\nif r4 > r3 goto +2\nr5 = 0xee\n*(u8 *)(r2 + 63) = r5\nr0 = r3\nr0 -= r2\nexit`, { data: PACKET, scenario: { skb: { linear: 14 } } });
    expect(write.r0).toBe(64n);
    expect(write.dataOut).toEqual(Uint8Array.from(PACKET, (b, i) => (i === 63 ? 0xee : b)));
  });

  it('the metadata moves with the head', () => {
    const body = `${pull(40)}\nr4 = *(u32 *)(r6 + 140)\nr0 = r2\nr0 -= r4\nr5 = r4\nr5 += 4\nif r5 > r2 goto +2\nr5 = *(u32 *)(r4 + 0)\nr0 |= r5\nexit`;
    expect(r0(body, { meta: 'a0a1a2a3', linear: 14 })).toBe(0xa3a2a1a0n | 4n);
  });

  it('past the head: a stale packet pointer faults, naming the old head and the call', () => {
    const body = `${pull(40)}\nr0 = *(u8 *)(r7 + 0)\nexit`;
    for (const compile of [true, false]) {
      const message = stopped(body, { linear: 14 }, { compile });
      expect(message).toMatch(/^pc 11: invalid read of 1 byte at 0x[0-9a-f]{16}: stale packet pointer \(offset 0 from the old skb->data\): the skb's old head, freed when bpf_skb_pull_data reallocated it at pc 6; the packet is now in a new head: load skb->data and skb->data_end again after the call/);
    }
    // A write, and a pointer into the old metadata, fault the same way.
    expect(stopped(`${pull(40)}\nr5 = 1\n*(u8 *)(r7 + 3) = r5\nr0 = 0\nexit`, { linear: 14 })).toMatch(/invalid write of 1 byte at .*: stale packet pointer \(offset 3 from the old skb->data\): the skb's old head, freed/);
  });

  it('a cloned skb gets a head of its own: pull_data(0) moves it, a stale pointer faults', () => {
    expect(r0(`${pull(0)}\nr0 = r8\nif r2 == r7 goto +1\nr0 |= 0x100\nr5 = *(u8 *)(r2 + 0)\nr5 <<= 16\nr0 |= r5\nexit`, { cloned: true })).toBe(0x10100n);
    expect(stopped(`${pull(0)}\nr0 = *(u8 *)(r7 + 0)\nexit`, { cloned: true })).toMatch(
      /stale packet pointer \(offset 0 from the old skb->data\): the skb's old head, given up when bpf_skb_pull_data reallocated it at pc 6 \(the skb was cloned: it got a head of its own, the old one stays with the other skb\)/,
    );
    // Uncloned then: a second pull_data(0) does not move it again.
    expect(r0(`${pull(0)}\nr7 = r2\nr1 = r6\nr2 = 0\ncall bpf_skb_pull_data\nr1 = r6\n${PKT}\nr0 = 0\nif r2 == r7 goto +1\nr0 = 1\nexit`, { cloned: true })).toBe(0n);
  });

  it('len past skb->len: -ENOMEM, and nothing changes', () => {
    // r0 = the result, or 1 when data moved or the head's length changed; the old pointer still reads.
    const body = (len: number) => `${pull(len)}\nr0 = r8\nif r2 != r7 goto +3\nr4 = r3\nr4 -= r2\nif r4 == 14 goto +1\nr0 = 1\nr5 = *(u8 *)(r7 + 0)\nexit`;
    expect(r0(body(65), { linear: 14 })).toBe(NEG(12));
    expect(r0(body(-1), { linear: 14 })).toBe(NEG(12));
    expect(r0(body(65), { linear: 14, cloned: true })).toBe(NEG(12));
    // Without the scenario the whole packet is in the head: only a pull past it fails.
    expect(r0(`${pull(64)}\nr0 = r8\nexit`)).toBe(0n);
    expect(r0(`${pull(65)}\nr0 = r8\nexit`)).toBe(NEG(12));
  });

  it('a second reallocation moves the head again; every run starts from the first head', () => {
    const body = `${pull(20)}\nr9 = r2\nr1 = r6\nr2 = 64\ncall bpf_skb_pull_data\nr1 = r6\n${PKT}\nr0 = r3\nr0 -= r2\nexit`;
    // 20 bytes pulled with 128 bytes of tailroom after: pulling all 64 fits, no second move.
    expect(r0(body, { linear: 14 })).toBe(64n);
    const big = Uint8Array.from({ length: 600 }, (_, i) => i & 0xff);
    const two = `${pull(20)}\nr9 = r2\nr1 = r6\nr2 = 600\ncall bpf_skb_pull_data\nr1 = r6\n${PKT}\nr0 = *(u8 *)(r9 + 0)\nexit`;
    const l = simLoad(TC + two, { data: big, scenario: { skb: { linear: 14 } } });
    if (!l.ok) throw new Error(l.errors.join('; '));
    const vm = l.program.vm;
    for (let i = 0; i < 2; i++) {
      vm.reset();
      expect(vm.run()).not.toBe('exited');
      expect(vm.faultInfo?.message).toMatch(/stale packet pointer .*freed when bpf_skb_pull_data reallocated it at pc 14/);
    }
    const clean = simLoad(`${TC}${pull(40)}\nr0 = r3\nr0 -= r2\nexit`, { data: PACKET, scenario: { skb: { linear: 14 } } });
    if (!clean.ok) throw new Error(clean.errors.join('; '));
    for (let i = 0; i < 3; i++) {
      clean.program.vm.reset();
      expect(clean.program.vm.run()).toBe('exited');
      expect(clean.program.vm.reg(0)).toBe(40n);
    }
  });

  it('R1 must be the context', () => {
    expect(stopped('r1 = 0\nr2 = 0\ncall bpf_skb_pull_data\nexit')).toBe("pc 2: bpf_skb_pull_data: R1 must be the program's context, the struct __sk_buff * it received in r1");
  });

});

describe('Scenario.skb validation', () => {
  const err = (skb: unknown) => {
    const r = parseScenario({ skb }, 8);
    return r.ok ? 'ok' : r.error;
  };
  it('takes meta, linear and cloned, each optional, and leaves skb out when absent', () => {
    expect(parseScenario({ skb: { meta: '01 02 03 04', linear: 14, cloned: true } }, 8)).toMatchObject({ ok: true, scenario: { skb: { meta: '01020304', linear: 14, cloned: true } } });
    const none = parseScenario({}, 8);
    expect(none.ok && 'skb' in none.scenario).toBe(false);
    const empty = parseScenario({ skb: { cloned: false, meta: '' } }, 8);
    expect(empty.ok && 'skb' in empty.scenario).toBe(false);
  });

  it('says what is wrong', () => {
    expect(err('yes')).toMatch(/^skb must be an object like \{"meta": "01020304", "linear": 14, "cloned": true\}/);
    expect(err({ linar: 14 })).toMatch(/^skb has no field "linar": it takes meta, linear and cloned/);
    expect(err({ meta: 'xyz' })).toMatch(/^skb\.meta must be the metadata's bytes in hex/);
    expect(err({ meta: 7 })).toMatch(/^skb\.meta must be the metadata's bytes in hex/);
    expect(err({ meta: '010203' })).toBe('skb.meta is 3 bytes; metadata is a multiple of 4 bytes, at most 252 (32 on linux-6.3), as bpf_xdp_adjust_meta allows');
    expect(err({ meta: '00'.repeat(256) })).toMatch(/^skb\.meta is 256 bytes/);
    for (const linear of [13, 0, 1.5, '14', 70000]) expect(err({ linear })).toMatch(/^skb\.linear must be a whole number of bytes from 14 to 65535/);
    expect(err({ cloned: 'yes' })).toBe('skb.cloned must be true or false');
  });
});
