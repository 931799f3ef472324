// The scenario editor: the simulated system a program runs in — its tasks and their CPU
// affinity, its cgroups, the task that is current, and what a tracepoint sees (the new task of
// tp_btf/task_newtask, the new cgroup of tp_btf/cgroup_mkdir). It edits the document's
// `scenario` JSON; every keystroke is kept as a draft and the document changes only when the
// text is a valid scenario, so a half-typed edit never reaches a run and is never lost.

import { useMemo, useState } from 'react';
import { useDraft } from '../components/use-draft.ts';
import { downloadBlob } from '../share/files.ts';
import { formatCpuList, parseCpuList, type Scenario } from '../../engine/kernel/scenario.ts';
import { checkScenarioText, checkScenarioValue, isDefaultScenario, textOf } from '../state/scenario.ts';
import { store, type PlaygroundState } from '../state/store.ts';
import { definePanel } from './registry.ts';

interface ScenarioData {
  readonly scenario: Record<string, unknown> | undefined;
  readonly cpus: number;
}

/**
 * Scenario text longer than this is not put in the text box until the user asks: a 10,000-task
 * scenario (700 KB, it fits in a link) took Chromium over half a second to lay out.
 */
export const LARGE_SCENARIO_CHARS = 64 * 1024;

/** Rows of the task table on one page: 10,000 tasks fit in a link, and a table of them all froze the tab. */
export const TASK_PAGE_ROWS = 100;

/** A cgroup path that wraps at its slashes, never inside a name (unless one name is wider than the column). */
function CgroupPath({ path }: { path: string }) {
  const parts = path.split('/');
  return (
    <>
      {parts.map((p, i) => (
        <span key={i}>
          {i > 0 ? '/' : ''}
          {p}
          {i < parts.length - 1 ? <wbr /> : null}
        </span>
      ))}
    </>
  );
}

function Summary({ scenario, cpus }: { scenario: Scenario; cpus: number }) {
  const [page, setPage] = useState(0);
  const total = scenario.tasks.length + 1;
  const pages = Math.ceil(total / TASK_PAGE_ROWS);
  const at = Math.min(page, pages - 1);
  const first = at * TASK_PAGE_ROWS;
  const cpusOf = (list: string) => {
    const r = parseCpuList(list, cpus);
    return r.ok ? formatCpuList(r.cpus, cpus) : list;
  };
  // Only the rows of this page are built (the new task is the last row of the last page).
  const rows: { t: Scenario['newtask']; role: string }[] = [];
  for (let i = first; i < Math.min(total, first + TASK_PAGE_ROWS); i++) {
    const t = scenario.tasks[i];
    rows.push(t ? { t, role: t.pid === scenario.current ? 'current' : '' } : { t: scenario.newtask, role: 'new task (tp_btf/task_newtask)' });
  }
  const cgroups = scenario.cgroups.length > 50 ? `${scenario.cgroups.slice(0, 50).join('  ')}  … (${scenario.cgroups.length.toLocaleString('en-US')} in all)` : scenario.cgroups.join('  ');
  return (
    <div className="scenario-summary">
      {pages > 1 ? (
        <div className="map-pager">
          <span className="hint">{`tasks ${(first + 1).toLocaleString('en-US')}–${(first + rows.length).toLocaleString('en-US')} of ${total.toLocaleString('en-US')} (the new task last)`}</span>{' '}
          <button type="button" aria-label="Previous page of tasks" disabled={at === 0} onClick={() => setPage(at - 1)}>
            Prev
          </button>
          <button type="button" aria-label="Next page of tasks" disabled={at >= pages - 1} onClick={() => setPage(at + 1)}>
            Next
          </button>
        </div>
      ) : null}
      <table className="map-table scenario-tasks" aria-label="tasks">
        <thead>
          <tr>
            <th scope="col">pid</th>
            <th scope="col">comm</th>
            <th scope="col">cpus_ptr</th>
            <th scope="col">cgroup</th>
            <th scope="col">parent</th>
            <th scope="col">role</th>
          </tr>
        </thead>
        <tbody>
          {rows.map(({ t, role }) => (
            <tr key={t.pid} data-pid={t.pid}>
              <th scope="row" className="mono">
                {t.pid}
              </th>
              <td className="mono">{t.comm}</td>
              <td className="mono">{cpusOf(t.cpus)}</td>
              <td className="mono cgroup-path">
                <CgroupPath path={t.cgroup ?? '/'} />
              </td>
              <td className="mono">{t.parent ?? ''}</td>
              <td>{role}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="hint">
        Cgroups: <span className="mono">{cgroups}</span>; tp_btf/cgroup_mkdir creates <span className="mono">{scenario.mkdir.path}</span>. Seed {scenario.seed} (bpf_get_prandom_u32, any_distribute).
        {scenario.conntrack?.length ? ` ${scenario.conntrack.length} conntrack entr${scenario.conntrack.length === 1 ? 'y' : 'ies'}.` : ''}
        {scenario.sockets?.length
          ? ` ${scenario.sockets.length} socket${scenario.sockets.length === 1 ? '' : 's'} the lookups can find: ${scenario.sockets
              .slice(0, 3)
              .map((x) => `${x.proto.toUpperCase()} ${x.local}${x.remote ? ` ↔ ${x.remote}` : x.proto === 'tcp' ? ' listening' : ''}${x.steer ? ' (an sk_lookup program hands it every lookup)' : ''}`)
              .join('; ')}${scenario.sockets.length > 3 ? `; and ${scenario.sockets.length - 3} more` : ''}.`
          : ''}
        {scenario.failAllocationsAfter === undefined ? '' : ` Memory runs short: ${scenario.failAllocationsAfter ? `after ${scenario.failAllocationsAfter} allocation${scenario.failAllocationsAfter === 1 ? '' : 's'}, every allocation fails` : 'every allocation fails'} (bpf_cpumask_create returns NULL).`}
        {scenario.concurrentWrites?.length ? ` Another CPU writes maps during each run: ${scenario.concurrentWrites.slice(0, 3).map((w) => `${w.value === undefined ? 'deletes' : 'sets'} key ${w.key} of ${w.map} before call ${w.beforeCall}`).join('; ')}${scenario.concurrentWrites.length > 3 ? `; and ${scenario.concurrentWrites.length - 3} more` : ''}.` : ''}
        {scenario.skb ? ` A tc program's skb: ${[scenario.skb.meta ? `${scenario.skb.meta.length / 2} bytes of metadata in front (data_meta)` : '', scenario.skb.linear !== undefined ? `non-linear, ${scenario.skb.linear} bytes in the head` : '', scenario.skb.cloned ? 'cloned' : ''].filter(Boolean).join(', ')} (bpf_skb_pull_data may move its head).` : ''}
      </p>
    </div>
  );
}

function ScenarioEditor({ data }: { data: ScenarioData }) {
  const format = (v: Record<string, unknown> | undefined) => textOf(v, data.cpus);
  const [shown, setShown] = useDraft(`scenario:${data.cpus}`, data.scenario, format);
  // A scenario of 10,000 tasks is 700 KB of text: format and check it once per change, not per render.
  const fromDoc = useMemo(() => textOf(data.scenario, data.cpus), [data.scenario, data.cpus]);
  // The document's own text needs no JSON syntax pass (it was checked when it came in).
  const check = useMemo(() => (shown === fromDoc ? checkScenarioValue(data.scenario, data.cpus) : checkScenarioText(shown, data.cpus)), [shown, fromDoc, data.scenario, data.cpus]);
  const large = shown.length > LARGE_SCENARIO_CHARS;
  const [editLarge, setEditLarge] = useState(false);

  const edit = (next: string) => {
    const c = checkScenarioText(next, data.cpus);
    if (!c.ok) return setShown(next);
    // The default scenario is stored as no scenario, so documents and links stay small.
    const value = isDefaultScenario(c.value, data.cpus) ? undefined : c.value;
    setShown(next, { value });
    store.updateDocument({ scenario: value });
  };

  return (
    <div className="scenario">
      <p className="hint">
        The system the program runs in. Tasks: <span className="mono">{'{"pid", "comm", "cpus": "0-3", "parent", "cgroup"}'}</span>; <span className="mono">current</span> is the pid running the program;{' '}
        <span className="mono">newtask</span> is what tp_btf/task_newtask sees. Changes apply at the next run.
      </p>
      {large && !editLarge ? (
        <p className="hint" data-testid="scenario-large">
          {`This scenario is ${Math.round(shown.length / 1024).toLocaleString('en-US')} KB of JSON; laying out that much text in the page would freeze it for a while, so it is not shown until you ask. `}
          <button type="button" onClick={() => setEditLarge(true)}>
            Edit the JSON anyway
          </button>{' '}
          <button type="button" onClick={() => void downloadBlob('scenario.json', shown, 'application/json')}>
            Download scenario.json
          </button>
        </p>
      ) : null}
      <label htmlFor="scenario-json" className="sr-only">
        Scenario (JSON)
      </label>
      {large && !editLarge ? null : <textarea
        id="scenario-json"
        className="mono scenario-text"
        spellCheck={false}
        rows={16}
        value={shown}
        aria-invalid={!check.ok}
        aria-describedby="scenario-status"
        onChange={(e) => edit(e.target.value)}
      />}
      <div className="map-row">
        <span id="scenario-status" className={check.ok ? 'hint' : 'field-error'} role={check.ok ? undefined : 'alert'}>
          {check.ok ? (data.scenario ? 'Custom scenario, in use.' : 'The default scenario.') : `Not applied: ${check.error}. The last valid scenario stays in use.`}
        </span>{' '}
        <button type="button" disabled={!data.scenario && shown === fromDoc} onClick={() => edit(textOf(undefined, data.cpus))}>
          Reset to default
        </button>
      </div>
      {check.ok ? <Summary scenario={check.scenario} cpus={data.cpus} /> : null}
    </div>
  );
}

function select(s: PlaygroundState): ScenarioData {
  return { scenario: s.doc.scenario, cpus: s.doc.cpus };
}

export default definePanel({
  id: 'scenario',
  title: 'Scenario',
  icon: '⚙',
  order: 28,
  select,
  View: ScenarioEditor,
});
