// A narrow channel from panels to the editor (reveal a line), so panels need not hold the
// editor. The App registers the live editor here when it mounts.

type Reveal = (line: number, col?: number) => void;

let reveal: Reveal | undefined;

export function registerReveal(fn: Reveal | undefined): void {
  reveal = fn;
}

export function revealInEditor(line: number, col?: number): void {
  reveal?.(line, col);
}

/** The C view's reveal (a C line of the program's object), while the C view is shown. */
type CReveal = (asmLine: number) => boolean;

let cReveal: CReveal | undefined;

/** The C view registers here while it is shown: it answers whether it showed the line. */
export function registerCReveal(fn: CReveal | undefined): void {
  cReveal = fn;
}

/** Reveals an assembly line in the C view, if it is shown and the line has a C line. */
export function revealInCView(asmLine: number): boolean {
  return cReveal?.(asmLine) ?? false;
}
