/**
 * Coverage per part (docs/architecture.md, "Coverage"): each defect that let drift resolve what the run
 * did not read, with inventories shaped as the collector writes them (collect/*).
 */

import { scanExitCode } from '../../lambda/cli/io';
import { describeFailure } from '../../lambda/collect/eks';
import { CHECKS } from '../../lambda/core/checks/index';
import type { Check } from '../../lambda/core/checks/types';
import { coverageOf, partsOf } from '../../lambda/core/coverage';
import { computeDrift } from '../../lambda/core/drift';
import { runChecks } from '../../lambda/core/engine';
import { trimEvidence } from '../../lambda/core/findings';
import type { CoverageError, Inventory } from '../../lambda/core/model';
import { account, cluster, DEV, dependencies, finding, inventory, PROD, roleArn, SHARED } from './fixtures';

const fps = (findings: readonly { fingerprint: string }[]) => findings.map((each) => each.fingerprint).sort();

const noProvider = finding('cluster.no-oidc-provider', {
  accountId: PROD,
  region: 'us-west-2',
  cluster: 'prod',
});
const roleMissing = finding('podidentity.role-missing', {
  accountId: PROD,
  region: 'us-west-2',
  cluster: 'prod',
  namespace: 'apps',
  serviceAccount: 'web',
  roleArn: roleArn(PROD, 'gone'),
});
const unrestricted = finding('trust.sub-unrestricted', { accountId: PROD, roleArn: roleArn(PROD, 'web') });

function drift(previousOpen: ReturnType<typeof finding>[], inv: Inventory) {
  return computeDrift({ previousOpen, current: [], coverage: coverageOf(inv), dependencies });
}

describe('defect 1: a failed DescribeCluster or Pod Identity list resolves nothing it hid', () => {
  it('keeps cluster.no-oidc-provider open when DescribeCluster is denied by an SCP', () => {
    const { cluster: undescribed, error } = describeFailure('us-west-2', 'prod', {
      code: 'AccessDenied',
      message: 'AccessDeniedException: with an explicit deny in a service control policy',
    });
    const result = drift(
      [noProvider, roleMissing, unrestricted],
      inventory(account(PROD, { clusters: [undescribed], errors: [error] })),
    );
    expect(fps(result.resolved)).toEqual([unrestricted.fingerprint]);
    expect(result.unverified.find((entry) => entry.finding === noProvider)?.reason).toContain(
      'the cluster description (eks:DescribeCluster) not read, AccessDenied',
    );
  });

  it('keeps podidentity.role-missing open when ListPodIdentityAssociations is throttled, resolving the rest', () => {
    const throttled: CoverageError = {
      scope: 'cluster',
      region: 'us-west-2',
      cluster: 'prod',
      parts: ['pod-identity'],
      code: 'Throttled',
      message:
        'Pod Identity associations could not be listed (eks:ListPodIdentityAssociations): Rate exceeded',
    };
    const result = drift(
      [noProvider, roleMissing],
      inventory(account(PROD, { clusters: [cluster('prod', 'us-west-2')], errors: [throttled] })),
    );
    expect(fps(result.resolved)).toEqual([noProvider.fingerprint]);
    expect(fps(result.unverified.map((entry) => entry.finding))).toEqual([roleMissing.fingerprint]);
  });

  it('reads a legacy cluster error (no parts) as the whole cluster unless it is the Kubernetes read', () => {
    const legacy = {
      scope: 'cluster',
      region: 'r',
      cluster: 'c',
      code: 'AccessDenied',
      message: 'm',
    } as const;
    expect(partsOf(legacy)).toEqual(['describe', 'pod-identity', 'service-accounts', 'pods']);
    expect(partsOf({ ...legacy, code: 'KubernetesForbidden' })).toEqual(['service-accounts', 'pods']);
    expect(partsOf({ scope: 'account', code: 'RegionListFailed', message: 'm' })).toEqual(['region-list']);
  });
});

describe('defect 2: a failed account:ListRegions hides nothing that was read', () => {
  const regionListFailed: CoverageError = {
    scope: 'account',
    parts: ['region-list'],
    code: 'RegionListFailed',
    message: 'The account\u2019s enabled regions could not be listed (account:ListRegions): AccessDenied',
  };
  const trustingMissingProvider = {
    arn: roleArn(PROD, 'web'),
    trustPolicy: {
      kind: 'parsed' as const,
      document: {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: {
              Federated: `arn:aws:iam::${PROD}:oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/GONE`,
            },
            Action: 'sts:AssumeRoleWithWebIdentity',
            Condition: {
              StringEquals: {
                'oidc.eks.us-west-2.amazonaws.com/id/GONE:sub': 'system:serviceaccount:apps:web',
                'oidc.eks.us-west-2.amazonaws.com/id/GONE:aud': 'sts.amazonaws.com',
              },
            },
          },
        ],
      },
    },
  };

  it('still runs the IAM checks: trust.provider-missing is reported', () => {
    const inv = inventory(
      account(PROD, { roles: [trustingMissingProvider], regions: ['us-west-2'], errors: [regionListFailed] }),
    );
    const ids = runChecks(inv, CHECKS).findings.map((each) => each.checkId);
    expect(ids).toContain('trust.provider-missing');
    expect(ids).toContain('scan.account-unreachable');
  });

  it('resolves in the regions it scanned, keeps what may be in an opt-in region it did not', () => {
    const inv = inventory(
      account(PROD, {
        clusters: [cluster('batch', 'us-east-1')],
        regions: ['us-east-1', 'us-west-2'],
        errors: [regionListFailed],
      }),
    );
    const optIn = finding('sa.role-untrusted', {
      accountId: PROD,
      region: 'ap-east-1',
      cluster: 'hk',
      namespace: 'apps',
      serviceAccount: 'web',
    });
    const deletedInScannedRegion = { ...optIn, resource: { ...optIn.resource, region: 'us-west-2' } };
    const gone = { ...deletedInScannedRegion, fingerprint: 'ffffffffffffffff' };
    const result = drift([unrestricted, optIn, gone], inv);
    expect(fps(result.resolved)).toEqual(fps([unrestricted, gone]));
    expect(result.unverified[0].reason).toContain('RegionListFailed');
  });
});

describe('defect 3: a check that throws leaves its resource uncovered', () => {
  const throwing: Check = {
    ...CHECKS.find((check) => check.id === 'trust.sub-unrestricted')!,
    runsOn: 'role',
    run: () => {
      throw new Error('boom');
    },
  } as Check;

  it('keeps the failed check\u2019s findings on that resource open, resolves the others', () => {
    const inv = inventory(account(PROD), account(DEV));
    const scan = runChecks(inv, [throwing]);
    expect(scan.checkErrors.map((error) => error.at)).toEqual([
      { accountId: PROD, roleArn: roleArn(PROD, 'web') },
      { accountId: DEV, roleArn: roleArn(DEV, 'web') },
    ]);
    const elsewhere = finding('trust.sub-unrestricted', { accountId: DEV, roleArn: roleArn(DEV, 'other') });
    const result = computeDrift({
      previousOpen: [unrestricted, elsewhere],
      current: scan.findings,
      coverage: coverageOf(inv),
      dependencies,
      checkErrors: scan.checkErrors,
    });
    expect(fps(result.resolved)).toEqual([elsewhere.fingerprint]);
    expect(result.unverified[0].reason).toContain('boom');
    expect(scanExitCode(scan.checkErrors.length, false)).toBe(3);
    expect(scanExitCode(0, true)).toBe(1);
  });

  it('trims evidence nested 20,000 deep without overflowing the stack', () => {
    let deep: unknown = 'bottom';
    for (let depth = 0; depth < 20_000; depth++) deep = { next: deep };
    const trimmed = trimEvidence(deep) as { truncated: boolean; excerpt: string };
    expect(trimmed.truncated).toBe(true);
    expect(trimmed.excerpt.startsWith('{"next":{"next":')).toBe(true);
    expect(trimEvidence({ small: [1, 'two', null] })).toEqual({ small: [1, 'two', null] });
  });

  it('reports the findings of a trust statement nested 20,000 deep', () => {
    let deep: unknown = 'x';
    for (let depth = 0; depth < 20_000; depth++) deep = [deep];
    const provider = `arn:aws:iam::${PROD}:oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/ABC`;
    const role = {
      arn: roleArn(PROD, 'deep'),
      trustPolicy: {
        kind: 'parsed' as const,
        document: {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { Federated: provider },
              Action: 'sts:AssumeRoleWithWebIdentity',
              Sid: deep,
            },
          ],
        },
      },
    };
    const scan = runChecks(inventory(account(PROD, { roles: [role] })), CHECKS);
    expect(scan.checkErrors).toEqual([]);
    expect(scan.findings.map((each) => each.checkId)).toContain('trust.sub-unrestricted');
  });
});

describe('defect 4: a partial scope resolves nothing about the accounts it left out', () => {
  const crossAccount = finding('trust.sub-target-missing', {
    accountId: SHARED,
    roleArn: roleArn(SHARED, 'deployer'),
    region: 'us-west-2',
    cluster: 'prod',
    namespace: 'apps',
    serviceAccount: 'ghost',
  });

  it('keeps a role\u2019s finding about another account\u2019s cluster when that account is out of the selection', () => {
    const onlyShared: Inventory = { ...inventory(account(SHARED)), scope: 'selection' };
    const result = drift([crossAccount], onlyShared);
    expect(result.resolved).toEqual([]);
    expect(result.unverified[0].reason).toContain("outside this run's selection");
  });

  it('resolves it when the whole organization was read and the cluster is gone', () => {
    const whole: Inventory = { ...inventory(account(SHARED), account(PROD)), scope: 'organization' };
    expect(fps(drift([crossAccount], whole).resolved)).toEqual([crossAccount.fingerprint]);
  });

  it('keeps findings of clusters in regions a `--regions` run did not look at', () => {
    const limited: Inventory = { ...inventory(account(PROD)), regionFilter: ['eu-west-1'] };
    const prodCluster = finding('sa.role-untrusted', {
      accountId: PROD,
      region: 'us-west-2',
      cluster: 'prod',
      namespace: 'apps',
      serviceAccount: 'web',
    });
    const result = drift([prodCluster, unrestricted], limited);
    expect(fps(result.resolved)).toEqual([unrestricted.fingerprint]);
    expect(result.unverified[0].reason).toContain("not among this run's regions");
  });

  it('keeps a finding whose role lives in an account absent from the run', () => {
    const untrusted = finding('sa.role-untrusted', {
      accountId: PROD,
      region: 'us-west-2',
      cluster: 'prod',
      namespace: 'apps',
      serviceAccount: 'web',
      roleArn: roleArn(DEV, 'web'),
    });
    const onlyProd: Inventory = {
      ...inventory(account(PROD, { clusters: [cluster('prod', 'us-west-2')] })),
      scope: 'selection',
    };
    const result = drift([untrusted], onlyProd);
    expect(result.resolved).toEqual([]);
    expect(result.unverified[0].reason).toContain(`account ${DEV} is not in this run's scope`);
  });
});
