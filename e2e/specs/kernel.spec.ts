// Journeys through the simulated kernel: a kptr stored in a map with its refcount, the cpumask
// grid changing while stepping through and/or/xor, the scenario editor, and the profile selector.
import { expect, test } from '../fixtures/test.ts';
import { PlaygroundPage } from '../fixtures/playground.ts';

test('the kptr example stores a bpf_cpumask in the map, and the slot shows it with its refcount', async ({ page }) => {
  const pg = new PlaygroundPage(page);
  await pg.goto('/#example/cpumask-record-task');
  await pg.waitForEditor();
  const s = await pg.run();
  expect(s).toMatchObject({ status: 'exited', r0: '0x0000000000000000' });
  await pg.openPanel('Maps');
  const slot = page.locator('[data-map="cpumask_map"] tr[data-map-key="4242"]');
  await expect(slot.getByTestId('kptr')).toContainText(/bpf_cpumask.*refcount 1/);
  await pg.openPanel('Cpumasks');
  // The stored mask holds the new task's CPUs (0 and 2 in the default scenario), as does its cpus_ptr.
  const grid = page.getByTestId('cpumask-grid');
  const mask = grid.locator('tbody tr', { hasText: 'bpf_cpumask' }).first();
  await expect(mask.getByLabel('CPU 0 set')).toHaveCount(1);
  await expect(mask.getByLabel('CPU 2 set')).toHaveCount(1);
  await expect(mask.getByLabel('CPU 1 clear')).toHaveCount(1);
  await pg.screenshot('kptr-map');
  pg.expectClean();
});

test('stepping through and/or/xor changes the grid row by row', async ({ page }) => {
  const pg = new PlaygroundPage(page);
  await pg.goto('/#example/cpumask-and-or-xor');
  await pg.waitForEditor();
  const lines = (await pg.source()).split('\n');
  const lineOf = (text: string) => lines.findIndex((l) => l.includes(text)) + 1;
  await pg.setBreakpoints([lineOf('call bpf_cpumask_or'), lineOf('call bpf_cpumask_xor')]);
  await pg.openPanel('Cpumasks');
  const grid = page.getByTestId('cpumask-grid');
  const rows = grid.locator('tbody tr');
  expect((await pg.continue()).status).toBe('breakpoint');
  // Four masks exist; mask1 = {0}, mask2 = {1}, dst1 still empty after the AND.
  await expect(rows).toHaveCount(4 + 2); // and the new task's and the current task's cpus_ptr
  // Step over the OR: dst1 becomes {0, 1} and is the row marked changed.
  await pg.step();
  const changed = grid.locator('tbody tr.changed');
  await expect(changed).toHaveCount(1);
  await expect(changed.getByLabel(/CPU \d+ set/)).toHaveCount(2);
  await expect(changed.getByLabel('CPU 0 set')).toHaveCount(1);
  await expect(changed.getByLabel('CPU 1 set')).toHaveCount(1);
  const dst1 = await changed.getAttribute('data-object');
  // On to the XOR: dst2 changes, to the same CPUs.
  expect((await pg.continue()).status).toBe('breakpoint');
  await pg.step();
  await expect(changed).toHaveCount(1);
  expect(await changed.getAttribute('data-object')).not.toBe(dst1);
  await expect(changed.getByLabel('CPU 0 set')).toHaveCount(1);
  await expect(changed.getByLabel('CPU 1 set')).toHaveCount(1);
  await pg.screenshot('cpumask-grid');
  // Run to the end: every mask released, shown as freed; the program returns 0.
  await pg.setBreakpoints([]);
  const end = await pg.continue();
  expect(end).toMatchObject({ status: 'exited', r0: '0x0000000000000000' });
  await expect(grid.locator('tbody tr.freed')).toHaveCount(4);
  pg.expectClean();
});

test('the scenario editor keeps a broken edit as a draft, says where it is wrong, and applies a valid one', async ({ page }) => {
  const pg = new PlaygroundPage(page);
  await pg.goto('/#example/cpumask-record-task');
  await pg.waitForEditor();
  await pg.openPanel('Scenario');
  const box = page.getByLabel('Scenario (JSON)');
  await expect(page.locator('[data-pid="4242"]')).toContainText('0,2');
  await box.fill('{ "newtask": { "pid": 77, "comm": "job", "cpus": "1-3" ');
  await expect(page.locator('#scenario-status')).toContainText('Not applied: line 1, column 56');
  await box.fill('{ "newtask": { "pid": 77, "comm": "job", "cpus": "1-3" } }');
  await expect(page.locator('[data-pid="77"]')).toContainText('1-3');
  await pg.run();
  await pg.openPanel('Maps');
  await expect(page.locator('[data-map="cpumask_map"] tr[data-map-key="77"]').getByTestId('kptr')).toContainText('refcount 1');
  // The scenario travels with the document (and so with share links and drafts).
  expect((await page.evaluate(() => window.__playground.document())).scenario).toMatchObject({ newtask: { pid: 77 } });
  pg.expectClean();
});

test('a kfunc of the other profile is refused with the kernel\'s message, and the profile selector fixes it', async ({ page }) => {
  const pg = new PlaygroundPage(page);
  await pg.goto('/#example/cpumask-kptr-get');
  await pg.waitForEditor();
  await pg.toolbar.select('Kernel').selectOption('linux-6.18');
  await pg.run();
  await expect(pg.problems.entries().first()).toContainText('bpf_cpumask_kptr_get');
  await pg.toolbar.select('Kernel').selectOption('linux-6.3');
  const s = await pg.run();
  expect(s.status).toBe('exited');
  pg.expectClean();
});

test('a mask the program never releases is shown as leaked, with the line that made it', async ({ page }) => {
  const pg = new PlaygroundPage(page);
  await pg.goto('/#example/cpumask-and-or-xor');
  await pg.waitForEditor();
  // Drop the release of mask2: the program now exits holding it.
  const lines = (await pg.source()).split('\n');
  const at = lines.findIndex((l) => l.includes('r1 = r7') && l.includes('mask2'));
  expect(lines[at + 1]).toContain('call bpf_cpumask_release');
  lines.splice(at, 2);
  await pg.setSource(lines.join('\n'));
  const created = lines.findIndex((l) => l.includes('call bpf_cpumask_create') && l.includes('mask2')) + 1;
  // Linux refuses it at load: the verifier sees the reference still held at the exit.
  await pg.toolbar.button('Run').click();
  await pg.openPanel('Problems');
  await expect(pg.problems.entries().first()).toContainText('would lead to reference leak');
  // Run unverified, the leak shows at run time, with the line that made it.
  await page.getByLabel(/^Verify/).uncheck();
  expect((await pg.run()).status).toBe('exited');
  await pg.openPanel('Cpumasks');
  await expect(page.getByTestId('leak')).toHaveCount(1);
  await expect(page.getByTestId('leak')).toHaveText(new RegExp(`^leaked: bpf_cpumask #\\d+, acquired at line ${created} \\(bpf_cpumask_create\\)$`));
  await pg.screenshot('cpumask-leak');
  await pg.openPanel('Registers');
  await expect(page.getByTestId('leak')).toContainText(`acquired at line ${created}`);
  // And in Problems, as a warning on that line.
  expect(await page.evaluate(() => window.__playground.problems())).toContainEqual(expect.objectContaining({ severity: 'warning', line: created, source: 'runtime' }));
  pg.expectClean();
});

/** Elements inside `selector` (the DOM a panel built). */
function domSize(page: import('@playwright/test').Page, selector: string): Promise<number> {
  return page.evaluate((s) => document.querySelector(s)?.querySelectorAll('*').length ?? -1, selector);
}

test('a 65,536-entry map is shown a page at a time, with values cut and shown whole on demand', async ({ page }) => {
  const pg = new PlaygroundPage(page);
  await pg.goto('/#example/cpumask-record-task');
  await pg.waitForEditor();
  // The views are under test, not the verifier: the 65,536-trip loop runs unverified.
  await page.getByLabel(/^Verify/).uncheck();
  await pg.setSource(`.section syscall
.map big type=array key=4 value=512 max_entries=65536
  r6 = 0
loop:
  *(u32 *)(r10 - 4) = r6
  r1 = big ll
  r2 = r10
  r2 += -4
  call bpf_map_lookup_elem
  if r0 == 0 goto out
  r7 = r6
  r7 += 1
  *(u32 *)(r0 + 0) = r7
  r6 += 1
  if r6 < 65536 goto loop
out:
  r0 = 0
  exit
`);
  expect((await pg.run()).status).toBe('exited');
  await pg.openPanel('Maps');
  const map = page.locator('[data-map="big"]');
  await expect(map.locator('tbody tr')).toHaveCount(64);
  expect(await domSize(page, '[data-map="big"]')).toBeLessThan(1500);
  await expect(map.locator('tr[data-map-key="0"]')).toContainText('value truncated, 512 bytes');
  await map.getByRole('button', { name: 'Next page of big' }).click();
  await expect(map.locator('tbody tr').first()).toHaveAttribute('data-map-key', '64');
  await map.getByLabel('go to key').fill('40000');
  await map.getByRole('button', { name: 'Go' }).click();
  const row = map.locator('tr[data-map-key="40000"]');
  await expect(row).toContainText('419c0000');
  await row.getByRole('button', { name: 'show all' }).click();
  await expect(row.locator('.map-value')).toHaveText(`419c0000${'00'.repeat(508)}`);
  await pg.screenshot('maps-paged');
  await map.getByRole('button', { name: 'Previous page of big' }).click();
  await expect(map.locator('tbody tr').first()).toHaveAttribute('data-map-key', '64');
  expect(await domSize(page, '[data-map="big"]')).toBeLessThan(1500);
  pg.expectClean();
});

test('the Cpumasks panel stays small: 100,000 masks made and released, 300 kept on 4,096 CPUs', async ({ page }) => {
  const pg = new PlaygroundPage(page);
  await pg.goto('/#example/cpumask-record-task');
  await pg.waitForEditor();
  // The views are under test, not the verifier: the program keeps 300 masks on purpose.
  await page.getByLabel(/^Verify/).uncheck();
  await pg.toolbar.select('Kernel').selectOption('linux-6.3');
  await pg.setSource(`.section tp_btf/task_newtask
.license "GPL"
  r6 = 0
loop:
  call bpf_cpumask_create
  if r0 == 0 goto out
  r1 = r0
  call bpf_cpumask_release
  r6 += 1
  if r6 < 100000 goto loop
out:
  r0 = 0
  exit
`);
  expect((await pg.run()).status).toBe('exited');
  await pg.openPanel('Cpumasks');
  const grid = page.locator('.cpumask-grid');
  await expect(grid.getByTestId('cpumask-grid').locator('tr.freed')).toHaveCount(64);
  await expect(grid.getByTestId('released-hidden')).toContainText('99,936 objects released earlier');
  expect(await domSize(page, '.cpumask-grid')).toBeLessThan(3000);

  await page.locator('#tb-cpus').fill('4096');
  await expect.poll(async () => (await page.evaluate(() => window.__playground.document())).cpus).toBe(4096);
  await pg.setSource(`.section tp_btf/task_newtask
.license "GPL"
  r6 = 0
loop:
  call bpf_cpumask_create
  if r0 == 0 goto out
  r1 = 7
  r2 = r0
  call bpf_cpumask_set_cpu
  r6 += 1
  if r6 < 300 goto loop
out:
  r0 = 0
  exit
`);
  expect((await pg.run()).status).toBe('exited');
  const rows = grid.getByTestId('cpumask-grid').first().locator('tbody tr');
  await expect(rows).toHaveCount(64 + 2);
  await expect(grid).toContainText('64 of 300 masks shown');
  await grid.getByRole('button', { name: 'Show 64 more' }).click();
  await expect(rows).toHaveCount(128 + 2);
  await expect(page.getByTestId('leak')).toHaveCount(20);
  await expect(grid).toContainText('300 references were still held at exit');
  await expect(grid).toContainText('and 280 more');
  // One warning for the line that took them all.
  const warnings = (await page.evaluate(() => window.__playground.problems())).filter((p) => p.source === 'runtime');
  expect(warnings).toEqual([expect.objectContaining({ severity: 'warning', line: 5, message: expect.stringContaining('300 references taken here are still held at exit') })]);
  await pg.screenshot('cpumask-4096');
  expect(await domSize(page, '.cpumask-grid')).toBeLessThan(25_000);
  pg.expectClean();
});
