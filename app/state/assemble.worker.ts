// Assembles large documents off the main thread (state/assembly.ts sends them): the same
// assembleDocument the main thread runs for small ones, so both give the same program.

import type { PlaygroundDocument } from './document.ts';
import { assembleDocument } from './program.ts';

self.onmessage = (e: MessageEvent<{ id: number; doc: PlaygroundDocument }>) => {
  const { id, doc } = e.data;
  self.postMessage({ id, program: assembleDocument(doc) });
};
