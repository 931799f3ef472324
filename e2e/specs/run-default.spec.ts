// Journey: open the playground, run the default example, see r0 and the trace pipe.
import { expect, test } from '../fixtures/test.ts';
import { PlaygroundPage } from '../fixtures/playground.ts';

test('the default example runs and shows r0 and the trace', async ({ page }) => {
  const pg = new PlaygroundPage(page);
  await pg.goto('/');
  // First paint shows the program as text, before Monaco arrives.
  await expect(page.getByRole('region', { name: 'Editor', exact: true })).toContainText('bpf_trace_printk');
  await pg.waitForEditor();
  await pg.toolbar.button('Run').click();
  await expect(pg.registers.r0()).toHaveText('r0 = 0x000000000000000f');
  await expect(pg.registers.row('r0')).toContainText('15');
  await pg.openPanel('Trace');
  await expect(pg.trace.text()).toContainText('sum=5');
  await expect(pg.trace.text()).toContainText('sum=15');
  expect((await pg.state()).trace).toEqual(['sum=5', 'sum=9', 'sum=12', 'sum=14', 'sum=15']);
  await pg.screenshot('trace');
  pg.expectClean();
});

test('Ctrl+Enter runs from the keyboard', async ({ page }) => {
  const pg = new PlaygroundPage(page);
  await pg.goto('/');
  await pg.waitForEditor();
  await page.getByRole('tab', { name: /Registers/ }).focus();
  await page.keyboard.press('Control+Enter');
  await expect(pg.registers.r0()).toHaveText('r0 = 0x000000000000000f');
  await pg.screenshot('registers');
  pg.expectClean();
});
