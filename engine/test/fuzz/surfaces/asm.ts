// Surfaces asm-llvm and asm-ubpf: text into the assembler (the editor's live diagnostics), the
// bytes back through the disassembler in both dialects, and a program that assembles loaded and
// run through the engine's facade as the Run button would.

import { assemble, disassemble } from '../../../asm/index.ts';
import type { IsaLevel } from '../../../isa/index.ts';
import type { RunSettings } from '../../../worker/protocol.ts';
import type { Rng, Surface } from '../case.ts';
import { hex, showJson } from '../mutate.ts';
import { imageOf, play, playOptions, settingsOf, type PlayOptions } from '../play.ts';
import { assemblyText, type Dialect } from './asm-text.ts';

export interface AsmCase {
  readonly text: string;
  readonly dialect: Dialect | 'auto';
  readonly isa: IsaLevel;
  readonly settings: RunSettings;
  readonly options: PlayOptions;
}

/** Assembles, disassembles and (when it assembles) plays `text`. */
export function assembleAndPlay(text: string, dialect: Dialect | 'auto', isa: IsaLevel, settings: RunSettings, options: PlayOptions): Record<string, unknown> {
  const r = assemble(text, { ...(dialect === 'auto' ? {} : { dialect }), isa });
  const out: Record<string, unknown> = { ok: r.ok, diagnostics: r.diagnostics };
  if (!r.ok) return out;
  out.disassembly = r.sections.map((s) => [disassemble(s.bytes, { dialect: 'llvm' }), disassemble(s.bytes, { dialect: 'ubpf' })]);
  const image = imageOf(r.sections, r.maps, r.license);
  if (image) out.play = play(image, { ...settings, isa }, options);
  return out;
}

function asmSurface(dialect: Dialect): Surface<AsmCase> {
  return {
    name: `asm-${dialect}`,
    about: `${dialect} assembly text: assemble, disassemble, Session.load and run`,
    generate(rng: Rng): AsmCase {
      const text = assemblyText(rng, dialect);
      const input = rng.chance(0.2) ? Uint8Array.from({ length: rng.below(64) }, () => rng.below(256)) : undefined;
      return {
        text,
        dialect: rng.chance(0.7) ? dialect : 'auto',
        isa: rng.chance(0.85) ? 4 : ((1 + rng.below(3)) as IsaLevel),
        settings: settingsOf(rng, input ? { input } : {}),
        options: playOptions(rng),
      };
    },
    run: (c) => assembleAndPlay(c.text, c.dialect, c.isa, c.settings, c.options),
    show: (c) => `dialect ${c.dialect}, isa v${c.isa}, profile ${c.settings.profile}, cpus ${c.settings.cpus}${c.settings.input ? `, input ${hex(c.settings.input)}` : ''}, play ${showJson(c.options)}\n--- source (${c.text.length} chars) ---\n${c.text}`,
  };
}

export const asmLlvm = asmSurface('llvm');
export const asmUbpf = asmSurface('ubpf');
