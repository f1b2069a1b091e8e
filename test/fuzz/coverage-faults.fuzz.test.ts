/**
 * "Not read is never shown as fixed" (docs/architecture.md, "Coverage"), as a property: two runs over the
 * simulated organization, the second with random faults on any subset of its calls — denied, throttled
 * past the retries, timed out, a server error, Kubernetes 401 / 403 / 410 / 5xx / timeout, a deadline
 * cut at a random call, a narrower account selection or region list — and, half of the time, some real fixes made
 * between the runs.
 *
 * The fault injection is at the fastest layer that still runs the real code: the real collector
 * (`collectInventory`, its retries, classification and coverage records) on the in-memory AWS fake
 * (`SimulatedAws.clientFactory`, no SDK, no mock library), with the real Kubernetes failure
 * classification (`unreachableReason`) behind an in-memory reader; then the real engine and drift.
 * Injecting into a finished inventory instead would test a copy of the collector's bookkeeping, not
 * the collector. One run costs about a millisecond, so CI runs thousands of seeds in seconds.
 *
 * The oracle is independent of coverage.ts: the truth is a fault-free, full-scope run over the same
 * organization state. A finding may resolve only when the truth does not have it either; with no
 * fault and the full scope, exactly the fixed findings resolve (so the test can fail both ways); and a
 * finding of the truth whose every dependency run 2 read must be reported by run 2.
 */
import { ApiException } from '@kubernetes/client-node';
import fc from 'fast-check';
import {
  generatedRole,
  type SimAccount,
  type SimCall,
  type SimOrganization,
  SimulatedAws,
  serviceError,
} from '../../bench/collect-sim';
import { collectInventory } from '../../lambda/collect/collect';
import type { KubernetesReader } from '../../lambda/collect/kubernetes';
import { ClusterBudgetExceeded, ListExpiredError, unreachableReason } from '../../lambda/collect/unreachable';
import { CHECKS, dependenciesOf } from '../../lambda/core/checks/index';
import { coverageOf } from '../../lambda/core/coverage';
import { computeDrift, uncollectedReason } from '../../lambda/core/drift';
import { runChecks } from '../../lambda/core/engine';
import type { Finding } from '../../lambda/core/findings';
import type { Inventory } from '../../lambda/core/model';
import type { ScanResult } from '../../lambda/core/scan-result';
import { awsDocsTrust, oidcProvider } from '../../scripts/shapes/trust-policies';
import { account, accountId, CALLER, cluster, organization } from '../collect/org-fixture';

const SEEDS = Number(process.env.COVERAGE_FUZZ_RUNS ?? 2000);

/** Changes made to the organization between the runs (each one resolves some findings of run 1). */
const FIXES = ['provider-for-c1b', 'association-role', 'orphan-provider', 'ghost-subject'] as const;
type Fix = (typeof FIXES)[number];

const A1 = accountId(1);
const A2 = accountId(2);
const A3 = accountId(3);
const ORPHAN = 'oidc.eks.eu-west-1.amazonaws.com/id/DEADBEEFDEADBEEFDEADBEEFDEADBEEF';

/**
 * Four accounts with findings of every kind of dependency: a cluster without a provider (describe +
 * providers), an association to a missing role (Pod Identity + IAM), an orphaned provider and the roles
 * trusting it (cluster lists of every region), service accounts whose roles do not trust them
 * (Kubernetes), and a role in A3 trusting a subject of A1's cluster that does not exist (cross-account).
 */
function buildOrg(fixes: ReadonlySet<Fix>): SimOrganization {
  const a0 = account(0);
  const c1 = cluster(A1, 'eu-west-1', 'c1');
  const c1b = cluster(A1, 'us-east-1', 'c1b');
  const a1 = account(1, { clusters: [c1, c1b] });
  if (!fixes.has('provider-for-c1b')) a1.providers = a1.providers.slice(0, 1);
  const c2 = cluster(A2, 'eu-west-1', 'c2');
  c2.associations.push({
    associationId: 'a-c2-missing',
    namespace: 'payments',
    serviceAccount: 'api',
    roleArn: `arn:aws:iam::${A2}:role/${fixes.has('association-role') ? 'irsa-2' : 'irsa-9'}`,
  });
  const a2 = account(2, { clusters: [c2] });
  if (!fixes.has('orphan-provider')) a2.providers.push({ url: ORPHAN, clientIds: ['sts.amazonaws.com'] });
  const c1Issuer = c1.issuer!.replace('https://', '');
  const a3: SimAccount = account(3, {
    clusters: [],
    roleCount: 0,
    providers: [{ url: c1Issuer, clientIds: ['sts.amazonaws.com'] }],
  });
  const subject = fixes.has('ghost-subject') ? 'api' : 'ghost';
  a3.roles = [
    generatedRole(
      a3,
      7,
      encodeURIComponent(JSON.stringify(awsDocsTrust(oidcProvider(A3, c1Issuer), 'payments', subject))),
    ),
  ];
  return organization([a0, a1, a2, a3]);
}

type AwsFault = 'denied' | 'throttled' | 'timeout' | 'server';
type KubernetesFault = 401 | 403 | 410 | 500 | 'timeout';

/** The calls faults may hit (the organization listing and the caller's identity fail the whole run). */
const FAULTABLE = [
  'AssumeRole',
  'ListRegions',
  'GetAccountAuthorizationDetails',
  'ListOpenIDConnectProviders',
  'GetOpenIDConnectProvider',
  'ListClusters',
  'DescribeCluster',
  'ListPodIdentityAssociations',
  'DescribePodIdentityAssociation',
  'kubernetes',
] as const;

interface Faults {
  /** Seeds the per-call choice: a call of `apis` fails when its hash falls under `rate`. */
  salt: number;
  rate: number;
  apis: string[];
  aws: AwsFault[];
  kubernetes: KubernetesFault[];
  /** Cut the run after this many AWS calls (the deadline passes). */
  deadlineAfterCalls?: number;
  /** Audit only these accounts. */
  accounts?: string[];
  /** Audit only these regions (`--regions`). */
  regions?: string[];
}

function hash(text: string, salt: number): number {
  let h = salt ^ 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  h ^= h >>> 15;
  return (h >>> 0) / 0x100000000;
}

/** A fault is a property of the call, not of the attempt: retries meet it again ("past retries"). */
function callKey(call: SimCall): string {
  const input = call.input;
  return [
    call.api,
    call.accountId,
    call.region,
    input.RoleArn,
    input.name,
    input.clusterName,
    input.associationId,
    input.OpenIDConnectProviderArn,
    input.Marker,
    input.NextToken,
    input.nextToken,
  ].join('|');
}

function awsError(fault: AwsFault): Error {
  switch (fault) {
    case 'denied':
      return serviceError('AccessDeniedException', 'explicit deny in a service control policy', 403);
    case 'throttled':
      return serviceError('ThrottlingException', 'Rate exceeded', 400);
    case 'timeout':
      return Object.assign(new Error('socket timed out'), { name: 'TimeoutError' });
    case 'server':
      return serviceError('InternalFailure', 'internal error', 500);
  }
}

function kubernetesCause(fault: KubernetesFault): unknown {
  if (fault === 410) return new ListExpiredError('pods', 2);
  if (fault === 'timeout') return new ClusterBudgetExceeded(60_000);
  return new ApiException(fault, 'injected', undefined, {});
}

async function collect(org: SimOrganization, faults?: Faults): Promise<Inventory> {
  const sim = new SimulatedAws(org, {
    sleep: async () => {},
    fail: (call) => {
      if (!faults || faults.aws.length === 0 || !faults.apis.includes(call.api)) return undefined;
      const key = callKey(call);
      if (hash(key, faults.salt) >= faults.rate) return undefined;
      return awsError(faults.aws[Math.floor(hash(key, faults.salt + 1) * faults.aws.length)]);
    },
  });
  const simulated = sim.kubernetesReader();
  const settings = { requestTimeoutMs: 10_000, clusterTimeoutMs: 60_000 };
  const kubernetes: KubernetesReader = {
    read: async (endpoint, token, hint, filter) => {
      const key = `k8s|${endpoint.accountId}|${endpoint.region}|${endpoint.name}`;
      if (
        faults &&
        faults.kubernetes.length > 0 &&
        faults.apis.includes('kubernetes') &&
        hash(key, faults.salt) < faults.rate
      ) {
        const fault = faults.kubernetes[Math.floor(hash(key, faults.salt + 1) * faults.kubernetes.length)];
        // The real reader's classification of the failure (collect/unreachable.ts).
        return {
          status: 'unreachable',
          ...unreachableReason(kubernetesCause(fault), endpoint, hint, settings),
          requests: 1,
        };
      }
      return simulated.read(endpoint, token, hint, filter);
    },
  };
  const start = 1_800_000_000_000;
  return collectInventory(
    {
      runId: 'fuzz',
      stormBackoffMs: 1,
      ...(faults?.accounts ? { accounts: faults.accounts } : {}),
      ...(faults?.regions ? { regions: faults.regions } : {}),
      ...(faults?.deadlineAfterCalls === undefined ? {} : { deadline: start + faults.deadlineAfterCalls }),
    },
    {
      clients: sim.clientFactory(),
      credentials: sim.callerCredentials,
      kubernetes,
      // Time advances one millisecond per AWS call: a deadline cuts the run at a chosen call.
      clock: { now: () => start + sim.calls, sleep: async () => {} },
      random: () => 0.5,
    },
  );
}

interface Run {
  inventory: Inventory;
  scan: ScanResult;
}

async function run(org: SimOrganization, faults?: Faults): Promise<Run> {
  const inventory = await collect(org, faults);
  return { inventory, scan: runChecks(inventory, CHECKS) };
}

const truths = new Map<string, Promise<Run>>();
function truthFor(fixes: ReadonlySet<Fix>): Promise<Run> {
  const key = [...fixes].sort().join(',');
  let truth = truths.get(key);
  if (!truth) {
    truth = run(buildOrg(fixes));
    truths.set(key, truth);
  }
  return truth;
}

const fingerprints = (findings: readonly Finding[]) =>
  new Set(findings.map((finding) => finding.fingerprint));
const ACCOUNTS = [CALLER, A1, A2, A3];

const faultsArbitrary: fc.Arbitrary<Faults | undefined> = fc.option(
  fc.record(
    {
      salt: fc.integer(),
      rate: fc.double({ min: 0, max: 1, noNaN: true }),
      apis: fc.uniqueArray(fc.constantFrom(...FAULTABLE), { minLength: 1, maxLength: 3 }),
      aws: fc.uniqueArray(fc.constantFrom<AwsFault>('denied', 'throttled', 'timeout', 'server')),
      kubernetes: fc.uniqueArray(fc.constantFrom<KubernetesFault>(401, 403, 410, 500, 'timeout')),
      deadlineAfterCalls: fc.integer({ min: 0, max: 120 }),
      accounts: fc.uniqueArray(fc.constantFrom(...ACCOUNTS), { minLength: 1 }),
      regions: fc.uniqueArray(fc.constantFrom('eu-west-1', 'us-east-1'), { minLength: 1 }),
    },
    { requiredKeys: ['salt', 'rate', 'apis', 'aws', 'kubernetes'] },
  ),
  { freq: 8 },
);

describe('drift under faults on the simulated organization', () => {
  let first: Run;
  beforeAll(async () => {
    first = await truthFor(new Set());
  });

  test('run 1 has findings of every dependency kind the property needs', () => {
    const checks = new Set(first.scan.findings.map((finding) => finding.checkId));
    for (const id of [
      'cluster.no-oidc-provider',
      'podidentity.role-missing',
      'provider.orphaned',
      'trust.provider-no-cluster',
      'sa.irsa-and-pod-identity',
      'trust.sub-target-missing',
    ]) {
      expect(checks).toContain(id);
    }
    expect(first.inventory.accounts.flatMap((account) => account.errors)).toEqual([]);
  });

  test('resolves only what is really gone, resolves all of it without faults, and reports what it read', async () => {
    await fc.assert(
      fc.asyncProperty(fc.subarray([...FIXES]), faultsArbitrary, async (fixList, faults) => {
        const fixes = new Set(fixList);
        const org = buildOrg(fixes);
        const truth = await truthFor(fixes);
        const second = await run(org, faults);
        const coverage = coverageOf(second.inventory);
        const drift = computeDrift({
          previousOpen: first.scan.findings,
          current: second.scan.findings,
          coverage,
          dependencies: dependenciesOf,
          checkErrors: second.scan.checkErrors,
        });
        const stillTrue = fingerprints(truth.scan.findings);
        const reported = fingerprints(second.scan.findings);
        for (const resolved of drift.resolved) {
          // Never resolved while it is still there, never resolved while reported.
          expect({
            resolved: resolved.fingerprint,
            checkId: resolved.checkId,
            stillTrue: stillTrue.has(resolved.fingerprint),
          }).toEqual({
            resolved: resolved.fingerprint,
            checkId: resolved.checkId,
            stillTrue: false,
          });
          expect(reported.has(resolved.fingerprint)).toBe(false);
        }
        if (!faults) {
          const gone = first.scan.findings.filter((finding) => !stillTrue.has(finding.fingerprint));
          expect([...fingerprints(drift.resolved)].sort()).toEqual([...fingerprints(gone)].sort());
        }
        // Everything it could see, it reports: a true finding whose every dependency was read.
        for (const finding of truth.scan.findings) {
          if (!coverage.accounts.has(finding.resource.accountId)) continue;
          if (uncollectedReason(finding, coverage, dependenciesOf(finding.checkId), second.scan.checkErrors))
            continue;
          expect({
            missing: finding.checkId,
            resource: finding.resource,
            reported: reported.has(finding.fingerprint),
          }).toEqual({
            missing: finding.checkId,
            resource: finding.resource,
            reported: true,
          });
        }
      }),
      { numRuns: SEEDS },
    );
  }, 300_000);
});
