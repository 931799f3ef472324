// What a counterexample's scenario changes, in words: the search varies the simulated world (memory
// running short, the new task's CPUs, another CPU writing a map, sockets, how tc gets its skb),
// and running the counterexample puts that scenario in the document. The Verifier panel says so
// before the run, and the run's notice after it, so the learner knows what to undo.

/** Each scenario field a counterexample may set, and what it does in words. */
const FIELDS: readonly { readonly key: string; readonly words: (v: unknown) => string }[] = [
  { key: 'failAllocationsAfter', words: () => 'memory runs short, so allocations fail' },
  { key: 'newtask', words: () => 'the new task’s CPUs' },
  { key: 'concurrentWrites', words: () => 'another CPU writes a map during the run' },
  { key: 'sockets', words: () => 'sockets the lookups find' },
  { key: 'skb', words: () => 'how the skb reaches tc (metadata, a non-linear head, a clone)' },
];

/**
 * The scenario fields a counterexample's run sets, with what each does, or undefined when it sets
 * none: "failAllocationsAfter (memory runs short …), concurrentWrites (another CPU …)".
 */
export function scenarioChanges(scenario: Readonly<Record<string, unknown>> | undefined): string | undefined {
  if (!scenario) return undefined;
  const set = FIELDS.filter((f) => scenario[f.key] !== undefined).map((f) => `${f.key} (${f.words(scenario[f.key])})`);
  return set.length ? set.join(', ') : undefined;
}
