import { describe, expect, it } from 'vitest';
import { DEFAULT_EMBED_PANEL, embedFromQuery } from './embed.ts';

const known = new Set(['registers', 'maps', 'trace']);
const has = (id: string) => known.has(id);

describe('embedFromQuery', () => {
  it('keeps a panel that exists', () => {
    expect(embedFromQuery('?embed=1&panel=maps&ro=1', has)).toEqual({ embed: { enabled: true, readOnly: true, panel: 'maps' } });
  });

  it('shows the default panel when none is named', () => {
    expect(embedFromQuery('?embed=1', has)).toEqual({ embed: { enabled: true, readOnly: false } });
    expect(embedFromQuery('?embed=1&panel=', has)).toEqual({ embed: { enabled: true, readOnly: false } });
  });

  it.each(['constructor', '__proto__', 'toString', 'foo', '<img src=x onerror=window.__pwned=1>'])('falls back to the default panel for %j and names it in a notice', (name) => {
    const r = embedFromQuery(`?embed=1&panel=${encodeURIComponent(name)}`, has, () => 'Registers');
    expect(r.embed).toEqual({ enabled: true, readOnly: false, panel: DEFAULT_EMBED_PANEL });
    expect(r.notice).toBe(`This page asks for a panel “${name}” that does not exist, so it shows Registers.`);
  });

  it('quotes at most 60 characters of a long name', () => {
    const r = embedFromQuery(`?embed=1&panel=${'x'.repeat(5000)}`, has);
    expect(r.notice).toContain(`“${'x'.repeat(60)}…”`);
    expect(r.notice?.length).toBeLessThan(200);
  });

  it('ignores the panel outside embed mode (the document names the open panel)', () => {
    expect(embedFromQuery('?panel=constructor', has)).toEqual({ embed: { enabled: false, readOnly: false } });
  });
});
