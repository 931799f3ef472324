// Error boundaries: a part of the page that throws while rendering shows what failed and a way
// to try again in its own place, and the rest of the page (toolbar, editor, the user's text)
// keeps working. One boundary per panel, one around the editor, one around the whole app.

import { Component, type ErrorInfo, type ReactNode } from 'react';

/** An error as one line of plain text: its message, never a stack. */
export function errorText(error: unknown): string {
  const raw = error instanceof Error ? error.message : typeof error === 'string' ? error : `a value that is not an error (${typeof error})`;
  // Production React reports "Minified React error #185; visit https://react.dev/errors/185?…".
  const react = /Minified React error #(\d+)/.exec(raw);
  const text = react ? `React error #${react[1] ?? ''}${react[1] === '185' ? ' (it kept updating itself)' : ''}` : raw.split('\n')[0] ?? '';
  const trimmed = text.trim() || 'an unknown error';
  return trimmed.length > 300 ? `${trimmed.slice(0, 300)}…` : trimmed;
}

interface BoundaryProps {
  /** What shows instead of the children once they threw; `retry` renders them again. */
  readonly fallback: (error: string, retry: () => void) => ReactNode;
  /** Hears every error caught (after React logged it). */
  readonly onError?: (error: unknown) => void;
  readonly children: ReactNode;
}

interface BoundaryState {
  readonly error: string | undefined;
  /** Bumped by retry, so the children mount afresh rather than reuse the state that threw. */
  readonly attempt: number;
}

export class ErrorBoundary extends Component<BoundaryProps, BoundaryState> {
  override state: BoundaryState = { error: undefined, attempt: 0 };

  static getDerivedStateFromError(error: unknown): Partial<BoundaryState> {
    return { error: errorText(error) };
  }

  override componentDidCatch(error: unknown, _info: ErrorInfo): void {
    this.props.onError?.(error);
  }

  readonly retry = (): void => {
    this.setState((s) => ({ error: undefined, attempt: s.attempt + 1 }));
  };

  override render(): ReactNode {
    if (this.state.error !== undefined) return this.props.fallback(this.state.error, this.retry);
    return <BoundaryKey key={this.state.attempt}>{this.props.children}</BoundaryKey>;
  }
}

function BoundaryKey({ children }: { children: ReactNode }) {
  return children;
}

/** What a panel that threw shows in its place. */
export function PanelFailed({ title, error, retry }: { title: string; error: string; retry: () => void }) {
  return (
    <div className="failed" role="alert" data-testid="panel-failed">
      <p>
        <strong>This panel failed:</strong> {error}
      </p>
      <p className="hint">{`The rest of the playground works; your program is safe. The ${title} panel can be loaded again.`}</p>
      <button type="button" onClick={retry}>
        Reload panel
      </button>
    </div>
  );
}
