import { describe, expect, it } from 'vitest';
import { contrastRatio, editorCss, monacoTheme, PALETTES, tokenClass } from './theme.ts';
import { TOKEN_TYPES } from './tokens.ts';

const AA = 4.5;

describe('editor themes', () => {
  it('computes WCAG contrast like the specification', () => {
    expect(contrastRatio('#000000', '#ffffff')).toBeCloseTo(21, 5);
    expect(contrastRatio('#ffffff', '#ffffff')).toBeCloseTo(1, 5);
    // The failure axe reported on a stock Monaco token: #808080 on #fffffe, 3.947 (axe prints 3.94).
    expect(contrastRatio('#808080', '#fffffe')).toBeCloseTo(3.947, 3);
  });

  for (const name of ['light', 'dark'] as const) {
    const p = PALETTES[name];
    it(`${name}: every token color reads at ${AA}:1 on the background and on the current line`, () => {
      for (const t of TOKEN_TYPES) {
        const color = p.tokens[t].color;
        expect(contrastRatio(color, p.background), `${t} on background`).toBeGreaterThanOrEqual(AA);
        expect(contrastRatio(color, p.currentLine), `${t} on the current line`).toBeGreaterThanOrEqual(AA);
      }
      expect(contrastRatio(p.foreground, p.background)).toBeGreaterThanOrEqual(AA);
      expect(contrastRatio(p.foreground, p.currentLine)).toBeGreaterThanOrEqual(AA);
      expect(contrastRatio(p.lineNumber, p.background)).toBeGreaterThanOrEqual(AA);
      expect(contrastRatio(p.lineNumberActive, p.currentLine)).toBeGreaterThanOrEqual(AA);
      // Marks that are not text need 3:1 (WCAG 1.4.11).
      for (const mark of [p.breakpoint, p.currentMark, p.error, p.warning, p.info]) expect(contrastRatio(mark, p.background)).toBeGreaterThanOrEqual(3);
    });

    it(`${name}: the Monaco theme has a rule for every token type, with the palette's colors`, () => {
      const theme = monacoTheme(name);
      for (const t of TOKEN_TYPES) {
        const rule = theme.rules.find((r) => r.token === t);
        expect(rule?.foreground, t).toBe(p.tokens[t].color.slice(1));
      }
      expect(theme.rules.find((r) => r.token === '')?.foreground).toBe(p.foreground.slice(1));
      expect(theme.colors['editor.background']).toBe(p.background);
    });

    it(`${name}: the static view's CSS uses the same colors`, () => {
      const css = editorCss();
      for (const t of TOKEN_TYPES) expect(css).toContain(`.bpf-theme-${name} .${tokenClass(t)}{color:${p.tokens[t].color}`);
    });
  }
});
