/**
 * A small simulated organization for the handler and `irsa-audit run` tests, with known findings:
 *
 * - the caller's account (999999999999): nothing but itself;
 * - PROD (100000000001), cluster `prod`: `web` is trusted by exactly `web/frontend` (healthy); `batch`
 *   trusts the issuer with an `aud` condition only — `trust.sub-unrestricted` (critical) until the
 *   trust is fixed (`fixedBatchTrust`);
 * - DEV (100000000002), cluster `dev`: `api/server` is annotated with `api`, whose trust names
 *   `api/client` — `sa.role-untrusted` and `trust.sub-target-missing`; its running pod was started
 *   before the annotation — `pod.irsa-not-injected`.
 */
import type { RoleDetail } from '@aws-sdk/client-iam';
import type { SimAccount, SimCluster, SimOrganization } from '../../bench/collect-sim';
import { providerArn } from '../../bench/collect-sim';
import type { Pod, ServiceAccount } from '../../lambda/core/model';
import { account, accountId, cluster, organization } from '../collect/org-fixture';

export const PROD = accountId(1);
export const DEV = accountId(2);
export const REGION = 'eu-west-1';

const ROLE_ARN = 'eks.amazonaws.com/role-arn';

function issuerUrl(name: string): string {
  return `oidc.eks.${REGION}.amazonaws.com/id/${`${name.toUpperCase()}${'0'.repeat(32)}`.slice(0, 32)}`;
}

export function roleArn(owner: string, name: string): string {
  return `arn:aws:iam::${owner}:role/${name}`;
}

/** An IAM `RoleDetailList` entry with a web-identity trust for the cluster's provider. */
function irsaRole(owner: string, clusterName: string, name: string, conditions: Record<string, string>) {
  const url = issuerUrl(clusterName);
  const StringEquals: Record<string, string> = {};
  for (const [key, value] of Object.entries(conditions)) StringEquals[`${url}:${key}`] = value;
  const trust = {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Federated: providerArn(owner, url) },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: { StringEquals },
      },
    ],
  };
  const role: RoleDetail = {
    Path: '/',
    RoleName: name,
    RoleId: `AROA${owner}${name.toUpperCase()}`,
    Arn: roleArn(owner, name),
    AssumeRolePolicyDocument: encodeURIComponent(JSON.stringify(trust)),
    AttachedManagedPolicies: [
      { PolicyName: 'AmazonS3ReadOnlyAccess', PolicyArn: 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess' },
    ],
    RolePolicyList: [],
    RoleLastUsed: {},
  };
  return role;
}

function annotated(namespace: string, name: string, role: string): ServiceAccount {
  return { namespace, name, annotations: { [ROLE_ARN]: role } };
}

function runningPod(namespace: string, serviceAccountName: string, role?: string): Pod {
  return {
    namespace,
    name: `${serviceAccountName}-7d9f8-abcde`,
    serviceAccountName,
    phase: 'Running',
    owner: { kind: 'ReplicaSet', name: `${serviceAccountName}-7d9f8` },
    containers: [
      {
        name: 'app',
        env: role
          ? [
              { name: 'AWS_ROLE_ARN', value: role },
              {
                name: 'AWS_WEB_IDENTITY_TOKEN_FILE',
                value: '/var/run/secrets/eks.amazonaws.com/serviceaccount/token',
              },
            ]
          : [],
      },
    ],
  };
}

function clusterOf(owner: string, name: string, extra: Partial<SimCluster>): SimCluster {
  return {
    ...cluster(owner, REGION, name),
    issuer: `https://${issuerUrl(name)}`,
    associations: [],
    ...extra,
  };
}

export interface OrgState {
  /** The `batch` role's trust names `batch/worker` (the critical finding is resolved). */
  fixedBatchTrust?: boolean;
}

function prodAccount(state: OrgState): SimAccount {
  const web = roleArn(PROD, 'web');
  const batch = roleArn(PROD, 'batch');
  const prod = clusterOf(PROD, 'prod', {
    serviceAccounts: [annotated('web', 'frontend', web), annotated('batch', 'worker', batch)],
    pods: [runningPod('web', 'frontend', web), runningPod('batch', 'worker', batch)],
  });
  return account(1, {
    regions: [REGION],
    roleCount: 0,
    clusters: [prod],
    roles: [
      irsaRole(PROD, 'prod', 'web', { sub: 'system:serviceaccount:web:frontend', aud: 'sts.amazonaws.com' }),
      irsaRole(
        PROD,
        'prod',
        'batch',
        state.fixedBatchTrust
          ? { sub: 'system:serviceaccount:batch:worker', aud: 'sts.amazonaws.com' }
          : { aud: 'sts.amazonaws.com' },
      ),
    ],
  });
}

function devAccount(): SimAccount {
  const api = roleArn(DEV, 'api');
  const dev = clusterOf(DEV, 'dev', {
    serviceAccounts: [annotated('api', 'server', api)],
    pods: [runningPod('api', 'server')],
  });
  return account(2, {
    regions: [REGION],
    roleCount: 0,
    clusters: [dev],
    roles: [
      irsaRole(DEV, 'dev', 'api', { sub: 'system:serviceaccount:api:client', aud: 'sts.amazonaws.com' }),
    ],
  });
}

export function testOrganization(state: OrgState = {}): SimOrganization {
  return organization([
    account(0, { regions: [REGION], roleCount: 0, clusters: [] }),
    prodAccount(state),
    devAccount(),
  ]);
}
