// Lessons: short guided tours, a program and a few steps of text each. The kernel and NIC work
// adds the cpumask and XDP-metadata lessons.

export interface LessonStep {
  readonly title: string;
  readonly text: string;
  /** Panel to open at this step. */
  readonly panel?: string;
}

export interface Lesson {
  readonly id: string;
  readonly title: string;
  /** Example the lesson starts from. */
  readonly example: string;
  readonly steps: readonly LessonStep[];
}

export const LESSONS: readonly Lesson[] = [
  {
    id: 'first-steps',
    title: 'First steps: run, step, break, fix',
    example: 'hello',
    steps: [
      {
        title: 'Run it',
        text: 'This program adds 5 + 4 + 3 + 2 + 1. Press Run (Ctrl+Enter). The Registers panel shows r0 = 0xf (15), and the Trace panel shows each running sum that bpf_trace_printk wrote.',
        panel: 'registers',
      },
      {
        title: 'Step through it',
        text: 'Press Step (F11) a few times. Each press runs one instruction; the line about to run is highlighted and the registers that changed are marked. r10 is a pointer to the top of the stack; r1 becomes a pointer 8 bytes below it.',
        panel: 'registers',
      },
      {
        title: 'Watch the stack',
        text: 'Open the Stack panel and keep stepping: the 8 bytes the program stores at r10-8 (the format string "sum=%d\\n") light up as touched.',
        panel: 'stack',
      },
      {
        title: 'Stop at a breakpoint',
        text: 'Click the margin next to the line "call bpf_trace_printk" to set a breakpoint, press Reset, then Continue (F5): the program stops there before each call.',
        panel: 'registers',
      },
      {
        title: 'Break it, read why, fix it',
        text: 'Change "r2 = 8" to "r2 = 8 8" — the editor underlines the mistake and Problems explains it. Fix it. Then change "r1 += -8" to "r1 += 8" and run: the program faults, and the message says where the pointer went (past the end of the stack frame).',
        panel: 'problems',
      },
    ],
  },
];

export function lessonById(id: string): Lesson | undefined {
  return LESSONS.find((l) => l.id === id);
}
