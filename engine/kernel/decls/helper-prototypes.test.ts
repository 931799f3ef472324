// The helper prototypes checked for the rules the kernel's own check_func_proto and
// check_helper_call rely on: names and ids agree with enum bpf_func_id, each memory argument has
// its size right after it and each size a memory argument before it, at most one argument
// releases a reference, and the return kinds carry what they need.

import { describe, expect, it } from 'vitest';
import type { HelperArgDecl, HelperDecl } from './index.ts';
import { BPF_FUNC_MAX_ID, HELPER_DECLS, helperArgs, helperName, helperPrototype, helperSizeArg } from './index.ts';

const MEM = new Set(['ptr_to_mem', 'ptr_to_uninit_mem', 'ptr_to_mem_or_null']);
const SIZE = new Set(['const_size', 'const_size_or_zero']);
/** Return kinds whose pointer is a reference the program must release (is_acquire_function). */
const ACQUIRING = new Set(['ptr_to_socket_or_null', 'ptr_to_sock_common_or_null']);

/** Every argument list of a helper: its own and each program type's (progTypeArgs). */
function argLists(d: HelperDecl): (readonly HelperArgDecl[])[] {
  return [d.args, ...Object.values(d.progTypeArgs ?? {}).filter((a): a is readonly HelperArgDecl[] => a !== undefined)];
}

describe('helper prototypes (consistency)', () => {
  it('have UAPI ids and names, one prototype per id', () => {
    const ids = new Set<number>();
    for (const d of HELPER_DECLS) {
      expect(d.id, d.name).toBeGreaterThan(0);
      expect(d.id, d.name).toBeLessThan(BPF_FUNC_MAX_ID);
      expect(helperName(d.id), d.name).toBe(d.name);
      expect(helperPrototype(d.id), d.name).toBe(d);
      expect(ids.has(d.id), d.name).toBe(false);
      ids.add(d.id);
    }
  });

  it('take at most five arguments, with a size right after each memory argument and a memory argument before each size', () => {
    for (const d of HELPER_DECLS) {
      for (const args of argLists(d)) {
        expect(args.length, d.name).toBeLessThanOrEqual(5);
        args.forEach((a, i) => {
          const what = `${d.name} arg ${i + 1} (${a.type})`;
          if (MEM.has(a.type)) {
            expect(SIZE.has(args[i + 1]?.type ?? ''), `${what} has no size after it`).toBe(true);
            expect(helperSizeArg({ ...d, args }, i), what).toBe(i + 1);
          }
          if (SIZE.has(a.type)) expect(MEM.has(args[i - 1]?.type ?? ''), `${what} follows no memory argument`).toBe(true);
          // A NULL memory argument must come with size 0: its size may be zero.
          if (a.type === 'ptr_to_mem_or_null') expect(args[i + 1]?.type, what).toBe('const_size_or_zero');
        });
        expect(args.filter((a) => a.flags?.includes('OBJ_RELEASE')).length, d.name).toBeLessThanOrEqual(1);
      }
    }
  });

  it('give each return kind what it needs', () => {
    for (const d of HELPER_DECLS) {
      expect(d.ret === 'ptr_to_btf_id', d.name).toBe(d.retBtfType !== undefined);
      if (ACQUIRING.has(d.ret)) expect(d.acquire, d.name).toBe(true);
      if (d.acquire) expect(['ptr_to_socket_or_null', 'ptr_to_sock_common_or_null', 'ptr_to_mem_or_null', 'ptr_to_btf_id_or_null'], d.name).toContain(d.ret);
      if (d.retSizeArg !== undefined) expect(d.args[d.retSizeArg]?.type, d.name).toBe('const_alloc_size_or_zero');
      // A helper-specific prototype only where the helper exists at all.
      for (const t of Object.keys(d.progTypeArgs ?? {})) if (d.progTypes !== 'any') expect(d.progTypes, d.name).toContain(t);
    }
  });

  it('declare the prototypes Linux 6.18 has for the socket and task helpers', () => {
    const p = (n: string): HelperDecl => {
      const d = HELPER_DECLS.find((x) => x.name === n);
      if (!d) throw new Error(`no prototype for ${n}`);
      return d;
    };
    expect(p('bpf_sk_lookup_tcp')).toMatchObject({ id: 84, ret: 'ptr_to_socket_or_null', acquire: true, pktAccess: true });
    expect(p('bpf_sk_lookup_tcp').unimplemented).toBeUndefined();
    expect(p('bpf_skc_lookup_tcp').ret).toBe('ptr_to_sock_common_or_null');
    expect(p('bpf_sk_release').args).toEqual([{ name: 'sock', type: 'ptr_to_btf_id_sock_common', flags: ['OBJ_RELEASE'] }]);
    expect(p('bpf_get_current_task_btf')).toMatchObject({ ret: 'ptr_to_btf_id', retBtfType: 'task_struct', retFlags: ['PTR_TRUSTED'], gplOnly: true });
    expect(p('bpf_csum_diff').args.map((a) => a.type)).toEqual(['ptr_to_mem_or_null', 'const_size_or_zero', 'ptr_to_mem_or_null', 'const_size_or_zero', 'anything']);
    expect(helperArgs(p('bpf_get_socket_cookie'), 'tc')).toEqual([{ name: 'ctx', type: 'ptr_to_ctx' }]);
    expect(helperArgs(p('bpf_get_socket_cookie'), 'tp_btf')[0]?.type).toBe('ptr_to_btf_id_sock_common');
    // bpf_trace_printk_proto declares fmt and fmt_size only: r3-r5 are never checked.
    expect(p('bpf_trace_printk').args.map((a) => a.type)).toEqual(['ptr_to_mem', 'const_size']);
  });
});
