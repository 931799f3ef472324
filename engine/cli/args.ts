// A small argv parser: positional arguments, `--flag`, `--opt VALUE`, `--opt=VALUE`, `-o VALUE`.

export interface ParsedArgs {
  readonly positional: string[];
  readonly options: Map<string, string>;
  readonly flags: Set<string>;
}

export class UsageError extends Error {}

/**
 * `valued` lists the options that take a value; anything else starting with `-` is a flag.
 * Unknown options are reported by the caller, which knows what each command accepts.
 */
export function parseArgs(argv: readonly string[], valued: ReadonlySet<string>): ParsedArgs {
  const positional: string[] = [];
  const options = new Map<string, string>();
  const flags = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    if (a === '--') {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (a.startsWith('-') && a !== '-') {
      const eq = a.indexOf('=');
      const name = eq > 0 ? a.slice(0, eq) : a;
      if (valued.has(name)) {
        const value = eq > 0 ? a.slice(eq + 1) : argv[++i];
        if (value === undefined) throw new UsageError(`${name} needs a value`);
        options.set(name, value);
      } else {
        if (eq > 0) throw new UsageError(`${name} does not take a value`);
        flags.add(name);
      }
      continue;
    }
    positional.push(a);
  }
  return { positional, options, flags };
}

export function checkKnown(args: ParsedArgs, allowed: readonly string[]): void {
  for (const k of [...args.options.keys(), ...args.flags]) {
    if (!allowed.includes(k)) throw new UsageError(`unknown option ${k}`);
  }
}
