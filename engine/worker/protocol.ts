// The whole contract between the UI and the engine worker, as plain serialisable data.
// (The app imports this file for types only.)

import type { IsaLevel } from '../isa/index.ts';
import type { RawRunResult } from '../vm/index.ts';

export interface RawRunRequest {
  /** Bytecode, 8 bytes per slot (transferred, not copied, across the worker boundary). */
  readonly bytecode: Uint8Array;
  /** Input memory: r1 points at it, r2 holds its length. */
  readonly mem?: Uint8Array;
  readonly isa?: IsaLevel;
  readonly maxInsns?: number;
}

export type RawRunReply = RawRunResult;
