// The guard of e2e/fixtures/test.ts must fail a test on each kind of page problem. These tests
// are marked test.fail(): each passes only when the guard turns it red. They use a tiny page of
// their own (setContent), not the playground, so they cost a fraction of a second.

import { test } from '../fixtures/test.ts';

// Expected failures: no trace or screenshot to keep.
test.use({ trace: 'off', screenshot: 'off' });

test('a console.error fails the test', async ({ page }) => {
  test.fail();
  await page.setContent('<p>x</p>');
  await page.evaluate(() => console.error('deliberate console error'));
});

test('an uncaught exception fails the test', async ({ page }) => {
  test.fail();
  await page.setContent('<p>x</p>');
  await page.evaluate(() => setTimeout(() => {
    throw new Error('deliberate uncaught error');
  }));
  await page.waitForTimeout(100);
});

test('an error in a context the test made itself fails the test', async ({ browser }) => {
  test.fail();
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.setContent('<p>x</p>');
  await page.evaluate(() => console.error('deliberate error in another profile'));
  await context.close();
});

test('a dialog fails the test', async ({ page }) => {
  test.fail();
  await page.setContent('<p>x</p>');
  await page.evaluate(() => alert('deliberate dialog'));
});

test('an allowed pattern is tolerated, and only in the test that allows it', async ({ page, errors }) => {
  errors.allow(/^deliberate and expected$/);
  await page.setContent('<p>x</p>');
  await page.evaluate(() => console.error('deliberate and expected'));
});
