// What the fuzz pool and its worker threads say to each other.

import type { Finding, FindingKind } from './case.ts';

export type ToWorker =
  | { readonly type: 'chunk'; readonly surface: string; readonly seed: number; readonly from: number; readonly to: number; readonly limitMs: number }
  | { readonly type: 'replay'; readonly surface: string; readonly seed: number; readonly index: number };

export type ToMain =
  | { readonly type: 'ready' }
  | { readonly type: 'finding'; readonly surface: string; readonly index: number; readonly kind: FindingKind; readonly detail: string }
  | { readonly type: 'done'; readonly cases: number; readonly ms: number; readonly slowest: { readonly index: number; readonly ms: number } }
  | { readonly type: 'replayed'; readonly findings: readonly Finding[]; readonly ms: number; readonly answer: string }
  | { readonly type: 'failed'; readonly error: string };
