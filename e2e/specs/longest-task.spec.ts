// Issue 11, "Done when": no link under 64 KB keeps the main thread busy for more than 200 ms at
// a time. Each of the costliest links known (e2e/fixtures/costly-links.ts) is opened twice in a
// fresh profile — as a new page load, and pasted into the address bar of a playground already
// loaded and idle — while a PerformanceObserver installed before the page's own scripts records
// every long task ('longtask', buffered) until the page is idle again. The longest must be at
// most 200 ms; a measurement over it is taken again (three times at most) and the best counts.
// On a new load, the evaluation of the page's own scripts (the app's entry and the Monaco chunk:
// the same on every load, whatever the link) is measured apart and checked by its own test on a
// plain load, so a link is judged by the work it causes. Every measurement is printed, with the
// script that ran longest in the worst frame when Chromium says (long-animation-frame
// attribution).

import type { Browser, Page } from '@playwright/test';
import { costlyLinks, LINK_LIMIT } from '../fixtures/costly-links.ts';
import { within } from '../fixtures/liveness.ts';
import { expect, test } from '../fixtures/test.ts';

const BOUND_MS = 200;
/** Measurements of one link and one way of opening it, at most (see the test). */
const ATTEMPTS = 3;

// A trace or a screenshot taken while measuring would be measured too.
test.use({ trace: 'off', screenshot: 'off' });
/** A page still busy this long after navigating is reported as such (the bound is long broken). */
const GIVE_UP_MS = 12_000;
/** Idle: no long task for this long, the app up and its editor settled. */
const QUIET_MS = 1_500;

interface Measure {
  /** The longest task, less the evaluation of the page's scripts inside it. */
  readonly longest: number;
  /** The longest evaluation of a script of the page (0 when none was seen). */
  readonly evaluation: number;
  /** Which script that was. */
  readonly evaluated: string;
  readonly count: number;
  readonly total: number;
  /** Still busy when measuring stopped. */
  readonly unfinished: boolean;
  readonly culprit: string;
}

interface PageLog {
  /** When the link was pasted (performance.now()), for a paste. */
  __pastedAt?: number;
  __longTasks: { start: number; duration: number }[];
  __frames: { start: number; duration: number; scripts: { start: number; duration: number; url: string; invoker: string; fn: string }[] }[];
}

/** Runs in the page before any of its scripts. */
function observeLongTasks(): void {
  const w = window as unknown as PageLog;
  w.__longTasks = [];
  w.__frames = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) w.__longTasks.push({ start: e.startTime, duration: e.duration });
  }).observe({ type: 'longtask', buffered: true });
  type Script = { startTime: number; duration: number; sourceURL?: string; invokerType?: string; invoker?: string; sourceFunctionName?: string };
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries() as (PerformanceEntry & { scripts?: Script[] })[]) {
        w.__frames.push({
          start: e.startTime,
          duration: e.duration,
          scripts: (e.scripts ?? []).map((x) => ({ start: x.startTime, duration: x.duration, url: x.sourceURL ?? '', invoker: `${x.invokerType ?? ''} ${x.invoker ?? ''}`.trim(), fn: x.sourceFunctionName ?? '' })),
        });
      }
    }).observe({ type: 'long-animation-frame', buffered: true });
  } catch {
    // No long-animation-frame entries in this browser: no culprit, no evaluation set apart.
  }
}

/** Waits until the app is up, its editor settled and no long task came for QUIET_MS; false if it gave up. */
async function idle(page: Page, since: number): Promise<boolean> {
  for (;;) {
    const s = await within(
      page.evaluate(() => {
        const w = window as unknown as PageLog & { __playground?: { ready: boolean; monacoReady(): boolean } };
        // Quiet counts from the paste at the earliest: the link is opened a task or more after it.
        const last = w.__longTasks.reduce((m, t) => Math.max(m, t.start + t.duration), w.__pastedAt ?? 0);
        const noMonaco = !document.querySelector('.bpf-editor-host');
        return { now: performance.now(), last, ready: w.__playground?.ready === true && (noMonaco || w.__playground.monacoReady()) };
      }),
      5_000,
    );
    if (s !== 'timeout' && s.ready && s.now - s.last >= QUIET_MS) return true;
    if (Date.now() - since > GIVE_UP_MS) return false;
    if (s !== 'timeout') await new Promise((r) => setTimeout(r, 250));
  }
}

async function summarise(page: Page, t0: number, unfinished: boolean): Promise<Measure> {
  const r = await within(
    page.evaluate(() => {
      const w = window as unknown as PageLog;
      let longest = 0;
      let evaluation = 0;
      let evaluated = '';
      let culprit = '';
      const name = (x: { fn: string; invoker: string; url: string; duration: number }) => `${x.fn || x.invoker || '?'} (${x.url.split('/').pop() ?? ''}) ${Math.round(x.duration)} ms`;
      for (const t of w.__longTasks) {
        const end = t.start + t.duration;
        const scripts = w.__frames.filter((f) => f.start < end && f.start + f.duration > t.start).flatMap((f) => f.scripts).filter((x) => x.start >= t.start - 1 && x.start < end);
        // Evaluating a script of the page (its top level, not what it schedules) costs the same whatever the link.
        const evals = scripts.filter((x) => /^(module|classic)-script/.test(x.invoker));
        for (const e of evals) if (e.duration > evaluation) [evaluation, evaluated] = [e.duration, e.url.split('/').pop() ?? ''];
        const own = t.duration - evals.reduce((n, x) => n + x.duration, 0);
        if (own > longest) {
          longest = own;
          culprit = [...scripts].sort((a, b) => b.duration - a.duration).slice(0, 2).map(name).join('; ');
        }
      }
      return { longest, evaluation, evaluated, count: w.__longTasks.length, total: w.__longTasks.reduce((n, t) => n + t.duration, 0), culprit };
    }),
    5_000,
  );
  // A main thread that never answered was busy the whole time.
  if (r === 'timeout') return { longest: Date.now() - t0, evaluation: 0, evaluated: '', count: 1, total: Date.now() - t0, unfinished: true, culprit: 'the page never answered' };
  return { ...r, unfinished };
}

/** Opens `hash` in a fresh profile: as a new page load, or pasted into an idle playground. */
async function measure(browser: Browser, hash: string, how: 'load' | 'paste'): Promise<Measure> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  try {
    await context.addInitScript(observeLongTasks);
    const page: Page = await context.newPage();
    let t0 = Date.now();
    if (how === 'paste') {
      await page.goto('/');
      if (!(await idle(page, t0))) throw new Error('the playground did not settle before the link was pasted');
      await page.evaluate(() => {
        const w = window as unknown as PageLog;
        w.__longTasks.length = 0;
        w.__frames.length = 0;
        w.__pastedAt = performance.now();
      });
      t0 = Date.now();
      await page.evaluate((h) => void (location.hash = h), hash);
    } else {
      await page.goto(`/${hash}`, { waitUntil: 'commit' });
    }
    const settled = await idle(page, t0);
    return await summarise(page, t0, !settled);
  } finally {
    // A frozen renderer can keep close() waiting; the context is gone for us either way.
    await Promise.race([context.close().catch(() => undefined), new Promise((res) => setTimeout(res, 10_000))]);
  }
}

function row(name: string, chars: number, how: string, m: Measure): string {
  const ms = `${m.unfinished ? '≥' : ''}${Math.round(m.longest)} ms`;
  const evalNote = m.evaluation > 0 ? `; script evaluation up to ${Math.round(m.evaluation)} ms (${m.evaluated}) set apart` : '';
  const busy = m.unfinished ? `; still busy after ${GIVE_UP_MS / 1000} s` : '';
  const culprit = m.culprit ? `\n             worst frame: ${m.culprit}` : '';
  return `${ms.padStart(9)}  ${name}, ${how} [${chars.toLocaleString('en-US')} chars; ${m.count} long tasks, ${Math.round(m.total)} ms in all${evalNote}${busy}]${culprit}`;
}

test(`no link under 64 KB keeps the main thread busy for more than ${BOUND_MS} ms at a time`, { tag: '@timing' }, async ({ browser }) => {
  test.setTimeout(900_000);
  const rows: string[] = [];
  const over: string[] = [];
  for (const link of costlyLinks()) {
    expect(link.hash.length, `${link.name}: the link must stay under 64 KB`).toBeLessThan(LINK_LIMIT);
    for (const how of ['load', 'paste'] as const) {
      // A measurement over the bound is taken again, in a new fresh profile, up to ATTEMPTS in
      // all, and the best counts: other processes on a shared machine can only make a task
      // longer, and a link that really blocks the page blocks it every time.
      const tries: Measure[] = [];
      let m: Measure;
      do {
        m = await measure(browser, link.hash, how);
        tries.push(m);
      } while ((m.longest > BOUND_MS || m.unfinished) && tries.length < ATTEMPTS);
      const best = tries.reduce((a, b) => (b.unfinished === a.unfinished ? (b.longest < a.longest ? b : a) : b.unfinished ? a : b));
      const again = tries.length > 1 ? `; measured ${tries.length} times: ${tries.map((t) => `${t.unfinished ? '≥' : ''}${Math.round(t.longest)} ms`).join(', ')}` : '';
      const line = row(link.name, link.hash.length, how === 'load' ? 'opened in a new page' : 'pasted into an open page', best) + again;
      console.log(`longest task ${line}`);
      rows.push(line);
      if (best.longest > BOUND_MS || best.unfinished) over.push(line);
    }
  }
  expect(over, `${over.length} measurement(s) over ${BOUND_MS} ms:\n${over.join('\n')}\n\nall links:\n${rows.join('\n')}`).toEqual([]);
});

/** Plain loads measured: the median is judged (one load's figure swings with the machine). */
const PLAIN_LOADS = 3;

test(`loading the playground itself keeps no task over ${BOUND_MS} ms, its scripts' evaluation included (median of ${PLAIN_LOADS} loads)`, { tag: '@timing' }, async ({ browser }) => {
  const worsts: number[] = [];
  for (let i = 0; i < PLAIN_LOADS; i++) {
    const m = await measure(browser, '', 'load');
    const worst = Math.max(m.longest, m.evaluation);
    worsts.push(worst);
    console.log(`longest task on plain load ${i + 1}: ${Math.round(worst)} ms (evaluating ${m.evaluated || 'no script'}: ${Math.round(m.evaluation)} ms; the rest at most ${Math.round(m.longest)} ms${m.culprit ? `: ${m.culprit}` : ''})`);
  }
  const median = [...worsts].sort((a, b) => a - b)[Math.floor(PLAIN_LOADS / 2)] ?? 0;
  expect(median, `plain loads of the playground have a longest task of ${worsts.map((w) => Math.round(w)).join(', ')} ms (median ${Math.round(median)})`).toBeLessThanOrEqual(BOUND_MS);
});
