// What the page shows when the app itself threw while rendering: what failed, the program
// text (still editable, still saved), and ways out — try again, download, the default example.
// During start-up it recovers by itself instead: the default example opens and a notice offers
// back what failed, so a document that breaks the app cannot blank every reload.

import { useEffect } from 'react';
import { documentFileName, downloadBlob, shareDocumentFile } from '../share/files.ts';
import { store } from '../state/store.ts';

interface Props {
  readonly error: string;
  readonly retry: () => void;
  /** True until the first render reached the screen. */
  readonly starting: () => boolean;
  /** Opens the default example and keeps what failed (see main.tsx). */
  readonly recover: (reason: string) => void;
}

export function AppFailed({ error, retry, starting, recover }: Props) {
  const atStart = starting();
  useEffect(() => {
    if (!atStart) return;
    recover(error);
    retry();
  }, [atStart, error, recover, retry]);
  if (atStart) return null;
  const doc = store.get().doc;
  return (
    <main className="app-failed" role="alert" data-testid="app-failed">
      <h1>BPF Playground</h1>
      <p>
        <strong>The playground failed:</strong> {error}
      </p>
      <p>Your program is below; it is still saved as you edit it. Try again, or download it first.</p>
      <label htmlFor="app-failed-source">Your program</label>
      <textarea id="app-failed-source" className="mono" spellCheck={false} rows={16} defaultValue={doc.source} onChange={(e) => store.updateDocument({ source: e.target.value })} />
      <div className="map-row">
        <button type="button" onClick={retry}>
          Try again
        </button>
        <button type="button" onClick={() => void downloadBlob(documentFileName(store.get().doc), shareDocumentFile(store.get().doc), 'application/json')}>
          Download .bpfp.json
        </button>
        <button
          type="button"
          onClick={() => {
            recover(error);
            retry();
          }}
        >
          Open the default example
        </button>
      </div>
    </main>
  );
}
