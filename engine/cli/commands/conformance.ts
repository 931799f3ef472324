// `bpfp conformance DIR [--json]`: runs every bpf_conformance `.data` file in DIR as a raw
// program and compares r0 (or the expected error). Tests that cannot pass on a faithful
// Linux engine are skipped with their reason; the last line is `N passed, M failed, K skipped`.

import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Session } from '../../worker/session.ts';
import { checkKnown, type ParsedArgs, UsageError } from '../args.ts';
import { loadProgram, u64hex } from '../inputs.ts';
import { EXIT_OK, EXIT_REJECTED, type Io } from '../io.ts';

/** Tests skipped on purpose, with the reason shown (and repeated in the README). */
export const CONFORMANCE_SKIPS: ReadonlyMap<string, string> = new Map([
  ['callx.data', 'callx (BPF_CALL|BPF_X, call through a register) is not in RFC 9669 and Linux rejects it ("unknown opcode 8d")'],
]);

type Outcome = { test: string; status: 'pass' | 'fail' | 'skip'; expected?: string; r0?: string; error?: string; reason?: string };

export function conformanceCommand(args: ParsedArgs, io: Io): number {
  checkKnown(args, ['--json']);
  const [dir, ...extra] = args.positional;
  if (!dir || extra.length) throw new UsageError('conformance takes one DIR');
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.data')).sort();
  } catch (e) {
    io.err(`${dir}: error: cannot read directory: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    return EXIT_REJECTED;
  }
  if (files.length === 0) {
    io.err(`${dir}: error: no .data files`);
    return EXIT_REJECTED;
  }
  const json = args.flags.has('--json');
  const session = new Session();
  const counts = { pass: 0, fail: 0, skip: 0 };
  for (const name of files) {
    const o = runOne(session, dir, name);
    counts[o.status]++;
    if (json) io.out(JSON.stringify(o));
    else if (o.status === 'pass') io.out(`PASS ${o.test}`);
    else if (o.status === 'skip') io.out(`SKIP ${o.test}: ${o.reason}`);
    else io.out(`FAIL ${o.test}: ${o.error ?? `expected ${o.expected}, got ${o.r0}`}`);
  }
  const summary = `${counts.pass} passed, ${counts.fail} failed, ${counts.skip} skipped`;
  if (json) io.out(JSON.stringify({ summary: true, passed: counts.pass, failed: counts.fail, skipped: counts.skip }));
  else io.out(summary);
  return counts.fail ? EXIT_REJECTED : EXIT_OK;
}

function runOne(session: Session, dir: string, name: string): Outcome {
  const skip = CONFORMANCE_SKIPS.get(name);
  if (skip) return { test: name, status: 'skip', reason: skip };
  const loaded = loadProgram(join(dir, name), {});
  if (!loaded.ok) return { test: name, status: 'fail', error: loaded.messages.join('; ') };
  const { test } = loaded.input;
  const reply = session.runRaw({ bytecode: loaded.input.bytes, ...(test?.mem ? { mem: test.mem } : {}) });
  if (test?.error !== undefined) {
    // The test expects a failure; any failure message counts (engines word them differently).
    return reply.ok
      ? { test: name, status: 'fail', error: `expected an error (${test.error}), got r0 ${u64hex(reply.r0)}` }
      : { test: name, status: 'pass', error: reply.error };
  }
  if (!reply.ok) return { test: name, status: 'fail', error: reply.error };
  const expected = test?.result;
  if (expected === undefined) return { test: name, status: 'fail', error: 'the test has no -- result' };
  const r0 = u64hex(reply.r0);
  return reply.r0 === expected ? { test: name, status: 'pass', r0 } : { test: name, status: 'fail', expected: u64hex(expected), r0 };
}
