/**
 * podidentity.role-missing — a Pod Identity association names a role that does not exist in the
 * cluster's account: the agent cannot get credentials and pods fail.
 */

import { shellQuote } from '../access-entry';
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
  remediation: 'Point the association at an existing role (or create the role it names).',
  commands: [
    'aws eks update-pod-identity-association --cluster-name <c> --association-id <id> --role-arn <existing role arn>',
  ],
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
        remediation: `Create ${association.roleArn}, or point the association at an existing role: replace <existing role arn> in the command${association.associationId ? '' : ' and <id> with the association id (aws eks list-pod-identity-associations)'}.`,
        commands: [
          `aws eks update-pod-identity-association --region ${shellQuote(cluster.cluster.region)} --cluster-name ${shellQuote(cluster.cluster.name)} --association-id ${association.associationId ? shellQuote(association.associationId) : '<id>'} --role-arn <existing role arn>`,
        ],
      },
    ];
  },
};
