/**
 * Scale benchmark of the distributed mode (docs/performance.md "Scale"): `npm run bench:scale`.
 *
 * A simulated organization (bench/collect-sim.ts) of `--accounts N` accounts × 17 regions with, per
 * account, 2 clusters, 200 roles (every 10th trusting an EKS provider), and per cluster 50 service
 * accounts and 150 pods — at N = 10,000: 20,000 clusters, 2,000,000 roles, 1,000,000 service accounts,
 * 3,000,000 pods. The real plan, collect and evaluate steps (lambda/distributed/*) run in-process
 * against it, with the artifact bucket on s3rver and the results table on dynalite (both loopback).
 *
 * Latency model (real milliseconds, medians of /work/shared/reference/aws-limits.md §2 and its
 * simulation table): organizations:ListAccounts 150 (a page of 20), sts:AssumeRole 150,
 * sts:GetCallerIdentity 150, account:ListRegions 100, iam:GetAccountAuthorizationDetails 2,000 per page
 * of ≤1,000 roles ("1–5 s"), iam:ListOpenIDConnectProviders / GetOpenIDConnectProvider 200,
 * eks:ListClusters / DescribeCluster / ListPodIdentityAssociations / DescribePodIdentityAssociation 150.
 * Kubernetes lists are answered without latency by the simulation (its reader has no latency model),
 * so the Kubernetes time of a cluster is not in the modelled figures. Throttles: a token bucket per
 * (account, API) of burst 20, 10 requests/s (the "[E] 10 / 20" of aws-limits.md for IAM and EKS).
 *
 * Time is compressed by `--compression C` (default 20: a 2 s call sleeps 100 ms). The Map is modelled
 * as Step Functions runs it: the children are run one at a time, each timed as if alone on its own
 * Lambda (modelled duration = waiting × C + CPU), and the measured durations are then scheduled in plan
 * order onto `--concurrency` slots, which gives the map's modelled wall time. Plan and evaluate are
 * timed the same way (evaluate is CPU and loopback I/O: its time is as measured).
 *
 * Bound of the distributed run: plan's sequential chain (GetCallerIdentity + the ListAccounts pages)
 * + the larger of Σ latency / (concurrency × calls in flight per child) and the slowest child's own
 * chain, + evaluate as measured. STS's 600 AssumeRole/s per caller account is checked separately.
 *
 * One JSON line for the distributed run at N accounts and, with `--single-accounts M` (default 1,000,
 * 0 to skip), one for the single Lambda mode at M accounts.
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
import type { Pod, ServiceAccount } from '../lambda/core/model';
import { collectBatch } from '../lambda/distributed/collect-batch';
import { evaluateRun } from '../lambda/distributed/evaluate';
import { planRun } from '../lambda/distributed/plan';
import type { PlannedRun, StepDeps } from '../lambda/distributed/runtime';
import { runScheduledAudit } from '../lambda/handler';
import { ENV, SETTINGS } from '../lambda/settings/settings';
import { DynamoResultsStore } from '../lambda/store/dynamo-store';
import { startEmbeddedDynamo } from '../lambda/store/embedded';
import { generateOrganization, type SimOrganization, SimulatedAws, seededRandom } from './collect-sim';

const REAL_LATENCY_MS: Record<string, number> = {
  'organizations:ListAccounts': 150,
  'sts:AssumeRole': 150,
  'sts:GetCallerIdentity': 150,
  'account:ListRegions': 100,
  'iam:GetAccountAuthorizationDetails': 2000,
  'iam:ListOpenIDConnectProviders': 200,
  'iam:GetOpenIDConnectProvider': 200,
  'eks:ListClusters': 150,
  'eks:DescribeCluster': 150,
  'eks:ListPodIdentityAssociations': 150,
  'eks:DescribePodIdentityAssociation': 150,
};
const DEFAULT_LATENCY_MS = 150;
const LAMBDA_TIMEOUT_MS = 15 * 60_000;
/** AWS calls in flight per child (the collectors' global limit inside one Lambda). */
const CHILD_CONCURRENCY = 32;
const ACCOUNT_CONCURRENCY = 4;
const STS_ASSUME_ROLE_PER_SECOND = 600;

function argument(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 && process.argv[at + 1] ? Number(process.argv[at + 1]) : fallback;
}

const realLatency = (api: string) => REAL_LATENCY_MS[api] ?? DEFAULT_LATENCY_MS;

function organizationOf(accounts: number): SimOrganization {
  const org = generateOrganization({
    accounts,
    regions: 17,
    clusters: 2 * accounts,
    roles: 200 * accounts,
    associationsPerCluster: 2,
    seed: 11,
  });
  const random = seededRandom(5);
  for (const account of org.accounts) {
    account.eksTrustEvery = 10;
    for (const cluster of account.clusters) {
      const serviceAccounts: ServiceAccount[] = [];
      const pods: Pod[] = [];
      for (let n = 0; n < 50; n++) {
        const namespace = `ns-${n % 10}`;
        const name = `sa-${n}`;
        const annotated = random() < 0.2;
        serviceAccounts.push({
          namespace,
          name,
          annotations: annotated
            ? { 'eks.amazonaws.com/role-arn': `arn:aws:iam::${account.accountId}:role/irsa-${n * 10}` }
            : {},
        });
        for (let p = 0; p < 3; p++) {
          pods.push({
            namespace,
            name: `${name}-7d9f8-${p}`,
            serviceAccountName: name,
            phase: 'Running',
            owner: { kind: 'ReplicaSet', name: `${name}-7d9f8` },
            containers: [{ name: 'app', env: [] }],
          });
        }
      }
      cluster.serviceAccounts = serviceAccounts;
      cluster.pods = pods;
    }
  }
  return org;
}

interface Timed<T> {
  value: T;
  wallMs: number;
  cpuMs: number;
  /** Waiting scaled back to real time, CPU as measured. */
  modelledMs: number;
}

async function timed<T>(compression: number, work: () => Promise<T>): Promise<Timed<T>> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const value = await work();
  const wallMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  const cpuMs = Math.min(wallMs, (used.user + used.system) / 1000);
  return { value, wallMs, cpuMs, modelledMs: (wallMs - cpuMs) * compression + cpuMs };
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

function quietDeps() {
  const silent = { info: () => {}, warn: () => {}, error: () => {}, debug: () => {}, appendKeys: () => {} };
  const metrics = { addMetric: () => {}, publishStoredMetrics: () => {} };
  return { logger: silent as never, metrics: metrics as never };
}

async function main(): Promise<void> {
  const accounts = argument('accounts', 10_000);
  const batchSize = argument('batch', SETTINGS.mapBatchSize.default);
  const concurrency = argument('concurrency', SETTINGS.mapMaxConcurrency.default);
  const compression = argument('compression', 20);
  const singleAccounts = argument('single-accounts', 1_000);
  // Plan and the map only (the evaluate step's model of a large organization may not fit beside the
  // simulation in one process): `--skip-evaluate 1`.
  const skipEvaluate = argument('skip-evaluate', 0) === 1;
  const simLatency = (api: string) => realLatency(api) / compression;
  const bucketLimits = { capacity: 20, refillPerSecond: 10 * compression };

  const directory = mkdtempSync(join(tmpdir(), 'bench-scale-'));
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    configureBuckets: [{ name: 'bench-artifacts', configs: [] }],
  });
  const { port } = (await server.run()) as AddressInfo;
  const s3 = new S3Client({
    region: 'us-east-1',
    endpoint: `http://127.0.0.1:${port}`,
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  });
  const dynamo = await startEmbeddedDynamo({ tableName: 'bench-results' });
  try {
    const org = organizationOf(accounts);
    const sim = new SimulatedAws(org, { latencyMs: simLatency, bucket: bucketLimits });
    const min = sim.minCalls();
    const collectDeps: CollectDeps = {
      clients: sim.clientFactory(),
      credentials: sim.callerCredentials,
      kubernetes: sim.kubernetesReader(),
      random: seededRandom(1),
    };
    const env = {
      [ENV.table]: 'bench-results',
      [SETTINGS.artifactBucket.env!]: 'bench-artifacts',
      [ENV.concurrency]: String(CHILD_CONCURRENCY),
      [ENV.accountConcurrency]: String(ACCOUNT_CONCURRENCY),
    };
    const artifacts = new RunArtifacts({ client: s3, bucket: 'bench-artifacts', readAhead: 16 });
    const deps: StepDeps = {
      env,
      store: new DynamoResultsStore({ tableName: 'bench-results', client: dynamo.documentClient }),
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
    for (let at = 0; at < items.length; at += batchSize) {
      const child = await timed(compression, () =>
        collectBatch(
          { Items: items.slice(at, at + batchSize), BatchInput: { runId: planned.runId } },
          context,
          deps,
        ),
      );
      children.push(child.modelledMs);
    }
    const mapWallMs = scheduleOnSlots(children, concurrency);

    globalThis.gc?.();
    const rssBefore = process.memoryUsage().rss;
    let peakRss = rssBefore;
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }, 50);
    const evaluate = skipEvaluate
      ? { wallMs: 0, value: { findings: -1, accounts: { failed: -1 } } }
      : await timed(1, () => evaluateRun(planned, context, deps));
    clearInterval(sampler);
    peakRss = Math.max(peakRss, process.memoryUsage().rss);

    // The bound (see the header).
    let totalLatency = 0;
    let slowestAccountChain = 0;
    for (const calls of min.perAccount.values()) {
      let chain = 0;
      for (const [api, count] of calls) {
        totalLatency += count * realLatency(api);
        if (api === 'iam:GetAccountAuthorizationDetails') chain = Math.max(chain, count * realLatency(api));
      }
      slowestAccountChain = Math.max(slowestAccountChain, realLatency('sts:AssumeRole') + chain);
    }
    const planChain =
      realLatency('sts:GetCallerIdentity') +
      Math.ceil(accounts / 20) * realLatency('organizations:ListAccounts');
    const stsFloorMs = (accounts / STS_ASSUME_ROLE_PER_SECOND) * 1000;
    const mapBound = Math.max(
      totalLatency / (concurrency * CHILD_CONCURRENCY),
      slowestAccountChain,
      stsFloorMs,
    );
    const boundMs = planChain + mapBound + evaluate.wallMs;
    const wallMs = plan.modelledMs + mapWallMs + evaluate.wallMs;
    const longestChild = Math.max(...children);
    process.stdout.write(
      `${JSON.stringify({
        mode: 'distributed',
        accounts,
        api_calls: sim.calls,
        min_calls: min.total,
        calls_ratio: Number((sim.calls / min.total).toFixed(3)),
        modelled_wall_ms: Math.round(wallMs),
        bound_ms: Math.round(boundMs),
        wall_ratio: Number((wallMs / boundMs).toFixed(3)),
        plan_ms: Math.round(plan.modelledMs),
        map_wall_ms: Math.round(mapWallMs),
        children: children.length,
        batch_size: batchSize,
        max_concurrency: concurrency,
        longest_child_ms: Math.round(longestChild),
        child_timeout_ms: LAMBDA_TIMEOUT_MS,
        longest_child_share: Number((longestChild / LAMBDA_TIMEOUT_MS).toFixed(3)),
        evaluate_ms: skipEvaluate ? null : Math.round(evaluate.wallMs),
        evaluate_skipped: skipEvaluate,
        evaluate_peak_rss_mb: Math.round(peakRss / 2 ** 20),
        rss_before_evaluate_mb: Math.round(rssBefore / 2 ** 20),
        findings: evaluate.value.findings,
        accounts_failed: evaluate.value.accounts.failed,
        throttled: sim.throttled,
        sts_floor_ms: Math.round(stsFloorMs),
        compression,
      })}\n`,
    );

    if (singleAccounts > 0)
      await singleMode(singleAccounts, compression, simLatency, bucketLimits, dynamo.documentClient);
  } finally {
    s3.destroy();
    await server.close();
    await dynamo.stop();
    rmSync(directory, { recursive: true, force: true });
  }
}

async function singleMode(
  accounts: number,
  compression: number,
  simLatency: (api: string) => number,
  bucket: { capacity: number; refillPerSecond: number },
  client: DynamoDBDocumentClient,
): Promise<void> {
  const org = organizationOf(accounts);
  const sim = new SimulatedAws(org, { latencyMs: simLatency, bucket });
  const min = sim.minCalls();
  globalThis.gc?.();
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 50);
  const run = await timed(compression, () =>
    runScheduledAudit(
      { getRemainingTimeInMillis: () => LAMBDA_TIMEOUT_MS },
      {
        env: {
          [ENV.table]: 'bench-results',
          [ENV.concurrency]: String(CHILD_CONCURRENCY),
          [ENV.accountConcurrency]: String(ACCOUNT_CONCURRENCY),
        },
        store: new DynamoResultsStore({ tableName: 'bench-results', client }),
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
  clearInterval(sampler);
  process.stdout.write(
    `${JSON.stringify({
      mode: 'single',
      accounts,
      api_calls: sim.calls,
      min_calls: min.total,
      calls_ratio: Number((sim.calls / min.total).toFixed(3)),
      modelled_wall_ms: Math.round(run.modelledMs),
      lambda_timeout_ms: LAMBDA_TIMEOUT_MS,
      fits_timeout: run.modelledMs <= LAMBDA_TIMEOUT_MS,
      peak_rss_mb: Math.round(peakRss / 2 ** 20),
      status: run.value.status,
      accounts_failed: run.value.accounts?.failed,
      findings: run.value.findings,
      throttled: sim.throttled,
      compression,
    })}\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
