// A ring buffer's initial contents: records already submitted that user space has not read. A
// ring left full by them refuses the next reservation (NULL), as Linux does when the consumer lags.
import { describe, expect, it } from 'vitest';
import { assemble } from '../../asm/index.ts';
import { loadProgram } from '../../load/load.ts';

/** Reserves 8 bytes, writes through the result unchecked (the program is run unverified), submits. */
const WRITER = '.section xdp\n.map rb type=ringbuf key=0 value=0 max_entries=4096\nr1 = rb ll\nr2 = 8\nr3 = 0\ncall bpf_ringbuf_reserve\nr1 = 5\n*(u64 *)(r0 + 0) = r1\nr1 = r0\nr2 = 0\ncall bpf_ringbuf_submit\nr0 = 2\nexit\n';

function run(mapContents: unknown) {
  const a = assemble(WRITER);
  const s = a.sections[0];
  if (!s) throw new Error('no section');
  const r = loadProgram({ sections: [{ name: s.name, kind: s.kind, bytes: s.bytes }], entry: s.name, maps: a.maps, profile: 'linux-6.18', cpus: 2, isa: 4, maxInsns: 1000, verify: false, inputs: { data: new Uint8Array(64) }, mapContents });
  if (!r.ok) return { problems: r.problems.map((p) => p.message) };
  const status = r.program.vm.run();
  return { status, fault: r.program.vm.faultInfo?.message };
}

describe('ring buffer initial records', () => {
  it('a ring with room takes the reservation', () => {
    expect(run({ rb: [{ value: '00'.repeat(100) }] })).toEqual({ status: 'exited', fault: undefined });
  });

  it('a ring full of unread records returns NULL for the next reservation', () => {
    // 4080 bytes of sample + the 8-byte header fill 4088 of the 4095 bytes a producer may run ahead.
    const r = run({ rb: [{ value: '00'.repeat(4080) }] });
    expect(r.status).toBe('fault');
    expect(r.fault).toMatch(/NULL pointer dereference/);
  });

  it('refuses a record that does not fit, a key, and what is not hex', () => {
    expect(run({ rb: [{ value: '00'.repeat(5000) }] }).problems?.[0]).toMatch(/no room left for a 5000-byte record/);
    expect(run({ rb: [{ key: 0, value: '00' }] }).problems?.[0]).toBe("map 'rb' record 0: a ring buffer record has no key");
    expect(run({ rb: [{ value: 'zz' }] }).problems?.[0]).toMatch(/is not hex bytes/);
  });
});
