// The toolbar: run controls, share, file open/save, example and lesson pickers, and the
// settings the program runs with (dialect, ISA level, kernel profile, CPU count, theme).

import { useRef } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { ACTIONS, type Action } from '../actions.ts';
import { EXAMPLES } from '../examples.ts';
import { LESSONS } from '../lessons/lessons.ts';
import { openExample, openFiles, openLesson, openPanel, setTheme } from '../commands.ts';
import { lessonsByTrack } from '../lessons/catalog.ts';
import { ensureCatalog, openGradedLesson, openLessonIndex } from '../lessons/graded.ts';
import { OWN } from '../state/drafts.ts';
import { selectDocuments, selectToolbar, selectVerdict } from '../state/selectors.ts';
import { verdictText } from '../state/verdict.ts';
import { isOwn, store, useStore } from '../state/store.ts';
import { openSavedDocument, restoreOwnDraft } from '../state/workspace.ts';
import { parseCpus, type PlaygroundDocument } from '../state/document.ts';
import { ACCEPTED_FILE_TYPES } from '../share/files.ts';
import { KeyboardHelp } from './KeyboardHelp.tsx';
import { useDraft } from './use-draft.ts';
import { PHONE_QUERY, useMedia } from './use-media.ts';
import { BUDGETS, TIERS, type TierSetting } from '../state/persistence.ts';

function ActionButton({ action, primary }: { action: Action; primary?: boolean }) {
  const enabled = useStore(action.enabled);
  const title = action.shortcut ? `${action.label} (${action.shortcut})` : action.label;
  return (
    <button type="button" className={primary ? 'primary' : undefined} disabled={!enabled} onClick={() => void action.perform()} title={title} aria-keyshortcuts={action.shortcut?.replace('Ctrl', 'Control')} data-action={action.id}>
      {action.label}
    </button>
  );
}

const time = (ms: number): string => (ms > 0 ? new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }) : 'earlier');

/**
 * The documents at hand: the user's own draft and the documents links, examples, lessons and
 * files opened and the user edited (each saved apart, so none replaces another).
 */
function DocumentMenu() {
  const { origin, slot, title, saved, lesson } = useStore(useShallow(selectDocuments));
  const current = isOwn(origin) ? OWN : (slot ?? 'current');
  return (
    <span className="field">
      <label htmlFor="tb-document">Document</label>{' '}
      <select
        id="tb-document"
        value={current}
        onChange={(e) => {
          const v = e.target.value;
          if (v === OWN) restoreOwnDraft();
          else if (v !== current) openSavedDocument(v);
        }}
        title="Your draft and the documents you opened and edited; each is saved apart."
      >
        {current !== OWN && !saved.opened.some((e) => e.id === current) ? <option value={current}>{lesson ? `${title} (saved with the lesson)` : slot ? title : `${title} (not edited)`}</option> : null}
        {saved.own !== undefined || current === OWN ? <option value={OWN}>{saved.own !== undefined ? `Your draft (saved ${time(saved.own)})` : 'Your draft'}</option> : null}
        {saved.opened.map((e) => (
          <option key={e.id} value={e.id}>{`${e.title} (edited, saved ${time(e.savedAt)})`}</option>
        ))}
      </select>
    </span>
  );
}

/** The value of the Lesson picker's "All lessons…" (the others are tour ids, and `graded:<id>`). */
const ALL_LESSONS = ':all';
const GRADED = 'graded:';

/**
 * Lessons: the tours, the index of the graded lessons ("All lessons…", also `#lesson`), and,
 * once the index is in, each graded lesson by track with ✓ when completed.
 */
function LessonPicker() {
  const catalog = useStore((s) => s.course.catalog);
  const progress = useStore((s) => s.course.progress);
  const tracks = lessonsByTrack(catalog.lessons);
  return (
    <span className="field">
      <label htmlFor="tb-lesson">Lesson</label>{' '}
      <select
        id="tb-lesson"
        value=""
        // The graded lessons are listed once the index is in: fetch it when the picker is reached.
        onFocus={() => void ensureCatalog()}
        onPointerDown={() => void ensureCatalog()}
        onChange={(e) => {
          const v = e.target.value;
          if (v === ALL_LESSONS) openLessonIndex();
          else if (v.startsWith(GRADED)) void openGradedLesson(v.slice(GRADED.length));
          else if (v) openLesson(v);
        }}
      >
        <option value="">Start a lesson…</option>
        <optgroup label="Tours">
          {LESSONS.map((l) => (
            <option key={l.id} value={l.id}>
              {l.title}
            </option>
          ))}
        </optgroup>
        <optgroup label="Graded lessons">
          <option value={ALL_LESSONS}>All lessons…</option>
          {tracks.flatMap((t) =>
            t.lessons.map((l) => (
              <option key={l.spec.id} value={GRADED + l.spec.id}>
                {`${t.title}: ${l.spec.title}${progress[l.spec.id]?.passed ? ' ✓' : ''}`}
              </option>
            )),
          )}
        </optgroup>
      </select>
    </span>
  );
}

/** The CPU count: typed text stays as it is; out of range is clamped and said, anything else is an error. */
function CpuField({ cpus }: { cpus: number }) {
  const [text, setText] = useDraft('tb-cpus', cpus, String);
  const parsed = parseCpus(text);
  const message = text === String(cpus) ? undefined : parsed.ok ? parsed.note : `Not applied — ${parsed.error}`;
  return (
    <span className="field field-cpus">
      <label htmlFor="tb-cpus">CPUs</label>{' '}
      <input
        id="tb-cpus"
        type="text"
        inputMode="numeric"
        value={text}
        className="cpus"
        aria-invalid={!parsed.ok}
        aria-describedby={message ? 'tb-cpus-note' : undefined}
        onChange={(e) => {
          const next = e.target.value;
          const p = parseCpus(next);
          if (!p.ok) return setText(next);
          setText(next, { value: p.value });
          if (p.value !== cpus) store.updateDocument({ cpus: p.value });
        }}
      />
      {message ? (
        <span id="tb-cpus-note" className={parsed.ok ? 'field-note' : 'field-error'} role={parsed.ok ? 'status' : 'alert'} data-testid="cpus-note">
          {message}
        </span>
      ) : null}
    </span>
  );
}

/**
 * The live verdict: whether the document's kernel would load the program as it stands
 * ("Checking…" while it is verified again). A button: it opens the Verifier panel.
 */
function Verdict() {
  const verdict = useStore(selectVerdict);
  const text = verdictText(verdict);
  const tone = verdict.status === 'done' ? (verdict.reply?.accepted ? 'ok' : 'reject') : verdict.status;
  const why = verdict.status === 'done' && !verdict.reply?.accepted ? verdict.reply?.errors[0]?.message : verdict.message;
  return (
    <span className="field verdict-field" role="status" aria-live="polite">
      <button
        type="button"
        className={`verdict verdict-${tone}`}
        data-testid="verdict"
        aria-label={`Live verification: ${text}`}
        title={why ? `${text}: ${why}` : text}
        onClick={() => openPanel('verifier')}
      >
        {text}
      </button>
    </span>
  );
}

/** How the program runs (dialect, ISA, kernel, CPUs, budget, tier) and the look; a menu on phones. */
function Settings({ doc, theme, budget, tier, verdict }: { doc: PlaygroundDocument; theme: string; budget: number; tier: TierSetting; verdict: boolean }) {
  const verify = useStore((s) => s.verify);
  const set = (patch: Partial<PlaygroundDocument>) => store.updateDocument(patch);
  return (
    <div className="group settings">
      <span className="field">
        <label htmlFor="tb-dialect">Dialect</label>{' '}
        <select id="tb-dialect" value={doc.dialect} onChange={(e) => set({ dialect: e.target.value as PlaygroundDocument['dialect'] })}>
          <option value="auto">auto</option>
          <option value="llvm">LLVM</option>
          <option value="ubpf">ubpf</option>
        </select>
      </span>
      <span className="field">
        <label htmlFor="tb-isa">ISA</label>{' '}
        <select id="tb-isa" value={doc.isa} onChange={(e) => set({ isa: Number(e.target.value) as PlaygroundDocument['isa'] })}>
          {[1, 2, 3, 4].map((v) => (
            <option key={v} value={v}>
              v{v}
            </option>
          ))}
        </select>
      </span>
      <span className="field">
        <label htmlFor="tb-kernel">Kernel</label>{' '}
        <select id="tb-kernel" value={doc.profile} onChange={(e) => set({ profile: e.target.value as PlaygroundDocument['profile'] })}>
          <option value="linux-6.18">Linux 6.18</option>
          <option value="linux-6.3">Linux 6.3</option>
        </select>
      </span>
      <CpuField cpus={doc.cpus} />
      <span className="field">
        <label htmlFor="tb-budget">Budget</label>{' '}
        <select id="tb-budget" value={budget} onChange={(e) => store.set({ settings: { ...store.get().settings, budget: Number(e.target.value) } })} title="Instructions a run may execute before it is stopped">
          {BUDGETS.map((b) => (
            <option key={b} value={b}>
              {b >= 1e9 ? `${b / 1e9}G` : `${b / 1e6}M`} insns
            </option>
          ))}
        </select>
      </span>
      <span className="field">
        <label htmlFor="tb-tier">Tier</label>{' '}
        <select
          id="tb-tier"
          value={tier}
          onChange={(e) => store.set({ settings: { ...store.get().settings, tier: TIERS.find((t) => t.value === e.target.value)?.value ?? 'auto' } })}
          title="What runs the program when no breakpoint or step needs the interpreter: the speed changes, never the results. The debugger always interprets."
        >
          {TIERS.map((t) => (
            <option key={t.value} value={t.value}>
              {t.label}
            </option>
          ))}
        </select>
      </span>
      <span className="field" title="Linux verifies every program before it runs. Off: run a program the verifier refuses anyway, to study the interpreter (only its runtime faults protect the run).">
        <input id="tb-verify" type="checkbox" checked={verify} onChange={(e) => store.set(e.target.checked ? { verify: true, strictPacket: false, strictAccess: undefined } : { verify: false })} />{' '}
        <label htmlFor="tb-verify">{verify ? 'Verify' : 'Verify (off: runs UNVERIFIED)'}</label>
      </span>
      {verdict ? <Verdict /> : null}
      <KeyboardHelp />
      <span className="field">
        <label htmlFor="tb-theme">Theme</label>{' '}
        <select id="tb-theme" value={theme} onChange={(e) => setTheme(e.target.value as 'system' | 'light' | 'dark')}>
          <option value="system">system</option>
          <option value="light">light</option>
          <option value="dark">dark</option>
        </select>
      </span>
    </div>
  );
}

export function Toolbar() {
  const { doc, busy, theme, budget, tier } = useStore(useShallow(selectToolbar));
  const fileInput = useRef<HTMLInputElement>(null);
  const phone = useMedia(PHONE_QUERY);
  return (
    <div className="toolbar" role="toolbar" aria-label="Playground">
      <div className="group">
        <ActionButton action={ACTIONS.run} primary />
        <ActionButton action={ACTIONS.step} />
        <ActionButton action={ACTIONS.stepOver} />
        <ActionButton action={ACTIONS.continue} />
        <ActionButton action={ACTIONS.reset} />
        {busy !== 'idle' ? <ActionButton action={ACTIONS.stop} /> : null}
      </div>
      <div className="group">
        <ActionButton action={ACTIONS.share} />
        <button type="button" onClick={() => fileInput.current?.click()} title="Open a .bpf.s, .bin, clang-built .o (with its .c beside it, if you have it) or .bpfp.json file">
          Open…
        </button>
        <input
          ref={fileInput}
          type="file"
          accept={ACCEPTED_FILE_TYPES}
          className="sr-only"
          aria-label="Open a file"
          tabIndex={-1}
          multiple
          onChange={(e) => {
            // Several: a clang-built .o with its .c (the C view then shows the whole file).
            const files = [...(e.target.files ?? [])];
            if (files.length) void openFiles(files);
            e.target.value = '';
          }}
        />
        <ActionButton action={ACTIONS.saveSource} />
        <ActionButton action={ACTIONS.saveBytecode} />
        <ActionButton action={ACTIONS.saveObject} />
      </div>
      <div className="group">
        <DocumentMenu />
        <span className="field">
          <label htmlFor="tb-example">Example</label>{' '}
          <select id="tb-example" value="" onChange={(e) => e.target.value && openExample(e.target.value)}>
            <option value="">Open an example…</option>
            {EXAMPLES.map((e) => (
              <option key={e.id} value={e.id}>
                {e.title}
              </option>
            ))}
          </select>
        </span>
        <LessonPicker />
      </div>
      {phone ? (
        <details className="settings-menu">
          <summary>Settings</summary>
          <Settings doc={doc} theme={theme} budget={budget} tier={tier} verdict={false} />
        </details>
      ) : (
        <Settings doc={doc} theme={theme} budget={budget} tier={tier} verdict />
      )}
      {phone ? <Verdict /> : null}
    </div>
  );
}
