// Journey: the engine worker crashes; the page says so, the editor keeps the program, and the
// next run works in a fresh worker.
import { expect, test } from '../fixtures/test.ts';
import { PlaygroundPage } from '../fixtures/playground.ts';

test('a crashed engine is reported and replaced; nothing typed is lost', async ({ page, context }) => {
  const pg = new PlaygroundPage(page);
  let served = 0;
  // The first copy of the engine worker throws as it starts; later copies are the real one.
  await context.route(/\/assets\/worker-[^/]+\.js$/, async (route) => {
    served++;
    if (served === 1) await route.fulfill({ status: 200, contentType: 'text/javascript', body: 'throw new Error("simulated engine crash");' });
    else await route.continue();
  });
  await pg.goto('/');
  await pg.waitForEditor();
  await pg.setSource('# still here\nr0 = 5\nexit\n');
  await pg.toolbar.button('Run').click();
  await expect(pg.notice('warning').first()).toContainText('The engine crashed');
  expect(await pg.source()).toBe('# still here\nr0 = 5\nexit\n');
  await pg.openPanel('Registers');
  await pg.toolbar.button('Run').click();
  await expect(pg.registers.r0()).toHaveText('r0 = 0x0000000000000005');
  expect(served).toBeGreaterThanOrEqual(2);
});
