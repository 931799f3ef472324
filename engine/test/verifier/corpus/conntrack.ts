// The conntrack kfuncs (net/netfilter/nf_conntrack_bpf.c): bpf_xdp_ct_alloc gives an
// nf_conn___init — an entry not yet in the table — which only the ___init kfuncs take
// (bpf_ct_set_timeout, bpf_ct_insert_entry), and bpf_ct_insert_entry turns it into an nf_conn for
// the nf_conn kfuncs. X and X___init are a no-cast alias pair (btf_type_ids_nocast_alias): each
// refuses the other, as the kernel's test_bpf_nf_fail.c shows.

import { accept, reject, topic, type Case } from './build.ts';

const xdp = (name: string, body: string, expect: Case['expect']): Case => ({ name, section: 'xdp', body, expect });
/** r0 = bpf_xdp_ct_alloc(ctx, &tuple (10.0.0.1:1234 → 10.0.0.2:80), 12, &opts (TCP, current netns), 12), r6 = ctx. */
const ALLOC = [
  'r6 = r1',
  '*(u32 *)(r10 - 16) = 0x0100000a',
  '*(u32 *)(r10 - 12) = 0x0200000a',
  '*(u16 *)(r10 - 8) = 0xd204',
  '*(u16 *)(r10 - 6) = 0x5000',
  '*(u32 *)(r10 - 32) = -1',
  '*(u32 *)(r10 - 28) = 0',
  '*(u32 *)(r10 - 24) = 6',
  'r1 = r6',
  'r2 = r10',
  'r2 += -16',
  'r3 = 12',
  'r4 = r10',
  'r4 += -32',
  'r5 = 12',
  'call bpf_xdp_ct_alloc',
  'if r0 == 0 goto out',
  'r7 = r0',
].join('\n');
/** r7 (an nf_conn___init) inserted; the nf_conn that comes back released. */
const INSERT = 'r1 = r7\ncall bpf_ct_insert_entry\nif r0 == 0 goto out\nr1 = r0\ncall bpf_ct_release';
const OUT = 'out:\nr0 = 2\nexit';

export const CONNTRACK = topic('conntrack', [
  xdp('alloc, insert, release', `${ALLOC}\n${INSERT}\n${OUT}`, accept),
  xdp('alloc, set the timeout of the ___init entry, insert', `${ALLOC}\nr1 = r7\nr2 = 30000\ncall bpf_ct_set_timeout\n${INSERT}\n${OUT}`, accept),
  xdp('alloc, change the timeout (an nf_conn kfunc) before insert', `${ALLOC}\nr1 = r7\nr2 = 30000\ncall bpf_ct_change_timeout\n${INSERT}\n${OUT}`, reject('kernel function bpf_ct_change_timeout args#0 expected pointer to STRUCT nf_conn but R1 has a pointer to STRUCT nf_conn___init')),
  xdp('alloc, release the ___init entry', `${ALLOC}\nr1 = r7\ncall bpf_ct_release\n${OUT}`, reject('kernel function bpf_ct_release args#0 expected pointer to STRUCT nf_conn but R1 has a pointer to STRUCT nf_conn___init')),
  xdp('insert, then set the timeout of the inserted nf_conn', `${ALLOC}\nr1 = r7\ncall bpf_ct_insert_entry\nif r0 == 0 goto out\nr8 = r0\nr1 = r8\nr2 = 30000\ncall bpf_ct_set_timeout\nr1 = r8\ncall bpf_ct_release\n${OUT}`, reject('kernel function bpf_ct_set_timeout args#0 expected pointer to STRUCT nf_conn___init but R1 has a pointer to STRUCT nf_conn')),
  xdp('insert, change the timeout, release', `${ALLOC}\nr1 = r7\ncall bpf_ct_insert_entry\nif r0 == 0 goto out\nr8 = r0\nr1 = r8\nr2 = 30000\ncall bpf_ct_change_timeout\nr1 = r8\ncall bpf_ct_release\n${OUT}`, accept),
  xdp('insert twice', `${ALLOC}\nr1 = r7\ncall bpf_ct_insert_entry\nif r0 == 0 goto out\nr8 = r0\nr1 = r8\ncall bpf_ct_insert_entry\nr1 = r8\ncall bpf_ct_release\n${OUT}`, reject('kernel function bpf_ct_insert_entry args#0 expected pointer to STRUCT nf_conn___init but R1 has a pointer to STRUCT nf_conn')),
  xdp('alloc never inserted', `${ALLOC}\n${OUT}`, reject('Unreleased reference id=')),
  xdp('alloc used without NULL check', `${ALLOC.replace('if r0 == 0 goto out\n', '')}\n${INSERT}\n${OUT}`, reject('Possibly NULL pointer passed to trusted arg0')),
]);
