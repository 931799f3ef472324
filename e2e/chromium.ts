// Debian's Chromium and the flags every launch of it uses here, for the Playwright config and
// for the benchmark's browser section (engine/test/bench/browser-section.ts).

export const CHROMIUM = process.env['BPFP_CHROMIUM'] ?? '/usr/bin/chromium';

// Without these, Chromium keeps trying to reach Google's hosts from this closed network.
export const CHROMIUM_ARGS: readonly string[] = ['--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic', '--disable-gpu'];
