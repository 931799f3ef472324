// The examples (public/examples/*.bpf.s and their index), bundled so the default one paints at
// once; `#example/<id>` links open one by id.

import index from '../public/examples/index.json';
import type { KernelProfile, PlaygroundDocument } from './state/document.ts';

const sources = import.meta.glob<string>('../public/examples/*.bpf.s', { query: '?raw', import: 'default', eager: true });

export interface Example {
  readonly id: string;
  readonly title: string;
  readonly source: string;
  /** Input memory (hex) the example expects, if any. */
  readonly input: string;
  /** The kernel profile it needs; undefined when it runs under both. */
  readonly profile: KernelProfile | undefined;
  /** The panel that shows what it does (e.g. the cpumask grid). */
  readonly panel: string | undefined;
}

interface IndexEntry {
  id: string;
  title: string;
  file: string;
  input?: string;
  profile?: string;
  panel?: string;
}

export const EXAMPLES: readonly Example[] = (index as IndexEntry[]).map((e) => ({
  id: e.id,
  title: e.title,
  source: sources[`../public/examples/${e.file}`] ?? `# example ${e.file} is missing\n`,
  input: e.input ?? '',
  profile: e.profile === 'linux-6.3' || e.profile === 'linux-6.18' ? e.profile : undefined,
  panel: e.panel,
}));

/**
 * The document an example opens as: its source and input, the profile it needs (the current
 * one when it runs under both) and its panel; the simulated system, the map contents and the
 * NIC's traffic start from the defaults, as the example's comments describe them.
 */
export function exampleDocument(e: Example, base: PlaygroundDocument): PlaygroundDocument {
  const { scenario: _scenario, maps: _maps, ctx: _ctx, traffic: _traffic, c: _c, ...rest } = base;
  return { ...rest, source: e.source, input: e.input, dialect: 'auto', profile: e.profile ?? base.profile, panel: e.panel ?? base.panel };
}

export const DEFAULT_EXAMPLE_ID = 'hello';

export function exampleById(id: string): Example | undefined {
  return EXAMPLES.find((e) => e.id === id);
}
