// The panel frame: tabs for every registered panel (or just one in embed mode); the open
// panel is part of the document, so it persists and travels in share links. A panel (or a
// badge) that throws shows the error in its place; the tabs and the rest of the page stay.

import { useEffect, useRef } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { openPanel } from '../commands.ts';
import { DEFAULT_EMBED_PANEL } from '../embed.ts';
import { ErrorBoundary, PanelFailed } from './ErrorBoundary.tsx';
import { PANELS, panelById, type PanelDefinition } from '../panels/registry.ts';
import { selectOpenPanel } from '../state/selectors.ts';
import { useStore } from '../state/store.ts';

function PanelBody({ panel }: { panel: PanelDefinition<unknown> }) {
  const data = useStore(useShallow(panel.select as (s: Parameters<typeof panel.select>[0]) => unknown)) as unknown;
  const View = panel.View;
  return <View data={data} />;
}

function Badge({ panel }: { panel: PanelDefinition<unknown> }) {
  const badge = useStore((s) => panel.badge?.(s));
  return badge === undefined ? null : <span className="badge">{badge}</span>;
}

export function PanelArea({ only }: { only?: string }) {
  const current = useStore(selectOpenPanel);
  // An embed names its panel; one that does not exist shows the default (start-up said so).
  const single = only === undefined ? undefined : (panelById(only) ?? panelById(DEFAULT_EMBED_PANEL) ?? PANELS[0]);
  const list = single ? [single] : PANELS;
  const active = single ?? panelById(current) ?? list[0];
  const body = useRef<HTMLDivElement>(null);
  // Another panel opens at its top, not where the last one was scrolled to.
  useEffect(() => {
    if (body.current) body.current.scrollTop = 0;
  }, [active?.id]);
  if (!active) return null;
  const onKey = (e: React.KeyboardEvent<HTMLDivElement>) => {
    const i = list.findIndex((p) => p.id === active.id);
    const next = e.key === 'ArrowRight' ? list[(i + 1) % list.length] : e.key === 'ArrowLeft' ? list[(i - 1 + list.length) % list.length] : undefined;
    if (next) {
      openPanel(next.id);
      document.getElementById(`tab-${next.id}`)?.focus();
      e.preventDefault();
    }
  };
  return (
    <div className="panels">
      {list.length > 1 ? (
        <div className="tabs" role="tablist" aria-label="Panels" onKeyDown={onKey}>
          {list.map((p) => (
            <button
              key={p.id}
              id={`tab-${p.id}`}
              type="button"
              role="tab"
              aria-selected={p.id === active.id}
              aria-controls={`panel-${p.id}`}
              tabIndex={p.id === active.id ? 0 : -1}
              className="tab"
              onClick={() => openPanel(p.id)}
              data-panel={p.id}
            >
              <span aria-hidden="true" className="tab-icon">
                {p.icon}
              </span>{' '}
              {p.title}{' '}
              <ErrorBoundary fallback={() => <span className="badge" title="This count could not be computed">!</span>}>
                <Badge panel={p} />
              </ErrorBoundary>
            </button>
          ))}
        </div>
      ) : null}
      <div ref={body} className="panel-body" tabIndex={0} role="tabpanel" id={`panel-${active.id}`} aria-labelledby={list.length > 1 ? `tab-${active.id}` : undefined} aria-label={list.length > 1 ? undefined : active.title} data-testid={`panel-${active.id}`}>
        <ErrorBoundary key={active.id} fallback={(error, retry) => <PanelFailed title={active.title} error={error} retry={retry} />}>
          <PanelBody panel={active} />
        </ErrorBoundary>
      </div>
    </div>
  );
}
