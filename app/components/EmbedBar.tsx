// The embed mode's bar: run controls and "Open in the playground", which carries the current
// state (built when clicked, so edits made in the embed travel too).

import { ACTIONS } from '../actions.ts';
import { encodeShare } from '../share/codec.ts';
import { selectBusy } from '../state/selectors.ts';
import { store, useStore } from '../state/store.ts';

async function openInPlayground(): Promise<void> {
  const hash = await encodeShare(store.get().doc);
  const url = new URL(window.location.href);
  url.search = '';
  url.hash = hash;
  window.open(url.toString(), '_blank', 'noopener');
}

export function EmbedBar() {
  const busy = useStore(selectBusy);
  return (
    <div className="toolbar embed-bar" role="toolbar" aria-label="Playground">
      <button type="button" className="primary" onClick={() => void ACTIONS.run.perform()} disabled={busy !== 'idle'} title="Run (Ctrl+Enter)">
        Run
      </button>
      <button type="button" onClick={() => void ACTIONS.step.perform()} disabled={busy !== 'idle'} title="Step (F11)">
        Step
      </button>
      <button type="button" onClick={() => void ACTIONS.reset.perform()} disabled={busy !== 'idle'}>
        Reset
      </button>
      <button type="button" className="link" onClick={() => void openInPlayground()}>
        Open in the playground ↗
      </button>
    </div>
  );
}
