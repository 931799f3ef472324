// The C examples in this machine's kernel: each object, loaded by libbpf through
// `bpftool prog loadall`, is accepted or refused as the playground's verifier says under
// Linux 6.18 (left out, saying why, without bpftool, root or a bpffs). bpftool 7.1 cannot bind a
// program to a device, which the XDP metadata kfuncs need: those objects are loaded by libbpf
// through engine/test/kernel/libbpf_load.c, each XDP program bound to BPFP_KERNEL_XDP_DEV, and
// also sent the way the verifier differential sends programs — the object's instructions as the
// playground loaded them (its assembly text, engine/asm/object-source.ts), bound with
// BPF_F_XDP_DEV_BOUND_ONLY — each accepted or refused as ours says (left out, saying why,
// without such a device).

import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { objectSource } from '../../asm/index.ts';
import { objectOfElf } from '../../load/elf-object.ts';
import { buildRefusal, closeKernelLoader, deviceIfindex, loadInKernel } from '../verifier/kernel-load.ts';
import { libbpfLoad } from '../kernel/libbpf-load.ts';
import { verifyProgram } from '../../load/load.ts';
import { sectionKind } from '../../program/program.ts';

const dir = fileURLToPath(new URL('../../../public/examples/c/', import.meta.url));
const objects = readdirSync(dir).filter((f) => f.endsWith('.o'));
const bpffs = readFileSync('/proc/mounts', 'utf8').split('\n').some((l) => l.split(' ')[1] === '/sys/fs/bpf' && l.split(' ')[2] === 'bpf');
const bpftool = spawnSync('bpftool', ['version'], { encoding: 'utf8' }).status === 0;
const why = !bpftool ? 'bpftool is not installed' : process.getuid?.() !== 0 ? 'not root' : !bpffs ? '/sys/fs/bpf is not a mounted bpffs' : undefined;
if (why) console.log(`skipped: the C examples in the kernel: ${why}`);

describe.skipIf(why !== undefined)('the C examples in this machine’s kernel', () => {
  afterAll(closeKernelLoader);

  it.each(objects)('%s: the kernel says what our verifier says', async (name) => {
    const bytes = new Uint8Array(readFileSync(`${dir}${name}`));
    const o = objectOfElf(bytes);
    if (!o.ok) throw new Error(o.error);
    const { programs, maps, license } = o.object;
    const ours = programs.map((p) => {
      const v = verifyProgram({ sections: programs.map((x) => ({ name: x.name, kind: sectionKind(x.name), bytes: x.bytes })), entry: p.name, maps, ...(license === undefined ? {} : { license }), profile: 'linux-6.18', cpus: 8, isa: 4, maxInsns: 1_000_000, logLevel: 0 });
      return { name: p.name, ok: v.ok, message: v.problems[0]?.message };
    });
    if (readFileSync(`${dir}${name}`).includes('bpf_xdp_metadata_')) {
      const text = objectSource(name, { programs: programs.map((p) => ({ name: p.name, bytecode: p.bytes, lines: p.lines })), maps, ...(license === undefined ? {} : { license }), skipped: [] });
      expect(text.sameBytes, text.mismatches.join('; ')).toBe(true);
      // A helper or kfunc upstream allows but this kernel build refuses leaves the libbpf load out
      // (the oracle loads below leave out the programs that make it).
      const refusals = (await Promise.all(programs.map((p) => buildRefusal(text.text, { section: p.name })))).filter((r) => r !== undefined);
      // Device-bound: the object through libbpf, its XDP programs bound to a device.
      const ifindex = deviceIfindex();
      const viaLibbpf = refusals.length > 0 ? { unavailable: refusals.join('; ') } : typeof ifindex === 'number' ? await libbpfLoad(`${dir}${name}`, ifindex) : ifindex;
      if ('unavailable' in viaLibbpf) console.log(`${name}: left out the libbpf load: ${viaLibbpf.unavailable}`);
      else {
        // The verdicts compared; the log's tail says why when the kernel refused.
        const loaded = 'loaded' in viaLibbpf;
        expect(loaded, `${name} through libbpf: ${loaded ? 'loaded' : viaLibbpf.log.split('\n').slice(-15).join('\n')}`).toBe(ours.every((x) => x.ok));
        if ('loaded' in viaLibbpf) expect(viaLibbpf.loaded.length, 'every program loaded').toBe(programs.length);
        console.log(`${name}: libbpf ${'loaded' in viaLibbpf ? `loaded ${viaLibbpf.loaded.join(', ')}` : 'refused it'} with XDP programs bound to ${process.env['BPFP_KERNEL_XDP_DEV'] ?? ''}, as ours`);
      }
      // And each program's instructions through the kernel oracle, bound to the device.
      for (const p of ours) {
        const k = await loadInKernel(text.text, { section: p.name, logLevel: 0 });
        if ('skipped' in k) {
          console.log(`${name} ${p.name}: skipped: ${k.skipped}`);
          continue;
        }
        expect({ program: p.name, accepted: k.accepted, message: k.accepted ? '' : k.message }).toEqual({ program: p.name, accepted: p.ok, message: k.accepted ? '' : expect.any(String) });
        console.log(`${name} ${p.name}: the kernel ${k.accepted ? 'accepts' : `refuses (${k.message})`} it (loaded through the kernel oracle; an XDP program bound to ${process.env['BPFP_KERNEL_XDP_DEV'] ?? 'no device'}), as ours`);
      }
      return;
    }
    const pin = `/sys/fs/bpf/bpfp-cex-${process.pid}-${name.replace(/\W/g, '_')}`;
    try {
      const r = spawnSync('bpftool', ['prog', 'loadall', `${dir}${name}`, pin], { encoding: 'utf8', timeout: 10_000 });
      const kernelAccepts = r.status === 0;
      expect({ kernelAccepts, log: kernelAccepts ? '' : (r.stderr ?? '').split('\n').slice(-6).join('\n') }).toEqual({ kernelAccepts: ours.every((x) => x.ok), log: kernelAccepts ? '' : expect.any(String) });
    } finally {
      rmSync(pin, { recursive: true, force: true });
    }
  });
});
