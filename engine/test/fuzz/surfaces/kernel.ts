// Surfaces scenario and maps: the simulated system (engine/kernel/scenario.ts) and the maps
// (`.map` declarations and their starting contents), each loaded with a program that uses them
// and run through the Session: load, run, steps (each step snapshots every map).

import { parseScenario } from '../../../kernel/scenario.ts';
import { assemble } from '../../../asm/index.ts';
import type { MapDecl } from '../../../program/program.ts';
import type { ProgramImage, RunSettings } from '../../../worker/protocol.ts';
import type { Rng, Surface } from '../case.ts';
import { showJson } from '../mutate.ts';
import { imageOf, play, playOptions, settingsOf, type PlayOptions } from '../play.ts';
import { assembleAndPlay } from './asm.ts';
import { mapContentsJson, mapDeclLine, scenarioJson } from './json-inputs.ts';
import * as mapsGen from '../maps-gen.ts';
import * as scenarioGen from '../scenario-gen.ts';
import { scenarioProgram } from './programs.ts';

interface ScenarioCase {
  readonly value: unknown;
  readonly program: string;
  readonly image: ProgramImage;
  readonly settings: RunSettings;
  readonly options: PlayOptions;
}

export const scenario: Surface<ScenarioCase> = {
  name: 'scenario',
  about: 'scenario JSON: parseScenario, then Session.load + run + steps of a program that reads tasks and cgroups',
  generate(rng) {
    // Half from fix-inputs' generator (engine/test/fuzz/scenario-gen.ts), with its CPU count.
    const theirs = rng.chance(0.5) ? scenarioGen.generate(rng, 40) : undefined;
    const value = theirs ? theirs.json : scenarioJson(rng);
    const { id, image, profile } = scenarioProgram(rng);
    return { value, program: id, image, settings: settingsOf(rng, { scenario: value, ...(theirs ? { cpus: theirs.cpus } : {}), ...(profile ? { profile } : {}) }), options: playOptions(rng) };
  },
  run(c) {
    const parsed = parseScenario(c.value, c.settings.cpus);
    return { parsed: parsed.ok ? { ok: true } : parsed, play: play(c.image, c.settings, c.options) };
  },
  show: (c) => `program ${c.program}, profile ${c.settings.profile}, cpus ${c.settings.cpus}, play ${showJson(c.options)}\n--- scenario ---\n${showJson(c.value)}`,
};

interface MapsCase {
  readonly source: string;
  /** Declarations as a worker message could carry them (fix-inputs' maps-gen.ts), in place of the source's. */
  readonly decls?: readonly MapDecl[];
  readonly contents: unknown;
  readonly settings: RunSettings;
  readonly options: PlayOptions;
}

const MAP_SECTIONS = ['raw', 'syscall', 'tp_btf/task_newtask', 'xdp', 'tc'];

/** Lookups, updates, deletes and a for_each over each map, from keys and values on the stack. */
function mapBody(rng: Rng, names: readonly string[]): string[] {
  const lines: string[] = [];
  names.forEach((name, i) => {
    const key = ['\tr2 = r10', '\tr2 += -512'];
    if (rng.chance(0.8)) lines.push(`\t*(u32 *)(r10 - 512) = ${rng.below(8)}`, `\tr1 = ${name} ll`, ...key, '\tcall bpf_map_lookup_elem', `\tif r0 == 0 goto skip${i}`, '\tr1 = *(u8 *)(r0 + 0)', `skip${i}:`);
    if (rng.chance(0.5)) lines.push(`\tr1 = ${name} ll`, ...key, '\tr3 = r10', '\tr3 += -256', `\tr4 = ${rng.pick([0, 0, 1, 2, 4])}`, '\tcall bpf_map_update_elem');
    if (rng.chance(0.3)) lines.push(`\tr1 = ${name} ll`, ...key, '\tcall bpf_map_delete_elem');
    if (rng.chance(0.3)) lines.push(`\tr1 = ${name} ll`, '\tr2 = each ll', '\tr3 = 0', '\tr4 = 0', '\tcall bpf_for_each_map_elem');
  });
  return lines;
}

export const maps: Surface<MapsCase> = {
  name: 'maps',
  about: 'map declarations (.map) and starting contents: assemble, Session.load with the contents, run, steps',
  generate(rng) {
    if (rng.chance(0.4)) {
      // fix-inputs' generator: MapDecl values at and past the kernel's limits (not all of which
      // the assembler could write), behind a program that uses each map by its fd.
      const theirs = mapsGen.generate(rng, 8);
      const section = rng.pick(MAP_SECTIONS);
      const names = theirs.decls.map((_, i) => `m${i}`);
      const source = [`.section ${section}`, '.license "GPL"', ...names.map((n) => `.map ${n} type=array key=4 value=8 max_entries=1`), ...mapBody(rng, names), '\tr0 = 0', '\texit', 'each:', '\tr0 = 0', '\texit'].join('\n');
      const input = section === 'xdp' || section === 'tc' || section === 'raw' ? Uint8Array.from({ length: 64 }, (_, i) => i) : undefined;
      return { source, decls: theirs.decls, contents: theirs.contents, settings: settingsOf(rng, { cpus: theirs.cpus, maps: theirs.contents, ...(input ? { input } : {}) }), options: playOptions(rng) };
    }
    const n = 1 + rng.below(3);
    const decls = Array.from({ length: n }, (_, i) => mapDeclLine(rng, `m${i}`));
    const section = rng.pick(MAP_SECTIONS);
    const source = [`.section ${section}`, '.license "GPL"', ...decls.map((d) => d.line), ...mapBody(rng, decls.map((_, i) => `m${i}`)), '\tr0 = 0', '\texit', 'each:', '\tr0 = 0', '\texit'].join('\n');
    const contents = mapContentsJson(
      rng,
      decls.map((d, i) => ({ name: `m${i}`, type: d.type, keySize: d.key, valueSize: d.value, maxEntries: d.max })),
      [section],
    );
    const input = section === 'xdp' || section === 'tc' || section === 'raw' ? Uint8Array.from({ length: 64 }, (_, i) => i) : undefined;
    return { source, contents, settings: settingsOf(rng, { maps: contents, ...(input ? { input } : {}) }), options: playOptions(rng) };
  },
  run(c) {
    if (!c.decls) return assembleAndPlay(c.source, 'llvm', 4, c.settings, c.options);
    // The program's own placeholder maps give way to the generated declarations, fd for fd.
    const r = assemble(c.source, { dialect: 'llvm' });
    const image = imageOf(r.sections, c.decls, r.license);
    return { diagnostics: r.diagnostics, ...(image ? { play: play(image, c.settings, c.options) } : {}) };
  },
  show: (c) => `profile ${c.settings.profile}, cpus ${c.settings.cpus}, play ${showJson(c.options)}\n--- source ---\n${c.source}\n${c.decls ? `--- declarations (in place of the source's) ---\n${showJson(c.decls)}\n` : ''}--- map contents ---\n${showJson(c.contents)}`,
};
