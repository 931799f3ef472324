// Playground documents (what links, `.bpfp.json` files and drafts carry) and what the app does
// with one it accepted: assemble it on the main thread (app/state/program.ts) and send it to the
// engine with the settings the app derives from it — as opening a link and pressing Run does.

import { assembleDocument, imageOf, runSettingsOf } from '../../../../app/state/program.ts';
import type { PlaygroundDocument } from '../../../../app/state/document.ts';
import type { Rng } from '../case.ts';
import { exampleCorpus } from '../corpus.ts';
import { PROTO_NAMES } from '../mutate.ts';
import { FUZZ_MAX_INSNS, play } from '../play.ts';
import { assemblyText } from './asm-text.ts';
import { mapContentsJson, scenarioJson, trafficJson } from './json-inputs.ts';

const PANELS = ['registers', 'stack', 'trace', 'maps', 'cpumask', 'scenario', 'packets', 'traffic', 'program', 'problems', 'Trace', '__proto__', ''];

/**
 * The document fields by the version of the app that wrote them (every draft so far is
 * DRAFT_VERSION 1; its document grew): the first playground (30373f6) had no scenario and no
 * ctx; the kernel panels (f4dc74b) added them; the NIC panels (1fad228) filled traffic in.
 */
export const DOCUMENT_ERAS = ['first', 'kernel-panels', 'nic-panels'] as const;
export type DocumentEra = (typeof DOCUMENT_ERAS)[number];

/** A valid document of `era` (the fields that era wrote), from an example or generated text. */
export function documentJson(rng: Rng, era: DocumentEra = 'nic-panels'): Record<string, unknown> {
  const ex = rng.pick(exampleCorpus());
  const source = rng.chance(0.8) ? ex.text : assemblyText(rng, rng.chance(0.5) ? 'llvm' : 'ubpf');
  const doc: Record<string, unknown> = {
    source,
    dialect: rng.pick(['auto', 'auto', 'llvm', 'ubpf']),
    isa: rng.chance(0.9) ? 4 : 1 + rng.below(3),
    profile: rng.pick(['linux-6.18', 'linux-6.3']),
    cpus: rng.pick([1, 2, 4, 8, 8, 64, 4096]),
    input: rng.chance(0.8) ? '' : Array.from({ length: rng.below(16) }, () => rng.below(256).toString(16).padStart(2, '0')).join(rng.chance(0.5) ? ' ' : ''),
    panel: rng.pick(PANELS),
  };
  if (era === 'nic-panels' && rng.chance(0.3)) doc.traffic = trafficJson(rng);
  if (rng.chance(0.25)) {
    const names = [...source.matchAll(/^\.map\s+(\S+)/gm)].map((m) => m[1] ?? 'm');
    doc.maps = mapContentsJson(
      rng,
      names.map((name) => ({ name, type: 'array', keySize: 4, valueSize: 8, maxEntries: 16 })),
      ['xdp'],
    );
    if (typeof doc.maps !== 'object' || doc.maps === null || Array.isArray(doc.maps)) doc.maps = { [rng.pick(PROTO_NAMES)]: [] };
  }
  if (era !== 'first' && rng.chance(0.25)) {
    const s = scenarioJson(rng);
    doc.scenario = typeof s === 'object' && s !== null && !Array.isArray(s) ? s : {};
  }
  if (era !== 'first' && rng.chance(0.1)) doc.ctx = '00'.repeat(rng.below(32));
  return doc;
}

/** The document opened and run as the app would (assembled here, loaded and run by the engine). */
export function openDocument(doc: PlaygroundDocument): Record<string, unknown> {
  const assembled = assembleDocument(doc);
  const image = imageOf(assembled);
  const out: Record<string, unknown> = { problems: assembled.problems };
  if (image) out.play = play(image, runSettingsOf(doc, FUZZ_MAX_INSNS), { steps: 1, details: [0] });
  return out;
}
