#!/usr/bin/env node
// `bpfp`: runs the TypeScript command line through tsx, so it works right after npm install.
import { register } from 'tsx/esm/api';

register();
await import('../engine/cli/node.ts');
