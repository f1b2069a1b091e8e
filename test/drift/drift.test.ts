import fc from 'fast-check';
import { describeFailure } from '../../lambda/collect/eks';
import { coverageOf } from '../../lambda/core/coverage';
import { computeDrift, hasChanges, uncollectedReason } from '../../lambda/core/drift';
import type { Finding } from '../../lambda/core/findings';
import {
  account,
  accountError,
  cluster,
  DEV,
  dependencies,
  finding,
  inventory,
  PROD,
  roleArn,
  SHARED,
} from './fixtures';

const subUnrestricted = finding('trust.sub-unrestricted', { accountId: PROD, roleArn: roleArn(PROD, 'web') });
const devTrust = finding(
  'trust.aud-missing',
  { accountId: DEV, roleArn: roleArn(DEV, 'api') },
  { severity: 'low' },
);
const prodSa = finding('sa.role-untrusted', {
  accountId: PROD,
  region: 'us-west-2',
  cluster: 'prod',
  namespace: 'apps',
  serviceAccount: 'web',
});
const prodNoProvider = finding('cluster.no-oidc-provider', {
  accountId: PROD,
  region: 'us-west-2',
  cluster: 'prod',
});
const eastSa = finding('sa.role-untrusted', {
  accountId: PROD,
  region: 'us-east-1',
  cluster: 'batch',
  namespace: 'jobs',
  serviceAccount: 'runner',
});

const healthy = () =>
  inventory(
    account(PROD, { clusters: [cluster('prod', 'us-west-2'), cluster('batch', 'us-east-1')] }),
    account(DEV),
  );

const fps = (findings: readonly Finding[]) => findings.map((each) => each.fingerprint).sort();

describe('computeDrift', () => {
  it('reports every finding as new on the first run', () => {
    const drift = computeDrift({
      previousOpen: [],
      current: [subUnrestricted, devTrust],
      coverage: coverageOf(healthy()),
      dependencies,
    });
    expect(fps(drift.new)).toEqual(fps([subUnrestricted, devTrust]));
    expect(drift.resolved).toEqual([]);
    expect(drift.stillOpen).toEqual([]);
  });

  it('is idempotent: the same findings and inventory again give empty drift', () => {
    const current = [subUnrestricted, devTrust, prodSa];
    const drift = computeDrift({
      previousOpen: current,
      current,
      coverage: coverageOf(healthy()),
      dependencies,
    });
    expect(drift.new).toEqual([]);
    expect(drift.resolved).toEqual([]);
    expect(fps(drift.stillOpen)).toEqual(fps(current));
    expect(hasChanges(drift)).toBe(false);
  });

  it('resolves a finding that is gone from a scope this run collected', () => {
    const drift = computeDrift({
      previousOpen: [subUnrestricted, devTrust],
      current: [devTrust],
      coverage: coverageOf(healthy()),
      dependencies,
    });
    expect(fps(drift.resolved)).toEqual([subUnrestricted.fingerprint]);
    expect(hasChanges(drift)).toBe(true);
  });

  it('resolves none of the findings of an account that became unreachable', () => {
    const previousOpen = [subUnrestricted, prodSa, prodNoProvider, eastSa, devTrust];
    const unreachable = inventory(account(PROD, { roles: [], errors: [accountError()] }), account(DEV));
    const scanFinding = finding('scan.account-unreachable', { accountId: PROD }, { severity: 'medium' });

    const drift = computeDrift({
      previousOpen,
      current: [devTrust, scanFinding],
      coverage: coverageOf(unreachable),
      dependencies,
    });

    expect(drift.resolved).toEqual([]);
    expect(fps(drift.new)).toEqual([scanFinding.fingerprint]);
    expect(fps(drift.unverified.map((entry) => entry.finding))).toEqual(
      fps([subUnrestricted, prodSa, prodNoProvider, eastSa]),
    );
    expect(drift.unverified[0].reason).toContain('AccessDenied');
    expect(fps(drift.stillOpen)).toEqual(fps(previousOpen));
  });

  it('treats an account cut by the deadline (NotScanned) as not collected', () => {
    const cut = inventory(account(PROD, { roles: [], errors: [accountError('NotScanned')] }), account(DEV));
    const drift = computeDrift({
      previousOpen: [subUnrestricted, devTrust],
      current: [devTrust],
      coverage: coverageOf(cut),
      dependencies,
    });
    expect(drift.resolved).toEqual([]);
    expect(drift.unverified.map((entry) => entry.reason)).toEqual([expect.stringContaining('NotScanned')]);
  });

  it('leaves findings of accounts outside this run untouched (neither resolved nor reported)', () => {
    const onlyDev = inventory(account(DEV));
    const drift = computeDrift({
      previousOpen: [subUnrestricted, devTrust],
      current: [devTrust],
      coverage: coverageOf(onlyDev),
      dependencies,
    });
    expect(drift.resolved).toEqual([]);
    expect(drift.new).toEqual([]);
    expect(fps(drift.outOfScope)).toEqual([subUnrestricted.fingerprint]);
    expect(fps(drift.stillOpen)).toEqual([devTrust.fingerprint]);
  });

  it('keeps the findings of a region that could not be listed, and resolves the rest of the account', () => {
    const regionDown = inventory(
      account(PROD, {
        clusters: [cluster('batch', 'us-east-1')],
        errors: [
          { scope: 'region', region: 'us-west-2', code: 'Throttling', message: 'ListClusters throttled' },
        ],
      }),
      account(DEV),
    );
    const drift = computeDrift({
      previousOpen: [subUnrestricted, prodSa, prodNoProvider, eastSa],
      current: [],
      coverage: coverageOf(regionDown),
      dependencies,
    });
    // IAM is global: the trust finding is resolved; us-east-1 was listed: its finding is resolved.
    expect(fps(drift.resolved)).toEqual(fps([subUnrestricted, eastSa]));
    expect(fps(drift.unverified.map((entry) => entry.finding))).toEqual(fps([prodSa, prodNoProvider]));
  });

  it('keeps Kubernetes findings of a cluster whose API was not read, but resolves its IAM-side findings', () => {
    const apiDown = inventory(
      account(PROD, {
        // As the collector records it (collect/cluster-kubernetes.ts): the status and the error agree.
        clusters: [cluster('prod', 'us-west-2', { status: 'unreachable', reason: '403 Forbidden' })],
        errors: [
          {
            scope: 'cluster',
            region: 'us-west-2',
            cluster: 'prod',
            parts: ['service-accounts', 'pods'],
            code: 'KubernetesForbidden',
            message: '403 Forbidden',
          },
        ],
      }),
    );
    const drift = computeDrift({
      previousOpen: [prodSa, prodNoProvider],
      current: [],
      coverage: coverageOf(apiDown),
      dependencies,
    });
    expect(fps(drift.resolved)).toEqual([prodNoProvider.fingerprint]);
    expect(fps(drift.unverified.map((entry) => entry.finding))).toEqual([prodSa.fingerprint]);
  });

  it('keeps every finding of a cluster that could not be described at all', () => {
    // The collector keeps a cluster it could not describe, by name (collect/eks.ts describeFailure).
    const { cluster: undescribed, error } = describeFailure('us-west-2', 'prod', {
      code: 'AccessDenied',
      message: 'AccessDeniedException: explicit deny in a service control policy',
    });
    const describeFailed = inventory(account(PROD, { clusters: [undescribed], errors: [error] }));
    const drift = computeDrift({
      previousOpen: [prodSa, prodNoProvider, subUnrestricted],
      current: [],
      coverage: coverageOf(describeFailed),
      dependencies,
    });
    expect(fps(drift.resolved)).toEqual([subUnrestricted.fingerprint]);
    expect(fps(drift.unverified.map((entry) => entry.finding))).toEqual(fps([prodSa, prodNoProvider]));
  });

  it('keeps a cross-account finding whose cluster lives in an account that was not read', () => {
    // Role in SHARED trusts the issuer of PROD's cluster; the finding is about the role's account.
    const crossAccount = finding('trust.sub-target-missing', {
      accountId: SHARED,
      roleArn: roleArn(SHARED, 'deployer'),
      region: 'us-west-2',
      cluster: 'prod',
    });
    const prodApiDown = inventory(
      account(PROD, {
        clusters: [cluster('prod', 'us-west-2', { status: 'unreachable', reason: 'timeout' })],
      }),
      account(SHARED),
    );
    const drift = computeDrift({
      previousOpen: [crossAccount],
      current: [],
      coverage: coverageOf(prodApiDown),
      dependencies,
    });
    expect(drift.resolved).toEqual([]);
    expect(drift.unverified[0].reason).toContain('timeout');

    const prodUnreachable = inventory(account(PROD, { errors: [accountError()] }), account(SHARED));
    expect(
      computeDrift({
        previousOpen: [crossAccount],
        current: [],
        coverage: coverageOf(prodUnreachable),
        dependencies,
      }).resolved,
    ).toEqual([]);

    const allHealthy = inventory(
      account(PROD, { clusters: [cluster('prod', 'us-west-2')] }),
      account(SHARED),
    );
    expect(
      fps(
        computeDrift({
          previousOpen: [crossAccount],
          current: [],
          coverage: coverageOf(allHealthy),
          dependencies,
        }).resolved,
      ),
    ).toEqual([crossAccount.fingerprint]);
  });

  it('resolves findings of a deleted cluster when nothing was hidden', () => {
    const gone = inventory(account(PROD, { clusters: [cluster('batch', 'us-east-1')] }));
    const drift = computeDrift({
      previousOpen: [prodSa],
      current: [],
      coverage: coverageOf(gone),
      dependencies,
    });
    expect(fps(drift.resolved)).toEqual([prodSa.fingerprint]);
  });

  it('keeps a Kubernetes finding that names no cluster while any cluster API is unread', () => {
    const noCluster = finding('trust.target-not-annotated', {
      accountId: PROD,
      roleArn: roleArn(PROD, 'web'),
    });
    const oneUnread = inventory(
      account(PROD),
      account(DEV, { clusters: [cluster('dev', 'eu-west-1', { status: 'not-collected' })] }),
    );
    const drift = computeDrift({
      previousOpen: [noCluster],
      current: [],
      coverage: coverageOf(oneUnread),
      dependencies,
    });
    expect(drift.resolved).toEqual([]);
  });

  it('reports the current version of a finding seen again, and an unverified one again once seen', () => {
    const reworded = { ...subUnrestricted, message: 'new wording', severity: 'critical' as const };
    const drift = computeDrift({
      previousOpen: [subUnrestricted],
      current: [reworded],
      coverage: coverageOf(healthy()),
      dependencies,
    });
    expect(drift.stillOpen).toEqual([reworded]);
    expect(drift.unverified).toEqual([]);
  });

  it('counts a fingerprint once even if the engine emitted it twice', () => {
    const drift = computeDrift({
      previousOpen: [],
      current: [devTrust, { ...devTrust }],
      coverage: coverageOf(healthy()),
      dependencies,
    });
    expect(drift.new).toHaveLength(1);
  });

  it('partitions previous and current findings exactly (property)', () => {
    const pool = Array.from({ length: 12 }, (_, i) =>
      finding('trust.aud-missing', {
        accountId: i % 2 ? PROD : DEV,
        roleArn: roleArn(i % 2 ? PROD : DEV, `r${i}`),
      }),
    );
    fc.assert(
      fc.property(fc.subarray(pool), fc.subarray(pool), (previousOpen, current) => {
        const coverage = coverageOf(healthy());
        const drift = computeDrift({ previousOpen, current, coverage, dependencies });
        const previousSet = new Set(fps(previousOpen));
        const currentSet = new Set(fps(current));
        expect(fps(drift.new)).toEqual(fps(current.filter((each) => !previousSet.has(each.fingerprint))));
        expect(fps(drift.resolved)).toEqual(
          fps(previousOpen.filter((each) => !currentSet.has(each.fingerprint))),
        );
        expect(fps(drift.stillOpen)).toEqual(
          fps(current.filter((each) => previousSet.has(each.fingerprint))),
        );
        // Applying the result and comparing again is a fixed point.
        const open = [...drift.new, ...drift.stillOpen];
        const again = computeDrift({ previousOpen: open, current, coverage, dependencies });
        expect(hasChanges(again)).toBe(false);
      }),
    );
  });
});

describe('uncollectedReason', () => {
  it('explains why a scope was not collected', () => {
    const coverage = coverageOf(inventory(account(PROD, { errors: [accountError('AccessDenied')] })));
    expect(uncollectedReason(subUnrestricted, coverage, dependencies(subUnrestricted.checkId))).toMatch(
      /111122223333 AccessDenied/,
    );
    expect(
      uncollectedReason(devTrust, coverageOf(healthy()), dependencies(devTrust.checkId)),
    ).toBeUndefined();
  });
});
