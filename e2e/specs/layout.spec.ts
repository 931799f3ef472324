// Journey: the page fits the screen — at 1440×900 beside the editor and on a 390×844 phone,
// the page is never wider than the window and the Program, Packets and Traffic tables end
// inside their panel; a packet's detail comes into view when it opens; notices do not pile up.
import type { Page } from '@playwright/test';
import { expect, test } from '../fixtures/test.ts';
import { PlaygroundPage } from '../fixtures/playground.ts';

/**
 * The document's width, and any table or toolbar control reaching past the right edge of the
 * box it sits in. On a phone a wide table may scroll sideways inside its own short box (the
 * packets); beside the editor on a desktop every table must fit its panel.
 */
function overflow(page: Page): Promise<{ page: number; window: number; cut: string[] }> {
  return page.evaluate(() => {
    const cut: string[] = [];
    const right = (el: Element) => el.getBoundingClientRect().right;
    const panel = document.querySelector('.panel-body');
    const phone = window.innerWidth < 700;
    for (const t of document.querySelectorAll('.panel-body table')) {
      const box = (phone ? t.closest('.nic-table-scroll, .nic-flows-scroll') : null) ?? panel;
      if (phone && box !== panel) continue;
      if (box && t.getBoundingClientRect().width > 0 && right(t) > right(box) + 1) cut.push(`table.${t.className} ends at ${Math.round(right(t))}, its box at ${Math.round(right(box))}`);
    }
    for (const c of document.querySelectorAll('.topbar button, .topbar select, .topbar input, .tabs')) {
      if (c.getBoundingClientRect().width > 0 && right(c) > window.innerWidth + 1) cut.push(`${c.tagName}#${c.id} ends at ${Math.round(right(c))}`);
    }
    return { page: document.documentElement.scrollWidth, window: window.innerWidth, cut };
  });
}

async function expectFits(page: Page, view: string): Promise<void> {
  const o = await overflow(page);
  expect(o.page, `${view}: the page is ${o.page} px wide in a ${o.window} px window`).toBeLessThanOrEqual(o.window);
  expect(o.cut, view).toEqual([]);
}

for (const [width, height] of [
  [1440, 900],
  [390, 844],
] as const) {
  test(`the main views fit at ${width}×${height}`, async ({ page }) => {
    await page.setViewportSize({ width, height });
    const pg = new PlaygroundPage(page);
    await pg.goto('/');
    await expectFits(page, 'fresh page');
    await pg.screenshot(`layout-${width}-default`);
    await pg.openPanel('program');
    await expect(pg.program.rows().first()).toBeVisible();
    await expectFits(page, 'Program');
    await pg.screenshot(`layout-${width}-program`);
    await pg.openExample('xdp-metadata');
    await pg.run();
    await expect(pg.packets.rows().first()).toBeVisible();
    await expectFits(page, 'Packets');
    await pg.screenshot(`layout-${width}-packets`);
    // A packet near the end of the table: its detail must come into view.
    await page.evaluate(() => window.__playground.openPacket(60));
    const detail = page.getByTestId('nic-packet');
    await expect(detail).toContainText('Packet 60');
    await expect(detail.getByRole('heading', { name: 'Packet 60' })).toBeInViewport();
    await expectFits(page, 'a packet open');
    await pg.screenshot(`layout-${width}-packet`);
    await pg.openPanel('traffic');
    await expect(pg.traffic.root()).toBeVisible();
    await expectFits(page, 'Traffic');
    await pg.screenshot(`layout-${width}-traffic`);
    pg.expectClean();
  });
}

test('on a phone the settings fold into a menu and every control is reachable', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  const pg = new PlaygroundPage(page);
  await pg.goto('/');
  await page.getByText('Settings', { exact: true }).click();
  for (const label of ['Dialect', 'ISA', 'Kernel', 'CPUs', 'Budget', 'Tier', 'Theme']) await expect(pg.toolbar.select(label)).toBeInViewport();
  await expectFits(page, 'settings open');
  pg.expectClean();
});

test('Share twice shows one notice', async ({ page, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  const pg = new PlaygroundPage(page);
  await pg.goto('/');
  await pg.toolbar.button('Share').click();
  await expect(pg.notice('info')).toHaveCount(1);
  await pg.toolbar.button('Share').click();
  await pg.toolbar.button('Share').click();
  await expect(pg.notice('info')).toHaveCount(1);
  // And the address bar holds what was copied.
  expect(page.url()).toBe(await page.evaluate(() => navigator.clipboard.readText()));
  pg.expectClean();
});
