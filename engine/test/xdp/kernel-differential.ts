// The XDP differential against a kernel oracle: each generated program runs on generated
// traffic in Linux (BPF_PROG_TEST_RUN, frame by frame) and on the emulated NIC, and once more
// with metadata in front of the frame (test_run's struct xdp_md) in both; the verdict and the
// bytes that leave must agree. Programs needing a helper this kernel build refuses are left out
// and reported (features.ts); a refusal on either side of a program whose features the kernel
// accepts is a disagreement.

import { writePcap } from '../../net/pcap.ts';
import { Session } from '../../worker/session.ts';
import { callsOf, firstRefused, LeftOut, refusalReason, type Feature } from '../kernel/features.ts';
import type { KernelOracle, KernelResult } from '../kernel/oracle.ts';
import { simulate, type SimResult } from '../sim.ts';
import { bytecode, generatedCases } from './kernel-programs.ts';
import { imageOf } from './nic-harness.ts';

export interface XdpDifferentialOptions {
  readonly seed: number;
  readonly programs: number;
  readonly frames: number;
  /** Where the left-out lines and the summary go (default console.log). */
  readonly log?: (line: string) => void;
}

export interface XdpDifferentialResult {
  /** Frames and metadata runs compared. */
  readonly compared: number;
  /** Compared runs whose verdict was a helper's negative error. */
  readonly helperErrors: number;
  readonly programsCompared: number;
  readonly leftOut: LeftOut;
  /** One entry per disagreement, with the program's source. */
  readonly disagreements: string[];
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** What the NIC reports for one frame: the verdict and the bytes from the metadata to the end. */
export interface NicFrame {
  readonly retval: number;
  readonly out: Uint8Array;
}

/** How a frame's result differs between the kernel and the NIC, or undefined when it agrees. */
export function frameDisagreement(kernel: KernelResult | undefined, ours: NicFrame | undefined): string | undefined {
  if (!kernel) return 'the kernel gave no answer';
  if (!kernel.ok) return `the kernel failed at ${kernel.stage}: ${refusalReason(kernel)}`;
  if (!ours) return 'the NIC kept no packet';
  if ((ours.retval | 0) === (kernel.retval | 0) && hex(ours.out) === hex(kernel.dataOut)) return undefined;
  return `kernel ${kernel.retval | 0} ${hex(kernel.dataOut).slice(0, 80)}, NIC ${ours.retval | 0} ${hex(ours.out).slice(0, 80)}`;
}

/**
 * How a test_run with metadata (ctx_in) differs between the kernel and the simulated kernel, or
 * undefined when both agree: the same retval, data_out and ctx_out, or both refusing the ctx
 * (test_run's -EINVAL for a metadata size it does not take, which our load reports).
 */
export function metaRunDisagreement(kernel: KernelResult | undefined, ours: SimResult): string | undefined {
  if (!kernel?.ok || ours.stage !== 'done') {
    if (kernel && !kernel.ok && ours.stage === 'load' && ours.errors.join(' ').includes('-EINVAL')) return undefined;
    const theirs = !kernel ? 'no answer' : kernel.ok ? `retval ${kernel.retval | 0}` : `${kernel.stage} ${refusalReason(kernel)}`;
    const mine = ours.stage === 'done' ? `retval ${ours.report.retval | 0}` : `${ours.stage}: ${'errors' in ours ? ours.errors.join('; ') : ours.error}`;
    return `kernel ${theirs}, ours ${mine}`;
  }
  const out = ours.report.dataOut ?? new Uint8Array(0);
  const ctx = ours.report.ctxOut ?? new Uint8Array(0);
  if ((ours.report.retval | 0) === (kernel.retval | 0) && hex(out) === hex(kernel.dataOut) && hex(ctx) === hex(kernel.ctxOut)) return undefined;
  return `kernel ${kernel.retval | 0} ${hex(kernel.dataOut).slice(0, 80)} ctx ${hex(kernel.ctxOut)}, ours ${ours.report.retval | 0} ${hex(out).slice(0, 80)} ctx ${hex(ctx)}`;
}

/** The probe of an XDP helper taking (ctx, 0): bpf_xdp_adjust_head, _meta and _tail all accept 0. */
export function xdpHelperFeature(name: string): Feature {
  return { name, probe: { prog: bytecode(`.section xdp\n.license "GPL"\nr2 = 0\ncall ${name}\nr0 = 2\nexit`), data: new Uint8Array(64) } };
}

/** The struct xdp_md of test_run's ctx_in: metadata of `metaLen` bytes before `len` bytes of data, on ifindex 1. */
function xdpMd(metaLen: number, len: number): Uint8Array {
  const ctx = new Uint8Array(24);
  const dv = new DataView(ctx.buffer);
  dv.setUint32(0, metaLen, true);
  dv.setUint32(4, len, true);
  dv.setUint32(12, 1, true);
  return ctx;
}

export async function xdpDifferential(oracle: KernelOracle, opts: XdpDifferentialOptions): Promise<XdpDifferentialResult> {
  const log = opts.log ?? ((line: string) => console.log(line));
  const leftOut = new LeftOut();
  const disagreements: string[] = [];
  let compared = 0;
  let helperErrors = 0;
  let programsCompared = 0;
  for (const { index: i, source, frames, metaLen } of generatedCases(opts.seed, opts.programs, opts.frames)) {
    const prog = bytecode(source);
    const refused = await firstRefused(oracle, callsOf(prog).helpers.map(xdpHelperFeature));
    if (refused) {
      leftOut.add(refused.feature.name, refused.reason);
      continue;
    }
    programsCompared++;
    const disagree = (what: string, why: string): void => {
      disagreements.push(`program ${i}${what}: ${why}\n${source}`);
    };

    const kernel = await oracle.runBatch(frames.map((data) => ({ prog, data })));
    const refusal = kernel.find((k) => k && !k.ok && k.stage === 'load');
    // The playground: the same frames replayed through the emulated NIC (no VLAN stripping,
    // which test_run does not do either).
    const session = new Session();
    const loaded = session.load(imageOf(source), { isa: 4, profile: 'linux-6.18', cpus: 2, maxInsns: 100_000, pcap: writePcap(frames.map((data, k) => ({ tsNs: 1_000 + k, data }))), traffic: { nic: { vlan_strip: false } } });
    if (refusal && !refusal.ok) {
      disagree('', `the kernel refused it though it accepts every helper it calls: ${refusalReason(refusal)}${loaded.ok ? '; the playground accepts it' : ''}`);
      continue;
    }
    if (!loaded.ok) {
      disagree('', `the playground refused it, the kernel accepts it: ${loaded.problems.map((p) => p.message).join('; ')}`);
      continue;
    }
    session.runTraffic();
    frames.forEach((frame, k) => {
      const ours = session.packetDetail(k);
      const theirs = kernel[k];
      compared++;
      if (theirs?.ok && (theirs.retval | 0) < 0) helperErrors++;
      const why = frameDisagreement(theirs, ours && { retval: ours.summary.retval, out: ours.buffer.slice(ours.metaOffset, ours.endOffset) });
      if (why) disagree(`, frame ${k} (${frame.length} B)`, why);
    });

    // test_run with ctx_in: metadata given in front of the frame.
    const first = frames[0] ?? new Uint8Array(0);
    const data = new Uint8Array(metaLen + first.length);
    for (let b = 0; b < metaLen; b++) data[b] = (b * 37 + i) & 0xff;
    data.set(first, metaLen);
    const ctx = xdpMd(metaLen, data.length);
    const [k2] = await oracle.runBatch([{ prog, data, ctx }]);
    const why = metaRunDisagreement(k2, simulate(source, { data, ctx, profile: 'linux-6.18' }));
    if (why) disagree(` with ${metaLen} bytes of metadata`, why);
    else compared++;
  }
  for (const line of leftOut.lines()) log(line);
  log(`XDP differential: ${compared} runs of ${programsCompared} programs compared with Linux ${oracle.kernel}, ${helperErrors} of them helper errors returned as the verdict; ${leftOut.total} of ${opts.programs} programs left out`);
  return { compared, helperErrors, programsCompared, leftOut, disagreements };
}
