#!/usr/bin/env node
// `npm run bench`: see engine/test/bench/main.ts.
import { register } from 'tsx/esm/api';

register();
await import('../engine/test/bench/main.ts');
