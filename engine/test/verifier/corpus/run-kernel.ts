// Runs the corpus through the running kernel and prints, per entry, the verdict meant and the
// kernel's: `npx tsx engine/test/verifier/corpus/run-kernel.ts [NAME-SUBSTRING] [--all] [--json]`.
// Without --all only the entries whose verdict or message differs from the one meant are listed.

import { closeKernelLoader, loadInKernel } from '../kernel-load.ts';
import { expectedVerdict } from './build.ts';
import { VERIFIER_CORPUS } from './index.ts';

const args = process.argv.slice(2);
const all = args.includes('--all');
const json = args.includes('--json');
const filter = args.find((a) => !a.startsWith('--'));

const counts = { accepted: 0, rejected: 0, skipped: 0, differs: 0 };
const rows: unknown[] = [];
try {
  for (const e of VERIFIER_CORPUS) {
    if (filter && !e.name.includes(filter)) continue;
    const meant = expectedVerdict(e.source);
    const r = await loadInKernel(e.source, e.section ? { section: e.section } : {});
    if ('skipped' in r) {
      counts.skipped++;
      console.log(`SKIP ${e.name}: ${r.skipped}`);
      continue;
    }
    counts[r.accepted ? 'accepted' : 'rejected']++;
    // The message meant must be in the last lines of the log (the kernel's final words), not just anywhere in its trace.
    const tail = r.log.split('\n').slice(-6).join('\n');
    const ok = meant === 'accept' ? r.accepted : !r.accepted && meant !== undefined && (r.message.includes(meant.reject) || tail.includes(meant.reject));
    if (!ok) counts.differs++;
    if (json) rows.push({ name: e.name, meant, accepted: r.accepted, message: r.message });
    else if (all || !ok) console.log(`${ok ? 'ok  ' : 'DIFF'} ${e.name}\n     meant: ${meant === 'accept' ? 'accept' : `reject "${meant?.reject}"`}\n     kernel: ${r.accepted ? 'accept' : `reject "${r.message}" (errno ${r.errno})`}`);
  }
} finally {
  await closeKernelLoader();
}
if (json) console.log(JSON.stringify(rows));
console.log(JSON.stringify(counts));
