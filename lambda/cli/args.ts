/**
 * Option values as the commands read them, and the checks every flag shares: one allowed value,
 * lists (repeatable and comma-separated), severities, check ids. Every mistake is a CliError (exit 2)
 * that says what is accepted and, for a typo, the nearest valid value.
 */
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { CHECKS } from '../core/checks/index';
import { SEVERITIES, type Severity } from '../core/model';
import { CliError } from './io';

/** A command's option values, keyed by the long flag without its dashes (`fail-on`). */
export type Values = Record<string, string | boolean | string[] | undefined>;

export function oneOf<T extends string>(
  value: string | undefined,
  allowed: readonly T[],
  flag: string,
  fallback: T,
): T {
  if (value === undefined) return fallback;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new CliError(
    `${flag} must be one of ${allowed.join(', ')} (got "${value}")${didYouMean(value, allowed)}`,
  );
}

export function required(value: string | undefined, flag: string, usage: string): string {
  if (value === undefined || value === '') throw new CliError(`missing ${flag}\n\n${usage}`);
  return value;
}

export function str(values: Values, flag: string): string | undefined {
  const value = values[flag];
  if (Array.isArray(value)) return value.at(-1);
  return typeof value === 'string' ? value : undefined;
}

/** Every item of a list flag: repeated (`--check A --check B`) and comma-separated (`--check A,B`). */
export function listOf(values: Values, flag: string): string[] | undefined {
  const value = values[flag];
  if (value === undefined || typeof value === 'boolean') return undefined;
  const items = (Array.isArray(value) ? value : [value])
    .flatMap((item) => item.split(','))
    .map((item) => item.trim())
    .filter(Boolean);
  return items.length ? [...new Set(items)] : undefined;
}

/**
 * `--severity` and `--fail-on`: one severity means it and everything worse (`high` = critical and
 * high); a list names exactly the severities it wants (`critical,low`).
 */
export function severitiesOf(values: Values, flag: string): ReadonlySet<Severity> | undefined {
  const items = listOf(values, flag);
  if (!items) return undefined;
  for (const item of items) oneOf<Severity>(item, SEVERITIES, `--${flag}`, 'info');
  const chosen = items as Severity[];
  if (chosen.length === 1) return new Set(SEVERITIES.slice(0, SEVERITIES.indexOf(chosen[0]) + 1));
  return new Set(chosen);
}

/** Check ids of a list flag, each one a check that exists: a typo is an error naming the nearest ids. */
export function checkIdsOf(values: Values, flag: string): ReadonlySet<string> | undefined {
  const items = listOf(values, flag);
  if (!items) return undefined;
  const known = CHECKS.map((check) => check.id);
  for (const item of items) {
    if (!known.includes(item)) {
      const near = nearest(item, known, 3);
      throw new CliError(
        `--${flag}: no check "${item}"${near.length ? `; nearest: ${near.join(', ')}` : ''} (all checks: docs/checks.md)`,
      );
    }
  }
  return new Set(items);
}

export function didYouMean(value: string, candidates: readonly string[]): string {
  const [best] = nearest(value, candidates, 1);
  return best ? `; did you mean "${best}"?` : '';
}

/**
 * The candidates closest to `value` by edit distance, best first: those within a third of the
 * word's length, or containing it (`role-untrustd` → `sa.role-untrusted`).
 */
export function nearest(value: string, candidates: readonly string[], count: number): string[] {
  const scored = candidates
    .map((candidate) => {
      const distance = Math.min(
        editDistance(value, candidate),
        editDistance(value, candidate.slice(candidate.indexOf('.') + 1)),
      );
      return { candidate, distance };
    })
    .filter(
      ({ candidate, distance }) =>
        distance <= Math.max(2, Math.floor(value.length / 3)) ||
        (value.length >= 3 && candidate.includes(value)),
    )
    .sort((a, b) => a.distance - b.distance || (a.candidate < b.candidate ? -1 : 1));
  return scored.slice(0, count).map(({ candidate }) => candidate);
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        previous[j] + 1,
        current[j - 1] + 1,
        previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length];
}

export type Options = NonNullable<ParseArgsConfig['options']>;

export interface Parsed {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

/**
 * `node:util` parsing for a command registered with `rawCommand` (program.ts), which parses its own
 * arguments; every mistake is a CliError (exit 2).
 */
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
