// Hostile links (issue 11, "Links that cannot hurt"): a decompression bomb, script and markup in
// every string field of the document, prototype names as labels, maps, sections and JSON keys,
// malformed encodings, wrong versions, huge numbers. Each is opened as a fresh page load, and
// each refused one also pasted into the address bar of an open playground; afterwards the page is
// alive, the user's saved draft is untouched, nothing ran (no window.__pwned, no dialog, no
// injected element, Object.prototype clean), and a refused link says why in a notice.

import type { Page } from '@playwright/test';
import { bombLink, documentLink, packedLink } from '../fixtures/links.ts';
import { deadReason, load, panelIds, tab, type Expected } from '../fixtures/liveness.ts';
import { expect, test } from '../fixtures/test.ts';

const PWN = 'window.__pwned=1';
/** Script and markup in the shapes that have broken real sites. */
const XSS = [
  `<img src=x onerror=${PWN}>`,
  `</script><script>${PWN}</script>`,
  `javascript:${PWN}`,
  `[open me](javascript:${PWN}) **bold** <b onmouseover=${PWN}>hover</b>`,
  `"><svg onload=${PWN}>`,
  `{{constructor.constructor('${PWN}')()}}`,
] as const;
const ALL_XSS = XSS.join(' ');
const PROTO = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf'] as const;

/** The draft the user saved before any hostile link arrives. */
const DRAFT = '# my own draft: nothing may touch it\nr0 = 7\nexit\n';

interface Hostile {
  readonly name: string;
  /** Path and fragment (or query) to open. */
  readonly path: string;
  /** refused: an error notice, the draft stays on screen; opened: the link's program shows; either: one or the other. */
  readonly outcome: 'refused' | 'opened' | 'either';
  /** The program the link carries (for opened and either). */
  readonly source?: string;
  /** Hover the editor's lines that carry markup (hovers render markdown). */
  readonly hover?: boolean;
  /** Also paste it into an open page (every refused link is; one opened link stands for the rest). */
  readonly paste?: boolean;
}

const raw = '.section raw\nr0 = 0\nexit\n';
const valid = documentLink({ v: 1, source: raw });
const validBody = valid.slice('#v1/'.length);

const scriptSource = [
  `# ${ALL_XSS}`,
  `.section ${XSS[0]}`,
  `.license "${XSS[1]}"`,
  `.map m type=array key=4 value=8 max_entries=1`,
  `.${XSS[4]}`,
  `r0 = 0 ${XSS[3]}`,
  `goto ${XSS[2]}`,
  `call ${XSS[5]}`,
  'exit',
  '',
].join('\n');

const protoSource = [
  '.section raw',
  ...PROTO.map((n) => `.map ${n} type=hash key=4 value=8 max_entries=4`),
  'r0 = 0',
  ...PROTO.map((n) => `if r0 == 1 goto ${n}`),
  ...PROTO.map((n) => `call ${n}`),
  'r1 = __proto__ ll',
  ...PROTO.map((n) => `${n}:`),
  'exit',
  '',
].join('\n');

const protoSections = PROTO.map((n) => `.section ${n}\nr0 = 0\nexit\n`).join('');

/** The hostile links, in groups that run as tests of their own (side by side). */
function cases(): Record<string, Hostile[]> {
  const doc = (name: string, payload: Record<string, unknown>, outcome: Hostile['outcome']): Hostile => ({
    name,
    path: `/${documentLink({ v: 1, ...payload })}`,
    outcome,
    source: typeof payload['source'] === 'string' ? payload['source'] : '',
  });
  const text = (name: string, json: string, outcome: Hostile['outcome'], source?: string): Hostile => ({ name, path: `/${documentLink(json)}`, outcome, ...(source === undefined ? {} : { source }) });
  const broken = (name: string, fragment: string): Hostile => ({ name, path: `/${fragment}`, outcome: 'refused' });
  return {
    'script in every string field': [
      { ...doc('script and markup in the program text (comments, section, license, directives, operands)', { source: scriptSource, panel: 'problems' }, 'opened'), hover: true, paste: true },
      doc('script in map names and map contents', { source: `${raw.replace('exit', '')}exit\n.map m type=array key=4 value=8 max_entries=1\n`, maps: { [XSS[0]]: { 0: XSS[1] }, m: { [XSS[2]]: XSS[3] } }, panel: 'maps' }, 'either'),
      doc('script in the scenario (task names, cpus, cgroups, mkdir)', { source: raw, scenario: { tasks: [{ pid: 7, comm: XSS[0].slice(0, 15), cpus: XSS[1] }], cgroups: [`/${XSS[0]}`], mkdir: { path: `/${XSS[4]}` }, newtask: { pid: 9, comm: '<b>x</b>', cpus: XSS[2] } }, panel: 'scenario' }, 'either'),
      doc('script in the traffic profile (protocol, addresses, driver)', { source: raw, traffic: { packets: 4, flows: [{ proto: XSS[0], src: XSS[1], dst: XSS[2], sport: 1, dport: 2 }], nic: { driver: XSS[3] } }, panel: 'traffic' }, 'either'),
      doc('script in the dialect field', { source: raw, dialect: XSS[0] }, 'refused'),
      doc('script in the kernel profile field', { source: raw, profile: XSS[1] }, 'refused'),
      doc('script in the input field', { source: raw, input: XSS[2] }, 'refused'),
      doc('script in the ctx field', { source: raw, ctx: XSS[4] }, 'refused'),
      doc('script in the panel field', { source: raw, panel: XSS[0] }, 'opened'),
    ],
    'prototype names': [
      doc('prototype names as labels, jump targets, calls and maps', { source: protoSource, panel: 'problems' }, 'opened'),
      doc('prototype names as sections', { source: protoSections, panel: 'program' }, 'opened'),
      text('__proto__ as a key of the payload', `{"v":1,"__proto__":{"source":"polluted","panel":"trace","polluted":1},"source":${JSON.stringify(raw)}}`, 'opened', raw),
      text('constructor.prototype as a key of the payload', `{"v":1,"constructor":{"prototype":{"polluted":1}},"source":${JSON.stringify(raw)}}`, 'opened', raw),
      doc('prototype names as map names in the map contents', { source: `.section raw\n.map toString type=array key=4 value=8 max_entries=2\nr0 = 0\nexit\n`, maps: Object.fromEntries(PROTO.map((n, i) => [n, { 0: i }])), panel: 'maps' }, 'either'),
      text('prototype names as scenario keys and task names', `{"v":1,"source":${JSON.stringify(raw)},"panel":"scenario","scenario":{"__proto__":{"current":1},"constructor":1,"tasks":[{"pid":1,"comm":"constructor"},{"pid":2,"comm":"__proto__"}]}}`, 'either', raw),
      text('prototype names as traffic keys', `{"v":1,"source":${JSON.stringify(raw)},"panel":"traffic","traffic":{"__proto__":{"packets":1},"toString":1,"flows":[{"__proto__":{"proto":"udp"}}]}}`, 'either', raw),
      doc('a prototype name as the open panel', { source: raw, panel: 'constructor' }, 'opened'),
    ],
    'malformed encodings and wrong versions': [
      broken('characters base64url never holds', '#v1/!!!!$$$$'),
      broken('one base64 character too many (cut mid-byte)', '#v1/A'),
      broken('nothing after the version', '#v1/'),
      broken('base64 that is not deflate', '#v1/AAAAAAAAAAAAAAAA'),
      broken('a link cut in half', `#v1/${validBody.slice(0, Math.floor(validBody.length / 2))}`),
      broken('a link with its middle cut out', `#v1/${validBody.slice(0, 8)}${validBody.slice(16)}`),
      broken('bad percent-encoding', '#v1/%E0%A4%A%ZZ'),
      broken('deflate of text that is not JSON', packedLink('not json at all')),
      broken('deflate of bytes that are not UTF-8', packedLink(Uint8Array.from([0xff, 0xfe, 0xc3, 0x28, 0x00]))),
      broken('JSON that is an array', packedLink('[1,2,3]')),
      broken('JSON that is null', packedLink('null')),
      broken('JSON that is a string', packedLink('"#v1/"')),
      broken('format v0', `#v0/${validBody}`),
      broken('format v2 (newer)', `#v2/${validBody}`),
      broken('format v999999', `#v999999/${validBody}`),
      broken('a version of 20 digits', `#v99999999999999999999/${validBody}`),
      text('payload version 2', JSON.stringify({ v: 2, source: raw }), 'refused'),
      text('payload version as text', JSON.stringify({ v: '1', source: raw }), 'refused'),
      text('payload version -1', JSON.stringify({ v: -1, source: raw }), 'refused'),
      text('payload version 1.5', JSON.stringify({ v: 1.5, source: raw }), 'refused'),
      text('payload version 1e400 (Infinity)', `{"v":1e400,"source":${JSON.stringify(raw)}}`, 'refused'),
      text('payload without a version', JSON.stringify({ source: raw }), 'refused'),
    ],
    'a decompression bomb and huge numbers': [
      // A bomb: 24 MiB of one character behind a real document's first bytes, three times the cap.
      broken('a decompression bomb (24 MiB inflated, link of ~32 KB)', bombLink(24 * 1024 * 1024)),
      text('cpus 1e308', `{"v":1,"source":${JSON.stringify(raw)},"cpus":1e308}`, 'refused'),
      text('cpus 1e400 (Infinity)', `{"v":1,"source":${JSON.stringify(raw)},"cpus":1e400}`, 'refused'),
      text('isa -0', `{"v":1,"source":${JSON.stringify(raw)},"isa":-0}`, 'refused'),
      doc('a program over 1 MiB', { source: 'a'.repeat(1024 * 1024 + 1) }, 'refused'),
      doc('input over 64 KiB', { source: raw, input: '00'.repeat(64 * 1024 + 1) }, 'refused'),
      text('traffic: 1e300 packets at 1e-300 packets/s', `{"v":1,"source":${JSON.stringify(raw)},"panel":"traffic","traffic":{"packets":1e300,"rate_pps":1e-300}}`, 'either', raw),
      text('scenario: pid 1e300', `{"v":1,"source":${JSON.stringify(raw)},"panel":"scenario","scenario":{"tasks":[{"pid":1e300,"comm":"x"}]}}`, 'either', raw),
      text('maps: a key past 2^64', `{"v":1,"source":".section raw\\n.map m type=hash key=8 value=8 max_entries=4\\nr0 = 0\\nexit\\n","panel":"maps","maps":{"m":{"184467440737095516160000":1e308}}}`, 'either', '.section raw\n.map m type=hash key=8 value=8 max_entries=4\nr0 = 0\nexit\n'),
    ],
  };
}

/** What the editor must hold after opening `h` over the draft. */
function expectedText(h: Hostile): Expected {
  if (h.outcome === 'refused') return DRAFT;
  if (h.outcome === 'opened') return h.source ?? '';
  return { oneOf: [DRAFT, h.source ?? ''] };
}

/** Why something ran or leaked, or undefined. */
async function executed(page: Page): Promise<string | undefined> {
  const r = await page.evaluate(() => ({
    pwned: (window as unknown as { __pwned?: unknown }).__pwned !== undefined,
    injected: [...document.querySelectorAll('img[src="x"], [onerror], [onload], [onmouseover], iframe, object, embed, script:not([type="module"])')].map((e) => e.outerHTML.slice(0, 80)),
    jsLinks: [...document.querySelectorAll('a[href]')].filter((a) => /^\s*javascript:/i.test(a.getAttribute('href') ?? '')).map((a) => a.outerHTML.slice(0, 80)),
    polluted: Object.keys(Object.prototype).concat(Object.keys(Array.prototype)).concat(({} as Record<string, unknown>)['polluted'] === undefined ? [] : ['polluted']),
  }));
  const out: string[] = [];
  if (r.pwned) out.push('window.__pwned was set: script from the link ran');
  if (r.injected.length) out.push(`elements from the link were injected: ${r.injected.join(' | ')}`);
  if (r.jsLinks.length) out.push(`javascript: links rendered: ${r.jsLinks.join(' | ')}`);
  if (r.polluted.length) out.push(`Object.prototype or Array.prototype polluted: ${r.polluted.join(', ')}`);
  return out.length ? out.join('; ') : undefined;
}

/** The draft as stored (every localStorage entry whose key names a draft). */
function storedDraft(page: Page): Promise<string> {
  return page.evaluate(() => JSON.stringify(Object.keys(localStorage).filter((k) => /draft/i.test(k)).sort().map((k) => [k, localStorage.getItem(k)])));
}

/**
 * Everything that must hold after a hostile link was opened; returns the problems found.
 * Writes to the draft are caught as they happen (see the test), not here.
 */
async function afterLink(page: Page, h: Hostile, errors: Parameters<typeof deadReason>[1], how: string): Promise<string[]> {
  const problems: string[] = [];
  const dead = await deadReason(page, errors, expectedText(h));
  if (dead) return [`${how}: ${dead}`];
  const refusedNow = await page.getByTestId('notice-error').last().isVisible();
  if (h.outcome === 'refused' || (h.outcome === 'either' && refusedNow)) {
    const notice = page.getByTestId('notice-error').last();
    const shown = await notice.waitFor({ state: 'visible', timeout: 5_000 }).then(() => true, () => false);
    if (!shown) problems.push(`${how}: the link was refused without a notice`);
    else {
      const t = (await notice.innerText()).trim();
      if (/internal error|\[object |undefined|NaN|stack|at [\w.]+ \(/i.test(t) || t.length > 600 || t.length < 20) problems.push(`${how}: the notice does not explain the refusal: ${JSON.stringify(t.slice(0, 200))}`);
    }
  } else {
    // Opened: run it (the worker then reads the maps, the scenario, the traffic), then show every
    // panel, where the strings render.
    await page.evaluate(() => window.__playground.run()).catch((e: unknown) => problems.push(`${how}: run failed: ${String(e)}`));
    for (const id of await panelIds(page)) {
      await tab(page, id).click({ timeout: 5_000 }).catch(() => undefined);
      const blank = await page.evaluate(() => (document.getElementById('root')?.childElementCount ?? 0) === 0);
      const errs = errors.takeNew(page);
      if (blank || errs.length) return [...problems, `${how}, on opening the ${id} panel: ${blank ? 'the page went blank; ' : ''}${errs.map((e) => `${e.kind}: ${e.text}`).join('; ')}`];
    }
    const later = await deadReason(page, errors, expectedText(h));
    if (later) problems.push(`${how}, after running and opening every panel: ${later}`);
    // Hovers render markdown: hover the lines that carry markup from the link.
    if (h.hover && (await page.evaluate(() => window.__playground.monacoReady()).catch(() => false))) {
      for (const line of await page.locator('.monaco-editor .view-line', { hasText: /<|javascript:|\]\(/ }).all()) {
        await line.hover({ timeout: 2_000 }).catch(() => undefined);
        await page.waitForTimeout(400); // past the hover delay
      }
    }
  }
  const ran = await executed(page);
  if (ran) problems.push(`${how}: ${ran}`);
  return problems;
}

async function dismissNotices(page: Page): Promise<void> {
  for (const b of await page.getByTestId(/^notice-/).getByRole('button', { name: 'Dismiss' }).all()) await b.click({ timeout: 1_000 }).catch(() => undefined);
}

/** Loads `path` as a new document: a query of its own makes goto load rather than only change the fragment. */
async function loadFresh(page: Page, n: number, fragment: string): Promise<void> {
  await page.goto(`/?case=${n}${fragment}`);
  await page.waitForFunction(() => window.__playground?.ready === true, undefined, { timeout: 30_000 });
}

for (const [group, list] of Object.entries(cases())) {
  test(`hostile links, ${group}: the page lives, the draft is untouched, nothing runs`, async ({ page, context, errors }) => {
    test.setTimeout(240_000);
    // Every write to a draft key, as it happens (an autosave can come 300 ms after the cause, or
    // on leaving the page): the case open at the time is blamed.
    let current = 'setting up the draft';
    const draftWrites: string[] = [];
    await context.exposeBinding('__draftWrite', (_src, key: string) => draftWrites.push(`${current}: wrote ${key}`));
    await context.addInitScript(() => {
      const set = Storage.prototype.setItem;
      Storage.prototype.setItem = function (this: Storage, key: string, value: string) {
        if (/draft/i.test(key)) void (window as unknown as { __draftWrite: (k: string) => Promise<void> }).__draftWrite(key);
        return set.call(this, key, value);
      };
    });
    await load(page, '/');
    // The user's own draft, typed (through the test hook, as the editor would) and autosaved.
    await page.evaluate((t) => window.__playground.setValue(t), DRAFT);
    await expect.poll(() => storedDraft(page), { message: 'the draft is autosaved' }).toContain('my own draft');
    const savedDraft = await storedDraft(page);
    await load(page, '/'); // flushes anything pending
    draftWrites.length = 0;

    const failures: string[] = [];
    for (const [n, h] of list.entries()) {
      current = h.name;
      const fragment = new URL(h.path, 'http://x').hash;
      // 1. A fresh load of the link.
      await loadFresh(page, n, fragment).catch((e: unknown) => failures.push(`${h.name}: the page did not load: ${String(e)}`));
      failures.push(...(await afterLink(page, h, errors, `${h.name} (fresh load)`)));
      // 2. Pasted into the address bar of a playground showing the draft: every refused link (the
      // refusal is what differs there) and one opened link (what it renders is the same either way).
      if (h.outcome === 'refused' || h.paste) {
        if (await deadReason(page, errors, DRAFT)) await loadFresh(page, n, '');
        await dismissNotices(page);
        await page.evaluate(() => (location.hash = '#'));
        await page.evaluate((hash) => (location.hash = hash), fragment);
        failures.push(...(await afterLink(page, h, errors, `${h.name} (pasted into an open page)`)));
      }
      errors.takeNew();
    }
    // The draft comes back on a plain load, as it was.
    current = 'back at / after every link';
    await load(page, '/');
    const back = await deadReason(page, errors, DRAFT);
    if (back) failures.push(`back at / after every link: ${back}`);
    if ((await storedDraft(page)) !== savedDraft) failures.push('the saved draft differs from what the user saved');
    failures.push(...draftWrites.map((w) => `the draft was written: ${w}`));
    expect(failures, `${failures.length} problem(s) with hostile links:\n${failures.map((f, i) => `${i + 1}. ${f}`).join('\n')}`).toEqual([]);
  });
}

test('embed mode with a hostile panel name still shows a panel', async ({ page, errors }) => {
  const failures: string[] = [];
  for (const name of [...PROTO, XSS[0], '']) {
    await load(page, `/?embed=1&panel=${encodeURIComponent(name)}`);
    const dead = await deadReason(page, errors, undefined);
    if (dead) failures.push(`panel=${JSON.stringify(name)}: ${dead}`);
    else if (!(await page.getByRole('tabpanel').first().isVisible())) failures.push(`panel=${JSON.stringify(name)}: no panel is shown`);
    // A panel asked for and not there is named in a notice, as text (not markup).
    else if (name !== '' && !(await page.locator('.notice-text').filter({ hasText: name }).first().isVisible())) failures.push(`panel=${JSON.stringify(name)}: no notice names the panel`);
    const ran = await executed(page);
    if (ran) failures.push(`panel=${JSON.stringify(name)}: ${ran}`);
  }
  expect(failures, failures.join('\n')).toEqual([]);
});

test("the site's Content-Security-Policy refuses inline script even if markup got in", async ({ page, errors }) => {
  // The page reports what it blocks as console errors; that is the point of this test.
  errors.allow(/Content Security Policy|Refused to (execute|load|evaluate)/i);
  await load(page, '/');
  const ran = await page.evaluate(async () => {
    const w = window as unknown as { __pwned?: number };
    document.body.insertAdjacentHTML('beforeend', '<img alt="" src="data:," onerror="window.__pwned=1"><a id="js" href="javascript:window.__pwned=2">x</a>');
    const s = document.createElement('script');
    s.textContent = 'window.__pwned=3';
    document.body.append(s);
    document.getElementById('js')?.click();
    await new Promise((r) => setTimeout(r, 300));
    return w.__pwned;
  });
  expect(ran, 'inline script ran: the page has no Content-Security-Policy that forbids it').toBeUndefined();
});
