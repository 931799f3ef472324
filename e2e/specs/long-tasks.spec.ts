// Journey: the worst links seen so far — a megabyte of backticks in 1.5 KB (a diagnostic per
// character), 4,000 labels with unknown jumps, 50,000 `.section` lines — open without freezing
// the tab, and an edit in them stays quick. Measures the longest main-thread task (Long Tasks
// API) from start-up to the assembled program and one keystroke, and prints it. Monaco's own
// loading is one long task on every page, link or not (it is timed and printed too, apart).
// The bound asserted is twice the 200 ms target, for a loaded machine; the printed figures
// are the measurement. (The general spec over every hostile link is e2e engineering's.)
import { expect, test } from '@playwright/test';
import { encodeShare } from '../../app/share/codec.ts';
import { DEFAULT_DOCUMENT } from '../../app/state/document.ts';
import { PlaygroundPage } from '../fixtures/playground.ts';

const WORST: Record<string, string> = {
  '1 MiB of backticks': '`'.repeat(1024 * 1024),
  '4,000 labels with unknown jumps': Array.from({ length: 4000 }, (_, i) => `l${i}: goto m${i}`).join('\n'),
  '50,000 .section lines': Array.from({ length: 50_000 }, () => '.section xdp').join('\n'),
};

const BOUND_MS = 400;

for (const [name, source] of Object.entries(WORST)) {
  test(`a link holding ${name}`, async ({ page }) => {
    test.setTimeout(240_000);
    const hash = await encodeShare({ ...DEFAULT_DOCUMENT, source });
    expect(hash.length).toBeLessThan(64 * 1024);
    await page.addInitScript(() => {
      const w = window as unknown as { __tasks: { start: number; ms: number }[] };
      w.__tasks = [];
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) w.__tasks.push({ start: e.startTime, ms: e.duration });
      }).observe({ type: 'longtask', buffered: true });
    });
    const pg = new PlaygroundPage(page);
    await pg.goto(`/${hash}`);
    await pg.waitForEditor();
    // The program is assembled (in the background for a document this large).
    await expect(page.locator('.statusbar')).not.toContainText('Checking', { timeout: 200_000 });
    const lines = source.split('\n').length;
    await page.evaluate((l) => window.__playground.focusLine(l), lines);
    await page.keyboard.press('End');
    await page.keyboard.type('x');
    await expect(page.locator('.statusbar')).not.toContainText('Checking', { timeout: 200_000 });
    await page.waitForTimeout(1000);
    const r = await page.evaluate(() => {
      const at = (n: string) => performance.getEntriesByName(n)[0]?.startTime ?? Number.NaN;
      // Before the app's start, the page's scripts are evaluated (the same for every page).
      const start = Number.isNaN(at('bpfp:start')) ? 0 : at('bpfp:start');
      const monaco = [at('bpfp:monaco-import'), at('bpfp:monaco-created')];
      const tasks = (window as unknown as { __tasks: { start: number; ms: number }[] }).__tasks;
      const loading = (t: { start: number; ms: number }) => t.start < (monaco[1] ?? 0) && t.start + t.ms > (monaco[0] ?? 0);
      const ours = tasks.filter((t) => t.start >= start && !loading(t)).map((t) => Math.round(t.ms));
      return { longest: Math.max(0, ...ours), tasks: ours.sort((a, b) => b - a).slice(0, 5), monaco: Math.round(Math.max(0, ...tasks.filter(loading).map((t) => t.ms))) };
    });
    console.log(`${name}: longest task ${r.longest} ms (next ${r.tasks.slice(1).join(', ')}); Monaco's loading ${r.monaco} ms`);
    expect(r.longest).toBeLessThan(BOUND_MS);
    pg.expectClean();
  });
}
