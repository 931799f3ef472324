// Journeys on the emulated XDP NIC: the xdp-metadata example on generated traffic (counters, a
// packet's timestamp and hash in its metadata and in the AF_XDP consumer's view), the same with
// the "none" driver (-EOPNOTSUPP); a pcap downloaded, imported and replayed; the traffic editor
// keeping what is typed; a long run's progress and the paged table; every XDP example under
// both profiles; the same packets on every tier; the debugger stepping from packet to packet.
import { readFile } from 'node:fs/promises';
import { expect, test } from '../fixtures/test.ts';
import { PlaygroundPage } from '../fixtures/playground.ts';

const hex32 = (n: number) => `0x${(n >>> 0).toString(16).padStart(8, '0')}`;

/** Waits for a traffic run started from the toolbar (or the hook) to finish, and returns its report. */
async function finished(pg: PlaygroundPage, check: (n: NonNullable<Awaited<ReturnType<PlaygroundPage['nic']>>>) => boolean) {
  await expect.poll(async () => {
    const [n, s] = await Promise.all([pg.nic(), pg.state()]);
    return s.busy === 'idle' && n !== undefined && check(n);
  }).toBe(true);
  const n = await pg.nic();
  if (!n) throw new Error('no traffic report');
  return n;
}

test('xdp-metadata: the timestamp and hash reach the metadata and the AF_XDP consumer; the "none" driver gives -EOPNOTSUPP', async ({ page }) => {
  const pg = new PlaygroundPage(page);
  await pg.goto('/#example/xdp-metadata');
  await pg.waitForEditor();
  // The example opens on the Packets panel, which says what Run does before there is a run.
  await expect(page.getByRole('tab', { name: /Packets/, selected: true })).toBeVisible();
  await expect(pg.packets.root()).toContainText('Run the program');

  // Run (the toolbar button) sends the generated traffic through the NIC and the program.
  await pg.toolbar.button('Run').click();
  const full = await finished(pg, (n) => n.driver === 'full');
  expect(full.total).toBe(64);
  expect(full.counters).toMatchObject({ received: 64, xsk: 56, actions: { XDP_REDIRECT: 56, XDP_PASS: 8 } });
  expect(full.deviceBound).toBe(true);
  await expect(pg.packets.summary()).toContainText('64 packets of generated traffic');
  await expect(pg.packets.summary()).toContainText('driver full');
  await expect(pg.packets.counter('XDP_REDIRECT')).toContainText('56');
  await expect(pg.packets.counter('XDP_PASS')).toContainText('8');
  await expect(pg.packets.counter('to AF_XDP')).toContainText('56');
  await expect(page.getByTestId('device-bound')).toContainText('BPF_F_XDP_DEV_BOUND_ONLY');
  await expect(page.getByTestId('device-bound')).toContainText('BPF_PROG_TEST_RUN');
  await expect(pg.packets.rows()).toHaveCount(64);

  // Open a packet that went to the AF_XDP socket: its summary, the metadata the program wrote,
  // and what the consumer reads at rx_desc.addr - METADATA_SIZE all agree.
  const p = full.packets.find((x) => x.fate.kind === 'xsk' && x.index > 0);
  if (!p || p.fate.kind !== 'xsk' || p.rxTimestamp === null || p.rxHash === null) throw new Error('no AF_XDP packet with metadata');
  await expect(pg.packets.row(p.index)).toContainText(p.rxTimestamp);
  await expect(pg.packets.row(p.index)).toContainText(hex32(p.rxHash));
  await pg.packets.row(p.index).click();
  const detail = pg.packets.detail();
  await expect(detail).toBeVisible();
  await expect(page.getByRole('heading', { name: `Packet ${p.index}` })).toBeVisible();
  await expect(page.getByTestId('summary-timestamp')).toHaveText(p.rxTimestamp);
  await expect(page.getByTestId('summary-hash')).toHaveText(hex32(p.rxHash));
  // drawn to scale: the xdp_frame, the headroom, 24 bytes of metadata, the data
  await expect(page.getByTestId('buffer-bar')).toHaveAttribute('aria-label', /struct xdp_frame 40 bytes \(offset 0\), headroom 192 bytes \(offset 40\), metadata 24 bytes \(offset 232\), data 64 bytes \(offset 256\)/);
  await expect(detail).toContainText('changed by the program: data-24');
  for (const table of ['meta-fields', 'xsk-meta-fields'] as const) {
    await expect(pg.packets.metaField(table, 'rx_timestamp')).toHaveText(p.rxTimestamp);
    await expect(pg.packets.metaField(table, 'rx_hash')).toHaveText(hex32(p.rxHash));
    await expect(pg.packets.metaField(table, 'rx_hash_type')).toHaveText(`${p.rssType} (L4_IPV4_UDP)`);
    await expect(pg.packets.metaField(table, 'rx_queue_index')).toHaveText(String(p.queue));
  }
  await expect(page.getByTestId('xsk-view')).toContainText(`rx_desc.addr = ${p.fate.addr}`);
  await expect(page.getByTestId('xsk-view')).toContainText('METADATA_SIZE = 24 bytes');
  await pg.screenshot('nic-packet-full');

  // The keyboard: the next row, Enter opens it.
  await pg.packets.row(p.index).focus();
  await page.keyboard.press('ArrowDown');
  await expect(pg.packets.row(p.index + 1)).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { name: `Packet ${p.index + 1}` })).toBeVisible();

  // The driver "none" in the Traffic panel: both kfuncs answer -EOPNOTSUPP.
  await pg.openPanel('Traffic');
  await pg.traffic.field('Driver').selectOption('none');
  expect((await page.evaluate(() => window.__playground.document())).traffic).toMatchObject({ nic: { driver: 'none' } });
  await expect(pg.packets.root()).toHaveCount(0);
  await pg.toolbar.button('Run').click();
  const none = await finished(pg, (n) => n.driver === 'none');
  await expect(page.getByRole('tab', { name: /Packets/, selected: true })).toBeVisible();
  await expect(pg.packets.summary()).toContainText('driver none');
  expect(none.packets.every((x) => x.rxTimestamp === null && x.rxHash === null)).toBe(true);
  const q = none.packets.find((x) => x.fate.kind === 'xsk');
  if (!q) throw new Error('no AF_XDP packet');
  await expect(pg.packets.row(q.index).locator('td').nth(1)).toHaveText('—');
  await pg.packets.row(q.index).click();
  await expect(page.getByTestId('summary-timestamp')).toHaveText('—');
  await expect(page.getByTestId('summary-hash')).toHaveText('—');
  for (const table of ['meta-fields', 'xsk-meta-fields'] as const) {
    await expect(pg.packets.metaField(table, 'rx_hash_type')).toHaveText('-95 (-EOPNOTSUPP)');
    await expect(pg.packets.metaField(table, 'rx_timestamp')).toHaveText('0 (no timestamp)');
    await expect(pg.packets.metaField(table, 'rx_hash')).toHaveText('0x00000000');
  }
  await pg.screenshot('nic-packet-none');
  pg.expectClean();
});

test('a downloaded pcap replays the same packets; a file that is not a pcap says why', async ({ page }) => {
  const pg = new PlaygroundPage(page);
  await pg.goto('/#example/xdp-metadata');
  await pg.waitForEditor();
  await pg.run();
  const generated = await finished(pg, (n) => n.total === 64);

  // Download every received packet as a pcap.
  await page.getByText('Download pcap', { exact: true }).click();
  const downloading = page.waitForEvent('download');
  await page.getByRole('button', { name: /traffic-received\.pcap/ }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toBe('traffic-received.pcap');
  const bytes = await readFile(await download.path());
  // a nanosecond pcap, little-endian (magic a1b23c4d), Ethernet, one record per packet
  expect([...bytes.subarray(0, 4)]).toEqual([0x4d, 0x3c, 0xb2, 0xa1]);
  expect(bytes.readUInt32LE(20)).toBe(1);
  expect(bytes.length).toBe(24 + generated.packets.reduce((n, x) => n + 16 + x.length, 0));

  // Replay it: the NIC sees the same frames at the same times, so the program does the same.
  await pg.openPanel('Traffic');
  await pg.traffic.pcapInput().setInputFiles({ name: 'traffic-received.pcap', mimeType: 'application/vnd.tcpdump.pcap', buffer: bytes });
  await expect(page.getByTestId('pcap-note')).toHaveText('replaying traffic-received.pcap (64 frames) — not part of share links');
  await expect(page.getByRole('tab', { name: /Traffic.*pcap/ })).toBeVisible();
  await pg.run();
  const replayed = await finished(pg, (n) => n.pcap === 'traffic-received.pcap');
  await expect(pg.packets.summary()).toContainText('64 packets replayed from traffic-received.pcap');
  const key = (x: (typeof generated.packets)[number]) => [x.queue, x.rxTimestamp, x.rxHash, x.rssType, x.action, x.length, JSON.stringify(x.fate)];
  expect(replayed.packets.map(key)).toEqual(generated.packets.map(key));
  expect(replayed.counters).toEqual(generated.counters);
  // The capture is not part of the document (nor of share links).
  expect(JSON.stringify(await page.evaluate(() => window.__playground.document()))).not.toContain('pcap');

  // Not a pcap: said at once, with the byte; the capture in use stays.
  await pg.openPanel('Traffic');
  await pg.traffic.pcapInput().setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('hello, these are notes') });
  await expect(page.getByTestId('pcap-error')).toHaveText('notes.txt: not a capture the NIC can replay: byte 0: unknown magic number 0x68656c6c: not a pcap file (a pcap starts with a1b2c3d4 or a1b23c4d, in either byte order)');
  await expect(page.getByTestId('pcap-note')).toContainText('traffic-received.pcap');
  // A capture cut short keeps its complete frames and says so.
  await pg.traffic.pcapInput().setInputFiles({ name: 'cut.pcap', mimeType: 'application/vnd.tcpdump.pcap', buffer: bytes.subarray(0, bytes.length - 10) });
  await expect(page.getByTestId('pcap-note')).toHaveText('replaying cut.pcap (63 frames) — not part of share links');
  await expect(page.getByTestId('pcap-detail')).toContainText('record 63 is incomplete');
  await expect(page.getByTestId('pcap-error')).toHaveCount(0);

  // Back to generated traffic.
  await page.getByRole('button', { name: 'Use generated traffic' }).click();
  await expect(page.getByTestId('pcap-note')).toHaveCount(0);
  await pg.run();
  const again = await finished(pg, (n) => n.pcap === undefined);
  expect(again.total).toBe(64);
  pg.expectClean();
});

test('the traffic editor keeps what is typed, says what is wrong by field, and applies what is valid', async ({ page }) => {
  const pg = new PlaygroundPage(page);
  await pg.goto('/#example/xdp-queue-counter');
  await pg.waitForEditor();
  await pg.openPanel('Traffic');
  const packets = pg.traffic.field('Packets');
  await packets.fill('0');
  await expect(pg.traffic.root().getByRole('alert').first()).toHaveText('Not applied — packets: a whole number from 1 to 10,000,000, not 0');
  await expect(packets).toHaveAttribute('aria-invalid', 'true');
  expect((await page.evaluate(() => window.__playground.document())).traffic).toBeUndefined();
  // The draft survives switching panels.
  await pg.openPanel('Maps');
  await pg.openPanel('Traffic');
  await expect(packets).toHaveValue('0');
  await packets.fill('1,000');
  await expect(packets).toHaveAttribute('aria-invalid', 'false');
  expect((await page.evaluate(() => window.__playground.document())).traffic).toMatchObject({ packets: 1000 });

  // A flow: IPv6 gives it IPv6 addresses; a bad address is kept, not applied.
  await pg.traffic.field('Flow 1 IPv6').check();
  await expect(pg.traffic.field('Flow 1 source address')).toHaveValue('2001:db8::1');
  await pg.traffic.field('Flow 1 source address').fill('2001:db8::zz');
  await expect(pg.traffic.root()).toContainText('flow 1 src: an IPv6 address such as 2001:db8::1, not "2001:db8::zz"');
  await pg.traffic.field('Flow 1 size').selectOption('range');
  await expect(pg.traffic.field('Flow 1 largest frame in bytes')).toBeVisible();
  await page.getByRole('button', { name: 'Add a flow' }).click();
  await expect(page.locator('tr[data-flow="3"]')).toBeVisible();

  // The JSON view: errors named by field path; an invalid text stays while the form changes the profile.
  await pg.traffic.openJson();
  const json = pg.traffic.json();
  await json.fill('{ "packets": 20, "queues": 99, "flows": [{ "proto": "udp", "src": "10.0.0.300", "dst": "10.0.0.2", "sport": 1, "dport": 2 }] }');
  const status = page.getByTestId('traffic-json-status');
  await expect(status).toContainText('Not applied');
  await expect(status).toContainText('queues');
  await expect(status).toContainText('flows[0].src');
  const typed = await json.inputValue();
  await pg.traffic.field('Driver').selectOption('hash-only');
  expect((await page.evaluate(() => window.__playground.document())).traffic).toMatchObject({ nic: { driver: 'hash-only' } });
  await expect(json).toHaveValue(typed);
  await expect(status).toContainText('the form has changed the profile since');
  await json.fill('{ "packets": 20, "queues": 2, "nic": { "driver": "hash-only" } }');
  await expect(status).toHaveText('Valid; in use.');
  expect((await page.evaluate(() => window.__playground.document())).traffic).toEqual({ packets: 20, queues: 2, nic: { driver: 'hash-only' } });
  await expect(pg.traffic.field('RX queues')).toHaveValue('2');
  await json.fill('{ "packets": 20, ');
  await expect(status).toContainText('line 1, column');
  await page.getByRole('button', { name: /Discard this text/ }).click();
  await expect(status).toHaveText('Valid; in use.');

  // The profile is used: 20 packets on 2 queues, no timestamps.
  await pg.run();
  const r = await finished(pg, (n) => n.total === 20);
  expect(new Set(r.packets.map((x) => x.queue)).size).toBeLessThanOrEqual(2);
  expect(r.driver).toBe('hash-only');
  await pg.openPanel('Traffic');
  await page.getByRole('button', { name: 'Reset to the default traffic' }).click();
  expect((await page.evaluate(() => window.__playground.document())).traffic).toBeUndefined();
  await expect(pg.traffic.field('Packets')).toHaveValue('64');
  pg.expectClean();
});

test('a long run shows its progress and rate; 10,000 packets are kept, filtered and paged', async ({ page }) => {
  test.setTimeout(120_000);
  const pg = new PlaygroundPage(page);
  await pg.goto('/#example/xdp-queue-counter');
  await pg.waitForEditor();
  await pg.openPanel('Traffic');
  await pg.traffic.field('Packets').fill('400000');
  await pg.openPanel('Packets');
  await pg.toolbar.button('Run').click();
  await expect(page.getByTestId('nic-progress')).toBeVisible();
  await expect(page.getByTestId('nic-pps')).toHaveText(/^[1-9][\d.,]* ?[kM]?$/);
  await pg.screenshot('nic-progress');
  const r = await finished(pg, (n) => n.total === 400_000);
  expect(r.counters.received).toBe(400_000);
  await expect(pg.packets.summary()).toContainText('the first 10,000 packets are kept');
  await expect(page.getByTestId('nic-rows')).toContainText('Packets 1–200 of 10,000');
  await expect(pg.packets.rows()).toHaveCount(200);
  await page.getByRole('button', { name: 'Next page' }).click();
  await expect(page.getByTestId('nic-rows')).toContainText('Packets 201–400 of 10,000');
  await expect(pg.packets.row(200)).toBeVisible();
  await page.getByRole('search', { name: 'Filter packets' }).getByLabel('Queue').selectOption('0');
  const q0 = (await page.getByTestId('nic-rows').textContent()) ?? '';
  expect(q0).toMatch(/of [\d,]+ matching \(of 10,000\)/);
  await page.getByRole('search', { name: 'Filter packets' }).getByLabel('Text').fill('L4_IPV6_UDP, vlan 59');
  await expect(pg.packets.rows().first()).toContainText('L4_IPV6_UDP');
  await page.getByRole('search', { name: 'Filter packets' }).getByLabel('Text').fill('no such packet');
  await expect(page.getByTestId('nic-rows')).toHaveText('No packet matches.');
  pg.expectClean();
});

test('every XDP example opens on the Packets panel and runs on the traffic under both kernel profiles', async ({ page }) => {
  const pg = new PlaygroundPage(page);
  await pg.goto('/');
  await pg.waitForEditor();
  for (const id of ['xdp-metadata', 'xdp-hash-sampler', 'xdp-queue-counter', 'xdp-to-tc-metadata']) {
    for (const profile of ['linux-6.3', 'linux-6.18']) {
      await pg.openExample(id);
      await pg.toolbar.select('Kernel').selectOption(profile);
      await expect(page.getByRole('tab', { name: /Packets/, selected: true })).toBeVisible();
      await pg.run();
      const r = await finished(pg, (n) => n.total === 64);
      expect(r.counters.received, `${id} on ${profile}`).toBe(64);
      expect(r.counters.faults, `${id} on ${profile}`).toBe(0);
      await expect(pg.notice('error')).toHaveCount(0);
      await expect(pg.packets.summary()).toContainText('64 packets of generated traffic');
      if (id === 'xdp-hash-sampler') expect(r.counters.actions.XDP_DROP).toBeGreaterThan(0);
      if (id === 'xdp-hash-sampler') expect(r.counters.actions.XDP_PASS).toBeGreaterThan(0);
      if (id === 'xdp-to-tc-metadata') expect(r.counters.tc).toEqual({ TC_ACT_OK: 64 });
      await expect(page.getByTestId('device-bound')).toHaveCount(id === 'xdp-queue-counter' ? 0 : 1);
    }
  }
  // The tc example: the tc program's view shows the metadata the XDP program left it.
  const r = await pg.nic();
  const p = r?.packets[0];
  if (!p || p.rxTimestamp === null || p.rxHash === null) throw new Error('no packet with metadata');
  await pg.packets.row(0).click();
  await expect(page.getByTestId('tc-view')).toContainText('TC_ACT_OK');
  await expect(pg.packets.metaField('tc-meta-fields', 'rx_timestamp')).toHaveText(p.rxTimestamp);
  await expect(pg.packets.metaField('tc-meta-fields', 'rx_hash')).toHaveText(hex32(p.rxHash));
  await expect(page.getByTestId('packet-trace')).toContainText(`ts=${p.rxTimestamp}`);
  pg.expectClean();
});

test('the Tier setting changes how the traffic runs, never what it gives: the same packets on every tier', async ({ page }) => {
  // xdp-metadata makes helper and kfunc calls and reads its context; xdp-queue-counter adds
  // atomics on a map value: in the WebAssembly tier, all of it runs from the module itself.
  const pg = new PlaygroundPage(page);
  await pg.goto('/');
  await pg.waitForEditor();
  for (const id of ['xdp-metadata', 'xdp-queue-counter']) {
    await pg.openExample(id);
    const seen: string[] = [];
    for (const tier of ['wasm', 'interpreter', 'compiled', 'auto']) {
      await pg.toolbar.select('Tier').selectOption(tier);
      await pg.run();
      const r = await finished(pg, (n) => n.total === 64);
      expect(r.counters.faults, `${id} on ${tier}`).toBe(0);
      seen.push(JSON.stringify({ counters: r.counters, packets: r.packets }));
    }
    expect(new Set(seen).size, `${id}: the four tiers' counters and packets`).toBe(1);
    await expect(pg.notice('error')).toHaveCount(0);
  }
  pg.expectClean();
});

test('the debugger steps an XDP program from packet to packet', async ({ page }) => {
  const pg = new PlaygroundPage(page);
  await pg.goto('/#example/xdp-metadata');
  await pg.waitForEditor();
  const lines = (await pg.source()).split('\n');
  await pg.setBreakpoints([lines.findIndex((l) => l.includes('call bpf_redirect_map')) + 1]);
  let s = await pg.continue();
  expect(s.status).toBe('breakpoint');
  expect(s.packet).toEqual({ packet: 0, total: 64 });
  await expect(page.getByTestId('nic-position')).toHaveText('packet 0 of 64');
  s = await pg.continue();
  expect(s.status).toBe('breakpoint');
  // Packet 1 is TCP (passed without reaching the redirect): the next stop is packet 2.
  expect(s.packet).toEqual({ packet: 2, total: 64 });
  await expect(page.getByTestId('nic-position')).toHaveText('packet 2 of 64');
  await expect(page.getByTestId('nic-debug-counters')).toContainText('received 3');
  pg.expectClean();
});
