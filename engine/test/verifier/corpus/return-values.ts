// What a program may return: r0 must be set; for privileged XDP, tc, socket filter, syscall and
// tp_btf programs any scalar (and even a pointer) is accepted.

import { accept, reject, topic, type Case } from './build.ts';

const on = (section: string) => (name: string, body: string, expect: Case['expect'], note?: string): Case => ({ name: `${section.replace('tp_btf/', 'tp_btf ')} ${name}`, section, body, expect, ...(note ? { note } : {}) });
const xdp = on('xdp');
const tc = on('tc');
const socket = on('socket');
const syscall = on('syscall');
const newtask = on('tp_btf/task_newtask');

export const RETURN_VALUES = topic('return-values', [
  xdp('returns XDP_PASS', 'r0 = 2\nexit', accept),
  xdp('returns XDP_REDIRECT', 'r0 = 4\nexit', accept),
  xdp('returns 99', 'r0 = 99\nexit', accept, 'XDP has no return range in the verifier'),
  xdp('returns -1', 'r0 = -1\nexit', accept),
  xdp('returns an unknown 64-bit value', 'call bpf_ktime_get_ns\nexit', accept),
  xdp('returns the ctx pointer', 'r0 = r1\nexit', accept, 'root may leak a pointer'),
  xdp('returns nothing', 'r1 = 2\nexit', reject('R0 !read_ok')),
  tc('returns TC_ACT_SHOT', 'r0 = 2\nexit', accept),
  tc('returns -1', 'r0 = -1\nexit', accept),
  tc('returns nothing', 'exit', reject('R0 !read_ok')),
  socket('returns the packet length', 'r0 = *(u32 *)(r1 + 0)\nexit', accept),
  socket('returns a stack pointer', 'r0 = r10\nexit', accept),
  syscall('returns 0', 'r0 = 0\nexit', accept),
  syscall('returns -22', 'r0 = -22\nexit', accept),
  syscall('returns nothing', 'exit', reject('R0 !read_ok')),
  newtask('returns 0', 'r0 = 0\nexit', accept),
  newtask('returns 1', 'r0 = 1\nexit', accept),
  newtask('returns an unknown value', 'r0 = *(u64 *)(r1 + 8)\nexit', accept),
  newtask('returns the task pointer', 'r0 = *(u64 *)(r1 + 0)\nexit', accept),
  newtask('returns nothing', 'exit', reject('R0 !read_ok')),
]);
