// Notices: what just happened (link copied, engine restarted, a broken link, a draft kept),
// announced to screen readers and dismissable with the close button, or Esc when nothing runs.

import { useEffect, useRef } from 'react';
import { selectNotices } from '../state/selectors.ts';
import { store, useStore, type Notice } from '../state/store.ts';

/** How long an info notice stays; one with a button stays longer, so there is time to use it. */
function lifetime(n: Notice): number | undefined {
  if (n.kind !== 'info' || n.sticky) return undefined;
  return n.actions.length ? 20_000 : 6_000;
}

export function Notices() {
  const notices = useStore(selectNotices);
  // One timer per notice, started when it appears (a newer notice does not restart the others).
  const timers = useRef(new Map<number, ReturnType<typeof setTimeout>>());
  useEffect(() => {
    const live = new Set(notices.map((n) => n.id));
    for (const [id, t] of timers.current) {
      if (!live.has(id)) {
        clearTimeout(t);
        timers.current.delete(id);
      }
    }
    for (const n of notices) {
      const ms = lifetime(n);
      if (ms !== undefined && !timers.current.has(n.id)) timers.current.set(n.id, setTimeout(() => store.dismiss(n.id), ms));
    }
  }, [notices]);
  useEffect(() => {
    const all = timers.current;
    return () => {
      for (const t of all.values()) clearTimeout(t);
      all.clear();
    };
  }, []);
  return (
    <div className="notices" role="status" aria-live="polite">
      {notices.map((n) => (
        <div key={n.id} className={`notice notice-${n.kind}`} data-testid={`notice-${n.kind}`}>
          <span className="notice-text">{n.text}</span>
          {n.actions.map((a) => (
            <button
              key={a.label}
              type="button"
              onClick={() => {
                if (!a.keepOpen) store.dismiss(n.id);
                a.run();
              }}
            >
              {a.label}
            </button>
          ))}
          <button type="button" className="close" aria-label="Dismiss" onClick={() => store.dismiss(n.id)}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
