import { type Account, INVENTORY_SCHEMA_VERSION, type Inventory, type InventoryScope } from '../core/model';
import { reduceAccount } from '../core/reduce';
import { collectAccountIn, emptyAccount } from './account-collector';
import { type AccountTarget, accountTargets, resolveAccountTargets } from './account-targets';
import { type CollectOptions, type CollectOptionsInput, resolveCollectOptions } from './options';
import { prefetch, runPool } from './pool';
import { type CollectDeps, createRunContext, type RunContext } from './run-context';

export type { CollectDeps } from './run-context';

/**
 * The live inventory of an organization (docs/collection.md). Accounts are collected
 * `accountsInFlight` at a time, under the global and per-account call limits, starting while the
 * Organizations listing is still paging; the inventory lists them in the organization's order. Once the deadline has passed no account is started; the rest are recorded `NotScanned`.
 * Fault-isolated: whatever fails inside an account is coverage in that account, and the run
 * completes. Only a caller that cannot run at all (no credentials, no Organizations access) throws.
 */
export async function collectInventory(
  input: CollectOptionsInput | CollectOptions,
  deps: CollectDeps = {},
): Promise<Inventory> {
  const options = resolveCollectOptions(input, process.env);
  const run = await createRunContext(options, deps);
  try {
    const generatedAt = isoAt(run);
    const accounts = await collectTargets(run, accountTargets(run));
    return {
      schemaVersion: INVENTORY_SCHEMA_VERSION,
      generatedAt,
      scope: scopeOf(options),
      ...(options.regions ? { regionFilter: [...options.regions].sort() } : {}),
      accounts,
    };
  } finally {
    run.close();
  }
}

/** The accounts a run would audit, without collecting them (`--dry-run`, Step Functions fan-out). */
export async function listAccountTargets(
  input: CollectOptionsInput | CollectOptions,
  deps: CollectDeps = {},
): Promise<AccountTarget[]> {
  const options = resolveCollectOptions(input, process.env);
  const run = await createRunContext(options, deps);
  try {
    return await resolveAccountTargets(run);
  } finally {
    run.close();
  }
}

async function collectTargets(
  run: RunContext,
  targets: readonly AccountTarget[] | AsyncIterable<AccountTarget>,
): Promise<Account[]> {
  const results: Account[] = [];
  const source = Array.isArray(targets)
    ? targets
    : prefetch(targets as AsyncIterable<AccountTarget>, () => {
        run.snapshot.accountsTotal++;
      });
  if (Array.isArray(targets)) run.snapshot.accountsTotal = targets.length;
  run.progress('run-started');
  const finish = (index: number, account: Account) => {
    // Reduced as it is finished: a run holding a whole organization shares the repeated parts from the
    // start (docs/architecture.md "Memory"); the account's facts and JSON do not change.
    results[index] = reduceAccount(account);
    run.snapshot.accountsDone++;
    run.snapshot.errors += account.errors.length;
    if (account.errors.length > 0) run.snapshot.accountsWithErrors++;
    run.progress('account-finished', { accountId: account.accountId });
  };
  await runPool(
    source,
    run.options.accountsInFlight,
    async (target, index) => {
      run.progress('account-started', { accountId: target.accountId });
      finish(index, await collectAccountIn(run, target, index));
    },
    {
      mayStart: () => !run.deadlinePassed(),
      skipped: (target, index) => finish(index, notScanned(run, target)),
      onError: (target, error, index) => {
        // collectAccountIn does not throw; this is a last line of defence for the run.
        const account = notScanned(run, target);
        account.errors = [
          {
            scope: 'account',
            parts: ['account'],
            code: 'InternalError',
            message: error instanceof Error ? error.message : String(error),
          },
        ];
        finish(index, account);
      },
    },
  );
  run.progress('done');
  return results.filter((account) => account !== undefined);
}

/** A run that names accounts, OUs or exclusions audits a selection: other accounts may hold clusters. */
function scopeOf(options: CollectOptions): InventoryScope {
  return options.accounts || options.ous || options.excludeAccounts || options.excludeOus
    ? 'selection'
    : 'organization';
}

function notScanned(run: RunContext, target: AccountTarget): Account {
  const deadline =
    run.options.deadline === undefined ? 'the deadline' : new Date(run.options.deadline).toISOString();
  return emptyAccount(run, target, [
    {
      scope: 'account',
      parts: ['account'],
      code: 'NotScanned',
      message: `Not scanned: the run's deadline (${deadline}) passed before this account could be started.`,
    },
  ]);
}

function isoAt(run: RunContext): string {
  return new Date(run.clock.now()).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
