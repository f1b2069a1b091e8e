/**
 * The distributed mode's state machine (infra/distributed.ts) run in-process, for the handler tests
 * and `npm run bench:scale`: plan → a Distributed Map over the account list (ItemReader, ItemBatcher,
 * MaxConcurrency, a per-child timeout, ToleratedFailurePercentage) → evaluate, with the Catch to the
 * failure handler. It drives the real step functions (lambda/distributed/*); only the orchestration is
 * simulated, with the semantics the state machine gives it.
 */
import type { PlannedAccount } from '../lambda/artifacts/run-artifacts';
import type { CollectBatchEvent, CollectBatchResult } from '../lambda/distributed/collect-batch';
import type { EvaluateResult } from '../lambda/distributed/evaluate';
import type { FailedRunEvent, FailedRunResult } from '../lambda/distributed/failed';
import type { PlanResult } from '../lambda/distributed/plan';
import type { PlannedRun } from '../lambda/distributed/runtime';

export interface StateMachineSteps {
  plan(): Promise<PlanResult>;
  /** The ItemReader: the plan's account list. */
  readItems(run: PlannedRun): Promise<PlannedAccount[]>;
  /** One child; `index` is the batch's position. It may throw (a failed child) or never settle. */
  collect(event: CollectBatchEvent, index: number): Promise<CollectBatchResult>;
  evaluate(run: PlannedRun): Promise<EvaluateResult>;
  failed(event: FailedRunEvent): Promise<FailedRunResult>;
}

export interface MapSettings {
  batchSize: number;
  maxConcurrency: number;
  toleratedFailurePercentage: number;
  /** A child still running after this long counts as timed out (its result is dropped). */
  childTimeoutMs: number;
}

export interface ChildOutcome {
  index: number;
  accounts: number;
  status: 'succeeded' | 'failed' | 'timedOut';
  durationMs: number;
  error?: string;
}

export interface ExecutionOutcome {
  status: 'succeeded' | 'skipped' | 'failed';
  plan?: PlanResult;
  children: ChildOutcome[];
  evaluate?: EvaluateResult;
  failed?: FailedRunResult;
  error?: { Error: string; Cause: string };
}

export async function runExecution(steps: StateMachineSteps, map: MapSettings): Promise<ExecutionOutcome> {
  const plan = await steps.plan();
  if (plan.status === 'skipped') return { status: 'skipped', plan, children: [] };
  const children: ChildOutcome[] = [];
  const fail = async (failedStep: string, error: { Error: string; Cause: string }) => {
    const failed = await steps.failed({ ...plan, failedStep, error });
    return { status: 'failed' as const, plan, children, failed, error };
  };

  const items = await steps.readItems(plan);
  const batches: PlannedAccount[][] = [];
  for (let at = 0; at < items.length; at += map.batchSize) batches.push(items.slice(at, at + map.batchSize));
  let next = 0;
  const worker = async () => {
    while (next < batches.length) {
      const index = next++;
      const started = performance.now();
      const event: CollectBatchEvent = { Items: batches[index], BatchInput: { runId: plan.runId } };
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), map.childTimeoutMs);
      });
      try {
        const result = await Promise.race([steps.collect(event, index), timeout]);
        children[index] = {
          index,
          accounts: batches[index].length,
          status: result === 'timeout' ? 'timedOut' : 'succeeded',
          durationMs: performance.now() - started,
        };
      } catch (error) {
        children[index] = {
          index,
          accounts: batches[index].length,
          status: 'failed',
          durationMs: performance.now() - started,
          error: error instanceof Error ? error.message : String(error),
        };
      } finally {
        clearTimeout(timer);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(map.maxConcurrency, batches.length) }, worker));

  const unsuccessful = children.filter((child) => child.status !== 'succeeded').length;
  if (batches.length > 0 && (unsuccessful * 100) / batches.length > map.toleratedFailurePercentage) {
    return fail('CollectAccounts', {
      Error: 'States.ExceedToleratedFailureThreshold',
      Cause: `${unsuccessful} of ${batches.length} collect children failed or timed out`,
    });
  }
  try {
    const evaluate = await steps.evaluate(plan);
    return { status: 'succeeded', plan, children, evaluate };
  } catch (error) {
    return fail('Evaluate', {
      Error: error instanceof Error ? error.name : 'Error',
      Cause: JSON.stringify({ errorMessage: error instanceof Error ? error.message : String(error) }),
    });
  }
}
