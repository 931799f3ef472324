// Commands that change the document or the settings without the engine (but for reading a
// clang-built object, which the engine worker does): opening examples, lessons and files, the
// theme, the split, the open panel. What they open never replaces the
// user's draft: it is saved under its own entry once edited, and a notice says so.

import { exampleById, exampleDocument } from './examples.ts';
import { lessonById } from './lessons/lessons.ts';
import { MAX_DOCUMENT_FILE_BYTES, MAX_OPEN_FILE_BYTES, parseDocumentFile, parseOpenedFile } from './share/files.ts';
import { DEFAULT_DOCUMENT, formatOverLimit, MAX_SOURCE_BYTES, utf8Length, type PlaygroundDocument } from './state/document.ts';
import { objectSource } from '../engine/asm/index.ts';
import { cDigest, cViewOf } from './share/c-view.ts';
import { readObject } from './actions.ts';
import { store } from './state/store.ts';
import { leaving, stripLinkFromAddress, tellOpened } from './state/workspace.ts';
import { disassemble } from '../engine/asm/index.ts';

/** Opens an example (or a lesson's, `as`); says where the user's draft went. */
export function openExample(id: string, as?: { readonly title: string; readonly opened: string }): boolean {
  const e = exampleById(id);
  if (!e) {
    store.notify('error', `There is no example '${id}'.`);
    return false;
  }
  const left = leaving();
  store.openDocument(exampleDocument(e, store.get().doc), as ? 'lesson' : 'example', { title: as?.title ?? `Example: ${e.title}` });
  stripLinkFromAddress();
  tellOpened(as?.opened ?? `Opened example “${e.title}”.`, left);
  return true;
}

export function openLesson(id: string): void {
  const lesson = lessonById(id);
  if (!lesson) return;
  if (!openExample(lesson.example, { title: `Lesson: ${lesson.title}`, opened: `Opened lesson “${lesson.title}”.` })) return;
  store.set({ lesson: { id, step: 0 } });
  openPanel('lesson');
}

export function lessonStep(delta: number): void {
  const l = store.get().lesson;
  const lesson = l ? lessonById(l.id) : undefined;
  if (!l || !lesson) return;
  const step = Math.max(0, Math.min(lesson.steps.length - 1, l.step + delta));
  store.set({ lesson: { id: l.id, step } });
}

export function openPanel(id: string): void {
  const s = store.get();
  if (s.doc.panel !== id) store.set({ doc: { ...s.doc, panel: id } });
}

export function setTheme(theme: 'system' | 'light' | 'dark'): void {
  store.set({ settings: { ...store.get().settings, theme } });
}

export function setSplit(split: number): void {
  store.set({ settings: { ...store.get().settings, split: Math.max(20, Math.min(80, Math.round(split))) } });
}



/** The C source of an object, given beside it: larger files are refused before they are read. */
const MAX_C_FILE_BYTES = MAX_SOURCE_BYTES;

/**
 * Opens what the user dropped or picked: one file as openFile does, or a clang-built object
 * (.o) with its C source (.c) beside it, whose C view then shows the whole file. A .c alone
 * cannot run (there is no compiler in the page): the notice says how to build the object.
 */
export async function openFiles(files: readonly File[]): Promise<void> {
  const object = files.find((f) => f.name.toLowerCase().endsWith('.o'));
  const c = files.find((f) => f.name.toLowerCase().endsWith('.c'));
  if (c && !object) {
    store.notify('error', `${c.name} is C source: the playground has no compiler in the page. Build the object with clang -target bpf -O2 -g -c ${c.name} -o ${c.name.replace(/\.c$/i, '.o')} and open the .o (with the .c beside it to see every line of it).`);
    return;
  }
  if (object && c) {
    if (c.size > MAX_C_FILE_BYTES) {
      const [is, max] = formatOverLimit(c.size, MAX_C_FILE_BYTES);
      store.notify('warning', `${c.name} is ${is}; C files up to ${max} are shown. The object opens with the C lines its line info holds.`);
      return openFile(object);
    }
    const text = new TextDecoder('utf-8', { fatal: false }).decode(await c.arrayBuffer());
    return openFile(object, { file: c.name, text });
  }
  const first = object ?? files[0];
  if (first) await openFile(first);
  if (files.length > 1) store.notify('info', `Opened ${first?.name ?? 'the first file'}; one file opens at a time (or a .o with its .c).`, { key: 'open-many' });
}

/** Opens a .bpf.s (source), .bin (bytecode, shown as its disassembly), .o (a clang-built object, shown as its disassembly with its C lines) or .bpfp.json (a shared document). */
export async function openFile(file: File, cSource?: { readonly file: string; readonly text: string }): Promise<void> {
  const limit = file.name.endsWith('.json') ? MAX_DOCUMENT_FILE_BYTES : MAX_OPEN_FILE_BYTES;
  if (file.size > limit) {
    const [is, max] = formatOverLimit(file.size, limit);
    store.notify('error', `${file.name} is ${is}; files up to ${max} can be opened.`);
    return;
  }
  const bytes = new Uint8Array(await file.arrayBuffer());
  if (file.name.endsWith('.json')) {
    const r = parseDocumentFile(bytes);
    if (!r.ok) {
      store.notify('error', `${file.name}: ${r.error}`);
      return;
    }
    openAsFile(file.name, r.doc);
    return;
  }
  const r = parseOpenedFile(file.name, bytes);
  // What opens is text or bytecode of its own: an earlier object's C view does not carry over.
  const { c: _c, ...doc } = store.get().doc;
  if (r.kind === 'error') {
    store.notify('error', `${file.name}: ${r.error}`);
    return;
  }
  if (r.kind === 'object') {
    await openObject(file.name, r.bytes, cSource);
  } else if (r.kind === 'source') {
    openAsFile(file.name, { ...doc, source: r.text, dialect: 'auto' });
  } else {
    // Bytecode opens as its disassembly, which assembles back to the same bytes.
    const d = disassemble(r.bytes, { dialect: 'ubpf' });
    const text = [`# disassembly of ${file.name}`, ...d.lines.map((l) => (l.error ? `# pc ${l.pc}: ${l.error.message}` : l.text))].join('\n') + '\n';
    openAsFile(file.name, { ...DEFAULT_DOCUMENT, ...doc, source: text, dialect: 'ubpf' });
    if (d.errors.length) store.notify('warning', `${file.name}: ${d.errors.length} slot(s) could not be decoded; they are comments in the text.`);
  }
}

/**
 * A clang-built object: the engine worker reads it as libbpf would; each program becomes its
 * disassembly (maps, helpers and kfuncs by name) with the C line of each group of instructions
 * as a comment above it, checked to assemble back to the object's bytes. A failure says the
 * loader's error and leaves the document as it was.
 */
async function openObject(name: string, bytes: Uint8Array, cSource?: { readonly file: string; readonly text: string }): Promise<void> {
  const r = await readObject(bytes);
  if (!r.ok) {
    store.notify('error', `${name} could not be read: ${r.message}`);
    return;
  }
  if (!r.value.ok) {
    store.notify('error', `${name} could not be opened: ${r.value.error}`);
    return;
  }
  const o = r.value;
  if (!o.programs.length) {
    store.notify('error', `${name} holds no program the playground runs${o.skipped.length ? ` (left out: ${o.skipped.join('; ')})` : ''}.`);
    return;
  }
  const s = objectSource(name, o);
  const size = utf8Length(s.text);
  if (size > MAX_SOURCE_BYTES) {
    const [is, max] = formatOverLimit(size, MAX_SOURCE_BYTES);
    store.notify('error', `${name} disassembles to ${is} of text; programs can be up to ${max}.`);
    return;
  }
  const { maps: _maps, c: _c, ...doc } = store.get().doc;
  const contents = Object.keys(o.mapContents).length ? { maps: { ...o.mapContents } } : {};
  // With line info, the C view opens first; the assembly (what runs) is one click away.
  const view = s.cLines > 0 ? cViewOf(s.text, cSource?.file) : undefined;
  const cFile = view ? (cSource && view.file === baseName(cSource.file) ? cSource.file : view.file) : undefined;
  const cText = cSource && view && cFile === cSource.file ? { text: cSource.text } : {};
  const c = view && cFile ? { c: { file: baseName(cFile), digest: cDigest(s.text), view: 'c' as const, ...cText } } : {};
  openAsFile(name, { ...DEFAULT_DOCUMENT, ...doc, ...contents, ...c, source: s.text, dialect: s.dialect });
  const programs = o.programs.length === 1 ? `its program ${o.programs[0]?.name}` : `its ${o.programs.length} programs`;
  const lines = !view
    ? ' It has no line info (build with -g), so no C lines are shown.'
    : ` It shows as C (${view.file}${cText.text === undefined ? ', the lines its line info holds' : ''}); the assembly that runs is one click away, with each C line as a comment above its instructions.`;
  if (cSource && view && cText.text === undefined) store.notify('warning', `${cSource.file} is not the file the object was built from (its line info names ${view.file}); the C view shows the lines the object holds.`);
  store.notify('info', `Opened ${name}: ${programs} disassembled.${lines}`, { key: 'object-opened' });
  if (!s.named) store.notify('warning', `${name}: the named disassembly does not assemble back to the same bytes (${s.mismatches.join('; ')}), so it is shown in the numeric form, which does.`);
  if (!s.sameBytes) store.notify('warning', `${name}: some instructions do not assemble back to the object's bytes (${s.mismatches.join('; ')}); what runs is the text, not the object.`);
  if (o.skipped.length) store.notify('warning', `${name}: left out ${o.skipped.join('; ')}.`);
}

const baseName = (file: string): string => file.slice(Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\')) + 1);

function openAsFile(name: string, doc: PlaygroundDocument): void {
  const left = leaving();
  store.openDocument(doc, 'file', { title: `File ${name}` });
  stripLinkFromAddress();
  tellOpened(`Opened ${name}.`, left);
}
