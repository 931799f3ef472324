// The helper declarations against this machine's kernel (the oracle, engine/test/kernel): for
// every prototype-bearing helper and each of xdp, tc, socket, syscall and tp_btf, whether Linux
// lets that program type call it ("program of this type cannot use helper NAME#ID" or not) and
// whether it is GPL-only; for every id, the name the kernel's refusal prints. A `call ID; r0 =
// 0; exit` with r1-r5 unset is enough: check_helper_call refuses a type before it looks at the
// license, and the license before the arguments. Program types are the linux-6.18 profile's.
// And the whole name table against the kernel BTF's enum bpf_func_id. Skips cleanly without
// bpf() (or bpftool and /sys/kernel/btf/vmlinux).

import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { BPF_F_SLEEPABLE, refusalReason } from '../../test/kernel/features.ts';
import { kernelOracle, type KernelOracle, type KernelRequest } from '../../test/kernel/oracle.ts';
import { REFUSE_ENV, refusedByEnvironment } from '../../test/kernel/refusing.ts';
import { vmlinuxFuncs } from '../../test/cpumask/vmlinux-btf.ts';
import type { ProgType } from '../../program/program.ts';
import { BPF_FUNC_MAX_ID, HELPER_DECLS, helperName, helperProgTypes, UAPI_HELPER_NAMES } from './index.ts';

/** BPF_TRACE_RAW_TP (enum bpf_attach_type): a tp_btf program's expected_attach_type. */
const BPF_TRACE_RAW_TP = 23;
const TYPES = ['xdp', 'tc', 'socket', 'syscall', 'tp_btf'] as const;

let oracle: KernelOracle | undefined;
let unavailable = '';
const ready = kernelOracle().then((o) => {
  if ('unavailable' in o) unavailable = o.unavailable;
  else oracle = o;
});

afterAll(async () => {
  await oracle?.close();
});

/** The request fields of each program type; tp_btf attaches to sched_switch. */
function requestFields(): Record<(typeof TYPES)[number], Omit<KernelRequest, 'prog'>> | string {
  const funcs = vmlinuxFuncs();
  if ('unavailable' in funcs) return funcs.unavailable;
  const tp = funcs.typedefId?.('btf_trace_sched_switch');
  if (tp === undefined) return 'btf_trace_sched_switch is not in this kernel\'s BTF';
  return {
    xdp: { type: 'xdp' },
    tc: { type: 'sched_cls' },
    socket: { type: 'socket_filter' },
    syscall: { type: 'syscall', progFlags: BPF_F_SLEEPABLE },
    tp_btf: { type: 'tracing', attachType: BPF_TRACE_RAW_TP, attachBtfId: tp },
  };
}

/** `call id; r0 = 0; exit`. */
function callProg(id: number): Uint8Array {
  const prog = new Uint8Array(24);
  prog[0] = 0x85;
  new DataView(prog.buffer).setInt32(4, id, true);
  prog[8] = 0xb7;
  prog[16] = 0x95;
  return prog;
}

const CANNOT_USE = /^program of this type cannot use helper (\w+)#(\d+)$/;

/**
 * Helpers upstream Linux allows in a program type that some kernel builds refuse there: such a
 * refusal is left out (and printed), not compared — the declarations follow upstream. Any other
 * difference fails.
 */
const BUILD_REFUSALS: readonly { helper: string; type: (typeof TYPES)[number]; upstream: string }[] = [
  // 6.18.44-fc-v1300 (not v782): reference/kernel-facts.md.
  { helper: 'bpf_xdp_adjust_meta', type: 'xdp', upstream: 'net/core/filter.c xdp_func_proto returns &bpf_xdp_adjust_meta_proto' },
];
const GPL = 'cannot call GPL-restricted function from non-GPL compatible program';

describe('helper declarations against the kernel', () => {
  it('allow each prototype-bearing helper in the program types this kernel allows it in, GPL-only where it is', async () => {
    await ready;
    if (!oracle) {
      console.log(`skipped: ${unavailable}`);
      return;
    }
    const fields = requestFields();
    if (typeof fields === 'string') {
      console.log(`skipped: ${fields}`);
      return;
    }
    const cases = HELPER_DECLS.flatMap((d) => TYPES.map((t) => ({ d, t })));
    const reqs = cases.flatMap(({ d, t }) => [
      { ...fields[t], prog: callProg(d.id), loadOnly: true, license: 'GPL' },
      { ...fields[t], prog: callProg(d.id), loadOnly: true, license: 'Proprietary' },
    ]);
    const answers = await oracle.runBatch(reqs);
    const simulated = refusedByEnvironment();
    const diffs: string[] = [];
    cases.forEach(({ d, t }, i) => {
      const gpl = answers[2 * i];
      const nonGpl = answers[2 * i + 1];
      if (!gpl || !nonGpl) throw new Error('missing answer');
      const kernelSays = gpl.ok ? 'accepted' : refusalReason(gpl);
      const kernelAllows = !CANNOT_USE.test(kernelSays);
      const types = helperProgTypes(d, 'linux-6.18');
      const oursAllows = types === 'any' || types.includes(t as ProgType);
      const listed = BUILD_REFUSALS.find((b) => b.helper === d.name && b.type === t);
      const known = listed ? `upstream allows it (${listed.upstream})` : simulated.includes(d.name) ? `a build simulated by ${REFUSE_ENV}` : undefined;
      if (!kernelAllows && oursAllows && known) {
        console.log(`left out: ${d.name}#${d.id} in ${t} — this kernel build refuses it (${JSON.stringify(kernelSays)}); ${known}`);
        return;
      }
      if (kernelAllows !== oursAllows) diffs.push(`${d.name}#${d.id} in ${t}: the kernel ${kernelAllows ? 'allows' : 'refuses'} it (${kernelSays}), the declaration ${oursAllows ? 'allows' : 'refuses'} it`);
      if (!kernelAllows) return;
      const kernelGplOnly = !nonGpl.ok && refusalReason(nonGpl) === GPL;
      if (kernelGplOnly !== d.gplOnly) diffs.push(`${d.name}#${d.id} in ${t}: the kernel ${kernelGplOnly ? 'wants' : 'does not want'} a GPL license, the declaration says gplOnly=${d.gplOnly}`);
    });
    expect(diffs).toEqual([]);
  });

  it('names each helper id as the kernel does, and refuses __BPF_FUNC_MAX_ID as an invalid func', async () => {
    await ready;
    if (!oracle) {
      console.log(`skipped: ${unavailable}`);
      return;
    }
    const fields = requestFields();
    if (typeof fields === 'string') {
      console.log(`skipped: ${fields}`);
      return;
    }
    // An id is named by any refusal of it; the ones every type allows (the bpf_base_func_proto
    // ones) stay unnamed here.
    const ids = Array.from({ length: BPF_FUNC_MAX_ID + 1 }, (_, id) => id);
    const named = new Map<number, string>();
    for (const t of TYPES) {
      const answers = await oracle.runBatch(ids.map((id) => ({ ...fields[t], prog: callProg(id), loadOnly: true, license: 'GPL' })));
      answers.forEach((a, id) => {
        const m = a.ok ? null : CANNOT_USE.exec(refusalReason(a));
        if (m && Number(m[2]) === id) named.set(id, m[1] ?? '');
      });
      const past = answers[BPF_FUNC_MAX_ID];
      expect(past && !past.ok ? refusalReason(past) : 'accepted').toBe(`invalid func unknown#${BPF_FUNC_MAX_ID}`);
    }
    const diffs = [...named].filter(([id, name]) => helperName(id) !== name).map(([id, name]) => `#${id}: the kernel says ${name}, we say ${helperName(id)}`);
    expect(diffs).toEqual([]);
    // Most ids are refused by one of the types (130 by socket, xdp and tp_btf alone on 6.18).
    console.log(`${named.size} of ${BPF_FUNC_MAX_ID} helper names compared with the kernel's`);
    expect(named.size).toBeGreaterThan(100);
  });

  it('has the names and __BPF_FUNC_MAX_ID of enum bpf_func_id in this kernel\'s BTF', () => {
    const vmlinux = '/sys/kernel/btf/vmlinux';
    if (!existsSync(vmlinux)) {
      console.log(`skipped: ${vmlinux} does not exist`);
      return;
    }
    let text: string;
    try {
      text = execFileSync('bpftool', ['btf', 'dump', 'file', vmlinux, 'format', 'c'], { encoding: 'utf8', maxBuffer: 256 << 20 });
    } catch (e) {
      console.log(`skipped: bpftool could not dump ${vmlinux} (${(e as Error).message.split('\n')[0]})`);
      return;
    }
    const body = /^enum bpf_func_id \{\n([\s\S]*?)^\};/m.exec(text)?.[1] ?? '';
    const entries = [...body.matchAll(/^\t(\w+) = (\d+),$/gm)].map((m) => [m[1] ?? '', Number(m[2])] as const);
    const max = entries.find(([n]) => n === '__BPF_FUNC_MAX_ID')?.[1];
    expect(max).toBe(BPF_FUNC_MAX_ID);
    const names: string[] = [];
    for (const [n, id] of entries) if (n.startsWith('BPF_FUNC_')) names[id] = `bpf_${n.slice('BPF_FUNC_'.length)}`;
    expect(names).toEqual(UAPI_HELPER_NAMES);
  });
});
