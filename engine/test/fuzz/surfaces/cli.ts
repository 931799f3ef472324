// Surface cli: `bpfp` run in-process (engine/cli/main.ts) with random argv — every command, its
// options with good and bad values, unknown options and commands, Object.prototype names — over
// input files the other surfaces' generators write into a scratch folder. Output is captured;
// files the CLI writes go to the captured io, never to disk. Amounts of work stay small.

import { join } from 'node:path';
import type { Rng, Surface } from '../case.ts';
import { exampleCorpus } from '../corpus.ts';
import { hex, PROTO_NAMES } from '../mutate.ts';
import { cliAnswer, scratchDir, writeScratch } from '../scratch.ts';
import { assemblyText } from './asm-text.ts';
import { conformance } from './conformance.ts';
import { mapContentsJson, scenarioJson, trafficJson } from './json-inputs.ts';
import { pcapCase } from './net.ts';

/** A path the case gives: a file of the scratch folder (`@name`), the folder itself (`@`), or a literal path. */
type Arg = string;

export interface CliCase {
  readonly argv: readonly Arg[];
  readonly files: Readonly<Record<string, string | Uint8Array>>;
}

const COMMANDS = ['asm', 'disasm', 'run', 'conformance', 'test-run', 'xdp'];

function sometimesBad(rng: Rng, good: () => string, bad: readonly string[]): string {
  return rng.chance(0.85) ? good() : rng.pick([...bad, ...PROTO_NAMES.slice(0, 3), '', '-1', '0']);
}

function options(rng: Rng, command: string): Arg[] {
  const common: [string, () => string][] = [
    ['--dialect', () => sometimesBad(rng, () => rng.pick(['llvm', 'ubpf']), ['x86', 'LLVM'])],
    ['--isa', () => sometimesBad(rng, () => rng.pick(['v1', 'v2', 'v3', 'v4']), ['v5', '4', 'v0'])],
    ['--section', () => sometimesBad(rng, () => rng.pick(['xdp', 'raw', 'tc', 'syscall', 'tp_btf/task_newtask', 'xdp/peer']), ['nope'])],
    ['--profile', () => sometimesBad(rng, () => rng.pick(['linux-6.3', 'linux-6.18']), ['linux-5.10'])],
    ['--cpus', () => sometimesBad(rng, () => String(rng.pick([1, 2, 8, 64, 4096])), ['4097', '1.5', '1e3'])],
    ['--max-insns', () => sometimesBad(rng, () => String(rng.pick([1, 10, 1000, 100_000, 1_000_000])), ['1_000', '0x10'])],
  ];
  const own = new Map<string, [string, () => string][]>(Object.entries({
    asm: [['-o', () => '@out.bin']],
    run: [
      ['--mem', () => sometimesBad(rng, () => hex(Uint8Array.from({ length: rng.below(16) }, () => rng.below(256))), ['zz', '0', 'a b'])],
      ['--mem-file', () => rng.pick(['@mem.bin', '@missing.bin', '@'])],
    ],
    'test-run': [
      ['--scenario', () => rng.pick(['@scenario.json', '@scenario.json', '@missing.json', '@prog.s'])],
      ['--maps', () => rng.pick(['@maps.json', '@maps.json', '@missing.json'])],
      ['--data', () => sometimesBad(rng, () => hex(Uint8Array.from({ length: rng.below(80) }, () => rng.below(256))), ['xyz', '0'])],
      ['--ctx', () => sometimesBad(rng, () => hex(Uint8Array.from({ length: rng.below(24) }, () => rng.below(256))), ['g'])],
      ['--repeat', () => sometimesBad(rng, () => String(1 + rng.below(3)), ['0', '-2'])],
    ],
    xdp: [
      ['--traffic', () => rng.pick(['@traffic.json', '@traffic.json', '@missing.json', '@scenario.json'])],
      ['--packets', () => sometimesBad(rng, () => String(1 + rng.below(300)), ['0', 'many'])],
      ['--seed', () => sometimesBad(rng, () => String(rng.below(1000)), ['4294967296', '-1', 'x'])],
      ['--driver', () => sometimesBad(rng, () => rng.pick(['full', 'hash-only', 'none']), ['ixgbe'])],
      ['--pcap', () => rng.pick(['@in.pcap', '@in.pcap', '@missing.pcap', '@prog.s'])],
      ['--write-pcap', () => '@out.pcap'],
      ['--write', () => sometimesBad(rng, () => rng.pick(['received', 'passed', 'transmitted', 'redirected', 'dropped']), ['all'])],
    ],
  }));
  const pool = [...common, ...(own.get(command) ?? [])];
  const out: Arg[] = [];
  const n = rng.below(5);
  for (let i = 0; i < n; i++) {
    const [flag, value] = rng.pick(pool);
    if (rng.chance(0.15)) out.push(`${flag}=${value()}`);
    else out.push(flag, value());
  }
  if (rng.chance(0.5)) out.push('--json');
  if (command === 'xdp' && rng.chance(0.4)) out.push('--trace');
  if (rng.chance(0.08)) out.push(rng.pick(['--nope', '--json=1', '--', '-', '--trace', '--help', `--${rng.pick(PROTO_NAMES)}`, '-o']));
  return out;
}

function fileArg(rng: Rng, command: string): Arg {
  if (rng.chance(0.07)) return rng.pick(['@missing.s', '@', '/nonexistent/x.s', '', '-', ...PROTO_NAMES.slice(0, 3)]);
  if (command === 'disasm') return rng.chance(0.8) ? '@prog.bin' : '@prog.s';
  if (command === 'conformance') return '@suite';
  if (command === 'run') return rng.pick(['@prog.s', '@prog.bin', '@case.data']);
  return rng.chance(0.9) ? '@prog.s' : rng.pick(['@prog.bin', '@case.data']);
}

function programText(rng: Rng, command: string): string {
  const examples = exampleCorpus();
  const want = command === 'xdp' ? examples.filter((e) => e.id.startsWith('xdp')) : command === 'test-run' ? examples.filter((e) => !e.id.startsWith('xdp')) : examples;
  if (rng.chance(0.5) && want.length) return rng.pick(want).text;
  return assemblyText(rng, rng.chance(0.6) ? 'llvm' : 'ubpf');
}

export const cli: Surface<CliCase> = {
  name: 'cli',
  about: 'bpfp in-process (engine/cli/main.ts) with random argv over generated files; stdout and stderr captured',
  generate(rng) {
    const command = rng.chance(0.9) ? rng.pick(COMMANDS) : rng.pick(['help', '--help', '-h', '', 'verify', 'ASM', ...PROTO_NAMES]);
    const argv: Arg[] = [command];
    if (command === 'run' && rng.chance(0.3)) argv.push(fileArg(rng, command));
    if (rng.chance(0.95)) argv.push(fileArg(rng, command));
    argv.push(...options(rng, command));
    // Options before the file, as people also write them.
    if (rng.chance(0.2)) argv.push(...argv.splice(1, 1));
    const text = programText(rng, command);
    const decls = [...text.matchAll(/^\.map\s+(\S+)\s+type=(\S+)\s+key=(\d+)\s+value=(\d+)\s+max_entries=(\d+)/gm)].map((m) => ({ name: m[1] ?? 'm', type: m[2] ?? 'array', keySize: Number(m[3]), valueSize: Number(m[4]), maxEntries: Number(m[5]) }));
    const files: Record<string, string | Uint8Array> = {
      'prog.s': text,
      'prog.bin': Uint8Array.from({ length: 8 * rng.below(8) + (rng.chance(0.1) ? 3 : 0) }, (_, i) => (i % 8 === 0 ? rng.pick([0xb7, 0x95, 0x07, 0x61, 0x85, 0x05, rng.below(256)]) : rng.below(4))),
      'case.data': conformance.generate(rng, 0),
      'mem.bin': Uint8Array.from({ length: rng.below(64) }, () => rng.below(256)),
      'scenario.json': JSON.stringify(scenarioJson(rng)),
      'maps.json': JSON.stringify(mapContentsJson(rng, decls, ['xdp', 'raw'])),
      'traffic.json': rng.chance(0.95) ? JSON.stringify(trafficJson(rng)) : '{"packets": 2,',
      'in.pcap': pcapCase(rng),
    };
    // Every run gets a budget, as the other surfaces keep the work an input asks for small: an
    // endless loop calling bpf_trace_printk under the default 10,000,000 instructions runs 5–7 s
    // (seed 11 of the million-case run: 11 such cases) — the budget's size, not a hang. Drawn
    // last, so every other part of a case is what it was.
    if ((command === 'run' || command === 'test-run' || command === 'xdp') && !argv.includes('--max-insns')) argv.push('--max-insns', String(rng.pick([1000, 100_000])));
    // A forced VM tier on some runs (results must not differ), drawn after everything else for the same reason.
    if ((command === 'run' || command === 'test-run' || command === 'xdp') && rng.chance(0.3)) argv.push('--tier', sometimesBad(rng, () => rng.pick(['interpreter', 'compiled', 'wasm']), ['jit', 'WASM']));
    return { argv, files };
  },
  run(c) {
    const dir = scratchDir();
    for (const [name, data] of Object.entries(c.files)) writeScratch(dir, name, data);
    // `conformance DIR` reads the folder, whose one .data file is the case's.
    const path = (a: string): string => (a === '@' || a === '@suite' ? dir : join(dir, a.slice(1)));
    const argv = c.argv.map((a) => (a.startsWith('@') ? path(a) : a.includes('=@') ? `${a.slice(0, a.indexOf('=@'))}=${path(a.slice(a.indexOf('=@') + 1))}` : a));
    return cliAnswer(argv);
  },
  show: (c) =>
    `bpfp ${c.argv.map((a) => (/^[\w@./=:-]+$/.test(a) ? a : JSON.stringify(a))).join(' ')}\n(@NAME is a file of the scratch folder, @ the folder)\n${Object.entries(c.files)
      .map(([name, data]) => `--- @${name} ---\n${typeof data === 'string' ? data : hex(data)}`)
      .join('\n')}`,
};
