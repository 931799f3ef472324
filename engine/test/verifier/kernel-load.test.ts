// loadInKernel and buildRefusal on a kernel build that refuses a helper upstream allows (one
// 6.18 build refuses bpf_xdp_adjust_meta in XDP programs): simulated with BPFP_KERNEL_REFUSE
// (kernel/refusing.ts), so that this runs on any machine whose kernel can be asked; the program
// is left out in the kernel's words, and one without the helper still loads. Skipped, saying
// why, where the kernel cannot be asked.

import { afterAll, describe, expect, it } from 'vitest';
import { REFUSE_ENV } from '../kernel/refusing.ts';
import { buildRefusal, closeKernelLoader, loadInKernel, sharedOracle } from './kernel-load.ts';

const before = process.env[REFUSE_ENV];
// Before the shared oracle is made (on first use, below): it reads the variable then.
process.env[REFUSE_ENV] = 'bpf_xdp_adjust_meta';
const oracle = await sharedOracle();
const unavailable = 'unavailable' in oracle ? oracle.unavailable : undefined;
if (unavailable) console.log(`skipped: ${unavailable}`);

afterAll(async () => {
  await closeKernelLoader();
  if (before === undefined) delete process.env[REFUSE_ENV];
  else process.env[REFUSE_ENV] = before;
});

const META = '.section xdp\n.license "GPL"\nr6 = r1\nr2 = -8\ncall bpf_xdp_adjust_meta\nr0 = 2\nexit\n';
const PLAIN = '.section xdp\n.license "GPL"\nr0 = 2\nexit\n';

describe.skipIf(unavailable !== undefined)('loading into a kernel build that refuses bpf_xdp_adjust_meta (simulated)', () => {
  it('leaves out a program calling it, in the kernel\'s words, and says upstream allows it', async () => {
    const r = await loadInKernel(META);
    expect(r).toEqual({ skipped: expect.stringMatching(/^bpf_xdp_adjust_meta in xdp programs: this kernel build refuses it \(".*bpf_xdp_adjust_meta.*"\); upstream Linux allows it/) });
    expect(await buildRefusal(META)).toBe('skipped' in r ? r.skipped : '');
  });

  it('still loads a program that does not call it', async () => {
    expect(await loadInKernel(PLAIN)).toMatchObject({ accepted: true, message: '' });
    expect(await buildRefusal(PLAIN)).toBeUndefined();
  });
});
