// The cpumask grid: one row per bpf_cpumask the program has (refcount, freed or not) and per
// task's cpus_ptr, one cell per CPU; rows that changed at the last stop are marked. A program
// may make thousands of masks on a 4,096-CPU machine, so the grid shows a page of rows and a
// window of CPUs at a time (each row also says its CPUs as a cpulist); and the references the
// program leaked, by line.

import { useState } from 'react';
import type { LeakView, ObjectView } from '../../engine/worker/protocol.ts';
import { Leaks } from '../components/Leaks.tsx';
import type { PlaygroundState } from '../state/store.ts';
import { definePanel } from './registry.ts';

/** Only stable references and primitives: the frame compares selections shallowly. */
interface GridData {
  readonly cpus: number;
  readonly objects: readonly ObjectView[] | undefined;
  readonly releasedHidden: number;
  readonly leaks: readonly LeakView[] | undefined;
  readonly leakCount: number;
  readonly running: boolean;
}

/** CPUs per table of cells; a window shows WINDOW CPUs, and wider machines page through them. */
const WIDTH = 32;
const WINDOW = 64;
/** Mask rows shown at first, and added by "show more". */
const ROWS = 64;

/** A cpulist ("0-3,8", "all", "none") as ranges [first, last]. */
function cpuRanges(list: string | undefined, nrCpus: number): [number, number][] {
  if (!list || list === 'none') return [];
  if (list === 'all') return [[0, nrCpus - 1]];
  return list.split(',').flatMap((part): [number, number][] => {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) return [];
    const a = Number(m[1]);
    return [[a, m[2] === undefined ? a : Number(m[2])]];
  });
}

function Row({ o, from, to, label, nrCpus }: { o: ObjectView; from: number; to: number; label: string; nrCpus: number }) {
  const ranges = cpuRanges(o.cpus, nrCpus);
  const on = (c: number) => ranges.some(([a, b]) => c >= a && c <= b);
  const state = o.state === 'freed' ? 'freed' : o.state === 'rcu-free' ? 'freeing (RCU grace period)' : undefined;
  return (
    <tr className={`${o.changed ? 'changed' : ''} ${o.state !== 'live' ? 'freed' : ''}`} data-object={o.id}>
      <th scope="row">
        {label}
        {o.type === 'bpf_cpumask' ? <span className="hint">{` refcount ${o.refcount}`}</span> : null}
        {o.heldBy?.length ? <span className="held-by">{` ← ${o.heldBy.join(', ')}`}</span> : null}
        {state ? <span className="hint">{` — ${state}`}</span> : null}
        {nrCpus > WINDOW ? <span className="hint mono">{` CPUs ${o.cpus ?? 'none'}`}</span> : null}
        {o.changed ? <span className="sr-only"> (changed)</span> : null}
      </th>
      {Array.from({ length: to - from }, (_, k) => {
        const c = from + k;
        const set = on(c);
        return (
          <td key={c} className={set ? 'cpu on' : 'cpu'} aria-label={`CPU ${c} ${set ? 'set' : 'clear'}`}>
            {set ? '■' : '·'}
          </td>
        );
      })}
    </tr>
  );
}

function Grid({ data }: { data: GridData }) {
  const [rows, setRows] = useState(ROWS);
  const [cpuFrom, setCpuFrom] = useState(0);
  const masks = (data.objects ?? []).filter((o) => o.type === 'bpf_cpumask');
  // The tasks a tracepoint program sees: the new task, and the task it runs in.
  const tasks = (data.objects ?? []).filter((o) => o.type === 'task_struct' && o.role);
  if (masks.length === 0 && tasks.length === 0) {
    return (
      <>
        <p className="empty">{data.running ? 'Running…' : 'Run or step a program to see its cpumasks (bpf_cpumask objects) and the tasks’ cpus_ptr.'}</p>
        <Leaks leaks={data.leaks} count={data.leakCount} />
      </>
    );
  }
  const first = Math.min(cpuFrom, Math.floor(Math.max(0, data.cpus - 1) / WINDOW) * WINDOW);
  const last = Math.min(data.cpus, first + WINDOW);
  const blocks: number[] = [];
  for (let c = first; c < last; c += WIDTH) blocks.push(c);
  const shown = masks.slice(0, rows);
  return (
    <div className="cpumask-grid">
      <p className="hint">
        nr_cpu_ids = {data.cpus}. ■ set, · clear. Marked rows changed at the last stop.
      </p>
      {data.cpus > WINDOW ? (
        <p className="cpu-window">
          <button type="button" disabled={first === 0} onClick={() => setCpuFrom(Math.max(0, first - WINDOW))}>
            ‹ CPUs
          </button>{' '}
          <span className="hint">{`CPUs ${first}–${last - 1} of ${data.cpus}`}</span>{' '}
          <button type="button" disabled={last >= data.cpus} onClick={() => setCpuFrom(first + WINDOW)}>
            CPUs ›
          </button>
        </p>
      ) : null}
      {blocks.map((from) => (
        <table key={from} className="grid-table" data-testid="cpumask-grid">
          <caption className="sr-only">{`CPUs ${from} to ${Math.min(data.cpus, from + WIDTH) - 1}`}</caption>
          <thead>
            <tr>
              <th scope="col">mask</th>
              {Array.from({ length: Math.min(data.cpus, from + WIDTH) - from }, (_, k) => (
                <th key={k} scope="col" className="cpu-head">
                  {from + k}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {shown.map((o) => (
              <Row key={o.id} o={o} from={from} to={Math.min(data.cpus, from + WIDTH)} label={o.label} nrCpus={data.cpus} />
            ))}
            {tasks.map((o) => (
              <Row key={o.id} o={o} from={from} to={Math.min(data.cpus, from + WIDTH)} label={`${o.label} cpus_ptr (${o.role ?? ''})`} nrCpus={data.cpus} />
            ))}
          </tbody>
        </table>
      ))}
      {masks.length > shown.length ? (
        <p>
          <span className="hint">{`${shown.length} of ${masks.length} masks shown.`}</span>{' '}
          <button type="button" onClick={() => setRows(rows + ROWS)}>
            Show {Math.min(ROWS, masks.length - shown.length)} more
          </button>
        </p>
      ) : null}
      {data.releasedHidden > 0 ? <p className="hint" data-testid="released-hidden">{`${data.releasedHidden.toLocaleString('en-US')} objects released earlier are not shown (only the most recent are).`}</p> : null}
      <Leaks leaks={data.leaks} count={data.leakCount} />
    </div>
  );
}

function select(s: PlaygroundState): GridData {
  const k = s.debug?.kernel;
  return { cpus: k?.cpus ?? s.doc.cpus, objects: k?.objects, releasedHidden: k?.releasedHidden ?? 0, leaks: k?.leaks, leakCount: k?.leakCount ?? 0, running: s.busy !== 'idle' };
}

export default definePanel({
  id: 'cpumask',
  title: 'Cpumasks',
  icon: '▥',
  order: 27,
  select,
  View: Grid,
  badge: (s) => {
    const n = s.debug?.kernel?.objects.filter((o) => o.type === 'bpf_cpumask' && o.state === 'live').length ?? 0;
    return n > 0 ? n : undefined;
  },
});
