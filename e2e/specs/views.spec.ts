// Each main view at 1440×900 and on a 390×844 phone — the editor with each panel (showing the
// example made for it, after a run), a packet's detail open, embed mode — kept as a screenshot
// in test-results/screenshots/ and checked for horizontal overflow: the page no wider than the
// window, nothing in the toolbar, the tab bar or a panel cut off at the right where no scrolling
// reaches it. Also: a packet's detail opens where the user sees it.

import type { Page } from '@playwright/test';
import { ACTION_MS, Journey } from '../fixtures/journey.ts';
import { fetchExamples, load, panelIds, tab, type Expected, type ExampleEntry } from '../fixtures/liveness.ts';
import { measureOverflow, overflowProblem } from '../fixtures/overflow.ts';
import { expect, test } from '../fixtures/test.ts';

const VIEWPORTS = [
  { name: '1440x900', width: 1440, height: 900 },
  { name: '390x844', width: 390, height: 844 },
] as const;

const SHOTS = 'test-results/screenshots';

/** Runs the open program to the end (an XDP program runs its traffic) and waits until idle. */
async function runToEnd(page: Page): Promise<void> {
  await page.evaluate(() => window.__playground.run());
  await expect.poll(() => page.evaluate(() => window.__playground.state().busy), { timeout: 30_000 }).toBe('idle');
}

/** On a desktop, the screenshot should show Monaco, not the static first paint (a blank page never gets it). */
async function editorSettled(page: Page, width: number): Promise<void> {
  if (width < 600) return;
  await page.waitForFunction(() => window.__playground.monacoReady() || (document.getElementById('root')?.childElementCount ?? 0) === 0, undefined, { timeout: 30_000 });
}

for (const vp of VIEWPORTS) {
  test(`each main view at ${vp.width}×${vp.height}: kept as a screenshot, nothing cut off at the right`, async ({ browser, errors, request }) => {
    test.setTimeout(180_000);
    const examples = await fetchExamples(request);
    const anyExample: Expected = { oneOf: examples.map((e) => e.source) };
    const j = new Journey(browser, errors, { width: vp.width, height: vp.height });
    const layout: string[] = [];

    /** One view: set it up as a step (which checks the page is alive), keep a screenshot, measure. */
    const view = async (name: string, expected: Expected, setup: (p: Page) => Promise<unknown>, after?: (p: Page) => Promise<string | undefined>): Promise<boolean> => {
      if (!(await j.step(`${vp.name} ${name}`, expected, setup))) return false;
      const p = j.page;
      await p.screenshot({ path: `${SHOTS}/${vp.name}-${name}.png` });
      const o = overflowProblem(await measureOverflow(p));
      if (o) layout.push(`${vp.name} ${name}: ${o}`);
      const more = after ? await after(p) : undefined;
      if (more) layout.push(`${vp.name} ${name}: ${more}`);
      return true;
    };

    // Each panel, showing the first example made for it (index.json's "panel"), after a run.
    let page = await j.fresh('/');
    const panels = await panelIds(page);
    const groups = new Map<ExampleEntry | undefined, string[]>();
    for (const id of panels) {
      const e = examples.find((x) => x.panel === id);
      groups.set(e, [...(groups.get(e) ?? []), id]);
    }
    for (const [example, ids] of groups) {
      const name = example ? example.id : 'the default program';
      const expected = example ? example.source : anyExample;
      const start = () =>
        j.step(`${vp.name} open ${name} and run it`, expected, async () => {
          page = await j.fresh(example ? `/#example/${example.id}` : '/');
          await editorSettled(page, vp.width);
          await runToEnd(page);
        });
      if (!(await start())) continue;
      for (const id of ids) {
        const ok = await view(`panel-${id}`, expected, async (p) => {
          // The lesson panel shows a lesson once one is open: the first the toolbar lists.
          if (id === 'lesson') await p.getByRole('toolbar', { name: 'Playground' }).getByLabel('Lesson', { exact: true }).selectOption({ index: 1 }, { timeout: ACTION_MS });
          await tab(p, id).click({ timeout: ACTION_MS });
        });
        if (!ok && !(await start())) break;
      }
    }

    // A packet's detail, opened from the table.
    const xdp = examples.find((x) => x.panel === 'packets');
    const detailOpen = async () => {
      if (!xdp) return false;
      return j.step(`${vp.name} open ${xdp.id} and run it`, xdp.source, async () => {
        page = await j.fresh(`/#example/${xdp.id}`);
        await editorSettled(page, vp.width);
        await runToEnd(page);
      });
    };
    if (await detailOpen()) {
      await view(
        'packet-detail',
        xdp?.source,
        async (p) => {
          await p.getByTestId('packets-table').locator('tbody tr').first().click({ timeout: ACTION_MS });
          await expect(p.getByTestId('packet-detail')).toBeVisible({ timeout: ACTION_MS });
        },
        async (p) => {
          const heading = p.getByRole('heading', { name: /^Packet \d+$/ });
          const seen = await expect(heading)
            .toBeInViewport({ timeout: 2_000 })
            .then(() => true, () => false);
          return seen ? undefined : 'the packet detail opened out of sight (its heading is not in the viewport)';
        },
      );
    }

    // Embed mode, after a run.
    await j.fresh(null);
    await view('embed', anyExample, async (p) => {
      await load(p, '/?embed=1&panel=registers');
      await editorSettled(p, vp.width);
      await runToEnd(p);
    });

    await j.close();
    const failures = [...j.dead.map((d) => `${d.step}: page dead: ${d.reason}`), ...layout];
    if (failures.length) throw new Error(`${failures.length} view(s) failed (screenshots in ${SHOTS}/):\n${failures.map((f, i) => `${i + 1}. ${f}`).join('\n')}`);
  });
}
