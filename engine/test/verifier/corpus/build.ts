// How the corpus modules write their programs: one case is a section, its maps, a body of
// assembly and the verdict we mean Linux 6.18 to give a privileged loader. The verdict goes into
// the source as a leading comment (`# expect: …`), for whoever reads a differential's report;
// the kernel, not this comment, decides what the playground must do.

import type { CorpusEntry } from '../corpus-entry.ts';

/** `accept`, or the part of the verifier message the rejection is meant to show. */
export type Expect = 'accept' | { readonly reject: string };

export interface Case {
  /** Without the topic prefix: `read past data_end without check`. */
  readonly name: string;
  readonly section: string;
  /** Instructions and labels, one per line. */
  readonly body: string;
  /** `.map` lines without the directive, e.g. `m type=array key=4 value=8 max_entries=4`. */
  readonly maps?: readonly string[];
  /** Default "GPL"; `null` leaves the `.license` line out. */
  readonly license?: string | null;
  readonly expect: Expect;
  /** A line of explanation for the header. */
  readonly note?: string;
  readonly profile?: CorpusEntry['profile'];
}

export const accept: Expect = 'accept';
export const reject = (message: string): Expect => ({ reject: message });

/** The verdict written in an entry's header, or undefined for a source without one. */
export function expectedVerdict(source: string): Expect | undefined {
  const m = /^# expect: (accepted|rejected)(?: — "(.*)")?$/m.exec(source);
  if (!m) return undefined;
  return m[1] === 'accepted' ? accept : reject(m[2] ?? '');
}

function header(c: Case): string {
  const verdict = c.expect === 'accept' ? '# expect: accepted' : `# expect: rejected — "${c.expect.reject}"`;
  return c.note ? `${verdict}\n# ${c.note}\n` : `${verdict}\n`;
}

function indent(body: string): string {
  return body
    .trim()
    .split('\n')
    .map((l) => {
      const t = l.trim();
      return t.endsWith(':') || t.startsWith('#') ? t : `        ${t}`;
    })
    .join('\n');
}

export function source(c: Case): string {
  const lines = [header(c) + `.section ${c.section}`];
  const license = c.license === undefined ? 'GPL' : c.license;
  if (license !== null) lines.push(`.license "${license}"`);
  for (const m of c.maps ?? []) lines.push(`.map ${m}`);
  lines.push(indent(c.body), '');
  return lines.join('\n');
}

export function topic(prefix: string, cases: readonly Case[]): CorpusEntry[] {
  return cases.map((c) => {
    const e: CorpusEntry = { name: `${prefix}/${c.name}`, source: source(c), section: c.section };
    return c.profile ? { ...e, profile: c.profile } : e;
  });
}

// Fragments many programs share.

/** r2 = data, r3 = data_end of an XDP context in r1. */
export const XDP_PKT = 'r2 = *(u32 *)(r1 + 0)\nr3 = *(u32 *)(r1 + 4)';
/** r2 = data, r3 = data_end of a tc context (struct __sk_buff) in r1. */
export const TC_PKT = 'r2 = *(u32 *)(r1 + 76)\nr3 = *(u32 *)(r1 + 80)';
/** A u32 key 0 at fp-4 and r2 pointing at it. */
export const KEY0 = '*(u32 *)(r10 - 4) = 0\nr2 = r10\nr2 += -4';
/** r0 = bpf_map_lookup_elem(&MAP, &key 0) (maybe NULL). */
export const lookup0 = (map: string): string => `r1 = ${map} ll\n${KEY0}\ncall bpf_map_lookup_elem`;

export const ARRAY8 = 'm type=array key=4 value=8 max_entries=4';
export const ARRAY64 = 'm type=array key=4 value=64 max_entries=4';
export const HASH8 = 'm type=hash key=4 value=8 max_entries=4';
export const RINGBUF = 'rb type=ringbuf key=0 value=0 max_entries=4096';
export const KPTR_MAP = 'km type=array key=4 value=16 max_entries=1 kptr=0:bpf_cpumask';
