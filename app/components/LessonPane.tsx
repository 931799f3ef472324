// The lesson pane, beside the editor above the panels (which it never replaces: a lesson speaks
// of the Verifier panel, the registers, the trace): the index of every graded lesson by track,
// or the open lesson — its goal, docs, Check with its results in words (a failure pinned to its
// line), hints one at a time, and the solution once three Checks have failed.

import { Fragment, useEffect, useRef, type ReactNode } from 'react';
import { openLesson as openTour } from '../commands.ts';
import { KIND_NAMES, lessonHash, lessonsByTrack, TRACKS, type CatalogLesson } from '../lessons/catalog.ts';
import { CHECK_SHORTCUT, checkLesson, closeLessonPane, ensureCatalog, lessonById, openGradedLesson, openLessonIndex, resetToStarter, revealHint, revealLessonLine, showOpenLesson, showSolution, useSolution } from '../lessons/graded.ts';
import { LESSONS as TOURS } from '../lessons/lessons.ts';
import { NO_PROGRESS, SOLUTION_AFTER_FAILURES, solutionOffered, type LessonProgress } from '../lessons/progress.ts';
import { selectCourse, selectOpenLessonId } from '../state/selectors.ts';
import { useStore, type CourseState } from '../state/store.ts';

/** Prose from a lesson: paragraphs split by a blank line, `code` in backquotes shown as code. */
export function Prose({ text }: { text: string }) {
  return (
    <>
      {text
        .split(/\n\s*\n/)
        .filter((p) => p.trim())
        .map((p, i) => (
          <p key={i}>
            <Inline text={p} />
          </p>
        ))}
    </>
  );
}

export function Inline({ text }: { text: string }) {
  const parts = text.split(/(`[^`\n]+`)/);
  return (
    <>
      {parts.map((part, i) =>
        part.length > 2 && part.startsWith('`') && part.endsWith('`') ? <code key={i}>{part.slice(1, -1)}</code> : <Fragment key={i}>{part}</Fragment>,
      )}
    </>
  );
}

function Done({ passed }: { passed: boolean }) {
  return passed ? (
    <span className="lesson-done" title="Completed">
      <span aria-hidden="true">✓</span>
      <span className="sr-only">completed</span>
    </span>
  ) : null;
}

function PaneHeader({ children }: { children: ReactNode }) {
  return (
    <div className="lesson-pane-head">
      {children}
      <button type="button" className="lesson-close" onClick={closeLessonPane} aria-label="Close the lesson pane" title="Close the lesson pane (your code and progress are kept)">
        ×
      </button>
    </div>
  );
}

function LessonIndex({ course, openId }: { course: CourseState; openId: string | undefined }) {
  const { catalog, progress } = course;
  const tracks = lessonsByTrack(catalog.lessons);
  const done = catalog.lessons.filter((l) => progress[l.spec.id]?.passed).length;
  return (
    <div className="lesson-index" data-testid="lesson-index">
      <PaneHeader>
        <h2>Lessons</h2>
        {openId ? (
          <button type="button" className="link" onClick={showOpenLesson}>
            Back to the open lesson
          </button>
        ) : null}
      </PaneHeader>
      {catalog.status === 'loading' || catalog.status === 'idle' ? <p className="hint">Loading the lessons…</p> : null}
      {catalog.status === 'failed' ? (
        <p className="field-error" role="alert">
          The lessons could not be loaded: {catalog.error}.{' '}
          <button type="button" onClick={() => void ensureCatalog()}>
            Try again
          </button>
        </p>
      ) : null}
      {catalog.status === 'ready' ? (
        <p className="hint" data-testid="lesson-count">
          {catalog.lessons.length} graded lesson{catalog.lessons.length === 1 ? '' : 's'} in {tracks.length} track{tracks.length === 1 ? '' : 's'}; {done} completed. Each has a goal, a Check that runs your code on hidden inputs, and hints.
        </p>
      ) : null}
      {tracks.map((t) => (
        <section key={t.id} className="lesson-track" aria-labelledby={`track-${t.id}`}>
          <h3 id={`track-${t.id}`}>{t.title}</h3>
          <ol>
            {t.lessons.map((l) => {
              const p = progress[l.spec.id] ?? NO_PROGRESS;
              return (
                <li key={l.spec.id} data-lesson={l.spec.id} data-passed={p.passed ? 'true' : 'false'}>
                  <a
                    href={lessonHash(l.spec.id)}
                    onClick={(e) => {
                      e.preventDefault();
                      void openGradedLesson(l.spec.id);
                    }}
                    aria-current={openId === l.spec.id ? 'true' : undefined}
                  >
                    {l.spec.title}
                  </a>{' '}
                  <span className={`lesson-kind kind-${l.spec.kind}`}>{KIND_NAMES[l.spec.kind]}</span> <Done passed={p.passed} />
                </li>
              );
            })}
          </ol>
        </section>
      ))}
      {catalog.skipped.length ? (
        <details className="lesson-skipped">
          <summary>
            {catalog.skipped.length} lesson{catalog.skipped.length === 1 ? '' : 's'} could not be read
          </summary>
          <ul>
            {catalog.skipped.map((s) => (
              <li key={s}>{s}</li>
            ))}
          </ul>
        </details>
      ) : null}
      <section className="lesson-track" aria-labelledby="track-tours">
        <h3 id="track-tours">Tours (not graded)</h3>
        <ol>
          {TOURS.map((t) => (
            <li key={t.id}>
              <button type="button" className="link" onClick={() => openTour(t.id)}>
                {t.title}
              </button>{' '}
              <span className="lesson-kind">tour</span>
            </li>
          ))}
        </ol>
      </section>
    </div>
  );
}

function CheckResults({ course, lesson, source }: { course: CourseState; lesson: CatalogLesson; source: string }) {
  const check = course.check?.id === lesson.spec.id ? course.check : undefined;
  if (!check) return <div role="status" aria-live="polite" className="lesson-results" data-testid="lesson-results" />;
  const changed = check.source !== source;
  if (check.status === 'checking') {
    return (
      <div role="status" aria-live="polite" className="lesson-results" data-testid="lesson-results">
        <p className="hint">Checking…</p>
      </div>
    );
  }
  if (check.status === 'failed' || !check.result) {
    return (
      <div role="status" aria-live="polite" className="lesson-results" data-testid="lesson-results">
        <p className="field-error">The Check could not run: {check.error ?? 'no answer'}. Check again to retry.</p>
      </div>
    );
  }
  const { passed, checks } = check.result;
  const failed = checks.filter((c) => !c.passed);
  const first = failed[0];
  return (
    <div role="status" aria-live="polite" className="lesson-results" data-testid="lesson-results" data-passed={passed ? 'true' : 'false'}>
      <p className={passed ? 'lesson-verdict ok' : 'lesson-verdict fail'} data-testid="lesson-verdict">
        {passed ? (
          <>
            <span aria-hidden="true">✓ </span>Passed: all {checks.length} checks passed.
          </>
        ) : (
          `Not yet: ${failed.length} of ${checks.length} check${checks.length === 1 ? '' : 's'} failed.`
        )}
        {changed ? <span className="hint"> (This was the code as it was at the Check; it has changed since.)</span> : null}
      </p>
      {first ? (
        <div className="lesson-first-failure" data-testid="lesson-first-failure">
          <strong>{first.name}</strong>: <Inline text={first.message} />
          {first.line !== undefined ? (
            <>
              {' '}
              <button type="button" className="link" onClick={() => revealLessonLine(first.line ?? 1)} data-testid="lesson-failure-line">
                Show line {first.line} in the editor
              </button>
            </>
          ) : null}
        </div>
      ) : null}
      <ul className="lesson-checks" aria-label="Every check">
        {checks.map((c, i) => (
          <li key={i} className={c.passed ? 'ok' : 'fail'} data-check={c.name} data-passed={c.passed ? 'true' : 'false'}>
            <span aria-hidden="true">{c.passed ? '✓' : '✗'} </span>
            <span className="lesson-check-name">{c.name}</span>: {c.passed ? 'passed' : 'failed'} — <Inline text={c.message} />
            {!c.passed && c.line !== undefined && c !== first ? (
              <>
                {' '}
                <button type="button" className="link" onClick={() => revealLessonLine(c.line ?? 1)}>
                  line {c.line}
                </button>
              </>
            ) : null}
          </li>
        ))}
      </ul>
    </div>
  );
}

function Hints({ lesson, progress }: { lesson: CatalogLesson; progress: LessonProgress }) {
  const hints = lesson.spec.hints;
  const shown = Math.min(progress.hints, hints.length);
  return (
    <section className="lesson-hints" aria-labelledby="lesson-hints-title">
      <h3 id="lesson-hints-title">Hints</h3>
      {shown ? (
        <ol data-testid="lesson-hints">
          {hints.slice(0, shown).map((h, i) => (
            <li key={i}>
              <Inline text={h} />
            </li>
          ))}
        </ol>
      ) : null}
      {shown < hints.length ? (
        <button type="button" onClick={revealHint} data-testid="lesson-hint-button">
          Show hint {shown + 1} of {hints.length}
        </button>
      ) : (
        <p className="hint">That was the last hint.</p>
      )}
    </section>
  );
}

function Solution({ course, lesson, progress }: { course: CourseState; lesson: CatalogLesson; progress: LessonProgress }) {
  if (!solutionOffered(progress)) {
    const left = SOLUTION_AFTER_FAILURES - progress.failures;
    return (
      <p className="hint">
        The solution is offered after {SOLUTION_AFTER_FAILURES} failed Checks ({left} more).
      </p>
    );
  }
  if (!course.solution) {
    return (
      <button type="button" onClick={() => showSolution(true)} data-testid="lesson-show-solution">
        Show solution
      </button>
    );
  }
  return (
    <section className="lesson-solution" aria-labelledby="lesson-solution-title" data-testid="lesson-solution">
      <h3 id="lesson-solution-title">Solution</h3>
      <pre tabIndex={0} aria-label="The solution (read-only)">
        {lesson.solutionText}
      </pre>
      <div className="lesson-actions">
        <button type="button" onClick={useSolution}>
          Put the solution in the editor
        </button>
        <button type="button" onClick={() => showSolution(false)}>
          Hide solution
        </button>
      </div>
    </section>
  );
}

function GradedLesson({ course, lesson }: { course: CourseState; lesson: CatalogLesson }) {
  const { spec } = lesson;
  const progress = course.progress[spec.id] ?? NO_PROGRESS;
  const source = useStore((s) => s.doc.source);
  const checking = course.check?.id === spec.id && course.check.status === 'checking';
  const track = TRACKS.find((t) => t.id === spec.track)?.title ?? spec.track;
  const heading = useRef<HTMLHeadingElement>(null);
  // A lesson opened from the index: the reader starts at its title.
  useEffect(() => {
    if (heading.current && document.activeElement?.closest('.lesson-index')) heading.current.focus();
  }, [spec.id]);
  return (
    <div className="lesson-graded" data-testid="lesson-graded" data-lesson={spec.id}>
      <PaneHeader>
        <button type="button" className="link" onClick={openLessonIndex}>
          ← All lessons
        </button>
        <span className="hint">
          {track} · lesson {spec.order} · {KIND_NAMES[spec.kind]}
        </span>
      </PaneHeader>
      <h2 ref={heading} tabIndex={-1}>
        {spec.title} <Done passed={progress.passed} />
      </h2>
      {progress.passed ? (
        <p className="lesson-complete" data-testid="lesson-complete">
          Completed{progress.tries ? ` after ${progress.tries} Check${progress.tries === 1 ? '' : 's'}` : ''}. Check again any time.
        </p>
      ) : null}
      <div className="lesson-goal">
        <Prose text={spec.goal} />
      </div>
      {spec.docs.length ? (
        <ul className="lesson-docs" aria-label="Documentation">
          {spec.docs.map((d) => (
            <li key={d.url}>
              <a href={d.url} target="_blank" rel="noopener noreferrer">
                {d.title}
              </a>
            </li>
          ))}
        </ul>
      ) : null}
      <div className="lesson-actions">
        <button type="button" className="primary" onClick={() => void checkLesson()} disabled={checking} title={`Check your code (${CHECK_SHORTCUT})`} aria-keyshortcuts="Control+Shift+Enter" data-testid="lesson-check">
          {checking ? 'Checking…' : 'Check'}
        </button>
        <span className="hint">{CHECK_SHORTCUT}</span>
        <button type="button" onClick={resetToStarter} title="Put the starter back in the editor (a notice offers your code back)">
          Start over
        </button>
      </div>
      <CheckResults course={course} lesson={lesson} source={source} />
      <Hints lesson={lesson} progress={progress} />
      <Solution course={course} lesson={lesson} progress={progress} />
    </div>
  );
}

export function LessonPane() {
  const course = useStore(selectCourse);
  const openId = useStore(selectOpenLessonId);
  const pane = course.pane;
  if (pane === 'closed') return null;
  const lesson = openId ? lessonById(course.catalog, openId) : undefined;
  return (
    <section className="lesson-pane" aria-label="Lesson" data-testid="lesson-pane">
      {pane === 'lesson' && lesson ? <GradedLesson course={course} lesson={lesson} /> : <LessonIndex course={course} openId={openId} />}
    </section>
  );
}
