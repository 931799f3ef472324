// Journey: the user's draft is never lost — not to a lesson, an example or a shared link opened
// over it (each says where the draft is and brings it back), not silently to a save that fails,
// and an unreadable saved draft is set aside with the user told.
import { expect, test, type Locator, type Page } from '@playwright/test';
import { PlaygroundPage } from '../fixtures/playground.ts';

const DRAFT = '# my own work\nr0 = 42\nexit\n';

async function withDraft(page: Page): Promise<PlaygroundPage> {
  const pg = new PlaygroundPage(page);
  await pg.goto('/');
  await pg.setSource(DRAFT);
  await page.waitForTimeout(600);
  return pg;
}

/** Picks the option of a select whose text matches (Playwright's own wants the exact text). */
async function pick(select: Locator, text: RegExp): Promise<void> {
  const options = await select.locator('option').evaluateAll((os) => os.map((o) => ({ value: (o as HTMLOptionElement).value, text: o.textContent ?? '' })));
  const found = options.find((o) => text.test(o.text));
  if (!found) throw new Error(`no option matches ${text}: ${options.map((o) => o.text).join(' | ')}`);
  await select.selectOption(found.value);
}

async function reload(page: Page): Promise<void> {
  await page.reload();
  await page.waitForFunction(() => window.__playground?.ready === true);
}

test('opening a lesson keeps the draft, says so, and Restore brings it back', async ({ page }) => {
  const pg = await withDraft(page);
  await pg.toolbar.select('Lesson').selectOption('first-steps');
  const notice = pg.notice('info').filter({ hasText: 'Opened lesson “First steps: run, step, break, fix”. Your draft is kept' });
  await expect(notice).toBeVisible();
  expect(await pg.source()).not.toBe(DRAFT);
  // Edit the lesson's program: the draft must survive that too, and a reload.
  await pg.setSource('# lesson, edited\nexit\n');
  await page.waitForTimeout(600);
  await notice.getByRole('button', { name: 'Restore your draft' }).click();
  await expect.poll(() => pg.source()).toBe(DRAFT);
  await reload(page);
  expect(await pg.source()).toBe(DRAFT);
  // The lesson's edits are kept under Document.
  await pick(pg.toolbar.select('Document'), /Lesson: First steps/);
  await expect.poll(() => pg.source()).toBe('# lesson, edited\nexit\n');
  pg.expectClean();
});

test('one keystroke in a shared program does not replace the draft', async ({ page, browser }) => {
  const pg = await withDraft(page);
  // Someone else's link.
  const other = await browser.newPage();
  const them = new PlaygroundPage(other);
  await them.goto('/');
  await them.setSource('# theirs\nr0 = 2\nexit\n');
  const url = new URL((await other.evaluate(() => window.__playground.share())) ?? '');
  await other.close();
  await pg.goto(url.pathname + url.hash);
  const notice = pg.notice('info').filter({ hasText: 'Opened a shared program. Your draft is kept' });
  await expect(notice).toBeVisible();
  await pg.setSource('# theirs, edited\nr0 = 3\nexit\n');
  await page.waitForTimeout(600);
  // The edit took the link out of the address bar; a reload shows the edits …
  expect(new URL(page.url()).hash).toBe('');
  await reload(page);
  expect(await pg.source()).toBe('# theirs, edited\nr0 = 3\nexit\n');
  // … and the draft is still there.
  await pick(pg.toolbar.select('Document'), /Your draft/);
  await expect.poll(() => pg.source()).toBe(DRAFT);
  pg.expectClean();
});

test('opening an example keeps the draft', async ({ page }) => {
  const pg = await withDraft(page);
  await pg.toolbar.select('Example').selectOption('calls');
  const notice = pg.notice('info').filter({ hasText: 'Your draft is kept' });
  await expect(notice).toBeVisible();
  await pg.setSource('# the example, changed\nexit\n');
  await page.waitForTimeout(600);
  await notice.getByRole('button', { name: 'Restore your draft' }).click();
  await expect.poll(() => pg.source()).toBe(DRAFT);
  pg.expectClean();
});

test('a save that fails says the work is not saved and offers the file', async ({ page }) => {
  const pg = new PlaygroundPage(page);
  await pg.goto('/');
  // Storage full, as on a real quota: every write of the draft throws.
  await page.evaluate(() => {
    const set = Storage.prototype.setItem;
    Storage.prototype.setItem = function (key: string, value: string) {
      if (key === 'bpfp.draft') throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      set.call(this, key, value);
    };
  });
  await pg.setSource('# typed while storage is full\nexit\n');
  const notice = pg.notice('error').filter({ hasText: "Your work is not saved: the browser's storage for this site is full." });
  await expect(notice).toBeVisible();
  const download = page.waitForEvent('download');
  await notice.getByRole('button', { name: 'Download .bpfp.json' }).click();
  expect((await download).suggestedFilename()).toMatch(/\.bpfp\.json$/);
  // The notice stays until a save works.
  await expect(notice).toBeVisible();
  pg.expectClean();
});

test('a program too large to save says so instead of vanishing on reload', async ({ page }) => {
  const pg = new PlaygroundPage(page);
  await pg.goto('/');
  await pg.setSource(`# big\n${'r0 += 1\n'.repeat(150_000)}exit\n`);
  await expect(pg.notice('error').filter({ hasText: 'Your work is not saved: source is 1.1 MB; the playground takes programs up to 1 MB' })).toBeVisible();
  pg.expectClean();
});

test('an unreadable saved draft is set aside and the user is told', async ({ page }) => {
  const pg = new PlaygroundPage(page);
  await pg.goto('/');
  await page.evaluate(() => localStorage.setItem('bpfp.draft', JSON.stringify({ version: 2, own: { doc: { source: 'r0 = 5\nexit\n', cpus: 0 } }, opened: [], active: 'own' })));
  await reload(page);
  const notice = pg.notice('error').filter({ hasText: 'Your saved draft could not be read' });
  await expect(notice).toContainText('It was set aside, not deleted.');
  await notice.getByRole('button', { name: 'Open its text' }).click();
  await expect.poll(() => pg.source()).toBe('r0 = 5\nexit\n');
  expect(await page.evaluate(() => localStorage.getItem('bpfp.draft.corrupt'))).toContain('r0 = 5');
  pg.expectClean();
});
