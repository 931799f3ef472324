// Context accesses per program type: which fields of struct xdp_md, struct __sk_buff, a syscall
// program's buffer and a tp_btf tracepoint's arguments may be read or written, with which sizes.

import { accept, reject, topic, type Case } from './build.ts';

const on = (section: string) => (name: string, body: string, expect: Case['expect'], note?: string): Case => ({ name: `${section.replace('tp_btf/', 'tp_btf ')} ${name}`, section, body, expect, ...(note ? { note } : {}) });
const xdp = on('xdp');
const tc = on('tc');
const socket = on('socket');
const syscall = on('syscall');
const newtask = on('tp_btf/task_newtask');
const mkdir = on('tp_btf/cgroup_mkdir');

const at = (off: number): string => (off < 0 ? `r1 - ${-off}` : `r1 + ${off}`);
const read = (size: string, off: number): string => `r0 = *(${size} *)(${at(off)})\nr0 = 0\nexit`;
const write = (size: string, off: number): string => `r2 = 1\n*(${size} *)(${at(off)}) = r2\nr0 = 0\nexit`;
const BAD = 'invalid bpf_context access';

const xdpCases: Case[] = [
  xdp('read data', read('u32', 0), accept),
  xdp('read data_end', read('u32', 4), accept),
  xdp('read data_meta', read('u32', 8), accept),
  xdp('read ingress_ifindex', read('u32', 12), accept),
  xdp('read rx_queue_index', read('u32', 16), accept),
  xdp('read egress_ifindex outside a devmap program', read('u32', 20), reject(`${BAD} off=20 size=4`)),
  xdp('read past the end of xdp_md', read('u32', 24), reject(`${BAD} off=24 size=4`)),
  xdp('read at a negative offset', read('u32', -4), reject(BAD)),
  xdp('u8 read of ingress_ifindex', read('u8', 12), reject(`${BAD} off=12 size=1`)),
  xdp('u16 read of rx_queue_index', read('u16', 16), reject(`${BAD} off=16 size=2`)),
  xdp('u64 read of data', read('u64', 0), reject(`${BAD} off=0 size=8`)),
  xdp('misaligned u32 read', read('u32', 2), reject(BAD)),
  xdp('write data', write('u32', 0), reject(`${BAD} off=0 size=4`)),
  xdp('write rx_queue_index', write('u32', 16), reject(`${BAD} off=16 size=4`)),
  xdp('store immediate into ctx', '*(u32 *)(r1 + 12) = 0\nr0 = 0\nexit', reject(`${BAD} off=12 size=4`)),
  xdp('read through modified ctx pointer', 'r1 += 4\nr0 = *(u32 *)(r1 + 0)\nexit', reject('dereference of modified ctx ptr R1 off=4 disallowed')),
  xdp('sign-extending read of data', 'r0 = *(s32 *)(r1 + 0)\nr0 = 0\nexit', reject(BAD)),
];

const tcCases: Case[] = [
  tc('read len', read('u32', 0), accept),
  tc('u8 read of len', read('u8', 0), accept),
  tc('u16 read of protocol', read('u16', 16), accept),
  tc('u8 read of mark second byte', read('u8', 9), accept),
  tc('read mark', read('u32', 8), accept),
  tc('read hash', read('u32', 68), accept),
  tc('read data and data_end', 'r2 = *(u32 *)(r1 + 76)\nr3 = *(u32 *)(r1 + 80)\nr0 = 0\nexit', accept),
  tc('read data_meta', read('u32', 140), accept),
  tc('read tstamp', read('u64', 152), accept),
  tc('read wire_len', read('u32', 160), accept),
  tc('read sk', read('u64', 168), accept),
  tc('u32 read of sk', read('u32', 168), reject(`${BAD} off=168 size=4`)),
  tc('read family', read('u32', 88), reject(`${BAD} off=88 size=4`)),
  tc('read remote_port', read('u32', 132), reject(`${BAD} off=132 size=4`)),
  tc('read flow_keys', read('u64', 144), reject(`${BAD} off=144 size=8`)),
  tc('read past the end of __sk_buff', read('u32', 192), reject(`${BAD} off=192 size=4`)),
  tc('u64 read of len', read('u64', 0), reject(`${BAD} off=0 size=8`)),
  tc('write mark', write('u32', 8), accept),
  tc('write priority', write('u32', 32), accept),
  tc('write tc_index', write('u32', 44), accept),
  tc('write cb[0]', write('u32', 48), accept),
  tc('write tc_classid', write('u32', 72), accept),
  tc('u8 write of cb[0]', write('u8', 48), accept),
  tc('u16 read of data', read('u16', 76), reject(`${BAD} off=76 size=2`)),
  tc('write queue_mapping', write('u32', 12), accept),
  tc('read napi_id', read('u32', 84), accept),
  tc('read gso_segs', read('u32', 164), accept),
  tc('read hwtstamp', read('u64', 184), accept),
  tc('write tstamp', write('u64', 152), accept),
  tc('write len', write('u32', 0), reject(`${BAD} off=0 size=4`)),
  tc('write data', write('u32', 76), reject(`${BAD} off=76 size=4`)),
  tc('write ifindex', write('u32', 40), reject(`${BAD} off=40 size=4`)),
  tc('u8 write of mark', write('u8', 8), reject(BAD)),
];

const socketCases: Case[] = [
  socket('read len', read('u32', 0), accept),
  socket('read protocol', read('u32', 16), accept),
  socket('read cb[4]', read('u32', 64), accept),
  socket('write cb[1]', write('u32', 52), accept),
  socket('read data', read('u32', 76), reject(`${BAD} off=76 size=4`)),
  socket('read tc_classid', read('u32', 72), reject(`${BAD} off=72 size=4`)),
  socket('read family', read('u32', 88), reject(`${BAD} off=88 size=4`)),
  socket('read tstamp', read('u64', 152), reject(`${BAD} off=152 size=8`)),
  socket('write mark', write('u32', 8), reject(`${BAD} off=8 size=4`)),
  socket('write priority', write('u32', 32), reject(`${BAD} off=32 size=4`)),
];

const syscallCases: Case[] = [
  syscall('read u32 at 0', read('u32', 0), accept),
  syscall('read u64 at 8', read('u64', 8), accept),
  syscall('write u64 at 0', write('u64', 0), accept),
  syscall('read u64 at the largest encodable offset', read('u64', 32760), accept),
  syscall('misaligned u64 read', read('u64', 4), reject(BAD)),
  syscall('misaligned u32 read', read('u32', 3), reject(BAD)),
  syscall('read at a negative offset', read('u64', -8), reject(BAD)),
];

const tracing: Case[] = [
  newtask('read task argument', read('u64', 0), accept),
  newtask('read clone_flags argument', read('u64', 8), accept),
  newtask('read a third argument', read('u64', 16), reject("func 'task_newtask' doesn't have 3-th argument")),
  newtask('u32 read of task argument', read('u32', 0), reject(BAD)),
  newtask('misaligned read of arguments', read('u64', 4), reject(BAD)),
  newtask('write an argument', write('u64', 8), reject(BAD)),
  newtask('read task pid', 'r2 = *(u64 *)(r1 + 0)\nr0 = *(u32 *)(r2 + task_struct.pid)\nr0 = 0\nexit', accept),
  newtask('read task real_parent pid', 'r2 = *(u64 *)(r1 + 0)\nr2 = *(u64 *)(r2 + task_struct.real_parent)\nr0 = *(u32 *)(r2 + task_struct.pid)\nr0 = 0\nexit', accept),
  newtask('write task pid', 'r2 = *(u64 *)(r1 + 0)\nr3 = 1\n*(u32 *)(r2 + task_struct.pid) = r3\nr0 = 0\nexit', reject('only read is supported')),
  newtask('read far beyond struct task_struct', 'r2 = *(u64 *)(r1 + 0)\nr0 = *(u64 *)(r2 + 0x7ff8)\nr0 = 0\nexit', reject('access beyond struct task_struct')),
  newtask('read clone_flags and deref it', 'r2 = *(u64 *)(r1 + 8)\nr0 = *(u64 *)(r2 + 0)\nexit', reject("R2 invalid mem access 'scalar'")),
  mkdir('read cgroup level', 'r2 = *(u64 *)(r1 + 0)\nr0 = *(u32 *)(r2 + cgroup.level)\nr0 = 0\nexit', accept),
  mkdir('read path argument', read('u64', 8), accept),
  mkdir('read a third argument', read('u64', 16), reject("func 'cgroup_mkdir' doesn't have 3-th argument")),
];

export const CTX = topic('ctx', [...xdpCases, ...tcCases, ...socketCases, ...syscallCases, ...tracing]);
