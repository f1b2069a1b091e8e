/** Small helpers shared by the checks: resource identities, remediation fragments, name distance. */
import type { ClusterView, RoleView, ServiceAccountView, WorkloadView } from '../context';
import type { FindingResource } from '../findings';
import type { Pod } from '../model';
import { DEFAULT_AUDIENCE } from '../model';
import type { NormalizedStatement } from '../policy/normalize';
import type { IrsaGrant } from '../policy/trust';

export function roleResource(role: RoleView, statement?: number, providerArn?: string): FindingResource {
  const resource: FindingResource = { accountId: role.accountId, roleArn: role.role.arn };
  if (statement !== undefined) resource.statement = statement;
  if (providerArn !== undefined) resource.providerArn = providerArn;
  return resource;
}

export function clusterResource(cluster: ClusterView): FindingResource {
  return {
    accountId: cluster.account.accountId,
    region: cluster.cluster.region,
    cluster: cluster.cluster.name,
  };
}

export function serviceAccountResource(sa: ServiceAccountView): FindingResource {
  const resource: FindingResource = {
    ...clusterResource(sa.cluster),
    namespace: sa.serviceAccount.namespace,
    serviceAccount: sa.serviceAccount.name,
  };
  if (sa.roleArn) resource.roleArn = sa.roleArn;
  return resource;
}

export function workloadResource(workload: WorkloadView): FindingResource {
  return {
    ...clusterResource(workload.cluster),
    namespace: workload.namespace,
    serviceAccount: workload.serviceAccountName,
    workload: workload.workload,
  };
}

export function saLabel(sa: ServiceAccountView): string {
  return `${sa.serviceAccount.namespace}/${sa.serviceAccount.name} in cluster ${sa.cluster.cluster.name} (${sa.cluster.cluster.region}, account ${sa.cluster.account.accountId})`;
}

export function clusterLabel(cluster: ClusterView): string {
  return `${cluster.cluster.name} (${cluster.cluster.region}, account ${cluster.account.accountId})`;
}

export function roleLabel(role: RoleView): string {
  return `role ${role.role.arn}`;
}

/** The statement as written, for evidence (trimmed by the engine). */
export function statementEvidence(statement: NormalizedStatement): unknown {
  return statement.raw;
}

/** A trust statement scoped to one service account, as the AWS docs write it. */
export function scopedStatement(
  providerArn: string,
  issuer: string,
  subjects: string[],
  audience = DEFAULT_AUDIENCE,
) {
  return {
    Effect: 'Allow',
    Principal: { Federated: providerArn },
    Action: 'sts:AssumeRoleWithWebIdentity',
    Condition: {
      StringEquals: {
        [`${issuer}:sub`]: subjects.length === 1 ? subjects[0] : subjects,
        [`${issuer}:aud`]: audience,
      },
    },
  };
}

export function scopedStatementText(
  providerArn: string,
  issuer: string,
  subjects: string[],
  audience?: string,
): string {
  return JSON.stringify(scopedStatement(providerArn, issuer, subjects, audience), null, 2);
}

/** Subjects of the service accounts annotated with this role in clusters of the grant's issuer. */
export function annotatedSubjects(
  role: RoleView,
  grant: IrsaGrant,
  saByRole: Map<string, ServiceAccountView[]>,
): string[] {
  return (saByRole.get(role.role.arn) ?? [])
    .filter((sa) => sa.cluster.issuer === grant.issuer)
    .map((sa) => sa.subject);
}

export function updateTrustCommand(role: RoleView): string {
  const name = role.role.arn.split('/').pop();
  return `aws iam update-assume-role-policy --role-name ${name} --policy-document file://trust.json`;
}

/** Levenshtein distance with an early exit above `max`. */
export function editDistance(a: string, b: string, max = Number.POSITIVE_INFINITY): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost);
      rowMin = Math.min(rowMin, current[j]);
    }
    if (rowMin > max) return max + 1;
    previous = current;
  }
  return previous[b.length];
}

/** The closest of `candidates` to `target`, or undefined when none is within `max` edits. */
export function nearest(target: string, candidates: Iterable<string>, max: number): string | undefined {
  let best: string | undefined;
  let bestDistance = max + 1;
  for (const candidate of candidates) {
    const distance = editDistance(target, candidate, bestDistance - 1);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

export function envValue(
  pod: Pod,
  containerName: string,
  name: string,
): { value?: string; present: boolean } {
  const container = pod.containers.find((c) => c.name === containerName);
  const variable = container?.env.find((env) => env.name === name);
  return { value: variable?.value, present: Boolean(variable) };
}

export const SKIP_POD_LABEL = 'eks.amazonaws.com/skip-pod-identity-webhook';
export const SKIP_CONTAINERS_ANNOTATION = 'eks.amazonaws.com/skip-containers';

/** Pods that are running or about to (the webhook's effect matters only for live pods). */
export function isLive(pod: Pod): boolean {
  return pod.phase === undefined || pod.phase === 'Running' || pod.phase === 'Pending';
}

/** Containers the webhook would mutate: init and regular, minus `skip-containers`. */
export function mutatedContainers(pod: Pod) {
  const skip = new Set(
    (pod.annotations?.[SKIP_CONTAINERS_ANNOTATION] ?? '')
      .split(',')
      .map((name) => name.trim())
      .filter(Boolean),
  );
  return pod.containers.filter((container) => !skip.has(container.name));
}

export function listPods(pods: Pod[], limit = 5): string {
  return listNames(
    pods.map((pod) => pod.name),
    limit,
  );
}

export function listNames(names: string[], limit = 5): string {
  const shown = names.slice(0, limit);
  return names.length > limit ? `${shown.join(', ')} and ${names.length - limit} more` : shown.join(', ');
}

/** Says how a service account subject differs from the nearest `sub` value a trust admits. */
export function describeSubjectMismatch(allowed: string[], subject: string): string {
  const target = parseSubjectLoose(subject);
  const best = nearest(subject, allowed, Number.POSITIVE_INFINITY);
  if (!best) return `the trust admits no subject for this issuer (this service account is ${subject})`;
  const other = parseSubjectLoose(best);
  let difference = '';
  if (target && other) {
    if (other.namespace !== target.namespace && other.name === target.name) {
      difference = ` (namespace ${other.namespace}, not ${target.namespace})`;
    } else if (other.namespace === target.namespace && other.name !== target.name) {
      difference = ` (service account ${other.name}, not ${target.name})`;
    } else if (other.namespace !== target.namespace) {
      difference = ` (namespace ${other.namespace} and name ${other.name})`;
    }
  }
  return `the trust's sub admits ${allowed.length > 1 ? `${allowed.length} values, nearest ` : ''}"${best}"${difference}; this service account is "${subject}"`;
}

function parseSubjectLoose(subject: string): { namespace: string; name: string } | undefined {
  const parts = subject.split(':');
  return parts.length === 4 && parts[0] === 'system' && parts[1] === 'serviceaccount'
    ? { namespace: parts[2], name: parts[3] }
    : undefined;
}
