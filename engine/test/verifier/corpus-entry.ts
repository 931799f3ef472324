// One program of the verifier corpus: our assembly, which section of it to load, and which
// kernel the expected behaviour is that of. The differential (differential.ts) loads each entry
// into the running kernel and into the playground's verifier and compares verdict and message.

import type { KernelProfile } from '../../kernel/profiles.ts';

export interface CorpusEntry {
  /** Unique within the corpus; what the differential's report calls the program. */
  readonly name: string;
  /** The program in the playground's assembly (.bpf.s): sections, `.map`, `.license`. */
  readonly source: string;
  /** The section to load (its name, e.g. `xdp` or `tp_btf/task_newtask`); default: the first. */
  readonly section?: string;
  /** The kernel whose verifier the entry is about; default linux-6.18 (the running kernel's). */
  readonly profile?: KernelProfile;
}
