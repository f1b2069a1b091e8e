/**
 * sa.role-missing — the annotation names a role that does not exist in an audited account (deleted,
 * renamed, or a typo): every assume fails. A close existing role name is suggested.
 * With a Pod Identity association it is reported only while running pods still carry the IRSA
 * variables: new pods get Pod Identity instead (docs/irsa-semantics.md §4.3; sa.irsa-and-pod-identity).
 */

import { shellQuote } from '../access-entry';
import { ANNOTATION_ROLE_ARN } from '../model';
import {
  annotateAndRestart,
  closeCandidates,
  nearest,
  podIdentityNote,
  saLabel,
  serviceAccountResource,
  supersededByPodIdentity,
} from './helpers';
import type { ServiceAccountCheck } from './types';

export const check: ServiceAccountCheck = {
  id: 'sa.role-missing',
  runsOn: 'serviceAccount',
  severity: 'high',
  title: 'Annotated role does not exist',
  description:
    'The service account is annotated with a role ARN in an audited account, but no such role exists there. Not reported for a service account with a Pod Identity association unless running pods still use IRSA.',
  remediation: 'Create the role, or fix the annotation to name an existing role (paths included).',
  guideStep: 'service-account',
  reads: ['service-accounts', 'pods', 'pod-identity', 'iam-roles'],
  run(sa, ctx) {
    if (!sa.roleArn || supersededByPodIdentity(sa, ctx)) return [];
    const parts = ctx.roleArnParts(sa);
    if (!parts || !ctx.partRead(parts.accountId, 'iam-roles') || ctx.rolesByArn.has(sa.roleArn)) return [];
    const account = ctx.accounts.get(parts.accountId)!;
    const near = nearest(
      sa.roleArn,
      closeCandidates(
        ctx.cache.sortedNames,
        `roles:${parts.accountId}`,
        () => account.roles.map((role) => role.arn),
        sa.roleArn,
      ),
      Math.max(3, Math.floor(parts.name.length / 3)),
    );
    return [
      {
        message: `Service account ${saLabel(sa)} is annotated with ${sa.roleArn}, which does not exist in account ${parts.accountId}${near ? `; did you mean ${near}?` : ''}.${podIdentityNote(sa, ctx)}`,
        resource: serviceAccountResource(sa),
        evidence: { roleArn: sa.roleArn, nearest: near },
        ...(near
          ? annotateAndRestart(sa, ctx, `If ${near} is the role meant, fix the annotation to name it.`, [
              `kubectl annotate serviceaccount -n ${shellQuote(sa.serviceAccount.namespace)} ${shellQuote(sa.serviceAccount.name)} ${shellQuote(`${ANNOTATION_ROLE_ARN}=${near}`)} --overwrite`,
            ])
          : {}),
      },
    ];
  },
};
