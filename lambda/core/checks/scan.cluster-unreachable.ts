/**
 * scan.cluster-unreachable — a part of a cluster could not be read, named with its own error code and
 * the fix for that part: DescribeCluster or the Pod Identity associations (a permission of the member
 * role, or an SCP), or the Kubernetes API (an access entry, or a private endpoint). IAM-side checks
 * still ran; the checks that read the missing part were skipped for the cluster, never passed.
 */
import { accessEntryCommands, refusedPrincipal, VIEW_POLICY_NAME } from '../access-entry';
import { partLabel, partsOf } from '../coverage';
import type { FindingDraft } from '../findings';
import type { Account, CoverageError } from '../model';
import type { AccountCheck } from './types';

/**
 * The access-entry commands for the member role the cluster refused, taken from what was collected
 * (the unreachable reason or the coverage error names it); without it, prose only: a guessed role
 * name would grant the wrong principal.
 */
function accessFix(
  accountId: string,
  region: string | undefined,
  cluster: string,
  evidence: string,
  partition = 'aws',
): { remediation: string; commands?: string[] } {
  const network =
    'For a private-only endpoint, run the audit from a network that reaches the cluster VPC instead.';
  const principalArn = refusedPrincipal(evidence, accountId);
  if (!principalArn || !region) {
    return {
      remediation: `Create an EKS access entry with ${VIEW_POLICY_NAME} (cluster scope) for the audit's member role in account ${accountId}: the collected data does not name the role, so irsa-audit access --member-role-name NAME prints the commands. ${network}`,
    };
  }
  return {
    remediation: `Create an EKS access entry with ${VIEW_POLICY_NAME} (cluster scope) for ${principalArn}, the role the cluster refused (irsa-audit access prints these for every unreadable cluster). ${network}`,
    commands: accessEntryCommands({ clusterName: cluster, region, principalArn, partition }),
  };
}

/** The EKS calls each AWS-side part needs, for the permission fix. */
const ACTIONS = {
  describe: 'eks:DescribeCluster',
  'pod-identity': 'eks:ListPodIdentityAssociations and eks:DescribePodIdentityAssociation',
} as const;

/** What to do about an AWS-side part that failed, by its error code. */
function awsFix(part: keyof typeof ACTIONS, error: CoverageError): string {
  const actions = ACTIONS[part];
  if (error.code === 'AccessDenied' || error.code === 'CredentialsRejected') {
    return `Allow ${actions} for the member role in ${error.region ?? 'the region'} (the StackSet template has them), and check that no SCP or permissions boundary denies them (an explicit deny names the policy in the message).`;
  }
  if (error.code === 'Throttled') {
    return `${actions} was throttled beyond the retries: run again, or lower the audit's concurrency (docs/collection.md).`;
  }
  return `${actions} failed (${error.code}); run again, and check the EKS service health in ${error.region ?? 'the region'}.`;
}

export const check: AccountCheck = {
  id: 'scan.cluster-unreachable',
  runsOn: 'account',
  severity: 'medium',
  title: "Cluster's Kubernetes API could not be read",
  description:
    'A part of the cluster could not be read: its Kubernetes API (ServiceAccounts and Pods), its description (DescribeCluster) or its Pod Identity associations. The checks that need that part were skipped for this cluster. The message names the part, its error code and what to grant.',
  remediation:
    'Create an EKS access entry for the member role with AmazonEKSViewPolicy (cluster scope), or make the private endpoint reachable; for DescribeCluster or Pod Identity, allow the EKS read calls and check SCPs.',
  guideStep: 'coverage',
  reads: [],
  run(account) {
    const drafts = new Map<string, FindingDraft>();
    const clusters = new Map(
      account.clusters.map((cluster) => [`${cluster.region}/${cluster.name}`, cluster]),
    );
    // AWS-side failures first: a cluster that could not be described has no Kubernetes read either.
    const undescribed = new Set<string>();
    for (const error of account.errors) {
      if (error.scope !== 'cluster' || !error.cluster) continue;
      const key = `${error.region ?? ''}/${error.cluster}`;
      const parts = partsOf(error, clusters.get(key));
      if (parts.includes('describe')) {
        undescribed.add(key);
        drafts.set(key, awsDraft(account, error, 'describe'));
      } else if (parts.includes('pod-identity')) {
        const draft = awsDraft(account, error, 'pod-identity');
        if (!drafts.has(`${key}#pod-identity`)) drafts.set(`${key}#pod-identity`, draft);
      }
    }
    for (const cluster of account.clusters) {
      const key = `${cluster.region}/${cluster.name}`;
      if (cluster.kubernetes.status === 'ok' || undescribed.has(key)) continue;
      const reason =
        cluster.kubernetes.status === 'unreachable'
          ? cluster.kubernetes.reason
          : `Kubernetes objects were not collected${cluster.kubernetes.reason ? ` (${cluster.kubernetes.reason})` : ''}`;
      drafts.set(key, {
        message: `Kubernetes API of cluster ${cluster.name} (${cluster.region}, account ${account.accountId}) was not read: ${reason}. ServiceAccount and Pod checks were skipped for it.`,
        resource: { accountId: account.accountId, region: cluster.region, cluster: cluster.name },
        evidence: cluster.kubernetes,
        ...accessFix(
          account.accountId,
          cluster.region,
          cluster.name,
          cluster.kubernetes.reason ?? '',
          account.partition,
        ),
      });
    }
    for (const error of account.errors) {
      if (error.scope !== 'cluster' || !error.cluster) continue;
      const key = `${error.region ?? ''}/${error.cluster}`;
      if (undescribed.has(key)) continue;
      const parts = partsOf(error, clusters.get(key));
      if (!parts.includes('service-accounts') && !parts.includes('pods')) continue;
      const existing = drafts.get(key);
      if (existing) {
        existing.evidence = { ...(existing.evidence as object), code: error.code, error: error.message };
        if (!existing.commands) {
          Object.assign(
            existing,
            accessFix(account.accountId, error.region, error.cluster, error.message, account.partition),
          );
        }
        continue;
      }
      drafts.set(key, {
        message: `Cluster ${error.cluster} (${error.region ?? 'unknown region'}, account ${account.accountId}) could not be read: ${error.code}: ${error.message}`,
        resource: { accountId: account.accountId, region: error.region, cluster: error.cluster },
        evidence: { code: error.code, message: error.message },
        ...accessFix(account.accountId, error.region, error.cluster, error.message, account.partition),
      });
    }
    return [...drafts.values()];
  },
};

function awsDraft(account: Account, error: CoverageError, part: keyof typeof ACTIONS): FindingDraft {
  const where = `${error.cluster} (${error.region ?? 'unknown region'}, account ${account.accountId})`;
  const skipped =
    part === 'describe'
      ? 'nothing of the cluster (issuer, Pod Identity, Kubernetes) was read, and its checks were skipped'
      : 'the checks that read associations were skipped for it';
  return {
    message: `Cluster ${where}: ${partLabel(part)} could not be read: ${error.code}: ${error.message}; ${skipped}.`,
    resource: { accountId: account.accountId, region: error.region, cluster: error.cluster },
    evidence: { part, code: error.code, message: error.message },
    // The describe failure stands for the whole cluster (one finding, as before); the others are one each.
    ...(part === 'describe' ? {} : { discriminator: part }),
    remediation: awsFix(part, error),
  };
}
