/**
 * EKS clusters of an account: our shape, or `aws eks describe-cluster` output (`{"cluster": {…}}`, or
 * the inner object) with our fields beside it; Pod Identity associations as our shape or the
 * `list-pod-identity-associations` / `describe-pod-identity-association` outputs. The live collector
 * converts DescribeCluster and the association calls with the same functions (`./api-objects.ts`).
 */
import { REGION_RE } from '../aws-ids';
import type { Cluster, KubernetesStatus, Pod, PodIdentityAssociation, ServiceAccount } from '../model';
import { isObject, type JsonObject, optionalString, requiredKubernetesName, requiredString } from './fields';
import type { Issues } from './issues';
import { parseWorkloadField, type Routing } from './kubernetes';

const REGION_EXPECTED = 'an AWS region such as "us-west-2"';
const CLUSTER_ARN_RE = /^arn:[a-z0-9-]+:eks:([a-z0-9-]+):\d{12}:cluster\//;
const KUBERNETES_STATUSES = ['ok', 'unreachable', 'not-collected'];

export function parseClusters(value: unknown, issues: Issues): Cluster[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    issues.expected('an array of clusters', value);
    return [];
  }
  const path = issues.path;
  const depth = path.length;
  path.push(0);
  for (let i = 0; i < value.length; i++) {
    path[depth] = i;
    const raw = value[i];
    if (!isObject(raw)) issues.expected('a cluster object', raw);
    else value[i] = parseCluster(raw, issues);
  }
  path.length = depth;
  return value as Cluster[];
}

/**
 * The describe-cluster fields: ours win, then `cluster.*` (the `describe-cluster` output), then the
 * describe fields at the top level (the inner object pasted directly).
 */
export function parseCluster(raw: JsonObject, issues: Issues): Cluster {
  const describe = isObject(raw.cluster) ? raw.cluster : undefined;
  const path = issues.path;

  let name: string | undefined;
  if (raw.name !== undefined || !describe) name = requiredString(raw, 'name', issues, 'the cluster name');
  else {
    path.push('cluster');
    name = requiredString(describe, 'name', issues, 'the cluster name');
    path.pop();
  }

  let arn: string | undefined;
  if (raw.arn !== undefined || !describe) arn = optionalString(raw, 'arn', issues, 'the cluster ARN');
  else {
    path.push('cluster');
    arn = optionalString(describe, 'arn', issues, 'the cluster ARN');
    path.pop();
  }

  let oidcIssuer: string | undefined;
  if (raw.oidcIssuer !== undefined) oidcIssuer = optionalString(raw, 'oidcIssuer', issues, 'the issuer URL');
  else oidcIssuer = issuerOfDescribe(describe ?? raw, describe ? ['cluster'] : [], issues);

  let region: string | undefined;
  if (raw.region !== undefined && raw.region !== null) {
    region = raw.region as string;
    if (typeof region !== 'string' || !REGION_RE.test(region)) {
      issues.expected(REGION_EXPECTED, raw.region, 'region');
      region = undefined;
    }
  } else {
    region = arn === undefined ? undefined : CLUSTER_ARN_RE.exec(arn)?.[1];
    if (region === undefined)
      issues.expected(`${REGION_EXPECTED} (or a cluster "arn" to take it from)`, undefined, 'region');
  }

  const podIdentityAssociations = parseAssociations(raw.podIdentityAssociations, name, issues);

  const routing: Routing = { serviceAccounts: [], pods: [], ignoredKinds: new Map() };
  path.push('serviceAccounts');
  const ownServiceAccounts = parseWorkloadField(raw.serviceAccounts, 'serviceAccounts', issues, routing);
  path.pop();
  path.push('pods');
  const ownPods = parseWorkloadField(raw.pods, 'pods', issues, routing);
  path.pop();
  for (const [kind, count] of routing.ignoredKinds) {
    issues.warn(
      `ignored ${count} ${kind} ${count === 1 ? 'object' : 'objects'}: only ServiceAccount and Pod are read`,
    );
  }
  const serviceAccounts = merge(ownServiceAccounts as ServiceAccount[] | undefined, routing.serviceAccounts);
  const pods = merge(ownPods as Pod[] | undefined, routing.pods);
  if (ownServiceAccounts && routing.serviceAccounts.length > 0)
    dropDuplicates(serviceAccounts, 'ServiceAccount', issues);
  if (ownPods && routing.pods.length > 0) dropDuplicates(pods, 'Pod', issues);

  const collected = ownServiceAccounts !== undefined || ownPods !== undefined;
  const kubernetes = parseKubernetesStatus(raw.kubernetes, collected, issues);
  // Empty lists beside an unreachable status are what `snapshot` writes; only objects are worth a warning.
  if (collected && kubernetes.status !== 'ok' && serviceAccounts.length + pods.length > 0) {
    issues.warn(
      `serviceAccounts/pods are given but kubernetes.status is "${kubernetes.status}": ` +
        'the checks that need Kubernetes data skip this cluster',
    );
  }

  const cluster = (describe ? {} : raw) as Cluster & JsonObject;
  cluster.name = name ?? '';
  cluster.region = region ?? '';
  if (arn !== undefined || raw.arn !== undefined) cluster.arn = arn;
  if (oidcIssuer !== undefined || raw.oidcIssuer !== undefined) cluster.oidcIssuer = oidcIssuer;
  cluster.podIdentityAssociations = podIdentityAssociations;
  cluster.kubernetes = kubernetes;
  cluster.serviceAccounts = serviceAccounts;
  cluster.pods = pods;
  return cluster;
}

function issuerOfDescribe(source: JsonObject, prefix: string[], issues: Issues): string | undefined {
  const identity = source.identity;
  if (!isObject(identity) || !isObject(identity.oidc)) return undefined;
  const issuer = identity.oidc.issuer;
  if (issuer === undefined || issuer === null) return undefined;
  if (typeof issuer === 'string') return issuer;
  issues.expected('the issuer URL', issuer, [...prefix, 'identity', 'oidc', 'issuer']);
  return undefined;
}

function merge<T>(own: T[] | undefined, routed: T[]): T[] {
  if (!own) return routed;
  for (let i = 0; i < routed.length; i++) own.push(routed[i]);
  return own;
}

/** The same kubectl output pasted into both fields would list every object twice. */
function dropDuplicates(list: (ServiceAccount | Pod)[], kind: string, issues: Issues): void {
  const seen = new Set<string>();
  let kept = 0;
  let dropped = 0;
  for (let i = 0; i < list.length; i++) {
    const key = `${list[i].namespace}\u0000${list[i].name}`;
    if (seen.has(key)) {
      dropped++;
      continue;
    }
    seen.add(key);
    list[kept++] = list[i];
  }
  list.length = kept;
  if (dropped > 0) {
    issues.warn(`dropped ${dropped} duplicate ${kind} objects (found in both serviceAccounts and pods)`);
  }
}

function parseKubernetesStatus(value: unknown, collected: boolean, issues: Issues): KubernetesStatus {
  if (value === undefined || value === null)
    return collected ? { status: 'ok' } : { status: 'not-collected' };
  issues.path.push('kubernetes');
  try {
    if (!isObject(value)) {
      issues.expected('an object {"status": "ok" | "unreachable" | "not-collected", "reason"?}', value);
      return { status: 'not-collected' };
    }
    const status = value.status;
    if (typeof status !== 'string' || !KUBERNETES_STATUSES.includes(status)) {
      issues.expected('"ok", "unreachable" or "not-collected"', status, 'status');
      return { status: 'not-collected' };
    }
    if (status === 'unreachable') {
      requiredString(value, 'reason', issues, 'the reason the Kubernetes API could not be read');
    } else if (value.reason !== undefined) {
      optionalString(value, 'reason', issues);
    }
    return value as unknown as KubernetesStatus;
  } finally {
    issues.path.pop();
  }
}

function parseAssociations(
  value: unknown,
  clusterName: string | undefined,
  issues: Issues,
): PodIdentityAssociation[] {
  if (value === undefined || value === null) return [];
  const path = issues.path;
  path.push('podIdentityAssociations');
  let list: unknown[];
  let wrapped = false;
  if (Array.isArray(value)) list = value;
  else if (isObject(value) && Array.isArray(value.associations)) {
    list = value.associations;
    wrapped = true;
    path.push('associations');
  } else {
    issues.expected(
      'an array of Pod Identity associations (or the `aws eks list-pod-identity-associations` output)',
      value,
    );
    path.pop();
    return [];
  }
  const depth = path.length;
  path.push(0);
  for (let i = 0; i < list.length; i++) {
    path[depth] = i;
    let raw = list[i];
    let unwrapped = false;
    if (isObject(raw) && isObject(raw.association)) {
      raw = raw.association;
      unwrapped = true;
      path.push('association');
    }
    if (!isObject(raw)) issues.expected('a Pod Identity association object', raw);
    else list[i] = parseAssociation(raw, clusterName, issues);
    if (unwrapped) path.pop();
  }
  path.length = wrapped ? depth - 2 : depth - 1;
  return list as PodIdentityAssociation[];
}

/**
 * Our shape and the EKS API's share field names. Only the model's fields are kept: the API's others
 * (`associationArn`, `createdAt`, tags…) would make a file read and a live read of the same
 * association differ.
 */
export function parseAssociation(
  raw: JsonObject,
  clusterName: string | undefined,
  issues: Issues,
): PodIdentityAssociation {
  const association: PodIdentityAssociation = {
    namespace: requiredKubernetesName(raw, 'namespace', issues) ?? '',
    serviceAccount: requiredKubernetesName(raw, 'serviceAccount', issues) ?? '',
  };
  const roleArn = optionalString(raw, 'roleArn', issues);
  if (roleArn !== undefined) association.roleArn = roleArn;
  const targetRoleArn = optionalString(raw, 'targetRoleArn', issues);
  if (targetRoleArn !== undefined) association.targetRoleArn = targetRoleArn;
  const associationId = optionalString(raw, 'associationId', issues);
  if (associationId !== undefined) association.associationId = associationId;
  if (typeof raw.clusterName === 'string' && clusterName !== undefined && raw.clusterName !== clusterName) {
    issues.warn(
      `association of cluster "${raw.clusterName}" listed under cluster "${clusterName}"`,
      'clusterName',
    );
  }
  return association;
}
