// Real inputs to mutate, read where they live (never copied): the playground's examples in
// public/examples and the bpf_conformance suite in ../shared/conformance/tests. Read once per
// worker; a missing suite leaves a tiny built-in corpus so the harness still runs.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { assemble } from '../../asm/index.ts';
import type { Section, MapDecl } from '../../asm/index.ts';
import { CONFORMANCE_DIR, REPO_ROOT, sharedAvailable } from '../shared.ts';

export const EXAMPLES_DIR = join(REPO_ROOT, 'public', 'examples');

export interface Example {
  readonly id: string;
  readonly text: string;
  readonly dialect: 'llvm' | 'ubpf';
}

export interface ConformanceFile {
  readonly name: string;
  readonly text: string;
  /** The `-- asm` section (ubpf dialect). */
  readonly asm: string;
}

/** An example assembled once: what the program-running surfaces load. */
export interface BuiltProgram {
  readonly id: string;
  readonly sections: readonly Section[];
  readonly maps: readonly MapDecl[];
  readonly license?: string;
}

let examples: Example[] | undefined;
let conformance: ConformanceFile[] | undefined;
const built = new Map<string, BuiltProgram | undefined>();

export function exampleCorpus(): readonly Example[] {
  examples ??= readdirSync(EXAMPLES_DIR)
    .filter((f) => f.endsWith('.bpf.s'))
    .sort()
    .map((f) => {
      const text = readFileSync(join(EXAMPLES_DIR, f), 'utf8');
      const r = assemble(text);
      return { id: f.replace(/\.bpf\.s$/, ''), text, dialect: r.dialect };
    });
  return examples;
}

export function conformanceCorpus(): readonly ConformanceFile[] {
  if (conformance) return conformance;
  if (!sharedAvailable(CONFORMANCE_DIR)) {
    conformance = [
      { name: 'mov.data', text: '-- asm\nmov %r0, 1\nexit\n-- result\n0x1\n', asm: 'mov %r0, 1\nexit\n' },
      { name: 'ldxb.data', text: '-- asm\nldxb %r0, [%r1+2]\nexit\n-- mem\naa bb 11 cc\n-- result\n0x11\n', asm: 'ldxb %r0, [%r1+2]\nexit\n' },
    ];
    return conformance;
  }
  conformance = readdirSync(CONFORMANCE_DIR)
    .filter((f) => f.endsWith('.data'))
    .sort()
    .map((name) => {
      const text = readFileSync(join(CONFORMANCE_DIR, name), 'utf8');
      const asm = /-- asm\n([\s\S]*?)(?=\n-- |$)/.exec(text)?.[1] ?? '';
      return { name, text, asm };
    });
  return conformance;
}

/** The example `id` assembled (undefined when it is not there or does not assemble). */
export function builtExample(id: string): BuiltProgram | undefined {
  if (built.has(id)) return built.get(id);
  const ex = exampleCorpus().find((e) => e.id === id);
  let program: BuiltProgram | undefined;
  if (ex) {
    const r = assemble(ex.text);
    if (r.ok) program = { id, sections: r.sections.filter((s) => s.insns.length > 0), maps: r.maps, ...(r.license === undefined ? {} : { license: r.license }) };
  }
  built.set(id, program);
  return program;
}

/** A small program assembled from `text` (the harness's own, so it must assemble). */
export function builtSource(id: string, text: string): BuiltProgram {
  const cached = built.get(id);
  if (cached) return cached;
  const r = assemble(text);
  if (!r.ok) throw new Error(`fuzz harness: its own program ${id} does not assemble: ${r.diagnostics.map((d) => d.message).join('; ')}`);
  const program = { id, sections: r.sections.filter((s) => s.insns.length > 0), maps: r.maps, ...(r.license === undefined ? {} : { license: r.license }) };
  built.set(id, program);
  return program;
}
