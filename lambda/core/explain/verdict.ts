/**
 * The verdict: whether the credentials the pods get work, read from the checks' findings. The checks
 * decide what is wrong; this table only says which credentials a finding of each check stops when it
 * concerns this service account (its own resource, its annotated role for IRSA, its association's
 * role for Pod Identity). A test fails when a check is missing from it.
 */
import { CHECKS } from '../checks/index';
import type { Finding } from '../findings';
import type { ScanResult } from '../scan-result';
import { type Credentials, MECHANISM_NAMES, type MechanismReport } from './mechanism';
import type { Neighbourhood } from './neighbourhood';

export type Verdict = 'works' | 'broken' | 'unknown' | 'unused';

type Effect =
  | { stops: readonly Credentials[] }
  | { undecides: readonly Credentials[] }
  /** Hardening, dead configuration, or facts about other service accounts: never the verdict. */
  | 'context';

const ALL: readonly Credentials[] = ['irsa', 'pod-identity', 'none'];

/** What a finding of each check means for the service account it concerns. */
export const FINDING_EFFECT: Readonly<Record<string, Effect>> = {
  'cluster.no-oidc-provider': 'context', // sa.role-untrusted says it for this SA's role account
  'provider.missing-audience': { stops: ['irsa'] },
  'provider.orphaned': 'context',
  'trust.principal-malformed': 'context', // the SA's own verdict is sa.role-untrusted
  'trust.principal-other-account': 'context',
  'trust.provider-missing': 'context',
  'trust.provider-no-cluster': 'context',
  'trust.action-mismatch': 'context',
  'trust.sub-unrestricted': 'context',
  'trust.sub-wildcard-broad': 'context',
  'trust.sub-wildcard-namespace': 'context',
  'trust.stringequals-wildcard': 'context',
  'trust.condition-key-foreign': 'context',
  'trust.sub-malformed': 'context',
  'trust.sub-conflicting': 'context',
  'trust.aud-missing': 'context',
  'trust.aud-mismatch': 'context',
  'trust.sub-target-missing': 'context',
  'trust.target-not-annotated': { stops: ['none'] },
  'trust.indeterminate': { undecides: ['irsa'] },
  'role.no-permissions': { stops: ['irsa'] },
  'sa.annotation-key-typo': { stops: ['none'] },
  'sa.role-arn-malformed': { stops: ['irsa', 'none'] },
  'sa.role-missing': { stops: ['irsa'] },
  'sa.role-not-audited': { undecides: ['irsa'] },
  'sa.role-untrusted': { stops: ['irsa'] },
  'sa.audience-not-registered': { stops: ['irsa'] },
  'sa.optional-annotation-invalid': 'context',
  'sa.irsa-and-pod-identity': 'context',
  'pod.irsa-not-injected': { stops: ['irsa'] },
  'pod.irsa-stale-role': { stops: ['irsa'] },
  'pod.irsa-orphan-env': 'context',
  'podidentity.role-missing': { stops: ['pod-identity'] },
  'podidentity.trust-missing': { stops: ['pod-identity'] },
  'podidentity.sa-missing': { stops: ['pod-identity'] },
  'scan.account-unreachable': { undecides: ALL },
  'scan.region-failed': { undecides: ALL },
  'scan.cluster-unreachable': { undecides: ALL },
};

/** Whether the finding is about this service account's `credentials`, not a neighbour's. */
function concerns(area: Neighbourhood, finding: Finding, credentials: Credentials): boolean {
  const r = finding.resource;
  if (r.serviceAccount !== undefined) {
    const { account, cluster, namespace, serviceAccount } = area.target;
    return (
      r.accountId === account.accountId &&
      r.cluster === cluster.name &&
      r.region === cluster.region &&
      r.namespace === namespace &&
      r.serviceAccount === serviceAccount
    );
  }
  if (r.roleArn !== undefined) {
    if (credentials === 'irsa') return r.roleArn === area.annotatedRole;
    if (credentials === 'pod-identity') return r.roleArn === area.association?.roleArn;
    return false;
  }
  return true;
}

export function verdictOf(
  area: Neighbourhood,
  mechanism: MechanismReport,
  scan: ScanResult,
): { verdict: Verdict; summary: string; stops: Set<Finding>; undecided: Set<Finding> } {
  const effective = mechanism.effective;
  const active: Credentials[] =
    effective === 'both' ? ['irsa', 'pod-identity'] : effective === 'unknown' ? [] : [effective];
  const stops = new Set<Finding>();
  const undecided = new Set<Finding>();
  for (const finding of scan.findings) {
    const effect = FINDING_EFFECT[finding.checkId] ?? 'context';
    if (effect === 'context') continue;
    const affected = 'stops' in effect ? effect.stops : effect.undecides;
    if (!affected.some((credentials) => active.includes(credentials) && concerns(area, finding, credentials)))
      continue;
    ('stops' in effect ? stops : undecided).add(finding);
  }
  const k8sUnread = scan.skipped.length > 0;
  if (effective === 'unknown') {
    return {
      verdict: 'unknown',
      summary:
        'could not be checked: the Kubernetes API was not read (annotation and pods unknown) and there is no Pod Identity association',
      stops,
      undecided,
    };
  }
  if (effective === 'none') {
    return stops.size > 0
      ? {
          verdict: 'broken',
          summary: 'broken: neither IRSA nor Pod Identity reaches the pods, they use the node role',
          stops,
          undecided,
        }
      : {
          verdict: 'unused',
          summary: 'neither IRSA nor Pod Identity is configured: the pods use the node role',
          stops,
          undecided,
        };
  }
  const name = MECHANISM_NAMES[effective];
  if (stops.size > 0) return { verdict: 'broken', summary: `${name} is broken`, stops, undecided };
  if (undecided.size > 0 || k8sUnread) {
    const why = k8sUnread ? 'the Kubernetes API was not read' : 'part of it was not audited';
    return { verdict: 'unknown', summary: `${name}: could not be fully checked (${why})`, stops, undecided };
  }
  const summary =
    effective === 'both'
      ? `${name} both work (the pods run under two roles until all are re-created)`
      : `${name} works`;
  return { verdict: 'works', summary, stops, undecided };
}

/** Check ids the effect table does not cover (a new check must say what it means for a verdict). */
export function unclassifiedChecks(): string[] {
  return CHECKS.map((check) => check.id).filter((id) => !(id in FINDING_EFFECT));
}
