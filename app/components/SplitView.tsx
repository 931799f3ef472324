// Editor and panels side by side, with a separator that resizes from the pointer and from the
// keyboard (arrow keys, Home, End); on narrow screens the two stack and the separator hides.

import { useRef, type ReactNode } from 'react';
import { setSplit } from '../commands.ts';
import { selectSplit } from '../state/selectors.ts';
import { useStore } from '../state/store.ts';

export function SplitView({ left, right }: { left: ReactNode; right: ReactNode }) {
  const split = useStore(selectSplit);
  const box = useRef<HTMLDivElement>(null);
  const drag = (e: React.PointerEvent<HTMLDivElement>) => {
    const el = box.current;
    if (!el) return;
    e.currentTarget.setPointerCapture(e.pointerId);
    const rect = el.getBoundingClientRect();
    const move = (ev: PointerEvent) => setSplit(((ev.clientX - rect.left) / rect.width) * 100);
    const up = () => {
      window.removeEventListener('pointermove', move);
      window.removeEventListener('pointerup', up);
    };
    window.addEventListener('pointermove', move);
    window.addEventListener('pointerup', up);
  };
  const key = (e: React.KeyboardEvent<HTMLDivElement>) => {
    const steps: Record<string, number> = { ArrowLeft: -2, ArrowRight: 2, PageDown: -10, PageUp: 10 };
    if (e.key in steps) setSplit(split + (steps[e.key] ?? 0));
    else if (e.key === 'Home') setSplit(20);
    else if (e.key === 'End') setSplit(80);
    else return;
    e.preventDefault();
  };
  return (
    <div className="split" ref={box} style={{ '--split': `${split}%` } as React.CSSProperties}>
      <section className="pane pane-editor" aria-label="Editor">
        {left}
      </section>
      <div
        className="separator"
        role="separator"
        aria-orientation="vertical"
        aria-label="Resize the editor and the panels"
        aria-valuemin={20}
        aria-valuemax={80}
        aria-valuenow={split}
        tabIndex={0}
        onPointerDown={drag}
        onKeyDown={key}
      />
      <section className="pane pane-panels" aria-label="Panels">
        {right}
      </section>
    </div>
  );
}
