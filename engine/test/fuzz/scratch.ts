// Files the command line reads: each worker thread writes its cases' inputs into its own
// scratch folder (the CLI takes paths), and the pool removes the folders when it closes.

import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { runCli, type CliRun } from '../cli-harness.ts';
import { inspectLines } from './inspect.ts';
import type { Finding } from './case.ts';

const PREFIX = `bpfp-fuzz-${process.pid}-`;

/** This thread's scratch folder, emptied: a fresh one per case. */
export function scratchDir(): string {
  const dir = join(tmpdir(), `${PREFIX}${threadId}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return dir;
}

export function writeScratch(dir: string, name: string, data: string | Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, data);
  return path;
}

/** Removes every scratch folder of this process (the pool calls it at the end). */
export function removeScratch(): void {
  for (const name of readdirSync(tmpdir())) if (name.startsWith(PREFIX)) rmSync(join(tmpdir(), name), { recursive: true, force: true });
}

export interface CliAnswer {
  readonly code: number;
  readonly err: readonly string[];
  /** The first lines of stdout. */
  readonly out: readonly string[];
  /** stdout's JSON lines, parsed: walked for messages like any answer. */
  readonly json: readonly unknown[];
  /** What the lines themselves showed wrong (non-text, internal errors). */
  readonly lineFindings: readonly Finding[];
}

/** Runs `bpfp` in-process with `argv`, its output captured and checked line by line. */
export function cliAnswer(argv: string[]): CliAnswer {
  const r: CliRun = runCli(argv);
  const json: unknown[] = [];
  for (const line of r.out) {
    if (typeof line !== 'string' || !line.startsWith('{')) continue;
    try {
      json.push(JSON.parse(line));
    } catch {
      // Not every line starting with a brace is JSON; it is still checked as a line.
    }
  }
  const lineFindings = [...inspectLines('stderr', r.err), ...inspectLines('stdout', r.out)];
  if (r.err.some((l) => typeof l === 'string' && l.trim() === '')) lineFindings.push({ kind: 'non-text', detail: 'stderr has an empty line' });
  return { code: r.code, err: r.err, out: r.out.slice(0, 40), json, lineFindings };
}
