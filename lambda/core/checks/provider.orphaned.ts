/**
 * provider.orphaned — an IAM OIDC provider for an EKS issuer that no cluster in the audited scope
 * has: left behind by a deleted or re-created cluster. It counts against the quota of 100 providers
 * per account, and roles trusting it are dead (trust.provider-no-cluster). Skipped when part of the
 * scope could not be listed, since the cluster may be there.
 */

import { shellQuote } from '../access-entry';
import { eksIssuerParts, sameClusterOtherHostFamily } from '../arn';
import type { ProviderCheck } from './types';

export const check: ProviderCheck = {
  id: 'provider.orphaned',
  runsOn: 'provider',
  severity: 'medium',
  title: 'OIDC provider for an EKS issuer with no cluster',
  description:
    'The IAM OIDC provider names an EKS issuer that no audited cluster has. It is usually left over from a deleted or re-created cluster and counts against the 100-provider quota.',
  remediation: 'Check that no cluster uses the issuer and no role still needs the provider, then delete it.',
  commands: ['aws iam delete-open-id-connect-provider --open-id-connect-provider-arn <arn>'],
  guideStep: 'oidc-provider',
  reads: ['oidc-providers', 'region-list', 'cluster-list', 'describe'],
  run(provider, account, ctx) {
    const issuer = eksIssuerParts(provider.url);
    if (!issuer) return [];
    if (ctx.clustersByIssuer.has(provider.url)) return [];
    // The cluster may be in a region of this account that could not be listed: then we cannot tell.
    // Gaps elsewhere (other accounts' regions) only matter for cross-account setups: say so.
    const coverage = ctx.clusterCoverage(account.accountId, issuer.region);
    if (coverage.kind === 'missing') return [];
    const caveat =
      coverage.kind === 'partial'
        ? ` (not seen in this run: ${coverage.notSeen.join(', ')}; a cross-account cluster could be there)`
        : '';
    const sibling = ctx.clusters.find(
      (cluster) => cluster.issuer && sameClusterOtherHostFamily(cluster.issuer, provider.url),
    );
    if (sibling) return [];
    const trustingRoles = ctx.grantsByIssuer.has(provider.url);
    return [
      {
        message: `OIDC provider ${provider.arn} names issuer ${provider.url}, which no audited cluster has (${issuer.region}); it is probably left from a deleted or re-created cluster${trustingRoles ? ', and roles still trust it' : ''}${caveat}.`,
        resource: { accountId: account.accountId, providerArn: provider.arn },
        evidence: { url: provider.url, clientIds: provider.clientIds },
        remediation: `Check that no cluster uses https://${provider.url} and move trusting roles to the current issuer, then delete the provider.`,
        commands: [
          `aws iam delete-open-id-connect-provider --open-id-connect-provider-arn ${shellQuote(provider.arn)}`,
        ],
      },
    ];
  },
};
