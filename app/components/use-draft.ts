// Text fields whose text may be invalid for a while (half-typed hex, JSON being edited) keep
// what the user typed as a draft and change the document only when the text is valid, so the
// document (and the saved draft, and share links) always stays valid and nothing typed is lost.
// Drafts survive the field unmounting (switching panels); a draft written against another
// document value (a link opened, an example loaded), or under another key, gives way to it.

import { useState } from 'react';

interface Draft {
  readonly key: string;
  readonly text: string;
  /** The document value the text was written against (compared by identity). */
  readonly basis: unknown;
}

const drafts = new Map<string, Draft>();

/**
 * Returns the text to show and a setter. Call the setter with the typed text and, when it is
 * valid, `{ value }`: the value the caller is about to store in the document.
 */
export function useDraft<T>(key: string, value: T, format: (v: T) => string): [string, (text: string, applied?: { value: T }) => void] {
  const [state, setState] = useState<Draft>(() => {
    const d = drafts.get(key);
    return d && d.basis === value ? d : { key, text: format(value), basis: value };
  });
  const current = state.key === key && state.basis === value ? state : (drafts.get(key)?.basis === value ? drafts.get(key) : undefined) ?? { key, text: format(value), basis: value };
  const set = (text: string, applied?: { value: T }) => {
    const next = { key, text, basis: applied ? applied.value : value };
    drafts.set(key, next);
    setState(next);
  };
  return [current.text, set];
}
