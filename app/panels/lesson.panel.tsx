// The open tour's current step, with Previous and Next (graded lessons have a pane of their own:
// components/LessonPane.tsx).

import { lessonById } from '../lessons/lessons.ts';
import { lessonStep } from '../commands.ts';
import { openLessonIndex } from '../lessons/graded.ts';
import type { PlaygroundState } from '../state/store.ts';
import { definePanel } from './registry.ts';

function LessonView({ data }: { data: PlaygroundState['lesson'] }) {
  const lesson = data ? lessonById(data.id) : undefined;
  if (!lesson || !data)
    return (
      <p className="empty">
        No tour open. Pick one from Lesson in the toolbar, or{' '}
        <button type="button" className="link" onClick={openLessonIndex}>
          see all the graded lessons
        </button>
        .
      </p>
    );
  const step = lesson.steps[data.step];
  if (!step) return null;
  return (
    <div className="lesson">
      <h2>{lesson.title}</h2>
      <p className="hint">
        Step {data.step + 1} of {lesson.steps.length}
      </p>
      <h3>{step.title}</h3>
      <p>{step.text}</p>
      <div className="lesson-nav">
        <button type="button" disabled={data.step === 0} onClick={() => lessonStep(-1)}>
          Previous
        </button>
        <button type="button" disabled={data.step + 1 >= lesson.steps.length} onClick={() => lessonStep(1)}>
          Next
        </button>
      </div>
    </div>
  );
}

export default definePanel({
  id: 'lesson',
  title: 'Lesson',
  icon: '✎',
  order: 60,
  select: (s) => s.lesson,
  View: LessonView,
});
