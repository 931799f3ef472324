// Journey (issue 13): live verification. As the program changes, the toolbar says whether
// Linux would load it; a refusal marks the failing line with the kernel's words and points
// (Monaco's related information, and an info marker) at where the problem began; the Verifier
// panel lists the same, each a way to the line, with the verifier's log one click away.
import type { Page } from '@playwright/test';
import { expect, test } from '../fixtures/test.ts';
import { expectNoAxeViolations } from '../fixtures/axe.ts';
import { PlaygroundPage } from '../fixtures/playground.ts';
import { measureOverflow, overflowProblem } from '../fixtures/overflow.ts';

const TP = '.section tp_btf/task_newtask\n.license "GPL"\n';

// Line 3 creates the cpumask; line 7 passes the possibly-NULL result on, untested.
const UNCHECKED = `${TP}call bpf_cpumask_create\nr7 = r0\nr1 = 1\nr2 = r7\ncall bpf_cpumask_set_cpu\nr0 = 0\nexit\n`;
const CHECKED = `${TP}call bpf_cpumask_create\nr7 = r0\nif r7 == 0 goto out\nr1 = 1\nr2 = r7\ncall bpf_cpumask_set_cpu\nr1 = r7\ncall bpf_cpumask_release\nout:\nr0 = 0\nexit\n`;
// Line 3 acquires the reference; the exit at line 7 still holds it.
const LEAK = `${TP}call bpf_cpumask_create\nif r0 == 0 goto out\nr6 = r0\nr0 = 0\nexit\nout:\nr0 = 0\nexit\n`;

async function axe(page: Page): Promise<void> {
  await expectNoAxeViolations(page, { include: '[role="tabpanel"]' });
}

test('the toolbar says whether Linux would load the program, and a refusal is marked where it began', async ({ page }) => {
  const pg = new PlaygroundPage(page);
  await pg.goto('/');
  await pg.waitForEditor();
  const verdict = page.getByTestId('verdict');

  await pg.setSource(UNCHECKED);
  await expect(page.getByRole('button', { name: /Live verification: Linux 6\.18 would reject this/ })).toBeVisible();
  // Related: where it began (line 3), then the catalogue's explanation at the failing line.
  await expect.poll(async () => (await pg.markers()).find((m) => m.source === 'verifier' && m.severity === 'error')).toMatchObject({ line: 7, related: [{ line: 3 }, { line: 7 }] });
  const markers = await pg.markers();
  const error = markers.find((m) => m.source === 'verifier' && m.severity === 'error');
  expect(error?.related?.[0]?.message).toContain('may be NULL');
  expect(error?.related?.[1]?.message).toMatch(/^why: .*bpf_cpumask_create.*line 3/);
  expect(markers.some((m) => m.source === 'verifier' && m.severity === 'info' && m.line === 3 && m.message.startsWith('where this began:'))).toBe(true);
  await pg.screenshot('verifier-live-refusal');

  // A Run refuses the same program: Problems says it once, not once per source.
  await pg.toolbar.button('Run').click();
  await pg.openPanel('Problems');
  const message = (await page.evaluate(() => window.__playground.verdict())).message ?? '?';
  await expect.poll(async () => (await page.evaluate(() => window.__playground.problems())).filter((p) => p.severity === 'error' && p.message === message).length).toBe(1);
  await expect(page.getByTestId('problem').filter({ hasText: message })).toHaveCount(1);
  await expect(page.getByTestId('problem-related')).toContainText('3:1 where it began');

  await pg.setSource(CHECKED);
  await expect(verdict).toHaveText('Linux 6.18 would load this');
  await expect.poll(async () => (await pg.markers()).filter((m) => m.source === 'verifier')).toEqual([]);

  // The document's kernel names the verdict.
  await pg.toolbar.select('Kernel').selectOption('linux-6.3');
  await expect(verdict).toHaveText(/^Linux 6\.3 would (load|reject) this$/);
  pg.expectClean();
});

test('a leaked reference: marked at the exit, related to the acquire; the Verifier panel leads to both', async ({ page }) => {
  const pg = new PlaygroundPage(page);
  await pg.goto('/');
  await pg.waitForEditor();
  await pg.setSource(LEAK);
  await expect(page.getByTestId('verdict')).toHaveText('Linux 6.18 would reject this');
  await expect.poll(async () => (await pg.markers()).find((m) => m.source === 'verifier' && m.severity === 'error')).toMatchObject({ line: 7, related: [{ line: 3 }, { line: 7 }] });

  await page.getByTestId('verdict').click();
  const panel = page.getByRole('tabpanel');
  await expect(panel.getByTestId('verifier-verdict')).toHaveText('Linux 6.18 would reject this');
  const error = panel.getByTestId('verifier-error');
  await expect(error).toContainText('line 7');
  await expect(error).toContainText('reference leak');
  const began = panel.getByTestId('verifier-related');
  await expect(began).toHaveCount(1);
  await expect(began).toContainText('line 3');
  await expect(began).toContainText('acquired here');
  // The catalogue's explanation, with this program's lines, and what to do.
  const why = panel.getByTestId('verifier-explanation');
  await expect(why).toContainText('line 3');
  await expect(why).toContainText('What to do:');

  await began.click();
  await expect.poll(() => page.evaluate(() => window.__playground.cursor()?.line)).toBe(3);
  // From the keyboard too: the failing line.
  await error.focus();
  await page.keyboard.press('Enter');
  await expect.poll(() => page.evaluate(() => window.__playground.cursor()?.line)).toBe(7);

  // The log, one click away, filtered.
  const log = panel.getByTestId('verifier-log');
  await log.locator('summary').click();
  await expect(log.locator('pre')).toContainText('reference leak');
  await log.getByLabel('Filter the log').fill('Unreleased');
  await expect(log.locator('pre')).toContainText('Unreleased reference');
  await expect(log.locator('pre')).not.toContainText('processed');
  await axe(page);
  await pg.screenshot('verifier-live-panel');
  pg.expectClean();
});

// real_parent is an RCU pointer in 6.18 (BTF_TYPE_SAFE_RCU) and may be NULL in 6.3: line 4 reads through it.
const REAL_PARENT = `${TP}r6 = *(u64 *)(r1 + 0)\nr6 = *(u64 *)(r6 + task_struct.real_parent)\nr1 = *(u64 *)(r6 + task_struct.cpus_ptr)\ncall bpf_cpumask_first\nr0 = 0\nexit\n`;

test('profiles side by side: the Verifier panel compares with the other kernel, and switching the profile changes the verdict', async ({ page }) => {
  const pg = new PlaygroundPage(page);
  await pg.goto('/');
  await pg.waitForEditor();
  await pg.setSource(REAL_PARENT);
  const verdict = page.getByTestId('verdict');
  await expect(verdict).toHaveText('Linux 6.18 would load this');
  await verdict.click();
  const panel = page.getByRole('tabpanel');
  await panel.getByTestId('verifier-compare').click();
  const result = panel.getByTestId('verifier-compare-result');
  await expect(result).toContainText("Linux 6.3 would reject this: R6 invalid mem access 'rcu_ptr_or_null_' (line 5)");
  await expect(panel.getByTestId('verifier-compare-diff')).toContainText('The verdicts differ: Linux 6.18 would load it.');
  await axe(page);
  await pg.screenshot('verifier-compare-profiles');

  // Switching the document's profile: the verdict and the marker follow.
  await pg.toolbar.select('Kernel').selectOption('linux-6.3');
  await expect(verdict).toHaveText('Linux 6.3 would reject this');
  await expect.poll(async () => (await pg.markers()).find((m) => m.source === 'verifier' && m.severity === 'error')?.message).toBe("R6 invalid mem access 'rcu_ptr_or_null_'");
  pg.expectClean();
});

// task->cpus_ptr is a struct cpumask: readable, but bpf_cpumask_set_cpu changes only a struct bpf_cpumask.
const CPUS_PTR_SET = `${TP}r6 = *(u64 *)(r1 + 0)\nr2 = *(u64 *)(r6 + task_struct.cpus_ptr)\nr1 = 0\ncall bpf_cpumask_set_cpu\nr0 = 0\nexit\n`;

test('task->cpus_ptr passed to bpf_cpumask_set_cpu: the explanation names the bpf_cpumask/cpumask rule', async ({ page }) => {
  const pg = new PlaygroundPage(page);
  await pg.goto('/');
  await pg.waitForEditor();
  await pg.setSource(CPUS_PTR_SET);
  await expect(page.getByTestId('verdict')).toHaveText('Linux 6.18 would reject this');
  await expect.poll(async () => (await pg.markers()).find((m) => m.source === 'verifier' && m.severity === 'error')?.line).toBe(6);
  await page.getByTestId('verdict').click();
  const panel = page.getByRole('tabpanel');
  await expect(panel.getByTestId('verifier-error')).toContainText('expected pointer to STRUCT bpf_cpumask but R2 has a pointer to STRUCT cpumask');
  const why = panel.getByTestId('verifier-explanation');
  await expect(why).toContainText('takes a struct bpf_cpumask *');
  await expect(why).toContainText('read-only to BPF');
  await expect(why).toContainText('bpf_cpumask_create');
  pg.expectClean();
});

// Line 5 reads the packet with no bounds check (R2 is pkt with r=0); R4 is a byte of ingress_ifindex.
const UNCHECKED_PACKET = '.section xdp\nr2 = *(u32 *)(r1 + 0)\nr4 = *(u32 *)(r1 + 12)\nr4 &= 0xff\nr0 = *(u8 *)(r2 + 0)\nr0 = 2\nexit\n';

test('(e) the verifier-state view steps along the failing path', async ({ page }) => {
  const pg = new PlaygroundPage(page);
  await pg.goto('/');
  await pg.waitForEditor();
  await pg.setSource(UNCHECKED_PACKET);
  await expect(page.getByTestId('verdict')).toHaveText('Linux 6.18 would reject this');
  await page.getByTestId('verdict').click();
  const panel = page.getByRole('tabpanel');
  const view = panel.getByTestId('verifier-states');
  const position = view.getByTestId('verifier-step');
  await expect(position).toHaveText('Step 1 of 4: pc 0, line 2');
  // The first step: only the context and the frame pointer.
  await expect(view.getByTestId('verifier-reg-r1')).toContainText('ctx()');
  await expect(view.getByTestId('verifier-reg-r2')).toHaveCount(0);
  await expect(view.getByTestId('verifier-step-prev')).toBeDisabled();

  // Next, then the ← and → keys on the stepper; each step reveals its line in the editor.
  await view.getByTestId('verifier-step-next').click();
  await expect(position).toHaveText('Step 2 of 4: pc 1, line 3');
  await expect.poll(() => page.evaluate(() => window.__playground.cursor()?.line)).toBe(3);
  await view.getByTestId('verifier-stepper').focus();
  await page.keyboard.press('ArrowRight');
  await expect(position).toHaveText('Step 3 of 4: pc 2, line 4');
  await page.keyboard.press('ArrowLeft');
  await expect(position).toHaveText('Step 2 of 4: pc 1, line 3');
  await page.keyboard.press('ArrowRight');
  await view.getByTestId('verifier-step-next').click();

  // The failing instruction: R2 is believed a packet pointer with no bytes proven (r=0).
  await expect(position).toHaveText('Step 4 of 4: pc 3, line 5 — the refused instruction');
  await expect.poll(() => page.evaluate(() => window.__playground.cursor()?.line)).toBe(5);
  await expect(view.getByTestId('verifier-step-next')).toBeDisabled();
  await expect(view.getByTestId('verifier-state-insn')).toHaveText('3: w0 = *(u8 *)(r2 + 0x0)');
  await expect(view).toContainText('Refused here: R2 offset is outside of the packet');
  await expect(view.getByTestId('verifier-reg-r2')).toContainText('pkt(r=0)');
  await expect(view.getByTestId('verifier-reg-r4')).toContainText('u 0..255, s 0..255, tnum 0x0/0xff');
  await expect(view.getByTestId('verifier-state-refs')).toHaveText('References held: none');
  await view.getByTestId('verifier-state-line').click();
  await expect.poll(() => page.evaluate(() => window.__playground.cursor()?.line)).toBe(5);

  // Reality: the program run unverified (on the NIC's first frame, there being no input).
  await view.getByTestId('verifier-trace').click();
  const result = view.getByTestId('verifier-trace-result');
  await expect(result).toContainText('The run took this path to the refused instruction (all 4 steps).');
  await expect(view.getByTestId('verifier-trace-verdict')).toHaveText('Every value the run saw on this path lies within what the verifier believed.');
  await expect(view.getByTestId('verifier-reg-r2').getByTestId('verifier-seen')).toContainText('(packet + 256)');
  await expect(view.getByTestId('verifier-reg-r4').getByTestId('verifier-seen')).toHaveText(/^\d+, 0x[0-9a-f]{16}$/);
  await expect(view.getByText(/Outside the verifier's belief/)).toHaveCount(0);
  await axe(page);
  await pg.screenshot('verifier-states');

  // On a phone the tables fit the panel.
  await page.setViewportSize({ width: 390, height: 844 });
  await view.getByTestId('verifier-state-regs').scrollIntoViewIfNeeded();
  await expect(view.getByTestId('verifier-state-regs')).toBeInViewport();
  expect(overflowProblem(await measureOverflow(page))).toBeUndefined();
  await pg.screenshot('verifier-states-phone');
  pg.expectClean();
});

// Line 4 reads byte 34 of the packet (the IPv4 header's neighbourhood) with no bounds check.
const PACKET_AT_34 = `.section xdp\nr2 = *(u32 *)(r1 + xdp_md.data)\nr3 = *(u32 *)(r1 + xdp_md.data_end)\nr0 = *(u8 *)(r2 + 34)\nr0 = 2\nexit\n`;

test('an XDP packet read without a bounds check: a counterexample packet is offered, and running it unverified faults at that line', async ({ page }) => {
  const pg = new PlaygroundPage(page);
  await pg.goto('/');
  await pg.waitForEditor();
  await pg.setSource(PACKET_AT_34);
  await expect(page.getByTestId('verdict')).toHaveText('Linux 6.18 would reject this');
  await expect.poll(async () => (await pg.markers()).find((m) => m.source === 'verifier' && m.severity === 'error')?.line).toBe(4);
  await page.getByTestId('verdict').click();
  const panel = page.getByRole('tabpanel');
  const text = panel.getByTestId('verifier-counterexample-text');
  await expect(text).toContainText(/line 4 reads 1 byte at offset 34 of a \d+-byte packet/);
  await axe(page);
  await pg.screenshot('verifier-counterexample');

  await panel.getByTestId('verifier-counterexample-run').click();
  await expect.poll(async () => (await page.evaluate(() => window.__playground.state())).status).toBe('fault');
  const s = await page.evaluate(() => window.__playground.state());
  expect(s.fault).toMatch(/reads 1 byte at offset 34 of a \d+-byte packet \(data\.\.data_end\), through R2: outside the packet.*this run stops here to show the access the verifier refused/);
  // The document now holds the counterexample's packet, and Verify is off (the toolbar says so).
  expect((await page.evaluate(() => window.__playground.document())).input.length).toBeGreaterThanOrEqual(28);
  await expect(page.getByRole('toolbar').getByLabel(/Verify/)).not.toBeChecked();
  await expect.poll(async () => (await pg.markers()).some((m) => m.line === 4 && m.severity === 'error' && m.source !== 'verifier')).toBe(true);
  pg.expectClean();
});

// Line 3 creates a mask and line 5 releases it without testing it for NULL.
const CREATE_UNCHECKED = '.section tp_btf/task_newtask\n.license "GPL"\ncall bpf_cpumask_create\nr1 = r0\ncall bpf_cpumask_release\nr0 = 0\nexit\n';

test('an allocation used without a NULL check: the counterexample is memory running short, and its replay faults at the release', async ({ page }) => {
  const pg = new PlaygroundPage(page);
  await pg.goto('/');
  await pg.waitForEditor();
  await pg.setSource(CREATE_UNCHECKED);
  await expect(page.getByTestId('verdict')).toHaveText('Linux 6.18 would reject this');
  await page.getByTestId('verdict').click();
  const panel = page.getByRole('tabpanel');
  await expect(panel.getByTestId('verifier-counterexample-text')).toContainText('memory running short so every allocation fails');
  await expect(panel.getByTestId('verifier-counterexample-scenario')).toContainText('failAllocationsAfter');
  await axe(page);
  await panel.getByTestId('verifier-counterexample-run').click();
  await expect.poll(async () => (await page.evaluate(() => window.__playground.state())).status).toBe('fault');
  expect((await page.evaluate(() => window.__playground.state())).fault).toContain('bpf_cpumask_release: NULL pointer passed to trusted arg0');
  // The scenario says so, where the learner can undo it.
  expect((await page.evaluate(() => window.__playground.document())).scenario).toMatchObject({ failAllocationsAfter: 0 });
  await page.getByRole('tab', { name: /Scenario/ }).click();
  await expect(page.getByRole('tabpanel')).toContainText('Memory runs short: every allocation fails');
  pg.expectClean();
});

// Two lookups of key 0 in a hash map; line 15 uses the first one's result, only the second was tested.
const TWO_LOOKUPS = `.section xdp
.license "GPL"
.map m type=hash key=4 value=8 max_entries=4
*(u32 *)(r10 - 4) = 0
r1 = m ll
r2 = r10
r2 += -4
call bpf_map_lookup_elem
r6 = r0
r1 = m ll
r2 = r10
r2 += -4
call bpf_map_lookup_elem
if r0 == 0 goto out
r0 = *(u64 *)(r6 + 0)
out:
r0 = 2
exit
`;

test('a lookup used untested after another was tested: the counterexample is another CPU inserting the key between them, and its replay faults at the use', async ({ page }) => {
  const pg = new PlaygroundPage(page);
  await pg.goto('/');
  await pg.waitForEditor();
  await pg.setSource(TWO_LOOKUPS);
  await expect(page.getByTestId('verdict')).toHaveText('Linux 6.18 would reject this');
  await page.getByTestId('verdict').click();
  const panel = page.getByRole('tabpanel');
  await expect(panel.getByTestId('verifier-counterexample-text')).toContainText("another CPU inserting key 00000000 into m just before the program's 2nd helper call");
  await expect(panel.getByTestId('verifier-counterexample-text')).toContainText('R6 is NULL at line 15: bpf_map_lookup_elem at line 8 returned NULL');
  await expect(panel.getByTestId('verifier-counterexample-scenario')).toContainText('concurrentWrites');
  await axe(page);
  await pg.screenshot('verifier-counterexample-race');
  await panel.getByTestId('verifier-counterexample-run').click();
  await expect.poll(async () => (await page.evaluate(() => window.__playground.state())).status).toBe('fault');
  expect((await page.evaluate(() => window.__playground.state())).fault).toContain('NULL pointer dereference');
  await expect.poll(async () => (await pg.markers()).some((m) => m.line === 15 && m.severity === 'error' && m.source !== 'verifier')).toBe(true);
  // The scenario holds the write, where the learner can see and undo it.
  expect((await page.evaluate(() => window.__playground.document())).scenario).toMatchObject({ concurrentWrites: [{ beforeCall: 2, map: 'm', key: '00000000' }] });
  await page.getByRole('tab', { name: /Scenario/ }).click();
  await expect(page.getByRole('tabpanel')).toContainText('Another CPU writes maps during each run: sets key 00000000 of m before call 2');
  pg.expectClean();
});

// Line 10 reads the byte just past a 64-byte map value: Linux reads the next value without a fault.
const PAST_THE_VALUE = `.section xdp
.map m type=array key=4 value=64 max_entries=4
r1 = 0
*(u32 *)(r10 - 4) = r1
r1 = m ll
r2 = r10
r2 += -4
call bpf_map_lookup_elem
if r0 == 0 goto out
r0 = *(u8 *)(r0 + 64)
out:
r0 = 2
exit
`;

test('a read past a map value: Linux would not fault, yet running the counterexample stops at that line and says why', async ({ page }) => {
  const pg = new PlaygroundPage(page);
  await pg.goto('/');
  await pg.waitForEditor();
  await pg.setSource(PAST_THE_VALUE);
  await expect(page.getByTestId('verdict')).toHaveText('Linux 6.18 would reject this');
  await page.getByTestId('verdict').click();
  const panel = page.getByRole('tabpanel');
  await expect(panel.getByTestId('verifier-counterexample-text')).toContainText('line 10 reads 1 byte at offset 64 of the 64-byte value of map m');
  await panel.getByTestId('verifier-counterexample-run').click();
  await expect.poll(async () => (await page.evaluate(() => window.__playground.state())).status).toBe('fault');
  expect((await page.evaluate(() => window.__playground.state())).fault).toMatch(/reads 1 byte at offset 64 of the 64-byte value of map m, through R0: outside it but inside memory next to it, so Linux goes on without a fault; this run stops here to show the access the verifier refused/);
  await expect.poll(async () => (await pg.markers()).some((m) => m.line === 10 && m.severity === 'error' && m.source !== 'verifier')).toBe(true);
  // Verify back on: the run is Linux's again (no watcher), and the verifier refuses the program.
  await page.getByRole('toolbar').getByLabel(/Verify/).check();
  pg.expectClean();
});

// Accepted: R2 is an RX queue number; the fall-through (R2 at most 10) is the first path to the exit.
const ACCEPTED_BRANCH = '.section xdp\nr2 = *(u32 *)(r1 + xdp_md.rx_queue_index)\nif r2 > 10 goto big\nr0 = 2\nexit\nbig:\nr0 = 1\nexit\n';

test('(e) an accepted program: the state view steps along any path it walked, chosen from a list', async ({ page }) => {
  const pg = new PlaygroundPage(page);
  await pg.goto('/');
  await pg.waitForEditor();
  await pg.setSource(ACCEPTED_BRANCH);
  await expect(page.getByTestId('verdict')).toHaveText('Linux 6.18 would load this');
  await page.getByTestId('verdict').click();
  const view = page.getByRole('tabpanel').getByTestId('verifier-states');
  await expect(view.getByRole('heading')).toHaveText('States along a path the verifier walked');
  const position = view.getByTestId('verifier-step');
  await expect(position).toHaveText('Step 1 of 4: pc 0, line 2');
  for (let k = 0; k < 3; k++) await view.getByTestId('verifier-step-next').click();
  await expect(position).toHaveText('Step 4 of 4: pc 3, line 5 — the exit');
  // Past the branch, R2 is believed at most 10; R0 is the constant 2.
  await expect(view.getByTestId('verifier-reg-r2')).toContainText('u 0..10');
  await expect(view.getByTestId('verifier-reg-r0')).toContainText('2');
  await expect(view).not.toContainText('Refused here');
  // The other path: the branch taken, R2 above 10, to the other exit.
  const choice = page.getByRole('tabpanel').getByTestId('verifier-path');
  await expect(choice.locator('option')).toHaveText(['1: to the exit at line 5 (4 steps)', '2: to the exit at line 8 (4 steps)']);
  await choice.selectOption('1');
  await expect(position).toHaveText('Step 1 of 4: pc 0, line 2');
  for (let k = 0; k < 3; k++) await view.getByTestId('verifier-step-next').click();
  await expect(position).toHaveText('Step 4 of 4: pc 5, line 8 — the exit');
  await expect(view.getByTestId('verifier-reg-r2')).toContainText('u 11..');
  // The log of an accepted program is made when its block is opened (live verdicts come without it).
  const log = page.getByRole('tabpanel').getByTestId('verifier-log');
  await expect(log.locator('summary')).toHaveText('Verifier log (level 1)');
  await log.locator('summary').click();
  await expect(log.locator('summary')).toHaveText(/^Verifier log \(level 1, \d+ lines\)$/);
  await expect(log.locator('pre')).toContainText('processed');
  await axe(page);
  pg.expectClean();
});

// Both branches join at line 14, where R3 (different on each) is no longer read: the later paths are pruned there.
const JOINING = `.section xdp\nr2 = *(u32 *)(r1 + xdp_md.rx_queue_index)\nr4 = *(u32 *)(r1 + xdp_md.ingress_ifindex)\nif r2 > 10 goto join\nr3 = 1\n${'r3 += 1\n'.repeat(6)}if r4 > 3 goto join\nr3 += 1\njoin:\nr0 = 2\nexit\n`;

test('(e) a path the verifier pruned ends where its state lay within one already proved safe', async ({ page }) => {
  const pg = new PlaygroundPage(page);
  await pg.goto('/');
  await pg.waitForEditor();
  await pg.setSource(JOINING);
  await expect(page.getByTestId('verdict')).toHaveText('Linux 6.18 would load this');
  await page.getByTestId('verdict').click();
  const choice = page.getByRole('tabpanel').getByTestId('verifier-path');
  await expect(choice.locator('option')).toHaveText(['1: to the exit at line 16 (14 steps)', '2: pruned at line 15 (12 steps)', '3: pruned at line 15 (4 steps)']);
  await choice.selectOption('2');
  const view = page.getByRole('tabpanel').getByTestId('verifier-states');
  await expect(view).toContainText('pruned');
  for (let k = 0; k < 3; k++) await view.getByTestId('verifier-step-next').click();
  await expect(view.getByTestId('verifier-step')).toHaveText('Step 4 of 4: pc 12, line 15 — pruned here');
  // The state it was pruned against: kept at that instruction, two paths pruned by it.
  await view.getByTestId('verifier-explored').locator('summary').click();
  await expect(view.getByTestId('verifier-explored')).toContainText('pruned 2 paths');
  await pg.screenshot('verifier-paths');
  await page.setViewportSize({ width: 390, height: 844 });
  await expect(choice).toBeVisible();
  expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'no sideways scroll on a phone').toBe(true);
  await pg.screenshot('verifier-paths-phone');
  await axe(page);
  pg.expectClean();
});
