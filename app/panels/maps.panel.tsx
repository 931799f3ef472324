// Maps: what each map holds after a run (kptr slots name the object and its refcount), a page
// at a time with values cut short (a map may hold 65,536 values of a megabyte), and the
// contents it starts with, editable before a run.

import { useState } from 'react';
import type { MapDecl } from '../../engine/asm/index.ts';
import type { MapEntryView, MapSummary } from '../../engine/worker/protocol.ts';
import { fetchMapEntry, showMapPage } from '../actions.ts';
import { store, type PlaygroundState } from '../state/store.ts';
import { definePanel } from './registry.ts';

interface MapsData {
  readonly decls: readonly MapDecl[];
  readonly live: readonly MapSummary[] | undefined;
  readonly initial: Record<string, unknown> | undefined;
}

/** The most of a value "show all" fetches (the engine's limit too). */
const SHOW_ALL_BYTES = 1 << 20;

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

function byteCount(n: number): string {
  return n >= 1 << 20 ? `${(n / (1 << 20)).toLocaleString('en-US', { maximumFractionDigits: 1 })} MiB` : `${n.toLocaleString('en-US')} bytes`;
}

/** A value the page shows cut short, with the button that fetches it whole. */
function Value({ map, entry, generation }: { map: string; entry: MapEntryView; generation: number }) {
  // What "show all" fetched, for the generation it was fetched at (a later run makes it stale).
  const [whole, setWhole] = useState<{ generation: number; entry?: MapEntryView; error?: string; loading?: boolean } | undefined>(undefined);
  const shown = whole?.generation === generation && whole.entry ? whole.entry : entry;
  const values = Array.isArray(shown.value) ? shown.value : [shown.value];
  const cut = shown.valueLength !== undefined;
  return (
    <>
      {values.map((v, cpu) => (
        <div key={cpu} className="map-value">
          {Array.isArray(shown.value) ? `cpu${cpu}: ` : ''}
          {v}
          {cut ? '…' : ''}
        </div>
      ))}
      {shown.cpuCount !== undefined ? <div className="hint">{`the first ${values.length} of ${shown.cpuCount} CPUs`}</div> : null}
      {cut ? (
        <div className="hint">
          {`value truncated, ${byteCount(shown.valueLength ?? 0)}`}
          {(shown.valueLength ?? 0) <= SHOW_ALL_BYTES || whole?.entry === undefined ? (
            <>
              {' — '}
              <button
                type="button"
                className="link"
                disabled={whole?.loading === true}
                onClick={() => {
                  setWhole({ generation, loading: true });
                  void fetchMapEntry(map, entry.index !== undefined ? String(entry.index) : entry.key, SHOW_ALL_BYTES).then((r) => setWhole(r.ok ? { generation, entry: r.value } : { generation, error: r.message }));
                }}
              >
                {(shown.valueLength ?? 0) <= SHOW_ALL_BYTES ? 'show all' : `show the first ${byteCount(SHOW_ALL_BYTES)}`}
              </button>
            </>
          ) : null}
        </div>
      ) : null}
      {whole?.error ? <div role="alert" className="hint">{whole.error}</div> : null}
    </>
  );
}

/** Prev / next and "go to key" for a map's page; the page starts the UI came from, for Prev. */
function Pager({ view }: { view: MapSummary }) {
  const page = view.page;
  const [back, setBack] = useState<number[]>([]);
  const [key, setKey] = useState('');
  const [error, setError] = useState<string | undefined>(undefined);
  if (!page) return null;
  const go = async (query: { start?: number; key?: string }, history: number[]) => {
    const problem = await showMapPage({ map: view.name, ...query });
    setError(problem);
    if (!problem) setBack(history);
  };
  const isArray = view.type.includes('array') || view.type === 'devmap' || view.type === 'cpumap' || view.type === 'xskmap';
  const shown = page.ringbuf ? page.ringbuf.records.length : page.entries.length;
  const first = page.start;
  const last = page.next === undefined ? page.positions : page.next;
  if (first === 0 && page.next === undefined && !error) return null;
  return (
    <div className="map-pager">
      <span className="hint">{`${isArray ? 'indexes' : 'positions'} ${first.toLocaleString('en-US')}–${Math.max(first, last - 1).toLocaleString('en-US')} of ${page.positions.toLocaleString('en-US')} (${shown} shown)`}</span>{' '}
      <button type="button" aria-label={`Previous page of ${view.name}`} disabled={first === 0} onClick={() => void go({ start: back.at(-1) ?? Math.max(0, first - (page.entries.length || 64)) }, back.slice(0, -1))}>
        ‹ Prev
      </button>{' '}
      <button type="button" aria-label={`Next page of ${view.name}`} disabled={page.next === undefined} onClick={() => void go({ start: page.next ?? 0 }, [...back, first])}>
        Next ›
      </button>{' '}
      <form
        className="map-jump"
        onSubmit={(ev) => {
          ev.preventDefault();
          if (key.trim()) void go({ key: key.trim() }, [...back, first]);
        }}
      >
        <label>
          go to key <input className="mono" value={key} placeholder={isArray ? 'index' : 'hex key'} onChange={(e) => setKey(e.target.value)} />
        </label>{' '}
        <button type="submit">Go</button>
      </form>
      {error ? (
        <p role="alert" className="hint">
          {error}
        </p>
      ) : null}
    </div>
  );
}

function LiveEntries({ view, kptrs }: { view: MapSummary; kptrs: boolean }) {
  const page = view.page;
  if (!page) return <p className="hint">Run the program to see what it holds.</p>;
  if (page.ringbuf) {
    const rb = page.ringbuf;
    return (
      <>
        <p className="hint">{`ring buffer: producer ${rb.producer}, consumer ${rb.consumer}, ${rb.submitted ?? rb.records.length} record(s) to read${rb.busy ? `, ${rb.busy} reserved` : ''}`}</p>
        {rb.records.length ? (
          <ol className="ringbuf-records mono" start={page.start + 1}>
            {rb.records.map((r, i) => (
              <li key={page.start + i} className="map-value">
                {r}
              </li>
            ))}
          </ol>
        ) : null}
        <Pager view={view} />
      </>
    );
  }
  if (page.entries.length === 0 && page.start === 0) {
    return <p className="hint">Empty{view.type.includes('array') && view.count ? ` (${view.count.toLocaleString('en-US')} zero entries not shown)` : ''}.</p>;
  }
  return (
    <>
      <Pager view={view} />
      <table className="map-table">
        <caption className="sr-only">{`${view.name} after the run`}</caption>
        <thead>
          <tr>
            <th scope="col">key</th>
            <th scope="col">value</th>
            {kptrs ? <th scope="col">kptr</th> : null}
          </tr>
        </thead>
        <tbody>
          {page.entries.map((e) => (
            <tr key={e.key} data-map-key={e.index ?? e.key}>
              <th scope="row" className="mono">
                {e.index !== undefined ? e.index : e.key}
              </th>
              <td className="mono">
                <Value map={view.name} entry={e} generation={view.generation} />
              </td>
              {kptrs ? (
                <td>
                  {e.kptrs?.map((k) => (
                    <div key={`${k.offset}:${k.cpu ?? ''}`} className="kptr" data-testid="kptr">
                      {`@${k.offset}: `}
                      {k.ptr === null ? <span className="hint">NULL</span> : <span>{k.object ?? k.ptr}</span>}
                    </div>
                  ))}
                </td>
              ) : null}
            </tr>
          ))}
        </tbody>
      </table>
      {view.type.includes('array') && page.entries.length < page.positions ? <p className="hint">Entries whose value is all zero are not shown.</p> : null}
    </>
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
            {view ? <LiveEntries view={view} kptrs={d.kptrs.length > 0} /> : <p className="hint">Run the program to see what it holds.</p>}
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
