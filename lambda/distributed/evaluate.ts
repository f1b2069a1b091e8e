/**
 * The evaluate step of the distributed mode (docs/architecture.md "Distributed mode"): reads the
 * partial inventories one at a time into the model (a missing or unreadable partial becomes a
 * `NotScanned` coverage error of its account), then runs the pipeline of the single mode over the
 * whole organization — checks, suppressions, drift, store, run record, exporters, notification — and
 * releases the run lock. The pipeline's lock is the plan's: it is adopted (renewed under the same
 * holder), never taken anew. The plan checked the suppressions file already; this step reads its
 * own bundled copy again, judged as of the same start, and an invalid one fails the step before
 * anything is read; the state machine's Catch then records the run failed and releases the lock
 * (failed.ts).
 */

import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { SNSClient } from '@aws-sdk/client-sns';
import { METRICS } from '../app/metrics';
import { runAudit } from '../app/pipeline';
import type { ResultsStore, RunLock } from '../app/ports';
import { CHECKS, dependenciesOf } from '../core/checks/index';
import { runChecks } from '../core/engine';
import { type Account, INVENTORY_SCHEMA_VERSION, type Inventory } from '../core/model';
import { reduceAccount } from '../core/reduce';
import { type CompletedRunFields, completedRunFields, runOutputs } from '../lambda-runtime';
import { SnsPublisher } from '../notify/sns-publisher';
import { DISTRIBUTED_METRICS } from './metrics';
import {
  artifactsOf,
  createLogger,
  createMetrics,
  type InvocationContext,
  loadDistributedConfig,
  metricsSink,
  type PlannedRun,
  type StepDeps,
  storeOf,
} from './runtime';

export interface EvaluateResult extends CompletedRunFields {
  status: 'completed';
  accounts: CompletedRunFields['accounts'] & { partialsMissing: number };
}

export async function evaluateRun(
  event: PlannedRun,
  context: InvocationContext,
  deps: StepDeps = {},
): Promise<EvaluateResult> {
  const logger = deps.logger ?? createLogger();
  const metrics = deps.metrics ?? createMetrics();
  const clock = deps.clock ?? (() => new Date());
  const env = deps.env ?? process.env;
  const config = loadDistributedConfig(env);
  const { runId } = event;
  logger.appendKeys({ runId, step: 'evaluate' });
  // As in the single mode (lambda/handler.ts), judged as of the run's start (the plan's).
  const outputs = runOutputs(config, { startedAt: new Date(event.startedAt), env, context, logger, deps });
  const store = storeOf(config, deps);
  const artifacts = artifactsOf(config, deps);
  const publisher = config.topicArn
    ? new SnsPublisher(deps.sns ?? new SNSClient({}), config.topicArn)
    : undefined;

  let partialsMissing = 0;
  const collect = async (): Promise<Inventory> => {
    const planned = await artifacts.readAccountList(runId);
    const accounts: Account[] = [];
    for await (const read of artifacts.readPartials(runId, planned)) {
      if (read.status === 'read') {
        for (const warning of read.warnings) logger.warn('partial inventory warning', { warning });
        // One account at a time, reduced before the next is read (docs/architecture.md "Memory").
        accounts.push(reduceAccount(read.account));
        continue;
      }
      partialsMissing++;
      const target = planned[accounts.length];
      accounts.push({
        accountId: read.accountId,
        ...(target?.accountId === read.accountId && target.name ? { name: target.name } : {}),
        oidcProviders: [],
        roles: [],
        clusters: [],
        errors: [read.error],
      });
    }
    if (partialsMissing > 0) logger.warn('accounts without a partial inventory', { partialsMissing });
    return {
      schemaVersion: INVENTORY_SCHEMA_VERSION,
      generatedAt: event.startedAt.replace(/\.\d{3}Z$/, 'Z'),
      accounts,
    };
  };

  try {
    const summary = await runAudit({
      store: adoptingLock(store, event.lock, clock),
      collect,
      evaluate: (inventory) => runChecks(inventory, CHECKS),
      dependencies: dependenciesOf,
      publisher,
      notify: { mode: config.notifyMode, commandSuffix: ` --table ${config.tableName}` },
      clock: startingAt(new Date(event.startedAt), clock),
      newRunId: () => runId,
      logger,
      metrics: metricsSink(metrics),
      lockTtlSeconds: config.runLockTtlSeconds,
      trigger: 'schedule',
      ...outputs,
    });
    // The "no successful run in 26 hours" alarm watches it (infra/audit-stack.ts).
    metrics.addMetric(METRICS.runsSucceeded, MetricUnit.Count, 1);
    metrics.addMetric(DISTRIBUTED_METRICS.partialsMissing, MetricUnit.Count, partialsMissing);
    const completed = completedRunFields(summary);
    const result: EvaluateResult = {
      status: 'completed',
      ...completed,
      accounts: { ...completed.accounts, partialsMissing },
    };
    logger.info('audit run completed', { ...result });
    return result;
  } finally {
    metrics.publishStoredMetrics();
  }
}

/**
 * The store as the pipeline sees it in the evaluate step: taking the lock renews the plan's lock
 * (same holder, the run id) instead, so a lock taken over by another run fails the step (LockLost)
 * rather than being taken twice. Everything else is the store itself.
 */
function adoptingLock(store: ResultsStore, planLock: RunLock, clock: () => Date): ResultsStore {
  const adopted = Object.create(store) as ResultsStore;
  // The lease runs from now (the pipeline passes the run's start, which may be long past).
  adopted.acquireLock = async (holder, _startedAt, ttlSeconds) => {
    if (holder !== planLock.holder) {
      throw new Error(`the evaluate step runs ${planLock.holder}, not ${holder}`);
    }
    return store.renewLock(planLock, clock(), ttlSeconds);
  };
  return adopted;
}

/**
 * The clock of the evaluate step's pipeline: its first reading is the plan's start, so the run record
 * keeps when the run started (the plan wrote the same record), and every later reading is the time.
 */
function startingAt(startedAt: Date, clock: () => Date): () => Date {
  let first = true;
  return () => {
    if (!first) return clock();
    first = false;
    return startedAt;
  };
}
