// The verifier: structure checks (check_subprogs, check_cfg), then the path analysis (do_check).
// A refusal is an answer with the kernel's message and log, never an exception.

import { checkStructure } from '../program/structure.ts';
import type { VerifyRequest, VerifyResult } from './api.ts';
import { Checker } from './checker.ts';

export type { VerifyRequest, VerifyResult, VerifyError, VerifyStats, LogLevel, RelatedSite } from './api.ts';

const NO_STATS = { processed: 0, maxStatesPerInsn: 0, totalStates: 0, peakStates: 0, markRead: 0 };

/** add_subprog_and_kfunc's refusals, made before the structure checks. */
function kfuncProblems(req: VerifyRequest): { pc: number; message: string }[] {
  if (req.gpl) return [];
  const pc = req.insns.findIndex((i) => i?.kind === 'call' && i.target === 'kfunc');
  return pc < 0 ? [] : [{ pc, message: 'cannot call kernel function from non-GPL compatible program' }];
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
