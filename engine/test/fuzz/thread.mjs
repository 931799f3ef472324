// Entry of a fuzz worker thread. On Node 20 a worker does not get the parent's `--import tsx`
// loader hooks in time for its entry module, so it registers tsx itself before loading the
// TypeScript worker (as bin/bpfp.mjs does for the command line).
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
