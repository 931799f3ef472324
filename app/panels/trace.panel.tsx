// The trace pipe: bpf_trace_printk output as the kernel's trace_pipe prints it, streaming
// while a run goes on.

import type { TraceLineView } from '../../engine/worker/protocol.ts';
import type { PlaygroundState } from '../state/store.ts';
import { definePanel } from './registry.ts';

interface TraceData {
  readonly lines: readonly TraceLineView[];
  readonly running: boolean;
  readonly dropped: number;
}

function prefix(l: TraceLineView): string {
  return `${`${l.comm}-${l.pid}`.padStart(12)} [${String(l.cpu).padStart(3, '0')}] ${(l.ns / 1e9).toFixed(6)}: `;
}

function Trace({ data }: { data: TraceData }) {
  if (data.lines.length === 0) {
    return <p className="empty">{data.running ? 'Running… no output yet.' : 'No output. bpf_trace_printk (call 6) writes here.'}</p>;
  }
  return (
    <div className="trace" role="log" aria-live={data.running ? 'polite' : 'off'} aria-label="Trace pipe">
      {data.dropped > 0 ? <p className="hint">Earlier lines were dropped ({data.dropped}).</p> : null}
      <pre className="mono trace-lines" data-testid="trace">
        {data.lines.map((l) => (
          <div key={l.seq}>
            <span className="trace-prefix">{prefix(l)}</span>
            {l.text}
          </div>
        ))}
      </pre>
    </div>
  );
}

/** One empty list for every state without a trace: a new `[]` per call re-renders forever. */
const NO_LINES: readonly TraceLineView[] = Object.freeze([]);

function select(s: PlaygroundState): TraceData {
  if (s.live) return { lines: s.live.trace, running: true, dropped: 0 };
  return { lines: s.debug?.trace ?? NO_LINES, running: false, dropped: s.debug?.traceDropped ?? 0 };
}

export default definePanel({
  id: 'trace',
  title: 'Trace',
  icon: '≡',
  order: 30,
  select,
  View: Trace,
  badge: (s) => {
    const n = s.live?.trace.length ?? s.debug?.trace.length ?? 0;
    return n > 0 ? n : undefined;
  },
});
