/** Argument parsing on node:util parseArgs, mapping every mistake to a CliError (exit 2). */
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { CliError } from './io';

export type Options = NonNullable<ParseArgsConfig['options']>;

export interface Parsed {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

export function parse(argv: string[], options: Options, usage: string, allowPositionals = false): Parsed {
  try {
    const parsed = parseArgs({
      args: argv,
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      allowPositionals,
      strict: true,
    });
    return { values: parsed.values as Parsed['values'], positionals: parsed.positionals };
  } catch (error) {
    throw new CliError(`${(error as Error).message}\n\n${usage}`, 2, { cause: error });
  }
}

export function oneOf<T extends string>(
  value: string | undefined,
  allowed: readonly T[],
  flag: string,
  fallback: T,
): T {
  if (value === undefined) return fallback;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new CliError(`${flag} must be one of ${allowed.join(', ')} (got "${value}")`);
}

export function required(value: string | undefined, flag: string, usage: string): string {
  if (value === undefined || value === '') throw new CliError(`missing ${flag}\n\n${usage}`);
  return value;
}
