/**
 * The simulated AWS of the scale benchmark (bench/scale.ts, docs/performance.md "Scale"): a healthy
 * organization of a stated shape with a small stated defect rate, and the latency model of its APIs.
 * Deterministic for a seed; the Kubernetes objects of a cluster are generated on each read (never held),
 * so the simulation stays small beside the steps it serves.
 *
 * Per account: 17 regions, 2 clusters (each in a random region, with its OIDC issuer and IAM provider),
 * 200 roles of which 20 (10 %) are for EKS — per cluster 8 IRSA roles written as the AWS docs, eksctl,
 * Terraform and CDK write them (scripts/shapes/trust-policies.ts), each trusting one service account
 * that exists and is annotated with it, and 2 Pod Identity roles (pods.eks.amazonaws.com) used by the
 * cluster's 2 associations —; the other 180 trust Lambda, EC2, ECS tasks, the account or Identity
 * Center. Per cluster 50 service accounts in 10 namespaces, 3 pods each (150): the pods of an annotated
 * service account carry AWS_ROLE_ARN / AWS_WEB_IDENTITY_TOKEN_FILE as the webhook injects them, those of
 * a Pod Identity service account the container-credentials variables, the rest neither.
 *
 * Defects ({@link SCALE_DEFECTS}): of the IRSA slots, 1 % annotate a deleted role, 1 % have a trust
 * naming the wrong namespace, 1 % run pods the webhook did not inject; one account in 50 keeps the OIDC
 * provider of a deleted cluster.
 */
import { DEFAULT_MEMBER_ROLE_NAME, resolveCollectOptions } from '../lambda/collect/options';
import type { Pod, ServiceAccount } from '../lambda/core/model';
import { irsaEnvironment, podIdentityEnvironment } from '../scripts/shapes/pod-environment';
import {
  accountRootTrust,
  awsDocsPodIdentityTrust,
  awsDocsTrust,
  cdkPodIdentityTrust,
  cdkServiceAccountTrust,
  eksctlPodIdentityTrust,
  eksctlTrust,
  identityCenterTrust,
  oidcProvider,
  serviceTrust,
  type TrustDocument,
  terraformTrustFor,
} from '../scripts/shapes/trust-policies';
import {
  AWS_DEFAULT_REGIONS,
  type SimAccount,
  type SimCluster,
  type SimOrganization,
  type SimSettings,
} from './collect-sim';
import { seededRandom } from './seeded-random';

export const SCALE_SHAPE = {
  regions: AWS_DEFAULT_REGIONS.length,
  clustersPerAccount: 2,
  rolesPerAccount: 200,
  /** IRSA roles (and annotated service accounts) per cluster. */
  irsaPerCluster: 8,
  /** Pod Identity associations (and their roles) per cluster. */
  associationsPerCluster: 2,
  serviceAccountsPerCluster: 50,
  podsPerServiceAccount: 3,
  namespacesPerCluster: 10,
} as const;

/** Defect rates; tests set them to 0 for an organization without findings. */
export interface Defects {
  /** Of the IRSA slots: the service account is annotated with a role that was deleted. */
  annotatedRoleDeleted: number;
  /** Of the IRSA roles: the trust names the service account in the wrong namespace. */
  trustWrongNamespace: number;
  /** Of the IRSA slots: the pods carry no injected variables (created before the annotation). */
  notInjected: number;
  /** One account in this many keeps the OIDC provider of a deleted cluster (0: none). */
  staleProviderEveryAccounts: number;
}

export const SCALE_DEFECTS: Readonly<Defects> = {
  annotatedRoleDeleted: 0.01,
  trustWrongNamespace: 0.01,
  notInjected: 0.01,
  staleProviderEveryAccounts: 50,
};

/** Roles of a cluster's EKS block: 2 Pod Identity roles, then the IRSA roles. */
const SLOTS_PER_CLUSTER = SCALE_SHAPE.associationsPerCluster + SCALE_SHAPE.irsaPerCluster;
const EKS_ROLES = SCALE_SHAPE.clustersPerAccount * SLOTS_PER_CLUSTER;
const POD_STARTED = '2026-11-20T08:00:00Z';

interface ClusterPlan {
  cluster: SimCluster;
  deleted: boolean[];
  wrongNamespace: boolean[];
  notInjected: boolean[];
}

export function accountIdOf(index: number): string {
  return String(100000000000 + index * 7919).padStart(12, '0');
}

const roleArnOf = (accountId: string, name: string) => `arn:aws:iam::${accountId}:role/${name}`;
const roleNameOf = (index: number) => `irsa-${index}`;
const namespaceOf = (serviceAccount: number) => `team-${serviceAccount % SCALE_SHAPE.namespacesPerCluster}`;
const serviceAccountNameOf = (serviceAccount: number) => `app-${serviceAccount}`;

/** The organization of `accounts` accounts (see the header); the same for the same seed. */
export function scaleOrganization(
  accounts: number,
  options: { seed?: number; defects?: Partial<Defects> } = {},
): SimOrganization {
  const defects: Defects = { ...SCALE_DEFECTS, ...options.defects };
  const list: SimAccount[] = [];
  for (let index = 0; index < accounts; index++) list.push(accountOf(index, options.seed ?? 11, defects));
  const caller = list[0].accountId;
  return {
    callerAccountId: caller,
    callerArn: `arn:aws:sts::${caller}:assumed-role/IrsaAuditorLambda/run`,
    memberRoleName: DEFAULT_MEMBER_ROLE_NAME,
    rootId: 'r-root',
    ous: Array.from({ length: 10 }, (_, n) => ({
      id: `ou-root-${String(n).padStart(8, '0')}`,
      parent: 'r-root',
    })),
    accounts: list,
  };
}

function accountOf(index: number, seed: number, defects: Defects): SimAccount {
  const random = seededRandom(seed * 1_000_003 + index);
  const accountId = accountIdOf(index);
  const account: SimAccount = {
    accountId,
    name: `account-${index}`,
    parent: `ou-root-${String(index % 10).padStart(8, '0')}`,
    regions: AWS_DEFAULT_REGIONS,
    roleCount: SCALE_SHAPE.rolesPerAccount,
    providers: [],
    clusters: [],
  };
  const plans: ClusterPlan[] = [];
  for (let c = 0; c < SCALE_SHAPE.clustersPerAccount; c++) {
    const region = AWS_DEFAULT_REGIONS[Math.floor(random() * AWS_DEFAULT_REGIONS.length)];
    const url = `oidc.eks.${region}.amazonaws.com/id/${issuerId(index * SCALE_SHAPE.clustersPerAccount + c)}`;
    account.providers.push({ url, clientIds: ['sts.amazonaws.com'] });
    const roll = (rate: number) => Array.from({ length: SCALE_SHAPE.irsaPerCluster }, () => random() < rate);
    const plan: ClusterPlan = {
      cluster: {
        region,
        name: `cluster-${c}`,
        issuer: `https://${url}`,
        associations: Array.from({ length: SCALE_SHAPE.associationsPerCluster }, (_, n) => ({
          associationId: `a-${index}-${c}-${n}`,
          namespace: namespaceOf(SCALE_SHAPE.irsaPerCluster + n),
          serviceAccount: serviceAccountNameOf(SCALE_SHAPE.irsaPerCluster + n),
          roleArn: roleArnOf(accountId, roleNameOf(c * SLOTS_PER_CLUSTER + n)),
        })),
      },
      deleted: roll(defects.annotatedRoleDeleted),
      wrongNamespace: roll(defects.trustWrongNamespace),
      notInjected: roll(defects.notInjected),
    };
    plan.cluster.kubernetesObjects = () => kubernetesObjectsOf(accountId, c, plan);
    plans.push(plan);
    account.clusters.push(plan.cluster);
  }
  const every = defects.staleProviderEveryAccounts;
  if (every > 0 && index % every === every - 1) {
    account.providers.push({
      url: `oidc.eks.${AWS_DEFAULT_REGIONS[0]}.amazonaws.com/id/${issuerId(index, 'DE1E7ED')}`,
      clientIds: ['sts.amazonaws.com'],
    });
  }
  account.trustOf = (role) => trustOf(account, plans, role);
  return account;
}

/** 32 hex digits, as EKS writes them; distinct for each `n` (and apart from clusters with a prefix). */
function issuerId(n: number, prefix = ''): string {
  return (
    prefix +
    n
      .toString(16)
      .toUpperCase()
      .padStart(32 - prefix.length, '0')
  );
}

/** Roles 0–19 are the EKS block (per cluster: 2 Pod Identity, 8 IRSA); the rest are not for EKS. */
function trustOf(account: SimAccount, plans: ClusterPlan[], role: number): TrustDocument {
  if (role >= EKS_ROLES) {
    switch (role % 5) {
      case 0:
        return serviceTrust('lambda.amazonaws.com');
      case 1:
        return serviceTrust('ec2.amazonaws.com');
      case 2:
        return serviceTrust('ecs-tasks.amazonaws.com');
      case 3:
        return accountRootTrust(account.accountId);
      default:
        return identityCenterTrust(account.accountId, 'a1b2c3d4e5f60718');
    }
  }
  const c = Math.floor(role / SLOTS_PER_CLUSTER);
  const slot = role % SLOTS_PER_CLUSTER;
  if (slot < SCALE_SHAPE.associationsPerCluster) {
    return [awsDocsPodIdentityTrust, eksctlPodIdentityTrust, cdkPodIdentityTrust][role % 3]();
  }
  const sa = slot - SCALE_SHAPE.associationsPerCluster;
  const provider = oidcProvider(account.accountId, account.providers[c].url);
  const namespace = namespaceOf(sa + (plans[c].wrongNamespace[sa] ? 1 : 0));
  const name = serviceAccountNameOf(sa);
  switch (sa % 4) {
    case 0:
      return awsDocsTrust(provider, namespace, name);
    case 1:
      return eksctlTrust(provider, namespace, name);
    case 2:
      return terraformTrustFor(provider, `${namespace}:${name}`);
    default:
      return cdkServiceAccountTrust(provider, namespace, name);
  }
}

/** A cluster's service accounts and pods, as the Kubernetes API lists them (fresh on each call). */
function kubernetesObjectsOf(
  accountId: string,
  c: number,
  plan: ClusterPlan,
): { serviceAccounts: ServiceAccount[]; pods: Pod[] } {
  const serviceAccounts: ServiceAccount[] = [];
  const pods: Pod[] = [];
  for (let n = 0; n < SCALE_SHAPE.serviceAccountsPerCluster; n++) {
    const namespace = namespaceOf(n);
    const name = serviceAccountNameOf(n);
    const irsa = n < SCALE_SHAPE.irsaPerCluster;
    const podIdentity = !irsa && n < SCALE_SHAPE.irsaPerCluster + SCALE_SHAPE.associationsPerCluster;
    const roleName = plan.deleted[n]
      ? `${roleNameOf(c * SLOTS_PER_CLUSTER + SCALE_SHAPE.associationsPerCluster + n)}-old`
      : roleNameOf(c * SLOTS_PER_CLUSTER + SCALE_SHAPE.associationsPerCluster + n);
    const roleArn = irsa ? roleArnOf(accountId, roleName) : undefined;
    serviceAccounts.push({
      namespace,
      name,
      annotations: roleArn ? { 'eks.amazonaws.com/role-arn': roleArn } : {},
    });
    const injected = roleArn && !plan.notInjected[n] ? irsaEnvironment(roleArn) : [];
    const env = [
      { name: 'LOG_LEVEL', value: 'info' },
      ...injected,
      ...(podIdentity ? podIdentityEnvironment() : []),
    ];
    for (let p = 0; p < SCALE_SHAPE.podsPerServiceAccount; p++) {
      pods.push({
        namespace,
        name: `${name}-7d9f8-${p}`,
        serviceAccountName: name,
        phase: 'Running',
        owner: { kind: 'ReplicaSet', name: `${name}-7d9f8` },
        startTime: POD_STARTED,
        containers: [{ name: 'app', env: env.map((variable) => ({ ...variable })) }],
      });
    }
  }
  return { serviceAccounts, pods };
}

// --- Latency model (docs/performance.md "Scale") ------------------------------------------------

/** Real milliseconds per call: medians of /work/shared/reference/aws-limits.md §2 and its simulation table. */
export const REAL_LATENCY_MS: Readonly<Record<string, number>> = {
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
/** One Kubernetes list page (`limit=500`): the k8s LIST median of aws-limits.md. */
export const KUBERNETES_PAGE_MS = 150;
/** The reader's page size (`kubernetes.pageSize`: `limit=500`) and clusters read at once per Lambda (8). */
export const KUBERNETES_DEFAULTS = resolveCollectOptions({}).kubernetes;

/** Token bucket per (account, API): burst 20, 10 requests a second (aws-limits.md's estimate for IAM and EKS). */
export const THROTTLE = { burst: 20, perSecond: 10 } as const;

export const realLatency = (api: string): number => REAL_LATENCY_MS[api] ?? DEFAULT_LATENCY_MS;

/** The simulation's settings with time compressed `compression`×: latencies, throttles, Kubernetes pages. */
export function scaleSimSettings(compression: number): SimSettings {
  return {
    latencyMs: (api) => realLatency(api) / compression,
    bucket: { capacity: THROTTLE.burst, refillPerSecond: THROTTLE.perSecond * compression },
    kubernetesLatency: { pageMs: KUBERNETES_PAGE_MS / compression, pageSize: KUBERNETES_DEFAULTS.pageSize },
  };
}
