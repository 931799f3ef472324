import { kernelOracle } from './test/kernel/oracle.ts';
import { vmlinuxFuncs } from './test/cpumask/vmlinux-btf.ts';
import { UAPI_HELPER_IDS } from './kernel/helpers/ids.ts';
import { refusalReason } from './test/kernel/features.ts';
const o = await kernelOracle();
if ('unavailable' in o) { console.log(o.unavailable); process.exit(1); }
const f = vmlinuxFuncs();
if ('unavailable' in f) throw new Error(f.unavailable);
const tp = f.typedefId!('btf_trace_sched_switch');
const types: Record<string, object> = { xdp: { type: 'xdp' }, tc: { type: 'sched_cls' }, socket: { type: 'socket_filter' }, syscall: { type: 'syscall', progFlags: 16 }, tp_btf: { type: 'tracing', attachType: 23, attachBtfId: tp } };
const names = process.argv.slice(2);
function prog(id: number, zeroArgs: boolean) {
  const insns: number[][] = [];
  if (zeroArgs) for (let r = 1; r <= 5; r++) insns.push([0xb7, r, 0, 0, 0, 0, 0, 0]);
  insns.push([0x85, 0, 0, 0, id & 255, id >> 8, 0, 0], [0xb7, 0, 0, 0, 0, 0, 0, 0], [0x95, 0, 0, 0, 0, 0, 0, 0]);
  return new Uint8Array(insns.flat());
}
for (const n of names) {
  const id = UAPI_HELPER_IDS[n]!;
  const row: string[] = [];
  for (const [t, fields] of Object.entries(types)) {
    const r = await o.run({ ...fields, prog: prog(id, false), loadOnly: true, license: 'MIT' } as never);
    const z = await o.run({ ...fields, prog: prog(id, true), loadOnly: true, license: 'GPL' } as never);
    row.push(`${t}: nonGPL=${r.ok ? 'OK' : refusalReason(r)} | zeros=${z.ok ? 'OK' : refusalReason(z)}`);
  }
  console.log(n + '\n  ' + row.join('\n  '));
}
await o.close();
