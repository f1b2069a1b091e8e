/**
 * provider.missing-audience — an IAM OIDC provider for an EKS issuer whose client id list lacks
 * `sts.amazonaws.com`, the audience the webhook requests by default: STS rejects every default token
 * with `InvalidIdentityToken: Incorrect token audience` (also the China-partition mistake
 * `sts.amazonaws.com.cn`). Audiences requested through the SA annotation are sa.audience-not-registered.
 */

import { shellQuote } from '../access-entry';
import { accountOfArn, isEksIssuer } from '../arn';
import { ANNOTATION_AUDIENCE, DEFAULT_AUDIENCE } from '../model';
import type { ProviderCheck } from './types';

export const check: ProviderCheck = {
  id: 'provider.missing-audience',
  runsOn: 'provider',
  severity: 'high',
  title: 'OIDC provider lacks the sts.amazonaws.com audience',
  description:
    "The provider's client id list does not contain sts.amazonaws.com, the audience EKS tokens carry by default (in every partition, China included).",
  remediation: 'Add sts.amazonaws.com to the client ids of the provider.',
  commands: [
    'aws iam add-client-id-to-open-id-connect-provider --open-id-connect-provider-arn <arn> --client-id sts.amazonaws.com',
  ],
  guideStep: 'oidc-provider',
  reads: ['oidc-providers', 'describe', 'service-accounts'],
  run(provider, account, ctx) {
    if (!isEksIssuer(provider.url) && !ctx.clustersByIssuer.has(provider.url)) return [];
    if (provider.clientIds.includes(DEFAULT_AUDIENCE)) return [];
    // When the account's IAM reads failed (e.g. GetOpenIDConnectProvider), the client ids are unknown.
    if (!ctx.partRead(account.accountId, 'oidc-providers')) return [];
    // Service accounts that rely on this provider: annotated with a role in this account, in a cluster
    // with this issuer. If every one of them requests a custom audience, the default is not needed.
    const users = (ctx.clustersByIssuer.get(provider.url) ?? []).flatMap((cluster) =>
      [...cluster.serviceAccounts.values()].filter(
        (sa) => sa.roleArn && accountOfArn(sa.roleArn) === account.accountId,
      ),
    );
    if (users.length > 0 && users.every((sa) => sa.serviceAccount.annotations[ANNOTATION_AUDIENCE]))
      return [];
    return [
      {
        message: `OIDC provider ${provider.arn} lists client ids ${JSON.stringify(provider.clientIds)} but not ${DEFAULT_AUDIENCE}; tokens with the default audience are rejected (InvalidIdentityToken: Incorrect token audience)${users.length ? `, affecting ${users.length} annotated service account(s)` : ''}.`,
        resource: { accountId: account.accountId, providerArn: provider.arn },
        evidence: { url: provider.url, clientIds: provider.clientIds },
        remediation: `Add ${DEFAULT_AUDIENCE} to the client ids of the provider.`,
        commands: [
          `aws iam add-client-id-to-open-id-connect-provider --open-id-connect-provider-arn ${shellQuote(provider.arn)} --client-id ${DEFAULT_AUDIENCE}`,
        ],
      },
    ];
  },
};
