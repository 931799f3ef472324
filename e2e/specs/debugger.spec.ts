// Journey: set a breakpoint, step, and watch the registers and the stack change.
import { expect, test } from '../fixtures/test.ts';
import { PlaygroundPage } from '../fixtures/playground.ts';

test('breakpoints, stepping, registers and the stack', async ({ page }) => {
  const pg = new PlaygroundPage(page);
  await pg.goto('/');
  await pg.waitForEditor();
  const lines = (await pg.source()).split('\n');
  const callLine = lines.findIndex((l) => l.includes('call bpf_trace_printk')) + 1;
  await pg.setBreakpoints([callLine]);
  let s = await pg.continue();
  expect(s.status).toBe('breakpoint');
  // The registers at the breakpoint: r1 points into the stack, r3 is the running sum.
  await expect(pg.registers.row('r1')).toContainText('pointer: stack frame 0 + 504');
  await expect(pg.registers.row('r3')).toContainText('5');
  await expect(page.locator('.monaco-editor .current-line-decoration, .monaco-editor [class*="current"]').first()).toBeVisible();
  // Step one instruction (the call) and see r0 change.
  s = await pg.step();
  expect(s.status).toBe('step');
  await expect(pg.registers.row('r0')).toHaveClass(/changed/);
  // The stack holds the format string, marked as touched: 7 bytes changed (its NUL was already 0).
  await pg.openPanel('Stack');
  await expect(pg.stack.touchedBytes()).toHaveCount(7);
  await expect(page.getByTestId('panel-stack')).toContainText('sum=%d');
  await pg.screenshot('stack');
  // Continue to the next hit of the breakpoint, then run to the end.
  s = await pg.continue();
  expect(s.status).toBe('breakpoint');
  await pg.setBreakpoints([]);
  s = await pg.continue();
  expect(s).toMatchObject({ status: 'exited', r0: '0x000000000000000f' });
  pg.expectClean();
});

test('the Program panel shows bytes and both dialects, and follows the current instruction', async ({ page }) => {
  const pg = new PlaygroundPage(page);
  await pg.goto('/');
  await pg.waitForEditor();
  await pg.openPanel('Program');
  await expect(pg.program.rows().first()).toContainText('b7 06 00 00 05 00 00 00');
  await expect(pg.program.rows().first()).toContainText('r6 = 0x5');
  await expect(pg.program.rows().first()).toContainText('mov %r6, 5');
  await pg.step();
  await pg.step();
  await expect(pg.program.current()).toHaveCount(1);
  await expect(pg.program.current()).toContainText('r7 = 0x0');
  await pg.screenshot('program');
  pg.expectClean();
});
