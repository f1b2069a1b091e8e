import type { SimAccount, SimCluster, SimOrganization } from '../../bench/collect-sim';
import { DEFAULT_MEMBER_ROLE_NAME } from '../../lambda/collect/options';

export const CALLER = '999999999999';

/** Account ids 100000000001, 100000000002, … */
export function accountId(n: number): string {
  return String(100000000000 + n);
}

export function cluster(
  account: string,
  region: string,
  name: string,
  extra: Partial<SimCluster> = {},
): SimCluster {
  const id = `${name.toUpperCase().replace(/[^A-Z0-9]/g, '')}${'0'.repeat(32)}`.slice(0, 32);
  return {
    region,
    name,
    issuer: `https://oidc.eks.${region}.amazonaws.com/id/${id}`,
    associations: [
      {
        associationId: `a-${name}-1`,
        namespace: 'payments',
        serviceAccount: 'api',
        roleArn: `arn:aws:iam::${account}:role/irsa-1`,
      },
    ],
    serviceAccounts: [
      {
        namespace: 'payments',
        name: 'api',
        annotations: { 'eks.amazonaws.com/role-arn': `arn:aws:iam::${account}:role/irsa-0` },
      },
    ],
    pods: [
      {
        namespace: 'payments',
        name: 'api-1',
        serviceAccountName: 'api',
        containers: [{ name: 'app', env: [] }],
      },
    ],
    ...extra,
  };
}

export function account(n: number, extra: Partial<SimAccount> = {}): SimAccount {
  const id = n === 0 ? CALLER : accountId(n);
  const clusters = extra.clusters ?? [cluster(id, 'eu-west-1', `c${n}`)];
  return {
    accountId: id,
    name: n === 0 ? 'management' : `member-${n}`,
    regions: ['eu-west-1', 'us-east-1'],
    roleCount: 3,
    providers: clusters
      .filter((c) => c.issuer)
      .map((c) => ({ url: c.issuer!.replace('https://', ''), clientIds: ['sts.amazonaws.com'] })),
    clusters,
    ...extra,
  };
}

export function organization(accounts: SimAccount[], extra: Partial<SimOrganization> = {}): SimOrganization {
  return {
    callerAccountId: CALLER,
    callerArn: `arn:aws:sts::${CALLER}:assumed-role/AuditAdmin/alice`,
    memberRoleName: DEFAULT_MEMBER_ROLE_NAME,
    rootId: 'r-ab12',
    ous: [],
    accounts,
    ...extra,
  };
}
