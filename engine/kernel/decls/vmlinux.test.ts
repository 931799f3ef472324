// The declarations against this machine's kernel BTF (/sys/kernel/btf/vmlinux, read with
// `bpftool btf dump … format raw`): UAPI context structs must match offset for offset; the
// kernel-internal stand-ins must at least name fields the real structs have. Skips cleanly
// where bpftool or the BTF is missing.

import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { KERNEL_TYPES, STRUCT_LAYOUTS } from './index.ts';

const VMLINUX = '/sys/kernel/btf/vmlinux';

interface BtfStruct {
  readonly size: number;
  /** Named members: name → byte offset. */
  readonly members: ReadonlyMap<string, number>;
}

/** STRUCT entries of a raw bpftool dump, by name (the first of a name wins). */
function readStructs(): Map<string, BtfStruct> | string {
  if (!existsSync(VMLINUX)) return `skipped: ${VMLINUX} does not exist`;
  let text: string;
  try {
    text = execFileSync('bpftool', ['btf', 'dump', 'file', VMLINUX, 'format', 'raw'], { encoding: 'utf8', maxBuffer: 256 << 20 });
  } catch (e) {
    return `skipped: bpftool could not dump ${VMLINUX} (${(e as Error).message.split('\n')[0]})`;
  }
  const out = new Map<string, BtfStruct>();
  let cur: { size: number; members: Map<string, number> } | undefined;
  for (const line of text.split('\n')) {
    const head = /^\[\d+\] (STRUCT|UNION|\w+) '([^']*)'(?: size=(\d+))?/.exec(line);
    if (head) {
      cur = undefined;
      if (head[1] === 'STRUCT' && !out.has(head[2] ?? '')) {
        cur = { size: Number(head[3]), members: new Map() };
        out.set(head[2] ?? '', cur);
      }
      continue;
    }
    const m = /^\s+'([^']+)' type_id=\d+ bits_offset=(\d+)/.exec(line);
    if (m && cur && m[1] !== '(anon)') cur.members.set(m[1] ?? '', Number(m[2]) / 8);
  }
  return out;
}

const structs = readStructs();
const skip = typeof structs === 'string' ? structs : undefined;
if (skip) console.log(skip);

/** UAPI structs whose layout the playground copies exactly. */
const UAPI = ['xdp_md', '__sk_buff', 'bpf_sock'];

describe.skipIf(skip !== undefined)('declarations against vmlinux BTF', () => {
  const btf = structs as Map<string, BtfStruct>;

  it('UAPI context structs match offset for offset (members inside anonymous unions aside)', () => {
    for (const name of UAPI) {
      const real = btf.get(name);
      const ours = STRUCT_LAYOUTS.find((s) => s.name === name);
      expect(real, name).toBeDefined();
      expect(ours?.size, name).toBe(real?.size);
      let matched = 0;
      for (const f of ours?.fields ?? []) {
        const off = real?.members.get(f.name);
        if (off === undefined) continue; // __bpf_md_ptr wraps flow_keys and sk in anonymous unions
        expect(f.offset, `${name}.${f.name}`).toBe(off);
        matched++;
      }
      expect(matched, name).toBeGreaterThanOrEqual((ours?.fields.length ?? 0) - 2);
    }
  });

  it('every pointer field given a trust, and the task fields programs read, exist in the real structs', () => {
    for (const t of KERNEL_TYPES) {
      if (UAPI.includes(t.name) || t.name === 'bpf_cpumask' || t.name.endsWith('___init')) continue;
      const real = btf.get(t.name);
      if (!real) continue; // a module's type (nf_conn with conntrack built as a module)
      for (const f of t.fields) if (f.trust && f.trust['linux-6.18'] !== 'untrusted') expect(real.members.has(f.name), `${t.name}.${f.name}`).toBe(true);
    }
    const task = btf.get('task_struct');
    for (const f of ['pid', 'tgid', 'comm', 'cpus_ptr', 'real_parent', 'group_leader', 'cgroups', 'cpus_mask']) expect(task?.members.has(f), `task_struct.${f}`).toBe(true);
    expect(btf.get('css_set')?.members.has('dfl_cgrp')).toBe(true);
    expect(btf.get('bpf_cpumask')?.members.get('cpumask')).toBe(0);
  });
});
