// Journeys through the graded lessons: a deep link opens a lesson beside the user's draft (which
// it never touches), Check fails on the starter and says why, hints come one at a time, the fixed
// code passes, and a reload keeps the lesson, its hints and its completion mark; a "fix" (or
// "spot the bug") lesson goes from the verifier's refusal pinned to its line to acceptance, with
// the solution offered after three failed Checks; a link shared from a lesson opens that lesson
// with the learner's code; unreadable lesson storage is set aside and said. axe in both themes on
// the pane and the index; a phone has no sideways overflow. The lessons are read from the site's
// own index at test time, so new ones need no edit here.
import { readFileSync } from 'node:fs';
import type { Locator, Page } from '@playwright/test';
import { expect, test } from '../fixtures/test.ts';
import { expectNoAxeViolations } from '../fixtures/axe.ts';
import { PlaygroundPage } from '../fixtures/playground.ts';
import { measureOverflow, overflowProblem } from '../fixtures/overflow.ts';

const DRAFT = '# my own draft, not a lesson\nr0 = 7\nexit\n';
const FIRST = 'registers-and-exit';
const FIRST_DIR = 'public/lessons/instructions/registers-and-exit';

interface IndexEntry {
  spec: { id: string; kind: string; title: string; track: string; hints: string[]; grader: { profiles?: string[] } };
  starterText: string;
  solutionText: string;
}

async function lessonsIndex(page: Page): Promise<IndexEntry[]> {
  const res = await page.request.get('/lessons/index.json');
  expect(res.ok(), 'the site serves lessons/index.json').toBe(true);
  return ((await res.json()) as { lessons: IndexEntry[] }).lessons;
}

async function axe(page: Page): Promise<void> {
  await expectNoAxeViolations(page);
}

/** Picks the option of a select whose text matches. */
async function pick(select: Locator, text: RegExp): Promise<void> {
  const options = await select.locator('option').evaluateAll((os) => os.map((o) => ({ value: (o as HTMLOptionElement).value, text: o.textContent ?? '' })));
  const found = options.find((o) => text.test(o.text));
  if (!found) throw new Error(`no option matches ${text}: ${options.map((o) => o.text).join(' | ')}`);
  await select.selectOption(found.value);
}

function pane(page: Page): Locator {
  return page.getByTestId('lesson-pane');
}

async function check(page: Page): Promise<void> {
  await pane(page).getByTestId('lesson-check').click();
  await expect(pane(page).getByTestId('lesson-verdict')).toBeVisible({ timeout: 30_000 });
}

async function reload(page: Page): Promise<void> {
  await page.reload();
  await page.waitForFunction(() => window.__playground?.ready === true);
}

test('a lesson from a deep link: Check fails, a hint, the fix passes, a reload keeps it, and the draft is untouched', async ({ page }) => {
  const starter = readFileSync(`${FIRST_DIR}/starter.bpf.s`, 'utf8');
  const solution = readFileSync(`${FIRST_DIR}/solution.bpf.s`, 'utf8');
  const pg = new PlaygroundPage(page);
  await pg.goto('/');
  await pg.waitForEditor();
  await pg.setSource(DRAFT);
  await page.waitForTimeout(600);

  // A deep link opens the lesson with its starter, beside the panels (the tabs stay).
  await page.goto(`/#lesson/${FIRST}`);
  const lesson = pane(page).getByTestId('lesson-graded');
  await expect(lesson).toBeVisible();
  await expect(lesson.getByRole('heading', { level: 2 })).toHaveText(/Registers and exit/);
  await expect(page.getByRole('tablist', { name: 'Panels' })).toBeVisible();
  await expect.poll(() => pg.source()).toBe(starter);
  await expect(pg.notice('info').filter({ hasText: 'Your draft is kept' })).toBeVisible();
  // The goal's `code` is code; the docs are links; Check names its shortcut.
  await expect(lesson.locator('.lesson-goal code').first()).toBeVisible();
  await expect(lesson.getByRole('list', { name: 'Documentation' }).getByRole('link').first()).toHaveAttribute('href', /^https:\/\//);
  await expect(lesson.getByTestId('lesson-check')).toHaveAttribute('title', /Ctrl\+Shift\+Enter/);

  // The starter fails, in words.
  await check(page);
  await expect(lesson.getByTestId('lesson-verdict')).toHaveText(/Not yet: \d+ of \d+ checks? failed/);
  await expect(lesson.getByTestId('lesson-first-failure')).toContainText('expected');
  await expect(lesson.locator('.lesson-checks li[data-passed="false"]').first()).toContainText('failed');
  await expect(lesson.locator('.lesson-checks li[data-check="assembles"]')).toContainText('passed');
  await page.screenshot({ path: 'test-results/screenshots/lesson-failed.png' });

  // Hints one at a time.
  await expect(lesson.getByTestId('lesson-hint-button')).toHaveText('Show hint 1 of 3');
  await lesson.getByTestId('lesson-hint-button').click();
  await expect(lesson.getByTestId('lesson-hints').locator('li')).toHaveCount(1);
  await expect(lesson.getByTestId('lesson-hint-button')).toHaveText('Show hint 2 of 3');

  // The fix passes (Check by its shortcut this time).
  await pg.setSource(solution);
  await page.getByTestId('lesson-pane').getByRole('heading', { level: 2 }).click();
  await page.keyboard.press('Control+Shift+Enter');
  await expect(lesson.getByTestId('lesson-verdict')).toHaveText(/Passed: all \d+ checks passed/, { timeout: 30_000 });
  await expect(lesson.getByTestId('lesson-complete')).toBeVisible();
  await expect(lesson.getByRole('heading', { level: 2 })).toContainText('✓');
  await page.waitForTimeout(600);

  // A reload brings the lesson back with the learner's code and the hint revealed.
  await reload(page);
  await expect(lesson).toBeVisible();
  await expect.poll(() => pg.source()).toBe(solution);
  await expect(lesson.getByTestId('lesson-hints').locator('li')).toHaveCount(1);
  await expect(lesson.getByTestId('lesson-complete')).toBeVisible();
  // The index shows the completion mark.
  await lesson.getByRole('button', { name: '← All lessons' }).click();
  const index = pane(page).getByTestId('lesson-index');
  await expect(index).toBeVisible();
  const entry = index.locator(`li[data-lesson="${FIRST}"]`);
  await expect(entry).toHaveAttribute('data-passed', 'true');
  await expect(entry).toContainText('✓');
  await expect(entry.locator('.lesson-kind')).toHaveText('write');
  await page.screenshot({ path: 'test-results/screenshots/lesson-index.png' });

  // Back to the draft: untouched, and the lesson's code was never saved with the documents.
  await pick(pg.toolbar.select('Document'), /Your draft/);
  await expect.poll(() => pg.source()).toBe(DRAFT);
  const saved = await page.evaluate(() => localStorage.getItem('bpfp.draft') ?? '');
  expect(JSON.parse(saved).own.doc.source).toBe(DRAFT);
  expect(saved).not.toContain('r0 *= 2');
  expect(await page.evaluate((id) => localStorage.getItem(`bpfp.lesson-code.${id}`), FIRST)).toContain('r0 *= 2');
  await expect(pane(page).getByTestId('lesson-graded')).toHaveCount(0);
  pg.expectClean();
});

test('a spot-the-bug lesson: from the verifier refusal pinned to its line to acceptance; the solution after three failed Checks', async ({ page }) => {
  const pg = new PlaygroundPage(page);
  await pg.goto('/');
  const lessons = await lessonsIndex(page);
  const target = lessons.find((l) => l.spec.kind === 'spot-the-bug') ?? lessons.find((l) => l.spec.kind === 'fix');
  test.skip(!target, 'no fix or spot-the-bug lesson in the index yet');
  if (!target) return;
  await pg.waitForEditor();
  // From the index, as a learner would.
  await pick(pg.toolbar.select('Lesson'), /^All lessons/);
  const index = pane(page).getByTestId('lesson-index');
  await expect(index.locator(`li[data-lesson="${target.spec.id}"] .lesson-kind`)).toHaveText(target.spec.kind === 'fix' ? 'fix' : 'spot the bug');
  expect(new URL(page.url()).hash).toBe('#lesson');
  await index.locator(`li[data-lesson="${target.spec.id}"] a`).click();
  const lesson = pane(page).getByTestId('lesson-graded');
  await expect(lesson).toHaveAttribute('data-lesson', target.spec.id);
  expect(new URL(page.url()).hash).toBe(`#lesson/${target.spec.id}`);
  await expect.poll(() => pg.source()).toBe(target.starterText);
  // The verifier's panel is there beside the lesson, saying the same.
  await expect(page.getByRole('tab', { name: /Verifier/ })).toHaveAttribute('aria-selected', 'true');

  // Three failed Checks: the refusal is the first failure, pinned to a line.
  for (let i = 0; i < 3; i++) {
    if (i) await expect(lesson.getByTestId('lesson-show-solution')).toHaveCount(0);
    await check(page);
    await expect(lesson.getByTestId('lesson-verdict')).toHaveText(/Not yet/);
  }
  const refusal = lesson.getByTestId('lesson-first-failure');
  await expect(refusal).toContainText(/Linux [\d.]+ loads it/);
  await expect(refusal).toContainText(/refuses (it|\S+) at line/);
  const line = Number((await lesson.getByTestId('lesson-failure-line').textContent())?.match(/line (\d+)/)?.[1]);
  expect(line).toBeGreaterThan(0);
  await expect.poll(async () => (await pg.markers()).some((m) => m.source === 'lesson' && m.line === line)).toBe(true);
  await lesson.getByTestId('lesson-failure-line').click();
  await expect.poll(() => page.evaluate(() => window.__playground.cursor()?.line)).toBe(line);
  await page.screenshot({ path: 'test-results/screenshots/lesson-refusal.png' });

  // The solution: read-only in the pane, into the editor only on request (with the code offered back).
  await lesson.getByTestId('lesson-show-solution').click();
  await expect(lesson.getByTestId('lesson-solution').locator('pre')).toHaveText(target.solutionText.replace(/\n$/, ''));
  expect(await pg.source()).toBe(target.starterText);
  await lesson.getByRole('button', { name: 'Put the solution in the editor' }).click();
  await expect.poll(() => pg.source()).toBe(target.solutionText);
  await expect(pg.notice('info').filter({ hasText: 'The solution is in the editor' }).getByRole('button', { name: 'Put my code back' })).toBeVisible();
  await check(page);
  await expect(lesson.getByTestId('lesson-verdict')).toHaveText(/Passed/);
  await expect(lesson.locator('.lesson-checks li').filter({ hasText: /Linux [\d.]+ loads it/ }).first()).toHaveAttribute('data-passed', 'true');
  await expect.poll(async () => (await pg.markers()).some((m) => m.source === 'lesson')).toBe(false);
  pg.expectClean();
});

test('a link shared from a lesson opens that lesson with the learner’s code', async ({ page, browser }) => {
  const pg = new PlaygroundPage(page);
  await pg.goto(`/#lesson/${FIRST}`);
  await expect(pane(page).getByTestId('lesson-graded')).toBeVisible();
  const attempt = '.section raw\n# my attempt\n        r0 = r2\n        exit\n';
  await pg.setSource(attempt);
  const url = new URL((await page.evaluate(() => window.__playground.share())) ?? '');
  expect(url.hash).toMatch(/^#v1\//);
  const other = await browser.newContext();
  const them = new PlaygroundPage(await other.newPage());
  await them.goto(url.pathname + url.hash);
  await expect(pane(them.page).getByTestId('lesson-graded')).toHaveAttribute('data-lesson', FIRST);
  await expect.poll(() => them.source()).toBe(attempt);
  await expect(them.notice('info').filter({ hasText: 'Opened a shared attempt' })).toBeVisible();
  await other.close();
  pg.expectClean();
});

test('every lesson in the index opens from its link, with its starter, and Check answers for it in words', async ({ page }) => {
  test.setTimeout(300_000);
  const pg = new PlaygroundPage(page);
  await pg.goto('/');
  const lessons = await lessonsIndex(page);
  expect(lessons.length).toBeGreaterThan(0);
  const lesson = pane(page).getByTestId('lesson-graded');
  for (const l of lessons) {
    await page.goto(`/#lesson/${l.spec.id}`);
    await expect(lesson, l.spec.id).toHaveAttribute('data-lesson', l.spec.id);
    await expect.poll(() => pg.source(), l.spec.id).toBe(l.starterText);
    await lesson.getByTestId('lesson-check').click();
    // The grader answered (no timeout, no crash), and the starter is not already a solution.
    await expect(lesson.getByTestId('lesson-verdict'), l.spec.id).toHaveText(/^Not yet: \d+ of \d+ checks? failed/, { timeout: 30_000 });
  }
  pg.expectClean();
});

test('unreadable lesson storage is set aside and said; the lessons still open', async ({ page }) => {
  await page.addInitScript(() => {
    if (sessionStorage.getItem('seeded')) return;
    sessionStorage.setItem('seeded', '1');
    localStorage.setItem('bpfp.lessons', '{not json');
    localStorage.setItem('bpfp.lesson-code.registers-and-exit', '[[[');
  });
  const pg = new PlaygroundPage(page);
  await pg.goto(`/#lesson/${FIRST}`);
  await expect(pg.notice('warning').filter({ hasText: 'Your lesson progress could not be read' })).toBeVisible();
  await expect(pg.notice('warning').filter({ hasText: 'could not be read; it was set aside' })).toBeVisible();
  await expect(pane(page).getByTestId('lesson-graded')).toBeVisible();
  expect(await page.evaluate(() => localStorage.getItem('bpfp.lessons.corrupt'))).toBe('{not json');
  await expect.poll(() => pg.source()).toBe(readFileSync(`${FIRST_DIR}/starter.bpf.s`, 'utf8'));
  pg.expectClean();
});

for (const scheme of ['light', 'dark'] as const) {
  test(`no axe violations on the lesson pane and the index (${scheme})`, async ({ page }) => {
    await page.emulateMedia({ colorScheme: scheme });
    const pg = new PlaygroundPage(page);
    await pg.goto('/#lesson');
    await pg.waitForEditor();
    await expect(pane(page).getByTestId('lesson-index').locator('li[data-lesson]').first()).toBeVisible();
    await axe(page);
    await page.screenshot({ path: `test-results/screenshots/lesson-index-${scheme}.png` });
    await pane(page).locator(`li[data-lesson="${FIRST}"] a`).click();
    const lesson = pane(page).getByTestId('lesson-graded');
    await check(page);
    await lesson.getByTestId('lesson-hint-button').click();
    await axe(page);
    await page.screenshot({ path: `test-results/screenshots/lesson-pane-${scheme}.png` });
  });
}

test('on a phone the lesson pane and the index fit the screen', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  const pg = new PlaygroundPage(page);
  await pg.goto('/#lesson');
  await expect(pane(page).getByTestId('lesson-index').locator('li[data-lesson]').first()).toBeVisible();
  expect(overflowProblem(await measureOverflow(page))).toBeUndefined();
  expect(await pane(page).evaluate((el) => el.scrollWidth - el.clientWidth)).toBeLessThanOrEqual(1);
  await pane(page).scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'test-results/screenshots/lesson-index-phone.png', fullPage: true });
  await pane(page).locator(`li[data-lesson="${FIRST}"] a`).click();
  await check(page);
  await pane(page).getByTestId('lesson-hint-button').click();
  expect(overflowProblem(await measureOverflow(page))).toBeUndefined();
  // The pane itself never scrolls sideways (its text wraps; only the solution's code may scroll).
  expect(await pane(page).evaluate((el) => el.scrollWidth - el.clientWidth)).toBeLessThanOrEqual(1);
  await page.screenshot({ path: 'test-results/screenshots/lesson-pane-phone.png', fullPage: true });
  pg.expectClean();
});
