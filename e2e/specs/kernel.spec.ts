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
