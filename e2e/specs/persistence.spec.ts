// Journey: the draft and the settings survive a reload; opening a link does not overwrite
// the saved draft until the user edits.
import { expect, test } from '../fixtures/test.ts';
import { PlaygroundPage } from '../fixtures/playground.ts';

test('the draft survives a reload', async ({ page }) => {
  const pg = new PlaygroundPage(page);
  await pg.goto('/');
  await pg.waitForEditor();
  const text = '# keep me\nr0 = 7\nexit\n';
  await pg.setSource(text);
  await pg.toolbar.select('Theme').selectOption('dark');
  await page.waitForTimeout(600);
  await page.reload();
  await page.waitForFunction(() => window.__playground?.ready === true);
  expect(await pg.source()).toBe(text);
  await expect(pg.toolbar.select('Theme')).toHaveValue('dark');
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
});

test('opening a link keeps the saved draft until the user edits', async ({ page }) => {
  const pg = new PlaygroundPage(page);
  await pg.goto('/');
  await pg.waitForEditor();
  const draft = '# the draft\nr0 = 1\nexit\n';
  await pg.setSource(draft);
  await page.waitForTimeout(600);
  await pg.setSource('# shared\nr0 = 2\nexit\n');
  const url = await page.evaluate(() => window.__playground.share());
  await pg.setSource(draft);
  await page.waitForTimeout(600);
  await pg.goto(new URL(url ?? '').pathname + new URL(url ?? '').hash);
  expect(await pg.source()).toBe('# shared\nr0 = 2\nexit\n');
  await pg.goto('/');
  expect(await pg.source()).toBe(draft);
});
