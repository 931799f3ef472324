import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['engine/**/*.test.ts', 'app/**/*.test.ts', 'app/**/*.test.tsx'],
    // Differential suites shell out to llvm-mc and the kernel; give them room.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Each worker's V8 reads the WebAssembly tier's branch hints, as bpfp's and the benchmark's do.
    setupFiles: ['engine/test/setup-node.ts'],
    // Every core (Vitest's default leaves one to itself): the differential suites mostly wait on
    // llvm-mc, clang and the kernel. On a 2-core machine the suite took 8.3 min alone, 5.7 min so.
    maxWorkers: availableParallelism(),
  },
});
