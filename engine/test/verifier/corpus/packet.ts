// Direct packet access: reads and writes between data and data_end are allowed only after a
// comparison has shown them in range (off-by-one included), data_meta only before data, and
// helpers that move the packet invalidate every packet pointer.

import { accept, reject, topic, TC_PKT, XDP_PKT, type Case } from './build.ts';

const xdp = (name: string, body: string, expect: Case['expect'], note?: string): Case => ({ name: `xdp ${name}`, section: 'xdp', body, expect, ...(note ? { note } : {}) });
const tc = (name: string, body: string, expect: Case['expect'], note?: string): Case => ({ name: `tc ${name}`, section: 'tc', body, expect, ...(note ? { note } : {}) });

/** Checks data + n against data_end with `cond` (taken = out of range), then runs `access`. */
const checked = (pkt: string, n: number, access: string, cond = 'if r4 > r3 goto out'): string =>
  `${pkt}\nr4 = r2\nr4 += ${n}\n${cond}\n${access}\nout:\nr0 = 2\nexit`;

const PKT_ERR = 'invalid access to packet';

const reads: Case[] = [
  xdp('read u8 without check', `${XDP_PKT}\nr0 = *(u8 *)(r2 + 0)\nr0 = 2\nexit`, reject(`${PKT_ERR}, off=0 size=1, R2(id=0,off=0,r=0)`)),
  xdp('read u8 at the last checked byte', checked(XDP_PKT, 14, 'r0 = *(u8 *)(r2 + 13)'), accept),
  xdp('read u8 one past the checked range', checked(XDP_PKT, 14, 'r0 = *(u8 *)(r2 + 14)'), reject(`${PKT_ERR}, off=14 size=1`)),
  xdp('read u16 ending at the checked range', checked(XDP_PKT, 14, 'r0 = *(u16 *)(r2 + 12)'), accept),
  xdp('read u16 crossing the checked range', checked(XDP_PKT, 14, 'r0 = *(u16 *)(r2 + 13)'), reject(`${PKT_ERR}, off=13 size=2`)),
  xdp('read u32 ending at the checked range', checked(XDP_PKT, 14, 'r0 = *(u32 *)(r2 + 10)'), accept),
  xdp('read u32 crossing the checked range', checked(XDP_PKT, 14, 'r0 = *(u32 *)(r2 + 11)'), reject(`${PKT_ERR}, off=11 size=4`)),
  xdp('read misaligned u64 inside the checked range', checked(XDP_PKT, 14, 'r0 = *(u64 *)(r2 + 6)'), accept, 'packet alignment is not strict by default'),
  xdp('read u64 crossing the checked range', checked(XDP_PKT, 14, 'r0 = *(u64 *)(r2 + 7)'), reject(`${PKT_ERR}, off=7 size=8`)),
  xdp('read before data', checked(XDP_PKT, 14, 'r0 = *(u8 *)(r2 - 1)'), reject(PKT_ERR)),
  xdp('check with >= gives one more byte', checked(XDP_PKT, 14, 'r0 = *(u8 *)(r2 + 14)', 'if r4 >= r3 goto out'), accept),
  xdp('check with >= but read two past', checked(XDP_PKT, 14, 'r0 = *(u16 *)(r2 + 14)', 'if r4 >= r3 goto out'), reject(PKT_ERR)),
  xdp('check with data_end < pkt', checked(XDP_PKT, 8, 'r0 = *(u64 *)(r2 + 0)', 'if r3 < r4 goto out'), accept),
  xdp('check with data_end <= pkt', checked(XDP_PKT, 8, 'r0 = *(u8 *)(r2 + 8)', 'if r3 <= r4 goto out'), accept),
  xdp('access on the taken in-range branch', `${XDP_PKT}\nr4 = r2\nr4 += 4\nif r4 <= r3 goto ok\nr0 = 1\nexit\nok:\nr0 = *(u32 *)(r2 + 0)\nexit`, accept),
  xdp('access on the out-of-range branch', `${XDP_PKT}\nr4 = r2\nr4 += 4\nif r4 > r3 goto bad\nr0 = 2\nexit\nbad:\nr0 = *(u32 *)(r2 + 0)\nexit`, reject(PKT_ERR)),
  xdp('check through a copy, read through the original', `${XDP_PKT}\nr5 = r2\nr4 = r5\nr4 += 14\nif r4 > r3 goto out\nr0 = *(u8 *)(r2 + 13)\nout:\nr0 = 2\nexit`, accept),
  xdp('32-bit comparison learns no range', checked(XDP_PKT, 4, 'r0 = *(u8 *)(r2 + 0)', 'if w4 > w3 goto out'), reject(PKT_ERR)),
  xdp('length compared as a scalar learns no range', `${XDP_PKT}\nr4 = r3\nr4 -= r2\nif r4 < 14 goto out\nr0 = *(u8 *)(r2 + 13)\nout:\nr0 = 2\nexit`, reject(PKT_ERR)),
  xdp('pkt_end minus data is a scalar', `${XDP_PKT}\nr3 -= r2\nr0 = r3\nexit`, accept),
  xdp('pointer arithmetic on pkt_end', `${XDP_PKT}\nr3 += 1\nr0 = 2\nexit`, reject('R3 pointer arithmetic on pkt_end prohibited')),
  xdp('dereference pkt_end', `${XDP_PKT}\nr0 = *(u8 *)(r3 + 0)\nexit`, reject("R3 invalid mem access 'pkt_end'")),
  xdp('check 0x10000 bytes learns no range', checked(XDP_PKT, 0x10000, 'r0 = *(u8 *)(r2 + 0)'), reject(PKT_ERR)),
  xdp('check 0xfff0 bytes then read the last', checked(XDP_PKT, 0xfff0, 'r2 += 0xffe0\nr0 = *(u8 *)(r2 + 15)'), accept),
  xdp('signed read inside the checked range', checked(XDP_PKT, 2, 'r0 = *(s16 *)(r2 + 0)'), accept),
];

const variable: Case[] = [
  xdp('variable offset masked to a byte then checked', `${XDP_PKT}\nr4 = r2\nr4 += 1\nif r4 > r3 goto out\nr5 = *(u8 *)(r2 + 0)\nr2 += r5\nr4 = r2\nr4 += 2\nif r4 > r3 goto out\nr0 = *(u16 *)(r2 + 0)\nout:\nr0 = 2\nexit`, accept),
  xdp('variable offset added after the check', `${XDP_PKT}\nr4 = r2\nr4 += 2\nif r4 > r3 goto out\nr5 = *(u8 *)(r2 + 0)\nr2 += r5\nr0 = *(u8 *)(r2 + 0)\nout:\nr0 = 2\nexit`, reject(PKT_ERR)),
  xdp('unbounded 64-bit offset', `${XDP_PKT}\nr6 = r2\ncall bpf_ktime_get_ns\nr6 += r0\nr0 = 2\nexit`, reject('math between pkt pointer and register with unbounded min value is not allowed')),
  xdp('offset up to 0xffff learns no range', `${XDP_PKT}\nr5 = *(u32 *)(r1 + 16)\nr5 &= 0xffff\nr2 += r5\nr4 = r2\nr4 += 1\nif r4 > r3 goto out\nr0 = *(u8 *)(r2 + 0)\nout:\nr0 = 2\nexit`, reject(PKT_ERR)),
  xdp('multiply a packet pointer', `${XDP_PKT}\nr2 *= 2\nr0 = 2\nexit`, reject('pointer arithmetic with *= operator prohibited')),
];

const writes: Case[] = [
  xdp('write u32 inside the checked range', checked(XDP_PKT, 4, '*(u32 *)(r2 + 0) = 0'), accept),
  xdp('write u8 without check', `${XDP_PKT}\n*(u8 *)(r2 + 0) = 0\nr0 = 2\nexit`, reject(PKT_ERR)),
  xdp('write pointer into the packet', checked(XDP_PKT, 8, '*(u64 *)(r2 + 0) = r1'), accept, 'root may store a pointer into packet memory'),
];

const meta: Case[] = [
  xdp('read data_meta checked against data', 'r2 = *(u32 *)(r1 + 8)\nr3 = *(u32 *)(r1 + 0)\nr4 = r2\nr4 += 4\nif r4 > r3 goto out\nr0 = *(u32 *)(r2 + 0)\nout:\nr0 = 2\nexit', accept),
  xdp('read data_meta without check', 'r2 = *(u32 *)(r1 + 8)\nr0 = *(u32 *)(r2 + 0)\nr0 = 2\nexit', reject('invalid access to packet')),
  xdp('read data_meta checked against data_end', 'r2 = *(u32 *)(r1 + 8)\nr3 = *(u32 *)(r1 + 4)\nr4 = r2\nr4 += 4\nif r4 > r3 goto out\nr0 = *(u32 *)(r2 + 0)\nout:\nr0 = 2\nexit', reject('invalid access to packet')),
];

const invalidate: Case[] = [
  xdp('packet pointer used after bpf_xdp_adjust_head', `r6 = r1\n${XDP_PKT}\nr4 = r2\nr4 += 8\nif r4 > r3 goto out\nr7 = r2\nr1 = r6\nr2 = 4\ncall bpf_xdp_adjust_head\nr0 = *(u8 *)(r7 + 0)\nout:\nr0 = 2\nexit`, reject("R7 invalid mem access 'scalar'")),
  xdp('packet reloaded after bpf_xdp_adjust_head', `r6 = r1\nr2 = 4\ncall bpf_xdp_adjust_head\nr1 = r6\n${XDP_PKT}\nr4 = r2\nr4 += 8\nif r4 > r3 goto out\nr0 = *(u8 *)(r2 + 0)\nout:\nr0 = 2\nexit`, accept),
  xdp('packet pointer used after bpf_xdp_adjust_tail', `r6 = r1\n${XDP_PKT}\nr4 = r2\nr4 += 8\nif r4 > r3 goto out\nr7 = r2\nr1 = r6\nr2 = -4\ncall bpf_xdp_adjust_tail\nr0 = *(u8 *)(r7 + 0)\nout:\nr0 = 2\nexit`, reject("R7 invalid mem access 'scalar'")),
  tc('packet pointer used after bpf_skb_pull_data (helper 39)', `r6 = r1\n${TC_PKT}\nr4 = r2\nr4 += 8\nif r4 > r3 goto out\nr7 = r2\nr1 = r6\nr2 = 20\ncall 39\nr0 = *(u8 *)(r7 + 0)\nout:\nr0 = 0\nexit`, reject("R7 invalid mem access 'scalar'")),
];

const tcCases: Case[] = [
  tc('read u32 inside the checked range', checked(TC_PKT, 14, 'r0 = *(u32 *)(r2 + 10)'), accept),
  tc('read one past the checked range', checked(TC_PKT, 14, 'r0 = *(u8 *)(r2 + 14)'), reject(PKT_ERR)),
  tc('write u16 inside the checked range', checked(TC_PKT, 14, '*(u16 *)(r2 + 12) = 8'), accept),
  tc('read without check', `${TC_PKT}\nr0 = *(u8 *)(r2 + 0)\nr0 = 0\nexit`, reject(PKT_ERR)),
  tc('read data_meta checked against data', 'r2 = *(u32 *)(r1 + 140)\nr3 = *(u32 *)(r1 + 76)\nr4 = r2\nr4 += 4\nif r4 > r3 goto out\nr0 = *(u32 *)(r2 + 0)\nout:\nr0 = 0\nexit', accept),
];

const socket = (name: string, body: string, expect: Case['expect'], note?: string): Case => ({ name: `socket ${name}`, section: 'socket', body, expect, ...(note ? { note } : {}) });

/** The legacy BPF_LD_ABS / BPF_LD_IND loads: skb programs only, r6 must hold the context. */
const legacy: Case[] = [
  socket('ld_abs byte', 'r6 = r1\nr0 = *(u8 *)skb[12]\nexit', accept),
  socket('ld_abs half word', 'r6 = r1\nr0 = *(u16 *)skb[12]\nexit', accept),
  socket('ld_ind word', 'r6 = r1\nr7 = 14\nr0 = *(u32 *)skb[r7]\nexit', accept),
  socket('ld_abs without ctx in r6', 'r6 = 0\nr0 = *(u8 *)skb[12]\nexit', reject('at the time of BPF_LD_ABS|IND R6 != pointer to skb')),
  socket('ld_abs clobbers r1', 'r6 = r1\nr0 = *(u8 *)skb[12]\nr0 = r1\nexit', reject('R1 !read_ok')),
  socket('ld_abs keeps r7', 'r6 = r1\nr7 = 3\nr0 = *(u8 *)skb[12]\nr0 = r7\nexit', accept),
  tc('ld_abs byte', 'r6 = r1\nr0 = *(u8 *)skb[0]\nr0 = 0\nexit', accept),
  xdp('ld_abs byte', 'r6 = r1\nr0 = *(u8 *)skb[0]\nr0 = 2\nexit', reject('BPF_LD_[ABS|IND] instructions not allowed for this program type')),
  socket('ld_abs inside a subprogram', 'r6 = r1\ncall f\nexit\nf:\nr6 = r1\nr0 = *(u8 *)skb[0]\nexit', accept, 'libbpf loads a clang-built object with BTF func_info, with which the kernel allows this; without it: LD_ABS is not allowed in subprogs without BTF'),
];

/** Spilled packet pointers keep their range; checks on one copy cover all copies. */
const spills: Case[] = [
  xdp('checked pointer spilled and filled keeps its range', checked(XDP_PKT, 8, '*(u64 *)(r10 - 8) = r2\nr5 = *(u64 *)(r10 - 8)\nr0 = *(u64 *)(r5 + 0)'), accept),
  xdp('pointer spilled before the check gains its range', `${XDP_PKT}\n*(u64 *)(r10 - 8) = r2\nr4 = r2\nr4 += 8\nif r4 > r3 goto out\nr5 = *(u64 *)(r10 - 8)\nr0 = *(u64 *)(r5 + 0)\nout:\nr0 = 2\nexit`, accept),
  xdp('data_end spilled and filled still bounds', `${XDP_PKT}\n*(u64 *)(r10 - 8) = r3\nr3 = *(u64 *)(r10 - 8)\nr4 = r2\nr4 += 1\nif r4 > r3 goto out\nr0 = *(u8 *)(r2 + 0)\nout:\nr0 = 2\nexit`, accept),
  xdp('packet pointer compared with a scalar learns nothing', `${XDP_PKT}\nr4 = 100\nif r2 > r4 goto out\nr0 = *(u8 *)(r2 + 0)\nout:\nr0 = 2\nexit`, reject(PKT_ERR)),
];

export const PACKET = topic('packet', [...reads, ...variable, ...writes, ...meta, ...invalidate, ...tcCases, ...legacy, ...spills]);
