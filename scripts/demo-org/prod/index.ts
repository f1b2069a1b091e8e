/**
 * prod: prod-use1 (us-east-1) and prod-euw1 (eu-west-1); ap-southeast-3 denied by an SCP. The roles
 * and workloads live beside it, by cluster and by team (platform add-ons, application teams).
 */
import type { Account } from '../../../lambda/core/model';
import {
  GITHUB_ACTIONS_ISSUER,
  githubActionsTrust,
  oidcProvider,
  serviceTrust,
} from '../../shapes/trust-policies';
import { AccountBuilder } from '../account-builder';
import { ACCOUNTS, customerPolicy, ISSUERS } from '../identities';
import type { DemoVariant } from '../variant';
import { prodEuw1Cluster, prodEuw1Roles } from './euw1';
import { use1AppRoles, use1AppWorkloads } from './use1-apps';
import { use1PlatformRoles, use1PlatformWorkloads } from './use1-platform';

export function prod(variant: DemoVariant): Account {
  const prod = new AccountBuilder(ACCOUNTS.prod, 'prod');
  const id = prod.id;
  const recreated = variant === 'changed';

  const use1 = prod.provider(ISSUERS.prodUse1);
  const blue = prod.provider(ISSUERS.prodUse1Blue);
  // Re-creating prod-euw1 made Terraform replace its provider (the URL forces a new resource), but
  // the IRSA roles were not re-applied: they keep naming the original provider either way.
  const euw1 = oidcProvider(id, ISSUERS.prodEuw1);
  prod.provider(recreated ? ISSUERS.prodEuw1Recreated : ISSUERS.prodEuw1);
  prod.provider(GITHUB_ACTIONS_ISSUER);
  const context = { prod, use1, blue, euw1, recreated };

  prod.baseline();
  prod.role(
    'github-actions-deploy-prod',
    githubActionsTrust(id, 'acme-corp/platform-gitops', 'environment:prod'),
    {
      attached: [customerPolicy(id, 'gitops-deploy')],
    },
  );
  prod.serviceLinkedRole('AWSServiceRoleForAmazonEKS', 'eks.amazonaws.com', 'AmazonEKSServiceRolePolicy');
  prod.serviceLinkedRole(
    'AWSServiceRoleForAmazonEKSNodegroup',
    'eks-nodegroup.amazonaws.com',
    'AWSServiceRoleForAmazonEKSNodegroup',
  );
  prod.eksClusterRole('prod-eks-cluster-role');
  prod.nodeRole('prod-eks-node-role');
  prod.nodeRole('KarpenterNodeRole-prod-use1');
  prod.role('orders-events-consumer', serviceTrust('lambda.amazonaws.com'), {
    attached: ['arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole'],
    inline: ['orders-table-write'],
  });

  const platform = use1PlatformRoles(context);
  const apps = use1AppRoles(context);
  const euw1Roles = prodEuw1Roles(context);

  const pu1 = prod.cluster('prod-use1', 'us-east-1', ISSUERS.prodUse1, { status: 'ok' });
  use1PlatformWorkloads(pu1, context, platform, apps.adotCollector);
  use1AppWorkloads(pu1, context, apps);
  prodEuw1Cluster(context, euw1Roles, platform);

  prod.error({
    scope: 'region',
    region: 'ap-southeast-3',
    code: 'AccessDeniedException',
    message: `User: arn:aws:sts::${id}:assumed-role/irsa-auditor-member/irsa-audit-20261129T030000Z is not authorized to perform: eks:ListClusters on resource: arn:aws:eks:ap-southeast-3:${id}:cluster/* with an explicit deny in a service control policy`,
  });
  return prod.account;
}
