// The running Linux kernel as a test oracle: builds bpf_oracle.c once per source version,
// keeps one helper process alive and streams BPF_PROG_LOAD + BPF_PROG_TEST_RUN requests through
// it. Used by the differential tests and the benchmark; on machines without bpf() it says why.

import { spawn, execFile, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, stat, unlink } from 'node:fs/promises';
import { release, tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { REFUSE_ENV, refusedByEnvironment, refusingOracle } from './refusing.ts';

const execFileAsync = promisify(execFile);

export type KernelProgType = 'xdp' | 'sched_cls' | 'socket_filter' | 'syscall' | 'tracing';

/** A map the helper creates (BPF_MAP_CREATE) before the load; the program names it by index. */
export interface KernelMap {
  /** enum bpf_map_type (include/uapi/linux/bpf.h). */
  readonly type: number;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  readonly flags?: number;
  /** Type ids in the request's `btf` for the key and the value (a value with kptr fields). */
  readonly btf?: { readonly key: number; readonly value: number };
  /** The map's name as the verifier log prints it (BPF_OBJ_NAME_LEN: 15 characters kept). */
  readonly name?: string;
}

export interface KernelRequest {
  /** Raw bytecode, 8-byte little-endian slots. */
  readonly prog: Uint8Array;
  /** Default 'xdp'. */
  readonly type?: KernelProgType;
  /** data_in: the packet (at least 14 bytes for xdp and sched_cls). */
  readonly data?: Uint8Array;
  /** ctx_in (struct xdp_md, struct __sk_buff, …); ctx_out is returned only when given. */
  readonly ctx?: Uint8Array;
  /** test_run's repeat; duration_ns is then the mean per run. Default 1. */
  readonly repeat?: number;
  /**
   * 0 (default): log only a refusal; 1 or 2: always return the verifier log at that level; 4
   * (BPF_LOG_STATS): only the statistics, `verification time N usec` and `processed N insns …`.
   */
  readonly logLevel?: 0 | 1 | 2 | 4;
  /** prog_flags of BPF_PROG_LOAD (e.g. BPF_F_SLEEPABLE = 16, which syscall programs need). */
  readonly progFlags?: number;
  /** expected_attach_type of BPF_PROG_LOAD. */
  readonly attachType?: number;
  /** attach_btf_id of BPF_PROG_LOAD (a vmlinux type id: tp_btf's `btf_trace_<tracepoint>`). */
  readonly attachBtfId?: number;
  /** prog_ifindex of BPF_PROG_LOAD (device-bound XDP programs). */
  readonly ifindex?: number;
  /** The license string; default "GPL". */
  readonly license?: string;
  /**
   * Maps created before the load, index 0, 1, …: an ldimm64 with src_reg 1 (map fd) or 2 (map
   * value) whose imm is an index gets that map's fd. They are closed after the request.
   */
  readonly maps?: readonly KernelMap[];
  /** A BTF blob loaded with BPF_BTF_LOAD for the maps' `btf` type ids and `funcInfo`'s. */
  readonly btf?: Uint8Array;
  /**
   * BPF_PROG_LOAD's func_info (struct bpf_func_info: the instruction each subprogram starts at,
   * ascending from 0, and its BTF_KIND_FUNC id in `btf`, which becomes prog_btf_fd). Needs `btf`.
   */
  readonly funcInfo?: readonly { readonly insnOff: number; readonly typeId: number }[];
  /** Only load (verify): an accepted program is answered without BPF_PROG_TEST_RUN. */
  readonly loadOnly?: boolean;
}

export type KernelResult =
  | {
      readonly ok: true;
      /** The program's return value as test_run reports it (u32). */
      readonly retval: number;
      readonly durationNs: number;
      readonly dataOut: Uint8Array;
      readonly ctxOut: Uint8Array;
      readonly log: string;
    }
  | {
      readonly ok: false;
      /**
       * How far the request got: a malformed request, the BTF or a map not created (setup), a
       * refused load, or a failed test_run.
       */
      readonly stage: 'request' | 'setup' | 'load' | 'run';
      readonly errno: number;
      readonly error: string;
      /** The verifier log when the load was refused. */
      readonly log: string;
    };

export interface KernelOracle {
  run(req: KernelRequest): Promise<KernelResult>;
  /** Pipelines the requests through the helper; answers come back in request order. */
  runBatch(reqs: readonly KernelRequest[]): Promise<KernelResult[]>;
  close(): Promise<void>;
  /** The kernel release answering (os.release()). */
  readonly kernel: string;
}

const SOURCE = join(dirname(fileURLToPath(import.meta.url)), 'bpf_oracle.c');
const COMPILERS = ['cc', 'gcc', 'clang-19', 'clang'];

function hex(bytes: Uint8Array): string {
  return bytes.length === 0 ? '-' : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

function requestLine(req: KernelRequest): string {
  const fields = [`type=${req.type ?? 'xdp'}`, `prog=${hex(req.prog)}`];
  if (req.data) fields.push(`data=${hex(req.data)}`);
  if (req.ctx) fields.push(`ctx=${hex(req.ctx)}`);
  if (req.repeat !== undefined) fields.push(`repeat=${req.repeat}`);
  if (req.logLevel) fields.push(`log_level=${req.logLevel}`);
  if (req.progFlags) fields.push(`prog_flags=${req.progFlags}`);
  if (req.attachType) fields.push(`attach=${req.attachType}`);
  if (req.attachBtfId) fields.push(`attach_btf_id=${req.attachBtfId}`);
  if (req.ifindex) fields.push(`ifindex=${req.ifindex}`);
  if (req.license !== undefined) fields.push(`license=${hex(new TextEncoder().encode(req.license))}`);
  if (req.btf) fields.push(`btf=${hex(req.btf)}`);
  if (req.funcInfo?.length) {
    const records = new Uint8Array(req.funcInfo.length * 8);
    const dv = new DataView(records.buffer);
    req.funcInfo.forEach((f, i) => {
      dv.setUint32(i * 8, f.insnOff, true);
      dv.setUint32(i * 8 + 4, f.typeId, true);
    });
    fields.push(`func_info=${hex(records)}`);
  }
  for (const m of req.maps ?? []) {
    const spec = [m.type, m.keySize, m.valueSize, m.maxEntries, m.flags ?? 0, m.btf?.key ?? 0, m.btf?.value ?? 0].map((n) => String(n >>> 0));
    // The kernel keeps the first BPF_OBJ_NAME_LEN - 1 bytes of a name, as libbpf sends it.
    if (m.name) spec.push(hex(new TextEncoder().encode(m.name).subarray(0, 15)));
    fields.push(`map=${spec.join(',')}`);
  }
  if (req.loadOnly) fields.push('run=0');
  return `${fields.join(' ')}\n`;
}

/** The helper's answer line, checked field by field (it is our own C, but a crash mid-line must not pass). */
function parseAnswer(line: string): KernelResult {
  const v: unknown = JSON.parse(line);
  if (typeof v !== 'object' || v === null) throw new Error(`kernel oracle: not an object: ${line}`);
  const o = v as Record<string, unknown>;
  const str = (k: string): string => {
    const x = o[k];
    if (typeof x !== 'string') throw new Error(`kernel oracle: field ${k} missing in ${line.slice(0, 200)}`);
    return x;
  };
  const num = (k: string): number => {
    const x = o[k];
    if (typeof x !== 'number') throw new Error(`kernel oracle: field ${k} missing in ${line.slice(0, 200)}`);
    return x;
  };
  if (o['ok'] === true) {
    return {
      ok: true,
      retval: num('retval'),
      durationNs: num('duration_ns'),
      dataOut: new Uint8Array(Buffer.from(str('data_out'), 'hex')),
      ctxOut: new Uint8Array(Buffer.from(str('ctx_out'), 'hex')),
      log: str('log'),
    };
  }
  const stage = str('stage');
  if (stage !== 'request' && stage !== 'setup' && stage !== 'load' && stage !== 'run') throw new Error(`kernel oracle: bad stage ${stage}`);
  return { ok: false, stage, errno: num('errno'), error: str('error'), log: str('log') };
}

/** Builds the helper into a cache directory keyed by the source text, unless already built. */
function buildHelper(): Promise<string | { unavailable: string }> {
  return buildC(SOURCE, 'bpf_oracle');
}

/**
 * Builds one of the tests' C helpers (`path`, linked with `libs`) into a private cache directory
 * keyed by its source text, unless already built; the binary's path, or why it cannot be built.
 */
export async function buildC(path: string, name: string, libs: readonly string[] = []): Promise<string | { unavailable: string }> {
  let source: Buffer;
  try {
    source = await readFile(path);
  } catch (e) {
    return { unavailable: `cannot read ${path}: ${String(e)}` };
  }
  const key = createHash('sha256').update(source).digest('hex').slice(0, 16);
  // One private directory per user: the helper may run as root, so it must never be a binary
  // someone else could have put in a shared /tmp.
  const uid = process.getuid?.() ?? 0;
  const dir = join(tmpdir(), `bpfp-kernel-oracle-${uid}`);
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const info = await stat(dir);
    if (info.uid !== uid || (info.mode & 0o022) !== 0) return { unavailable: `${dir} is not a private directory of this user` };
  } catch (e) {
    return { unavailable: `cannot create ${dir}: ${String(e)}` };
  }
  const binary = join(dir, `${name}-${key}`);
  try {
    await stat(binary);
    return binary;
  } catch {
    // Not built yet for this source.
  }
  const failures: string[] = [];
  for (const cc of COMPILERS) {
    // Build under a private name and rename: concurrent test workers may race to build.
    const partial = `${binary}.${process.pid}.tmp`;
    try {
      await execFileAsync(cc, ['-O2', '-Wall', '-o', partial, path, ...libs], { timeout: 60_000 });
      await rename(partial, binary);
      return binary;
    } catch (e) {
      const err = e as { code?: unknown; stderr?: unknown };
      const lines = String(err.stderr ?? e).trim().split('\n');
      failures.push(err.code === 'ENOENT' ? `${cc}: not installed` : `${cc}: ${lines.find((l) => l.includes('error')) ?? lines[0] ?? ''}`);
      await unlink(partial).catch(() => undefined);
    }
  }
  return { unavailable: `no C compiler could build ${basename(path)} (${failures.join('; ')})` };
}

interface Pending {
  resolve(result: KernelResult): void;
  reject(error: Error): void;
}

class HelperProcess implements KernelOracle {
  private readonly child: ChildProcessWithoutNullStreams;
  /** Waiting callers in request order; `head` avoids O(n) shifts on long batches. */
  private pending: (Pending | undefined)[] = [];
  private head = 0;
  private buffered = '';
  private stderr = '';
  private dead: Error | undefined;
  private readonly exited: Promise<void>;

  constructor(
    binary: string,
    readonly kernel: string,
  ) {
    this.child = spawn(binary, [], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout.setEncoding('utf8');
    this.child.stdout.on('data', (chunk: string) => this.onData(chunk));
    this.child.stderr.setEncoding('utf8');
    this.child.stderr.on('data', (chunk: string) => {
      this.stderr = (this.stderr + chunk).slice(-2000);
    });
    // A write after the child died surfaces as EPIPE here; 'exit' reports the failure.
    this.child.stdin.on('error', () => undefined);
    this.exited = new Promise((resolve) => {
      this.child.on('error', (e) => {
        this.fail(new Error(`kernel oracle could not start: ${e.message}`));
        resolve();
      });
      this.child.on('exit', (code, signal) => {
        this.fail(new Error(`kernel oracle exited (${signal ?? `code ${code}`})${this.stderr ? `: ${this.stderr}` : ''}`));
        resolve();
      });
    });
  }

  private onData(chunk: string): void {
    this.buffered += chunk;
    let from = 0;
    for (let nl = this.buffered.indexOf('\n'); nl >= 0; nl = this.buffered.indexOf('\n', from)) {
      const line = this.buffered.slice(from, nl);
      from = nl + 1;
      const waiter = this.pending[this.head];
      if (!waiter) {
        this.fail(new Error(`kernel oracle: unexpected output ${line.slice(0, 200)}`));
        return;
      }
      this.pending[this.head++] = undefined;
      if (this.head === this.pending.length) {
        this.pending = [];
        this.head = 0;
      }
      try {
        waiter.resolve(parseAnswer(line));
      } catch (e) {
        waiter.reject(e instanceof Error ? e : new Error(String(e)));
      }
    }
    this.buffered = this.buffered.slice(from);
  }

  private fail(error: Error): void {
    this.dead ??= error;
    const waiting = this.pending.slice(this.head);
    this.pending = [];
    this.head = 0;
    for (const w of waiting) w?.reject(error);
  }

  run(req: KernelRequest): Promise<KernelResult> {
    if (this.dead) return Promise.reject(this.dead);
    return new Promise((resolve, reject) => {
      this.pending.push({ resolve, reject });
      this.child.stdin.write(requestLine(req));
    });
  }

  runBatch(reqs: readonly KernelRequest[]): Promise<KernelResult[]> {
    return Promise.all(reqs.map((r) => this.run(r)));
  }

  async close(): Promise<void> {
    if (!this.dead) this.child.stdin.end();
    await this.exited;
  }
}

/** A two-instruction XDP program (r0 = 2; exit) and the answer it must give. */
const PROBE = new Uint8Array([0xb7, 0, 0, 0, 2, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0]);

/**
 * The kernel oracle, or the reason it cannot exist here (not Linux, no compiler, no bpf(),
 * not privileged). Callers must `close()` it. With BPFP_KERNEL_REFUSE=name,… set, it acts as a
 * kernel build that refuses those helpers, kfuncs or instruction forms (refusing.ts).
 */
export async function kernelOracle(): Promise<KernelOracle | { unavailable: string }> {
  if (process.platform !== 'linux') return { unavailable: `bpf() needs Linux (this is ${process.platform})` };
  const binary = await buildHelper();
  if (typeof binary !== 'string') return binary;
  const oracle = new HelperProcess(binary, release());
  let probe: KernelResult;
  try {
    probe = await oracle.run({ prog: PROBE, data: new Uint8Array(64) });
  } catch (e) {
    await oracle.close();
    return { unavailable: e instanceof Error ? e.message : String(e) };
  }
  if (!probe.ok) {
    await oracle.close();
    const hint =
      probe.errno === 1 || probe.errno === 13
        ? ' (loading programs needs root, or CAP_BPF with CAP_PERFMON and CAP_NET_ADMIN)'
        : probe.errno === 38
          ? ' (this kernel has no bpf() syscall)'
          : '';
    return { unavailable: `the kernel refused a trivial XDP program at ${probe.stage}: ${probe.error}${hint}` };
  }
  if (probe.retval !== 2) {
    await oracle.close();
    return { unavailable: `the kernel ran a trivial XDP program but answered ${probe.retval}, expected 2` };
  }
  const refused = refusedByEnvironment();
  if (refused.length === 0) return oracle;
  console.log(`simulating a kernel build that refuses ${refused.join(', ')} (${REFUSE_ENV})`);
  return refusingOracle(oracle, refused);
}
