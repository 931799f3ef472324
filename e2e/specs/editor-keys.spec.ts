// Journey: the keys and small controls a user reaches for — a label completed after `goto `,
// Problems taking the cursor to the line and column, Ctrl+G and F1, Esc stopping a run as the
// Stop button says, the CPU count field clamping and saying so, the keyboard list.
import { expect, test } from '../fixtures/test.ts';
import { PlaygroundPage } from '../fixtures/playground.ts';

test('`goto l` + Enter completes the label, not `gotol`', async ({ page }) => {
  const pg = new PlaygroundPage(page);
  await pg.goto('/');
  await pg.waitForEditor();
  await pg.setSource('.section raw\nloop:\n\tr0 = 1\n\n\texit\n');
  await page.evaluate(() => window.__playground.focusLine(4));
  await page.keyboard.press('End');
  await page.keyboard.type('goto l', { delay: 60 });
  await expect(page.locator('.suggest-widget.visible .monaco-list-row').first()).toContainText('loop');
  await page.keyboard.press('Enter');
  await expect.poll(() => pg.source()).toBe('.section raw\nloop:\n\tr0 = 1\ngoto loop\n\texit\n');
  pg.expectClean();
});

test('a problem takes the cursor to its line and column', async ({ page }) => {
  const pg = new PlaygroundPage(page);
  await pg.goto('/');
  await pg.waitForEditor();
  await pg.setSource('.section raw\n\tr0 = 1\n\tr0 += bogus\n\texit\n');
  await pg.openPanel('problems');
  const problem = pg.problems.entries().first();
  const where = (await problem.locator('.problem-where').textContent()) ?? '';
  const [line, col] = where.split(':').map(Number);
  expect(col).toBeGreaterThan(1);
  await problem.click();
  await expect.poll(() => page.evaluate(() => window.__playground.cursor())).toEqual({ line, col });
  pg.expectClean();
});

test('Ctrl+G goes to a line and F1 opens the command palette', async ({ page }) => {
  const pg = new PlaygroundPage(page);
  await pg.goto('/');
  await pg.waitForEditor();
  await pg.setSource('.section raw\nr0 = 1\nr0 += 2\nr0 += 3\nexit\n');
  await page.evaluate(() => window.__playground.focusLine(1));
  await page.keyboard.press('ControlOrMeta+g');
  const input = page.locator('.quick-input-widget input');
  await expect(input).toBeVisible();
  await page.keyboard.type('4');
  await page.keyboard.press('Enter');
  await expect.poll(() => page.evaluate(() => window.__playground.cursor()?.line)).toBe(4);
  await page.keyboard.press('F1');
  await expect(input).toBeVisible();
  await page.keyboard.type('Step over');
  await expect(page.locator('.quick-input-widget .monaco-list-row').first()).toContainText('Step over');
  await page.keyboard.press('Escape');
  await expect(input).toBeHidden();
  pg.expectClean();
});

test('Esc stops a running program, as the Stop button says', async ({ page }) => {
  const pg = new PlaygroundPage(page);
  await pg.goto('/');
  await pg.setSource('.section raw\nloop:\n\tr0 += 1\n\tgoto loop\n');
  await pg.toolbar.select('Budget').selectOption('1000000000');
  // Interpreted, so the run lasts long enough to stop: the WebAssembly tier the engine chooses
  // for this loop spends a billion instructions in about a tenth of a second.
  await pg.toolbar.select('Tier').selectOption('interpreter');
  await expect(pg.toolbar.button('Stop')).toHaveCount(0);
  const running = page.evaluate(() => window.__playground.run());
  await expect(pg.toolbar.button('Stop')).toHaveAttribute('aria-keyshortcuts', 'Esc');
  await page.locator('h1').click();
  await page.keyboard.press('Escape');
  await running;
  // Stopped, not ended by the budget: the engine was restarted, as Stop does.
  await expect(pg.notice('warning')).toContainText('Stopped: the engine was restarted');
  expect((await pg.state()).busy).toBe('idle');
  pg.expectClean();
});

test('the CPU count clamps 0 and 5000 and says so; other text is kept with an error', async ({ page }) => {
  const pg = new PlaygroundPage(page);
  await pg.goto('/');
  const field = pg.toolbar.select('CPUs');
  const note = page.getByTestId('cpus-note');
  await field.fill('0');
  await expect(note).toHaveText('At least 1 CPU: 1 is used');
  expect((await page.evaluate(() => window.__playground.document())).cpus).toBe(1);
  await field.fill('5000');
  await expect(note).toContainText('At most 4,096 CPUs');
  expect((await page.evaluate(() => window.__playground.document())).cpus).toBe(4096);
  await field.fill('sixteen');
  await expect(field).toHaveValue('sixteen');
  await expect(note).toHaveText('Not applied — CPUs must be a whole number from 1 to 4,096');
  expect((await page.evaluate(() => window.__playground.document())).cpus).toBe(4096);
  await field.fill('16');
  await expect(note).toHaveCount(0);
  expect((await page.evaluate(() => window.__playground.document())).cpus).toBe(16);
  pg.expectClean();
});

test('the keyboard list names the keys, and Esc closes it without touching anything else', async ({ page }) => {
  const pg = new PlaygroundPage(page);
  await pg.goto('/');
  await page.getByRole('button', { name: 'Keys' }).click();
  const list = page.getByTestId('shortcuts');
  await expect(list).toContainText('Ctrl+G');
  await expect(list).toContainText('F1');
  await expect(list).toContainText('Esc');
  await page.keyboard.press('Escape');
  await expect(list).toBeHidden();
  pg.expectClean();
});
