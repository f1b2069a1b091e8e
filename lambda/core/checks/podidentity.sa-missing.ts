/**
 * podidentity.sa-missing — a Pod Identity association for a service account that does not exist in
 * the cluster: dead configuration, and whoever creates that service account gets the role.
 */

import { shellQuote } from '../access-entry';
import { nsKey } from '../context';
import { clusterLabel, clusterResource } from './helpers';
import type { AssociationCheck } from './types';

export const check: AssociationCheck = {
  id: 'podidentity.sa-missing',
  runsOn: 'association',
  severity: 'low',
  title: 'Pod Identity association for a service account that does not exist',
  description: 'The association names a namespace/service account that does not exist in the cluster.',
  remediation: 'Create the service account, or delete the association.',
  commands: ['aws eks delete-pod-identity-association --cluster-name <c> --association-id <id>'],
  guideStep: 'pod-identity',
  reads: ['pod-identity', 'service-accounts', 'pods'],
  run(association, cluster) {
    if (cluster.serviceAccounts.has(nsKey(association.namespace, association.serviceAccount))) return [];
    return [
      {
        message: `Pod Identity association ${association.associationId ?? ''} in cluster ${clusterLabel(cluster)} is for ${association.namespace}/${association.serviceAccount}, which does not exist${cluster.namespaces.has(association.namespace) ? '' : ` (namespace ${association.namespace} does not exist either)`}.`,
        resource: {
          ...clusterResource(cluster),
          namespace: association.namespace,
          serviceAccount: association.serviceAccount,
          roleArn: association.roleArn,
        },
        evidence: association,
        remediation: `Create the service account ${association.namespace}/${association.serviceAccount}, or delete the association if nothing needs it.`,
        commands: [
          `aws eks delete-pod-identity-association --region ${shellQuote(cluster.cluster.region)} --cluster-name ${shellQuote(cluster.cluster.name)} --association-id ${association.associationId ? shellQuote(association.associationId) : '<id>'}`,
        ],
      },
    ];
  },
};
