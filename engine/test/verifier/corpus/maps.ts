// Maps: the NULL check after bpf_map_lookup_elem (and the constant-key array lookup 6.18 lets go
// without one), map value bounds at constant and variable offsets, keys and values passed to
// the map helpers, and map types the helpers refuse.

import { accept, reject, topic, ARRAY64, ARRAY8, HASH8, KEY0, RINGBUF, XDP_PKT, lookup0, type Case } from './build.ts';

const xdp = (name: string, maps: readonly string[], body: string, expect: Case['expect'], note?: string): Case => ({ name, section: 'xdp', maps, body, expect, ...(note ? { note } : {}) });
const OUT = 'out:\nr0 = 0\nexit';
/** Lookup of key 0 in `m`, NULL check, then `use`. */
const checked = (use: string): string => `${lookup0('m')}\nif r0 == 0 goto out\n${use}\n${OUT}`;
/** r1 = an unknown 64-bit scalar read from the map value, then `use`. */
const unknownIndex = (use: string): string => checked(`r1 = *(u64 *)(r0 + 0)\n${use}`);
const VALUE_ERR = 'invalid access to map value';

const nullChecks: Case[] = [
  xdp('hash lookup used without NULL check', [HASH8], `${lookup0('m')}\nr0 = *(u64 *)(r0 + 0)\nexit`, reject("R0 invalid mem access 'map_value_or_null'")),
  xdp('hash lookup used after NULL check', [HASH8], checked('r0 = *(u64 *)(r0 + 0)'), accept),
  xdp('hash lookup checked with != 0', [HASH8], `${lookup0('m')}\nif r0 != 0 goto use\nr0 = 0\nexit\nuse:\nr0 = *(u64 *)(r0 + 0)\nexit`, accept),
  xdp('lookup checked through a copy', [HASH8], `${lookup0('m')}\nr6 = r0\nif r0 == 0 goto out\nr0 = *(u64 *)(r6 + 0)\n${OUT}`, accept),
  xdp('two lookups, the other one checked', [HASH8], `${lookup0('m')}\nr6 = r0\n${lookup0('m')}\nif r0 == 0 goto out\nr0 = *(u64 *)(r6 + 0)\n${OUT}`, reject("R6 invalid mem access 'map_value_or_null'")),
  xdp('lookup used on the NULL branch', [HASH8], `${lookup0('m')}\nif r0 != 0 goto out\nr0 = *(u64 *)(r0 + 0)\n${OUT}`, reject("R0 invalid mem access 'scalar'")),
  xdp('array lookup with constant key 0 without NULL check', [ARRAY8], `${lookup0('m')}\nr0 = *(u64 *)(r0 + 0)\nexit`, accept, '6.18 elides the NULL check for an in-range constant key of an array'),
  xdp('array lookup with key 3 stored as immediate without NULL check', [ARRAY8], `r1 = m ll\n*(u32 *)(r10 - 4) = 3\nr2 = r10\nr2 += -4\ncall bpf_map_lookup_elem\nr0 = *(u64 *)(r0 + 0)\nexit`, reject("R0 invalid mem access 'map_value_or_null'"), 'a 4-byte immediate store leaves the key unknown'),
  xdp('array lookup with key 3 spilled to fp-4 without NULL check', [ARRAY8], `r1 = 3\n*(u32 *)(r10 - 4) = r1\nr1 = m ll\nr2 = r10\nr2 += -4\ncall bpf_map_lookup_elem\nr0 = *(u64 *)(r0 + 0)\nexit`, reject("R0 invalid mem access 'map_value_or_null'"), 'a 4-byte spill into the upper half of a slot is not tracked'),
  xdp('array lookup with key 3 spilled to fp-8 without NULL check', [ARRAY8], `w1 = 3\n*(u32 *)(r10 - 8) = w1\nr1 = m ll\nr2 = r10\nr2 += -8\ncall bpf_map_lookup_elem\nr0 = *(u64 *)(r0 + 0)\nexit`, accept),
  xdp('array lookup with key 0 spilled from a register without NULL check', [ARRAY8], `r1 = 0\n*(u32 *)(r10 - 4) = r1\nr1 = m ll\nr2 = r10\nr2 += -4\ncall bpf_map_lookup_elem\nr0 = *(u64 *)(r0 + 0)\nexit`, accept),
  xdp('array lookup with key 3 as 8-byte immediate without NULL check', [ARRAY8], `r1 = m ll\n*(u64 *)(r10 - 8) = 3\nr2 = r10\nr2 += -8\ncall bpf_map_lookup_elem\nr0 = *(u64 *)(r0 + 0)\nexit`, reject("R0 invalid mem access 'map_value_or_null'"), 'an 8-byte constant is not a 4-byte key'),
  xdp('hash lookup with constant key spilled to fp-8 without NULL check', [HASH8], `w1 = 3\n*(u32 *)(r10 - 8) = w1\nr1 = m ll\nr2 = r10\nr2 += -8\ncall bpf_map_lookup_elem\nr0 = *(u64 *)(r0 + 0)\nexit`, reject("R0 invalid mem access 'map_value_or_null'")),
  xdp('array lookup with constant key past max_entries without NULL check', [ARRAY8], `r1 = m ll\n*(u32 *)(r10 - 4) = 4\nr2 = r10\nr2 += -4\ncall bpf_map_lookup_elem\nr0 = *(u64 *)(r0 + 0)\nexit`, reject("R0 invalid mem access 'map_value_or_null'")),
  xdp('array lookup with unknown key without NULL check', [ARRAY8], `r1 = *(u32 *)(r1 + 16)\n*(u32 *)(r10 - 4) = r1\nr1 = m ll\nr2 = r10\nr2 += -4\ncall bpf_map_lookup_elem\nr0 = *(u64 *)(r0 + 0)\nexit`, reject("R0 invalid mem access 'map_value_or_null'")),
  xdp('percpu array lookup with constant key without NULL check', ['m type=percpu_array key=4 value=8 max_entries=2'], `${lookup0('m')}\nr0 = *(u64 *)(r0 + 0)\nexit`, accept),
  xdp('lru hash lookup without NULL check', ['m type=lru_hash key=4 value=8 max_entries=8'], `${lookup0('m')}\nr0 = *(u64 *)(r0 + 0)\nexit`, reject("R0 invalid mem access 'map_value_or_null'")),
  xdp('map_value_or_null returned', [HASH8], `${lookup0('m')}\nexit`, accept, 'root may return a pointer from XDP'),
];

const constOffsets: Case[] = [
  xdp('read last u64 of value', [ARRAY64], checked('r0 = *(u64 *)(r0 + 56)'), accept),
  xdp('read u64 crossing the value end', [ARRAY64], checked('r0 = *(u64 *)(r0 + 57)'), reject(`${VALUE_ERR}, value_size=64 off=57 size=8`)),
  xdp('read u8 just past the value', [ARRAY64], checked('r0 = *(u8 *)(r0 + 64)'), reject(`${VALUE_ERR}, value_size=64 off=64 size=1`)),
  xdp('read u8 before the value', [ARRAY64], checked('r0 = *(u8 *)(r0 - 1)'), reject(`${VALUE_ERR}, value_size=64 off=-1 size=1`)),
  xdp('write u32 inside the value', [ARRAY64], checked('*(u32 *)(r0 + 60) = 7'), accept),
  xdp('write u32 crossing the value end', [ARRAY8], checked('*(u32 *)(r0 + 6) = 7'), reject(`${VALUE_ERR}, value_size=8 off=6 size=4`)),
  xdp('read after constant add inside the value', [ARRAY64], checked('r0 += 32\nr0 = *(u64 *)(r0 + 24)'), accept),
  xdp('read after constant add past the value', [ARRAY64], checked('r0 += 32\nr0 = *(u64 *)(r0 + 32)'), reject(VALUE_ERR)),
  xdp('misaligned u64 read of value', [ARRAY64], checked('r0 = *(u64 *)(r0 + 3)'), accept, 'map values are not strictly aligned'),
  xdp('store fp into map value', [ARRAY8], checked('*(u64 *)(r0 + 0) = r10'), accept, 'root may store pointers into maps'),
];

const varOffsets: Case[] = [
  xdp('variable offset masked inside the value', [ARRAY64], unknownIndex('r1 &= 56\nr0 += r1\nr0 = *(u64 *)(r0 + 0)'), accept),
  xdp('variable offset mask one bit too wide', [ARRAY64], unknownIndex('r1 &= 63\nr0 += r1\nr0 = *(u64 *)(r0 + 0)'), reject(VALUE_ERR)),
  xdp('variable offset without bounds check', [ARRAY64], unknownIndex('r0 += r1\nr0 = *(u8 *)(r0 + 0)'), reject('math between map_value pointer and register with unbounded min value is not allowed')),
  xdp('variable offset with unsigned upper bound', [ARRAY64], unknownIndex('if r1 > 56 goto out\nr0 += r1\nr0 = *(u64 *)(r0 + 0)'), accept),
  xdp('variable offset with unsigned bound off by one', [ARRAY64], unknownIndex('if r1 > 57 goto out\nr0 += r1\nr0 = *(u64 *)(r0 + 0)'), reject(VALUE_ERR)),
  xdp('variable offset with >= bound', [ARRAY64], unknownIndex('if r1 >= 57 goto out\nr0 += r1\nr0 = *(u64 *)(r0 + 0)'), accept),
  xdp('variable offset with only a signed upper bound', [ARRAY64], unknownIndex('if r1 s> 56 goto out\nr0 += r1\nr0 = *(u64 *)(r0 + 0)'), reject('unbounded min value')),
  xdp('variable offset with signed bounds both sides', [ARRAY64], unknownIndex('if r1 s> 56 goto out\nif r1 s< 0 goto out\nr0 += r1\nr0 = *(u64 *)(r0 + 0)'), accept),
  xdp('variable offset with a negative lower bound', [ARRAY64], unknownIndex('if r1 s> 56 goto out\nif r1 s< -8 goto out\nr0 += r1\nr0 = *(u64 *)(r0 + 0)'), reject('min value is negative')),
  xdp('variable offset from u32 ctx field unbounded', [ARRAY64], `r6 = *(u32 *)(r1 + 16)\n${lookup0('m')}\nif r0 == 0 goto out\nr0 += r6\nr0 = *(u8 *)(r0 + 0)\n${OUT}`, reject('unbounded memory access')),
  xdp('variable offset bounded then constant offset past the end', [ARRAY64], unknownIndex('r1 &= 31\nr0 += r1\nr0 = *(u64 *)(r0 + 32)'), reject(VALUE_ERR)),
  xdp('variable offset subtracted from the value', [ARRAY64], unknownIndex('r1 &= 7\nr0 -= r1\nr0 = *(u8 *)(r0 + 0)'), reject('min value is negative')),
];

const keysValues: Case[] = [
  xdp('lookup with ctx as map', [ARRAY8], `${KEY0}\ncall bpf_map_lookup_elem\nr0 = 0\nexit`, reject('R1 type=ctx expected=map_ptr')),
  xdp('lookup with scalar key pointer', [ARRAY8], 'r1 = m ll\nr2 = 0\ncall bpf_map_lookup_elem\nr0 = 0\nexit', reject('R2 type=scalar expected=')),
  xdp('lookup with key crossing the frame top', ['m type=hash key=8 value=8 max_entries=4'], 'r1 = m ll\n*(u32 *)(r10 - 4) = 0\nr2 = r10\nr2 += -4\ncall bpf_map_lookup_elem\nr0 = 0\nexit', reject('invalid read from stack R2 off=-4 size=8')),
  xdp('lookup with 8-byte key on the stack', ['m type=hash key=8 value=8 max_entries=4'], 'r1 = m ll\n*(u64 *)(r10 - 8) = 0\nr2 = r10\nr2 += -8\ncall bpf_map_lookup_elem\nr0 = 0\nexit', accept),
  xdp('lookup with key in checked packet', [HASH8], `${XDP_PKT}\nr4 = r2\nr4 += 4\nif r4 > r3 goto out\nr1 = m ll\ncall bpf_map_lookup_elem\n${OUT}`, accept),
  xdp('lookup with key in packet too short', [HASH8], `${XDP_PKT}\nr4 = r2\nr4 += 2\nif r4 > r3 goto out\nr1 = m ll\ncall bpf_map_lookup_elem\n${OUT}`, reject('invalid access to packet')),
  xdp('lookup with key in another map value', [ARRAY8, 'h type=hash key=4 value=8 max_entries=4'], `${lookup0('m')}\nif r0 == 0 goto out\nr1 = h ll\nr2 = r0\ncall bpf_map_lookup_elem\n${OUT}`, accept),
  xdp('lookup with a key longer than the value it points into', [ARRAY8, 'h type=hash key=16 value=8 max_entries=4'], `${lookup0('m')}\nif r0 == 0 goto out\nr1 = h ll\nr2 = r0\ncall bpf_map_lookup_elem\n${OUT}`, reject('invalid access to map value, value_size=8 off=0 size=16')),
  xdp('update with the value pointing into a map value', [ARRAY8], `${lookup0('m')}\nif r0 == 0 goto out\nr3 = r0\nr1 = m ll\nr2 = r10\nr2 += -4\nr4 = 0\ncall bpf_map_update_elem\n${OUT}`, accept),
  xdp('percpu hash lookup used after NULL check', ['m type=percpu_hash key=4 value=8 max_entries=4'], checked('r0 = *(u64 *)(r0 + 0)'), accept),
  xdp('lru hash delete with key on the stack', ['m type=lru_hash key=4 value=8 max_entries=4'], `r1 = m ll\n${KEY0}\ncall bpf_map_delete_elem\nr0 = 0\nexit`, accept),
  xdp('hash update with flags from a register', [HASH8], `r6 = *(u32 *)(r1 + 16)\nr1 = m ll\n${KEY0}\nr3 = r10\nr3 += -16\nr4 = r6\ncall bpf_map_update_elem\nr0 = 0\nexit`, accept),
  xdp('map pointer spilled and filled', [ARRAY8], `r1 = m ll\n*(u64 *)(r10 - 16) = r1\nr1 = *(u64 *)(r10 - 16)\n${KEY0}\ncall bpf_map_lookup_elem\nr0 = 0\nexit`, accept),
  xdp('map value pointer spilled and filled', [ARRAY8], checked('*(u64 *)(r10 - 16) = r0\nr1 = *(u64 *)(r10 - 16)\nr0 = *(u64 *)(r1 + 0)'), accept),
  xdp('map_value_or_null spilled, checked after fill', [HASH8], `${lookup0('m')}\n*(u64 *)(r10 - 16) = r0\nr1 = *(u64 *)(r10 - 16)\nif r1 == 0 goto out\nr0 = *(u64 *)(r1 + 0)\n${OUT}`, accept),
  xdp('update with value on the stack', [ARRAY64], `r1 = m ll\n${KEY0}\nr3 = r10\nr3 += -72\nr4 = 0\ncall bpf_map_update_elem\nr0 = 0\nexit`, accept),
  xdp('update with value larger than the frame left', [ARRAY64], `r1 = m ll\n${KEY0}\nr3 = r10\nr3 += -16\nr4 = 0\ncall bpf_map_update_elem\nr0 = 0\nexit`, reject('invalid read from stack R3 off=-16 size=64')),
  xdp('update without flags', [ARRAY8], `r1 = m ll\n${KEY0}\nr3 = r10\nr3 += -16\ncall bpf_map_update_elem\nr0 = 0\nexit`, reject('R4 !read_ok')),
  xdp('delete from an array', [ARRAY8], `r1 = m ll\n${KEY0}\ncall bpf_map_delete_elem\nr0 = 0\nexit`, accept),
  xdp('lookup in a prog_array', ['m type=prog_array key=4 value=4 max_entries=4'], `${lookup0('m')}\nr0 = 0\nexit`, reject('cannot pass map_type 3 into func bpf_map_lookup_elem#1')),
  xdp('lookup in a ringbuf (key size 0)', [RINGBUF], `r1 = rb ll\n${KEY0}\ncall bpf_map_lookup_elem\nr0 = 0\nexit`, reject('invalid zero-sized read')),
  xdp('lookup in a cpumap', ['c type=cpumap key=4 value=4 max_entries=2'], `r1 = c ll\n${KEY0}\ncall bpf_map_lookup_elem\nr0 = 0\nexit`, reject('cannot pass map_type 16 into func bpf_map_lookup_elem#1')),
  xdp('dereference a map pointer', [ARRAY8], 'r1 = m ll\n*(u64 *)(r1 + 0) = 0\nr0 = 0\nexit', reject('only read from bpf_array is supported')),
];

export const MAPS = topic('maps', [...nullChecks, ...constOffsets, ...varOffsets, ...keysValues]);
