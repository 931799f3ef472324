// The traffic editor: what the emulated NIC receives when an XDP program runs — how many
// packets at what rate, on how many queues, with which driver (what the metadata kfuncs can
// give), the AF_XDP consumer's METADATA_SIZE, and the flows the generator builds; or a pcap to
// replay instead. It edits the document's `traffic` JSON (DESIGN.md "Traffic profile"): every
// field keeps what was typed as a draft, and the document changes only when the whole profile
// is valid, so a half-typed value never reaches a run and is never lost. The default profile
// is stored as no profile at all.

import { useReducer, useState } from 'react';
import { parseHexBytes } from '../../engine/asm/index.ts';
import { clearPcap, importPcap } from '../actions.ts';
import { useDraft } from '../components/use-draft.ts';
import { store, type PlaygroundState } from '../state/store.ts';
import {
  applyEdit,
  checkTraffic,
  checkTrafficText,
  DRIVERS,
  formOf,
  issueText,
  MAX_FLOWS,
  MAX_FRAME,
  MAX_PACKETS,
  MAX_QUEUES,
  MAX_XSK_METADATA,
  MIN_FRAME,
  parseAddress,
  parsePositive,
  parseVlan,
  parseWhole,
  pcapNote,
  PROTOS,
  storedTraffic,
  TIMESTAMP_FILTERS,
  trafficText,
  type FieldParse,
  type FlowForm,
  type FormEdit,
  type PcapFile,
} from '../state/traffic.ts';
import { definePanel } from './registry.ts';

/** Only stable references and primitives: the frame compares selections shallowly. */
interface TrafficData {
  readonly traffic: unknown;
  readonly pcap: PcapFile | undefined;
  readonly progType: string | undefined;
  /** The document gives the program a test_run frame: an XDP program then runs on it, not on the traffic. */
  readonly hasInput: boolean;
}

/**
 * The JSON editor's text while it differs from the profile in use. A draft that is not valid
 * JSON or not a valid profile is kept when the form changes the profile (it follows the new
 * value, marked stale), so nothing typed there is lost; a link or an example replaces it.
 */
let jsonDraft: { readonly text: string; readonly basis: unknown; readonly stale?: boolean } | undefined;

/** Stores a profile the form made (the default one as none), carrying an invalid JSON draft over to it. */
function storeTraffic(previous: unknown, value: Record<string, unknown> | undefined): void {
  if (jsonDraft && jsonDraft.basis === previous && !checkTrafficText(jsonDraft.text).ok) jsonDraft = { text: jsonDraft.text, basis: value, stale: true };
  store.updateDocument({ traffic: value });
}

/** Applies an edit when the whole profile stays valid; otherwise returns why not. */
function commit(traffic: unknown, edit: FormEdit): string | undefined {
  const next = applyEdit(traffic, edit);
  const c = checkTraffic(next);
  if (!c.ok) return `Not applied — ${c.errors.map(issueText)[0] ?? 'the profile would not be valid'}`;
  storeTraffic(traffic, storedTraffic(c.value));
  return undefined;
}

/** Why the edit would not apply, without applying it. */
function wouldFail(traffic: unknown, edit: FormEdit): string | undefined {
  const c = checkTraffic(applyEdit(traffic, edit));
  return c.ok ? undefined : c.errors.map(issueText)[0];
}

interface FieldProps {
  readonly id: string;
  /** The label, visible (a form field) or for screen readers only (a table cell). */
  readonly label: string;
  readonly visibleLabel?: boolean;
  readonly traffic: unknown;
  /** The field's value in the document (a primitive: drafts compare it by identity). */
  readonly value: string | number | undefined;
  readonly parse: (text: string) => FieldParse;
  readonly edit: (value: unknown) => FormEdit;
  readonly className?: string;
  readonly hint?: string;
}

/** One text field of the profile: typed text stays as a draft until it (and the profile) is valid. */
function Field({ id, label, visibleLabel = true, traffic, value, parse, edit, className, hint }: FieldProps) {
  const format = (v: string | number | undefined) => (v === undefined ? '' : String(v));
  const [shown, setShown] = useDraft(`traffic:${id}`, value, format);
  const parsed = parse(shown);
  const error = shown === format(value) ? undefined : !parsed.ok ? parsed.error : wouldFail(traffic, edit(parsed.value));
  // (the document's value shown as it is needs no message, even when the profile around it is invalid)
  const onChange = (text: string) => {
    const p = parse(text);
    if (!p.ok || wouldFail(traffic, edit(p.value))) return setShown(text);
    setShown(text, { value: p.value as string | number | undefined });
    commit(traffic, edit(p.value));
  };
  const errorId = `${id}-error`;
  const input = (
    <input
      id={id}
      className={`mono ${className ?? ''}`}
      value={shown}
      spellCheck={false}
      autoComplete="off"
      aria-invalid={error !== undefined}
      aria-describedby={error ? errorId : undefined}
      {...(visibleLabel ? {} : { 'aria-label': label })}
      onChange={(e) => onChange(e.target.value)}
    />
  );
  return (
    <div className="nic-field">
      {visibleLabel ? (
        <label htmlFor={id}>
          {label}
          {hint ? <span className="hint"> {hint}</span> : null}
        </label>
      ) : null}
      {input}
      {error ? (
        <span id={errorId} className="field-error" role="alert">
          Not applied — {error}
        </span>
      ) : null}
    </div>
  );
}

interface SelectProps {
  readonly id: string;
  readonly label: string;
  readonly value: string;
  readonly options: readonly string[];
  /** Applies the choice; returns why it could not, if it could not. */
  readonly onChange: (v: string) => string | undefined;
  readonly visibleLabel?: boolean;
}

function Select({ id, label, value, options, onChange, visibleLabel = true }: SelectProps) {
  const [error, setError] = useState<string | undefined>();
  const errorId = `${id}-error`;
  return (
    <div className="nic-field">
      {visibleLabel ? <label htmlFor={id}>{label}</label> : null}
      <select id={id} value={value} aria-describedby={error ? errorId : undefined} onChange={(e) => setError(onChange(e.target.value))} {...(visibleLabel ? {} : { 'aria-label': label })}>
        {options.includes(value) ? null : <option value={value}>{value}</option>}
        {options.map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </select>
      {error ? (
        <span id={errorId} className="field-error" role="alert">
          {error}
        </span>
      ) : null}
    </div>
  );
}

const DRIVER_WORDS: Record<string, string> = {
  full: 'full: RX timestamp, RSS hash and VLAN tag',
  'hash-only': 'hash-only: RSS hash, no timestamp',
  none: 'none: every metadata kfunc says -EOPNOTSUPP',
};

function sizeKind(size: FlowForm['size']): 'fixed' | 'range' | 'imix' {
  return size === 'imix' ? 'imix' : typeof size === 'number' ? 'fixed' : 'range';
}

function FlowRow({ traffic, flow, index, count, report }: { traffic: unknown; flow: FlowForm; index: number; count: number; report: (error: string | undefined) => void }) {
  const n = index + 1;
  const at = (key: string) => ['flows', index, key] as const;
  const set = (key: string, dflt?: unknown) => (value: unknown) => ({ kind: 'set', path: at(key), value, ...(dflt === undefined ? {} : { dflt }) }) as FormEdit;
  const whole = (label: string, min: number, max: number) => (t: string) => parseWhole(t, label, min, max);
  const kind = sizeKind(flow.size);
  const [lo, hi] = Array.isArray(flow.size) ? flow.size : [typeof flow.size === 'number' ? flow.size : 64, MAX_FRAME];
  const ports = flow.proto !== 'icmp';
  return (
    <tr data-flow={index}>
      <th scope="row" className="num">
        {n}
      </th>
      <td data-label="proto">
        <Select id={`flow-${index}-proto`} label={`Flow ${n} protocol`} visibleLabel={false} value={flow.proto} options={PROTOS} onChange={(v) => commit(traffic, { kind: 'proto', index, proto: v })} />
      </td>
      <td className="center" data-label="IPv6">
        <input type="checkbox" aria-label={`Flow ${n} IPv6`} checked={flow.ipv6} onChange={(e) => report(commit(traffic, { kind: 'ipv6', index, ipv6: e.target.checked }))} />
      </td>
      <td data-label="src">
        <Field id={`flow-${index}-src`} label={`Flow ${n} source address`} visibleLabel={false} className="addr" traffic={traffic} value={flow.src} parse={(t) => parseAddress(t, `flow ${n} src`, flow.ipv6)} edit={set('src')} />
      </td>
      <td data-label="dst">
        <Field id={`flow-${index}-dst`} label={`Flow ${n} destination address`} visibleLabel={false} className="addr" traffic={traffic} value={flow.dst} parse={(t) => parseAddress(t, `flow ${n} dst`, flow.ipv6)} edit={set('dst')} />
      </td>
      <td data-label="sport">
        {ports ? <Field id={`flow-${index}-sport`} label={`Flow ${n} source port`} visibleLabel={false} className="port" traffic={traffic} value={flow.sport} parse={whole(`flow ${n} sport`, 0, 65_535)} edit={set('sport')} /> : <span className="hint">—</span>}
      </td>
      <td data-label="dport">
        {ports ? <Field id={`flow-${index}-dport`} label={`Flow ${n} destination port`} visibleLabel={false} className="port" traffic={traffic} value={flow.dport} parse={whole(`flow ${n} dport`, 0, 65_535)} edit={set('dport')} /> : <span className="hint">—</span>}
      </td>
      <td data-label="VLAN">
        <Field id={`flow-${index}-vlan`} label={`Flow ${n} VLAN id (empty: untagged)`} visibleLabel={false} className="port" traffic={traffic} value={flow.vlan} parse={(t) => parseVlan(t, `flow ${n} vlan`)} edit={set('vlan')} />
      </td>
      <td data-label="size">
        <div className="nic-size">
          <Select
            id={`flow-${index}-size-kind`}
            label={`Flow ${n} size`}
            visibleLabel={false}
            value={kind}
            options={['fixed', 'range', 'imix']}
            onChange={(v) => commit(traffic, { kind: 'set', path: at('size'), value: v === 'imix' ? 'imix' : v === 'fixed' ? lo : [lo, Math.max(lo, hi)] })}
          />
          {kind === 'fixed' ? <Field id={`flow-${index}-size`} label={`Flow ${n} frame size in bytes`} visibleLabel={false} className="port" traffic={traffic} value={lo} parse={whole(`flow ${n} size`, MIN_FRAME, MAX_FRAME)} edit={set('size')} /> : null}
          {kind === 'range' ? (
            <>
              <Field id={`flow-${index}-size-min`} label={`Flow ${n} smallest frame in bytes`} visibleLabel={false} className="port" traffic={traffic} value={lo} parse={whole(`flow ${n} smallest size`, MIN_FRAME, MAX_FRAME)} edit={(v) => set('size')([v, hi])} />
              <span aria-hidden="true">–</span>
              <Field id={`flow-${index}-size-max`} label={`Flow ${n} largest frame in bytes`} visibleLabel={false} className="port" traffic={traffic} value={hi} parse={whole(`flow ${n} largest size`, MIN_FRAME, MAX_FRAME)} edit={(v) => set('size')([lo, v])} />
            </>
          ) : null}
        </div>
      </td>
      <td data-label="weight">
        <Field id={`flow-${index}-weight`} label={`Flow ${n} weight`} visibleLabel={false} className="port" traffic={traffic} value={flow.weight} parse={(t) => parsePositive(t, `flow ${n} weight`, 1e6)} edit={set('weight')} />
      </td>
      <td>
        <button type="button" aria-label={`Remove flow ${n}`} disabled={count <= 1} onClick={() => report(commit(traffic, { kind: 'remove-flow', index }))}>
          Remove
        </button>
      </td>
    </tr>
  );
}

function JsonEditor({ traffic }: { traffic: unknown }) {
  const [, rerender] = useReducer((n: number) => n + 1, 0);
  const draft = jsonDraft && jsonDraft.basis === traffic ? jsonDraft : undefined;
  const shown = draft ? draft.text : trafficText(traffic);
  const check = checkTrafficText(shown);
  const edit = (next: string) => {
    const c = checkTrafficText(next);
    if (!c.ok) {
      jsonDraft = { text: next, basis: traffic };
      rerender();
      return;
    }
    const value = storedTraffic(c.value);
    jsonDraft = { text: next, basis: value };
    store.updateDocument({ traffic: value });
    rerender();
  };
  const discard = () => {
    jsonDraft = undefined;
    rerender();
  };
  return (
    <>
      <label htmlFor="traffic-json" className="sr-only">
        Traffic profile (JSON)
      </label>
      <textarea id="traffic-json" className="mono scenario-text" spellCheck={false} rows={14} value={shown} aria-invalid={!check.ok} aria-describedby="traffic-json-status" onChange={(e) => edit(e.target.value)} />
      <div id="traffic-json-status" className={check.ok ? 'hint' : 'field-error'} role={check.ok ? undefined : 'alert'} data-testid="traffic-json-status">
        {check.ok ? (
          check.warnings.length ? (
            <ul className="nic-issues">
              {check.warnings.map((w) => (
                <li key={w.path}>{`Note: ${issueText(w)}`}</li>
              ))}
            </ul>
          ) : (
            'Valid; in use.'
          )
        ) : (
          <>
            {draft?.stale ? 'Not applied, and the form has changed the profile since this text was typed; the profile in use is the form\'s:' : 'Not applied; the last valid profile stays in use:'}
            <ul className="nic-issues">
              {check.errors.slice(0, 6).map((e) => (
                <li key={e}>{e}</li>
              ))}
              {check.errors.length > 6 ? <li>and {check.errors.length - 6} more</li> : null}
            </ul>
          </>
        )}
      </div>
      {draft && !check.ok ? (
        <button type="button" onClick={discard}>
          Discard this text: show the profile in use
        </button>
      ) : null}
    </>
  );
}

function PcapImport({ pcap }: { pcap: PcapFile | undefined }) {
  const [error, setError] = useState<string | undefined>();
  return (
    <div className="nic-pcap">
      <div className="nic-field">
        <label htmlFor="pcap-file">Replay a capture (.pcap)</label>
        <input
          id="pcap-file"
          type="file"
          accept=".pcap,application/vnd.tcpdump.pcap"
          aria-describedby={error ? 'pcap-error' : undefined}
          onChange={(e) => {
            const input = e.currentTarget;
            const file = input.files?.[0];
            if (!file) return;
            void importPcap(file).then((r) => setError(r.ok ? undefined : r.error));
            input.value = '';
          }}
        />
      </div>
      {error ? (
        <p id="pcap-error" className="field-error" role="alert" data-testid="pcap-error">
          {error}
        </p>
      ) : null}
      {pcap ? (
        <div className="map-row">
          <span data-testid="pcap-note">{pcapNote(pcap)}</span>
          {pcap.note ? <span className="hint" data-testid="pcap-detail">({pcap.note})</span> : null}
          <button type="button" onClick={() => clearPcap()}>
            Use generated traffic
          </button>
        </div>
      ) : null}
    </div>
  );
}

// Whether "Edit as JSON" is open, kept while the panel is switched away.
let jsonOpen = false;

function Traffic({ data }: { data: TrafficData }) {
  const { traffic } = data;
  const [formError, setFormError] = useState<string | undefined>();
  const form = formOf(traffic);
  const docCheck = checkTraffic(traffic === undefined ? {} : traffic);
  const whole = (label: string, min: number, max: number) => (t: string) => parseWhole(t, label, min, max);
  const top = (key: string) => (value: unknown) => ({ kind: 'set', path: [key], value }) as FormEdit;
  return (
    <div className="traffic" data-testid="traffic-editor">
      <p className="hint">
        What the emulated NIC receives when you run an XDP program.{' '}
        {data.progType !== 'xdp'
          ? `This program is not an XDP program${data.progType ? ` (it is ${data.progType})` : ''}: traffic is used by .section xdp.`
          : data.hasInput
            ? 'This XDP program is given a test_run frame (the document\'s input), so it runs once on that frame, as BPF_PROG_TEST_RUN does, and not on the traffic.'
            : 'Run sends it through the program; Step and Continue debug it packet by packet.'}{' '}
        {traffic === undefined ? 'This is the default traffic.' : 'A custom profile, saved in the document and its links.'}
      </p>
      {!docCheck.ok ? (
        <p className="field-error" role="alert">
          The profile in the document is not valid and the engine will refuse it: {docCheck.errors.map(issueText)[0]}. Fix it below or reset it.
        </p>
      ) : null}
      <PcapImport pcap={data.pcap} />
      <fieldset className="nic-form">
        <legend>The NIC and the traffic</legend>
        <Field id="traffic-packets" label="Packets" traffic={traffic} value={form.packets} parse={whole('packets', 1, MAX_PACKETS)} edit={top('packets')} />
        <Field id="traffic-rate" label="Rate" hint="(packets/s)" traffic={traffic} value={form.ratePps} parse={(t) => parsePositive(t, 'rate_pps', 1e12)} edit={top('rate_pps')} />
        <Field id="traffic-queues" label="RX queues" traffic={traffic} value={form.queues} parse={whole('queues', 1, MAX_QUEUES)} edit={top('queues')} />
        <Field id="traffic-seed" label="Seed" traffic={traffic} value={form.seed} parse={whole('seed', 0, 0xffffffff)} edit={top('seed')} />
        <Select id="traffic-driver" label="Driver" value={form.driver} options={DRIVERS} onChange={(v) => commit(traffic, { kind: 'set', path: ['nic', 'driver'], value: v })} />
        <Select id="traffic-timestamps" label="Timestamps" value={form.timestamps} options={TIMESTAMP_FILTERS} onChange={(v) => commit(traffic, { kind: 'set', path: ['nic', 'timestamps'], value: v, dflt: 'all' })} />
        <Field
          id="traffic-xsk-meta"
          label="AF_XDP METADATA_SIZE"
          hint="(bytes)"
          traffic={traffic}
          value={form.metadataSize}
          parse={whole('xsk.metadata_size', 0, MAX_XSK_METADATA)}
          edit={(v) => ({ kind: 'set', path: ['xsk', 'metadata_size'], value: v, dflt: 24 })}
        />
      </fieldset>
      <p className="hint">
        Driver {DRIVER_WORDS[form.driver] ?? form.driver}. Timestamps: which frames get a hardware RX timestamp (all, PTP only, none). METADATA_SIZE: the bytes the AF_XDP consumer reads in front of each packet.
      </p>
      <p className="hint" id="traffic-flows-hint">
        Flows{data.pcap ? ' (not used while a capture is replayed)' : ''}: each packet belongs to one, drawn by weight. Size is the frame on the wire without the FCS ({MIN_FRAME}–{MAX_FRAME.toLocaleString('en-US')} bytes); imix is 7:4:1 of 64, 576 and 1,500. VLAN: an 802.1Q
        tag (empty: untagged).
      </p>
      <div className="nic-flows-scroll">
      <table className="map-table nic-flows" aria-describedby="traffic-flows-hint">
        <caption className="sr-only">Flows</caption>
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">proto</th>
            <th scope="col">IPv6</th>
            <th scope="col">src</th>
            <th scope="col">dst</th>
            <th scope="col">sport</th>
            <th scope="col">dport</th>
            <th scope="col">VLAN</th>
            <th scope="col">size</th>
            <th scope="col">weight</th>
            <th scope="col">
              <span className="sr-only">remove</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {form.flows.map((f, i) => (
            <FlowRow key={i} traffic={traffic} flow={f} index={i} count={form.flows.length} report={setFormError} />
          ))}
        </tbody>
      </table>
      </div>
      {formError ? (
        <p className="field-error" role="alert">
          {formError}
        </p>
      ) : null}
      <div className="map-row">
        <button type="button" disabled={form.flows.length >= MAX_FLOWS} onClick={() => setFormError(commit(traffic, { kind: 'add-flow' }))}>
          Add a flow
        </button>
        <button
          type="button"
          disabled={traffic === undefined}
          onClick={() => {
            setFormError(undefined);
            storeTraffic(traffic, undefined);
          }}
        >
          Reset to the default traffic
        </button>
      </div>
      <details className="nic-json" open={jsonOpen} onToggle={(e) => (jsonOpen = e.currentTarget.open)}>
        <summary>Edit as JSON</summary>
        <p className="hint">
          Everything the form shows, and more: <span className="mono">nic.rss_key</span> (hex, ≥ 40 bytes), <span className="mono">nic.indirection</span> (hash → queue), <span className="mono">nic.vlan_strip</span>,{' '}
          <span className="mono">xsk.frame_size</span>, <span className="mono">xsk.frames</span>, and per flow <span className="mono">src_mac</span>, <span className="mono">dst_mac</span>, <span className="mono">tcp_flags</span>.
        </p>
        <JsonEditor traffic={traffic} />
      </details>
    </div>
  );
}

function select(s: PlaygroundState): TrafficData {
  return { traffic: s.doc.traffic, pcap: s.nic.pcap, progType: s.program.section?.kind.progType, hasInput: (parseHexBytes(s.doc.input)?.length ?? 0) > 0 };
}

export default definePanel({
  id: 'traffic',
  title: 'Traffic',
  icon: '⇄',
  order: 32,
  select,
  View: Traffic,
  badge: (s) => (s.nic.pcap ? 'pcap' : undefined),
});
