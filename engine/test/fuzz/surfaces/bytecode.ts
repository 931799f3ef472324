// Surface bytecode: bytes as a `.bin` file or the worker receives them — random slots with
// real opcodes, random valid instructions, and the examples' and conformance programs' bytecode
// mutated — decoded, disassembled in both dialects, run raw, and loaded through the Session as
// every program type.

import { assemble, disassemble } from '../../../asm/index.ts';
import { decodeProgram, FORMS, writeRaw, type IsaLevel } from '../../../isa/index.ts';
import type { MapDecl } from '../../../program/program.ts';
import type { ProgramImage, RunSettings } from '../../../worker/protocol.ts';
import { sectionKind } from '../../../program/program.ts';
import { Session } from '../../../worker/session.ts';
import type { Rng, Surface } from '../case.ts';
import { conformanceCorpus, exampleCorpus } from '../corpus.ts';
import { hex, mutateBytes, showJson } from '../mutate.ts';
import { FUZZ_MAX_INSNS, play, playOptions, settingsOf, type PlayOptions } from '../play.ts';
import { SECTIONS } from './asm-text.ts';

const OPCODES = [...new Set(FORMS.map((f) => f.opcode))];

/** Maps a random program may refer to by fd (ldimm64 with src 1 or 2 and imm = the index). */
const MAP_SET: readonly MapDecl[] = [
  { name: 'm', type: 'array', keySize: 4, valueSize: 8, maxEntries: 4, flags: 0, kptrs: [], line: 1 },
  { name: 'h', type: 'hash', keySize: 4, valueSize: 16, maxEntries: 8, flags: 0, kptrs: [], line: 2 },
  { name: 'rb', type: 'ringbuf', keySize: 0, valueSize: 0, maxEntries: 4096, flags: 0, kptrs: [], line: 3 },
  { name: 'xsk', type: 'xskmap', keySize: 4, valueSize: 4, maxEntries: 4, flags: 0, kptrs: [], line: 4 },
  { name: 'jumps', type: 'prog_array', keySize: 4, valueSize: 4, maxEntries: 4, flags: 0, kptrs: [], line: 5 },
];

export interface BytecodeCase {
  readonly bytes: Uint8Array;
  readonly section: string;
  readonly maps: readonly MapDecl[];
  readonly isa: IsaLevel;
  readonly mem?: Uint8Array;
  readonly settings: RunSettings;
  readonly options: PlayOptions;
}

function randomSlots(rng: Rng): Uint8Array {
  const slots = rng.below(16);
  const bytes = new Uint8Array(slots * 8 + (rng.chance(0.1) ? 1 + rng.below(7) : 0));
  for (let i = 0; i < bytes.length; i++) bytes[i] = rng.below(256);
  for (let s = 0; s < slots; s++) {
    if (!rng.chance(0.7)) continue;
    bytes[s * 8] = rng.pick(OPCODES);
    if (rng.chance(0.7)) bytes[s * 8 + 1] = rng.below(11) | (rng.below(rng.chance(0.8) ? 11 : 16) << 4);
    if (rng.chance(0.6)) {
      bytes[s * 8 + 2] = rng.below(8);
      bytes[s * 8 + 3] = rng.chance(0.2) ? 0xff : 0;
    }
  }
  if (slots > 0 && rng.chance(0.6)) bytes.set([0x95, 0, 0, 0, 0, 0, 0, 0], (slots - 1) * 8);
  return bytes;
}

/** Instructions of real forms with fields in range: most decode, many load. */
function validSlots(rng: Rng): Uint8Array {
  const n = 1 + rng.below(20);
  const bytes = new Uint8Array((n + 1) * 8);
  for (let s = 0; s < n; s++) {
    const form = rng.pick(FORMS);
    const field = (f: 'dst' | 'src' | 'off' | 'imm', any: () => number): number => (form.select?.field === f ? form.select.value : form.fields[f] === 'zero' ? 0 : any());
    writeRaw(bytes, s, {
      opcode: form.opcode,
      dst: field('dst', () => rng.below(11)),
      src: field('src', () => rng.below(11)),
      off: field('off', () => (rng.chance(0.7) ? rng.below(8) - 2 : rng.between(-32768, 32767))),
      imm: field('imm', () => (rng.chance(0.6) ? rng.below(8) : rng.chance(0.5) ? rng.pick([1, 2, 5, 6, 7, 12, 14, 25, 51, 54, 65, 130, 181]) : rng.i32())),
    });
  }
  writeRaw(bytes, n, { opcode: 0x95, dst: 0, src: 0, off: 0, imm: 0 });
  return bytes;
}

let realBytecode: Uint8Array[] | undefined;

function realPrograms(): readonly Uint8Array[] {
  if (realBytecode) return realBytecode;
  const texts = [...exampleCorpus().map((e) => e.text), ...conformanceCorpus().map((c) => c.asm)];
  realBytecode = texts.flatMap((t) => {
    const r = assemble(t);
    return r.ok ? r.sections.filter((s) => s.bytes.length > 0).map((s) => s.bytes) : [];
  });
  return realBytecode;
}

export const bytecode: Surface<BytecodeCase> = {
  name: 'bytecode',
  about: 'bytes: decodeProgram, disassemble (both dialects), Session.runRaw, Session.load as each program type and run',
  generate(rng) {
    const r = rng.below(10);
    const bytes = r < 4 ? randomSlots(rng) : r < 7 ? validSlots(rng) : mutateBytes(rng, rng.pick(realPrograms()));
    const section = rng.chance(0.9) ? rng.pick(SECTIONS.slice(0, 8)) : rng.pick(SECTIONS);
    const maps = MAP_SET.slice(0, rng.below(MAP_SET.length + 1));
    const mem = rng.chance(0.5) ? Uint8Array.from({ length: rng.below(80) }, () => rng.below(256)) : undefined;
    const isa = (rng.chance(0.8) ? 4 : 1 + rng.below(3)) as IsaLevel;
    const ctx = rng.chance(0.2) ? Uint8Array.from({ length: rng.below(32) }, () => rng.below(256)) : undefined;
    const onNic = sectionKind(section).progType === 'xdp' && rng.chance(0.7);
    const settings = settingsOf(rng, { isa, ...(mem && !onNic ? { input: mem } : {}), ...(ctx ? { ctx } : {}), ...(onNic ? { traffic: { packets: 1 + rng.below(40) } } : {}) });
    return { bytes, section, maps, isa, ...(mem ? { mem } : {}), settings, options: playOptions(rng) };
  },
  run(c) {
    const decoded = decodeProgram(c.bytes, c.isa);
    const llvm = disassemble(c.bytes, { dialect: 'llvm' });
    const ubpf = disassemble(c.bytes, { dialect: 'ubpf' });
    const raw = new Session().runRaw({ bytecode: c.bytes, isa: c.isa, maxInsns: FUZZ_MAX_INSNS, ...(c.mem ? { mem: c.mem } : {}) });
    const kind = sectionKind(c.section);
    const image: ProgramImage = { sections: [{ name: c.section, progType: kind.progType, ...(kind.attachTo ? { attachTo: kind.attachTo } : {}), bytecode: c.bytes }], entry: c.section, maps: c.maps, license: 'GPL' };
    return { decoded: { errors: decoded.errors }, llvm, ubpf, raw, play: play(image, c.settings, c.options) };
  },
  show: (c) => `section ${c.section}, isa v${c.isa}, maps ${c.maps.map((m) => `${m.name}:${m.type}`).join(', ') || 'none'}, mem ${c.mem ? hex(c.mem) : 'none'}, settings ${showJson({ ...c.settings, input: c.settings.input && hex(c.settings.input), ctx: c.settings.ctx && hex(c.settings.ctx) })}, play ${showJson(c.options)}\n--- bytes (${c.bytes.length}) ---\n${hex(c.bytes).replace(/(.{16})/g, '$1\n')}`,
};
