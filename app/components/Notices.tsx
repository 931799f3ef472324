// Notices: what just happened (link copied, engine restarted, a broken link), announced to
// screen readers and dismissable with Esc or the close button.

import { useEffect } from 'react';
import { selectNotices } from '../state/selectors.ts';
import { store, useStore } from '../state/store.ts';

export function Notices() {
  const notices = useStore(selectNotices);
  useEffect(() => {
    const timers = notices.filter((n) => n.kind === 'info').map((n) => setTimeout(() => store.dismiss(n.id), 6000));
    return () => timers.forEach(clearTimeout);
  }, [notices]);
  return (
    <div className="notices" role="status" aria-live="polite">
      {notices.map((n) => (
        <div key={n.id} className={`notice notice-${n.kind}`} data-testid={`notice-${n.kind}`}>
          <span>{n.text}</span>
          {n.action ? (
            <button type="button" onClick={n.action.run}>
              {n.action.label}
            </button>
          ) : null}
          <button type="button" className="close" aria-label="Dismiss" onClick={() => store.dismiss(n.id)}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
