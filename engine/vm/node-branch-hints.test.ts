// Which Node V8s need the flag for branch hints (node-branch-hints.ts): before 13.7 they do.
import { describe, expect, it } from 'vitest';
import { readsBranchHintsByDefault } from './node-branch-hints.ts';

describe('readsBranchHintsByDefault', () => {
  it('is false for the V8s of Node 20, 22 and 24, true from 13.7 (Chrome 137) on', () => {
    expect(['11.3.244.8-node.38', '12.4.254.21-node.33', '13.6.233.10-node.18'].map(readsBranchHintsByDefault)).toEqual([false, false, false]);
    expect(['13.7.152.9', '14.2.1', '15.6.0'].map(readsBranchHintsByDefault)).toEqual([true, true, true]);
  });
});
