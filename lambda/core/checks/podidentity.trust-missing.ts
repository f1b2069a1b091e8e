/**
 * podidentity.trust-missing — the associated role does not trust `pods.eks.amazonaws.com` with both
 * `sts:AssumeRole` and `sts:TagSession` (EKS adds session tags). The association is accepted, but pods
 * get no credentials. The CDK two-statement form (AssumeRole, then AssumeRole+TagSession) is accepted.
 */
import { POD_IDENTITY_SERVICE } from '../model';
import { statementCoversAction } from '../policy/normalize';
import { clusterLabel, clusterResource } from './helpers';
import type { AssociationCheck } from './types';

const REQUIRED = ['sts:AssumeRole', 'sts:TagSession'];

export const check: AssociationCheck = {
  id: 'podidentity.trust-missing',
  scope: 'association',
  severity: 'high',
  title: 'Pod Identity role does not trust pods.eks.amazonaws.com',
  description:
    'The role of a Pod Identity association must allow pods.eks.amazonaws.com to call sts:AssumeRole and sts:TagSession; without either, pods get no credentials.',
  remediation:
    '{"Effect":"Allow","Principal":{"Service":"pods.eks.amazonaws.com"},"Action":["sts:AssumeRole","sts:TagSession"]}',
  guideStep: 'pod-identity',
  needsKubernetes: false,
  run(association, cluster, ctx) {
    const role = association.roleArn ? ctx.rolesByArn.get(association.roleArn) : undefined;
    if (!role || role.trust.policy.issues.length > 0) return [];
    const statements = role.trust.policy.statements.filter(
      (s) => s.principals?.service.includes(POD_IDENTITY_SERVICE) && s.issues.length === 0,
    );
    const allowed = (action: string) =>
      statements.some((s) => s.effect === 'Allow' && statementCoversAction(s, action)) &&
      !statements.some(
        (s) => s.effect === 'Deny' && s.conditions.length === 0 && statementCoversAction(s, action),
      );
    const missing = REQUIRED.filter((action) => !allowed(action));
    if (missing.length === 0) return [];
    return [
      {
        message: `Role ${role.role.arn} of the Pod Identity association for ${association.namespace}/${association.serviceAccount} in cluster ${clusterLabel(cluster)} does not allow ${POD_IDENTITY_SERVICE} to call ${missing.join(' and ')}; pods get no credentials.`,
        resource: {
          ...clusterResource(cluster),
          namespace: association.namespace,
          serviceAccount: association.serviceAccount,
          roleArn: role.role.arn,
        },
        evidence: { missing, trustPolicy: role.trust.policy.statements.map((s) => s.raw) },
        remediation: `Add to the trust policy of ${role.role.arn}: {"Effect":"Allow","Principal":{"Service":"${POD_IDENTITY_SERVICE}"},"Action":["sts:AssumeRole","sts:TagSession"]}`,
      },
    ];
  },
};
