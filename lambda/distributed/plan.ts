/**
 * The plan step of the distributed mode (docs/architecture.md "Distributed mode"): takes the run lock
 * for the whole execution, records the run as running, lists the accounts to audit (Organizations,
 * include / exclude, as the single mode does) and writes them to the artifact bucket for the
 * Distributed Map. Another run holding the lock makes this execution end quietly (`skipped`).
 * First of all it reads the bundled suppressions file, as the single handler does: an invalid file
 * fails the plan before the lock, the run record or any AWS call (docs/suppressions.md), not the
 * evaluate step after the whole collection.
 */
import { defaultRunId } from '../app/pipeline';
import type { RunLock } from '../app/ports';
import { failedRunRecord, startRunRecord } from '../app/run-record';
import { RunLockedError } from '../app/store-errors';
import { listAccountTargets } from '../collect/collect';
import {
  artifactsOf,
  bundledSuppressions,
  collectOptions,
  createLogger,
  errorCode,
  errorMessage,
  type InvocationContext,
  loadDistributedConfig,
  type PlannedRun,
  type StepDeps,
  storeOf,
} from './runtime';

export type PlanResult = PlannedRun | { status: 'skipped'; reason: string; holder: string };

export async function planRun(context: InvocationContext, deps: StepDeps = {}): Promise<PlanResult> {
  const logger = deps.logger ?? createLogger();
  const clock = deps.clock ?? (() => new Date());
  const config = loadDistributedConfig(deps.env ?? process.env);
  const store = storeOf(config, deps);
  const artifacts = artifactsOf(config, deps);
  const startedAt = clock();
  const runId = defaultRunId(startedAt);
  logger.appendKeys({ runId, step: 'plan' });
  // Judged as of the run's start, as the evaluate step judges it again (it reads `startedAt`). Thrown
  // before the lock, nothing to clean up: the state machine's Catch fails the execution.
  bundledSuppressions(config, { startedAt, logger, deps });

  let lock: RunLock;
  try {
    lock = await store.acquireLock(runId, startedAt, config.runLockTtlSeconds);
  } catch (error) {
    if (error instanceof RunLockedError) {
      logger.warn('another audit run holds the run lock; this execution does nothing', {
        holder: error.holder,
      });
      return { status: 'skipped', reason: error.message, holder: error.holder };
    }
    throw error;
  }

  const record = startRunRecord(runId, startedAt, 'schedule');
  try {
    await store.putRun(record);
    // The listing stops well before this step's own timeout.
    const deadline = startedAt.getTime() + context.getRemainingTimeInMillis() - 30_000;
    const targets = await listAccountTargets(
      { ...collectOptions(config, runId), deadline },
      deps.collectDeps,
    );
    const location = await artifacts.writeAccountList(runId, targets);
    logger.info('audit run planned', { accounts: targets.length, accountList: location.key });
    return {
      status: 'planned',
      runId,
      startedAt: startedAt.toISOString(),
      lock,
      bucket: location.bucket,
      accountListKey: location.key,
      accounts: targets.length,
    };
  } catch (error) {
    // Nothing follows a failed plan (its Catch ends the execution): record it and free the lock here.
    logger.error('planning the audit run failed', { error: errorMessage(error).slice(0, 300) });
    try {
      await store.putRun(
        failedRunRecord(record, clock(), {
          stage: 'plan',
          code: errorCode(error),
          message: errorMessage(error),
        }),
      );
    } catch (recordError) {
      logger.error('could not record the failed run', { error: errorMessage(recordError) });
    }
    try {
      await store.releaseLock(lock);
    } catch (releaseError) {
      logger.warn('could not release the run lock; it expires by itself', {
        error: errorMessage(releaseError),
      });
    }
    throw error;
  }
}
