// The readers' internal failure: thrown deep inside a parse, caught at readBtf/readBtfExt and
// returned as an error value, so no exception leaves this folder.

export class BtfFormatError extends Error {
  constructor(
    readonly offset: number,
    message: string,
  ) {
    super(message);
  }
}
