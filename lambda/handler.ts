/**
 * The audit Lambda (docs/deployment.md): configuration from the environment, then the pipeline the
 * CLI's `run --store --notify` uses too (app/pipeline.ts) — collect → evaluate → store (drift) →
 * notify. A deadline below the Lambda timeout stops new accounts and records the rest as not scanned,
 * so the results are always stored. A stop time just before the timeout ends a run that is still
 * stuck: it records itself and releases the lock, and Lambda's retry of the same invocation does the
 * work (docs/results-table.md, "Runs that end badly"). Logs are structured (no policy documents, no
 * credentials); metrics are EMF.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { SNSClient } from '@aws-sdk/client-sns';
import { METRICS } from './app/metrics';
import { defaultRunId, runAudit } from './app/pipeline';
import type { ResultsStore } from './app/ports';
import { RunLockedError } from './app/store-errors';
import { type CollectDeps, collectInventory } from './collect/collect';
import { loadHandlerConfig } from './config';
import { CHECKS, dependenciesOf } from './core/checks/index';
import { runChecks } from './core/engine';
import {
  type CompletedRunFields,
  collectOptions,
  completedRunFields,
  createLogger,
  createMetrics,
  type InvocationContext,
  metricsSink,
  type RunOutputDeps,
  resultsStore,
  runOutputs,
} from './lambda-runtime';
import { SnsPublisher } from './notify/sns-publisher';

export type { InvocationContext } from './lambda-runtime';

/**
 * Kept free before the Lambda timeout to record the run as `failed` and release the lock when it is
 * still running then (a DynamoDB write and a delete: well under a second).
 */
export const STOP_MARGIN_MS = 5_000;

export interface HandlerResult extends Partial<CompletedRunFields> {
  status: 'completed' | 'skipped';
  /** Why the run was skipped (another run holds the lock). */
  reason?: string;
}

/** What the handler needs from outside; everything has a production default (tests inject). */
export interface HandlerDeps extends RunOutputDeps {
  env?: NodeJS.ProcessEnv;
  store?: ResultsStore;
  sns?: SNSClient;
  collectDeps?: CollectDeps;
  logger?: Logger;
  metrics?: Metrics;
  clock?: () => Date;
}

/**
 * The pipeline's metrics sink already emits findings by severity, new / resolved / open, accounts
 * audited / failed and the duration; a second `addMetric` of the same name would add a second data
 * point per run (Powertools serializes it as an array), so only what the pipeline does not emit is here.
 */
function emitRunMetrics(metrics: Metrics): void {
  // The "no successful run in 26 hours" alarm watches this one (infra/audit-stack.ts).
  metrics.addMetric(METRICS.runsSucceeded, MetricUnit.Count, 1);
}

/**
 * Which invocation this is, for the lock: the schedule's execution id when the event carries it
 * (infra/audit-stack.ts sends it), else the Lambda request id. Lambda's retries of an asynchronous
 * invocation keep both, so a retry after a timeout may take over the lock its killed attempt left.
 */
export function invocationOf(event: unknown, context: InvocationContext): string | undefined {
  const executionId =
    event && typeof event === 'object' && 'executionId' in event
      ? (event as { executionId: unknown }).executionId
      : undefined;
  if (typeof executionId === 'string' && executionId.length > 0)
    return `schedule:${executionId.slice(0, 200)}`;
  return context.awsRequestId ? `request:${context.awsRequestId.slice(0, 200)}` : undefined;
}

/** The scheduled audit of the whole organization. */
export async function runScheduledAudit(
  context: InvocationContext,
  deps: HandlerDeps = {},
  event?: unknown,
): Promise<HandlerResult> {
  const logger = deps.logger ?? createLogger();
  const metrics = deps.metrics ?? createMetrics();
  const clock = deps.clock ?? (() => new Date());
  const env = deps.env ?? process.env;
  const config = loadHandlerConfig(env);
  const started = clock();
  const runId = defaultRunId(started);
  // Stop starting accounts early enough to evaluate, store and notify before the Lambda timeout.
  const remainingMs = context.getRemainingTimeInMillis();
  const deadline = started.getTime() + remainingMs - config.deadlineMarginSeconds * 1000;
  // Past this the run records itself as failed and releases the lock before Lambda kills it.
  const stopAt = new Date(started.getTime() + Math.max(0, remainingMs - STOP_MARGIN_MS));
  const invocation = invocationOf(event, context);
  logger.appendKeys({ runId });
  // Before the lock: an invalid suppressions file means no audit at all.
  const outputs = runOutputs(config, { startedAt: started, env, context, logger, deps });
  const store = resultsStore(config, deps.store);
  const publisher = config.topicArn
    ? new SnsPublisher(deps.sns ?? new SNSClient({}), config.topicArn)
    : undefined;
  try {
    const summary = await runAudit({
      store,
      collect: () => collectInventory(collectOptions(config, runId, deadline), deps.collectDeps),
      evaluate: (inventory) => runChecks(inventory, CHECKS),
      dependencies: dependenciesOf,
      publisher,
      notify: { mode: config.notifyMode, commandSuffix: ` --table ${config.tableName}` },
      clock,
      newRunId: () => runId,
      logger,
      metrics: metricsSink(metrics),
      trigger: 'schedule',
      stopAt,
      ...(invocation === undefined ? {} : { invocation }),
      ...outputs,
    });
    emitRunMetrics(metrics);
    const result: HandlerResult = { status: 'completed', ...completedRunFields(summary) };
    logger.info('audit run completed', { ...result });
    return result;
  } catch (error) {
    if (error instanceof RunLockedError) {
      logger.warn('another audit run holds the run lock; this invocation does nothing', {
        holder: error.holder,
      });
      return { status: 'skipped', reason: error.message };
    }
    throw error;
  } finally {
    metrics.publishStoredMetrics();
  }
}

/** Lambda entry point (EventBridge Scheduler sends `{source, scheduledTime, executionId}`; any event works). */
export async function handler(event: unknown, context: InvocationContext): Promise<HandlerResult> {
  return runScheduledAudit(context, {}, event);
}
