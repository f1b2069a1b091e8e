/**
 * trust.sub-target-missing — `sub` names a service account (or a namespace) that does not exist in
 * the cluster: a dead trust, and whoever can create that service account (or namespace) gets the role.
 * Needs the cluster's Kubernetes data; skipped for clusters that could not be read.
 */
import type { FindingDraft } from '../findings';
import { parseSubject } from '../policy/trust';
import { closeCandidates, clusterLabel, nearest, roleResource } from './helpers';
import type { RoleCheck } from './types';

export const check: RoleCheck = {
  id: 'trust.sub-target-missing',
  runsOn: 'role',
  severity: 'medium',
  severityNote: 'high when the namespace itself does not exist',
  title: 'sub names a service account that does not exist',
  description:
    'The trust admits a service account or namespace that does not exist in the cluster. It is dead, and anyone allowed to create that service account or namespace gets the role.',
  remediation: 'Remove the subject from the trust policy, or fix it to name the service account that exists.',
  guideStep: 'service-account',
  reads: ['iam-roles', 'describe', 'service-accounts', 'pods'],
  run(role, ctx) {
    const drafts: FindingDraft[] = [];
    for (const grant of role.trust.grants) {
      const clusters = (ctx.clustersByIssuer.get(grant.issuer) ?? []).filter((cluster) => cluster.readable);
      if (clusters.length === 0) continue;
      const cluster = clusters[0];
      for (const subject of grant.subjects.exact) {
        if (ctx.serviceAccountBySubject(grant.issuer, subject)) continue;
        const parsed = parseSubject(subject);
        if (!parsed) continue;
        const namespaceExists = cluster.namespaces.has(parsed.namespace);
        const near = nearest(
          subject,
          closeCandidates(
            ctx.cache.sortedNames,
            `subjects:${cluster.account.accountId}/${cluster.cluster.region}/${cluster.cluster.name}`,
            () => [...cluster.serviceAccounts.values()].map((sa) => sa.subject),
            subject,
          ),
          Math.max(4, Math.floor(subject.length / 4)),
        );
        drafts.push({
          severity: namespaceExists ? 'medium' : 'high',
          message: `${role.role.arn}: statement ${grant.statement} trusts ${subject}, but ${namespaceExists ? `namespace ${parsed.namespace} has no service account ${parsed.name}` : `namespace ${parsed.namespace} does not exist`} in cluster ${clusterLabel(cluster)}${near ? `; nearest existing: ${near}` : ''}. Whoever can create it gets the role.`,
          resource: {
            ...roleResource(role, grant.statement, grant.providerArn),
            cluster: cluster.cluster.name,
            region: cluster.cluster.region,
            namespace: parsed.namespace,
            serviceAccount: parsed.name,
          },
          evidence: { subject, nearest: near },
          discriminator: subject,
        });
      }
      for (const ns of grant.subjects.namespaces) {
        if (cluster.namespaces.has(ns.namespace)) continue;
        drafts.push({
          severity: 'high',
          message: `${role.role.arn}: statement ${grant.statement} admits "${ns.pattern}", but namespace ${ns.namespace} does not exist in cluster ${clusterLabel(cluster)}; whoever can create it gets the role.`,
          resource: {
            ...roleResource(role, grant.statement, grant.providerArn),
            cluster: cluster.cluster.name,
            region: cluster.cluster.region,
            namespace: ns.namespace,
          },
          evidence: { pattern: ns.pattern },
          discriminator: ns.pattern,
        });
      }
    }
    return drafts;
  },
};
