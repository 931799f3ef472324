// Node only. The WebAssembly tier writes branch hints into each module (the
// `metadata.code.branch_hint` section, wasm.ts): a check's slow path is unlikely, so V8 lays it
// out of line and the fast path falls through. V8 reads them by default from 13.7 (Chrome 137;
// Chromium 156 here: pkt_csum 5,890 → 7,989 M instructions/s); older V8s — Node 20's 11.3,
// Node 22's 12.4, Node 24's 13.6 — only with --experimental-wasm-branch-hinting. The Node entry
// points (bpfp, the benchmark's processes, the unit tests' workers) call this before a module
// is compiled. Hints change where code is placed, never what it does.

import { setFlagsFromString } from 'node:v8';

/** Whether V8 `version` reads branch hints without being asked (13.7 and later). */
export function readsBranchHintsByDefault(version: string): boolean {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  return major > 13 || (major === 13 && minor >= 7);
}

/** Makes this process's V8 read branch hints; false when it already does (nothing set). */
export function readWasmBranchHints(version = process.versions.v8): boolean {
  if (readsBranchHintsByDefault(version)) return false;
  setFlagsFromString('--experimental-wasm-branch-hinting');
  return true;
}
