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
 * Options: `--size small|large|all` (default all), `--latency-ms N` (default 20). Below ~10 ms the run
 * becomes CPU-bound on a small machine (decoding and parsing 200,000 trust policies and the garbage
 * collection of the resulting inventory take ~5 s of one core), and wall/bound then measures the CPU
 * rather than the collector's scheduling; `cpu_ms` is printed so that is visible.
 */
import { collectInventory } from '../lambda/collect/collect';
import type { CollectOptionsInput } from '../lambda/collect/options';
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

async function main(): Promise<void> {
  const which = argument('size', 'all');
  const latency = Number(argument('latency-ms', '20'));
  // Warm-up (not reported): the first run of any code path pays for JIT compilation and lazy loading.
  await runSize({ label: 'warm-up', accounts: 20, regions: 17, clusters: 40, roles: 4_000 }, latency, false);
  for (const size of SIZES) {
    if (which === 'all' || which === size.label) await runSize(size, latency);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
