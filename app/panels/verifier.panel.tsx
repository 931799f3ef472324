// Verifier: the live verdict on the program in the editor — whether the document's kernel would
// load it and, for a refusal, the kernel's words at the failing line, where the problem began
// and the causal path, each a button that takes the cursor to its line; the verifier's log
// (level 1) one click away, with a filter.

import { useEffect, useId, useMemo, useState } from 'react';
import type { Section } from '../../engine/asm/index.ts';
import { revealInEditor } from '../editor-bridge.ts';
import type { PlaygroundState } from '../state/store.ts';
import { profileName, refusalsOf, verdictText, type Verdict, type VerdictSite } from '../state/verdict.ts';
import { searchCounterexample, verifyLog, verifyUnder, verifyWithStates } from '../live-verify.ts';
import { categorize } from '../../engine/util/refusal-category.ts';
import { scenarioChanges } from '../../engine/util/scenario-note.ts';
import { runCounterexample } from '../actions.ts';
import type { CounterexampleReply, KernelProfile, VerdictError, VerifyReply, WalkedPath } from '../../engine/worker/protocol.ts';
import { definePanel } from './registry.ts';
import { VerifierStates } from './verifier-states.tsx';

/** Only stable references: the frame compares selections shallowly. */
interface VerifierData {
  readonly verdict: Verdict;
  readonly key: string;
  readonly section: Section | undefined;
  readonly source: string;
}

/** Log lines shown at most (a level-1 log of a long path can be long). */
const LOG_LINES = 2_000;

function Site({ site, lines, testId }: { site: VerdictSite; lines: readonly string[]; testId: string }) {
  const code = lines[site.line - 1]?.trim() ?? '';
  return (
    <button type="button" className="site" onClick={() => revealInEditor(site.line, site.col)} data-testid={testId} data-line={site.line}>
      <span className="site-line">{`line ${site.line}`}</span>
      {site.message ? <span className="site-message">{site.message}</span> : null}
      {code ? <code className="site-code">{code}</code> : null}
    </button>
  );
}

/**
 * The verifier's level-1 log, one click away. Live verdicts on accepted programs come without it
 * (`deferred`: making it is most of the verifier's time); it is made when the block is opened.
 */
function Log({ log, deferred, programKey }: { log: string; deferred: boolean; programKey: string }) {
  const [fetched, setFetched] = useState<{ key: string; log?: string; error?: string } | undefined>();
  const [open, setOpen] = useState(false);
  const current = deferred ? (fetched?.key === programKey ? fetched : undefined) : { key: programKey, log };
  useEffect(() => {
    if (!deferred || !open || current) return;
    let live = true;
    void verifyLog().then((r) => {
      if (live) setFetched('error' in r ? { key: programKey, error: r.error } : { key: r.key, log: r.log });
    });
    return () => {
      live = false;
    };
  }, [deferred, open, current, programKey]);
  return (
    <details className="verifier-log-block" data-testid="verifier-log" onToggle={(e) => setOpen(e.currentTarget.open)}>
      {current?.log !== undefined ? (
        <LogText log={current.log} />
      ) : (
        <>
          <summary>Verifier log (level 1)</summary>
          <p className="hint" role="status">
            {current?.error ? `The log could not be made (${current.error}).` : 'Making the log…'}
          </p>
        </>
      )}
    </details>
  );
}

/** A log's summary line, its filter and its text (the children of the log's <details>). */
function LogText({ log }: { log: string }) {
  const [filter, setFilter] = useState('');
  const id = useId();
  const all = useMemo(() => log.split('\n'), [log]);
  const wanted = filter.trim().toLowerCase();
  const shown = wanted ? all.filter((l) => l.toLowerCase().includes(wanted)) : all;
  const cut = shown.slice(0, LOG_LINES);
  return (
    <>
      <summary>{`Verifier log (level 1, ${all.length.toLocaleString('en-US')} lines)`}</summary>
      <p className="log-filter">
        <label htmlFor={`${id}-filter`}>Filter the log</label>{' '}
        <input id={`${id}-filter`} type="search" value={filter} onChange={(e) => setFilter(e.target.value)} spellCheck={false} />{' '}
        {wanted ? <span className="hint" role="status">{`${shown.length.toLocaleString('en-US')} matching`}</span> : null}
      </p>
      <pre className="verifier-log" tabIndex={0} aria-label="Verifier log">
        {cut.join('\n')}
        {shown.length > cut.length ? `\n… and ${(shown.length - cut.length).toLocaleString('en-US')} more lines` : ''}
      </pre>
    </>
  );
}

/**
 * How long a verdict stays on screen before the work that explains it further starts in the
 * verifier's worker (the counterexample search, the walk with every belief recorded): typing
 * on meanwhile asks for nothing of it, so the next keystroke's verdict never waits behind it.
 */
const SETTLED_MS = 300;

/**
 * For a refusal about memory safety, NULL, bounds or a leak: a concrete input on which the
 * program, run unverified, goes wrong where the verifier said — asked for once per refused
 * program, and offered with "Run it unverified"; or, honestly, why none was found.
 */
function Counterexample({ programKey, message }: { programKey: string; message: string }) {
  const [answer, setAnswer] = useState<{ key: string; reply?: CounterexampleReply; error?: string } | undefined>();
  // Only refusals about memory safety, NULL, bounds or a leak get a search.
  const wanted = categorize(message) !== undefined;
  useEffect(() => {
    if (!wanted) return;
    let live = true;
    // Asked once the program has stayed refused a moment: the search (up to 400 ms, in the
    // verifier's worker) would otherwise hold back the verdict on the next keystroke, which is
    // usually the one that fixes it.
    const t = setTimeout(() => {
      void searchCounterexample().then((r) => {
        if (!live) return;
        setAnswer('error' in r ? { key: programKey, error: r.error } : { key: r.key, reply: r.reply });
      });
    }, SETTLED_MS);
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [programKey, wanted]);
  if (!wanted) return null;
  const current = answer && answer.key === programKey ? answer : undefined;
  const found = current?.reply?.found;
  const scenarioNote = scenarioChanges(found?.input.scenario);
  return (
    <section aria-label="A concrete input that shows it" className="verifier-counterexample" data-testid="verifier-counterexample">
      <h3>An input that shows it</h3>
      {!current ? (
        <p className="hint" role="status">
          Looking for an input on which the program, run unverified, goes wrong…
        </p>
      ) : current.error ? (
        <p className="hint">{`The search could not run (${current.error}).`}</p>
      ) : found ? (
        <>
          <p data-testid="verifier-counterexample-text">{found.text.charAt(0).toUpperCase() + found.text.slice(1)}.</p>
          {found.input.data ? (
            <p className="hint">
              Packet: <code className="counterexample-bytes">{found.input.data}</code>
            </p>
          ) : null}
          {scenarioNote ? (
            <p className="hint" data-testid="verifier-counterexample-scenario">
              Running it sets the scenario&apos;s {scenarioNote}: remove it in the Scenario panel when you are done.
            </p>
          ) : null}
          <button type="button" data-testid="verifier-counterexample-run" onClick={() => void runCounterexample(found)}>
            Run it unverified
          </button>
        </>
      ) : (
        <p className="hint" data-testid="verifier-counterexample-none">{`No input found: ${current.reply?.none ?? 'the search found nothing'}.`}</p>
      )}
    </section>
  );
}

/** The states view, with the beliefs asked for once per refused program (live verification leaves them out). */
function StatesOnDemand({ programKey, section, lines }: { programKey: string; section: Section | undefined; lines: readonly string[] }) {
  const [answer, setAnswer] = useState<{ key: string; reply?: VerifyReply } | undefined>();
  useEffect(() => {
    let live = true;
    // Asked once the verdict has stayed a moment (as the counterexample is): a walk that records
    // every belief keeps the verifier's worker busy, and the next keystroke's verdict would wait.
    const t = setTimeout(() => {
      void verifyWithStates().then((r) => {
        if (live) setAnswer('error' in r ? { key: programKey } : { key: r.key, reply: r.reply });
      });
    }, SETTLED_MS);
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [programKey]);
  const reply = answer?.key === programKey ? answer.reply : undefined;
  const error = reply?.errors[0];
  if (error?.states) return <VerifierStates error={error} section={section} lines={lines} />;
  // An accepted program: the paths the verifier walked, one chosen, stepped the same way.
  const walked = reply?.accepted ? reply.walked : undefined;
  if (!walked?.length) return null;
  return <WalkedPaths paths={walked} section={section} lines={lines} />;
}

/** An accepted program's walked paths: a choice among them, the chosen one in the states view. */
function WalkedPaths({ paths, section, lines }: { paths: readonly WalkedPath[]; section: Section | undefined; lines: readonly string[] }) {
  const [chosen, setChosen] = useState(0);
  const k = Math.min(chosen, paths.length - 1);
  const w = paths[k];
  const last = w?.states.at(-1);
  if (!w || !last) return null;
  const lineOf = (p: WalkedPath): string => {
    const pc = p.states.at(-1)?.pc ?? -1;
    const line = section?.spans[pc]?.line;
    return line ? `line ${line}` : `pc ${pc}`;
  };
  const path: VerdictError = { pc: last.pc, message: '', stage: 'verifier', related: [], slice: [], states: w.states, wholePath: w.wholePath, ...(w.explored ? { explored: w.explored } : {}) };
  return (
    <>
      {paths.length > 1 ? (
        <p className="path-choice">
          <label>
            {`Path (${paths.length}${paths.length >= 16 ? ', the first walked' : ''}): `}
            <select value={k} onChange={(e) => setChosen(Number(e.target.value))} data-testid="verifier-path">
              {paths.map((p, i) => (
                <option key={i} value={i}>{`${i + 1}: ${p.end === 'exit' ? `to the exit at ${lineOf(p)}` : `pruned at ${lineOf(p)}`} (${p.steps} step${p.steps === 1 ? '' : 's'})`}</option>
              ))}
            </select>
          </label>
        </p>
      ) : null}
      <VerifierStates key={k} error={path} section={section} lines={lines} mode="accepted" end={w.end} />
    </>
  );
}

/** The other kernel profile's answer for the same program, asked for on a click. */
function CompareProfiles({ verdict, programKey, section }: { verdict: Verdict; programKey: string; section: Section | undefined }) {
  const other: KernelProfile = verdict.profile === 'linux-6.3' ? 'linux-6.18' : 'linux-6.3';
  const [answer, setAnswer] = useState<{ key: string; profile: KernelProfile; reply?: VerifyReply; error?: string } | undefined>();
  const [busy, setBusy] = useState(false);
  const here = verdict.status === 'done' && verdict.key === programKey ? verdict.reply : undefined;
  if (!here || here.unverified) return null;
  const current = answer && answer.key === programKey && answer.profile === other ? answer : undefined;
  const mine = here.errors[0];
  const theirs = current?.reply?.errors[0];
  const lineOf = (e: { line?: number; pc: number }): string => ` (line ${e.line ?? section?.spans[e.pc]?.line ?? '?'})`;
  return (
    <section aria-label="Compare kernel profiles" className="verifier-compare">
      <button
        type="button"
        disabled={busy}
        data-testid="verifier-compare"
        onClick={() => {
          setBusy(true);
          void verifyUnder(other).then((r) => {
            setBusy(false);
            setAnswer('error' in r ? { key: programKey, profile: other, error: r.error } : { key: r.key, profile: other, reply: r.reply });
          });
        }}
      >
        {busy ? 'Checking…' : `Compare with ${profileName(other)}`}
      </button>
      {current ? (
        <div data-testid="verifier-compare-result" role="status">
          {current.error ? (
            <p>{`${profileName(other)}: the verifier could not answer (${current.error}).`}</p>
          ) : current.reply ? (
            <>
              <p>{`${profileName(other)} would ${current.reply.accepted ? 'load' : 'reject'} this${theirs ? `: ${theirs.message}${lineOf(theirs)}` : '.'}`}</p>
              <p className="hint" data-testid="verifier-compare-diff">
                {here.accepted !== current.reply.accepted
                  ? `The verdicts differ: ${profileName(verdict.profile)} would ${here.accepted ? 'load' : 'reject'} it.`
                  : !here.accepted && mine && theirs && mine.message !== theirs.message
                    ? `Both refuse it, in different words: ${profileName(verdict.profile)} says “${mine.message}”, ${profileName(other)} says “${theirs.message}”.`
                    : 'Both kernels answer the same.'}
              </p>
            </>
          ) : null}
        </div>
      ) : null}
    </section>
  );
}

function VerifierView({ data }: { data: VerifierData }) {
  const { verdict, key, section, source } = data;
  const lines = useMemo(() => source.split('\n'), [source]);
  const refusals = useMemo(() => refusalsOf(verdict, key, section), [verdict, key, section]);
  const reply = verdict.status === 'done' && verdict.key === key ? verdict.reply : undefined;
  return (
    <div className="verifier-panel">
      <p className={`verdict-line verdict-${verdict.status === 'done' ? (reply?.accepted ? 'ok' : 'reject') : verdict.status}`} data-testid="verifier-verdict">
        {verdictText(verdict)}
      </p>
      {verdict.status === 'idle' ? <p className="empty">{verdict.message ? `Not verified live (${verdict.message}).` : 'The program is verified once it assembles without problems.'}</p> : null}
      {verdict.status === 'unavailable' ? <p className="empty">{`The verifier could not answer (${verdict.message ?? 'the engine failed'}); the next edit tries again. Run still verifies.`}</p> : null}
      {reply?.unverified === 'raw' ? <p className="empty">A raw program follows the bpf_conformance convention: Linux has no such program type, so it runs unverified.</p> : null}
      {refusals.map((r, i) => (
        <section key={i} aria-label={`Refusal ${i + 1}`}>
          <h3>The kernel says</h3>
          <Site site={r.at} lines={lines} testId="verifier-error" />
          {r.explanation ? (
            <div className="verifier-explanation" data-testid="verifier-explanation">
              <p>
                <strong>{r.explanation.title}</strong> <span className="hint">({r.explanation.category})</span>
              </p>
              <p>{r.explanation.text}</p>
              <p>
                <strong>What to do:</strong> {r.explanation.suggestion}
              </p>
              <p className="hint">{`Refused by ${r.explanation.kernelFunction} (kernel/bpf/verifier.c).`}</p>
            </div>
          ) : null}
          {i === 0 ? <Counterexample programKey={key} message={r.at.message} /> : null}
          {r.related.length ? (
            <>
              <h3>Where it began</h3>
              <ul>
                {r.related.map((x) => (
                  <li key={x.pc}>
                    <Site site={x} lines={lines} testId="verifier-related" />
                  </li>
                ))}
              </ul>
            </>
          ) : null}
          {r.slice.length ? (
            <>
              <h3>The causal path</h3>
              <ol>
                {r.slice.map((x) => (
                  <li key={x.pc}>
                    <Site site={x} lines={lines} testId="verifier-slice" />
                  </li>
                ))}
              </ol>
            </>
          ) : null}
          {i === 0 && reply && !reply.accepted ? <StatesOnDemand key={key} programKey={key} section={section} lines={lines} /> : null}
        </section>
      ))}
      {reply?.accepted && !reply.unverified ? <StatesOnDemand key={key} programKey={key} section={section} lines={lines} /> : null}
      <CompareProfiles verdict={verdict} programKey={key} section={section} />
      {reply && (reply.log || reply.logDeferred) ? <Log log={reply.log} deferred={!!reply.logDeferred} programKey={key} /> : null}
    </div>
  );
}

function select(s: PlaygroundState): VerifierData {
  return { verdict: s.verdict, key: s.program.key, section: s.program.section, source: s.doc.source };
}

export default definePanel({
  id: 'verifier',
  title: 'Verifier',
  icon: '✓',
  order: 45,
  select,
  View: VerifierView,
  badge: (s) => (s.verdict.status === 'done' && s.verdict.key === s.program.key && s.verdict.reply && !s.verdict.reply.accepted ? '!' : undefined),
});
