/**
 * Lambda entry points of the distributed mode (docs/architecture.md "Distributed mode"), one per
 * state of the Step Functions state machine (infra/distributed.ts).
 */
import { type CollectBatchEvent, type CollectBatchResult, collectBatch } from './collect-batch';
import { type EvaluateResult, evaluateRun } from './evaluate';
import { type FailedRunEvent, type FailedRunResult, recordFailedRun } from './failed';
import { type PlanResult, planRun } from './plan';
import type { InvocationContext, PlannedRun } from './runtime';

export function plan(_event: unknown, context: InvocationContext): Promise<PlanResult> {
  return planRun(context);
}

export function collect(event: CollectBatchEvent, context: InvocationContext): Promise<CollectBatchResult> {
  return collectBatch(event, context);
}

export function evaluate(event: PlannedRun, context: InvocationContext): Promise<EvaluateResult> {
  return evaluateRun(event, context);
}

export function failed(event: FailedRunEvent): Promise<FailedRunResult> {
  return recordFailedRun(event);
}
