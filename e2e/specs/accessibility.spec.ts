// Journey: axe finds no violations on the main views, in both themes and in embed mode;
// every view is kept as a screenshot artifact. Each journey walks its states once and scans
// every state in both themes, switching the system's colour scheme live (the app follows it):
// walking each journey again per theme cost about a third of this file's time.
import type { Page } from '@playwright/test';
import { expect, test } from '../fixtures/test.ts';
import { expectNoAxeViolations } from '../fixtures/axe.ts';
import { PlaygroundPage } from '../fixtures/playground.ts';

const SCHEMES = ['light', 'dark'] as const;

// Every state scanned twice: a journey here takes about twice as long as one walked per theme
// did (up to a minute on a loaded machine), so each gets more than the default minute.
test.describe.configure({ timeout: 150_000 });

/**
 * axe on the page as it stands, in the light and then the dark scheme (the page is left dark);
 * with `shot`, a screenshot in each (`light-<shot>`, `dark-<shot>`).
 */
async function axe(page: Page, shot?: string): Promise<void> {
  for (const scheme of SCHEMES) {
    await page.emulateMedia({ colorScheme: scheme });
    await expect(page.locator('html')).toHaveAttribute('data-theme', scheme);
    await expectNoAxeViolations(page, { label: scheme });
    if (shot) await page.screenshot({ path: `test-results/screenshots/${scheme}-${shot}.png`, fullPage: false });
  }
}

test('no axe violations on the main views (light and dark)', async ({ page }) => {
  const pg = new PlaygroundPage(page);
  await pg.goto('/');
  await pg.waitForEditor();
  await axe(page);
  await pg.run();
  for (const panel of ['Registers', 'Stack', 'Trace', 'Problems', 'Program', 'Lesson']) {
    await pg.openPanel(panel);
    await axe(page, panel.toLowerCase());
  }
});

test('no axe violations on the kernel panels (light and dark)', async ({ page }) => {
  const pg = new PlaygroundPage(page);
  await pg.goto('/#example/cpumask-and-or-xor');
  await pg.waitForEditor();
  // Stopped after the OR: live masks, a changed row; then at the end: freed rows.
  const lines = (await pg.source()).split('\n');
  await pg.setBreakpoints([lines.findIndex((l) => l.includes('call bpf_cpumask_or')) + 1]);
  await pg.continue();
  await pg.step();
  for (const panel of ['Cpumasks', 'Maps', 'Scenario']) {
    await pg.openPanel(panel);
    await axe(page);
  }
  await pg.setBreakpoints([]);
  await pg.continue();
  await pg.openPanel('Cpumasks');
  await axe(page, 'cpumasks');
  await pg.openExample('cpumask-record-task');
  await pg.run();
  await pg.openPanel('Maps');
  await axe(page, 'maps');
});

test("no axe violations on the Verifier panel's states along a failing path (light and dark)", async ({ page }) => {
  const pg = new PlaygroundPage(page);
  await pg.goto('/');
  await pg.waitForEditor();
  // An unchecked packet read: refused, its path stepped, then compared with a run.
  await pg.setSource('.section xdp\nr2 = *(u32 *)(r1 + 0)\nr4 = *(u32 *)(r1 + 12)\nr4 &= 0xff\nr0 = *(u8 *)(r2 + 0)\nr0 = 2\nexit\n');
  await pg.openPanel('Verifier');
  const view = page.getByTestId('verifier-states');
  await view.getByTestId('verifier-step-next').click();
  await view.getByTestId('verifier-trace').click();
  await expect(view.getByTestId('verifier-trace-result')).toBeVisible();
  await axe(page, 'verifier-states');
});

test('no axe violations on the NIC panels (light and dark)', async ({ page }) => {
  const pg = new PlaygroundPage(page);
  await pg.goto('/#example/xdp-metadata');
  await pg.waitForEditor();
  await axe(page);
  await pg.run();
  await expect.poll(async () => (await pg.state()).busy).toBe('idle');
  const n = await pg.nic();
  const p = n?.packets.find((x) => x.fate.kind === 'xsk');
  if (!p) throw new Error('no AF_XDP packet');
  // The Packets panel: counters, the device-bound note, the table, one packet in full.
  await pg.packets.row(p.index).click();
  await expect(page.getByTestId('xsk-view')).toBeVisible();
  await axe(page, 'packets');
  // A field under focus marks its bytes; the download menu open.
  await page.getByRole('button', { name: /^dport: 8080/ }).focus();
  await expect(page.locator('.nic-hex .byte.hl')).toHaveCount(2);
  await page.getByText('Download pcap', { exact: true }).click();
  await axe(page);
  // The Traffic panel, with the JSON view open and errors showing.
  await pg.openPanel('Traffic');
  await axe(page);
  await pg.traffic.field('Packets').fill('0');
  await pg.traffic.openJson();
  await pg.traffic.json().fill('{ "queues": 99 }');
  await expect(page.getByTestId('traffic-json-status')).toContainText('Not applied');
  await axe(page, 'traffic');
  // The tc program's view.
  await pg.openExample('xdp-to-tc-metadata');
  await pg.run();
  await expect.poll(async () => (await pg.state()).busy).toBe('idle');
  await pg.packets.row(0).click();
  await expect(page.getByTestId('tc-view')).toBeVisible();
  await axe(page);
});

test('no axe violations in embed mode; "open in the playground" carries the state', async ({ page, context }) => {
  const pg = new PlaygroundPage(page);
  await pg.goto('/?embed=1&panel=registers');
  await pg.waitForEditor();
  await expect(page.getByRole('tab')).toHaveCount(0);
  await pg.setSource('# embedded\nr0 = 3\nexit\n');
  await pg.run();
  await axe(page);
  await pg.screenshot('embed');
  const opened = context.waitForEvent('page');
  await page.getByRole('button', { name: /Open in the playground/ }).click();
  const full = new PlaygroundPage(await opened);
  await full.page.waitForFunction(() => window.__playground?.ready === true);
  expect(await full.source()).toBe('# embedded\nr0 = 3\nexit\n');
  await expect(full.page.getByRole('tab').first()).toBeVisible();
});

test('read-only embed keeps the program from being edited', async ({ page }) => {
  const pg = new PlaygroundPage(page);
  await pg.goto('/?embed=1&ro=1');
  await pg.waitForEditor();
  await page.locator('.monaco-editor').click();
  await page.keyboard.type('garbage');
  expect(await pg.source()).not.toContain('garbage');
});

test('narrow screens stack the editor over the panels', async ({ page }) => {
  await page.setViewportSize({ width: 420, height: 860 });
  const pg = new PlaygroundPage(page);
  await pg.goto('/');
  const editor = await page.getByRole('region', { name: 'Editor', exact: true }).boundingBox();
  const panels = await page.getByRole('region', { name: 'Panels', exact: true }).boundingBox();
  expect(editor && panels && panels.y >= editor.y + editor.height - 1).toBe(true);
  await axe(page);
  await pg.screenshot('narrow');
});
