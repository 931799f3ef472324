// Every input surface of the product, in the order `--surface all` runs them.

import type { Surface } from '../case.ts';
import { asmLlvm, asmUbpf } from './asm.ts';
import { bytecode } from './bytecode.ts';
import { cli } from './cli.ts';
import { conformance } from './conformance.ts';
import { drafts } from './drafts.ts';
import { maps, scenario } from './kernel.ts';
import { pcap, traffic } from './net.ts';
import { selftest } from './selftest.ts';
import { bpfpJson, share } from './share.ts';

export const SURFACES: readonly Surface[] = [asmLlvm, asmUbpf, bytecode, conformance, share, bpfpJson, pcap, traffic, scenario, maps, drafts, cli];

/** By name, the harness's own test surface included. */
export function surfaceByName(name: string): Surface | undefined {
  return [...SURFACES, selftest].find((s) => s.name === name);
}
