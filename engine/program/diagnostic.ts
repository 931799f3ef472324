// Diagnostics are values, never exceptions: every stage (assembler, decoder, loader,
// verifier) reports problems as these, with a source position when one is known.

export type Severity = 'error' | 'warning' | 'info';

export interface Diagnostic {
  readonly severity: Severity;
  /** Stable machine-readable code, e.g. `unknown-mnemonic`, `imm-range`, `isa-level`. */
  readonly code: string;
  readonly message: string;
  /** Instruction index (slot) the diagnostic is about, when there is one. */
  readonly pc?: number;
  /** 1-based line and column; end column is exclusive. */
  readonly line: number;
  readonly col: number;
  readonly endLine: number;
  readonly endCol: number;
}

/** `FILE:LINE:COL: error: MESSAGE`, the form compilers use and editors understand. */
export function formatDiagnostic(file: string, d: Diagnostic): string {
  return `${file}:${d.line}:${d.col}: ${d.severity}: ${d.message}`;
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}
