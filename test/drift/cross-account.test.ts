import { coverageOf } from '../../lambda/core/coverage';
import { computeDrift } from '../../lambda/core/drift';
import type { Finding } from '../../lambda/core/findings';
import type { Inventory } from '../../lambda/core/model';

const CLUSTER_ACCOUNT = '111111111111';
const ROLE_ACCOUNT = '222222222222';

function untrusted(): Finding {
  return {
    checkId: 'sa.role-untrusted',
    severity: 'high',
    title: 't',
    message: 'm',
    resource: {
      accountId: CLUSTER_ACCOUNT,
      region: 'us-east-1',
      cluster: 'prod',
      namespace: 'app',
      serviceAccount: 'api',
      roleArn: `arn:aws:iam::${ROLE_ACCOUNT}:role/api`,
    },
    remediation: 'r',
    fingerprint: '0123456789abcdef',
  };
}

function inventory(roleAccountReachable: boolean): Inventory {
  const cluster = {
    name: 'prod',
    region: 'us-east-1',
    podIdentityAssociations: [],
    kubernetes: { status: 'ok' as const },
    serviceAccounts: [],
    pods: [],
  };
  return {
    schemaVersion: 1,
    accounts: [
      { accountId: CLUSTER_ACCOUNT, oidcProviders: [], roles: [], clusters: [cluster], errors: [] },
      {
        accountId: ROLE_ACCOUNT,
        oidcProviders: [],
        roles: [],
        clusters: [],
        errors: roleAccountReachable
          ? []
          : [{ scope: 'account', code: 'AccessDenied', message: 'AssumeRole denied' }],
      },
    ],
  };
}

describe('drift across accounts', () => {
  it("keeps a service account's finding open while its role's account could not be read", () => {
    const drift = computeDrift({
      previousOpen: [untrusted()],
      current: [],
      coverage: coverageOf(inventory(false)),
      dependencies: () => undefined,
    });
    expect(drift.resolved).toEqual([]);
    expect(drift.unverified.map((u) => u.finding.fingerprint)).toEqual(['0123456789abcdef']);
  });

  it('resolves it once both accounts were read and the finding is gone', () => {
    const drift = computeDrift({
      previousOpen: [untrusted()],
      current: [],
      coverage: coverageOf(inventory(true)),
      dependencies: () => undefined,
    });
    expect(drift.resolved.map((f) => f.fingerprint)).toEqual(['0123456789abcdef']);
  });
});
