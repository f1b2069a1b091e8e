/**
 * Collection benchmark (docs/collection.md "Benchmark"): `npm run bench:collect`.
 *
 * A simulated organization answers the collectors' SDK commands (bench/collect-sim.ts) with a fixed
 * per-API latency and token-bucket throttling per (account, API); the collectors run unchanged
 * through `collectInventory` with the simulation injected as the client factory. One JSON line per
 * size:
 *   api_calls   requests the simulation answered (throttled ones included)
 *   min_calls   the fewest the inventory allows (pages at maximum size, no per-role calls)
 *   wall_ms     collectInventory's wall time
 *   bound_ms    lower bound from latency, calls and concurrency: the largest of
 *               Σ latency / global concurrency, max over accounts of Σ latency / per-account
 *               concurrency, and the longest dependency chain (sequential pages included)
 * Targets: api_calls ≤ 1.05 × min_calls, wall_ms ≤ 1.2 × bound_ms.
 *
 * Then the Kubernetes side, through the real reader against a loopback HTTPS API server (the tests'
 * one): one JSON line per pod set with `held_mb_per_1000_pods`, the heap the read inventory holds per
 * 1,000 pods after collection (what is kept: docs/collection.md "What is kept"), beside
 * `raw_mb_per_1000_pods`, the size of the pods as the API serves them (5,000 Deployment pods with a
 * 2 KB `last-applied-configuration` and a 2 KB secret variable each).
 *
 * Options: `--size small|large|pods|all` (default all), `--latency-ms N` (default 20). Below ~10 ms the run
 * becomes CPU-bound on a small machine (decoding and parsing 200,000 trust policies and the garbage
 * collection of the resulting inventory take ~5 s of one core), and wall/bound then measures the CPU
 * rather than the collector's scheduling; `cpu_ms` is printed so that is visible.
 */
import { execFileSync } from 'node:child_process';
import { collectInventory } from '../lambda/collect/collect';
import { createKubernetesReader } from '../lambda/collect/kubernetes';
import type { CollectOptionsInput } from '../lambda/collect/options';
import { resolveCollectOptions } from '../lambda/collect/options';
import { CA_DATA, pod, startKubeServer } from '../test/collect/kube-server';
import { generateOrganization, type MinCalls, SimulatedAws, seededRandom } from './collect-sim';

interface Size {
  label: string;
  accounts: number;
  regions: number;
  clusters: number;
  roles: number;
}

const SIZES: Size[] = [
  { label: 'small', accounts: 50, regions: 17, clusters: 100, roles: 10_000 },
  { label: 'large', accounts: 1_000, regions: 17, clusters: 2_000, roles: 200_000 },
];

const CONCURRENCY = 32;
const ACCOUNT_CONCURRENCY = 4;

function argument(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 && process.argv[at + 1] ? process.argv[at + 1] : fallback;
}

/** Per-API latency: the big authorization-details page is the slow one, as in real IAM. */
function latencyOf(base: number): (api: string) => number {
  return (api) => (api === 'iam:GetAccountAuthorizationDetails' ? base * 3 : base);
}

function boundMs(min: MinCalls, latency: (api: string) => number): number {
  const weigh = (calls: Map<string, number>) => {
    let total = 0;
    for (const [api, count] of calls) total += count * latency(api);
    return total;
  };
  const pages = (calls: Map<string, number>, api: string) => (calls.get(api) ?? 0) * latency(api);
  let total = weigh(min.preamble);
  let busiestAccount = 0;
  let longestChain = 0;
  for (const calls of min.perAccount.values()) {
    const weight = weigh(calls);
    total += weight;
    busiestAccount = Math.max(busiestAccount, weight);
    // Within an account: IAM roles (sequential pages), providers (list then gets), and EKS (regions →
    // clusters → associations) proceed in parallel after AssumeRole.
    const eksChain =
      (calls.has('account:ListRegions') ? latency('account:ListRegions') : 0) +
      (calls.has('eks:ListClusters') ? latency('eks:ListClusters') : 0) +
      (calls.has('eks:DescribeCluster') ? latency('eks:DescribeCluster') : 0) +
      (calls.has('eks:ListPodIdentityAssociations') ? latency('eks:ListPodIdentityAssociations') : 0) +
      (calls.has('eks:DescribePodIdentityAssociation') ? latency('eks:DescribePodIdentityAssociation') : 0);
    const chain =
      (calls.has('sts:AssumeRole') ? latency('sts:AssumeRole') : 0) +
      Math.max(
        pages(calls, 'iam:GetAccountAuthorizationDetails'),
        latency('iam:ListOpenIDConnectProviders') +
          (calls.has('iam:GetOpenIDConnectProvider') ? latency('iam:GetOpenIDConnectProvider') : 0),
        eksChain,
      );
    longestChain = Math.max(longestChain, chain);
  }
  const preambleChain = weigh(min.preamble); // GetCallerIdentity then the ListAccounts pages, in sequence
  return Math.max(total / CONCURRENCY, busiestAccount / ACCOUNT_CONCURRENCY, preambleChain + longestChain);
}

async function runSize(size: Size, baseLatency: number, report = true): Promise<void> {
  const org = generateOrganization({ ...size, seed: 7 });
  const latency = latencyOf(baseLatency);
  // AWS-like limits (burst 20, ~10 requests/s per account and API) in the simulation's compressed
  // time: a real call takes ~100 ms, a simulated one `baseLatency`, so refills are that much faster.
  const compression = 100 / baseLatency;
  const sim = new SimulatedAws(org, {
    latencyMs: latency,
    bucket: { capacity: 20, refillPerSecond: 10 * compression },
  });
  sim.prepare();
  const min = sim.minCalls();
  const options: CollectOptionsInput = {
    runId: `bench-${size.label}`,
    concurrency: CONCURRENCY,
    accountConcurrency: ACCOUNT_CONCURRENCY,
    stormBackoffMs: baseLatency * 10,
  };
  globalThis.gc?.();
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 25);
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const inventory = await collectInventory(options, {
    clients: sim.clientFactory(),
    credentials: sim.callerCredentials,
    kubernetes: sim.kubernetesReader(),
    random: seededRandom(1),
  });
  const wallMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  clearInterval(sampler);
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  const bound = boundMs(min, latency);
  const roles = inventory.accounts.reduce((count, account) => count + account.roles.length, 0);
  const clusters = inventory.accounts.reduce((count, account) => count + account.clusters.length, 0);
  const errors = inventory.accounts.reduce((count, account) => count + account.errors.length, 0);
  if (roles !== size.roles || clusters !== size.clusters || errors !== 0) {
    throw new Error(`incomplete inventory: ${roles} roles, ${clusters} clusters, ${errors} errors`);
  }
  if (!report) return;
  process.stdout.write(
    `${JSON.stringify({
      accounts: inventory.accounts.length,
      api_calls: sim.calls,
      min_calls: min.total,
      wall_ms: Math.round(wallMs),
      bound_ms: Math.round(bound),
      peak_rss_mb: Math.round(peakRss / 2 ** 20),
      size: size.label,
      regions: size.regions,
      clusters,
      roles,
      throttled: sim.throttled,
      cpu_ms: Math.round((cpu.user + cpu.system) / 1000),
      latency_ms: baseLatency,
      concurrency: CONCURRENCY,
      account_concurrency: ACCOUNT_CONCURRENCY,
      calls_ratio: Number((sim.calls / min.total).toFixed(3)),
      wall_ratio: Number((wallMs / bound).toFixed(3)),
    })}\n`,
  );
}

interface PodSet {
  label: string;
  pods: number;
  /** Bytes of one `last-applied-configuration`-like annotation and of one secret variable. */
  payloadBytes: number;
}

// The hostile case (200 pods with 200 KB annotations and secrets) is a test
// (test/collect/kubernetes-memory.test.ts): its few hundred KB held are below this process's heap noise.
const POD_SETS: PodSet[] = [{ label: 'pods', pods: 5_000, payloadBytes: 2_000 }];

/** Heap in use after several full collections (one can leave garbage that the next frees). */
function heapAfterGc(): number {
  for (let i = 0; i < 8; i++) globalThis.gc?.();
  return process.memoryUsage().heapUsed;
}

/** A pod as a Deployment makes it: IRSA variables, a few others, labels and a large annotation. */
function podObject(index: number, payload: string) {
  const object = pod(`team-${index % 50}`, `app-${index}-7d9f8b6c5-x${index}`, {
    serviceAccountName: `app-${index % 200}`,
    replicaSet: `app-${index}-7d9f8b6c5`,
    hash: '7d9f8b6c5',
    env: [
      { name: 'AWS_ROLE_ARN', value: `arn:aws:iam::111122223333:role/app-${index % 200}` },
      {
        name: 'AWS_WEB_IDENTITY_TOKEN_FILE',
        value: '/var/run/secrets/eks.amazonaws.com/serviceaccount/token',
      },
      { name: 'AWS_STS_REGIONAL_ENDPOINTS', value: 'regional' },
      { name: 'LOG_LEVEL', value: 'info' },
      { name: 'DB_PASSWORD', value: payload },
    ],
  });
  return {
    ...object,
    metadata: {
      ...object.metadata,
      annotations: {
        'kubectl.kubernetes.io/last-applied-configuration': payload,
        'prometheus.io/scrape': 'true',
      },
    },
  };
}

async function runPods(set: PodSet): Promise<void> {
  const payload = 'x'.repeat(set.payloadBytes);
  const pods = Array.from({ length: set.pods }, (_, i) => podObject(i, payload));
  const server = await startKubeServer({ serviceAccounts: [], pods });
  try {
    const reader = createKubernetesReader({
      ...resolveCollectOptions({}).kubernetes,
      clusterTimeoutMs: 600_000,
    });
    const endpoint = {
      accountId: '111122223333',
      region: 'eu-west-1',
      name: 'bench',
      endpoint: server.url,
      caData: CA_DATA,
    };
    const before = heapAfterGc();
    const started = performance.now();
    const result = await reader.read(endpoint, 'k8s-aws-v1.bench', {
      principalArn: 'arn:aws:iam::111122223333:role/bench',
    });
    const wallMs = performance.now() - started;
    // What the read's result holds (measured in a fresh process: see main).
    const held = heapAfterGc() - before;
    if (result.status !== 'ok' || result.pods.length !== set.pods) {
      throw new Error(`pods not read: ${JSON.stringify(result).slice(0, 300)}`);
    }
    const requests = result.requests;
    const rawBytes = pods.reduce((total, object) => total + JSON.stringify(object).length, 0);
    const perThousand = (bytes: number) => Number(((bytes / 2 ** 20) * (1_000 / set.pods)).toFixed(2));
    process.stdout.write(
      `${JSON.stringify({
        size: set.label,
        pods: set.pods,
        held_mb_per_1000_pods: perThousand(held),
        raw_mb_per_1000_pods: perThousand(rawBytes),
        requests,
        wall_ms: Math.round(wallMs),
        peak_rss_mb: Math.round(process.memoryUsage().rss / 2 ** 20),
      })}\n`,
    );
  } finally {
    await server.close();
  }
}

async function main(): Promise<void> {
  const podSet = POD_SETS.find((set) => set.label === argument('pod-set', ''));
  if (podSet) return runPods(podSet);
  const which = argument('size', 'all');
  const latency = Number(argument('latency-ms', '20'));
  if (which !== 'pods') {
    // Warm-up (not reported): the first run of any code path pays for JIT compilation and lazy loading.
    await runSize(
      { label: 'warm-up', accounts: 20, regions: 17, clusters: 40, roles: 4_000 },
      latency,
      false,
    );
  }
  for (const size of SIZES) {
    if (which === 'all' || which === size.label) await runSize(size, latency);
  }
  for (const set of POD_SETS) {
    // Each in a fresh process: the heap a read holds is then not blurred by earlier runs' garbage.
    if (which === 'all' || which === set.label) {
      execFileSync(process.execPath, [...process.execArgv, process.argv[1], '--pod-set', set.label], {
        stdio: ['ignore', 'inherit', 'inherit'],
      });
    }
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
