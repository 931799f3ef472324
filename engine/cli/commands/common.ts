// Options several commands share.

import type { DialectName } from '../../asm/index.ts';
import { parseIsaLevel, type IsaLevel } from '../../isa/index.ts';
import { UsageError, type ParsedArgs } from '../args.ts';
import type { LoadOptions } from '../inputs.ts';

export function dialectOption(args: ParsedArgs): DialectName | undefined {
  const d = args.options.get('--dialect');
  if (d === undefined) return undefined;
  if (d !== 'llvm' && d !== 'ubpf') throw new UsageError(`--dialect must be llvm or ubpf, not '${d}'`);
  return d;
}

export function isaOption(args: ParsedArgs): IsaLevel | undefined {
  const v = args.options.get('--isa');
  if (v === undefined) return undefined;
  const level = parseIsaLevel(v);
  if (!level) throw new UsageError(`--isa must be v1, v2, v3 or v4, not '${v}'`);
  return level;
}

export function commonLoadOptions(args: ParsedArgs): LoadOptions {
  const dialect = dialectOption(args);
  const isa = isaOption(args);
  const section = args.options.get('--section');
  return { ...(dialect ? { dialect } : {}), ...(isa ? { isa } : {}), ...(section ? { section } : {}) };
}

export function positiveInt(args: ParsedArgs, name: string): number | undefined {
  const v = args.options.get(name);
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v.replace(/_/g, '')) || Number(v.replace(/_/g, '')) < 1) throw new UsageError(`${name} must be a positive integer, not '${v}'`);
  return Number(v.replace(/_/g, ''));
}
