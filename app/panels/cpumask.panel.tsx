// The cpumask grid: one row per bpf_cpumask the program has (refcount, freed or not) and per
// task's cpus_ptr, one cell per CPU; rows that changed at the last stop are marked.

import type { ObjectView } from '../../engine/worker/protocol.ts';
import type { PlaygroundState } from '../state/store.ts';
import { definePanel } from './registry.ts';

/** Only stable references and primitives: the frame compares selections shallowly. */
interface GridData {
  readonly cpus: number;
  readonly objects: readonly ObjectView[] | undefined;
  readonly running: boolean;
}

/** CPUs per row of cells; wider machines wrap. */
const WIDTH = 32;

function Row({ o, cpus, from, label }: { o: ObjectView; cpus: number; from: number; label: string }) {
  const set = new Set(o.cpus ?? []);
  const to = Math.min(cpus, from + WIDTH);
  const state = o.state === 'freed' ? 'freed' : o.state === 'rcu-free' ? 'freeing (RCU grace period)' : undefined;
  return (
    <tr className={`${o.changed ? 'changed' : ''} ${o.state !== 'live' ? 'freed' : ''}`} data-object={o.id}>
      <th scope="row">
        {label}
        {o.type === 'bpf_cpumask' ? <span className="hint">{` refcount ${o.refcount}`}</span> : null}
        {o.heldBy?.length ? <span className="held-by">{` ← ${o.heldBy.join(', ')}`}</span> : null}
        {state ? <span className="hint">{` — ${state}`}</span> : null}
        {o.changed ? <span className="sr-only"> (changed)</span> : null}
      </th>
      {Array.from({ length: to - from }, (_, k) => {
        const c = from + k;
        const on = set.has(c);
        return (
          <td key={c} className={on ? 'cpu on' : 'cpu'} aria-label={`CPU ${c} ${on ? 'set' : 'clear'}`}>
            {on ? '■' : '·'}
          </td>
        );
      })}
    </tr>
  );
}

function Grid({ data }: { data: GridData }) {
  const masks = (data.objects ?? []).filter((o) => o.type === 'bpf_cpumask');
  // The tasks a tracepoint program sees: the new task, and the task it runs in.
  const tasks = (data.objects ?? []).filter((o) => o.type === 'task_struct' && o.role);
  if (masks.length === 0 && tasks.length === 0) {
    return <p className="empty">{data.running ? 'Running…' : 'Run or step a program to see its cpumasks (bpf_cpumask objects) and the tasks’ cpus_ptr.'}</p>;
  }
  const blocks: number[] = [];
  for (let c = 0; c < data.cpus; c += WIDTH) blocks.push(c);
  return (
    <div className="cpumask-grid">
      <p className="hint">
        nr_cpu_ids = {data.cpus}. ■ set, · clear. Marked rows changed at the last stop.
      </p>
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
            {masks.map((o) => (
              <Row key={o.id} o={o} cpus={data.cpus} from={from} label={o.label} />
            ))}
            {tasks.map((o) => (
              <Row key={o.id} o={o} cpus={data.cpus} from={from} label={`${o.label} cpus_ptr (${o.role ?? ''})`} />
            ))}
          </tbody>
        </table>
      ))}
    </div>
  );
}

function select(s: PlaygroundState): GridData {
  const k = s.debug?.kernel;
  return { cpus: k?.cpus ?? s.doc.cpus, objects: k?.objects, running: s.busy !== 'idle' };
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
