// Reference tracking with socket lookups: bpf_sk_lookup_* return a referenced socket or NULL
// that must be released once on every path, cannot be moved or used after release; ctx->sk is
// not a reference and cannot be released.

import { accept, reject, topic, type Case } from './build.ts';

const on = (section: string) => (name: string, body: string, expect: Case['expect'], note?: string, maps?: readonly string[]): Case => ({ name: `${section} ${name}`, section, body, expect, ...(note ? { note } : {}), ...(maps ? { maps } : {}) });
const tc = on('tc');
const xdp = on('xdp');
/** r0 = bpf_sk_lookup_tcp (84) (ctx, &tuple at fp-16, 12, current netns, 0), with r6 = ctx. */
const lookup = (helper = 84): string => `r6 = r1\n*(u64 *)(r10 - 16) = 0\n*(u32 *)(r10 - 8) = 0\nr2 = r10\nr2 += -16\nr3 = 12\nr4 = -1\nr5 = 0\ncall ${helper}`;
const RELEASE = 'r1 = r0\ncall 86';
const OUT = 'out:\nr0 = 0\nexit';

export const REFS = topic('refs', [
  tc('sk_lookup_tcp (84) then sk_release (86)', `${lookup()}\nif r0 == 0 goto out\n${RELEASE}\n${OUT}`, accept),
  tc('sk_lookup_udp (85) then sk_release', `${lookup(85)}\nif r0 == 0 goto out\n${RELEASE}\n${OUT}`, accept),
  tc('skc_lookup_tcp (99) then sk_release', `${lookup(99)}\nif r0 == 0 goto out\n${RELEASE}\n${OUT}`, accept),
  xdp('sk_lookup_tcp then sk_release', `${lookup()}\nif r0 == 0 goto out\n${RELEASE}\nout:\nr0 = 2\nexit`, accept),
  tc('socket never released', `${lookup()}\nif r0 == 0 goto out\n${OUT}`, reject('Unreleased reference id=')),
  tc('socket released on one path only', `${lookup()}\nif r0 == 0 goto out\nr7 = *(u32 *)(r6 + 8)\nif r7 == 0 goto out\n${RELEASE}\n${OUT}`, reject('Unreleased reference id=')),
  tc('socket released without NULL check', `${lookup()}\n${RELEASE}\n${OUT}`, reject('R1 type=sock_or_null expected=sock')),
  tc('socket released twice', `${lookup()}\nif r0 == 0 goto out\nr7 = r0\n${RELEASE}\nr1 = r7\ncall 86\n${OUT}`, reject('R1 type=scalar expected=sock')),
  tc('socket field read after release', `${lookup()}\nif r0 == 0 goto out\nr7 = r0\n${RELEASE}\nr0 = *(u32 *)(r7 + 4)\n${OUT}`, reject("R7 invalid mem access 'scalar'")),
  tc('socket family read', `${lookup()}\nif r0 == 0 goto out\nr7 = *(u32 *)(r0 + 4)\n${RELEASE}\n${OUT}`, accept),
  tc('socket field read without NULL check', `${lookup()}\nr7 = *(u32 *)(r0 + 4)\nif r0 == 0 goto out\n${RELEASE}\n${OUT}`, reject("R0 invalid mem access 'sock_or_null'")),
  tc('socket field written', `${lookup()}\nif r0 == 0 goto out\n*(u32 *)(r0 + 16) = 1\n${RELEASE}\n${OUT}`, reject('cannot write into sock')),
  tc('socket read past struct bpf_sock', `${lookup()}\nif r0 == 0 goto out\nr7 = *(u32 *)(r0 + 200)\n${RELEASE}\n${OUT}`, reject('invalid sock access off=200 size=4')),
  tc('pointer arithmetic on a socket', `${lookup()}\nif r0 == 0 goto out\nr0 += 4\n${RELEASE}\n${OUT}`, reject('R0 pointer arithmetic on sock prohibited')),
  tc('socket spilled and filled before release', `${lookup()}\nif r0 == 0 goto out\n*(u64 *)(r10 - 24) = r0\nr1 = *(u64 *)(r10 - 24)\ncall 86\n${OUT}`, accept),
  tc('socket released through a copy', `${lookup()}\nr7 = r0\nif r7 == 0 goto out\nr1 = r7\ncall 86\n${OUT}`, accept),
  tc('tail call while holding a socket', `${lookup()}\nif r0 == 0 goto out\nr7 = r0\nr1 = r6\nr2 = pa ll\nr3 = 0\ncall bpf_tail_call\nr1 = r7\ncall 86\n${OUT}`, reject('tail_call would lead to reference leak'), undefined, ['pa type=prog_array key=4 value=4 max_entries=1']),
  tc('release ctx->sk', 'r1 = *(u64 *)(r1 + 168)\nif r1 == 0 goto out\ncall 86\nout:\nr0 = 0\nexit', reject('must be referenced when passed to release function')),
  tc('release a stack pointer', 'r1 = r10\nr1 += -8\ncall 86\nr0 = 0\nexit', reject('R1 type=fp expected=sock')),
  tc('lookup with a tuple past the stack', 'r2 = r10\nr2 += -8\nr3 = 12\nr4 = -1\nr5 = 0\ncall 84\nif r0 == 0 goto out\nr1 = r0\ncall 86\nout:\nr0 = 0\nexit', reject('invalid read from stack R2 off=-8 size=12')),
  tc('two sockets, both released', `${lookup()}\nif r0 == 0 goto out\nr7 = r0\nr1 = r6\nr2 = r10\nr2 += -16\nr3 = 12\nr4 = -1\nr5 = 0\ncall 84\nif r0 == 0 goto one\n${RELEASE}\none:\nr1 = r7\ncall 86\n${OUT}`, accept),
  tc('two sockets, the first leaked', `${lookup()}\nif r0 == 0 goto out\nr7 = r0\nr1 = r6\nr2 = r10\nr2 += -16\nr3 = 12\nr4 = -1\nr5 = 0\ncall 84\nif r0 == 0 goto out\n${RELEASE}\n${OUT}`, reject('Unreleased reference id=')),
]);
