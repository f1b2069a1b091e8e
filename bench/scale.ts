/**
 * Scale benchmark of the distributed mode (docs/performance.md "Scale"): `npm run bench:scale`.
 *
 * A simulated organization (bench/scale-org.ts on bench/collect-sim.ts) of `--accounts N` accounts × 17
 * regions with, per account, 2 clusters and 200 roles of which 10 % are for EKS (per cluster 8 IRSA
 * roles in the shapes real tools write, each trusting an annotated service account that exists, and 2
 * Pod Identity roles with their associations), and per cluster 50 service accounts and 150 pods, the
 * webhook's variables injected — at N = 10,000: 20,000 clusters, 2,000,000 roles, 1,000,000 service
 * accounts, 3,000,000 pods. Stated defects: of the IRSA slots 1 % annotate a deleted role, 1 % have a
 * trust naming the wrong namespace, 1 % run pods the webhook did not inject; one account in 50 keeps the
 * OIDC provider of a deleted cluster. `findings_by_check` counts what the run found.
 *
 * The real plan and collect steps (lambda/distributed/*) run in this process against it, with the
 * artifact bucket on s3rver and the results table on dynalite (both loopback). The evaluate step runs
 * in a fresh Node process of its own (bench/scale-child.ts), as its Lambda would, with its own S3 and
 * DynamoDB clients to those servers: its peak RSS is that process's alone.
 *
 * Latency model (real milliseconds, medians of /work/shared/reference/aws-limits.md §2 and its
 * simulation table): organizations:ListAccounts 150 (a page of 20), sts:AssumeRole 150,
 * sts:GetCallerIdentity 150, account:ListRegions 100, iam:GetAccountAuthorizationDetails 2,000 per page
 * of ≤1,000 roles ("1–5 s"), iam:ListOpenIDConnectProviders / GetOpenIDConnectProvider 200,
 * eks:ListClusters / DescribeCluster / ListPodIdentityAssociations / DescribePodIdentityAssociation 150.
 * Kubernetes: per cluster, the service-account list and the pod list are read in parallel, each in
 * pages of 500 (`limit=500`, the reader's page size) at 150 ms a page (the k8s LIST median); the EKS
 * token is presigned locally (no call). Kubernetes requests are counted apart (`k8s_requests`), not in
 * api_calls. Throttles: a token bucket per (account, API) of burst 20, 10 requests/s (the "[E] 10 / 20"
 * of aws-limits.md for IAM and EKS).
 *
 * Time is compressed by `--compression C` (default 5: a 2 s call sleeps 400 ms; Kubernetes pages the
 * same). Not more: the simulation, s3rver and the collectors share one thread, and their CPU (which is
 * not compressed) delays the compressed timers, a delay the model then multiplies by C — at 20 the
 * children came out 1.4–1.8× their bound on this shared 2-core machine, at 5 and 10 1.1–1.2×. The Map is
 * modelled as Step Functions runs it: the children are run one at a time, each timed as if alone on its
 * own Lambda (modelled duration = waiting × C + CPU), and the measured durations are then scheduled in
 * plan order onto `--concurrency` slots, which gives the map's modelled wall time. Plan is timed the
 * same way; evaluate is CPU and loopback I/O: its time is as measured in its process.
 *
 * Bound of the distributed run: plan's sequential chain (GetCallerIdentity + the ListAccounts pages)
 * + the map's bound + evaluate as measured. The map's bound is the largest of: Σ AWS latency /
 * (slots × 32 calls in flight per child) and Σ cluster Kubernetes time / (slots × 8 clusters read at once
 * per child: the reader's own gate, beside the AWS one), with slots = min(MaxConcurrency, children); the
 * largest child's own bound (the same two pools within one child, and its slowest account's chain:
 * AssumeRole, then the longer of its IAM pages and ListRegions → ListClusters → DescribeCluster → the
 * longer of Pod Identity and the cluster's list pages — or, if longer, the time its busiest API's token
 * bucket needs: (calls − burst) ÷ rate); and STS's 600 AssumeRole/s per caller account.
 *
 * `--skip-evaluate 1` runs plan and the map only (the evaluate figures and targets are then null).
 *
 * One JSON line for the distributed run at N accounts and, with `--single-accounts M` (default 1,000,
 * 0 to skip), one for the single Lambda mode at M accounts, run in a fresh process with its simulated
 * AWS: `peak_rss_mb` is that process's, `sim_baseline_mb` its RSS with the simulation alone built, and
 * `own_rss_mb` the difference. dynalite and s3rver stay in this process for both.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import S3rver from 's3rver';
import { RunArtifacts } from '../lambda/artifacts/run-artifacts';
import type { CollectDeps } from '../lambda/collect/run-context';
import { collectBatch } from '../lambda/distributed/collect-batch';
import type { EvaluateResult } from '../lambda/distributed/evaluate';
import { planRun } from '../lambda/distributed/plan';
import type { PlannedRun, StepDeps } from '../lambda/distributed/runtime';
import type { HandlerResult } from '../lambda/handler';
import { ENV, SETTINGS } from '../lambda/settings/settings';
import { DynamoResultsStore } from '../lambda/store/dynamo-store';
import { startEmbeddedDynamo } from '../lambda/store/embedded';
import { ensureTable } from '../lambda/store/table';
import { type MinCalls, type SimAccount, SimulatedAws, seededRandom } from './collect-sim';
import {
  KUBERNETES_DEFAULTS,
  KUBERNETES_PAGE_MS,
  realLatency,
  scaleOrganization,
  scaleSimSettings,
  THROTTLE,
} from './scale-org';
import {
  ACCOUNT_CONCURRENCY,
  CHILD_CONCURRENCY,
  type Endpoints,
  LAMBDA_TIMEOUT_MS,
  quietDeps,
  runChild,
  timed,
} from './scale-process';

const STS_ASSUME_ROLE_PER_SECOND = 600;
const WALL_TARGET_MS = 30 * 60_000;
const EVALUATE_TARGET_MS = 10 * 60_000;
const EVALUATE_TARGET_MB = 4096;
const BUCKET = 'bench-artifacts';
const TABLE = 'bench-results';
const SINGLE_TABLE = 'bench-results-single';

function argument(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 && process.argv[at + 1] ? Number(process.argv[at + 1]) : fallback;
}

/** The Map's wall time: children in plan order onto `slots` concurrent slots, as MaxConcurrency does. */
function scheduleOnSlots(durations: number[], slots: number): number {
  const free = new Array<number>(Math.min(slots, durations.length)).fill(0);
  for (const duration of durations) {
    let earliest = 0;
    for (let i = 1; i < free.length; i++) if (free[i] < free[earliest]) earliest = i;
    free[earliest] += duration;
  }
  return Math.max(0, ...free);
}

const ratio = (value: number, of: number) => Number((value / of).toFixed(3));

async function findingsByCheck(
  client: DynamoDBDocumentClient,
  table: string,
): Promise<Record<string, number>> {
  const store = new DynamoResultsStore({ tableName: table, client });
  const counts: Record<string, number> = {};
  for (const finding of await store.loadOpenFindings(new Date())) {
    counts[finding.checkId] = (counts[finding.checkId] ?? 0) + 1;
  }
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => (a < b ? -1 : 1)));
}

interface Bound {
  awsPoolMs: number;
  kubernetesPoolMs: number;
  largestChildMs: number;
  slowestChainMs: number;
  stsFloorMs: number;
  /** The longest any account waits on its token buckets (part of its chain). */
  throttleFloorMs: number;
  minKubernetesRequests: number;
}

interface AccountLoad {
  awsMs: number;
  kubernetesMs: number;
  chainMs: number;
}

/** One account's AWS latency, its clusters' Kubernetes time (list pages) and its longest chain. */
function accountLoad(sim: SimulatedAws, account: SimAccount, calls: Map<string, number>) {
  const latencyOf = (api: string) => (calls.get(api) ?? 0) * realLatency(api);
  let awsMs = 0;
  for (const [api, count] of calls) awsMs += count * realLatency(api);
  let kubernetesMs = 0;
  let kubernetesRequests = 0;
  let clustersChain = 0;
  for (const region of account.regions) {
    let regionChain = realLatency('eks:ListClusters');
    for (const cluster of account.clusters.filter((each) => each.region === region)) {
      const pages = sim.kubernetesListPages(cluster);
      kubernetesRequests += pages.serviceAccounts + pages.pods;
      // The two lists of a cluster are read in parallel, each page after the last.
      const listsMs = Math.max(pages.serviceAccounts, pages.pods) * KUBERNETES_PAGE_MS;
      kubernetesMs += listsMs;
      const podIdentityMs =
        realLatency('eks:ListPodIdentityAssociations') +
        (cluster.associations.length > 0 ? realLatency('eks:DescribePodIdentityAssociation') : 0);
      regionChain = Math.max(
        regionChain,
        realLatency('eks:ListClusters') +
          realLatency('eks:DescribeCluster') +
          Math.max(podIdentityMs, listsMs),
      );
    }
    clustersChain = Math.max(clustersChain, regionChain);
  }
  const iamChain = Math.max(
    latencyOf('iam:GetAccountAuthorizationDetails'),
    latencyOf('iam:ListOpenIDConnectProviders') + realLatency('iam:GetOpenIDConnectProvider'),
  );
  const chainMs =
    latencyOf('sts:AssumeRole') + Math.max(iamChain, latencyOf('account:ListRegions') + clustersChain);
  // The throttles: no API of the account can answer more than its burst plus the refill in the time.
  let throttleMs = 0;
  for (const count of calls.values()) {
    throttleMs = Math.max(throttleMs, (Math.max(0, count - THROTTLE.burst) / THROTTLE.perSecond) * 1000);
  }
  return {
    load: { awsMs, kubernetesMs, chainMs: Math.max(chainMs, throttleMs) } satisfies AccountLoad,
    kubernetesRequests,
    throttleMs,
  };
}

/**
 * The map's lower bound and its parts (see the header). The pools are shared by the children that run
 * at once (no more than there are children); one child cannot be faster than its own accounts' bound.
 */
function mapBound(sim: SimulatedAws, min: MinCalls, batches: string[][], concurrency: number): Bound {
  const loads = new Map<string, AccountLoad>();
  let minKubernetesRequests = 0;
  let throttleFloorMs = 0;
  for (const account of sim.org.accounts) {
    const calls = min.perAccount.get(account.accountId);
    if (!calls) continue;
    const { load, kubernetesRequests, throttleMs } = accountLoad(sim, account, calls);
    loads.set(account.accountId, load);
    minKubernetesRequests += kubernetesRequests;
    throttleFloorMs = Math.max(throttleFloorMs, throttleMs);
  }
  const total = { awsMs: 0, kubernetesMs: 0, chainMs: 0 };
  let largestChildMs = 0;
  for (const batch of batches) {
    const child = { awsMs: 0, kubernetesMs: 0, chainMs: 0 };
    for (const accountId of batch) {
      const load = loads.get(accountId);
      if (!load) continue;
      child.awsMs += load.awsMs;
      child.kubernetesMs += load.kubernetesMs;
      child.chainMs = Math.max(child.chainMs, load.chainMs);
    }
    total.awsMs += child.awsMs;
    total.kubernetesMs += child.kubernetesMs;
    total.chainMs = Math.max(total.chainMs, child.chainMs);
    largestChildMs = Math.max(
      largestChildMs,
      child.awsMs / CHILD_CONCURRENCY,
      child.kubernetesMs / KUBERNETES_DEFAULTS.concurrency,
      child.chainMs,
    );
  }
  const slots = Math.max(1, Math.min(concurrency, batches.length));
  return {
    awsPoolMs: total.awsMs / (slots * CHILD_CONCURRENCY),
    kubernetesPoolMs: total.kubernetesMs / (slots * KUBERNETES_DEFAULTS.concurrency),
    largestChildMs,
    slowestChainMs: total.chainMs,
    stsFloorMs: (loads.size / STS_ASSUME_ROLE_PER_SECOND) * 1000,
    throttleFloorMs,
    minKubernetesRequests,
  };
}

interface EvaluateOutput {
  evaluate_ms: number;
  peak_rss_mb: number;
  rss_at_start_mb: number;
  heap_limit_mb: number;
  result: EvaluateResult;
}

interface SingleOutput {
  api_calls: number;
  min_calls: number;
  k8s_requests: number;
  throttled: number;
  modelled_wall_ms: number;
  peak_rss_mb: number;
  sim_baseline_mb: number;
  own_rss_mb: number;
  heap_limit_mb: number;
  result: HandlerResult;
}

async function main(): Promise<void> {
  const accounts = argument('accounts', 10_000);
  const batchSize = argument('batch', SETTINGS.mapBatchSize.default);
  const concurrency = argument('concurrency', SETTINGS.mapMaxConcurrency.default);
  const compression = argument('compression', 5);
  const singleAccounts = argument('single-accounts', 1_000);
  // Plan and the map only: `--skip-evaluate 1`.
  const skipEvaluate = argument('skip-evaluate', 0) === 1;

  const directory = mkdtempSync(join(tmpdir(), 'bench-scale-'));
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    configureBuckets: [{ name: BUCKET, configs: [] }],
  });
  const { port } = (await server.run()) as AddressInfo;
  const s3Endpoint = `http://127.0.0.1:${port}`;
  const s3 = new S3Client({
    region: 'us-east-1',
    endpoint: s3Endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  });
  const dynamo = await startEmbeddedDynamo({ tableName: TABLE });
  try {
    const sim = new SimulatedAws(scaleOrganization(accounts), scaleSimSettings(compression));
    const min = sim.minCalls();
    const collectDeps: CollectDeps = {
      clients: sim.clientFactory(),
      credentials: sim.callerCredentials,
      kubernetes: sim.kubernetesReader(),
      random: seededRandom(1),
    };
    const env = {
      [ENV.table]: TABLE,
      [SETTINGS.artifactBucket.env!]: BUCKET,
      [ENV.concurrency]: String(CHILD_CONCURRENCY),
      [ENV.accountConcurrency]: String(ACCOUNT_CONCURRENCY),
    };
    const artifacts = new RunArtifacts({ client: s3, bucket: BUCKET });
    const deps: StepDeps = {
      env,
      store: new DynamoResultsStore({ tableName: TABLE, client: dynamo.documentClient }),
      artifacts,
      collectDeps,
      ...quietDeps(),
    };
    // Not compressed: no step is cut by its deadline here; the modelled durations are compared with the
    // timeout instead (longest_child_share).
    const context = { getRemainingTimeInMillis: () => LAMBDA_TIMEOUT_MS };

    const plan = await timed(compression, () => planRun(context, deps));
    if (plan.value.status !== 'planned') throw new Error('the plan was skipped');
    const planned: PlannedRun = plan.value;
    const items = await artifacts.readAccountList(planned.runId);
    const children: number[] = [];
    const batches: string[][] = [];
    for (let at = 0; at < items.length; at += batchSize) {
      const batch = items.slice(at, at + batchSize);
      batches.push(batch.map((item) => item.accountId));
      const child = await timed(compression, () =>
        collectBatch({ Items: batch, BatchInput: { runId: planned.runId } }, context, deps),
      );
      children.push(child.modelledMs);
    }
    const mapWallMs = scheduleOnSlots(children, concurrency);

    const endpoints: Endpoints = { s3: s3Endpoint, bucket: BUCKET, dynamo: dynamo.endpoint, table: TABLE };
    const evaluate = skipEvaluate
      ? undefined
      : await runChild<EvaluateOutput>({ mode: 'evaluate', endpoints, planned, env });
    const evaluateMs = evaluate?.evaluate_ms ?? 0;

    const bound = mapBound(sim, min, batches, concurrency);
    const planChain =
      realLatency('sts:GetCallerIdentity') +
      Math.ceil(accounts / 20) * realLatency('organizations:ListAccounts');
    const mapBoundMs = Math.max(
      bound.awsPoolMs,
      bound.kubernetesPoolMs,
      bound.slowestChainMs,
      bound.stsFloorMs,
    );
    const boundMs = planChain + mapBoundMs + evaluateMs;
    const wallMs = plan.modelledMs + mapWallMs + evaluateMs;
    const longestChild = Math.max(...children);
    process.stdout.write(
      `${JSON.stringify({
        mode: 'distributed',
        accounts,
        api_calls: sim.calls,
        min_calls: min.total,
        calls_ratio: ratio(sim.calls, min.total),
        k8s_requests: sim.kubernetesRequests,
        min_k8s_requests: bound.minKubernetesRequests,
        modelled_wall_ms: Math.round(wallMs),
        bound_ms: Math.round(boundMs),
        wall_ratio: ratio(wallMs, boundMs),
        plan_ms: Math.round(plan.modelledMs),
        map_wall_ms: Math.round(mapWallMs),
        map_bound_ms: Math.round(mapBoundMs),
        map_bound_parts_ms: {
          aws_pool: Math.round(bound.awsPoolMs),
          k8s_pool: Math.round(bound.kubernetesPoolMs),
          largest_child: Math.round(bound.largestChildMs),
          slowest_account_chain: Math.round(bound.slowestChainMs),
          sts_floor: Math.round(bound.stsFloorMs),
          throttle_floor: Math.round(bound.throttleFloorMs),
        },
        children: children.length,
        batch_size: batchSize,
        max_concurrency: concurrency,
        longest_child_ms: Math.round(longestChild),
        median_child_ms: Math.round([...children].sort((a, b) => a - b)[Math.floor(children.length / 2)]),
        child_timeout_ms: LAMBDA_TIMEOUT_MS,
        longest_child_share: ratio(longestChild, LAMBDA_TIMEOUT_MS),
        evaluate_ms: evaluate?.evaluate_ms ?? null,
        evaluate_skipped: skipEvaluate,
        evaluate_peak_rss_mb: evaluate?.peak_rss_mb ?? null,
        evaluate_rss_at_start_mb: evaluate?.rss_at_start_mb ?? null,
        evaluate_heap_limit_mb: evaluate?.heap_limit_mb ?? null,
        findings: evaluate?.result.findings ?? null,
        findings_by_check: evaluate ? await findingsByCheck(dynamo.documentClient, TABLE) : null,
        accounts_failed: evaluate?.result.accounts.failed ?? null,
        throttled: sim.throttled,
        compression,
        targets: {
          wall_30min: wallMs <= WALL_TARGET_MS,
          wall_1_2x_bound: wallMs <= 1.2 * boundMs,
          child_50pct: longestChild <= 0.5 * LAMBDA_TIMEOUT_MS,
          calls_1_05x: sim.calls <= 1.05 * min.total,
          evaluate_4gb: evaluate ? evaluate.peak_rss_mb <= EVALUATE_TARGET_MB : null,
          evaluate_10min: evaluate ? evaluate.evaluate_ms <= EVALUATE_TARGET_MS : null,
        },
      })}\n`,
    );

    if (singleAccounts > 0) {
      await ensureTable(dynamo.client, SINGLE_TABLE);
      const single = await runChild<SingleOutput>({
        mode: 'single',
        endpoints: { ...endpoints, table: SINGLE_TABLE },
        accounts: singleAccounts,
        compression,
      });
      process.stdout.write(
        `${JSON.stringify({
          mode: 'single',
          accounts: singleAccounts,
          api_calls: single.api_calls,
          min_calls: single.min_calls,
          calls_ratio: ratio(single.api_calls, single.min_calls),
          k8s_requests: single.k8s_requests,
          modelled_wall_ms: single.modelled_wall_ms,
          lambda_timeout_ms: LAMBDA_TIMEOUT_MS,
          peak_rss_mb: single.peak_rss_mb,
          sim_baseline_mb: single.sim_baseline_mb,
          own_rss_mb: single.own_rss_mb,
          heap_limit_mb: single.heap_limit_mb,
          status: single.result.status,
          accounts_failed: single.result.accounts?.failed,
          findings: single.result.findings,
          findings_by_check: await findingsByCheck(dynamo.documentClient, SINGLE_TABLE),
          throttled: single.throttled,
          compression,
          targets: {
            fits_timeout: single.modelled_wall_ms <= LAMBDA_TIMEOUT_MS,
            calls_1_05x: single.api_calls <= 1.05 * single.min_calls,
          },
        })}\n`,
      );
    }
  } finally {
    s3.destroy();
    await server.close();
    await dynamo.stop();
    rmSync(directory, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
