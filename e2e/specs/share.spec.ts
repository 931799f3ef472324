// Journey: share, then open the link in a fresh browser context: same program and state.
import { expect, test } from '../fixtures/test.ts';
import { PlaygroundPage } from '../fixtures/playground.ts';

test('a shared link opens the same program and settings elsewhere', async ({ page, browser }) => {
  const pg = new PlaygroundPage(page);
  await pg.goto('/');
  await pg.waitForEditor();
  const program = '# shared\n.section raw\nmov32 %r0, 6\nmul32 %r0, 7\nexit\n';
  await pg.setSource(program);
  await pg.toolbar.select('ISA').selectOption('3');
  await pg.toolbar.select('Kernel').selectOption('linux-6.3');
  await pg.openPanel('Program');
  const url = await page.evaluate(() => window.__playground.share());
  expect(url).toMatch(/#v1\/[A-Za-z0-9_-]+$/);
  await expect(pg.notice('info')).toContainText('Link copied');

  const other = await browser.newContext();
  const page2 = await other.newPage();
  const pg2 = new PlaygroundPage(page2);
  await pg2.goto(new URL(url ?? '').pathname + new URL(url ?? '').hash);
  expect(await pg2.source()).toBe(program);
  await expect(pg2.toolbar.select('ISA')).toHaveValue('3');
  await expect(pg2.toolbar.select('Kernel')).toHaveValue('linux-6.3');
  await expect(page2.getByRole('tab', { name: /Program/ })).toHaveAttribute('aria-selected', 'true');
  const s = await pg2.run();
  expect(s.r0).toBe('0x000000000000002a');
  pg.expectClean();
  pg2.expectClean();
  await other.close();
});

test('a broken or foreign link explains itself and leaves the draft alone', async ({ page }) => {
  const pg = new PlaygroundPage(page);
  await pg.goto('/');
  await pg.waitForEditor();
  await pg.setSource('# my draft\nr0 = 1\nexit\n');
  await page.waitForTimeout(600); // the draft autosaves after a short debounce
  await pg.goto('/#v1/this-is-not-a-valid-link');
  await expect(pg.notice('error')).toBeVisible();
  expect(await pg.source()).toBe('# my draft\nr0 = 1\nexit\n');
  await pg.goto('/#v9/AAAA');
  await expect(pg.notice('error').last()).toContainText(/newer/i);
  await pg.goto('/');
  expect(await pg.source()).toBe('# my draft\nr0 = 1\nexit\n');
});
