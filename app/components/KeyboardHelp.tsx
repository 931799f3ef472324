// The keyboard list: every shortcut the playground and its editor answer to, in one dialog
// (the toolbar's "Keys" button). Standalone Monaco has no help dialog of its own for them.

import { useRef } from 'react';
import { ACTIONS } from '../actions.ts';
import { CHECK_SHORTCUT } from '../lessons/graded.ts';

export interface Shortcut {
  readonly keys: string;
  readonly what: string;
  /** Only inside the editor (Monaco's own keys). */
  readonly editor?: boolean;
}

/** Ctrl is Cmd on macOS throughout. */
export const SHORTCUTS: readonly Shortcut[] = [
  { keys: ACTIONS.run.shortcut, what: 'Run the program' },
  { keys: ACTIONS.step.shortcut, what: 'Step one instruction (into calls)' },
  { keys: ACTIONS.stepOver.shortcut, what: 'Step over a call' },
  { keys: ACTIONS.continue.shortcut, what: 'Continue to the next breakpoint or the end' },
  { keys: ACTIONS.stop.shortcut, what: 'Stop a running program; when nothing runs, dismiss the newest notice' },
  { keys: ACTIONS.share.shortcut, what: 'Copy a share link (and put it in the address bar)' },
  { keys: CHECK_SHORTCUT, what: 'Check your code, in a graded lesson' },
  { keys: 'Ctrl+Space', what: 'Completions: instructions, registers, helpers, labels, maps', editor: true },
  { keys: 'F8 / Shift+F8', what: 'Next / previous problem', editor: true },
  { keys: 'Ctrl+G', what: 'Go to a line', editor: true },
  { keys: 'F1', what: 'Command palette (every editor command, with its keys)', editor: true },
  { keys: 'Ctrl+F / Ctrl+H', what: 'Find / replace', editor: true },
  { keys: 'Ctrl+/', what: 'Comment or uncomment the line', editor: true },
  { keys: 'Ctrl+M (Ctrl+Shift+M on macOS)', what: 'Let Tab move the focus out of the editor (press again to type tabs)', editor: true },
];

export function KeyboardHelp() {
  const dialog = useRef<HTMLDialogElement>(null);
  return (
    <>
      <button type="button" onClick={() => dialog.current?.showModal()} title="Keyboard shortcuts" aria-haspopup="dialog">
        Keys
      </button>
      <dialog
        ref={dialog}
        className="keys-dialog"
        aria-labelledby="keys-title"
        // Esc closes the dialog; it must not also stop a run or dismiss a notice behind it.
        onKeyDown={(e) => {
          if (e.key === 'Escape') e.stopPropagation();
        }}
      >
        <h2 id="keys-title">Keyboard shortcuts</h2>
        <p className="hint">Ctrl is Cmd on macOS. Keys marked “editor” work while the editor has the focus.</p>
        <table className="map-table" data-testid="shortcuts">
          <thead>
            <tr>
              <th scope="col">keys</th>
              <th scope="col">does</th>
            </tr>
          </thead>
          <tbody>
            {SHORTCUTS.map((s) => (
              <tr key={s.keys}>
                <th scope="row" className="mono">
                  {s.keys}
                </th>
                <td>
                  {s.what}
                  {s.editor ? <span className="hint"> (editor)</span> : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <form method="dialog">
          <button type="submit">Close</button>
        </form>
      </dialog>
    </>
  );
}
