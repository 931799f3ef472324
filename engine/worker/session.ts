// The engine's facade: everything the UI (through the worker) and the command line may ask
// of the engine, as plain data in and out. worker.ts exposes it over Comlink; the CLI calls
// it directly, so both drive the very same code.

import { runRaw } from '../vm/index.ts';
import type { RawRunReply, RawRunRequest } from './protocol.ts';

export class Session {
  /** Decodes, checks and runs a `raw` program (bpf_conformance convention). Never throws. */
  runRaw(request: RawRunRequest): RawRunReply {
    return runRaw(request.bytecode, {
      ...(request.mem ? { mem: request.mem } : {}),
      ...(request.maxInsns ? { maxInsns: request.maxInsns } : {}),
      ...(request.isa ? { isa: request.isa } : {}),
    });
  }
}
