// Journey (issue 12): Run verifies a program as Linux does. A program the verifier refuses is not
// run: the kernel's message shows in Problems at the failing line and the Run is refused; with
// Verify switched off the same program runs, and the switch says it runs unverified.
import { expect, test } from '../fixtures/test.ts';
import { PlaygroundPage } from '../fixtures/playground.ts';

const PACKET_PAST_CHECK = `.section xdp
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r4 = r2
r4 += 14
if r4 > r3 goto out
r0 = 2
exit
out:
r0 = *(u8 *)(r2 + 20)
r0 = 1
exit
`;

test('Run refuses what Linux refuses, at the line with its message; Verify off runs it anyway', async ({ page }) => {
  const pg = new PlaygroundPage(page);
  await pg.goto('/');
  await pg.waitForEditor();
  await pg.setSource(PACKET_PAST_CHECK);
  await pg.toolbar.button('Run').click();
  await pg.openPanel('Problems');
  await expect(pg.problems.entries().first()).toContainText('R2 offset is outside of the packet');
  await expect.poll(async () => (await pg.markers()).some((m) => m.line === 10 && m.message.includes('R2 offset is outside of the packet'))).toBe(true);
  await pg.screenshot('verifier-refusal');
  // Switched off: the program runs (on the emulated NIC), and the toolbar says so.
  await page.getByLabel(/^Verify/).uncheck();
  await expect(page.getByText('Verify (off: runs UNVERIFIED)')).toBeVisible();
  await pg.toolbar.button('Run').click();
  await expect.poll(async () => (await pg.markers()).some((m) => m.message.includes('R2 offset is outside of the packet')), { timeout: 20_000 }).toBe(false);
  pg.expectClean();
});
