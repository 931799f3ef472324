// Exporting the examples as object files: they read back into the same programs and maps,
// llvm-readelf reads them, and (with bpf() and a bpffs) bpftool loads them into this kernel.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
// The test assembles the examples and knows which kfuncs bind a program to a device; the module
// under test itself takes the kernel's tables as an argument (engine/program builds on isa only).
// eslint-disable-next-line no-restricted-imports
import { assemble } from '../../asm/index.ts';
// eslint-disable-next-line no-restricted-imports
import { XDP_METADATA_KFUNCS } from '../../kernel/kfuncs/decls.ts';
// eslint-disable-next-line no-restricted-imports
import { EXPORT_KERNEL } from '../../cli/commands/asm.ts';
import { objectOfElf } from '../../load/elf-object.ts';
import { runCli } from '../../test/cli-harness.ts';
import { objectOfProgram, symbolName } from './export.ts';

const EXAMPLES = fileURLToPath(new URL('../../../public/examples/', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'bpfp-export-'));

interface Example {
  readonly file: string;
  readonly result: ReturnType<typeof assemble>;
}

/** The examples an object file can hold: not raw, no callbacks and no global data. */
const examples: Example[] = readdirSync(EXAMPLES)
  .filter((f) => f.endsWith('.bpf.s'))
  .sort()
  .map((file) => ({ file, result: assemble(readFileSync(join(EXAMPLES, file), 'utf8'), { isa: 4 }) }))
  .filter((e) => e.result.ok && e.result.sections.some((s) => s.insns.length > 0) && e.result.sections.every((s) => s.insns.length === 0 || s.kind.progType !== 'raw'))
  .filter((e) => e.result.sections.every((s) => s.relocations.every((r) => r.kind !== 'func')));

function exported(e: Example): Uint8Array {
  const r = objectOfProgram({ sections: e.result.sections, maps: e.result.maps, ...(e.result.license === undefined ? {} : { license: e.result.license }) }, EXPORT_KERNEL);
  if (!r.ok) throw new Error(`${e.file}: ${r.error}`);
  return r.bytes;
}

/** One line per instruction slot: opcode, registers, offset, imm (kfunc ids and map indexes included). */
function slots(bytes: Uint8Array): string[] {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: string[] = [];
  for (let o = 0; o + 8 <= bytes.length; o += 8) {
    const regs = bytes[o + 1] ?? 0;
    out.push(`${o / 8}: op=0x${(bytes[o] ?? 0).toString(16)} dst=${regs & 0xf} src=${regs >> 4} off=${dv.getInt16(o + 2, true)} imm=${dv.getInt32(o + 4, true)}`);
  }
  return out;
}

function tool(name: string): boolean {
  return spawnSync(name, ['--version'], { encoding: 'utf8' }).status === 0;
}

describe('objectOfProgram', () => {
  it('finds the cpumask and XDP examples', () => {
    const names = examples.map((e) => e.file);
    expect(names).toContain('cpumask-kptr-rcu.bpf.s');
    expect(names).toContain('xdp-queue-counter.bpf.s');
    expect(names.some((n) => n.startsWith('hello') || n.startsWith('calls'))).toBe(false);
  });

  it.each(examples.map((e) => [e.file, e] as const))('%s reads back as the same programs and maps', (_file, e) => {
    const back = objectOfElf(exported(e));
    if (!back.ok) throw new Error(back.error);
    const want = e.result.sections.filter((s) => s.insns.length > 0);
    expect(back.object.programs.map((p) => p.name)).toEqual(want.map((s) => s.name));
    want.forEach((s, i) => expect(slots(back.object.programs[i]?.bytes ?? new Uint8Array())).toEqual(slots(s.bytes)));
    const maps = (m: readonly { name: string; type: string; keySize: number; valueSize: number; maxEntries: number; flags: number; kptrs: readonly { offset: number; type: string }[] }[]) =>
      m.map(({ name, type, keySize, valueSize, maxEntries, flags, kptrs }) => ({ name, type, keySize, valueSize, maxEntries, flags, kptrs }));
    expect(maps(back.object.maps)).toEqual(maps(e.result.maps));
    expect(back.object.license).toBe(e.result.license);
  });

  it('writes relocations as clang does: ld_imm64 of a map with src 0 imm 0, kfunc call with src 1 imm -1', () => {
    const e = examples.find((x) => x.file === 'cpumask-kptr-rcu.bpf.s');
    if (!e) throw new Error('example missing');
    const bytes = exported(e);
    const text = new TextDecoder('latin1').decode(bytes);
    expect(text).toContain('.reltp_btf/cgroup_mkdir');
    expect(text).toContain('.ksyms');
    expect(symbolName('tp_btf/cgroup_mkdir')).toBe('tp_btf_cgroup_mkdir');
  });

  it('says what it does not export yet', () => {
    const callback = assemble('.section xdp\n  r2 = cb ll\n  r0 = 0\n  exit\ncb:\n  r0 = 0\n  exit\n', { isa: 4 });
    const r = objectOfProgram({ sections: callback.sections, maps: callback.maps }, EXPORT_KERNEL);
    expect(r.ok ? '' : r.error).toMatch(/^not exported yet: .*BPF_PSEUDO_FUNC/);
    const raw = assemble('.section raw\n  r0 = 0\n  exit\n', { isa: 4 });
    const q = objectOfProgram({ sections: raw.sections, maps: raw.maps }, EXPORT_KERNEL);
    expect(q.ok ? '' : q.error).toMatch(/^not exported yet: section 'raw'/);
  });

  it('llvm-readelf-19 reads every object', () => {
    if (!tool('llvm-readelf-19')) {
      console.log('skipped: llvm-readelf-19 is not installed');
      return;
    }
    for (const [i, e] of examples.entries()) {
      const path = join(dir, `readelf-${i}.o`);
      writeFileSync(path, exported(e));
      const r = spawnSync('llvm-readelf-19', ['-S', '-s', '-r', path], { encoding: 'utf8' });
      expect(r.stderr, e.file).toBe('');
      expect(r.status, e.file).toBe(0);
      expect(r.stdout).toContain('.BTF');
    }
  });

  it('bpftool prog loadall accepts the objects that are not device-bound', () => {
    const bpffs = readFileSync('/proc/mounts', 'utf8').split('\n').some((l) => l.split(' ')[1] === '/sys/fs/bpf' && l.split(' ')[2] === 'bpf');
    const why = !tool('bpftool') ? 'bpftool is not installed' : process.getuid?.() !== 0 ? 'not root' : !bpffs ? '/sys/fs/bpf is not a mounted bpffs' : undefined;
    if (why) {
      console.log(`skipped: bpftool loadall: ${why}`);
      return;
    }
    for (const [n, e] of examples.entries()) {
      const kfuncs = e.result.sections.flatMap((s) => s.relocations.flatMap((r) => (r.kind === 'kfunc' ? [r.name] : [])));
      const bound = kfuncs.find((k) => XDP_METADATA_KFUNCS.has(k));
      if (bound) {
        console.log(`${e.file}: skipped: calls ${bound}, so it must be bound to a device, which bpftool 7.1 cannot do`);
        continue;
      }
      const path = join(dir, `load-${n}.o`);
      writeFileSync(path, exported(e));
      const pin = `/sys/fs/bpf/bpfp-export-${process.pid}-${n}`;
      try {
        const r = spawnSync('bpftool', ['prog', 'loadall', path, pin], { encoding: 'utf8', timeout: 5000 });
        const missing = /extern \(func ksym\) '(\w+)': not found in kernel/.exec(r.stderr);
        if (r.status !== 0 && missing) {
          console.log(`${e.file}: skipped: this kernel has no kfunc ${missing[1]}`);
          continue;
        }
        // Kernel struct fields are at the simulated kernel's offsets, and no CO-RE record says which.
        const field = /\btask_struct\.\w+/.exec(readFileSync(join(EXAMPLES, e.file), 'utf8'));
        if (r.status !== 0 && field && /in struct task_struct/.test(r.stderr)) {
          console.log(`${e.file}: refused as expected: ${field[0]} is the simulated kernel's offset, not this kernel's (no CO-RE relocation is exported)`);
          continue;
        }
        expect(r.status === 0 ? '' : r.stderr.split('\n').slice(-25).join('\n'), e.file).toBe('');
        console.log(`${e.file}: bpftool loaded ${readdirSync(pin).join(', ')}`);
      } finally {
        rmSync(pin, { recursive: true, force: true });
      }
    }
  });

  it('bpfp asm FILE -o OUT.o writes the object; other extensions stay bytecode', () => {
    const file = join(EXAMPLES, 'xdp-queue-counter.bpf.s');
    const r = runCli(['asm', file, '-o', join(dir, 'q.o')]);
    expect(r.err).toEqual([]);
    expect(r.code).toBe(0);
    const o = r.files.get(join(dir, 'q.o'));
    expect(o && Array.from(o.subarray(0, 4))).toEqual([0x7f, 0x45, 0x4c, 0x46]);
    const back = o && objectOfElf(o);
    expect(back?.ok).toBe(true);
    const b = runCli(['asm', file, '-o', join(dir, 'q.bin')]);
    expect(b.files.get(join(dir, 'q.bin'))?.[0]).not.toBe(0x7f);
    const raw = join(dir, 'raw.bpf.s');
    writeFileSync(raw, '.section raw\n  r0 = 0\n  exit\n');
    const bad = runCli(['asm', raw, '-o', join(dir, 'raw.o')]);
    expect(bad.code).not.toBe(0);
    expect(bad.err).toEqual([`${raw}: error: not exported yet: section 'raw' names no program type libbpf knows (use xdp, tc, socket, syscall or tp_btf/…)`]);
  });
});
