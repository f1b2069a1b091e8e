/**
 * sa.irsa-and-pod-identity — the service account is annotated for IRSA and also has a Pod Identity
 * association. The webhook gives new pods Pod Identity only ("container credentials take
 * precedence"), while pods created before the association keep IRSA: two roles in one workload.
 */
import { saLabel, serviceAccountResource } from './helpers';
import type { ServiceAccountCheck } from './types';

export const check: ServiceAccountCheck = {
  id: 'sa.irsa-and-pod-identity',
  scope: 'serviceAccount',
  severity: 'medium',
  title: 'Service account uses both IRSA and Pod Identity',
  description:
    'New pods get Pod Identity credentials (the webhook prefers them) while older pods keep IRSA, so one workload runs under two roles until every pod is re-created.',
  remediation:
    'Choose one: remove the eks.amazonaws.com/role-arn annotation, or delete the Pod Identity association; then restart the pods.',
  guideStep: 'pod-identity',
  needsKubernetes: true,
  run(sa) {
    if (!sa.roleArn || !sa.association) return [];
    const association = sa.association;
    return [
      {
        message: `Service account ${saLabel(sa)} is annotated with ${sa.roleArn} and has Pod Identity association ${association.associationId ?? ''} (${association.roleArn ?? 'role not described'}); new pods use Pod Identity, older pods keep IRSA.`,
        resource: serviceAccountResource(sa),
        evidence: { annotation: sa.roleArn, association },
        remediation: `kubectl annotate serviceaccount -n ${sa.serviceAccount.namespace} ${sa.serviceAccount.name} eks.amazonaws.com/role-arn-  # keep Pod Identity\n# or: aws eks delete-pod-identity-association --cluster-name ${sa.cluster.cluster.name} --association-id ${association.associationId ?? '<id>'}`,
      },
    ];
  },
};
