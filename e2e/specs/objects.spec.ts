// Journey: opening a clang-built BPF object (.o) through Open…. The engine worker reads it as
// libbpf would; the editor shows each program's disassembly with the C line of each group of
// instructions as a comment above it, and everything the playground does for assembly works on
// it: breakpoints, stepping, and the verifier's markers at the instruction under its C line.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from '@playwright/test';
import { expect, test } from '../fixtures/test.ts';
import { expectNoAxeViolations } from '../fixtures/axe.ts';
import { PlaygroundPage } from '../fixtures/playground.ts';

const C_DIR = fileURLToPath(new URL('../../public/examples/c/', import.meta.url));

async function axe(page: Page): Promise<void> {
  await expectNoAxeViolations(page);
}

/** The 1-based line of the first instruction under the comment that holds `c`. */
function lineUnder(source: string, c: string): number {
  const lines = source.split('\n');
  const i = lines.findIndex((l) => l.trim().startsWith('#') && l.includes(c));
  expect(i, `no C line ${c} in\n${source}`).toBeGreaterThanOrEqual(0);
  return i + 2;
}

/** The nearest comment above a 1-based line. */
function commentAbove(source: string, line: number): string {
  const lines = source.split('\n');
  for (let i = line - 2; i >= 0; i--) if (lines[i]?.trim().startsWith('#')) return lines[i]?.trim() ?? '';
  return '';
}

/** The C line the debugger stops at next, as the C view marks it. */
async function currentCLine(page: Page): Promise<number | undefined> {
  const at = await page.locator('[data-testid="c-view"] .c-line.bpf-current').getAttribute('data-c-line', { timeout: 5000 }).catch(() => null);
  return at === null ? undefined : Number(at);
}

/** Drops files on the editor as a person drags them from a file manager. */
async function drop(page: Page, files: readonly string[]): Promise<void> {
  const payload = files.map((f) => ({ name: f.slice(f.lastIndexOf('/') + 1), b64: readFileSync(f).toString('base64') }));
  const dt = await page.evaluateHandle((list) => {
    const t = new DataTransfer();
    for (const f of list) t.items.add(new File([Uint8Array.from(atob(f.b64), (c) => c.charCodeAt(0))], f.name));
    return t;
  }, payload);
  await page.dispatchEvent('.pane-editor', 'drop', { dataTransfer: dt });
}

test('a clang-built object dropped with its .c shows the C source: a breakpoint on a C line, stepping by C line, the assembly one click away', async ({ page }) => {
  const pg = new PlaygroundPage(page);
  await pg.goto('/');
  await pg.waitForEditor();
  // The object and its C file, dropped together.
  await drop(page, [join(C_DIR, 'cpumask-set-clear.o'), join(C_DIR, 'cpumask-set-clear.c')]);
  await expect(pg.notice('info').filter({ hasText: 'Opened cpumask-set-clear.o' })).toContainText('It shows as C (cpumask-set-clear.c)');
  const view = page.getByTestId('c-view');
  await expect(view).toBeVisible();
  // The whole file, not only the lines with instructions: its licence line and its comments too.
  await expect(view.locator('[data-c-line="1"]')).toContainText('// SPDX-License-Identifier: GPL-2.0');
  await expect(view.locator('[data-c-line="36"]')).toContainText('cpumask = bpf_cpumask_create();');
  await expect(page.getByRole('button', { name: /^C · cpumask-set-clear\.c$/ })).toHaveAttribute('aria-pressed', 'true');
  // The program that runs is the assembly, with each C line as a comment; it is accepted.
  const source = await pg.source();
  expect(source).toContain('# cpumask-set-clear.c:36: cpumask = bpf_cpumask_create();');
  await expect.poll(() => page.evaluate(() => window.__playground.verdict().accepted)).toBe(true);
  await pg.screenshot('object-c-view');

  // A breakpoint on C line 40, `bpf_cpumask_set_cpu(0, cpumask);`: the first instruction under it.
  const bp = page.getByRole('button', { name: 'Breakpoint on C line 40' });
  await bp.click();
  await expect(bp).toHaveAttribute('aria-pressed', 'true');
  expect(await page.evaluate(() => window.__playground.breakpoints())).toEqual([lineUnder(source, 'cpumask-set-clear.c:40:')]);
  // Lines no instruction came from take no breakpoint.
  await expect(page.getByRole('button', { name: 'Breakpoint on C line 28' })).toHaveCount(0);
  let s = await pg.continue();
  expect(s.status).toBe('breakpoint');
  expect(await currentCLine(page)).toBe(40);
  // F11 steps to the next C line (several instructions), not to the next instruction.
  const at = s.pc;
  await view.focus();
  await page.keyboard.press('F11');
  await expect.poll(() => currentCLine(page)).toBe(41);
  s = await pg.state();
  expect(s.status).toBe('step');
  expect(s.pc).toBeGreaterThan(at + 1);
  await expect(page.getByTestId('run-status')).toHaveText(/^step/);
  // The instructions under each line, on demand.
  await page.getByLabel('Instructions').check();
  await expect(view.getByLabel('Instructions of C line 40')).toContainText('call bpf_cpumask_set_cpu');
  await pg.screenshot('object-c-view-stepping');

  // The assembly, one click away: the same stop, at the instruction.
  await page.getByRole('button', { name: 'Assembly', exact: true }).click();
  await expect(view).toBeHidden();
  await expect(page.locator('.monaco-editor .bpf-current-line')).toHaveCount(1);
  expect(await pg.source()).toContain('# cpumask-set-clear.c:41: if (!bpf_cpumask_test_cpu(0, cast(cpumask))) {');
  await page.getByRole('button', { name: /^C · / }).click();
  await expect(view).toBeVisible();

  // Off the breakpoint, continue to the end.
  await bp.click();
  await expect(bp).toHaveAttribute('aria-pressed', 'false');
  s = await pg.continue();
  expect(s).toMatchObject({ status: 'exited', r0: '0x0000000000000000' });
  await axe(page);

  // Editing the assembly makes the program assembly: the C view goes away, and comes back when
  // the text is as opened again.
  await page.getByRole('button', { name: 'Assembly', exact: true }).click();
  await pg.setSource(source.replace('call bpf_cpumask_set_cpu', 'call bpf_cpumask_clear_cpu'));
  await expect(page.getByTestId('c-view-off')).toBeVisible();
  await expect(page.getByRole('button', { name: /^C · / })).toBeDisabled();
  await pg.setSource(source);
  await expect(page.getByRole('button', { name: /^C · / })).toBeEnabled();
  await page.getByRole('button', { name: /^C · / }).click();
  await expect(view).toBeVisible();

  // The C view is part of the document: a share link opens on it in a fresh page.
  const link = await page.evaluate(() => window.__playground.share());
  expect(link).toBeTruthy();
  const other = await page.context().newPage();
  await other.goto(link ?? '/');
  await other.waitForFunction(() => window.__playground?.ready === true);
  await expect(other.getByTestId('c-view').locator('[data-c-line="1"]')).toContainText('// SPDX-License-Identifier: GPL-2.0');
  await other.close();
  // And a reload keeps it, on a phone too.
  await page.reload();
  await page.waitForFunction(() => window.__playground?.ready === true);
  await expect(page.getByTestId('c-view').locator('[data-c-line="36"]')).toContainText('cpumask = bpf_cpumask_create();');
  await page.setViewportSize({ width: 390, height: 844 });
  await expect(page.getByTestId('c-view')).toBeVisible();
  expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1)).toBe(true);
  await pg.screenshot('object-c-view-phone');
  await axe(page);
  pg.expectClean();
});

test('a .c alone says how to build the object; a .o without its .c shows the lines its line info holds', async ({ page }) => {
  const pg = new PlaygroundPage(page);
  await pg.goto('/');
  await pg.waitForEditor();
  const before = await pg.source();
  await page.getByLabel('Open a file').setInputFiles(join(C_DIR, 'cpumask-set-clear.c'));
  await expect(pg.notice('error').filter({ hasText: 'cpumask-set-clear.c is C source' })).toContainText('clang -target bpf -O2 -g -c cpumask-set-clear.c -o cpumask-set-clear.o');
  expect(await pg.source()).toBe(before);
  await page.getByLabel('Open a file').setInputFiles(join(C_DIR, 'cpumask-set-clear.o'));
  await expect(pg.notice('info').filter({ hasText: 'Opened cpumask-set-clear.o' })).toContainText('the lines its line info holds');
  const view = page.getByTestId('c-view');
  await expect(view.locator('[data-c-line="36"]')).toContainText('cpumask = bpf_cpumask_create();');
  // Line 1 (the licence comment) became no instruction: its text is not in the object.
  await expect(view.locator('[data-c-line="1"]')).not.toContainText('SPDX');
  // Open… with both picked: the whole file.
  await page.getByLabel('Open a file').setInputFiles([join(C_DIR, 'cpumask-set-clear.o'), join(C_DIR, 'cpumask-set-clear.c')]);
  await expect(view.locator('[data-c-line="1"]')).toContainText('// SPDX-License-Identifier: GPL-2.0');
  await axe(page);
  pg.expectClean();
});

test('an object the verifier refuses is marked at the instruction under its C line', async ({ page }) => {
  const cc = spawnSync('clang-19', ['--version'], { encoding: 'utf8' });
  if (cc.error || cc.status !== 0) {
    console.log('objects.spec: skipped: clang-19 is not installed (apt-get install clang-19), so no refused object can be built');
    test.skip(true, 'clang-19 is not installed');
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'bpfp-objects-'));
  // bpf_cpumask_create may return NULL; passing its result to bpf_cpumask_release unchecked is refused.
  writeFileSync(
    join(dir, 'unchecked.c'),
    [
      '// SPDX-License-Identifier: GPL-2.0',
      '#include "kernel-types.h"',
      '#include <bpf/bpf_helpers.h>',
      '#include <bpf/bpf_tracing.h>',
      'extern struct bpf_cpumask *bpf_cpumask_create(void) __ksym;',
      'extern void bpf_cpumask_release(struct bpf_cpumask *cpumask) __ksym;',
      'char LICENSE[] SEC("license") = "GPL";',
      'SEC("tp_btf/task_newtask")',
      'int BPF_PROG(unchecked, struct task_struct *task, u64 clone_flags)',
      '{',
      '\tstruct bpf_cpumask *cpumask = bpf_cpumask_create();',
      '',
      '\tbpf_cpumask_release(cpumask);',
      '\treturn 0;',
      '}',
      '',
    ].join('\n'),
  );
  const built = spawnSync('clang-19', ['-target', 'bpf', '-O2', '-g', '-c', '-I', C_DIR, join(dir, 'unchecked.c'), '-o', join(dir, 'unchecked.o')], { encoding: 'utf8' });
  expect(built.status, built.stderr).toBe(0);

  const pg = new PlaygroundPage(page);
  await pg.goto('/');
  await pg.waitForEditor();
  const before = await pg.source();
  // Something that is not an object: the loader's error, and the document stays.
  await page.getByLabel('Open a file').setInputFiles({ name: 'broken.o', mimeType: 'application/octet-stream', buffer: Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0]) });
  await expect(pg.notice('error').filter({ hasText: 'broken.o could not be opened' })).toBeVisible();
  expect(await pg.source()).toBe(before);

  await page.getByLabel('Open a file').setInputFiles({ name: 'unchecked.o', mimeType: 'application/octet-stream', buffer: readFileSync(join(dir, 'unchecked.o')) });
  await expect.poll(() => pg.source()).toContain('unchecked.c:13: bpf_cpumask_release(cpumask);');
  const source = await pg.source();
  await expect(page.getByRole('button', { name: /Live verification: Linux 6\.18 would reject this/ })).toBeVisible();
  await expect.poll(async () => (await pg.markers()).find((m) => m.source === 'verifier' && m.severity === 'error')?.message).toMatch(/NULL pointer passed to trusted arg0/);
  const marker = (await pg.markers()).find((m) => m.source === 'verifier' && m.severity === 'error');
  if (!marker) throw new Error('no verifier marker');
  expect(source.split('\n')[marker.line - 1]?.trim()).toBe('call bpf_cpumask_release');
  expect(commentAbove(source, marker.line)).toBe('# unchecked.c:13: bpf_cpumask_release(cpumask);');
  // In the C view, the refusal is under C line 13.
  const problem = page.getByTestId('c-view').locator('[data-c-line="13"] ~ [data-testid="c-problem"]').first();
  await expect(problem).toContainText('NULL pointer passed to trusted arg0');
  await expect(page.getByTestId('c-view').locator('[data-c-line="13"]')).toContainText('bpf_cpumask_release(cpumask);');
  await pg.screenshot('object-c-view-refused');
  // A click on the problem in the Problems panel shows its C line in the C view.
  await pg.openPanel('problems');
  await page.getByTestId('problem').filter({ hasText: 'NULL pointer passed to trusted arg0' }).first().click();
  await expect(page.getByTestId('c-view').locator('[data-c-line="13"]')).toHaveClass(/c-line-asked/);
  await expect(page.getByTestId('c-view')).toBeVisible();
  await axe(page);
  pg.expectClean();
});

test('an object dropped on the page opens as Open… would open it', async ({ page }) => {
  const pg = new PlaygroundPage(page);
  await pg.goto('/');
  await pg.waitForEditor();
  await drop(page, [join(C_DIR, 'xdp-metadata.o')]);
  await expect.poll(() => pg.source()).toContain('r1 = xsk ll');
  await expect(page.getByTestId('c-view').locator('[data-c-line="122"]')).toContainText('return bpf_redirect_map(&xsk, queue, XDP_PASS);');
  const source = await pg.source();
  expect(source).toContain('.map xsk type=xskmap key=4 value=4 max_entries=64');
  expect(source).toMatch(/# xdp-metadata\.c:122: return bpf_redirect_map\(&xsk, queue, XDP_PASS\);\n(\s+.*\n)*?\s+call bpf_redirect_map/);
  pg.expectClean();
});

test('Save .o writes the program as an object that reads back the same and that bpftool loads', async ({ page }) => {
  const pg = new PlaygroundPage(page);
  await pg.goto('/');
  await pg.waitForEditor();
  await pg.openExample('cpumask-query-618');
  await expect.poll(() => page.evaluate(() => window.__playground.verdict().accepted)).toBe(true);
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Save .o', exact: true }).click()]);
  expect(download.suggestedFilename()).toMatch(/\.o$/);
  const dir = mkdtempSync(join(tmpdir(), 'bpfp-save-o-'));
  const path = join(dir, download.suggestedFilename());
  await download.saveAs(path);
  await expect(pg.notice('info').filter({ hasText: 'Saved' })).toContainText('bpftool prog loadall');
  const bytes = readFileSync(path);
  expect([...bytes.subarray(0, 4)]).toEqual([0x7f, 0x45, 0x4c, 0x46]);
  // It opens again in the playground: the same program (its C-less disassembly verifies the same).
  await page.getByLabel('Open a file').setInputFiles(path);
  await expect(pg.notice('info').filter({ hasText: `Opened ${download.suggestedFilename()}` })).toBeVisible();
  await expect.poll(() => page.evaluate(() => window.__playground.verdict().accepted)).toBe(true);
  // And this machine's kernel loads it through libbpf, CO-RE relocations applied.
  const tool = spawnSync('bpftool', ['version'], { encoding: 'utf8' });
  const bpffs = readFileSync('/proc/mounts', 'utf8').split('\n').some((l) => l.split(' ')[1] === '/sys/fs/bpf' && l.split(' ')[2] === 'bpf');
  const why = tool.error || tool.status !== 0 ? 'bpftool is not installed' : process.getuid?.() !== 0 ? 'not root' : !bpffs ? '/sys/fs/bpf is not a mounted bpffs' : undefined;
  if (why) {
    console.log(`objects.spec: Save .o: skipped the bpftool load: ${why}`);
  } else {
    const pin = `/sys/fs/bpf/bpfp-e2e-save-${process.pid}`;
    try {
      const r = spawnSync('bpftool', ['prog', 'loadall', path, pin], { encoding: 'utf8', timeout: 10_000 });
      expect(r.status, r.stderr.split('\n').slice(-20).join('\n')).toBe(0);
    } finally {
      rmSync(pin, { recursive: true, force: true });
    }
  }
  // An object with global data (clang's .bss and .rodata) opens, and is saved with its initial bytes.
  const cc = spawnSync('clang-19', ['--version'], { encoding: 'utf8' });
  if (cc.error || cc.status !== 0) console.log('objects.spec: Save .o: skipped the global data object: clang-19 is not installed');
  else {
    writeFileSync(
      join(dir, 'globals.c'),
      ['#include "kernel-types.h"', '#include <bpf/bpf_helpers.h>', 'int hits;', 'const volatile int limit = 3;', 'char LICENSE[] SEC("license") = "GPL";', 'SEC("xdp")', 'int count(struct xdp_md *ctx)', '{', '\thits++;', '\treturn hits > limit ? XDP_DROP : XDP_PASS;', '}', ''].join('\n'),
    );
    const built = spawnSync('clang-19', ['-target', 'bpf', '-O2', '-g', '-c', '-I', C_DIR, join(dir, 'globals.c'), '-o', join(dir, 'globals.o')], { encoding: 'utf8' });
    expect(built.status, built.stderr).toBe(0);
    await page.getByLabel('Open a file').setInputFiles([join(dir, 'globals.o'), join(dir, 'globals.c')]);
    await expect(page.getByTestId('c-view').locator('[data-c-line="9"]')).toContainText('hits++;');
    const [saved] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Save .o', exact: true }).click()]);
    const again = join(dir, `again-${saved.suggestedFilename()}`);
    await saved.saveAs(again);
    if (!why) {
      const pin = `/sys/fs/bpf/bpfp-e2e-globals-${process.pid}`;
      try {
        const r = spawnSync('bpftool', ['prog', 'loadall', again, pin], { encoding: 'utf8', timeout: 10_000 });
        expect(r.status, r.stderr.split('\n').slice(-20).join('\n')).toBe(0);
      } finally {
        rmSync(pin, { recursive: true, force: true });
      }
    }
    // Opened again: `limit` is still 3 in .rodata.
    await page.getByLabel('Open a file').setInputFiles(again);
    await expect.poll(() => page.evaluate(() => JSON.stringify(window.__playground.document().maps ?? {}))).toContain('"value":"03000000"');
  }

  // Something that cannot be an object (a raw program) is refused in words.
  await pg.openExample('hello');
  await page.getByRole('button', { name: 'Save .o', exact: true }).click();
  await expect(pg.notice('error').filter({ hasText: 'cannot be saved as an object' })).toContainText('not exported yet');
  pg.expectClean();
});

test('in the C view, Step goes into a called function and Step over runs it to the next line', async ({ page }) => {
  const cc = spawnSync('clang-19', ['--version'], { encoding: 'utf8' });
  if (cc.error || cc.status !== 0) {
    console.log('objects.spec: skipped: clang-19 is not installed (apt-get install clang-19), so no object with a call can be built');
    test.skip(true, 'clang-19 is not installed');
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'bpfp-calls-'));
  const c = [
    '#include "kernel-types.h"',
    '#include <bpf/bpf_helpers.h>',
    '#include <bpf/bpf_tracing.h>',
    'char LICENSE[] SEC("license") = "GPL";',
    '',
    'static __noinline int twice(int x)',
    '{',
    '\tint y = x * 2;',
    '',
    '\treturn y + 1;',
    '}',
    '',
    'SEC("tp_btf/task_newtask")',
    'int BPF_PROG(calls, struct task_struct *task, u64 clone_flags)',
    '{',
    '\tint a = twice(task->pid);',
    '\tint b = twice(a);',
    '',
    '\treturn a + b == 1000;',
    '}',
    '',
  ].join('\n');
  writeFileSync(join(dir, 'calls.c'), c);
  const built = spawnSync('clang-19', ['-target', 'bpf', '-O2', '-g', '-c', '-I', C_DIR, join(dir, 'calls.c'), '-o', join(dir, 'calls.o')], { encoding: 'utf8' });
  expect(built.status, built.stderr).toBe(0);
  const pg = new PlaygroundPage(page);
  await pg.goto('/');
  await pg.waitForEditor();
  await drop(page, [join(dir, 'calls.o'), join(dir, 'calls.c')]);
  const view = page.getByTestId('c-view');
  await expect(view.locator('[data-c-line="16"]')).toContainText('int a = twice(task->pid);');
  await page.getByRole('button', { name: 'Breakpoint on C line 16' }).click();
  let s = await pg.continue();
  expect(s.status).toBe('breakpoint');
  expect(await currentCLine(page)).toBe(16);
  // Step over: twice() runs, the next stop is line 17 of the caller.
  await page.getByRole('button', { name: 'Breakpoint on C line 16' }).click();
  await view.focus();
  await page.keyboard.press('F10');
  await expect.poll(() => currentCLine(page)).toBe(17);
  // Step: into twice(), at its first line.
  await page.keyboard.press('F11');
  await expect.poll(() => currentCLine(page)).toBe(6);
  s = await pg.state();
  expect(s.status).toBe('step');
  // Step over inside the callee stays in it: line 8.
  await page.keyboard.press('F10');
  await expect.poll(() => currentCLine(page)).toBe(8);
  await axe(page);
  pg.expectClean();
});
