/**
 * One error base: every error class declared in lambda/ or infra/ extends AuditorError, names
 * itself, and carries a code of the one closed PascalCase union. The classes are found by scanning
 * the sources, so a new class that is missing from the table below fails here.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { PipelineError, RunStoppedError } from '../../lambda/app/pipeline';
import { LockLostError, RunLockedError, StoreError } from '../../lambda/app/store-errors';
import { CliError } from '../../lambda/cli/io';
import { AssumeRoleError } from '../../lambda/collect/credentials';
import {
  CollectError,
  MissingCredentialsError,
  OrganizationsAccessError,
  PaginationError,
} from '../../lambda/collect/errors';
import { ClusterBudgetExceeded, ListExpiredError } from '../../lambda/collect/unreachable';
import { AuditorError, ERROR_CODES } from '../../lambda/core/errors';
import { ExplainTargetError } from '../../lambda/core/explain/target';
import { InventoryError } from '../../lambda/core/inventory/errors';
import { ConfigError } from '../../lambda/settings/read';

const REPO = join(__dirname, '..', '..');

/** One instance of each error class, as the code throws it. */
const SAMPLES: Record<string, AuditorError> = {
  AuditorError: new AuditorError('UsageError', 'base'),
  PipelineError: new PipelineError('CollectFailed', 'collect', 'run-1', 'collect failed'),
  RunStoppedError: new RunStoppedError(new Date('2026-11-29T03:14:55.000Z')),
  StoreError: new StoreError('WriteFailed', 'write failed'),
  RunLockedError: new RunLockedError('run-0', undefined),
  LockLostError: new LockLostError('run-0'),
  CliError: new CliError('bad flag'),
  CollectError: new CollectError('ClusterNotFound', 'no such cluster'),
  AssumeRoleError: new AssumeRoleError('arn:aws:iam::111122223333:role/member', 'AccessDenied'),
  MissingCredentialsError: new MissingCredentialsError('none'),
  OrganizationsAccessError: new OrganizationsAccessError('denied'),
  PaginationError: new PaginationError('iam:ListRoles', 'the same page token twice'),
  ClusterBudgetExceeded: new ClusterBudgetExceeded(60_000),
  ListExpiredError: new ListExpiredError('Pod', 2),
  ExplainTargetError: new ExplainTargetError('no such cluster', ['prod']),
  InventoryError: new InventoryError('InventoryInvalid', 'bad', { source: 'inventory.json' }),
  ConfigError: new ConfigError(['bad'], 'flags'),
};

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory())
      return entry.name === 'node_modules' || entry.name === 'cdk.out' ? [] : sources(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** Every `class X extends Y` of the sources: name → parent and file. */
const declared = new Map<string, { parent: string; file: string }>();
for (const file of [...sources(join(REPO, 'lambda')), ...sources(join(REPO, 'infra'))]) {
  for (const match of readFileSync(file, 'utf8').matchAll(/\bclass\s+(\w+)\s+extends\s+(\w+)/g)) {
    declared.set(match[1], { parent: match[2], file: relative(REPO, file) });
  }
}

function extendsError(name: string): boolean {
  for (let current = name, depth = 0; depth < 10; depth++) {
    if (current === 'Error') return true;
    const next = declared.get(current);
    if (!next) return false;
    current = next.parent;
  }
  return false;
}

const errorClasses = [...declared.keys()].filter(extendsError).sort();

describe('the error classes', () => {
  it('are found in the sources', () => {
    expect(errorClasses.length).toBeGreaterThanOrEqual(15);
  });

  it('extend Error only through AuditorError (lambda/core/errors.ts)', () => {
    const direct = errorClasses.filter((name) => declared.get(name)?.parent === 'Error');

    expect(direct).toEqual(['AuditorError']);
    expect(declared.get('AuditorError')?.file).toBe('lambda/core/errors.ts');
  });

  it('each have a sample here', () => {
    expect(errorClasses).toEqual(Object.keys(SAMPLES).sort());
  });

  it.each(Object.entries(SAMPLES))(
    '%s is an AuditorError with its own name and a code of the union',
    (name, error) => {
      expect(error).toBeInstanceOf(AuditorError);
      expect(error).toBeInstanceOf(Error);
      expect(error.name).toBe(name);
      expect(ERROR_CODES).toContain(error.code);
    },
  );

  it('keep their cause', () => {
    const cause = new Error('socket hang up');

    expect(new StoreError('ReadFailed', 'read failed', { cause }).cause).toBe(cause);
    expect(new InventoryError('InventoryUnreadable', 'x', { source: 'f', cause }).cause).toBe(cause);
    expect(new CliError('x', 2, { cause }).cause).toBe(cause);
  });
});

describe('the error codes', () => {
  it('are PascalCase, like AWS error codes, and unique', () => {
    for (const code of ERROR_CODES) expect(code).toMatch(/^[A-Z][a-z0-9]+(?:[A-Z][a-z0-9]+)*$/);
    expect(new Set(ERROR_CODES).size).toBe(ERROR_CODES.length);
  });
});
