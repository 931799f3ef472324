import { describe, expect, it } from 'vitest';
import { HELPER_DECLS } from '../kernel/helpers/prototypes.ts';
import { helperImpl } from '../kernel/helpers/registry.ts';
import { KFUNC_DECLS } from '../kernel/kfuncs/decls.ts';
import { FUNCTION_DOCS } from './reference.ts';

describe('FUNCTION_DOCS (what hovers and completions show)', () => {
  it('documents every helper the simulated kernel implements (and no other), with its id, program types and both profiles', () => {
    const helpers = FUNCTION_DOCS.filter((d) => d.kind === 'helper');
    // Helpers declared only so the verifier can check calls to them are not offered: a program
    // calling one stops at it ("not available in the simulated kernel").
    const implemented = HELPER_DECLS.filter((d) => !d.unimplemented);
    expect(helpers.map((d) => d.name).sort()).toEqual(implemented.map((d) => d.name).sort());
    for (const d of helpers) {
      const decl = HELPER_DECLS.find((h) => h.name === d.name);
      expect(d.id, d.name).toBe(decl?.id);
      expect(d.signature, d.name).toMatch(new RegExp(`\\b${d.name}\\(`));
      expect(d.flags[0], d.name).toMatch(/^program types: /);
      expect(d.profiles).toEqual(['linux-6.3', 'linux-6.18']);
    }
    expect(helpers.find((d) => d.name === 'bpf_probe_read_kernel')?.flags).toContain('GPL-compatible license only');
    expect(helpers.find((d) => d.name === 'bpf_redirect_map')?.flags).toEqual(['program types: xdp']);
  });

  it('documents every kfunc with its flags per profile and the profiles it exists in', () => {
    const kfuncs = FUNCTION_DOCS.filter((d) => d.kind === 'kfunc');
    expect(kfuncs.map((d) => d.name).sort()).toEqual(KFUNC_DECLS.map((d) => d.name).sort());
    const kptrGet = kfuncs.find((d) => d.name === 'bpf_cpumask_kptr_get');
    expect(kptrGet?.profiles).toEqual(['linux-6.3']);
    expect(kptrGet?.flags.join(' ')).toMatch(/KF_KPTR_GET/);
    const setCpu = kfuncs.find((d) => d.name === 'bpf_cpumask_set_cpu');
    expect(setCpu?.flags).toEqual([expect.stringMatching(/^linux-6\.3: KF_TRUSTED_ARGS/), expect.stringMatching(/^linux-6\.18: KF_RCU/)]);
    expect(kfuncs.find((d) => d.name === 'bpf_cpumask_any_distribute')?.profiles).toEqual(['linux-6.18']);
  });

  it('every declared helper not marked unimplemented has an implementation', () => {
    const missing = HELPER_DECLS.filter((d) => !d.unimplemented && !helperImpl(d.name)).map((d) => d.name);
    expect(missing).toEqual([]);
  });
});
