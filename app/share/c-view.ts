// The C view of a program opened from a clang-built object. The assembly the playground made of
// the object (engine/asm/object-source.ts) carries, above each group of instructions, the C line
// the group came from as a comment (`# file.c:LINE: text`); this module reads those comments back into
// C lines, each with the assembly lines of its instructions, so the C view is always what the
// assembly says — the program that runs is the assembly, and breakpoints, stepping and the
// verifier's markers go from C lines to assembly lines and back through this map. Pure: tested
// in Node.

/** A C line of the view: its text (when known) and the assembly lines of its instructions. */
export interface CViewLine {
  readonly file: string;
  /** 1-based line in `file`. */
  readonly line: number;
  /** The line's text: from the .c file when one was given, else from the comment; undefined when neither has it. */
  readonly text: string | undefined;
  /** 1-based assembly lines of the instructions this line became, in order. */
  readonly asm: readonly number[];
  /** The first assembly line of each group of this line's instructions (where a breakpoint on the C line stops). */
  readonly starts: readonly number[];
}

export interface CViewModel {
  /** The file the view shows whole: the .c beside the object, else the file most instructions came from. */
  readonly file: string;
  /** Every line of `file` from 1 to its last known line (or the whole .c file when given). */
  readonly lines: readonly CViewLine[];
  /** Lines of other files (headers' inline functions) that have instructions, by file then line. */
  readonly others: readonly CViewLine[];
  /** How many instructions have a C line. */
  readonly covered: number;
  /** How many instructions have none (shown in the assembly only). */
  readonly uncovered: number;
}

/** `# file.c:LINE: text` — the comment object-source.ts writes above a group. */
const C_COMMENT = /^\s*#\s+([^\s:#][^:]*):(\d+):\s?(.*)$/;

/** FNV-1a of the text's UTF-16 code units, as 8 hex digits: tells the opened text from an edited one. */
export function cDigest(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16).padStart(8, '0');
}

/** Whether the assembly line is an instruction (not blank, a comment, a label or a directive). */
function isInstruction(t: string): boolean {
  return t !== '' && !t.startsWith('#') && !t.startsWith('.') && !t.startsWith(';') && !t.startsWith('//') && !/^[\w.$]+:$/.test(t);
}

interface Building {
  text: string | undefined;
  asm: number[];
  starts: number[];
}

/**
 * The C view of `asm` (the assembly made of an object). `cText`, the .c file given beside the
 * object, supplies every line's text for `cFile`. Returns undefined when no instruction has a
 * C line (an object built without -g, or an assembly program).
 */
export function cViewOf(asm: string, cFile?: string, cText?: string): CViewModel | undefined {
  const byFile = new Map<string, Map<number, Building>>();
  let current: Building | undefined;
  let groupOpen = false;
  let covered = 0;
  let uncovered = 0;
  const lines = asm.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const t = (lines[i] ?? '').trim();
    const m = C_COMMENT.exec(t);
    if (m) {
      const file = m[1] ?? '';
      const line = Number(m[2]);
      if (!Number.isSafeInteger(line) || line < 1) continue;
      let f = byFile.get(file);
      if (!f) byFile.set(file, (f = new Map()));
      let b = f.get(line);
      if (!b) f.set(line, (b = { text: m[3], asm: [], starts: [] }));
      current = b;
      groupOpen = false;
      continue;
    }
    // A label or a section starts a block the comments say again; until one does, no C line.
    if (t.startsWith('.section') || /^[\w.$]+:$/.test(t)) {
      current = undefined;
      continue;
    }
    if (!isInstruction(t)) continue;
    if (!current) {
      uncovered++;
      continue;
    }
    covered++;
    if (!groupOpen) current.starts.push(i + 1);
    groupOpen = true;
    current.asm.push(i + 1);
  }
  if (!covered) return undefined;
  // The file shown whole: the .c given beside the object, else the one most lines came from.
  const base = (f: string): string => f.slice(f.lastIndexOf('/') + 1);
  let file = cFile !== undefined && byFile.has(base(cFile)) ? base(cFile) : undefined;
  if (!file) {
    let best = -1;
    for (const [f, m] of byFile) {
      const n = [...m.values()].reduce((k, b) => k + b.asm.length, 0);
      if (n > best || (n === best && f.endsWith('.c'))) [file, best] = [f, n];
    }
  }
  const shown = file ?? '';
  const known = byFile.get(shown) ?? new Map<number, Building>();
  const full = cText === undefined ? undefined : cText.replace(/\r\n?/g, '\n').split('\n');
  if (full && full[full.length - 1] === '') full.pop();
  const last = Math.max(full?.length ?? 0, ...known.keys());
  const view: CViewLine[] = [];
  for (let n = 1; n <= last; n++) {
    const b = known.get(n);
    view.push({ file: shown, line: n, text: full ? full[n - 1] : b?.text, asm: b?.asm ?? [], starts: b?.starts ?? [] });
  }
  const others: CViewLine[] = [];
  for (const [f, m] of [...byFile].sort((a, b) => a[0].localeCompare(b[0]))) {
    if (f === shown) continue;
    for (const [n, b] of [...m].sort((a, c) => a[0] - c[0])) if (b.asm.length) others.push({ file: f, line: n, text: b.text, asm: b.asm, starts: b.starts });
  }
  return { file: shown, lines: view, others, covered, uncovered };
}

/** The C line an assembly line belongs to. */
export function cLineOfAsm(model: CViewModel, asmLine: number): CViewLine | undefined {
  for (const l of model.lines) if (l.asm.includes(asmLine)) return l;
  for (const l of model.others) if (l.asm.includes(asmLine)) return l;
  return undefined;
}

/** Whether a breakpoint stops on the C line: on the first instruction of any of its groups. */
export function hasBreakpoint(line: CViewLine, breakpoints: readonly number[]): boolean {
  return line.starts.some((s) => breakpoints.includes(s));
}

/**
 * The breakpoints after toggling one on a C line: on, a breakpoint at the start of each of its
 * groups; off, none on any of its instructions.
 */
export function toggleCBreakpoint(line: CViewLine, breakpoints: readonly number[]): number[] {
  if (!line.starts.length) return [...breakpoints];
  const set = new Set(breakpoints);
  if (hasBreakpoint(line, breakpoints)) for (const a of line.asm) set.delete(a);
  else for (const s of line.starts) set.add(s);
  return [...set].sort((a, b) => a - b);
}

/**
 * Where a step by C line stops: the start of every group of every other C line (so a loop that
 * stays on one line runs on, and the next statement stops whichever line it is on).
 */
export function stepStops(model: CViewModel, from: CViewLine | undefined): number[] {
  const out: number[] = [];
  for (const l of [...model.lines, ...model.others]) if (l !== from) out.push(...l.starts);
  return out.sort((a, b) => a - b);
}

/** The document's C view, when it has one: its model and whether the text is still the one opened. */
export interface CViewState {
  readonly file: string;
  readonly view: 'c' | 'asm';
  /** The assembly is still the text the object gave (not edited since, or edited back). */
  readonly available: boolean;
  readonly model: CViewModel | undefined;
}

let cached: { source: string; file: string; text: string | undefined; state: Omit<CViewState, 'view'> } | undefined;

/** The C view of a document (memoized on its text: the selectors ask at every store change). */
export function cViewState(doc: { readonly source: string; readonly c?: { readonly file: string; readonly digest: string; readonly text?: string; readonly view: 'c' | 'asm' } }): CViewState | undefined {
  const c = doc.c;
  if (!c) return undefined;
  if (!cached || cached.source !== doc.source || cached.file !== c.file || cached.text !== c.text) {
    const available = cDigest(doc.source) === c.digest;
    cached = { source: doc.source, file: c.file, text: c.text, state: { file: c.file, available, model: available ? cViewOf(doc.source, c.file, c.text) : undefined } };
  }
  return { ...cached.state, available: cached.state.available && cached.state.model !== undefined, view: c.view };
}
