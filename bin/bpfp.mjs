#!/usr/bin/env node
// `bpfp`: runs the TypeScript command line through tsx, so it works right after npm install.
import { register } from 'tsx/esm/api';

register();
// Before any WebAssembly module is compiled: see engine/vm/node-branch-hints.ts.
const { readWasmBranchHints } = await import('../engine/vm/node-branch-hints.ts');
readWasmBranchHints();
await import('../engine/cli/node.ts');
