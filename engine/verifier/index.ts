// The verifier: structure checks (check_subprogs, check_cfg), then the path analysis (do_check).
// A refusal is an answer with the kernel's message and log, never an exception.

import { checkStructure } from '../program/structure.ts';
import type { VerifyRequest, VerifyResult } from './api.ts';
import { Checker } from './checker.ts';
import { kfuncById } from './decls.ts';

export type { VerifyRequest, VerifyResult, VerifyError, VerifyStats, LogLevel, RelatedSite, StateBelief, RegBelief, ScalarBelief, ExploredAt } from './api.ts';

const NO_STATS = { processed: 0, maxStatesPerInsn: 0, totalStates: 0, peakStates: 0, markRead: 0 };

/**
 * add_subprog_and_kfunc's refusals of a kfunc call (add_kfunc_call), made for every call in
 * program order before the structure checks: a non-GPL program, an id that is no function of
 * this kernel, an XDP metadata kfunc in a program not bound to a device.
 */
function kfuncProblems(req: VerifyRequest): { pc: number; message: string }[] {
  for (let pc = 0; pc < req.insns.length; pc++) {
    const insn = req.insns[pc];
    if (insn?.kind !== 'call' || insn.target !== 'kfunc') continue;
    if (!req.gpl) return [{ pc, message: 'cannot call kernel function from non-GPL compatible program' }];
    const k = kfuncById(insn.imm, req.profile);
    if (!k) return [{ pc, message: `kernel btf_id ${insn.imm} is not a function` }];
    if (k.metadata && !req.deviceBound) return [{ pc, message: 'metadata kfuncs require device-bound program' }];
  }
  return [];
}

export function verify(req: VerifyRequest): VerifyResult {
  const structure = [...kfuncProblems(req), ...checkStructure(req.insns)];
  const first = structure[0];
  if (first) {
    const log = req.logLevel > 0 ? `${first.message}\nprocessed 0 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0\n` : '';
    return { accepted: false, errors: [{ pc: first.pc, message: first.message }], log, stats: NO_STATS };
  }
  return new Checker(req).run();
}
