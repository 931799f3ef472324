// The largest documents a link can hold, used as a person would: the 10,000-task scenario pages
// its task table and keeps its 700 KB of JSON out of the page until asked (laying it out froze
// the tab); the 131,069-instruction program draws its first rows and more on demand. What
// longest-task.spec.ts measures, this checks works.

import { costlyLinks } from '../fixtures/costly-links.ts';
import { load } from '../fixtures/liveness.ts';
import { expect, test } from '../fixtures/test.ts';

function link(prefix: string): string {
  const l = costlyLinks().find((x) => x.name.startsWith(prefix));
  if (!l) throw new Error(`no costly link "${prefix}"`);
  return `/${l.hash}`;
}

test('a 10,000-task scenario: the task table pages, the JSON opens on request and still edits', async ({ page }) => {
  test.setTimeout(120_000);
  await load(page, link('a scenario with 10,000 tasks'));
  const panel = page.getByTestId('panel-scenario');
  await expect(panel.getByText('tasks 1–100 of 10,001 (the new task last)')).toBeVisible();
  await expect(panel.locator('table[aria-label="tasks"] tbody tr')).toHaveCount(100);
  await panel.getByRole('button', { name: 'Next page of tasks' }).click();
  await expect(panel.getByText('tasks 101–200 of 10,001 (the new task last)')).toBeVisible();
  await expect(panel.getByRole('button', { name: 'Previous page of tasks' })).toBeEnabled();
  // The text box is not in the page until asked for.
  await expect(panel.locator('#scenario-json')).toHaveCount(0);
  await expect(panel.getByTestId('scenario-large')).toContainText(/This scenario is \d+ KB of JSON/);
  await panel.getByRole('button', { name: 'Edit the JSON anyway' }).click();
  const box = panel.locator('#scenario-json');
  await expect(box).toBeVisible();
  expect((await box.inputValue()).length).toBeGreaterThan(64 * 1024);
  // An edit that breaks the JSON is kept and not applied.
  await box.evaluate((el: HTMLTextAreaElement) => {
    el.setSelectionRange(0, 0);
  });
  await box.press('x');
  await expect(panel.locator('#scenario-status')).toContainText('Not applied: line 1, column 1');
  expect(await page.evaluate(() => window.__playground.getValue())).toContain('r0 = 0');
});

test('a 131,069-instruction program: the Program panel draws 300 rows, and 300 more on request', async ({ page }) => {
  test.setTimeout(120_000);
  await load(page, link('131,069 instructions'));
  const panel = page.getByTestId('panel-program');
  const rows = panel.locator('table.program-table tbody tr');
  await expect(rows).toHaveCount(300, { timeout: 30_000 });
  await expect(page.getByText(/131,0\d\d slots/)).toBeVisible();
  await panel.getByRole('button', { name: 'Show 300 more' }).click();
  await expect(rows).toHaveCount(600);
});
