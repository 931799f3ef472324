// libbpf_load.c from the tests: loads a BPF object with libbpf as `bpftool prog loadall` does,
// with each XDP program bound to a device first — the way to hand a device-bound object (the XDP
// metadata kfuncs) to the kernel through libbpf, which bpftool 7.1 cannot do.

import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildC } from './oracle.ts';

const SOURCE = join(dirname(fileURLToPath(import.meta.url)), 'libbpf_load.c');

export type LibbpfLoad =
  | { readonly loaded: readonly string[] }
  | { readonly refused: number; readonly log: string }
  | { readonly unavailable: string };

/** Loads the object at `path` with libbpf (XDP programs bound to `ifindex`), as root. */
export async function libbpfLoad(path: string, ifindex: number): Promise<LibbpfLoad> {
  if (process.platform !== 'linux') return { unavailable: 'not Linux' };
  if (process.getuid?.() !== 0) return { unavailable: 'not root' };
  const binary = await buildC(SOURCE, 'libbpf_load', ['-lbpf']);
  if (typeof binary !== 'string') return { unavailable: `${binary.unavailable} (libbpf-dev is needed)` };
  return new Promise((resolve) => {
    execFile(binary, [path, String(ifindex)], { timeout: 20_000, maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      const lines = stdout.split('\n').filter(Boolean);
      if (!error) return resolve({ loaded: lines.filter((l) => l.startsWith('loaded ')).map((l) => l.slice(7)) });
      const refused = /^refused (\d+)$/.exec(lines[0] ?? '');
      if (refused) return resolve({ refused: Number(refused[1]), log: stderr });
      resolve({ unavailable: `libbpf_load failed: ${stderr.trim().split('\n').slice(-3).join(' ') || String(error)}` });
    });
  });
}
