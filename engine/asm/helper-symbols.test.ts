import { describe, expect, it } from 'vitest';
import { assemble } from './index.ts';
import { kernelSymbols } from './symbols.ts';

describe('helper names the assembler knows', () => {
  it('the assembler resolves every UAPI name (with or without bpf_) but offers only implemented ones', () => {
    expect(kernelSymbols.helperId('bpf_skb_load_bytes')).toBe(26);
    expect(kernelSymbols.helperId('sk_lookup_tcp')).toBe(84);
    expect(kernelSymbols.helperId('bpf_no_such_helper')).toBeUndefined();
    expect(kernelSymbols.helperNames()).not.toContain('bpf_skb_load_bytes');
    expect(kernelSymbols.helperNames()).toContain('bpf_map_lookup_elem');
  });

  it('assembles a call of a helper the simulated kernel does not run to its UAPI id', () => {
    const asm = assemble('.section xdp\ncall bpf_sk_lookup_tcp\nr0 = 2\nexit');
    expect(asm.ok).toBe(true);
    if (asm.ok) expect(asm.sections[0]?.insns[0]).toMatchObject({ kind: 'call', target: 'helper', imm: 84 });
  });
});
