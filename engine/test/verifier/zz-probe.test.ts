import { it } from 'vitest';
import { closeKernelLoader, loadInKernel } from './kernel-load.ts';
import { verify } from '../../verifier/index.ts';
import { prepareLoad } from './kernel-load.ts';
const progs: Record<string, string> = JSON.parse(process.env.PROBES ?? '{}');
it('probe', async () => {
  for (const [name, src] of Object.entries(progs)) {
    const k = await loadInKernel(src, { logLevel: 1 });
    const p = prepareLoad(src, { logLevel: 1 });
    let ours = '';
    if (!('skipped' in p)) { const r = verify({ insns: p.section.insns, kind: p.section.kind, maps: p.maps, gpl: p.gpl, profile: 'linux-6.18', logLevel: 1, ...(p.deviceBound ? { deviceBound: true } : {}) }); ours = r.accepted ? 'accepts' : r.errors[0]?.message ?? '?'; }
    console.log(`== ${name}\nkernel: ${'skipped' in k ? k.skipped : k.accepted ? 'accepts' : k.message}\nours:   ${ours}`);
    if (process.env.PROBE_LOG) console.log('skipped' in k ? '' : k.log);
  }
  await closeKernelLoader();
}, 60000);
