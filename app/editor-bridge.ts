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
