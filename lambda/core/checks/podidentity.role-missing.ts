/**
 * podidentity.role-missing — a Pod Identity association names a role that does not exist in the
 * cluster's account: the agent cannot get credentials and pods fail.
 */
import { accountOfArn } from '../arn';
import { clusterLabel, clusterResource } from './helpers';
import type { AssociationCheck } from './types';

export const check: AssociationCheck = {
  id: 'podidentity.role-missing',
  runsOn: 'association',
  severity: 'high',
  title: 'Pod Identity association names a role that does not exist',
  description:
    'The association points at an IAM role that is not in the audited account, so pods using it get no credentials.',
  remediation:
    'aws eks update-pod-identity-association --cluster-name <c> --association-id <id> --role-arn <existing role>',
  guideStep: 'pod-identity',
  reads: ['pod-identity', 'iam-roles'],
  run(association, cluster, ctx) {
    const roleArn = association.roleArn;
    if (!roleArn) return [];
    const accountId = accountOfArn(roleArn);
    if (!accountId || !ctx.partRead(accountId, 'iam-roles') || ctx.rolesByArn.has(roleArn)) return [];
    return [
      {
        message: `Pod Identity association ${association.associationId ?? ''} for ${association.namespace}/${association.serviceAccount} in cluster ${clusterLabel(cluster)} names ${roleArn}, which does not exist.`,
        resource: {
          ...clusterResource(cluster),
          namespace: association.namespace,
          serviceAccount: association.serviceAccount,
          roleArn,
        },
        evidence: association,
        remediation: `aws eks update-pod-identity-association --region ${cluster.cluster.region} --cluster-name ${cluster.cluster.name} --association-id ${association.associationId ?? '<id>'} --role-arn <existing role arn>`,
      },
    ];
  },
};
