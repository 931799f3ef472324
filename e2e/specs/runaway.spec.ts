// Journey: a runaway loop is stopped (by the instruction budget, or by Stop) and the page
// keeps working.
import { expect, test } from '../fixtures/test.ts';
import { PlaygroundPage } from '../fixtures/playground.ts';

test('the instruction budget stops a runaway loop; the next run works', async ({ page }) => {
  const pg = new PlaygroundPage(page);
  await pg.goto('/');
  await pg.waitForEditor();
  await page.evaluate(() => window.__playground.openExample('runaway'));
  const s = await pg.run();
  expect(s.status).toBe('fault');
  expect(s.fault).toMatch(/instruction budget exhausted: 10,000,000 instructions executed without reaching exit/);
  await page.evaluate(() => window.__playground.openExample('hello'));
  expect((await pg.run()).r0).toBe('0x000000000000000f');
  // The Tier setting changes what runs it, never the answer; each choice reloads the program.
  for (const tier of ['wasm', 'interpreter', 'compiled', 'auto']) {
    await pg.toolbar.select('Tier').selectOption(tier);
    expect((await pg.run()).r0).toBe('0x000000000000000f');
  }
  await page.evaluate(() => window.__playground.openExample('runaway'));
  await pg.toolbar.select('Tier').selectOption('wasm');
  expect((await pg.run()).fault).toMatch(/instruction budget exhausted: 10,000,000 instructions executed without reaching exit/);
  pg.expectClean();
});

test('Stop ends a long run by restarting the engine, and says so', async ({ page }) => {
  const pg = new PlaygroundPage(page);
  await pg.goto('/');
  await pg.waitForEditor();
  await page.evaluate(() => window.__playground.openExample('runaway'));
  await pg.toolbar.select('Budget').selectOption('1000000000');
  // Interpreted, so the run lasts long enough to stop (the WebAssembly tier the engine chooses
  // for this loop is about fifty times faster).
  await pg.toolbar.select('Tier').selectOption('interpreter');
  const running = page.evaluate(() => window.__playground.run());
  await expect(pg.toolbar.button('Stop')).toBeVisible();
  await expect(page.getByTestId('run-status')).toContainText('Running');
  await pg.toolbar.button('Stop').click();
  await running;
  await expect(pg.notice('warning')).toContainText('Stopped: the engine was restarted');
  await pg.toolbar.select('Budget').selectOption('10000000');
  await page.evaluate(() => window.__playground.openExample('hello'));
  expect((await pg.run()).r0).toBe('0x000000000000000f');
  expect(await pg.source()).toContain('Hello, eBPF');
});
