/** Small helpers shared by the checks: resource identities, remediation fragments, name distance. */

import { shellQuote } from '../access-entry';
import { providerArnFor, sameClusterOtherHostFamily } from '../arn';
import type {
  AuditContext,
  ClusterView,
  RoleView,
  ServiceAccountView,
  SortedNames,
  WorkloadView,
} from '../context';
import { editDistance } from '../edit-distance';
import type { FindingResource } from '../findings';
import type { Container, Pod } from '../model';
import { DEFAULT_AUDIENCE } from '../model';
import type { NormalizedStatement } from '../policy/normalize';
import type { IrsaGrant } from '../policy/trust';
import {
  ANNOTATION_SKIP_CONTAINERS,
  ENV_CONTAINER_CREDENTIALS_FULL_URI,
  ENV_ROLE_ARN,
  ENV_WEB_IDENTITY_TOKEN_FILE,
  LABEL_SKIP_POD_IDENTITY_WEBHOOK,
} from '../workload-fields';

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

/** The statement as written, for evidence (trimmed by the engine). */
export function statementEvidence(statement: NormalizedStatement): unknown {
  return statement.raw;
}

/** A trust statement scoped to one service account, as the AWS docs write it. */
function scopedStatement(
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

/** The role's name without its IAM path: what `--role-name` takes. */
export function roleNameOf(roleArn: string): string {
  return roleArn.slice(roleArn.lastIndexOf('/') + 1);
}

/** The file `irsa-audit fix` writes for a role: its complete new trust policy (docs/output.md). */
export function trustFileName(roleArn: string): string {
  return `${roleNameOf(roleArn)}.trust.json`;
}

/**
 * A trust fix: prose saying what the new document changes and how to write it, and the one command
 * that applies it. The command replaces the whole trust policy, so it only ever names the file that
 * `irsa-audit fix` writes with every existing statement kept (lambda/core/fix/trust-fix.ts), never a
 * fragment.
 */
export function trustFix(roleArn: string, change: string): { remediation: string; commands: string[] } {
  const file = trustFileName(roleArn);
  return {
    remediation: `${change} \`irsa-audit fix <id> --inventory FILE\` writes ${file}: the role's complete new trust policy, every other statement kept. Review it, then apply it with the command (it replaces the whole policy).`,
    commands: [
      `aws iam update-assume-role-policy --role-name ${shellQuote(roleNameOf(roleArn))} --policy-document ${shellQuote(`file://${file}`)}`,
    ],
  };
}

/** Creates the role account's OIDC provider for a cluster issuer (run with that account's credentials). */
export function createProviderCommand(
  issuer: string,
  audiences: readonly string[] = [DEFAULT_AUDIENCE],
): string {
  return `aws iam create-open-id-connect-provider --url ${shellQuote(`https://${issuer}`)} --client-id-list ${audiences.map(shellQuote).join(' ')}`;
}

/** A trust fix that first needs the OIDC provider for `issuer` in the role's account. */
export function withProvider(
  fix: { remediation: string; commands: string[] },
  issuer: string,
  audience?: string,
): { remediation: string; commands: string[] } {
  return {
    remediation: fix.remediation,
    commands: [
      createProviderCommand(issuer, audience === undefined ? undefined : [audience]),
      ...fix.commands,
    ],
  };
}

/**
 * The cluster issuer trust statement `index` is meant for: its provider's issuer when an audited
 * cluster has it (or the other EKS host family of it), else the one issuer of the role's IRSA users
 * that no other statement names; undefined when that cannot be told.
 */
export function intendedIssuer(role: RoleView, index: number, ctx: AuditContext): string | undefined {
  const oidc = role.trust.oidcStatements.find((entry) => entry.statement.index === index);
  for (const ref of oidc?.providers ?? []) {
    const issuer = ref.parsed?.issuer;
    if (!issuer || ref.problem) continue;
    if (ctx.clustersByIssuer.has(issuer)) return issuer;
    const sibling = [...ctx.clustersByIssuer.keys()].find((known) =>
      sameClusterOtherHostFamily(known, issuer),
    );
    if (sibling) return sibling;
  }
  const served = new Set(
    role.trust.oidcStatements
      .filter((entry) => entry.statement.index !== index)
      .flatMap((entry) =>
        entry.providers.flatMap((ref) => (ref.parsed && !ref.problem ? [ref.parsed.issuer] : [])),
      ),
  );
  const candidates = new Set<string>();
  for (const sa of ctx.serviceAccountsByRole.get(role.role.arn) ?? []) {
    const issuer = sa.cluster.issuer;
    if (issuer && !served.has(issuer) && dependsOnIrsa(sa, ctx)) candidates.add(issuer);
  }
  return candidates.size === 1 ? [...candidates][0] : undefined;
}

/** Points a statement whose provider is wrong at the cluster issuer it is meant for. */
export function repointFix(
  role: RoleView,
  index: number,
  ctx: AuditContext,
): { remediation: string; commands: string[] } {
  const issuer = intendedIssuer(role, index, ctx);
  if (!issuer) {
    return {
      remediation: `Point Principal.Federated and the condition keys of statement ${index} at the issuer of the cluster that runs the workload (the command prints it); no service account annotated with the role tells which cluster it is meant for.`,
      commands: [
        'aws eks describe-cluster --name <cluster> --region <region> --query cluster.identity.oidc.issuer --output text',
      ],
    };
  }
  const providerArn = providerArnFor(role.partition, role.accountId, issuer);
  const fix = trustFix(
    role.role.arn,
    `Point statement ${index} at the cluster issuer https://${issuer}: Principal.Federated ${providerArn} and the condition keys "${issuer}:sub" / ":aud".`,
  );
  const missing =
    ctx.partRead(role.accountId, 'oidc-providers') &&
    !ctx.providersByAccount.get(role.accountId)?.has(issuer);
  return missing ? withProvider(fix, issuer) : fix;
}

/** Controllers `kubectl rollout restart` accepts. */
const RESTARTABLE: readonly string[] = Object.freeze(['Deployment', 'StatefulSet', 'DaemonSet']);

/**
 * How to re-create the running pods of these workloads so the webhook mutates them again: a rollout
 * restart of each named controller, never of a whole namespace (docs/output.md "Fix commands"); pods
 * of other owners are deleted by name, and `notes` says what that means.
 */
export function restartFix(workloads: readonly WorkloadView[]): { commands: string[]; notes: string[] } {
  const commands: string[] = [];
  const notes: string[] = [];
  for (const workload of workloads) {
    const pods = workload.pods.filter(isLive);
    if (pods.length === 0) continue;
    const slash = workload.workload.indexOf('/');
    const kind = workload.workload.slice(0, slash);
    const name = workload.workload.slice(slash + 1);
    const ns = shellQuote(workload.namespace);
    if (RESTARTABLE.includes(kind)) {
      commands.push(`kubectl rollout restart -n ${ns} ${kind.toLowerCase()}/${shellQuote(name)}`);
    } else if (kind === 'Pod') {
      commands.push(`kubectl delete pod -n ${ns} ${shellQuote(name)}`);
      notes.push(`pod ${workload.namespace}/${name} has no controller: re-create it from its manifest`);
    } else {
      commands.push(`kubectl delete pod -n ${ns} ${pods.map((pod) => shellQuote(pod.name)).join(' ')}`);
      notes.push(
        `${workload.workload} cannot be rollout-restarted: its controller re-creates the deleted pods`,
      );
    }
  }
  return { commands, notes };
}

/** Re-create the pods of one workload (the pod checks). */
export function restartRemediation(
  workload: WorkloadView,
  why: string,
): { remediation: string; commands: string[] } {
  const { commands, notes } = restartFix([workload]);
  const note = notes.length > 0 ? ` (${notes.join('; ')})` : '';
  return {
    remediation: `Re-create the pods of ${workload.workload} in namespace ${workload.namespace} ${why}${note}.`,
    commands,
  };
}

/**
 * Fix the service account, then re-create the running pods of the workloads that use it (from the
 * pods' owners). Without running pods there is nothing to restart, and the prose says so instead of
 * suggesting a namespace-wide restart.
 */
export function annotateAndRestart(
  sa: ServiceAccountView,
  ctx: AuditContext,
  prose: string,
  annotate: string[],
): { remediation: string; commands: string[] } {
  const { commands, notes } = restartFix(ctx.workloadsOf(sa));
  if (commands.length === 0) {
    return {
      remediation: `${prose} No running pod of the service account was seen, so nothing needs a restart: pods created from now on get the role.`,
      commands: annotate,
    };
  }
  const note = notes.length > 0 ? `; ${notes.join('; ')}` : '';
  return {
    remediation: `${prose} Then re-create the running pods of the workloads that use it (the webhook mutates pods only at creation)${note}.`,
    commands: [...annotate, ...commands],
  };
}

// In the core (the collectors' annotation minimization uses it too); re-exported for the checks.
export { editDistance };

/**
 * Longest string `nearest` compares. Role ARNs (64-character name, 512-character path) and subjects
 * (`system:serviceaccount:` + 63 + 253) are shorter; longer values in a hand-made inventory are not
 * "near" anything, and comparing them would cost length² per pair.
 */
const NEAREST_MAX_LENGTH = 1024;

/**
 * The closest of `candidates` to `target` (the first one on ties), or undefined when none is within
 * `max` edits (or the target is longer than NEAREST_MAX_LENGTH; longer candidates are skipped).
 */
export function nearest(target: string, candidates: Iterable<string>, max: number): string | undefined {
  if (target.length > NEAREST_MAX_LENGTH) return undefined;
  let best: string | undefined;
  let bestDistance = max + 1;
  // Rows for editDistance, sized for any candidate nearest compares (at most NEAREST_MAX_LENGTH).
  const size =
    Math.min(NEAREST_MAX_LENGTH, target.length + (Number.isFinite(max) ? max : NEAREST_MAX_LENGTH)) + 1;
  const rows = { previous: new Int32Array(size), current: new Int32Array(size) };
  for (const candidate of candidates) {
    // Cheap reject first: the length difference is a lower bound of the distance.
    if (candidate.length > NEAREST_MAX_LENGTH || Math.abs(candidate.length - target.length) >= bestDistance)
      continue;
    const distance = editDistance(target, candidate, bestDistance - 1, rows);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
      if (distance === 0) break;
    }
  }
  return best;
}

/**
 * Names close to `target` among `names`, for "did you mean" suggestions: its lexicographic neighbours
 * in `names` sorted forwards (same prefix: a typo in the name) and sorted by reversed text (same
 * suffix: a renamed namespace or path). The two sorted views are built once per `key` in `views`
 * (the run's AuditContext.cache.sortedNames, so a later run never sees a stale list), so each query
 * costs two binary searches and at most 4·`width` edit distances instead of one per name.
 */
export function closeCandidates(
  views: Map<string, SortedNames>,
  key: string,
  build: () => string[],
  target: string,
  width = 12,
): string[] {
  let view = views.get(key);
  if (!view) {
    const names = build();
    view = { forward: [...names].sort(byCodeUnits), backward: [...names].sort(bySuffix) };
    views.set(key, view);
  }
  const near = new Set(neighbours(view.forward, target, width, byCodeUnits));
  for (const name of neighbours(view.backward, target, width, bySuffix)) near.add(name);
  return [...near];
}

/** The default sort order, without the default comparator's per-comparison string conversions. */
function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Order of the reversed strings, compared from the end without building them. */
function bySuffix(a: string, b: string): number {
  let i = a.length - 1;
  let j = b.length - 1;
  for (; i >= 0 && j >= 0; i--, j--) {
    const difference = a.charCodeAt(i) - b.charCodeAt(j);
    if (difference !== 0) return difference;
  }
  return i - j;
}

function neighbours(
  sorted: readonly string[],
  target: string,
  width: number,
  compare: (a: string, b: string) => number,
): string[] {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (compare(sorted[mid], target) < 0) low = mid + 1;
    else high = mid;
  }
  return sorted.slice(Math.max(0, low - width), low + width);
}

/** Running pods of the service account with a container that carries the IRSA variables. */
export function podsOnIrsa(sa: ServiceAccountView, ctx: AuditContext): Pod[] {
  const pods: Pod[] = [];
  for (const workload of ctx.workloadsOf(sa)) {
    for (const pod of workload.pods) if (isLive(pod) && pod.containers.some(hasIrsaEnv)) pods.push(pod);
  }
  return pods;
}

/**
 * Whether the service account's pods can depend on IRSA (docs/irsa-semantics.md §4.3). With a Pod Identity
 * association the webhook injects the Pod Identity variables instead of the IRSA ones ("container
 * credentials method takes precedence"), so only pods that still carry the IRSA variables — created
 * before the association, or with them written in their spec — use the annotated role.
 */
export function dependsOnIrsa(sa: ServiceAccountView, ctx: AuditContext): boolean {
  return Boolean(sa.roleArn) && !supersededByPodIdentity(sa, ctx);
}

/** The service account has a Pod Identity association and none of its running pods still use IRSA. */
export function supersededByPodIdentity(sa: ServiceAccountView, ctx: AuditContext): boolean {
  return sa.association !== undefined && podsOnIrsa(sa, ctx).length === 0;
}

/**
 * For an annotated service account that also has a Pod Identity association: which of its pods an
 * IRSA problem still affects. Empty without an association.
 */
export function podIdentityNote(sa: ServiceAccountView, ctx: AuditContext): string {
  if (!sa.association) return '';
  const pods = podsOnIrsa(sa, ctx);
  const id = sa.association.associationId;
  return ` It also has Pod Identity association${id ? ` ${id}` : ''}, which new pods use instead; this affects only its ${pods.length} running pod(s) that still carry the IRSA variables (${listPods(pods)}).`;
}

export const SKIP_POD_LABEL = LABEL_SKIP_POD_IDENTITY_WEBHOOK;

/** Pods that are running or about to (the webhook's effect matters only for live pods). */
export function isLive(pod: Pod): boolean {
  return pod.phase === undefined || pod.phase === 'Running' || pod.phase === 'Pending';
}

/** Containers the webhook would mutate: init and regular, minus `skip-containers`. */
export function mutatedContainers(pod: Pod) {
  if (!pod.annotations?.[ANNOTATION_SKIP_CONTAINERS]) return pod.containers;
  const skip = new Set(
    (pod.annotations?.[ANNOTATION_SKIP_CONTAINERS] ?? '')
      .split(',')
      .map((name) => name.trim())
      .filter(Boolean),
  );
  return pod.containers.filter((container) => !skip.has(container.name));
}

/** The webhook's IRSA variables are both in the container (docs/checks.md, pod checks). */
export function hasIrsaEnv(container: Container): boolean {
  let roleArn = false;
  let tokenFile = false;
  for (const env of container.env) {
    if (env.name === ENV_ROLE_ARN) roleArn = true;
    else if (env.name === ENV_WEB_IDENTITY_TOKEN_FILE) tokenFile = true;
  }
  return roleArn && tokenFile;
}

/** The webhook's Pod Identity (container credentials) variable is in the container. */
export function hasPodIdentityEnv(container: Container): boolean {
  return container.env.some((env) => env.name === ENV_CONTAINER_CREDENTIALS_FULL_URI);
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
