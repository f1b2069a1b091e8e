/**
 * sa.audience-not-registered — the service account requests a custom audience
 * (`eks.amazonaws.com/audience`) that the OIDC provider STS will use (in the role's account) does not
 * list among its client ids: `InvalidIdentityToken: Incorrect token audience`.
 * With a Pod Identity association it is reported only while running pods still carry the IRSA
 * variables: new pods get Pod Identity instead (docs/irsa-semantics.md §4.3; sa.irsa-and-pod-identity).
 */

import { shellQuote } from '../access-entry';
import { ANNOTATION_AUDIENCE } from '../model';
import { podIdentityNote, saLabel, serviceAccountResource, supersededByPodIdentity } from './helpers';
import type { ServiceAccountCheck } from './types';

export const check: ServiceAccountCheck = {
  id: 'sa.audience-not-registered',
  runsOn: 'serviceAccount',
  severity: 'high',
  title: 'Requested audience is not a client id of the OIDC provider',
  description:
    "The eks.amazonaws.com/audience annotation requests an audience that the OIDC provider (in the role's account) does not list, so STS rejects the token. Not reported for a service account with a Pod Identity association unless running pods still use IRSA.",
  remediation:
    'Add the requested audience to the client ids of the provider (or drop the audience annotation).',
  commands: [
    'aws iam add-client-id-to-open-id-connect-provider --open-id-connect-provider-arn <arn> --client-id <audience>',
  ],
  guideStep: 'oidc-provider',
  reads: ['service-accounts', 'pods', 'pod-identity', 'describe', 'iam-roles', 'oidc-providers'],
  run(sa, ctx) {
    const audience = sa.serviceAccount.annotations[ANNOTATION_AUDIENCE];
    const issuer = sa.cluster.issuer;
    if (!audience || !issuer || supersededByPodIdentity(sa, ctx)) return [];
    const roleAccount = ctx.roleArnParts(sa)?.accountId || sa.cluster.account.accountId;
    const provider = ctx.providersByAccount.get(roleAccount)?.get(issuer);
    if (!provider || provider.clientIds.includes(audience)) return [];
    return [
      {
        message: `Service account ${saLabel(sa)} requests audience "${audience}", but provider ${provider.arn} lists only ${JSON.stringify(provider.clientIds)}; STS answers "Incorrect token audience".${podIdentityNote(sa, ctx)}`,
        resource: { ...serviceAccountResource(sa), providerArn: provider.arn },
        evidence: { [ANNOTATION_AUDIENCE]: audience, clientIds: provider.clientIds },
        remediation: `Add "${audience}" to the client ids of the provider (or remove the ${ANNOTATION_AUDIENCE} annotation if the default audience was meant).`,
        commands: [
          `aws iam add-client-id-to-open-id-connect-provider --open-id-connect-provider-arn ${shellQuote(provider.arn)} --client-id ${shellQuote(audience)}`,
        ],
      },
    ];
  },
};
