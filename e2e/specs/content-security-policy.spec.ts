// Journey: the built site carries a Content-Security-Policy (no inline script, nothing from
// elsewhere) and everything still works under it — Monaco and its worker, a run in the engine
// worker, an XDP run on the emulated NIC, a background assembly, the keyboard dialog, a file
// download — with no policy violation reported; and text from a link never becomes markup.
import { expect, test } from '@playwright/test';
import { encodeShare } from '../../app/share/codec.ts';
import { DEFAULT_DOCUMENT } from '../../app/state/document.ts';
import { PlaygroundPage } from '../fixtures/playground.ts';

test.beforeEach(async ({ page }) => {
  await page.addInitScript(() => {
    const w = window as unknown as { __violations: string[] };
    w.__violations = [];
    document.addEventListener('securitypolicyviolation', (e) => w.__violations.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
});

const violations = (pg: PlaygroundPage) => pg.page.evaluate(() => (window as unknown as { __violations: string[] }).__violations);

test('the built page declares the policy and works under it', async ({ page }) => {
  const pg = new PlaygroundPage(page);
  const html = await (await page.request.get('/')).text();
  expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
  await pg.goto('/');
  const policy = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
  expect(policy).toMatch(/^default-src 'self'; script-src 'self'; worker-src 'self';/);
  await pg.waitForEditor();
  const state = await pg.run();
  expect(state.r0).toBe('0x000000000000000f');
  await pg.openExample('xdp-metadata');
  await pg.run();
  expect((await pg.nic())?.total).toBeGreaterThan(0);
  // A document large enough to be assembled in the background worker.
  await pg.setSource(`.section raw\n${'r0 += 1\n'.repeat(6000)}exit\n`);
  await expect(page.locator('.statusbar')).toContainText('6,001 slots');
  await page.getByRole('button', { name: 'Keys' }).click();
  await page.getByRole('button', { name: 'Close' }).click();
  const download = page.waitForEvent('download');
  await pg.toolbar.button('Save .bpf.s').click();
  expect((await download).suggestedFilename()).toMatch(/\.bpf\.s$/);
  expect(await violations(pg)).toEqual([]);
  pg.expectClean();
});

test('markup and script in a link stay text', async ({ page }) => {
  const pg = new PlaygroundPage(page);
  const hostile = '<img src=x onerror="window.__pwned=1"> <script>window.__pwned=2</script> **bold** [link](javascript:window.__pwned=3)\n.section raw\nr0 = 0\nexit\n';
  const hash = await encodeShare({ ...DEFAULT_DOCUMENT, source: hostile });
  await pg.goto(`/${hash}`);
  await pg.waitForEditor();
  await pg.openPanel('problems');
  await expect(pg.problems.entries().first()).toContainText("found '<'");
  // Hover the first line: the hover shows what the text is, as text.
  await page.locator('.monaco-editor .view-line').first().hover();
  await page.waitForTimeout(800);
  expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  expect(await page.locator('img[src="x"]').count()).toBe(0);
  expect(await violations(pg)).toEqual([]);
  pg.expectClean();
});
