// Every kfunc implementation by name. The kernel looks a call's declaration up by id
// (ids.ts), checks profile and program type against it, then runs the implementation here.

import type { CallImpl } from '../services.ts';
import { dictionary } from '../../util/dictionary.ts';
import { CONNTRACK_KFUNCS } from './conntrack.ts';
import { CPUMASK_SET_KFUNCS } from './cpumask-sets.ts';
import { CPUMASK_KFUNCS } from './cpumask.ts';
import { TASK_CGROUP_KFUNCS } from './task-cgroup.ts';
import { XDP_METADATA_KFUNC_IMPLS } from './xdp-metadata.ts';

export const KFUNC_IMPLS: Readonly<Record<string, CallImpl>> = dictionary({
  ...CPUMASK_KFUNCS,
  ...CPUMASK_SET_KFUNCS,
  ...TASK_CGROUP_KFUNCS,
  ...CONNTRACK_KFUNCS,
  ...XDP_METADATA_KFUNC_IMPLS,
});
