// Journey: every way into the Trace panel before anything ran used to blank the whole page
// (React error #185); and a panel that throws must fail alone — the toolbar, the editor and the
// user's text stay — while a start that never finished must not blank every reload.
import type { Page } from '@playwright/test';
import { expect, test } from '../fixtures/test.ts';
import { PlaygroundPage } from '../fixtures/playground.ts';

/** The page is alive: the toolbar answers, the editor holds the text, nothing threw. */
async function expectAlive(pg: PlaygroundPage, source?: string): Promise<void> {
  await expect(pg.page.getByRole('toolbar', { name: 'Playground' })).toBeVisible();
  if (source !== undefined) expect(await pg.source()).toBe(source);
  pg.expectClean();
}

async function traceEmpty(page: Page): Promise<void> {
  await expect(page.getByTestId('panel-trace')).toContainText('No output');
}

test('Trace opens on a fresh page', async ({ page }) => {
  const pg = new PlaygroundPage(page);
  await pg.goto('/');
  await pg.openPanel('trace');
  await traceEmpty(page);
  await expectAlive(pg);
});

test('the two "querying a mask" examples open (they open Trace)', async ({ page }) => {
  const pg = new PlaygroundPage(page);
  await pg.goto('/');
  for (const id of ['cpumask-query-63', 'cpumask-query-618']) {
    await pg.toolbar.select('Example').selectOption(id);
    await traceEmpty(page);
    await expectAlive(pg);
  }
});

test('an embed showing Trace', async ({ page }) => {
  const pg = new PlaygroundPage(page);
  await pg.goto('/?embed=1&panel=trace');
  await traceEmpty(page);
  await expect(page.getByRole('toolbar', { name: 'Playground' })).toBeVisible();
  pg.expectClean();
});

test('a link made with Trace open opens for whoever opens it', async ({ page, browser }) => {
  const pg = new PlaygroundPage(page);
  await pg.goto('/');
  await pg.openPanel('trace');
  const url = await page.evaluate(() => window.__playground.share());
  const other = await browser.newPage();
  const them = new PlaygroundPage(other);
  await them.goto(new URL(url ?? '').pathname + new URL(url ?? '').hash);
  await traceEmpty(other);
  await expectAlive(them);
  await other.close();
});

test('Stop with Trace open', async ({ page }) => {
  const pg = new PlaygroundPage(page);
  await pg.goto('/');
  const spin = '.section raw\nloop:\n\tr0 += 1\n\tgoto loop\n';
  await pg.setSource(spin);
  await pg.openPanel('trace');
  await pg.toolbar.select('Budget').selectOption('1000000000');
  // Interpreted, so the run lasts long enough to stop (the WebAssembly tier the engine chooses
  // for this loop spends the budget in about a tenth of a second).
  await pg.toolbar.select('Tier').selectOption('interpreter');
  const running = page.evaluate(() => window.__playground.run());
  await expect(pg.toolbar.button('Stop')).toBeVisible();
  await pg.toolbar.button('Stop').click();
  await running;
  await traceEmpty(page);
  await expectAlive(pg, spin);
});

test('a draft saved with Trace open comes back on every reload', async ({ page }) => {
  const pg = new PlaygroundPage(page);
  await pg.goto('/');
  const text = '# traced\nr0 = 1\nexit\n';
  await pg.setSource(text);
  await pg.openPanel('trace');
  await page.waitForTimeout(600);
  for (let i = 0; i < 2; i++) {
    await page.reload();
    await page.waitForFunction(() => window.__playground?.ready === true);
    await traceEmpty(page);
    await expectAlive(pg, text);
  }
});

test('a panel that throws shows the error in its place and can be reloaded; the rest stays', async ({ page, errors }) => {
  // The panel is made to throw on purpose; React reports the caught error on the console.
  errors.allow(/the trace could not be drawn/);
  const pg = new PlaygroundPage(page);
  await pg.goto('/');
  await pg.waitForEditor();
  const text = await pg.source();
  await pg.run();
  // Make the trace's timestamps throw (Number#toFixed) while the panel renders, as a bug would.
  await page.evaluate(() => {
    const w = window as unknown as { __toFixed?: typeof Number.prototype.toFixed };
    w.__toFixed = Number.prototype.toFixed;
    Number.prototype.toFixed = function () {
      throw new Error('the trace could not be drawn');
    };
  });
  await pg.openPanel('trace');
  const failed = page.getByTestId('panel-failed');
  await expect(failed).toContainText('This panel failed: the trace could not be drawn');
  await expect(page.getByRole('toolbar', { name: 'Playground' })).toBeVisible();
  await expect(page.locator('.monaco-editor')).toBeVisible();
  expect(await pg.source()).toBe(text);
  // Other panels still work.
  await pg.openPanel('registers');
  await expect(pg.registers.r0()).toBeVisible();
  await pg.openPanel('trace');
  await page.evaluate(() => {
    const w = window as unknown as { __toFixed?: typeof Number.prototype.toFixed };
    if (w.__toFixed) Number.prototype.toFixed = w.__toFixed;
  });
  await failed.getByRole('button', { name: 'Reload panel' }).click();
  await expect(pg.trace.text()).toContainText('sum=');
  // React reports the caught error on the console; that one was made on purpose.
  expect(pg.errors.filter((e) => !e.includes('the trace could not be drawn'))).toEqual([]);
});

test('a tab whose last start never finished opens the default example once, and offers the work back', async ({ page }) => {
  const pg = new PlaygroundPage(page);
  await pg.goto('/');
  const text = '# my work\nr0 = 2\nexit\n';
  await pg.setSource(text);
  await page.waitForTimeout(600);
  // As if the page had frozen or gone blank before its first render reached the screen.
  await page.evaluate(() => sessionStorage.setItem('bpfp.boot', '1'));
  await page.reload();
  await page.waitForFunction(() => window.__playground?.ready === true);
  const notice = pg.notice('error').filter({ hasText: 'did not finish starting last time' });
  await expect(notice).toBeVisible();
  expect(await pg.source()).not.toBe(text);
  await notice.getByRole('button', { name: 'Open my work anyway' }).click();
  await expect.poll(() => pg.source()).toBe(text);
  // The next start is a normal one.
  await page.reload();
  await page.waitForFunction(() => window.__playground?.ready === true);
  await expectAlive(pg, text);
});
