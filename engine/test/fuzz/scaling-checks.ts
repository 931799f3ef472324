// The inputs that scale, each with a builder (not timed) and the product's work on it (timed):
// time at n, 10n and 100n must grow about linearly. Sizes in `base`/`quickBase` are n.

import { deflateRawSync } from 'node:zlib';
import { decodeShare, toBase64Url } from '../../../app/share/codec.ts';
import { assembleDocument } from '../../../app/state/program.ts';
import { assemble } from '../../asm/index.ts';
import { parseConformanceFile } from '../../cli/conformance-file.ts';
import { writePcap } from '../../net/pcap.ts';
import type { ProgramImage, RunSettings } from '../../worker/protocol.ts';
import { Session } from '../../worker/session.ts';
import { builtSource } from './corpus.ts';
import { imageOf } from './play.ts';

export interface ScalingCheck {
  readonly name: string;
  /** What n counts. */
  readonly unit: string;
  readonly base: number;
  readonly quickBase: number;
  build(n: number): unknown;
  run(input: unknown): unknown;
}

const SETTINGS: RunSettings = { isa: 4, profile: 'linux-6.18', cpus: 8, maxInsns: 1_000_000, seed: 1 };

function program(id: string, text: string): ProgramImage {
  const p = builtSource(id, text);
  const image = imageOf(p.sections, p.maps, p.license);
  if (!image) throw new Error(`scaling: ${id} has no program`);
  return image;
}

/** Loads and runs as Run does; for XDP on the NIC, the whole traffic. */
function loadAndRun(image: ProgramImage, settings: RunSettings): unknown {
  const s = new Session();
  const load = s.load(image, settings);
  if (!load.ok) return load;
  return image.sections[0]?.progType === 'xdp' && !settings.input ? s.runTraffic() : s.run([]);
}

const INSNS = ['\tr1 = 7', '\tr2 = r1', '\tr2 += 3', '\tif r2 > 100 goto +0', '\t*(u64 *)(r10 - 8) = r2', '\tr3 = *(u64 *)(r10 - 8)', '\tw4 = w3', '\tr0 = 0'];
const XDP_PASS = '.section xdp\n\tr0 = 2\n\texit\n';
const SYSCALL = '.section syscall\n.license "GPL"\n\tcall bpf_get_current_pid_tgid\n\tr0 = 0\n\texit\n';
const MAP_RUN = '.section syscall\n.license "GPL"\n.map big type=hash key=4 value=8 max_entries=MAX\n\tr0 = 0\n\texit\n';

function frame(i: number): Uint8Array {
  const f = new Uint8Array(64);
  f.set([2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, 8, 0, 0x45], 0);
  f[63] = i & 0xff;
  return f;
}

export const SCALING_CHECKS: readonly ScalingCheck[] = [
  {
    name: 'assembly source size',
    unit: 'lines',
    base: 1_000,
    quickBase: 100,
    build: (n) => `.section raw\n${Array.from({ length: n }, (_, i) => INSNS[i % INSNS.length]).join('\n')}\n\texit\n`,
    run: (text) => assemble(text as string).sections.length,
  },
  {
    name: 'labels (jumps to unknown labels)',
    unit: 'labels',
    base: 100,
    quickBase: 30,
    build: (n) => Array.from({ length: n }, (_, i) => `label_${i}:\n\tgoto lable_${i}x`).join('\n'),
    run: (text) => assemble(text as string).diagnostics.length,
  },
  {
    name: '.section lines',
    unit: 'sections',
    base: 200,
    quickBase: 30,
    build: (n) => Array.from({ length: n }, (_, i) => `.section xdp/s${i}\n\tr0 = 2\n\texit`).join('\n'),
    run: (text) => assemble(text as string).sections.length,
  },
  {
    name: 'junk characters (a diagnostic each)',
    unit: 'chars',
    base: 10_000,
    quickBase: 1_000,
    build: (n) => '`'.repeat(n),
    run: (text) => assemble(text as string).diagnostics.length,
  },
  {
    name: 'conformance header line length',
    unit: 'chars',
    base: 2_000,
    quickBase: 300,
    build: (n) => `-- asm${' '.repeat(n)}x\nmov %r0, 1\nexit\n-- result\n0x1\n`,
    run: (text) => parseConformanceFile(text as string).ok,
  },
  {
    name: 'scenario task count',
    unit: 'tasks',
    base: 100,
    quickBase: 10,
    build: (n) => ({
      image: program('scaling-syscall', SYSCALL),
      // Each task in a cgroup of its own, each the child of the one before: every lookup by pid or path has n to search.
      // Pids from 100,000 up stay clear of the default new task's (4242).
      scenario: { tasks: Array.from({ length: n }, (_, i) => ({ pid: 100_000 + i, comm: `t${i}`, cpus: 'all', ...(i ? { parent: 100_000 + i - 1 } : {}), cgroup: `/g${i}` })), cgroups: Array.from({ length: n }, (_, i) => `/g${i}`), current: 100_000 + n - 1 },
    }),
    run: (x) => {
      const { image, scenario } = x as { image: ProgramImage; scenario: Record<string, unknown> };
      return loadAndRun(image, { ...SETTINGS, scenario });
    },
  },
  {
    name: 'cgroup depth',
    unit: 'levels',
    base: 200,
    quickBase: 10,
    build: (n) => {
      const path = `/${Array.from({ length: n }, (_, i) => `d${i}`).join('/')}`;
      return { image: program('scaling-syscall', SYSCALL), scenario: { tasks: [{ pid: 1, comm: 'init', cpus: 'all', cgroup: path }], cgroups: [path], current: 1 } };
    },
    run: (x) => {
      const { image, scenario } = x as { image: ProgramImage; scenario: Record<string, unknown> };
      return loadAndRun(image, { ...SETTINGS, scenario });
    },
  },
  {
    name: 'map entries (starting contents)',
    unit: 'entries',
    base: 256,
    quickBase: 20,
    build: (n) => ({
      image: program(`scaling-map-${n}`, MAP_RUN.replace('MAX', String(n))),
      maps: { big: Array.from({ length: n }, (_, i) => ({ key: i, value: (i * 2654435761 >>> 0).toString(16).padStart(16, '0') })) },
    }),
    run: (x) => {
      const { image, maps } = x as { image: ProgramImage; maps: Record<string, unknown> };
      return loadAndRun(image, { ...SETTINGS, maps });
    },
  },
  {
    name: 'pcap packet count',
    unit: 'packets',
    base: 100,
    quickBase: 10,
    build: (n) => ({ image: program('scaling-xdp', XDP_PASS), pcap: writePcap(Array.from({ length: n }, (_, i) => ({ tsNs: 1e9 + i * 1000, data: frame(i) }))) }),
    run: (x) => {
      const { image, pcap } = x as { image: ProgramImage; pcap: Uint8Array };
      return loadAndRun(image, { ...SETTINGS, pcap });
    },
  },
  {
    name: 'traffic profile flow count',
    unit: 'flows',
    base: 2,
    quickBase: 2,
    build: (n) => ({
      image: program('scaling-xdp', XDP_PASS),
      traffic: { packets: 50 * n, flows: Array.from({ length: n }, (_, i) => ({ proto: 'udp', src: `10.0.${i >> 8}.${i & 0xff}`, dst: '10.0.0.2', sport: 1000 + i, dport: 8080 })) },
    }),
    run: (x) => {
      const { image, traffic } = x as { image: ProgramImage; traffic: unknown };
      return loadAndRun(image, { ...SETTINGS, traffic });
    },
  },
  {
    name: 'share link payload size',
    unit: 'bytes',
    base: 1_000,
    quickBase: 100,
    build: (n) => `#v1/${toBase64Url(deflateRawSync(Buffer.from(JSON.stringify({ v: 1, source: '`'.repeat(n) }))))}`,
    run: async (hash) => {
      const d = await decodeShare(hash as string);
      return d.ok === true ? assembleDocument(d.doc).problems.length : d;
    },
  },
];
