/**
 * staging: staging-use1 (us-east-1), re-created last week. The platform add-ons were re-applied;
 * the app teams' roles still trust the old issuer, and a catalogue of hand-written mistakes.
 */
import type { Account } from '../../lambda/core/model';
import {
  awsDocsTrust,
  cdkServiceAccountTrust,
  eksBlueprintsTrust,
  eksctlAudienceOnlyTrust,
  GITHUB_ACTIONS_ISSUER,
  githubActionsTrust,
  oidcProvider,
  serviceAccountSubject,
  serviceTrust,
  subjectAndAudience,
  terraformTrustFor,
  webIdentityTrust,
} from '../shapes/trust-policies';
import { AccountBuilder } from './account-builder';
import {
  awsNode,
  coreSystem,
  ebsCsiController,
  ebsCsiDriverRole,
  karpenter,
  karpenterControllerRole,
  loadBalancerController,
  loadBalancerControllerRole,
} from './add-ons';
import { ACCOUNTS, customerPolicy, EKS_POLICIES, ISSUERS, OTEL_ENV, roleArn } from './identities';
import { plusMinutes } from './names';

export function staging(): Account {
  const stg = new AccountBuilder(ACCOUNTS.staging, 'staging');
  const id = stg.id;
  const current = stg.provider(ISSUERS.stagingUse1);
  // Deleted by Terraform with the old cluster; the app teams' stacks still name it.
  const old = oidcProvider(id, ISSUERS.stagingUse1Old);
  stg.provider(GITHUB_ACTIONS_ISSUER);

  stg.baseline();
  stg.role(
    'github-actions-deploy-staging',
    githubActionsTrust(id, 'acme-corp/platform-gitops', 'ref:refs/heads/*'),
    { attached: [customerPolicy(id, 'gitops-deploy')] },
  );
  stg.serviceLinkedRole('AWSServiceRoleForAmazonEKS', 'eks.amazonaws.com', 'AmazonEKSServiceRolePolicy');
  stg.eksClusterRole('staging-eks-cluster-role');
  stg.nodeRole('KarpenterNodeRole-staging-use1');
  stg.role('staging-db-snapshot-cleanup', serviceTrust('lambda.amazonaws.com'), {
    attached: ['arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole'],
    inline: ['rds-snapshots'],
  });

  // Platform add-ons: re-applied right after the re-creation, so they trust the current issuer.
  const alb = loadBalancerControllerRole(
    stg,
    current,
    'eksctl-staging-use1-addon-iamserviceaccount-kube-Role1-L5R8Q1W3E7TY',
  );
  const karpenterRole = karpenterControllerRole(stg, current, 'staging-use1');
  // The EBS CSI add-on was re-installed on the new cluster without --service-account-role-arn.
  ebsCsiDriverRole(stg, current, 'staging-use1');
  const vpcCni = stg.role('staging-vpc-cni', terraformTrustFor(current, 'kube-system:aws-node'), {
    attached: [EKS_POLICIES.cni],
  });
  const externalSecrets = stg.role(
    'staging-external-secrets',
    terraformTrustFor(current, 'external-secrets:external-secrets'),
    { attached: [customerPolicy(id, 'external-secrets-read-staging')] },
  );
  const certManager = stg.role(
    'staging-cert-manager',
    terraformTrustFor(current, 'cert-manager:cert-manager'),
    {
      inline: ['route53-dns01'],
    },
  );
  // EKS Blueprints' argocd irsa module (Sid "", StringLike on both keys): namespace-wide.
  const argocd = stg.role('argo-cd-sa-irsa', eksBlueprintsTrust(current, 'argocd', 'argocd-*'), {
    inline: ['argocd-ecr-helm-charts'],
  });
  // App teams' roles: still on the old issuer, whose provider is gone.
  const ordersApi = stg.role(
    'StagingOrdersStack-OrdersApiServiceAccountRole0C4F7A2B-2P9L8K7J6H5G',
    cdkServiceAccountTrust(old, 'orders', 'orders-api'),
    { inline: ['OrdersApiServiceAccountRoleDefaultPolicy7C2D1E0F'] },
  );
  const catalogWorker = stg.role('staging-catalog-worker', terraformTrustFor(old, 'catalog:catalog-worker'), {
    inline: ['catalog-dynamodb'],
  });
  // Copied from the pod-identity-webhook README: wrong host order, no /id/.
  const readmeProvider = oidcProvider(
    id,
    'oidc.us-east-1.eks.amazonaws.com/C8A2E6F0B4D83917A5C7E9B1D3F50264',
  );
  const reportGenerator = stg.role(
    'staging-report-generator',
    webIdentityTrust(readmeProvider, {
      StringEquals: {
        [`${readmeProvider.issuer}:sub`]: serviceAccountSubject('reports', 'report-generator'),
      },
    }),
    { inline: ['reports-bucket'] },
  );
  // Trust copied from an EC2 instance role: sts:AssumeRole instead of AssumeRoleWithWebIdentity.
  const searchIndexer = stg.role(
    'staging-search-indexer',
    webIdentityTrust(
      current,
      subjectAndAudience(current.issuer, serviceAccountSubject('search', 'search-indexer')),
      { action: 'sts:AssumeRole' },
    ),
    { inline: ['opensearch-write'] },
  );
  // "Every SA of the jobs namespace" written under StringEquals: the `*` is literal.
  const nightlyExport = stg.role(
    'staging-nightly-export',
    webIdentityTrust(current, subjectAndAudience(current.issuer, 'system:serviceaccount:jobs:*')),
    { inline: ['exports-bucket'] },
  );
  // The module prefixes `system:serviceaccount:` itself; the input already had it.
  const invoiceWorker = stg.role(
    'staging-invoice-worker',
    terraformTrustFor(current, 'system:serviceaccount:billing:invoice-worker'),
    { inline: ['invoices-bucket'] },
  );
  const thumbnailer = stg.role('staging-thumbnailer', terraformTrustFor(current, 'media:thumbnailer'), {
    inline: ['media-bucket'],
  });
  // Copied from the cn-north-1 module: the China audience, which EKS tokens never carry.
  const checkoutApi = stg.role(
    'staging-checkout-api',
    awsDocsTrust(current, 'checkout', 'checkout-api', 'sts.amazonaws.com.cn'),
    { attached: [customerPolicy(id, 'checkout-api-dynamodb')] },
  );
  const storefront = stg.role('staging-storefront', terraformTrustFor(current, 'web:storefront'), {
    inline: ['storefront-assets'],
  });
  // eksctl `create iamserviceaccount` from a config without namespace/name: aud only, cluster-wide.
  const tektonEcrPush = stg.role('staging-tekton-ecr-push', eksctlAudienceOnlyTrust(current), {
    attached: ['arn:aws:iam::aws:policy/EC2InstanceProfileForImageBuilderECRContainerBuilds'],
  });
  const flagd = stg.role('staging-flagd', cdkServiceAccountTrust(current, 'experiments', 'flagd'), {
    inline: ['flagd-config-bucket'],
  });
  const ledgerSync = roleArn(id, 'staging-ledger-sync-pod-identity'); // destroyed with the old stack
  const externalDns = roleArn(ACCOUNTS.shared, 'external-dns-staging');

  const cluster = stg.cluster('staging-use1', 'us-east-1', ISSUERS.stagingUse1, { status: 'ok' });
  const s0 = '2026-11-20T16:45:00Z';
  const s1 = '2026-11-24T10:15:00Z';
  coreSystem(cluster, s0);
  awsNode(cluster, vpcCni, plusMinutes(s0, 2));
  ebsCsiController(cluster, undefined, plusMinutes(s0, 6));
  loadBalancerController(cluster, alb, plusMinutes(s0, 9));
  karpenter(cluster, karpenterRole, plusMinutes(s0, 12));
  cluster
    .helmApp('external-dns', 'external-dns', externalDns, 1, plusMinutes(s0, 15))
    .helmApp('external-secrets', 'external-secrets', externalSecrets, 1, plusMinutes(s0, 16))
    .helmApp('cert-manager', 'cert-manager', certManager, 1, plusMinutes(s0, 17), {
      containers: ['cert-manager-controller'],
    })
    .serviceAccount('argocd', 'argocd-application-controller', argocd, {}, 'argo-cd')
    .serviceAccount('argocd', 'argocd-server', argocd, {}, 'argo-cd')
    .serviceAccount('argocd', 'argocd-repo-server', undefined, {}, 'argo-cd')
    .workload({
      namespace: 'argocd',
      kind: 'StatefulSet',
      name: 'argocd-application-controller',
      serviceAccount: 'argocd-application-controller',
      replicas: 1,
      containers: ['application-controller'],
      startTime: plusMinutes(s0, 20),
    })
    .app('argocd', 'argocd-server', 1, plusMinutes(s0, 20))
    .app('argocd', 'argocd-repo-server', 1, plusMinutes(s0, 20), { initContainers: ['copyutil'] })
    .serviceAccount('orders', 'orders-api', ordersApi)
    .app('orders', 'orders-api', 2, s1, { appEnv: OTEL_ENV })
    .serviceAccount('catalog', 'catalog-worker', catalogWorker)
    .app('catalog', 'catalog-worker', 1, s1, { appEnv: OTEL_ENV })
    .serviceAccount('reports', 'report-generator', reportGenerator)
    .app('reports', 'report-generator', 1, s1)
    .serviceAccount('search', 'search-indexer', searchIndexer)
    .app('search', 'search-indexer', 1, s1)
    .serviceAccount('jobs', 'nightly-export', nightlyExport)
    .workload({
      namespace: 'jobs',
      kind: 'Job',
      name: 'nightly-export-29401320',
      serviceAccount: 'nightly-export',
      replicas: 1,
      containers: ['export'],
      startTime: '2026-11-29T01:00:00Z',
      phase: 'Failed',
    })
    .serviceAccount('billing', 'invoice-worker', invoiceWorker)
    .app('billing', 'invoice-worker', 1, s1)
    // A typo in the Helm values: the webhook only reads eks.amazonaws.com/role-arn.
    .serviceAccount(
      'media',
      'thumbnailer',
      undefined,
      { 'eks.amazon.com/role-arn': thumbnailer },
      'thumbnailer',
    )
    .app('media', 'thumbnailer', 2, s1)
    .serviceAccount('checkout', 'checkout-api', checkoutApi)
    .app('checkout', 'checkout-api', 2, s1, { appEnv: OTEL_ENV })
    // Helm values quoted twice ('"arn:…"'): the quotes are part of the annotation value.
    .helmApp('web', 'storefront', `"${storefront}"`, 2, s1)
    .serviceAccount('tekton-pipelines', 'tekton-ecr-push', tektonEcrPush)
    .serviceAccount('tekton-pipelines', 'tekton-pipelines-controller', undefined, {}, 'tekton-pipelines')
    .app('tekton-pipelines', 'tekton-pipelines-controller', 1, plusMinutes(s0, 25))
    .serviceAccount('experiments', 'flagd', flagd, {
      'eks.amazonaws.com/sts-regional-endpoints': 'enabled',
      'eks.amazonaws.com/token-expiration': '1h',
    })
    .app('experiments', 'flagd', 1, s1)
    .serviceAccount('payments', 'ledger-sync')
    .association('payments', 'ledger-sync', ledgerSync)
    .app('payments', 'ledger-sync', 1, s1);

  return stg.account;
}
