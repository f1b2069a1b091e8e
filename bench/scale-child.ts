/**
 * A step of the scale benchmark in a fresh Node process of its own, as a Lambda runs it (bench/scale.ts
 * spawns it; docs/performance.md "Scale"). Reads its input (bench/scale-process.ts `ChildInput`) as JSON
 * on stdin and prints one JSON line: its duration, its own peak RSS and the step's result.
 *
 * - `evaluate`: the distributed mode's evaluate step, with its own S3 client (s3rver) and DynamoDB
 *   client (dynalite), both the parent's, on loopback. The process holds only what that Lambda holds.
 * - `single`: the single Lambda mode. Its AWS is simulated in-process (it must be: the collectors call
 *   it), so the process's resident memory is also measured after building the simulation alone
 *   (`sim_baseline_mb`); the mode's own memory is the peak less that. The table is the parent's dynalite.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { RunArtifacts } from '../lambda/artifacts/run-artifacts';
import { evaluateRun } from '../lambda/distributed/evaluate';
import { runScheduledAudit } from '../lambda/handler';
import { ENV } from '../lambda/settings/settings';
import { createDocumentClient, DynamoResultsStore } from '../lambda/store/dynamo-store';
import { SimulatedAws, seededRandom } from './collect-sim';
import { scaleOrganization, scaleSimSettings } from './scale-org';
import {
  ACCOUNT_CONCURRENCY,
  CHILD_CONCURRENCY,
  CHILD_HEAP_MB,
  type ChildInput,
  type Endpoints,
  type EvaluateInput,
  LAMBDA_TIMEOUT_MS,
  peakRssMb,
  quietDeps,
  type SingleInput,
  timed,
} from './scale-process';

const mb = (bytes: number) => Math.round(bytes / 2 ** 20);

function storeOf(endpoints: Endpoints): DynamoResultsStore {
  return new DynamoResultsStore({
    tableName: endpoints.table,
    client: createDocumentClient({
      endpoint: endpoints.dynamo,
      region: 'us-east-1',
      credentials: { accessKeyId: 'embedded', secretAccessKey: 'embedded' },
      maxAttempts: 3,
    }),
  });
}

async function evaluate(input: EvaluateInput): Promise<Record<string, unknown>> {
  const s3 = new S3Client({
    region: 'us-east-1',
    endpoint: input.endpoints.s3,
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  });
  globalThis.gc?.();
  const rssAtStart = process.memoryUsage().rss;
  const run = await timed(1, () =>
    evaluateRun(
      input.planned,
      { getRemainingTimeInMillis: () => LAMBDA_TIMEOUT_MS },
      {
        env: input.env,
        store: storeOf(input.endpoints),
        artifacts: new RunArtifacts({ client: s3, bucket: input.endpoints.bucket }),
        ...quietDeps(),
      },
    ),
  );
  s3.destroy();
  return {
    evaluate_ms: Math.round(run.wallMs),
    peak_rss_mb: peakRssMb(),
    rss_at_start_mb: mb(rssAtStart),
    heap_limit_mb: CHILD_HEAP_MB,
    result: run.value,
  };
}

async function single(input: SingleInput): Promise<Record<string, unknown>> {
  const sim = new SimulatedAws(scaleOrganization(input.accounts), scaleSimSettings(input.compression));
  const min = sim.minCalls();
  globalThis.gc?.();
  const simBaseline = process.memoryUsage().rss;
  const run = await timed(input.compression, () =>
    runScheduledAudit(
      { getRemainingTimeInMillis: () => LAMBDA_TIMEOUT_MS },
      {
        env: {
          [ENV.table]: input.endpoints.table,
          [ENV.concurrency]: String(CHILD_CONCURRENCY),
          [ENV.accountConcurrency]: String(ACCOUNT_CONCURRENCY),
        },
        store: storeOf(input.endpoints),
        collectDeps: {
          clients: sim.clientFactory(),
          credentials: sim.callerCredentials,
          kubernetes: sim.kubernetesReader(),
          random: seededRandom(1),
        },
        ...quietDeps(),
      },
    ),
  );
  const peak = peakRssMb();
  return {
    api_calls: sim.calls,
    min_calls: min.total,
    k8s_requests: sim.kubernetesRequests,
    throttled: sim.throttled,
    modelled_wall_ms: Math.round(run.modelledMs),
    peak_rss_mb: peak,
    sim_baseline_mb: mb(simBaseline),
    own_rss_mb: peak - mb(simBaseline),
    heap_limit_mb: CHILD_HEAP_MB,
    result: run.value,
  };
}

async function main(): Promise<void> {
  let text = '';
  process.stdin.setEncoding('utf8');
  for await (const chunk of process.stdin) text += chunk;
  const input = JSON.parse(text) as ChildInput;
  const output = input.mode === 'evaluate' ? await evaluate(input) : await single(input);
  process.stdout.write(`${JSON.stringify(output)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
