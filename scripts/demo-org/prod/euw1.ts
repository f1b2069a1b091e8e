/**
 * prod-euw1: re-created in the `changed` variant (blue/green upgrade to 1.31): new OIDC issuer, the
 * IRSA roles' trusts not re-applied. Karpenter is half-way to Pod Identity.
 */
import { POD_IDENTITY_SERVICE } from '../../../lambda/core/model';
import {
  eksctlPodIdentityTrust,
  serviceTrust,
  terraformTrust,
  terraformTrustFor,
} from '../../shapes/trust-policies';
import {
  awsNode,
  coreSystem,
  ebsCsiController,
  ebsCsiDriverRole,
  karpenterControllerRole,
  loadBalancerController,
  loadBalancerControllerRole,
} from '../add-ons';
import { ACCOUNTS, ISSUERS, OTEL_ENV, roleArn } from '../identities';
import { plusMinutes } from '../names';
import type { ProdContext } from './providers';
import type { Use1PlatformRoles } from './use1-platform';

export function prodEuw1Roles({ prod, euw1 }: ProdContext) {
  const roles = {
    alb: loadBalancerControllerRole(
      prod,
      euw1,
      'eksctl-prod-euw1-addon-iamserviceaccount-kube-Role1-3HV8N2C6P0LD',
    ),
    ebs: ebsCsiDriverRole(prod, euw1, 'prod-euw1'),
    karpenter: karpenterControllerRole(prod, euw1, 'prod-euw1'),
    karpenterPodIdentity: prod.role('KarpenterController-prod-euw1-pod-identity', eksctlPodIdentityTrust(), {
      inline: ['KarpenterControllerPolicy'],
    }),
    certManager: prod.role('prod-euw1-cert-manager', terraformTrustFor(euw1, 'cert-manager:cert-manager'), {
      inline: ['route53-dns01'],
    }),
    catalog: prod.role(
      'prod-catalog',
      terraformTrust([
        { provider: euw1, serviceAccounts: ['catalog:catalog-api', 'catalog:catalog-worker'] },
      ]),
      { inline: ['catalog-dynamodb', 'catalog-images-bucket'] },
    ),
    // Pod Identity role written by hand: sts:TagSession is missing, pods get no credentials.
    notifier: prod.role(
      'prod-euw1-notifier-pod-identity',
      serviceTrust(POD_IDENTITY_SERVICE, 'sts:AssumeRole'),
      { inline: ['notifier-ses-send'], lastUsed: null },
    ),
  };
  prod.eksClusterRole('prod-euw1-eks-cluster-role');
  prod.nodeRole('KarpenterNodeRole-prod-euw1');
  return roles;
}

export function prodEuw1Cluster(
  { prod, recreated }: ProdContext,
  roles: ReturnType<typeof prodEuw1Roles>,
  shared: Pick<Use1PlatformRoles, 'vpcCni' | 'externalSecrets'>,
): void {
  const pe1 = prod.cluster(
    'prod-euw1',
    'eu-west-1',
    recreated ? ISSUERS.prodEuw1Recreated : ISSUERS.prodEuw1,
    {
      status: 'ok',
    },
  );
  pe1.generation = recreated ? 1 : 0;
  const e0 = recreated ? '2026-11-28T21:05:00Z' : '2026-11-06T08:30:00Z';
  const e1 = recreated ? '2026-11-28T21:40:00Z' : '2026-11-19T14:02:00Z';
  coreSystem(pe1, e0);
  awsNode(pe1, shared.vpcCni, plusMinutes(e0, 2));
  ebsCsiController(pe1, roles.ebs, plusMinutes(e0, 5));
  loadBalancerController(pe1, roles.alb, plusMinutes(e0, 9));
  // Karpenter is being moved to Pod Identity: the association exists, the annotation is still there.
  pe1.association('karpenter', 'karpenter', roles.karpenterPodIdentity);
  pe1
    .serviceAccount('karpenter', 'karpenter', roles.karpenter, {}, 'karpenter')
    .workload({
      namespace: 'karpenter',
      kind: 'Deployment',
      name: 'karpenter',
      serviceAccount: 'karpenter',
      replicas: 2,
      containers: ['controller'],
      startTime: plusMinutes(e0, 11),
      credentials: recreated ? { kind: 'current' } : { kind: 'irsa', roleArn: roles.karpenter },
    })
    .helmApp(
      'external-dns',
      'external-dns',
      roleArn(ACCOUNTS.shared, 'external-dns-prod-euw1'),
      1,
      plusMinutes(e0, 14),
    )
    .helmApp('external-secrets', 'external-secrets', shared.externalSecrets, 2, plusMinutes(e0, 15))
    .helmApp('cert-manager', 'cert-manager', roles.certManager, 1, plusMinutes(e0, 16), {
      containers: ['cert-manager-controller'],
    })
    .serviceAccount('catalog', 'catalog-api', roles.catalog)
    .app('catalog', 'catalog-api', 3, e1, { appEnv: OTEL_ENV })
    .serviceAccount('catalog', 'catalog-worker', roles.catalog)
    .app('catalog', 'catalog-worker', 2, e1, { appEnv: OTEL_ENV })
    .serviceAccount('notifications', 'notifier')
    .association('notifications', 'notifier', roles.notifier)
    .app('notifications', 'notifier', 2, e1);
}
