/**
 * The failure handler of the distributed mode (docs/architecture.md "Distributed mode"): the state
 * machine's Catch of the collect map and of the evaluate step. It records the run as failed and
 * releases the run lock (only if this run still holds it); the execution then fails, which alarms.
 */

import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { METRICS } from '../app/metrics';
import { failedRunRecord, startRunRecord } from '../app/run-record';
import {
  createLogger,
  createMetrics,
  errorMessage,
  loadDistributedConfig,
  type PlannedRun,
  type StepDeps,
  storeOf,
} from './runtime';

/** The plan's state with the Catch's error (`ResultPath: $.error`). */
export interface FailedRunEvent extends PlannedRun {
  /** The failed state's name (set by the state machine). */
  failedStep?: string;
  error?: { Error?: string; Cause?: string };
}

export interface FailedRunResult {
  runId: string;
  recorded: boolean;
  lockReleased: boolean;
}

const CODE_RE = /^[A-Za-z][A-Za-z0-9.]{0,80}$/;

export async function recordFailedRun(event: FailedRunEvent, deps: StepDeps = {}): Promise<FailedRunResult> {
  const logger = deps.logger ?? createLogger();
  const metrics = deps.metrics ?? createMetrics();
  const clock = deps.clock ?? (() => new Date());
  const config = loadDistributedConfig(deps.env ?? process.env);
  const store = storeOf(config, deps);
  const { runId } = event;
  logger.appendKeys({ runId, step: 'failed' });
  const rawCode = event.error?.Error ?? 'StepFailed';
  // States.* errors (States.ExceedToleratedFailureThreshold, States.Timeout…) keep their name.
  const code = CODE_RE.test(rawCode) ? rawCode : 'StepFailed';
  const message = causeMessage(event.error?.Cause) ?? `the ${event.failedStep ?? 'audit'} step failed`;
  logger.error('audit run failed', { failedStep: event.failedStep, code, error: message.slice(0, 300) });

  let recorded = false;
  try {
    const started = startRunRecord(runId, new Date(event.startedAt), 'schedule');
    await store.putRun(
      failedRunRecord(started, clock(), { stage: event.failedStep ?? 'distributed', code, message }),
    );
    recorded = true;
  } catch (error) {
    logger.error('could not record the failed run', { error: errorMessage(error) });
  }
  let lockReleased = false;
  try {
    lockReleased = await store.releaseLock(event.lock);
  } catch (error) {
    logger.warn('could not release the run lock; it expires by itself', { error: errorMessage(error) });
  }
  metrics.addMetric(METRICS.runFailed, MetricUnit.Count, 1);
  metrics.publishStoredMetrics();
  return { runId, recorded, lockReleased };
}

/** A Lambda error's Cause is JSON with `errorMessage`; a Map's is text. Never a stack trace. */
function causeMessage(cause: string | undefined): string | undefined {
  if (!cause) return undefined;
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    if (typeof parsed.errorMessage === 'string') return parsed.errorMessage;
  } catch {
    // Not JSON: the text itself.
  }
  return cause;
}
