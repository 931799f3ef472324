// The open lesson's current step, with Previous and Next.

import { lessonById } from '../lessons/lessons.ts';
import { lessonStep } from '../commands.ts';
import type { PlaygroundState } from '../state/store.ts';
import { definePanel } from './registry.ts';

function LessonView({ data }: { data: PlaygroundState['lesson'] }) {
  const lesson = data ? lessonById(data.id) : undefined;
  if (!lesson || !data) return <p className="empty">No lesson open. Pick one from Lesson in the toolbar.</p>;
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
