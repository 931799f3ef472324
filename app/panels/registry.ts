// The panel frame's registry. A panel is one file `app/panels/NAME.panel.tsx` that default-
// exports `definePanel({...})`: its id, title, icon, what it reads from the store and its view.
// The frame finds every such file by itself (import.meta.glob), so adding a panel is adding
// one file; layout, tabs, the open panel's persistence and sharing come from the frame.

import type { ComponentType } from 'react';
import type { PlaygroundState } from '../state/store.ts';

export interface PanelDefinition<T = unknown> {
  readonly id: string;
  readonly title: string;
  /** A short glyph shown before the title (decorative; the title is the label). */
  readonly icon: string;
  /** Position among the tabs (lower first). */
  readonly order: number;
  /** What the panel reads from the store; the view re-renders when this changes (shallowly). */
  readonly select: (s: PlaygroundState) => T;
  readonly View: ComponentType<{ data: T }>;
  /** A count or word next to the title (e.g. the number of problems). */
  readonly badge?: (s: PlaygroundState) => string | number | undefined;
}

export function definePanel<T>(panel: PanelDefinition<T>): PanelDefinition<T> {
  return panel;
}

const modules = import.meta.glob<{ default: PanelDefinition<unknown> }>('./*.panel.tsx', { eager: true });

export const PANELS: readonly PanelDefinition<unknown>[] = Object.values(modules)
  .map((m) => m.default)
  .sort((a, b) => a.order - b.order);

export function panelById(id: string): PanelDefinition<unknown> | undefined {
  return PANELS.find((p) => p.id === id);
}
