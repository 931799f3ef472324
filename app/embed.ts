// Embed mode's options from the page's query (`?embed=1&ro=1&panel=maps`): a panel the page does
// not have (a typo, an older link, a hostile name) falls back to the default panel and is named
// in a notice, so an embed always shows a panel.

/** The panel an embed shows when the link names none, or one that does not exist. */
export const DEFAULT_EMBED_PANEL = 'registers';

/** The longest panel name a notice quotes; the rest is cut (a link can carry kilobytes). */
const MAX_QUOTED = 60;

export interface EmbedOptions {
  readonly enabled: boolean;
  readonly readOnly: boolean;
  readonly panel?: string;
}

export interface EmbedStart {
  readonly embed: EmbedOptions;
  /** What to tell the user, as plain text, when the link asked for something that is not there. */
  readonly notice?: string;
}

/** Reads the embed options from `search`; `hasPanel` says whether a panel id exists. */
export function embedFromQuery(search: string, hasPanel: (id: string) => boolean, panelTitle: (id: string) => string = (id) => id): EmbedStart {
  const params = new URLSearchParams(search);
  const enabled = params.get('embed') === '1';
  const readOnly = params.get('ro') === '1';
  const asked = params.get('panel');
  if (asked === null || asked === '') return { embed: { enabled, readOnly } };
  if (hasPanel(asked)) return { embed: { enabled, readOnly, panel: asked } };
  // Outside embed mode the panel parameter means nothing (the document carries the open panel).
  if (!enabled) return { embed: { enabled, readOnly } };
  const quoted = asked.length > MAX_QUOTED ? `${asked.slice(0, MAX_QUOTED)}…` : asked;
  return {
    embed: { enabled, readOnly, panel: DEFAULT_EMBED_PANEL },
    notice: `This page asks for a panel “${quoted}” that does not exist, so it shows ${panelTitle(DEFAULT_EMBED_PANEL)}.`,
  };
}
