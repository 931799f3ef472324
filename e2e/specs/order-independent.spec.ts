// Order-independent journeys (issue 11, "Make it hold from now on"): from fresh browser profiles,
// every panel before a run, after one, while one goes on, after Stop and across a reload; every
// example and lesson; a share link made from each panel; embed mode on each panel; then seeded
// random walks. After every step the page must be alive: toolbar and editor present, the editor
// holding the expected text, the React root not empty, no page or console error. Panels, examples
// and lessons are enumerated from the page and the site, so a new one is covered without an edit.

import type { Page } from '@playwright/test';
import { ACTION_MS, Journey } from '../fixtures/journey.ts';
import { fetchExamples, formatDead, load, panelIds, tab, type Expected, type ExampleEntry } from '../fixtures/liveness.ts';
import { randomWalk, walkPlan } from '../fixtures/walk.ts';
import { expect, test } from '../fixtures/test.ts';

const toolbarButton = (page: Page, name: string) => page.getByRole('toolbar', { name: 'Playground' }).getByRole('button', { name, exact: true });
const toolbarSelect = (page: Page, label: string) => page.getByRole('toolbar', { name: 'Playground' }).getByLabel(label, { exact: true });
const openTab = (page: Page, id: string) => tab(page, id).click({ timeout: ACTION_MS });
const runToEnd = (page: Page) => page.evaluate(() => window.__playground.run());

/** The example a long run uses: the runaway loop, stopped only by the budget or by Stop. */
const LONG_RUN_EXAMPLE = 'runaway';

let examples: ExampleEntry[] = [];
test.beforeAll(async ({ request }) => {
  examples = await fetchExamples(request);
});
const exampleTexts = () => ({ oneOf: examples.map((e) => e.source) });
const sourceOf = (id: string): string => {
  const e = examples.find((x) => x.id === id);
  if (!e) throw new Error(`public/examples/index.json has no example '${id}'`);
  return e.source;
};

test('every panel opens before a run, after one, while one goes on, after Stop and across a reload', async ({ browser, errors }) => {
  test.setTimeout(240_000);
  const j = new Journey(browser, errors);
  let page = await j.fresh('/');
  await j.step('a fresh profile loads the playground', exampleTexts(), async () => undefined);
  const text0 = await page.evaluate(() => window.__playground.getValue());
  const panels = await panelIds(page);
  expect(panels.length, 'the page shows panel tabs').toBeGreaterThan(1);

  // Before any run. A dead step leaves a broken profile behind (a saved draft can keep it
  // broken), so the next step starts from a fresh one.
  for (const id of panels) {
    if (!(await j.step(`before any run: open ${id}`, text0, (p) => openTab(p, id)))) page = await j.fresh('/');
  }

  // After a run.
  const afterRun = async () => {
    page = await j.fresh('/');
    await runToEnd(page);
  };
  await afterRun();
  for (const id of panels) {
    if (!(await j.step(`after a run: open ${id}`, text0, (p) => openTab(p, id)))) await afterRun();
  }

  // While a run goes on: the runaway loop with a budget that lasts far longer than the test.
  const long = sourceOf(LONG_RUN_EXAMPLE);
  const startLongRun = async (p: Page) => {
    if ((await p.evaluate(() => window.__playground.getValue())) !== long) await toolbarSelect(p, 'Example').selectOption(LONG_RUN_EXAMPLE, { timeout: ACTION_MS });
    if ((await toolbarSelect(p, 'Budget').inputValue()) !== '1000000000') await toolbarSelect(p, 'Budget').selectOption('1000000000', { timeout: ACTION_MS });
    // Interpreted: the WebAssembly tier the engine chooses for this loop spends the budget in a tenth of a second.
    if ((await toolbarSelect(p, 'Tier').inputValue()) !== 'interpreter') await toolbarSelect(p, 'Tier').selectOption('interpreter', { timeout: ACTION_MS });
    await toolbarButton(p, 'Run').click({ timeout: ACTION_MS });
    await expect(p.getByTestId('run-status')).toContainText('Running', { timeout: ACTION_MS });
  };
  const running = async () => {
    page = await j.fresh('/');
    await startLongRun(page);
  };
  await running();
  for (const id of panels) {
    const ok = await j.step(`while a run goes on: open ${id}`, long, async (p) => {
      // A run at full speed uses up even the largest budget in seconds on a fast machine: start another.
      if (!(await toolbarButton(p, 'Stop').isVisible())) await startLongRun(p);
      await openTab(p, id);
    });
    if (!ok) await running();
  }
  // Stop, with each panel open in turn (Stop with Trace open blanked the page).
  const stop = async (p: Page) => {
    // The run may have used up its budget already; then there is nothing to stop.
    await toolbarButton(p, 'Stop').click({ timeout: 1_000 }).catch(() => undefined);
    await expect(p.getByTestId('run-status')).not.toContainText('Running', { timeout: ACTION_MS });
  };
  for (const id of panels) {
    const ok = await j.step(`Stop with ${id} open`, long, async (p) => {
      // The run may use up its budget between opening the panel and pressing Stop: then run again.
      for (let attempt = 1; ; attempt++) {
        if (!(await toolbarButton(p, 'Stop').isVisible())) await startLongRun(p);
        await openTab(p, id);
        if (await toolbarButton(p, 'Stop').click({ timeout: 1_000 }).then(() => true, () => false)) break;
        // A loaded machine can take longer than a second to draw the panel just opened: give a
        // Stop still shown the full action time before calling it unpressable.
        if (await toolbarButton(p, 'Stop').isVisible()) {
          if (await toolbarButton(p, 'Stop').click({ timeout: ACTION_MS }).then(() => true, () => false)) break;
          if (await toolbarButton(p, 'Stop').isVisible()) throw new Error('Stop is shown but cannot be pressed');
        }
        if (attempt === 3) throw new Error('the long run ended by itself three times before Stop could be pressed');
      }
      await expect(p.getByTestId('run-status')).not.toContainText('Running', { timeout: ACTION_MS });
    });
    if (!ok) await running();
  }
  // After Stop, every panel.
  const stopped = async () => {
    await running();
    await stop(page);
  };
  if (await toolbarButton(page, 'Stop').isVisible()) await stop(page);
  for (const id of panels) {
    if (!(await j.step(`after Stop: open ${id}`, long, (p) => openTab(p, id)))) await stopped();
  }

  // Across a reload: the program on screen is the one that comes back.
  page = await j.fresh('/');
  for (const id of panels) {
    const before = await page.evaluate(() => window.__playground.getValue()).catch(() => text0);
    const ok = await j.step(`across a reload with ${id} open`, before, async (p) => {
      await openTab(p, id);
      await p.reload();
      await p.waitForFunction(() => window.__playground?.ready === true, undefined, { timeout: 30_000 });
    });
    if (!ok) page = await j.fresh('/');
  }
  await j.close();
  j.finish();
});

test('every example and every lesson opens from the toolbar; an example of each panel opens as a link', async ({ browser, errors }) => {
  test.setTimeout(180_000);
  const j = new Journey(browser, errors);
  await j.fresh('/');
  for (const e of examples) {
    const ok = await j.step(`open example ${e.id} from the toolbar`, e.source, (p) => toolbarSelect(p, 'Example').selectOption(e.id, { timeout: ACTION_MS }));
    if (!ok) await j.fresh('/');
  }
  // As a link on a fresh load: what differs between examples at load is the panel they open
  // on, so one example per panel (and one without) covers the start-up paths.
  const byPanel = new Map(examples.map((e) => [e.panel ?? '', e]));
  for (const e of byPanel.values()) {
    const ok = await j.step(`open #example/${e.id} as a link (opens on ${e.panel ?? 'the current panel'})`, e.source, (p) => load(p, `/#example/${e.id}`));
    if (!ok) await j.fresh('/');
  }
  // Tours, as the toolbar lists them (its graded lessons, `graded:<id>`, and "All lessons…" are
  // lessons.spec.ts's: they open the lesson pane, not the Lesson panel).
  const page = await j.fresh('/');
  const lessons = await toolbarSelect(page, 'Lesson').locator('option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value).filter((v) => v !== '' && !v.includes(':')));
  expect(lessons.length, 'the toolbar lists lessons').toBeGreaterThan(0);
  for (const id of lessons) {
    const ok = await j.step(`open lesson ${id}`, exampleTexts(), async (p) => {
      await toolbarSelect(p, 'Lesson').selectOption(id, { timeout: ACTION_MS });
      await expect(tab(p, 'lesson'), 'the lesson panel opens').toHaveAttribute('aria-selected', 'true', { timeout: ACTION_MS });
      await expect(p.getByTestId('panel-lesson').getByRole('heading').first()).toBeVisible({ timeout: ACTION_MS });
    });
    if (!ok) await j.fresh('/');
  }
  await j.close();
  j.finish();
});

/** Runs `fn` on every item, `n` at a time. */
async function pool<T>(items: readonly T[], n: number, fn: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  await Promise.all(
    Array.from({ length: n }, async () => {
      for (let item = queue.shift(); item !== undefined; item = queue.shift()) await fn(item);
    }),
  );
}

test('a share link made with each panel open, and embed mode on each panel, open in a fresh profile', async ({ browser, errors }) => {
  test.setTimeout(180_000);
  const maker = new Journey(browser, errors);
  let page = await maker.fresh('/');
  const panels = await panelIds(page);
  const program = (id: string) => `# shared with the ${id} panel open\nr0 = 42\nexit\n`;
  const links: { id: string; url: string }[] = [];
  for (const id of panels) {
    let url: string | undefined;
    const made = await maker.step(`make a share link with ${id} open`, program(id), async (p) => {
      await p.evaluate((t) => window.__playground.setValue(t), program(id));
      await openTab(p, id);
      url = await p.evaluate(() => window.__playground.share());
      if (!url || !/#v1\//.test(url)) throw new Error(`share() gave ${String(url)}`);
    });
    if (made && url) links.push({ id, url });
    else page = await maker.fresh('/');
  }
  await maker.close();
  // Each link and each embed in a profile of its own, three at a time (each journey checks its own page).
  const openers: Journey[] = [];
  const open = async (name: string, path: string, expected: Expected, then: (p: Page) => Promise<void>) => {
    const j = new Journey(browser, errors);
    openers.push(j);
    await j.fresh(null);
    await j.step(name, expected, async (p) => {
      await load(p, path);
      await then(p);
    });
    await j.close();
  };
  await pool(links, 3, ({ id, url }) =>
    open(`open the link made with ${id} open, in a fresh profile`, new URL(url).pathname + new URL(url).hash, program(id), (p) =>
      expect(tab(p, id), 'the link opens on its panel').toHaveAttribute('aria-selected', 'true', { timeout: ACTION_MS }),
    ),
  );
  await pool(panels, 3, (id) =>
    open(`open ?embed=1&panel=${id} in a fresh profile`, `/?embed=1&panel=${id}`, exampleTexts(), (p) => expect(p.getByTestId(`panel-${id}`), 'the embed shows its panel').toBeVisible({ timeout: ACTION_MS })),
  );
  maker.finish();
  const dead = openers.flatMap((j) => j.dead);
  if (dead.length) throw new Error(`${dead.length} link(s) or embed(s) left the page dead:\n${formatDead(dead)}`);
});

test('a reload shows the program that was on screen', async ({ browser, errors }) => {
  // What the random walks check after every reload, as fixed sequences.
  const j = new Journey(browser, errors);
  const reload = async (p: Page) => {
    await p.reload();
    await p.waitForFunction(() => window.__playground?.ready === true, undefined, { timeout: 30_000 });
  };
  const other = examples[1] ?? examples[0];
  if (!other) throw new Error('no examples');
  const cases: [string, (p: Page) => Promise<void>][] = [
    ['an example opened from the toolbar', (p) => toolbarSelect(p, 'Example').selectOption(other.id).then(() => undefined)],
    ['a lesson opened from the toolbar', (p) => toolbarSelect(p, 'Lesson').selectOption({ index: 1 }).then(() => undefined)],
    [
      'an example opened after Share put a link in the address bar',
      async (p) => {
        await p.evaluate(() => window.__playground.share());
        await toolbarSelect(p, 'Example').selectOption(other.id);
      },
    ],
    [
      'an edit to an example opened as a #example link',
      async (p) => {
        await load(p, `/#example/${other.id}`);
        await p.evaluate((t) => window.__playground.setValue(t), `${other.source}# edited\n`);
      },
    ],
  ];
  for (const [name, open] of cases) {
    await j.fresh('/');
    let before = '';
    const opened = await j.step(`open ${name}`, undefined, async (p) => {
      await open(p);
      before = await p.evaluate(() => window.__playground.getValue());
    });
    if (opened) await j.step(`reload after ${name}`, before, reload);
  }
  await j.close();
  j.finish();
});

// Seeded random walks: BPFP_WALK_SEED replays one (with BPFP_WALKS=1), BPFP_WALKS and
// BPFP_WALK_STEPS change how many and how long. The seed of each walk is printed.
for (const walk of walkPlan()) {
  test(`random walk ${walk.index + 1} of ${walk.count} (seed ${walk.seed})`, async ({ browser, errors }) => {
    test.setTimeout(60_000 + walk.steps * 8_000);
    console.log(`random walk seed ${walk.seed}, ${walk.steps} actions (replay: BPFP_WALK_SEED=${walk.seed} BPFP_WALKS=1 npx playwright test order-independent -g "random walk")`);
    const j = new Journey(browser, errors);
    await randomWalk(j, walk, examples);
    await j.close();
    j.finish();
  });
}
