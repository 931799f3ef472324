// The BTF reader the cpumask kernel differential uses to find the kernel's kfunc ids: a blob
// built here by hand (every kind with trailing data, so a wrong size would shift the ids), and
// the running kernel's /sys/kernel/btf/vmlinux where it can be read.

import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseFuncIds, VMLINUX_BTF, vmlinuxFuncs } from './cpumask/vmlinux-btf.ts';

/** A BTF blob: header, the given types (kind, vlen, name), then the string section. */
function blob(types: readonly { kind: number; vlen?: number; name?: string; extra: number }[]): Uint8Array {
  const names = ['', ...types.map((t) => t.name ?? '')];
  const strings: number[] = [];
  const offsets = new Map<string, number>();
  for (const n of names) {
    if (offsets.has(n)) continue;
    offsets.set(n, strings.length);
    strings.push(...Buffer.from(n, 'latin1'), 0);
  }
  const typeBytes: number[] = [];
  const u32 = (v: number) => typeBytes.push(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff);
  for (const t of types) {
    u32(offsets.get(t.name ?? '') ?? 0);
    u32(((t.kind & 0x1f) << 24) | (t.vlen ?? 0));
    u32(0);
    for (let i = 0; i < t.extra; i++) typeBytes.push(0xee);
  }
  const header = new DataView(new ArrayBuffer(24));
  header.setUint16(0, 0xeb9f, true);
  header.setUint8(2, 1);
  header.setUint32(4, 24, true);
  header.setUint32(8, 0, true);
  header.setUint32(12, typeBytes.length, true);
  header.setUint32(16, typeBytes.length, true);
  header.setUint32(20, strings.length, true);
  return Uint8Array.from([...new Uint8Array(header.buffer), ...typeBytes, ...strings]);
}

describe('vmlinux BTF function ids', () => {
  it('counts ids from 1 and skips each kind’s trailing data', () => {
    const b = blob([
      { kind: 1, name: 'int', extra: 4 }, // 1 INT
      { kind: 4, vlen: 2, name: 'bpf_cpumask', extra: 24 }, // 2 STRUCT, two members
      { kind: 13, vlen: 3, extra: 24 }, // 3 FUNC_PROTO, three params
      { kind: 12, name: 'bpf_cpumask_create', extra: 0 }, // 4 FUNC
      { kind: 6, vlen: 2, name: 'e', extra: 16 }, // 5 ENUM
      { kind: 3, extra: 12 }, // 6 ARRAY
      { kind: 15, vlen: 1, name: '.bss', extra: 12 }, // 7 DATASEC
      { kind: 19, vlen: 1, name: 'e64', extra: 12 }, // 8 ENUM64
      { kind: 17, name: 'tag', extra: 4 }, // 9 DECL_TAG
      { kind: 14, name: 'var', extra: 4 }, // 10 VAR
      { kind: 12, name: 'bpf_cpumask_release', extra: 0 }, // 11 FUNC
      { kind: 12, name: 'bpf_cpumask_create', extra: 0 }, // 12 FUNC, same name again
    ]);
    const f = parseFuncIds(b);
    expect(f.types).toBe(12);
    expect(f.funcId('bpf_cpumask_create')).toBe(4);
    expect(f.funcId('bpf_cpumask_release')).toBe(11);
    expect(f.funcId('bpf_cpumask')).toBeUndefined();
    expect(f.funcId('int')).toBeUndefined();
  });

  it('refuses what is not BTF, or a kind it does not know', () => {
    expect(() => parseFuncIds(new Uint8Array(24))).toThrow(/bad magic/);
    expect(() => parseFuncIds(blob([{ kind: 31, extra: 0 }]))).toThrow(/unknown kind 31/);
    expect(vmlinuxFuncs('/nonexistent/btf')).toMatchObject({ unavailable: expect.stringMatching(/cannot read/) as unknown });
  });

  it.skipIf(!existsSync(VMLINUX_BTF))('reads the running kernel’s functions, and the cpumask kfuncs where this build has them', () => {
    const f = vmlinuxFuncs();
    if ('unavailable' in f) throw new Error(f.unavailable);
    expect(f.types).toBeGreaterThan(1000);
    // The verifier's entry point is in every kernel that has bpf() (kernel/bpf/verifier.c).
    expect(f.funcId('bpf_check')).toBeGreaterThan(0);
    const create = f.funcId('bpf_cpumask_create');
    const release = f.funcId('bpf_cpumask_release');
    // Builds without the cpumask kfuncs (before 6.3, or configured out) are not wrong.
    if (create === undefined || release === undefined) {
      console.log(`skipped: this kernel's BTF has no ${create === undefined ? 'bpf_cpumask_create' : 'bpf_cpumask_release'}`);
      return;
    }
    expect(create).not.toBe(release);
  });
});
