/** prod-use1's platform add-ons (load balancing, storage, DNS, secrets, certificates, observability). */
import {
  serviceAccountSubject,
  subjectAndAudience,
  terraformTrust,
  terraformTrustFor,
  webIdentityTrust,
} from '../../shapes/trust-policies';
import {
  awsNode,
  coreSystem,
  ebsCsiController,
  ebsCsiDriverRole,
  karpenter,
  karpenterControllerRole,
  loadBalancerController,
  loadBalancerControllerRole,
} from '../add-ons';
import type { ClusterBuilder } from '../cluster-builder';
import { ACCOUNTS, customerPolicy, EKS_POLICIES, roleArn } from '../identities';
import type { ProdContext } from './providers';

export function use1PlatformRoles({ prod, use1, blue, euw1 }: ProdContext) {
  const id = prod.id;
  return {
    alb: loadBalancerControllerRole(
      prod,
      use1,
      'eksctl-prod-use1-addon-iamserviceaccount-kube-Role1-9XK2M4Q7R1TZ',
    ),
    ebs: ebsCsiDriverRole(prod, use1, 'prod-use1'),
    karpenter: karpenterControllerRole(prod, use1, 'prod-use1'),
    // Shared by both prod clusters: one statement per provider.
    vpcCni: prod.role(
      'prod-vpc-cni',
      terraformTrust([
        { provider: use1, serviceAccounts: ['kube-system:aws-node'] },
        { provider: euw1, serviceAccounts: ['kube-system:aws-node'] },
      ]),
      { attached: [EKS_POLICIES.cni] },
    ),
    externalSecrets: prod.role(
      'prod-external-secrets',
      terraformTrust([
        { provider: use1, serviceAccounts: ['external-secrets:external-secrets'] },
        { provider: euw1, serviceAccounts: ['external-secrets:external-secrets'] },
      ]),
      { attached: [customerPolicy(id, 'external-secrets-read-prod')] },
    ),
    certManager: prod.role(
      'prod-use1-cert-manager',
      terraformTrustFor(use1, 'cert-manager:cert-manager', { emptySid: true }),
      { inline: ['route53-dns01'] },
    ),
    loki: prod.role('prod-use1-loki-s3', terraformTrustFor(use1, 'monitoring:loki'), {
      inline: ['loki-chunks-bucket'],
    }),
    // Grafana was moved from prod-use1-blue to prod-use1; the module kept both providers in its list.
    grafana: prod.role(
      'grafana-cloudwatch',
      terraformTrust(
        [
          { provider: use1, serviceAccounts: ['monitoring:grafana'] },
          { provider: blue, serviceAccounts: ['monitoring:grafana'] },
        ],
        { emptySid: true },
      ),
      { attached: ['arn:aws:iam::aws:policy/CloudWatchReadOnlyAccess'] },
    ),
    // Hand-written in 2020 from the first IRSA blog post: no aud condition.
    fluentBit: prod.role(
      'prod-use1-fluent-bit',
      webIdentityTrust(use1, {
        StringEquals: { [`${use1.issuer}:sub`]: serviceAccountSubject('logging', 'fluent-bit') },
      }),
      { attached: ['arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy'] },
    ),
    // Copied from a module that built the keys from the issuer URL, scheme included.
    tempo: prod.role(
      'prod-use1-tempo',
      webIdentityTrust(
        use1,
        subjectAndAudience(`https://${use1.issuer}`, serviceAccountSubject('monitoring', 'tempo')),
      ),
      { inline: ['tempo-traces-bucket'] },
    ),
  };
}

export type Use1PlatformRoles = ReturnType<typeof use1PlatformRoles>;

export function use1PlatformWorkloads(
  pu1: ClusterBuilder,
  { recreated }: ProdContext,
  roles: Use1PlatformRoles,
  adotCollector: string,
): void {
  coreSystem(pu1, '2026-11-04T02:10:00Z');
  awsNode(pu1, roles.vpcCni, '2026-11-04T02:11:30Z');
  ebsCsiController(pu1, roles.ebs, '2026-11-04T02:14:05Z');
  loadBalancerController(pu1, roles.alb, '2026-11-12T10:03:19Z');
  karpenter(pu1, roles.karpenter, '2026-11-12T10:05:51Z');
  pu1
    .helmApp(
      'external-dns',
      'external-dns',
      roleArn(ACCOUNTS.shared, 'external-dns-prod-use1'),
      1,
      '2026-11-12T10:08:02Z',
    )
    .serviceAccount('external-secrets', 'external-secrets', roles.externalSecrets, {}, 'external-secrets')
    .serviceAccount('external-secrets', 'external-secrets-webhook', undefined, {}, 'external-secrets')
    .app('external-secrets', 'external-secrets', 2, '2026-11-12T10:09:40Z')
    .app('external-secrets', 'external-secrets-webhook', 1, '2026-11-12T10:09:40Z')
    .serviceAccount('cert-manager', 'cert-manager', roles.certManager, {}, 'cert-manager')
    .serviceAccount('cert-manager', 'cert-manager-cainjector', undefined, {}, 'cert-manager')
    .serviceAccount('cert-manager', 'cert-manager-webhook', undefined, {}, 'cert-manager')
    .app('cert-manager', 'cert-manager', 1, '2026-11-12T10:11:12Z', {
      containers: ['cert-manager-controller'],
    })
    .app('cert-manager', 'cert-manager-cainjector', 1, '2026-11-12T10:11:12Z')
    .app('cert-manager', 'cert-manager-webhook', 1, '2026-11-12T10:11:12Z')
    // The `changed` variant: a Helm upgrade of the loki chart (values key moved) dropped the annotation.
    .serviceAccount('monitoring', 'loki', recreated ? undefined : roles.loki, {}, 'loki')
    .workload({
      namespace: 'monitoring',
      kind: 'StatefulSet',
      name: 'loki',
      serviceAccount: 'loki',
      replicas: 3,
      containers: ['loki'],
      startTime: '2026-11-21T08:40:00Z',
      // The Helm upgrade only changed the ServiceAccount: the StatefulSet was not rolled.
      credentials: { kind: 'irsa', roleArn: roles.loki },
    })
    .helmApp('monitoring', 'grafana', roles.grafana, 1, '2026-11-21T08:42:10Z', {
      initContainers: ['init-chown-data'],
    })
    .serviceAccount('monitoring', 'tempo', roles.tempo, {}, 'tempo')
    .workload({
      namespace: 'monitoring',
      kind: 'StatefulSet',
      name: 'tempo',
      serviceAccount: 'tempo',
      replicas: 1,
      containers: ['tempo'],
      startTime: '2026-11-21T08:45:31Z',
    })
    .serviceAccount('monitoring', 'prometheus', undefined, {}, 'kube-prometheus-stack')
    .workload({
      namespace: 'monitoring',
      kind: 'StatefulSet',
      name: 'prometheus-kube-prometheus-stack',
      serviceAccount: 'prometheus',
      replicas: 2,
      containers: ['prometheus', 'config-reloader'],
      initContainers: ['init-config-reloader'],
      startTime: '2026-11-21T08:39:02Z',
    })
    .serviceAccount('logging', 'fluent-bit', roles.fluentBit, {}, 'fluent-bit')
    .workload({
      namespace: 'logging',
      kind: 'DaemonSet',
      name: 'fluent-bit',
      serviceAccount: 'fluent-bit',
      replicas: 3,
      containers: ['fluent-bit'],
      startTime: '2026-11-04T02:30:00Z',
    })
    .serviceAccount('observability', 'adot-collector')
    .association('observability', 'adot-collector', adotCollector)
    .app('observability', 'adot-collector', 2, '2026-11-15T12:00:00Z');
}
