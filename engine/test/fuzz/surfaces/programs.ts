// The programs the input surfaces run their inputs through: the playground's examples and a few
// small programs of the harness's own, each reaching a different part of the kernel (verdicts,
// AF_XDP, devmap and cpumap redirects, tasks, cgroups).

import type { KernelProfile, ProgramImage } from '../../../worker/protocol.ts';
import type { Rng } from '../case.ts';
import { builtExample, builtSource, type BuiltProgram } from '../corpus.ts';
import { imageOf } from '../play.ts';

const XDP_OWN: Readonly<Record<string, string>> = {
  'xdp-pass': '.section xdp\n\tr0 = 2\n\texit\n',
  'xdp-verdict-from-byte': '.section xdp\n\tr2 = *(u32 *)(r1 + xdp_md.data)\n\tr3 = *(u32 *)(r1 + xdp_md.data_end)\n\tr0 = 2\n\tr4 = r2\n\tr4 += 15\n\tif r4 > r3 goto out\n\tr0 = *(u8 *)(r2 + 14)\n\tr0 &= 7\nout:\n\texit\n',
  'xdp-xsk': '.section xdp\n.map xsk type=xskmap key=4 value=4 max_entries=64\n\tr2 = *(u32 *)(r1 + xdp_md.rx_queue_index)\n\tr1 = xsk ll\n\tr3 = 2\n\tcall bpf_redirect_map\n\texit\n',
  'xdp-devmap': '.section xdp\n.map devs type=devmap key=4 value=4 max_entries=4\n\tr1 = devs ll\n\tr2 = 0\n\tr3 = 2\n\tcall bpf_redirect_map\n\texit\n.section xdp/peer\n\tr0 = 2\n\texit\n',
  'xdp-cpumap': '.section xdp\n.map cpus type=cpumap key=4 value=4 max_entries=8\n\tr1 = cpus ll\n\tr2 = 1\n\tr3 = 2\n\tcall bpf_redirect_map\n\texit\n',
  'xdp-tail': '.section xdp\n\tr6 = r1\n\tr1 = r6\n\tr2 = -8\n\tcall bpf_xdp_adjust_tail\n\tr1 = r6\n\tr2 = -8\n\tcall bpf_xdp_adjust_meta\n\tr0 = 2\n\texit\n',
};

const SCENARIO_OWN: Readonly<Record<string, string>> = {
  'cgroup-ancestor':
    '.section tp_btf/cgroup_mkdir\n.license "GPL"\n\tr6 = *(u64 *)(r1 + 0)\n\tr1 = r6\n\tr2 = 1\n\tcall bpf_cgroup_ancestor\n\tif r0 == 0 goto out\n\tr1 = r0\n\tcall bpf_cgroup_release\nout:\n\tr0 = 0\n\texit\n',
  'task-from-pid':
    '.section tp_btf/task_newtask\n.license "GPL"\n\tcall bpf_get_current_pid_tgid\n\tr1 = r0\n\tr1 >>= 32\n\tcall bpf_task_from_pid\n\tif r0 == 0 goto out\n\tr1 = r0\n\tcall bpf_task_release\nout:\n\tr1 = r10\n\tr1 += -16\n\tr2 = 16\n\tcall bpf_get_current_comm\n\tr0 = 0\n\texit\n',
  'newtask-pid': '.section tp_btf/task_newtask\n.license "GPL"\n\tr6 = *(u64 *)(r1 + 0)\n\tr0 = *(u32 *)(r6 + task_struct.pid)\n\texit\n',
};

function imageOfBuilt(p: BuiltProgram | undefined): ProgramImage | undefined {
  return p ? imageOf(p.sections, p.maps, p.license) : undefined;
}

/** An XDP program: an example or one of the harness's own. */
export function xdpProgram(rng: Rng): { id: string; image: ProgramImage } {
  const ids = ['xdp-metadata', 'xdp-hash-sampler', 'xdp-queue-counter', 'xdp-to-tc-metadata', ...Object.keys(XDP_OWN)];
  for (;;) {
    const id = rng.pick(ids);
    const own = XDP_OWN[id];
    const image = imageOfBuilt(own === undefined ? builtExample(id) : builtSource(id, own));
    if (image) return { id, image };
  }
}

/** Examples that need one profile (the kfuncs of the other are missing). */
const PROFILE_OF: Readonly<Record<string, KernelProfile>> = { 'cpumask-query-618': 'linux-6.18', 'cpumask-query-63': 'linux-6.3', 'cpumask-kptr-rcu': 'linux-6.18', 'cpumask-kptr-get': 'linux-6.3' };

/** A program whose run reads the scenario: tasks, cgroups, the current task; and the profile it needs, if one. */
export function scenarioProgram(rng: Rng): { id: string; image: ProgramImage; profile?: KernelProfile } {
  const ids = ['cpumask-record-task', 'cpumask-set-clear', 'cpumask-query-618', 'cpumask-query-63', ...Object.keys(SCENARIO_OWN)];
  for (;;) {
    const id = rng.pick(ids);
    const own = SCENARIO_OWN[id];
    const image = imageOfBuilt(own === undefined ? builtExample(id) : builtSource(id, own));
    const profile = Object.hasOwn(PROFILE_OF, id) ? PROFILE_OF[id] : undefined;
    if (image) return { id, image, ...(profile ? { profile } : {}) };
  }
}
