/**
 * scan.cluster-unreachable — a cluster's Kubernetes API could not be read (no access entry, private
 * endpoint, timeout) or was not collected. IAM-side checks still ran; ServiceAccount and Pod checks
 * were skipped for it, never passed.
 */
import { accessEntryCommands } from '../access-entry';
import type { FindingDraft } from '../findings';
import type { AccountCheck } from './types';

/** The principal is a placeholder: the check sees the cluster, not the member role name the audit used. */
function accessFix(accountId: string, region: string, cluster: string, partition = 'aws'): string {
  const principalArn = `arn:${partition}:iam::${accountId}:role/<irsa-auditor member role>`;
  return [
    ...accessEntryCommands({ clusterName: cluster, region, principalArn, partition }),
    'For a private-only endpoint, run the audit from a network that reaches the cluster VPC (irsa-audit access prints these for every unreadable cluster).',
  ].join('\n');
}

export const check: AccountCheck = {
  id: 'scan.cluster-unreachable',
  runsOn: 'account',
  severity: 'medium',
  title: "Cluster's Kubernetes API could not be read",
  description:
    'ServiceAccounts and Pods of the cluster could not be listed, so the checks that need them were skipped for this cluster. The message says what to grant.',
  remediation:
    'Create an EKS access entry for the member role with AmazonEKSViewPolicy (cluster scope), or make the private endpoint reachable.',
  guideStep: 'coverage',
  reads: [],
  run(account) {
    const drafts = new Map<string, FindingDraft>();
    for (const cluster of account.clusters) {
      if (cluster.kubernetes.status === 'ok') continue;
      const reason =
        cluster.kubernetes.status === 'unreachable'
          ? cluster.kubernetes.reason
          : `Kubernetes objects were not collected${cluster.kubernetes.reason ? ` (${cluster.kubernetes.reason})` : ''}`;
      drafts.set(`${cluster.region}/${cluster.name}`, {
        message: `Kubernetes API of cluster ${cluster.name} (${cluster.region}, account ${account.accountId}) was not read: ${reason}. ServiceAccount and Pod checks were skipped for it.`,
        resource: { accountId: account.accountId, region: cluster.region, cluster: cluster.name },
        evidence: cluster.kubernetes,
        remediation: accessFix(account.accountId, cluster.region, cluster.name, account.partition),
      });
    }
    for (const error of account.errors) {
      if (error.scope !== 'cluster' || !error.cluster) continue;
      const key = `${error.region ?? ''}/${error.cluster}`;
      const existing = drafts.get(key);
      if (existing) {
        existing.evidence = { ...(existing.evidence as object), code: error.code, error: error.message };
        continue;
      }
      drafts.set(key, {
        message: `Cluster ${error.cluster} (${error.region ?? 'unknown region'}, account ${account.accountId}) could not be read: ${error.code}: ${error.message}`,
        resource: { accountId: account.accountId, region: error.region, cluster: error.cluster },
        evidence: { code: error.code, message: error.message },
        remediation: accessFix(
          account.accountId,
          error.region ?? '<region>',
          error.cluster,
          account.partition,
        ),
      });
    }
    return [...drafts.values()];
  },
};
