// Where a command writes: stdout lines, stderr lines and files. Tests pass their own.

export interface Io {
  out(line: string): void;
  err(line: string): void;
  writeFile(path: string, data: Uint8Array): void;
  /** True when stdout is a terminal (binary output is refused there). */
  readonly stdoutIsTty: boolean;
  writeStdout(data: Uint8Array): void;
}

/** Exit statuses of the contract: 0 success, 1 input rejected, 2 bad usage. */
export const EXIT_OK = 0;
export const EXIT_REJECTED = 1;
export const EXIT_USAGE = 2;
