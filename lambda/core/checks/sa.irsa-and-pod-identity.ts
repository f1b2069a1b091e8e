/**
 * sa.irsa-and-pod-identity — the service account is annotated for IRSA and also has a Pod Identity
 * association. The webhook gives new pods Pod Identity only ("container credentials method takes
 * precedence", docs/irsa-semantics.md §4.3), while pods created before the association keep IRSA: two roles in one
 * workload (medium). Once no running pod carries the IRSA variables, the annotation is unused (low),
 * and the IRSA findings of the service account (sa.role-untrusted, sa.role-missing…) are not reported:
 * this finding says whether the annotated role would still admit it.
 */

import { shellQuote } from '../access-entry';
import type { AuditContext, ServiceAccountView } from '../context';
import { ANNOTATION_ROLE_ARN } from '../model';
import { podsOnIrsa, saLabel, serviceAccountResource } from './helpers';
import { irsaTrustProblem } from './sa.role-untrusted';
import type { ServiceAccountCheck } from './types';

export const check: ServiceAccountCheck = {
  id: 'sa.irsa-and-pod-identity',
  runsOn: 'serviceAccount',
  severity: 'medium',
  severityNote:
    'medium while running pods still carry the IRSA variables (two roles in one workload); low once none does (an unused annotation)',
  title: 'Service account uses both IRSA and Pod Identity',
  description:
    'New pods get Pod Identity credentials (the webhook prefers them) while older pods keep IRSA, so one workload runs under two roles until every pod is re-created. Once no running pod carries the IRSA variables, the IRSA findings of the service account (sa.role-untrusted, sa.role-missing, sa.role-arn-malformed, sa.role-not-audited, sa.audience-not-registered) are not reported, and this finding says whether the annotated role would still admit it.',
  remediation:
    'Choose one: remove the eks.amazonaws.com/role-arn annotation, or delete the Pod Identity association; then restart the pods.',
  guideStep: 'pod-identity',
  reads: ['service-accounts', 'pods', 'pod-identity'],
  run(sa, ctx) {
    if (!sa.roleArn || !sa.association) return [];
    const association = sa.association;
    const onIrsa = podsOnIrsa(sa, ctx);
    const pods =
      onIrsa.length > 0
        ? 'new pods use Pod Identity, older pods keep IRSA'
        : 'no running pod carries the IRSA variables, so the annotation is unused (new pods get Pod Identity)';
    const irsa = irsaState(sa, ctx);
    return [
      {
        severity: onIrsa.length > 0 ? 'medium' : 'low',
        message: `Service account ${saLabel(sa)} is annotated with ${sa.roleArn} and has Pod Identity association ${association.associationId ?? ''} (${association.roleArn ?? 'role not described'}); ${pods}${irsa ? `; ${irsa}` : ''}.`,
        resource: serviceAccountResource(sa),
        evidence: {
          annotation: sa.roleArn,
          association,
          podsOnIrsa: onIrsa.slice(0, 5).map((pod) => pod.name),
        },
        remediation:
          'Choose one mechanism and run ONE of the two commands: the first removes the annotation (keeps Pod Identity), the second deletes the association (keeps IRSA). Then re-create the pods.',
        commands: [
          `kubectl annotate serviceaccount -n ${shellQuote(sa.serviceAccount.namespace)} ${shellQuote(sa.serviceAccount.name)} ${ANNOTATION_ROLE_ARN}-`,
          `aws eks delete-pod-identity-association --region ${shellQuote(sa.cluster.cluster.region)} --cluster-name ${shellQuote(sa.cluster.cluster.name)} --association-id ${association.associationId ? shellQuote(association.associationId) : '<id>'}`,
        ],
      },
    ];
  },
};

/** What is wrong with the IRSA side, said here because the IRSA checks leave such an account alone. */
function irsaState(sa: ServiceAccountView, ctx: AuditContext): string | undefined {
  const roleArn = sa.roleArn!;
  const parts = ctx.roleArnParts(sa);
  if (!parts) return 'the annotation is not a valid role ARN';
  if (!ctx.partRead(parts.accountId, 'iam-roles')) return undefined;
  if (!ctx.rolesByArn.has(roleArn)) return `the annotated role does not exist in account ${parts.accountId}`;
  const problem = irsaTrustProblem(sa, ctx);
  return problem ? `the annotated role would not admit it: ${problem.reasons.join('; and ')}` : undefined;
}
