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

let rowA = new Int32Array(64);
let rowB = new Int32Array(64);

/**
 * Levenshtein distance: exact when it is ≤ `max`, otherwise some value above `max`. The common prefix
 * and suffix are skipped (ARNs and subjects share long ones) and only the diagonal band of width
 * 2·max+1 is computed, with an exit as soon as a whole row exceeds `max`: `nearest` calls this for
 * every candidate of an account or cluster, so it must cost O(max · length), not O(length²).
 */
export function editDistance(a: string, b: string, max = Number.POSITIVE_INFINITY): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let start = 0;
  let endA = a.length;
  let endB = b.length;
  while (start < endA && start < endB && a.charCodeAt(start) === b.charCodeAt(start)) start++;
  while (endA > start && endB > start && a.charCodeAt(endA - 1) === b.charCodeAt(endB - 1)) {
    endA--;
    endB--;
  }
  const n = endA - start;
  const m = endB - start;
  if (n === 0 || m === 0) return n + m;
  const band = Math.min(Math.floor(max), Math.max(n, m));
  const over = band + 1;
  if (rowA.length <= m) {
    rowA = new Int32Array(m + 1);
    rowB = new Int32Array(m + 1);
  }
  let previous = rowA;
  let current = rowB;
  for (let j = 0; j <= m; j++) previous[j] = j <= band ? j : over;
  for (let i = 1; i <= n; i++) {
    const lo = Math.max(i - band, 1);
    const hi = Math.min(i + band, m);
    current[lo - 1] = lo === 1 && i <= band ? i : over;
    let rowMin = current[lo - 1];
    const code = a.charCodeAt(start + i - 1);
    for (let j = lo; j <= hi; j++) {
      let value = previous[j - 1] + (code === b.charCodeAt(start + j - 1) ? 0 : 1);
      if (previous[j] + 1 < value) value = previous[j] + 1;
      if (current[j - 1] + 1 < value) value = current[j - 1] + 1;
      if (value > over) value = over;
      current[j] = value;
      if (value < rowMin) rowMin = value;
    }
    if (hi < m) current[hi + 1] = over;
    if (rowMin > band) return max + 1;
    const swap = previous;
    previous = current;
    current = swap;
  }
  return previous[m] > band ? max + 1 : previous[m];
}

/**
 * Longest string `nearest` compares. Role ARNs (64-character name, 512-character path) and subjects
 * (`system:serviceaccount:` + 63 + 253) are shorter; longer values in a hand-made inventory are not
 * "near" anything, and comparing them would cost length² per pair.
 */
export const NEAREST_MAX_LENGTH = 1024;

/**
 * The closest of `candidates` to `target` (the first one on ties), or undefined when none is within
 * `max` edits (or the target is longer than NEAREST_MAX_LENGTH; longer candidates are skipped).
 */
export function nearest(target: string, candidates: Iterable<string>, max: number): string | undefined {
  if (target.length > NEAREST_MAX_LENGTH) return undefined;
  const index = Array.isArray(candidates) ? poolIndexes.get(candidates) : undefined;
  if (index) return nearestInPool(target, index, max);
  let best: string | undefined;
  let bestDistance = max + 1;
  for (const candidate of candidates) {
    // Cheap reject first: the length difference is a lower bound of the distance.
    if (candidate.length > NEAREST_MAX_LENGTH || Math.abs(candidate.length - target.length) >= bestDistance)
      continue;
    const distance = editDistance(target, candidate, bestDistance - 1);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
      if (distance === 0) break;
    }
  }
  return best;
}

/**
 * A candidate pool prepared for repeated `nearest` queries (one per missing role or subject): the
 * candidates sorted, to seed a tight bound from the target's lexicographic neighbours, and per-candidate
 * character counts, whose difference with the target's is a lower bound of the edit distance. Both only
 * prune: the answer is the same as the plain scan's (first candidate in pool order at minimal distance).
 */
interface PoolIndex {
  pool: readonly string[];
  sorted: string[];
  /** `BUCKETS` counts per candidate, in pool order. */
  counts: Uint16Array;
}

/** Character buckets: a–z (case folded), 0–9, the punctuation of ARNs and subjects, everything else. */
const BUCKETS = 48;
const BUCKET_OF = new Uint8Array(128).fill(BUCKETS - 1);
for (let code = 0; code < 26; code++) {
  BUCKET_OF[97 + code] = code;
  BUCKET_OF[65 + code] = code;
}
for (let digit = 0; digit < 10; digit++) BUCKET_OF[48 + digit] = 26 + digit;
[...'-:/._@=+,'].forEach((ch, i) => {
  BUCKET_OF[ch.charCodeAt(0)] = 36 + i;
});
const bucketOf = (code: number) => (code < 128 ? BUCKET_OF[code] : BUCKETS - 1);
/** Candidates this long skip the count filter (their counts could saturate). */
const COUNT_LIMIT = 0xffff;
const poolIndexes = new WeakMap<readonly string[], PoolIndex>();
const targetCounts = new Int32Array(BUCKETS);

function indexPool(pool: string[]): void {
  const counts = new Uint16Array(pool.length * BUCKETS);
  for (let k = 0; k < pool.length; k++) {
    const candidate = pool[k];
    const base = k * BUCKETS;
    if (candidate.length >= COUNT_LIMIT) continue;
    // Buckets merge characters: merged counts still give a lower bound of the distance.
    for (let i = 0; i < candidate.length; i++) counts[base + bucketOf(candidate.charCodeAt(i))]++;
  }
  poolIndexes.set(pool, { pool, sorted: [...pool].sort(), counts });
}

function nearestInPool(target: string, index: PoolIndex, max: number): string | undefined {
  const { pool, sorted, counts } = index;
  // Seed: the closest lexicographic neighbours usually share the longest prefix with the target.
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (sorted[mid] < target) low = mid + 1;
    else high = mid;
  }
  let limit = max;
  for (let k = Math.max(0, low - 4); k < Math.min(sorted.length, low + 4); k++) {
    if (sorted[k].length > NEAREST_MAX_LENGTH) continue;
    const distance = editDistance(target, sorted[k], limit);
    if (distance <= limit) limit = distance;
  }
  if (limit > max) return undefined;
  targetCounts.fill(0);
  const buckets: number[] = [];
  for (let i = 0; i < target.length; i++) {
    const bucket = bucketOf(target.charCodeAt(i));
    if (targetCounts[bucket]++ === 0) buckets.push(bucket);
  }
  // Scan in pool order, accepting distances ≤ limit, then only strictly better ones.
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (let k = 0; k < pool.length; k++) {
    const candidate = pool[k];
    const lengthGap = candidate.length - target.length;
    if ((lengthGap < 0 ? -lengthGap : lengthGap) >= bestDistance || candidate.length > NEAREST_MAX_LENGTH)
      continue;
    if (candidate.length < COUNT_LIMIT) {
      // Characters of the target the candidate lacks each cost an edit (bag distance).
      const base = k * BUCKETS;
      let missing = 0;
      for (let b = 0; b < buckets.length; b++) {
        const gap = targetCounts[buckets[b]] - counts[base + buckets[b]];
        if (gap > 0) missing += gap;
      }
      if (missing >= bestDistance || missing + lengthGap >= bestDistance) continue;
    }
    const distance = editDistance(target, candidate, bestDistance - 1);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
      if (distance === 0) break;
    }
  }
  return best;
}

const candidatePools = new WeakMap<object, Map<string, string[]>>();

/**
 * A candidate list for `nearest`, built and indexed once per audit: `owner` is an object of one run
 * (the audit context, a cluster view) so a later run on a changed inventory never sees a stale list.
 */
export function candidatePool(owner: object, key: string, build: () => string[]): string[] {
  let pools = candidatePools.get(owner);
  if (!pools) {
    pools = new Map();
    candidatePools.set(owner, pools);
  }
  let pool = pools.get(key);
  if (!pool) {
    pool = build();
    indexPool(pool);
    pools.set(key, pool);
  }
  return pool;
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
  if (!pod.annotations?.[SKIP_CONTAINERS_ANNOTATION]) return pod.containers;
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
  // Values too long to compare (not real subjects) fall back to the first one.
  const best = nearest(subject, allowed, Number.POSITIVE_INFINITY) ?? allowed[0];
  if (!best) return `the trust admits no subject for this issuer (this service account is ${subject})`;
  const isPattern = /[*?]/.test(best);
  const other = isPattern ? undefined : parseSubjectLoose(best);
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
  const what = isPattern ? `pattern "${best}"` : `"${best}"`;
  return `the trust's sub admits ${allowed.length > 1 ? `${allowed.length} values, nearest ` : ''}${what}${difference}; this service account is "${subject}"`;
}

function parseSubjectLoose(subject: string): { namespace: string; name: string } | undefined {
  const parts = subject.split(':');
  return parts.length === 4 && parts[0] === 'system' && parts[1] === 'serviceaccount'
    ? { namespace: parts[2], name: parts[3] }
    : undefined;
}
