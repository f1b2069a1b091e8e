/**
 * shared-services: the Route 53 roles that external-dns of the prod clusters uses cross-account, and
 * ci-runners-usw2 (us-west-2), whose Kubernetes API the auditor cannot read (no access entry).
 */
import type { Account } from '../../lambda/core/model';
import {
  eksctlPodIdentityTrust,
  type OidcProviderRef,
  oidcProvider,
  serviceTrust,
  terraformTrust,
} from '../shapes/trust-policies';
import { AccountBuilder } from './account-builder';
import { ACCOUNTS, customerPolicy, EKS_POLICIES, ISSUERS } from './identities';

export function sharedServices(): Account {
  const shared = new AccountBuilder(ACCOUNTS.shared, 'shared-services');
  const id = shared.id;
  // Providers for the prod clusters' issuers, so that external-dns there can use the Route 53 roles
  // of this account (cross-account IRSA done right). The eu-west-1 one was created by hand in 2023
  // from a cn-north-1 runbook, with the China audience.
  const prodUse1 = shared.provider(ISSUERS.prodUse1);
  const prodEuw1 = shared.provider(ISSUERS.prodEuw1, ['sts.amazonaws.com.cn']);
  // Nobody has created a provider here for the re-created prod-euw1 (the `changed` variant) yet.

  shared.baseline();
  const externalDns = (provider: OidcProviderRef) =>
    terraformTrust([{ provider, serviceAccounts: ['external-dns:external-dns'] }]);
  shared.role('external-dns-prod-use1', externalDns(prodUse1), { inline: ['route53-acme-com-records'] });
  shared.role('external-dns-prod-euw1', externalDns(prodEuw1), { inline: ['route53-acme-eu-records'] });
  // Cross-account IRSA done wrong: names the staging account's provider.
  shared.role('external-dns-staging', externalDns(oidcProvider(ACCOUNTS.staging, ISSUERS.stagingUse1)), {
    inline: ['route53-staging-acme-com-records'],
    lastUsed: null,
  });
  const runners = shared.role('ci-runners-pod-identity', eksctlPodIdentityTrust(), {
    attached: [customerPolicy(id, 'ci-runners-ecr-push')],
  });
  shared.eksClusterRole('ci-runners-eks-cluster-role');
  shared.nodeRole('ci-runners-node-role', [EKS_POLICIES.cni]);
  shared.serviceLinkedRole('AWSServiceRoleForAmazonEKS', 'eks.amazonaws.com', 'AmazonEKSServiceRolePolicy');
  shared.role('ecr-replication-lambda', serviceTrust('lambda.amazonaws.com'), {
    attached: ['arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole'],
    inline: ['ecr-replication'],
  });

  // Private endpoint only, and no access entry for the auditor's member role.
  shared
    .cluster('ci-runners-usw2', 'us-west-2', ISSUERS.ciRunnersUsw2, {
      status: 'unreachable',
      reason: `401 Unauthorized from the Kubernetes API: no EKS access entry for arn:aws:iam::${id}:role/irsa-auditor-member (authentication mode API_AND_CONFIG_MAP, not mapped in aws-auth either)`,
    })
    .association('arc-runners', 'arc-runner-set', runners);
  return shared.account;
}
