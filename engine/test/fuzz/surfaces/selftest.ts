// A surface that misbehaves on purpose, for the harness's own test: it proves the watchdog
// stops a case that never returns, and that throws and non-text messages are caught. Not part
// of `--surface all`.

import type { Surface } from '../case.ts';

export const selftest: Surface<number> = {
  name: 'harness-selftest',
  about: 'the harness checking itself: case 3k spins forever, 3k+1 throws, 3k+2 answers a message that is an object',
  generate: (_rng, index) => index % 3,
  run(kind) {
    if (kind === 0) for (;;);
    if (kind === 1) throw new RangeError('thrown on purpose');
    return { problems: [{ message: { text: 'an object where text belongs' } }] };
  },
  show: (kind) => `kind ${kind}`,
};
