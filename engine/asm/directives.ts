// The playground's directives, shared by both dialects: `.section`, `.license`, `.map`, plus
// the ELF bookkeeping directives of compiler output, which are accepted and ignored.

import { MAP_TYPES, type KptrField, type MapDecl, type MapType } from '../program/program.ts';
import type { ParseContext } from './cursor.ts';
import type { Token } from './lexer.ts';
import { parseIntLiteral } from './numbers.ts';
import { didYouMean } from './symbols.ts';

export interface DirectiveState {
  maps: MapDecl[];
  /** Map name → index in `maps` (BPF_PSEUDO_MAP_FD's imm). */
  readonly mapIndex: Map<string, number>;
  license: string | undefined;
}

/** Directives of clang's `-S` output that carry no meaning here. */
const IGNORED = new Set(['.text', '.globl', '.global', '.p2align', '.align', '.type', '.size', '.file', '.addrsig', '.addrsig_sym', '.ident', '.loc', '.cfi_startproc', '.cfi_endproc']);

/**
 * key_size, value_size and max_entries are u32 fields of union bpf_attr: the assembler takes any
 * u32, and BPF_MAP_CREATE's own rules (engine/kernel/maps/limits.ts, per map type) refuse what
 * the kernel refuses, with its errno.
 */
const MAX_MAP_VALUE = 0xffffffff;
const MAX_MAP_ENTRIES = 0xffffffff;

export function parseDirective(
  name: Token,
  args: readonly Token[],
  lineText: string,
  ctx: ParseContext,
  state: DirectiveState,
  line: number,
): { section?: string } | undefined {
  const rest = (): { text: string; col: number } => {
    const first = args[0];
    if (!first) return { text: '', col: name.endCol };
    return { text: lineText.slice(first.col - 1).trim(), col: first.col };
  };
  switch (name.text) {
    case '.section': {
      const r = rest();
      // `.section xdp` or clang's `.section "xdp","ax",@progbits`.
      let section = r.text;
      const quoted = /^"([^"]*)"/.exec(section);
      section = quoted ? (quoted[1] ?? '') : (section.split(',')[0] ?? '').trim();
      if (!section) {
        ctx.error({ col: name.col, endCol: name.endCol }, '.section needs a name, e.g. .section xdp', 'directive');
        return undefined;
      }
      return { section };
    }
    case '.license': {
      const t = args[0];
      if (!t || t.kind !== 'string' || args.length > 1) {
        ctx.error(t ?? name, '.license takes one quoted string, e.g. .license "GPL"', 'directive');
        return undefined;
      }
      state.license = t.text.slice(1, -1);
      return undefined;
    }
    case '.map':
      parseMap(name, args, lineText, ctx, state, line);
      return undefined;
    default:
      if (IGNORED.has(name.text)) return undefined;
      ctx.error(name, `unknown directive '${name.text}' (known: .section, .license, .map)`, 'unknown-directive');
      return undefined;
  }
}

function parseMap(name: Token, args: readonly Token[], lineText: string, ctx: ParseContext, state: DirectiveState, line: number): void {
  const mapName = args[0];
  if (!mapName || mapName.kind !== 'ident') {
    ctx.error(mapName ?? name, '.map needs a name: .map NAME type=array key=4 value=8 max_entries=16', 'directive');
    return;
  }
  if (state.mapIndex.has(mapName.text)) {
    ctx.error(mapName, `map '${mapName.text}' is already declared`, 'duplicate-map');
    return;
  }
  // key=value words after the name, with their columns.
  const words: { key: string; value: string; col: number; endCol: number }[] = [];
  const re = /(\S+)/g;
  const tail = lineText.slice(mapName.endCol - 1);
  let m: RegExpExecArray | null;
  let ok = true;
  while ((m = re.exec(tail))) {
    const col = mapName.endCol + m.index;
    const word = m[1] ?? '';
    const eq = word.indexOf('=');
    if (eq <= 0) {
      ctx.error({ col, endCol: col + word.length }, `expected KEY=VALUE in .map, found '${word}'`, 'directive');
      ok = false;
      continue;
    }
    words.push({ key: word.slice(0, eq), value: word.slice(eq + 1), col, endCol: col + word.length });
  }
  let type: MapType | undefined;
  const sizes = new Map<string, number>();
  let flags = 0;
  const kptrs: KptrField[] = [];
  const num = (w: (typeof words)[number], min: number, max: number): number | undefined => {
    const p = parseIntLiteral(w.value);
    if (!p.ok || p.value < BigInt(min) || p.value > BigInt(max)) {
      ctx.error(w, `${w.key} must be a number from ${min} to ${max}, not '${w.value}'`, 'directive');
      ok = false;
      return undefined;
    }
    return Number(p.value);
  };
  for (const w of words) {
    switch (w.key) {
      case 'type': {
        const t = MAP_TYPES.find((x) => x === w.value);
        if (!t) {
          const work = ctx.work ?? { queries: 0, candidates: 0, cells: 0 };
          ctx.error(w, () => `unknown map type '${w.value}'${didYouMean(w.value, () => MAP_TYPES, work)}; known: ${MAP_TYPES.join(', ')}`, 'directive');
          ok = false;
        } else type = t;
        break;
      }
      case 'key':
      case 'value': {
        const v = num(w, 0, MAX_MAP_VALUE);
        if (v !== undefined) sizes.set(w.key, v);
        break;
      }
      case 'max_entries': {
        const v = num(w, 1, MAX_MAP_ENTRIES);
        if (v !== undefined) sizes.set(w.key, v);
        break;
      }
      case 'flags': {
        const v = num(w, 0, 0xffffffff);
        if (v !== undefined) flags = v;
        break;
      }
      case 'kptr': {
        const km = /^(\w+):(\w+)$/.exec(w.value);
        const off = km ? parseIntLiteral(km[1] ?? '') : undefined;
        if (!km || !off?.ok) {
          ctx.error(w, `kptr takes OFFSET:TYPE, e.g. kptr=0:bpf_cpumask, not '${w.value}'`, 'directive');
          ok = false;
        } else kptrs.push({ offset: Number(off.value), type: km[2] ?? '' });
        break;
      }
      default:
        ctx.error(w, `unknown .map attribute '${w.key}' (known: type, key, value, max_entries, flags, kptr)`, 'directive');
        ok = false;
    }
  }
  for (const required of ['type', 'key', 'value', 'max_entries'] as const) {
    const present = required === 'type' ? type !== undefined : sizes.has(required);
    if (!present && !words.some((w) => w.key === required)) {
      ctx.error(mapName, `.map ${mapName.text} is missing ${required}=`, 'directive');
      ok = false;
    }
  }
  const valueSize = sizes.get('value') ?? 0;
  for (const k of kptrs) {
    if (k.offset % 8 !== 0 || k.offset + 8 > valueSize) {
      ctx.error(mapName, `kptr at offset ${k.offset} must be 8-byte aligned and inside the ${valueSize}-byte value`, 'directive');
      ok = false;
    }
  }
  if (!ok || type === undefined) return;
  state.mapIndex.set(mapName.text, state.maps.length);
  state.maps.push({
    name: mapName.text,
    type,
    keySize: sizes.get('key') ?? 0,
    valueSize,
    maxEntries: sizes.get('max_entries') ?? 1,
    flags,
    kptrs,
    line,
  });
}
