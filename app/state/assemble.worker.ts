// Assembles large documents off the main thread (state/assembly.ts sends them): the same
// assembleDocument the main thread runs for small ones, so both give the same program.

import type { PlaygroundDocument } from './document.ts';
import { packProgram } from './packed.ts';
import { assembleDocument } from './program.ts';

self.onmessage = (e: MessageEvent<{ id: number; doc: PlaygroundDocument }>) => {
  const { id, doc } = e.data;
  // Packed: the main thread receives bytes and typed arrays, not 260,000 small objects (packed.ts).
  self.postMessage({ id, program: packProgram(assembleDocument(doc)) });
};
