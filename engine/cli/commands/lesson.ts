// `bpfp lesson list [--json]` and `bpfp lesson check ID FILE [--json]`: the lessons of
// public/lessons, and a file graded as the playground's Check grades it — so teachers and CI
// can grade a learner's file.

import { gradeLesson } from '../../lessons/grader.ts';
import { defaultLessonsDir, loadLessonsFrom } from '../../lessons/load-dir.ts';
import { TRACKS } from '../../lessons/spec.ts';
import { checkKnown, type ParsedArgs, UsageError } from '../args.ts';
import { readText } from '../inputs.ts';
import { EXIT_OK, EXIT_REJECTED, type Io } from '../io.ts';

export function lessonCommand(args: ParsedArgs, io: Io): number {
  checkKnown(args, ['--json', '--lessons']);
  const [sub, ...rest] = args.positional;
  const json = args.flags.has('--json');
  const { lessons, errors } = loadLessonsFrom(args.options.get('--lessons') ?? defaultLessonsDir());
  errors.forEach((e) => io.err(`warning: not a lesson: ${e}`));
  if (sub === 'list') {
    if (rest.length) throw new UsageError('lesson list takes no FILE');
    for (const l of lessons) {
      const s = l.spec;
      if (json) io.out(JSON.stringify({ id: s.id, track: s.track, title: s.title, starter: l.starterPath, solution: l.solutionPath }));
      else io.out(`${s.id.padEnd(28)} ${(TRACKS.find((t) => t.id === s.track)?.title ?? s.track).padEnd(16)} ${s.title}`);
    }
    return EXIT_OK;
  }
  if (sub === 'check') {
    const [id, file, ...extra] = rest;
    if (!id || !file || extra.length) throw new UsageError('lesson check takes a lesson ID and one FILE');
    const lesson = lessons.find((l) => l.spec.id === id);
    if (!lesson) throw new UsageError(`no lesson '${id}' (bpfp lesson list shows them)`);
    const text = readText(file);
    if (!text.ok) {
      io.err(text.message);
      return EXIT_REJECTED;
    }
    const r = gradeLesson(lesson.spec, text.text);
    if (json) io.out(JSON.stringify({ passed: r.passed, checks: r.checks.map((c) => ({ name: c.name, passed: c.passed, message: c.message, ...(c.line ? { line: c.line } : {}) })) }));
    else {
      for (const c of r.checks) {
        if (c.passed) io.out(`  ok    ${c.name}: ${c.message}`);
        else io.err(`${file}:${c.line === undefined ? '' : `${c.line}:1:`} error: ${c.name}: ${c.message}`);
      }
      io.out(r.passed ? `${id}: passed (${r.checks.length} checks)` : `${id}: ${r.checks.filter((c) => !c.passed).length} of ${r.checks.length} checks failed`);
    }
    return r.passed ? EXIT_OK : EXIT_REJECTED;
  }
  throw new UsageError(`lesson takes list or check, not '${sub ?? ''}'`);
}
