// Journey: introduce an error, see its marker and its Problems entry, fix it.
import { expect, test } from '../fixtures/test.ts';
import { PlaygroundPage } from '../fixtures/playground.ts';

test('an error shows as a marker and in Problems, and goes away when fixed', async ({ page }) => {
  const pg = new PlaygroundPage(page);
  await pg.goto('/');
  await pg.waitForEditor();
  const good = await pg.source();
  await pg.setSource(good.replace('r2 = 8', 'r2 = 8 8'));
  await expect.poll(async () => (await pg.markers()).map((m) => `${m.line}:${m.message}`)).toEqual([expect.stringMatching(/^\d+:unexpected '8' after the instruction$/)]);
  await expect(page.locator('.monaco-editor .squiggly-error')).toHaveCount(1);
  await pg.openPanel('Problems');
  await expect(pg.problems.entries()).toHaveCount(1);
  await expect(pg.problems.entries().first()).toContainText("unexpected '8' after the instruction");
  await pg.screenshot('problems');
  // Clicking the problem moves the cursor there; fixing the text clears everything.
  await pg.problems.entries().first().click();
  await pg.setSource(good);
  await expect.poll(async () => (await pg.markers()).length).toBe(0);
  await expect(pg.problems.entries()).toHaveCount(0);
  await pg.openPanel('Registers');
  await pg.toolbar.button('Run').click();
  await expect(pg.registers.r0()).toHaveText('r0 = 0x000000000000000f');
  pg.expectClean();
});

test('a fault is reported at its line with the reason', async ({ page }) => {
  const pg = new PlaygroundPage(page);
  await pg.goto('/');
  await pg.waitForEditor();
  await page.evaluate(() => window.__playground.openExample('fault'));
  const s = await pg.run();
  expect(s.status).toBe('fault');
  expect(s.fault).toMatch(/pc 2: invalid read of 8 bytes at 0x0000000000000008: NULL pointer dereference/);
  await expect.poll(async () => (await pg.markers()).some((m) => m.source === 'runtime' && m.line === 7)).toBe(true);
  pg.expectClean();
});
