// bpf_trace_printk against the running kernel: each format runs in a syscall program, in Linux
// (BPF_PROG_TEST_RUN) and in the simulated kernel, and the return values must agree — the
// length of the formatted text, or -EINVAL for a format the kernel refuses. Arguments that are
// pointers point at the format itself on the stack, so %s and %pI4 read the same bytes in both.
// SYSCALL programs and bpf_trace_printk in them are probed first: where this kernel build
// refuses either, the formats are left out with one printed line saying why.
// Skipped, saying why, where the kernel cannot be asked.

import { afterAll, describe, expect, it } from 'vitest';
import { assemble } from '../asm/index.ts';
import { BPF_F_SLEEPABLE, firstRefused, LeftOut, refusalReason, SYSCALL_PROGRAMS, type Feature } from './kernel/features.ts';
import { kernelOracle, type KernelOracle } from './kernel/oracle.ts';
import { simReport } from './sim.ts';

/** An argument that is the address of the format on the stack. */
const FMT = 'fmt';
type Arg = bigint | typeof FMT;

/** A syscall program that puts `format` on the stack and returns bpf_trace_printk's result. */
export function printkSource(format: Uint8Array, args: readonly Arg[]): string {
  const bytes = new Uint8Array([...format, 0]);
  const n = Math.ceil(bytes.length / 8) * 8;
  const padded = new Uint8Array(n);
  padded.set(bytes);
  const view = new DataView(padded.buffer);
  const lines = ['.section syscall', '.license "GPL"'];
  for (let o = 0; o < n; o += 8) lines.push(`r1 = 0x${view.getBigUint64(o, true).toString(16)} ll`, `*(u64 *)(r10 - ${n - o}) = r1`);
  lines.push('r1 = r10', `r1 += -${n}`, `r2 = ${bytes.length}`);
  args.forEach((a, i) => lines.push(...(a === FMT ? [`r${3 + i} = r10`, `r${3 + i} += -${n}`] : [`r${3 + i} = ${BigInt.asIntN(64, a)} ll`])));
  lines.push('call bpf_trace_printk', 'exit');
  return lines.join('\n');
}

const CASES: readonly (readonly [string, readonly Arg[]])[] = [
  // integers, sizes, flags and widths
  ['%d', [5n]], ['%d', [0x100000005n]], ['%d', [0xffffffffn]], ['%i', [-3n]], ['%u', [-1n]], ['%x', [-1n]], ['%X', [255n]],
  ['%ld', [-1n]], ['%lu', [-1n]], ['%lld', [-1n]], ['%lli', [-1n]], ['%llx', [-1n]], ['%lX', [0xabn]],
  ['%5d|', [5n]], ['%-5d|', [5n]], ['%05d', [-5n]], ['%0d', [3n]], ['%00d', [5n]], ['%1d', [1234n]], ['%020llu|', [5n]], ['%10llu|', [7n]],
  ['%+d', [5n]], ['%+d', [-5n]], ['% d', [5n]], ['% d', [-5n]], ['%+5d|', [5n]], ['% 05d|', [5n]], ['%+05d|', [5n]], ['%-05d|', [5n]], ['%0-5d|', [-5n]],
  ['%-+5d|', [5n]], ['%+x', [5n]], ['%+u', [5n]], ['% x', [5n]], ['%+5u|', [5n]], ['%999d|%999d', [1n, 2n]], ['%9999d|', [1n]],
  // refused
  ['%#x', [255n]], ['%o', [8n]], ['%.3d', [5n]], ['%10.3d', [1n]], ['%zu', [5n]], ['%hd', [3n]], ['%Lu', [1n]], ['%lc', [65n]], ['%q', [1n]],
  ['%', []], ['%d%', [1n]], ['%5%', []], ['%-%', []], ['%l', [1n]], ['%ll', [1n]], ['%lll', [1n]], ['%d %d %d %d', [1n, 2n, 3n, 4n]],
  ['\x01', []], ['\x7f', []], ['%pa', [0x1234n]], ['%pX', [0n]], ['%pI', [FMT]], ['%pI5', [FMT]], ['%.2s', [FMT]],
  // characters, text, escapes
  ['%%', []], ['a%%b%d', [1n]], ['%d %d %d', [1n, 2n, 3n]], ['%c', [65n]], ['%c', [0n]], ['%c', [0x141n]], ['%5c|', [66n]], ['%+c', [65n]],
  ['tab\there', []], ['a\rb\x0bc\x0c', []], ['%d\n', [1n]], ['\n', []], ['', []], ['é', []],
  // strings: NULL reads as empty, the format itself as itself
  ['%s', [0n]], ['%5s|', [0n]], ['%-10s|', [0n]], ['%x %s', [1n, 0n]], ['%s', [FMT]], ['%5s|', [FMT]], ['%-9s|', [FMT]], ['%pks', [FMT]], ['%pks', [0n]],
  ['%pus', [0n]], ['%pus', [FMT]], ['%sa', [FMT]], ['%s%d', [FMT, 1n]], ['%s.', [FMT]], ['%s1', [FMT]], ['%pksx', [FMT]],
  // pointers (no width: the kernel's hash and our address are both 16 digits)
  ['%p', [0x1234n]], ['%p|', [0x1234n]], ['%pK', [0x1234n]], ['%px', [0x1234n]], ['%12px', [0x1234n]], ['%-20px|', [0x1234n]], ['%px%px%px', [1n, 2n, 3n]],
  ['%pS', [0n]], ['%pS', [0x1234n]], ['%ps', [0n]], ['%pB', [0n]], ['%pSR', [0n]],
  // addresses read from memory, and what vsnprintf skips after them
  ['%pi4', [FMT]], ['%pI4', [FMT]], ['%pI4n', [FMT]], ['%pI4h', [FMT]], ['%pi4x', [FMT]], ['%pi4', [0n]], ['%pI6', [0n]],
  ['%pi6.....................', [FMT]], ['%pI6.....................', [FMT]], ['%pI6c..................', [FMT]], ['%pI6c', [0n]], ['%5pI4|', [FMT]], ['%8pks|', [FMT]], ['%-8pS|', [0n]], ['%8ps|', [0n]], ['%-8pus|', [0n]], ['%8pB|', [0n]], ['%-16pI4|', [FMT]],
];

const encoder = new TextEncoder();

function bytesOf(src: string): Uint8Array {
  const asm = assemble(src);
  const bytes = asm.sections.find((s) => s.insns.length)?.bytes;
  if (!asm.ok || !bytes) throw new Error(`cannot assemble: ${src}`);
  return bytes;
}

let oracle: KernelOracle | undefined;
let unavailable = '';
const ready = kernelOracle().then((o) => {
  if ('unavailable' in o) unavailable = o.unavailable;
  else oracle = o;
});

afterAll(async () => {
  await oracle?.close();
});

describe('bpf_trace_printk against the kernel', () => {
  it('returns what Linux returns for every format', async () => {
    await ready;
    if (!oracle) {
      console.log(`skipped: ${unavailable}`);
      return;
    }
    const sources = CASES.map(([f, args]) => printkSource(encoder.encode(f), args));
    // Syscall programs must be sleepable (BPF_F_SLEEPABLE).
    const request = (src: string) => ({ type: 'syscall' as const, prog: bytesOf(src), ctx: new Uint8Array(8), progFlags: BPF_F_SLEEPABLE });
    const printk: Feature = { name: 'bpf_trace_printk in SYSCALL programs', probe: request(printkSource(new Uint8Array(0), [])) };
    const refused = await firstRefused(oracle, [SYSCALL_PROGRAMS, printk]);
    if (refused) {
      const left = new LeftOut();
      for (let i = 0; i < CASES.length; i++) left.add(refused.feature.name, refused.reason);
      for (const line of left.lines()) console.log(line);
      return;
    }
    const kernel = await oracle.runBatch(sources.map(request));
    const diffs: string[] = [];
    CASES.forEach(([f, args], i) => {
      const k = kernel[i];
      if (!k?.ok) {
        // Every case is a valid program: a refusal after the probes passed is a disagreement.
        diffs.push(`${JSON.stringify(f)}: the kernel did not run it: ${k ? `${k.stage}: ${refusalReason(k)}` : 'no answer'}`);
        return;
      }
      const ours = simReport(sources[i] ?? '', { ctx: new Uint8Array(8) });
      const theirs = k.retval | 0;
      if ((ours.retval | 0) !== theirs) diffs.push(`${JSON.stringify(f)} ${args.map(String).join(',')}: kernel ${theirs}, ours ${ours.retval | 0} (${JSON.stringify(ours.trace[0]?.text ?? '')})`);
    });
    expect(diffs).toEqual([]);
  }, 60_000);
});
