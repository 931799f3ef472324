// Maps: what each map holds after a run (kptr slots name the object and its refcount), and the
// contents it starts with, editable before a run.

import { useState } from 'react';
import type { MapDecl } from '../../engine/asm/index.ts';
import type { MapView } from '../../engine/worker/protocol.ts';
import { store, type PlaygroundState } from '../state/store.ts';
import { definePanel } from './registry.ts';

interface MapsData {
  readonly decls: readonly MapDecl[];
  readonly live: readonly MapView[] | undefined;
  readonly initial: Record<string, unknown> | undefined;
}

interface InitialEntry {
  key: string;
  value: string;
}

function entriesOf(initial: Record<string, unknown> | undefined, name: string): InitialEntry[] {
  const raw = initial?.[name];
  if (!Array.isArray(raw)) return [];
  return raw.map((e: unknown) => {
    const o = (typeof e === 'object' && e !== null ? e : {}) as { key?: unknown; value?: unknown };
    return { key: String(o.key ?? ''), value: String(o.value ?? '') };
  });
}

const NUMBER_VALUES = ['devmap', 'devmap_hash', 'cpumap', 'xskmap'];

/** Stores the entries as the engine reads them: decimal keys (and redirect-map values) as numbers. */
function setEntries(decl: MapDecl, entries: InitialEntry[]): void {
  const name = decl.name;
  const maps = { ...(store.get().doc.maps ?? {}) };
  const num = (t: string) => (/^\d+$/.test(t.trim()) ? Number(t) : t);
  if (entries.length) maps[name] = entries.map((e) => ({ key: num(e.key), value: NUMBER_VALUES.includes(decl.type) ? num(e.value) : e.value }));
  else delete maps[name];
  store.updateDocument({ maps: Object.keys(maps).length ? maps : undefined });
}

function LiveEntries({ view }: { view: MapView }) {
  if (view.entries.length === 0) return <p className="hint">Empty{view.omitted ? ` (${view.omitted} zero entries not shown)` : ''}.</p>;
  return (
    <table className="map-table">
      <caption className="sr-only">{`${view.name} after the run`}</caption>
      <thead>
        <tr>
          <th scope="col">key</th>
          <th scope="col">value</th>
          <th scope="col">kptr</th>
        </tr>
      </thead>
      <tbody>
        {view.entries.map((e) => (
          <tr key={e.key} data-map-key={e.index ?? e.key}>
            <th scope="row" className="mono">
              {e.index !== undefined ? e.index : e.key}
            </th>
            <td className="mono">{Array.isArray(e.value) ? e.value.map((v, cpu) => <div key={cpu}>{`cpu${cpu}: ${v}`}</div>) : e.value}</td>
            <td>
              {e.kptrs?.map((k) => (
                <div key={`${k.offset}:${k.cpu ?? ''}`} className="kptr" data-testid="kptr">
                  {`@${k.offset}: `}
                  {k.ptr === null ? <span className="hint">NULL</span> : <span>{k.object ?? k.ptr}</span>}
                </div>
              ))}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function InitialEditor({ decl, entries }: { decl: MapDecl; entries: InitialEntry[] }) {
  const [draft, setDraft] = useState<InitialEntry>({ key: '', value: '' });
  const keyHint = decl.keySize === 4 || decl.keySize === 8 ? 'number or hex' : `${decl.keySize} bytes hex`;
  const valueHint =
    decl.type === 'prog_array' ? 'a section name, e.g. xdp/next' : NUMBER_VALUES.includes(decl.type) ? 'a number or hex' : decl.type.startsWith('percpu') || decl.type === 'lru_percpu_hash' ? `${decl.valueSize} bytes hex (every CPU)` : `${decl.valueSize} bytes hex`;
  return (
    <div className="map-initial">
      <p className="hint">Starts with {entries.length ? `${entries.length} entr${entries.length === 1 ? 'y' : 'ies'}` : 'nothing'} (used at the next run; kptr fields start NULL).</p>
      {entries.map((e, i) => (
        <div key={i} className="map-row">
          <span className="mono">{e.key}</span> → <span className="mono">{e.value}</span>{' '}
          <button type="button" aria-label={`Remove entry ${e.key} of ${decl.name}`} onClick={() => setEntries(decl, entries.filter((_, j) => j !== i))}>
            Remove
          </button>
        </div>
      ))}
      <form
        className="map-row"
        onSubmit={(ev) => {
          ev.preventDefault();
          if (!draft.key.trim() || !draft.value.trim()) return;
          setEntries(decl, [...entries, draft]);
          setDraft({ key: '', value: '' });
        }}
      >
        <label>
          key <input className="mono" value={draft.key} placeholder={keyHint} onChange={(e) => setDraft({ ...draft, key: e.target.value })} />
        </label>
        <label>
          value <input className="mono" value={draft.value} placeholder={valueHint} onChange={(e) => setDraft({ ...draft, value: e.target.value })} />
        </label>
        <button type="submit">Add</button>
      </form>
    </div>
  );
}

function Maps({ data }: { data: MapsData }) {
  if (data.decls.length === 0) return <p className="empty">No maps. Declare one with .map NAME type=array key=4 value=8 max_entries=16.</p>;
  return (
    <div className="maps">
      {data.decls.map((d) => {
        const view = data.live?.find((v) => v.name === d.name);
        return (
          <section key={d.name} className="map" aria-label={`map ${d.name}`} data-map={d.name}>
            <h3>
              {d.name} <span className="hint">{`${d.type} · key ${d.keySize} B · value ${d.valueSize} B · max_entries ${d.maxEntries}${d.kptrs.length ? ` · kptr ${d.kptrs.map((k) => `@${k.offset}: ${k.type}`).join(', ')}` : ''}`}</span>
            </h3>
            {view ? <LiveEntries view={view} /> : <p className="hint">Run the program to see what it holds.</p>}
            {view?.ringbuf ? <p className="hint">{`ring buffer: producer ${view.ringbuf.producer}, consumer ${view.ringbuf.consumer}, ${view.ringbuf.records.length} record(s) to read`}</p> : null}
            <InitialEditor decl={d} entries={entriesOf(data.initial, d.name)} />
          </section>
        );
      })}
    </div>
  );
}

function select(s: PlaygroundState): MapsData {
  return { decls: s.program.maps, live: s.debug?.kernel?.maps, initial: s.doc.maps };
}

export default definePanel({
  id: 'maps',
  title: 'Maps',
  icon: '⊞',
  order: 25,
  select,
  View: Maps,
  badge: (s) => (s.program.maps.length ? s.program.maps.length : undefined),
});
