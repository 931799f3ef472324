// The examples (public/examples/*.bpf.s and their index), bundled so the default one paints at
// once; `#example/<id>` links open one by id.

import index from '../public/examples/index.json';

const sources = import.meta.glob<string>('../public/examples/*.bpf.s', { query: '?raw', import: 'default', eager: true });

export interface Example {
  readonly id: string;
  readonly title: string;
  readonly source: string;
  /** Input memory (hex) the example expects, if any. */
  readonly input: string;
}

export const EXAMPLES: readonly Example[] = (index as { id: string; title: string; file: string; input?: string }[]).map((e) => ({
  id: e.id,
  title: e.title,
  source: sources[`../public/examples/${e.file}`] ?? `# example ${e.file} is missing\n`,
  input: e.input ?? '',
}));

export const DEFAULT_EXAMPLE_ID = 'hello';

export function exampleById(id: string): Example | undefined {
  return EXAMPLES.find((e) => e.id === id);
}
