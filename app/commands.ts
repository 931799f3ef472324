// Commands that change the document or the settings without the engine: opening examples,
// lessons and files, the theme, the split, the open panel.

import { exampleById, exampleDocument } from './examples.ts';
import { lessonById } from './lessons/lessons.ts';
import { parseDocumentFile, parseOpenedFile } from './share/files.ts';
import { DEFAULT_DOCUMENT } from './state/document.ts';
import { store } from './state/store.ts';
import { disassemble } from '../engine/asm/index.ts';

export function openExample(id: string): void {
  const e = exampleById(id);
  if (!e) {
    store.notify('error', `There is no example '${id}'.`);
    return;
  }
  const doc = store.get().doc;
  store.openDocument(exampleDocument(e, doc), 'example');
  store.set({ editedSinceOpen: true });
}

export function openLesson(id: string): void {
  const lesson = lessonById(id);
  if (!lesson) return;
  openExample(lesson.example);
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

const MAX_OPEN_BYTES = 4 * 1024 * 1024;

/** Opens a .bpf.s (source), .bin (bytecode, shown as its disassembly) or .bpfp.json (a shared document). */
export async function openFile(file: File): Promise<void> {
  if (file.size > MAX_OPEN_BYTES) {
    store.notify('error', `${file.name} is ${(file.size / 1e6).toFixed(1)} MB; files up to 4 MB can be opened.`);
    return;
  }
  const bytes = new Uint8Array(await file.arrayBuffer());
  if (file.name.endsWith('.json')) {
    const r = parseDocumentFile(bytes);
    if (!r.ok) {
      store.notify('error', `${file.name}: ${r.error}`);
      return;
    }
    store.openDocument(r.doc, 'draft');
    store.set({ editedSinceOpen: true });
    return;
  }
  const r = parseOpenedFile(file.name, bytes);
  const doc = store.get().doc;
  if (r.kind === 'error') {
    store.notify('error', `${file.name}: ${r.error}`);
    return;
  }
  if (r.kind === 'source') {
    store.openDocument({ ...doc, source: r.text, dialect: 'auto' }, 'draft');
  } else {
    // Bytecode opens as its disassembly, which assembles back to the same bytes.
    const d = disassemble(r.bytes, { dialect: 'ubpf' });
    const text = [`# disassembly of ${file.name}`, ...d.lines.map((l) => (l.error ? `# pc ${l.pc}: ${l.error.message}` : l.text))].join('\n') + '\n';
    store.openDocument({ ...DEFAULT_DOCUMENT, ...doc, source: text, dialect: 'ubpf' }, 'draft');
    if (d.errors.length) store.notify('warning', `${file.name}: ${d.errors.length} slot(s) could not be decoded; they are comments in the text.`);
  }
  store.set({ editedSinceOpen: true });
}
