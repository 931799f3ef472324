// Where a document is assembled: small ones at once on the main thread (live diagnostics with
// every keystroke), large ones in a worker once typing pauses, so no document — a link can hold
// a megabyte — keeps the main thread busy for long (about 1.5 ms per KB of source, measured).
// The newest request wins: a worker still busy with an older text is stopped and replaced.

import type { PlaygroundDocument } from './document.ts';
import { unpackProgram, type PackedProgram } from './packed.ts';
import { assembleDocument, type AssembledProgram } from './program.ts';

/** Sources longer than this (UTF-16 units) are assembled in the background. */
export const BACKGROUND_ASSEMBLY_CHARS = 32 * 1024;
/** The pause in typing before a large document is assembled again. */
export const BACKGROUND_DELAY_MS = 250;

let worker: Worker | undefined;
let pending: { id: number; resolve: (p: AssembledProgram) => void } | undefined;
let timer: ReturnType<typeof setTimeout> | undefined;
let requests = 0;

/** Whether `doc` is assembled in the background rather than at once. */
export function assemblesInBackground(doc: PlaygroundDocument): boolean {
  return doc.source.length > BACKGROUND_ASSEMBLY_CHARS;
}

/**
 * Assembles `doc` in the background (after `delayMs`); the promise settles with its program,
 * or never when a newer request replaced it. Without Web Workers (Node, in tests) it assembles
 * in a later task of the same thread.
 */
export function assembleInBackground(doc: PlaygroundDocument, delayMs = BACKGROUND_DELAY_MS): Promise<AssembledProgram> {
  const id = ++requests;
  if (timer !== undefined) clearTimeout(timer);
  if (pending) {
    // A worker busy with an older text: its answer is no longer wanted.
    worker?.terminate();
    worker = undefined;
    pending = undefined;
  }
  return new Promise((resolve) => {
    timer = setTimeout(() => {
      timer = undefined;
      if (typeof Worker === 'undefined') {
        if (id === requests) resolve(assembleDocument(doc));
        return;
      }
      pending = { id, resolve };
      start().postMessage({ id, doc });
    }, delayMs);
  });
}

function start(): Worker {
  if (worker) return worker;
  // Written inline so Vite sees and bundles the worker (ui-stack.md §2.3).
  const w = new Worker(new URL('./assemble.worker.ts', import.meta.url), { type: 'module' });
  w.onmessage = (e: MessageEvent<{ id: number; program: PackedProgram }>) => {
    if (pending?.id !== e.data.id) return;
    const done = pending;
    pending = undefined;
    done.resolve(unpackProgram(e.data.program));
  };
  w.onerror = (e) => {
    e.preventDefault();
    const failed = pending;
    pending = undefined;
    worker?.terminate();
    worker = undefined;
    // The worker itself failed (not the program): say so; the next edit tries again.
    if (failed && failed.id === requests) failed.resolve(failedProgram(e.message));
  };
  worker = w;
  return w;
}

function failedProgram(message: string): AssembledProgram {
  return {
    ok: false,
    dialect: 'llvm',
    problems: [{ severity: 'error', message: `The program could not be checked in the background (${message || 'the worker failed'}); edit it to try again.`, code: 'assembler-worker', source: 'assembler', line: 1, col: 1, endLine: 1, endCol: 2 }],
    problemCount: 1,
    sections: [],
    sectionNames: [],
    maps: [],
    key: '',
    ms: 0,
  };
}
