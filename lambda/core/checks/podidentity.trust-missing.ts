/**
 * podidentity.trust-missing — the associated role does not let `pods.eks.amazonaws.com` call both
 * `sts:AssumeRole` and `sts:TagSession` for this association (EKS adds session tags). The association
 * is accepted, but pods get no credentials. Conditions are evaluated with the session tags EKS sets
 * (`aws:RequestTag/kubernetes-namespace`, `…/kubernetes-service-account`, `…/eks-cluster-name`,
 * `…/eks-cluster-arn`), so a trust restricted to another namespace or service account is missing for
 * this one; Deny statements are honoured. The CDK two-statement form (AssumeRole, then
 * AssumeRole+TagSession) is accepted. Conditions on keys not documented for this request
 * (`aws:SourceArn`…) cannot be decided: reported at low severity as unconfirmed, never as working.
 */
import type { AuditContext, ClusterView, RoleView } from '../context';
import type { PodIdentityAssociation } from '../model';
import { POD_IDENTITY_SERVICE } from '../model';
import { evaluatePodIdentity, type PodIdentityDecision } from '../policy/pod-identity';
import { clusterLabel, clusterResource, trustFix } from './helpers';
import type { AssociationCheck } from './types';

/** The association's role and what its trust decides for the association's pods (shared with explain). */
export function podIdentityTrust(
  association: PodIdentityAssociation,
  cluster: ClusterView,
  ctx: AuditContext,
): { role: RoleView; decision: PodIdentityDecision } | undefined {
  const role = association.roleArn ? ctx.rolesByArn.get(association.roleArn) : undefined;
  // An unreadable document is trust.indeterminate's finding.
  if (!role || role.trust.policy.issues.length > 0) return undefined;
  const decision = evaluatePodIdentity(role.trust.policy, {
    clusterName: cluster.cluster.name,
    clusterArn: cluster.cluster.arn,
    namespace: association.namespace,
    serviceAccount: association.serviceAccount,
  });
  return { role, decision };
}

export const check: AssociationCheck = {
  id: 'podidentity.trust-missing',
  runsOn: 'association',
  severity: 'high',
  severityNote:
    'low when only conditions on keys not documented for Pod Identity (aws:SourceArn, aws:PrincipalTag/…) could allow it: unconfirmed',
  title: 'Pod Identity role does not trust pods.eks.amazonaws.com',
  description:
    'The role of a Pod Identity association must allow pods.eks.amazonaws.com to call sts:AssumeRole and sts:TagSession with the session tags EKS sets for the association (namespace, service account, cluster); without either, pods get no credentials.',
  remediation:
    'Add this statement to the role trust policy: {"Effect":"Allow","Principal":{"Service":"pods.eks.amazonaws.com"},"Action":["sts:AssumeRole","sts:TagSession"]}',
  guideStep: 'pod-identity',
  reads: ['pod-identity', 'describe', 'iam-roles'],
  run(association, cluster, ctx) {
    const trust = podIdentityTrust(association, cluster, ctx);
    if (!trust || trust.decision.verdict === 'allow') return [];
    const { role, decision } = trust;
    const denied = decision.actions.filter((outcome) => outcome.verdict === 'deny');
    const definite = denied.length > 0;
    const shown = definite ? denied : decision.actions.filter((outcome) => outcome.verdict !== 'allow');
    const missing = shown.map((outcome) => outcome.action);
    // "No statement allows it" adds nothing to the message; a condition or a Deny that decided it does.
    const decided = shown.filter((outcome) => outcome.statement !== undefined);
    const reasons = decided.map((outcome) => `${outcome.action}: ${outcome.reason}`).join('; ');
    const subject = `${association.namespace}/${association.serviceAccount}`;
    return [
      {
        severity: definite ? 'high' : 'low',
        message: definite
          ? `Role ${role.role.arn} of the Pod Identity association for ${subject} in cluster ${clusterLabel(cluster)} does not allow ${POD_IDENTITY_SERVICE} to call ${missing.join(' and ')}${reasons ? ` for this association (${reasons})` : ''}; pods get no credentials.`
          : `Role ${role.role.arn} of the Pod Identity association for ${subject} in cluster ${clusterLabel(cluster)}: whether ${POD_IDENTITY_SERVICE} may call ${missing.join(' and ')} cannot be decided (${reasons}); check it by hand.`,
        resource: {
          ...clusterResource(cluster),
          namespace: association.namespace,
          serviceAccount: association.serviceAccount,
          roleArn: role.role.arn,
        },
        evidence: { missing, reasons: shown, trustPolicy: role.trust.policy.statements.map((s) => s.raw) },
        // Only "no statement allows it" is fixed by a file; a condition or Deny that decided it, or an
        // undecidable one, is a judgement for a person (an added unconditioned statement would widen it).
        ...(definite && decided.length === 0
          ? trustFix(
              role.role.arn,
              `Allow ${POD_IDENTITY_SERVICE} sts:AssumeRole and sts:TagSession in the trust policy of ${role.role.arn}.`,
            )
          : {
              remediation: `Add to the trust policy of ${role.role.arn}: {"Effect":"Allow","Principal":{"Service":"${POD_IDENTITY_SERVICE}"},"Action":["sts:AssumeRole","sts:TagSession"]}${definite ? ', and remove the condition or Deny that excludes this association' : ' if the conditions that decide it do not allow this association'}.`,
            }),
      },
    ];
  },
};
