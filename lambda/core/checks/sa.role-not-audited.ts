/**
 * sa.role-not-audited — the annotation names a role in an account outside the audited scope (or an
 * account that could not be read): its trust cannot be checked. Informational, so the gap is visible.
 * With a Pod Identity association it is reported only while running pods still carry the IRSA
 * variables: new pods get Pod Identity instead (docs/irsa-semantics.md §4.3; sa.irsa-and-pod-identity).
 */
import { podIdentityNote, saLabel, serviceAccountResource, supersededByPodIdentity } from './helpers';
import type { ServiceAccountCheck } from './types';

export const check: ServiceAccountCheck = {
  id: 'sa.role-not-audited',
  runsOn: 'serviceAccount',
  severity: 'info',
  title: 'Annotated role is in an account outside the audit',
  description:
    "The annotated role's account was not audited (outside the scope, or unreachable), so its trust policy was not checked. Not reported for a service account with a Pod Identity association unless running pods still use IRSA.",
  remediation: 'Add the account to the audit scope (or deploy the member role to it).',
  guideStep: 'service-account',
  reads: ['service-accounts', 'pods', 'pod-identity', 'iam-roles'],
  run(sa, ctx) {
    if (!sa.roleArn || supersededByPodIdentity(sa, ctx)) return [];
    const parts = ctx.roleArnParts(sa);
    if (!parts || ctx.partRead(parts.accountId, 'iam-roles')) return [];
    const inScope = ctx.accounts.has(parts.accountId);
    return [
      {
        message: `Service account ${saLabel(sa)} uses ${sa.roleArn}; account ${parts.accountId} ${inScope ? 'could not be read in this run' : 'is outside the audited scope'}, so the role's trust was not checked.${podIdentityNote(sa, ctx)}`,
        resource: serviceAccountResource(sa),
        evidence: { roleArn: sa.roleArn },
      },
    ];
  },
};
