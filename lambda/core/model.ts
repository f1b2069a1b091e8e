/**
 * The inventory model (docs/inventory.md): plain data that the collectors produce and the checks read.
 * This is the normalised form: loaders turn raw shapes (IAM RoleDetailList, kubectl Lists,
 * URL-encoded policies) into it once, so checks never see SDK or API shapes.
 */

export const INVENTORY_SCHEMA_VERSION = 1;

export type Severity = 'critical' | 'high' | 'medium' | 'low' | 'info';
export const SEVERITIES: readonly Severity[] = ['critical', 'high', 'medium', 'low', 'info'];

/** Higher is worse. */
export function severityRank(severity: Severity): number {
  return 4 - SEVERITIES.indexOf(severity);
}

export interface Inventory {
  schemaVersion: number;
  generatedAt?: string;
  /**
   * Which accounts the run chose to audit: `organization` (every active account of the organization,
   * or the standalone caller's own) or `selection` (named accounts, OUs or exclusions: accounts outside
   * it may hold clusters the inventory cannot see). Absent in older files: read as `organization`.
   */
  scope?: InventoryScope;
  /**
   * The regions the run was limited to (`--regions`), when it was: clusters of other regions were not
   * looked for, so nothing about them may read as gone. Absent: every enabled region.
   */
  regionFilter?: string[];
  accounts: Account[];
}

export type InventoryScope = 'organization' | 'selection';

export interface Account {
  accountId: string;
  name?: string;
  /** `aws`, `aws-cn`, `aws-us-gov`…; derived from ARNs when absent. */
  partition?: string;
  oidcProviders: OidcProvider[];
  roles: Role[];
  clusters: Cluster[];
  /**
   * The regions whose cluster lists the run asked for (read or failed, `errors` says which), sorted.
   * Absent in older files: every region counts as asked for unless an error says otherwise.
   */
  regions?: string[];
  errors: CoverageError[];
}

export interface OidcProvider {
  arn: string;
  /** Issuer without scheme, exactly as IAM returns it (e.g. `oidc.eks.us-west-2.amazonaws.com/id/ABC`). */
  url: string;
  clientIds: string[];
}

/** A JSON object as `JSON.parse` returns it. */
export type JsonObject = Record<string, unknown>;

/**
 * A role's trust policy: the parsed document, or why it could not be parsed (a broken trust policy is
 * a finding, not a load error). Inventory files hold the document itself, or `{"unparsable": reason}`
 * (docs/inventory.md).
 */
export type TrustPolicy = { kind: 'parsed'; document: JsonObject } | { kind: 'unparsable'; reason: string };

export interface Role {
  arn: string;
  trustPolicy: TrustPolicy;
  attachedPolicyArns?: string[];
  inlinePolicyNames?: string[];
  lastUsed?: string | null;
  /** Unknown (`undefined`) when the collector did not look: `role.no-permissions` then stays silent. */
}

export interface Cluster {
  name: string;
  region: string;
  arn?: string;
  /** Verbatim from DescribeCluster, with scheme; absent when the cluster has no OIDC issuer. */
  oidcIssuer?: string;
  podIdentityAssociations: PodIdentityAssociation[];
  kubernetes: KubernetesStatus;
  serviceAccounts: ServiceAccount[];
  pods: Pod[];
}

export type KubernetesStatus =
  | { status: 'ok' }
  | { status: 'unreachable'; reason: string }
  /** Not collected at all (e.g. an inventory assembled from IAM exports only). */
  | { status: 'not-collected'; reason?: string };

export interface PodIdentityAssociation {
  namespace: string;
  serviceAccount: string;
  /** Absent when only the list call was made (the role ARN is only in the describe call). */
  roleArn?: string;
  targetRoleArn?: string;
  associationId?: string;
}

export interface ServiceAccount {
  namespace: string;
  name: string;
  annotations: Record<string, string>;
}

export interface EnvVar {
  name: string;
  /** Absent when the variable comes from `valueFrom` (not knowable from the spec). */
  value?: string;
  valueFrom?: boolean;
}

export interface Container {
  name: string;
  init?: boolean;
  env: EnvVar[];
}

export interface Pod {
  namespace: string;
  name: string;
  /** Defaults to `default`, as Kubernetes does. */
  serviceAccountName: string;
  phase?: string;
  annotations?: Record<string, string>;
  labels?: Record<string, string>;
  owner?: { kind: string; name: string };
  startTime?: string;
  containers: Container[];
}

export type CoverageScope = 'account' | 'region' | 'cluster';

/**
 * The parts a run reads (docs/inventory.md, "Coverage"), each with its own API call:
 * - per account: `account` (the member role session: without it nothing of the account is read),
 *   `iam-roles` (iam:GetAccountAuthorizationDetails), `oidc-providers` (iam:ListOpenIDConnectProviders
 *   and GetOpenIDConnectProvider), `region-list` (account:ListRegions);
 * - per region: `cluster-list` (eks:ListClusters);
 * - per cluster: `describe` (eks:DescribeCluster), `pod-identity` (eks:ListPodIdentityAssociations and
 *   DescribePodIdentityAssociation), `service-accounts` and `pods` (the Kubernetes API).
 */
export type Part =
  | 'account'
  | 'iam-roles'
  | 'oidc-providers'
  | 'region-list'
  | 'cluster-list'
  | 'describe'
  | 'pod-identity'
  | 'service-accounts'
  | 'pods';

export const PARTS: readonly Part[] = Object.freeze([
  'account',
  'iam-roles',
  'oidc-providers',
  'region-list',
  'cluster-list',
  'describe',
  'pod-identity',
  'service-accounts',
  'pods',
] as const);

export const ACCOUNT_PARTS: readonly Part[] = Object.freeze([
  'account',
  'iam-roles',
  'oidc-providers',
  'region-list',
] as const);

export const CLUSTER_PARTS: readonly Part[] = Object.freeze([
  'describe',
  'pod-identity',
  'service-accounts',
  'pods',
] as const);

export interface CoverageError {
  scope: CoverageScope;
  region?: string;
  cluster?: string;
  /**
   * The parts this failure left unread, all of the error's scope (an account part for `account`,
   * `cluster-list` for `region`, cluster parts for `cluster`). Absent in older files: derived from
   * the scope and code (coverage.ts `partsOf`), erring towards "not read".
   */
  parts?: Part[];
  code: string;
  message: string;
}

export const ANNOTATION_ROLE_ARN = 'eks.amazonaws.com/role-arn';
export const ANNOTATION_AUDIENCE = 'eks.amazonaws.com/audience';
export const ANNOTATION_TOKEN_EXPIRATION = 'eks.amazonaws.com/token-expiration';
export const ANNOTATION_STS_REGIONAL = 'eks.amazonaws.com/sts-regional-endpoints';
export const DEFAULT_AUDIENCE = 'sts.amazonaws.com';
export const WEB_IDENTITY_ACTION = 'sts:AssumeRoleWithWebIdentity';
export const POD_IDENTITY_SERVICE = 'pods.eks.amazonaws.com';
