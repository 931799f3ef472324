// Vitest's setup for every test file (vitest.config.ts): the worker's V8 reads the WebAssembly
// tier's branch hints, as bpfp's and the benchmark's processes do (engine/vm/node-branch-hints.ts).
import { readWasmBranchHints } from '../vm/node-branch-hints.ts';

readWasmBranchHints();
