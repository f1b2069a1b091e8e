/**
 * A collect child of the distributed mode (docs/architecture.md "Distributed mode"): one batch of the
 * Distributed Map's `ItemBatcher`. It collects its accounts with the collectors of the single mode
 * (retries, budgets, coverage per part, the deadline) and writes one partial inventory per account.
 * Whatever goes wrong in an account is coverage in that account's partial; a child that cannot collect
 * at all still writes a partial per account saying why. Only a failure to write the partials throws —
 * the evaluate step then reports those accounts not scanned.
 */
import type { PlannedAccount } from '../artifacts/run-artifacts';
import { collectInventory } from '../collect/collect';
import type { Account } from '../core/model';
import {
  artifactsOf,
  collectOptions,
  createLogger,
  errorCode,
  errorMessage,
  type InvocationContext,
  loadDistributedConfig,
  type StepDeps,
} from './runtime';

/** What the Distributed Map passes a child: the batch, and the `BatchInput` of every batch. */
export interface CollectBatchEvent {
  Items: PlannedAccount[];
  BatchInput: { runId: string };
}

export interface CollectBatchResult {
  runId: string;
  accounts: number;
  /** Accounts whose partial records an account-scope error (unreachable, not scanned…). */
  accountsWithAccountErrors: number;
  coverageErrors: number;
}

/** Time kept after the collection deadline for writing the partials. */
const WRITE_MARGIN_MS = 60_000;

export async function collectBatch(
  event: CollectBatchEvent,
  context: InvocationContext,
  deps: StepDeps = {},
): Promise<CollectBatchResult> {
  const logger = deps.logger ?? createLogger();
  const clock = deps.clock ?? (() => new Date());
  const config = loadDistributedConfig(deps.env ?? process.env);
  const artifacts = artifactsOf(config, deps);
  const { runId } = event.BatchInput;
  const targets = event.Items;
  logger.appendKeys({ runId, step: 'collect' });
  const startedAt = clock();
  const deadline = startedAt.getTime() + context.getRemainingTimeInMillis() - WRITE_MARGIN_MS;

  let accounts: Account[];
  let generatedAt = startedAt.toISOString().replace(/\.\d{3}Z$/, 'Z');
  try {
    const inventory = await collectInventory(
      {
        // The plan already applied the include / exclude rules: exactly this batch's accounts.
        ...collectOptions(config, runId, deadline),
        accounts: targets.map((target) => target.accountId),
        excludeAccounts: undefined,
        ous: undefined,
      },
      deps.collectDeps,
    );
    generatedAt = inventory.generatedAt ?? generatedAt;
    accounts = inventory.accounts;
  } catch (error) {
    // Nothing could be collected (no credentials, a bad option): every account says why.
    logger.error('the batch could not be collected', { error: errorMessage(error).slice(0, 300) });
    accounts = targets.map((target) => ({
      accountId: target.accountId,
      oidcProviders: [],
      roles: [],
      clusters: [],
      errors: [
        {
          scope: 'account',
          code: errorCode(error),
          message: `Not scanned: the collect step could not run: ${errorMessage(error).slice(0, 300)}`,
        },
      ],
    }));
  }

  const byId = new Map(accounts.map((account) => [account.accountId, account]));
  let accountsWithAccountErrors = 0;
  let coverageErrors = 0;
  for (const target of targets) {
    const collected = byId.get(target.accountId);
    const account: Account = collected
      ? { ...collected, ...(target.name ? { name: target.name } : {}) }
      : {
          accountId: target.accountId,
          oidcProviders: [],
          roles: [],
          clusters: [],
          errors: [
            {
              scope: 'account',
              code: 'InternalError',
              message: 'the collector returned no result for this account',
            },
          ],
        };
    if (account.errors.some((error) => error.scope === 'account')) accountsWithAccountErrors++;
    coverageErrors += account.errors.length;
    await artifacts.writePartial(runId, account, generatedAt);
  }
  const result = { runId, accounts: targets.length, accountsWithAccountErrors, coverageErrors };
  logger.info('batch collected', { ...result });
  return result;
}
