/** prod-use1's application teams: orders, payments, search, checkout, data, ML, and their mistakes. */
import { DEFAULT_AUDIENCE } from '../../../lambda/core/model';
import {
  awsDocsChainedTrust,
  awsDocsPodIdentityTrust,
  awsDocsTrust,
  cdkPodIdentityTrust,
  cdkServiceAccountTrust,
  serviceAccountSubject,
  subjectAndAudience,
  terraformTrustFor,
  webIdentityTrust,
} from '../../shapes/trust-policies';
import type { ClusterBuilder } from '../cluster-builder';
import { ACCOUNTS, customerPolicy, OTEL_ENV, roleArn } from '../identities';
import type { ProdContext } from './providers';

export function use1AppRoles({ prod, use1, recreated }: ProdContext) {
  const id = prod.id;
  const sub = `${use1.issuer}:sub`;
  return {
    ordersApi: prod.role(
      'ProdOrdersStack-OrdersApiServiceAccountRoleB5C3F2A1-1Q2W3E4R5T6Y',
      cdkServiceAccountTrust(use1, 'orders', 'orders-api'),
      { inline: ['OrdersApiServiceAccountRoleDefaultPolicy7C2D1E0F'] },
    ),
    ordersWorker: prod.role(
      'ProdOrdersStack-OrdersWorkerServiceAccountRole3A9E1B7C-8U7Y6T5R4E3W',
      cdkServiceAccountTrust(use1, 'orders', 'orders-worker'),
      { inline: ['OrdersWorkerServiceAccountRoleDefaultPolicy5B8A2C4D'] },
    ),
    // INC-4471: the namespace was written `payment`; fixed in the `changed` variant.
    paymentsApi: prod.role(
      'prod-payments-api',
      terraformTrustFor(use1, recreated ? 'payments:payments-api' : 'payment:payments-api'),
      { inline: ['payments-kms-decrypt', 'payments-sqs'] },
    ),
    paymentsReconciler: prod.role(
      'prod-payments-reconciler',
      terraformTrustFor(use1, 'payments:payments-reconciler'),
      { inline: ['payments-reconciler-s3'] },
    ),
    // The role moved under /service-roles/ (and the old one was deleted); the pods were not restarted.
    searchIndexer: prod.role('prod-search-indexer', terraformTrustFor(use1, 'search:search-indexer'), {
      path: '/service-roles/',
      inline: ['opensearch-write'],
    }),
    checkoutApi: prod.role('prod-checkout-api', awsDocsTrust(use1, 'checkout', 'checkout-api'), {
      attached: [customerPolicy(id, 'checkout-api-dynamodb')],
    }),
    // The AWS docs' cross-account "chained" example, copied as-is: no Condition at all.
    argoArtifacts: prod.role('argo-workflows-artifacts', awsDocsChainedTrust(use1), {
      inline: ['argo-artifacts-bucket'],
    }),
    // Vault reads the same projected token for its JWT auth, so the SA asks for audience `vault`.
    vault: prod.role('prod-vault-aws-auth', awsDocsTrust(use1, 'vault', 'vault', 'vault'), {
      inline: ['vault-iam-auth', 'vault-kms-unseal'],
    }),
    // Permissions moved to the billing account's CUR bucket policy, and the role's policy was detached.
    kubecost: prod.role(
      'prod-kubecost-cur-reader',
      terraformTrustFor(use1, 'kubecost:kubecost-cost-analyzer'),
      { lastUsed: '2026-09-14T06:00:02Z' },
    ),
    // "Only from our VPC": aws:SourceIp is the NAT gateway's address, and undecidable for the audit.
    reportingExporter: prod.role(
      'prod-reporting-exporter',
      webIdentityTrust(use1, {
        ...subjectAndAudience(use1.issuer, serviceAccountSubject('reporting', 'exporter')),
        IpAddress: { 'aws:SourceIp': ['10.20.0.0/16'] },
      }),
      { inline: ['reporting-exports-bucket'] },
    ),
    // Two merged pull requests: one narrowed to ml/trainer, the other to the ml-batch namespace.
    mlTrainer: prod.role(
      'prod-ml-trainer',
      webIdentityTrust(use1, {
        ...subjectAndAudience(use1.issuer, serviceAccountSubject('ml', 'trainer')),
        StringLike: { [sub]: 'system:serviceaccount:ml-batch:*' },
      }),
      { attached: [customerPolicy(id, 'ml-training-data')] },
    ),
    // Any namespace's `spark-driver`: every team that creates one gets the data lake write role.
    sparkJobs: prod.role(
      'prod-spark-jobs',
      webIdentityTrust(use1, {
        StringLike: { [sub]: 'system:serviceaccount:*:spark-driver' },
        StringEquals: { [`${use1.issuer}:aud`]: DEFAULT_AUDIENCE },
      }),
      { attached: [customerPolicy(id, 'spark-lake-readwrite')] },
    ),
    // velero chart 5.x renamed the service account from velero-server to velero.
    velero: prod.role('prod-use1-velero', terraformTrustFor(use1, 'velero:velero-server'), {
      inline: ['velero-backups-bucket'],
    }),
    adotCollector: prod.role('prod-use1-adot-collector', cdkPodIdentityTrust(), {
      attached: [
        'arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess',
        'arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy',
      ],
    }),
    reportExporterPodIdentity: prod.role('prod-report-exporter-pod-identity', awsDocsPodIdentityTrust(), {
      inline: ['report-exports-bucket'],
      lastUsed: '2026-06-30T01:12:40Z',
    }),
  };
}

export type Use1AppRoles = ReturnType<typeof use1AppRoles>;

export function use1AppWorkloads(pu1: ClusterBuilder, { prod }: ProdContext, roles: Use1AppRoles): void {
  const t0 = '2026-11-18T09:12:44Z';
  pu1
    .serviceAccount('orders', 'orders-api', roles.ordersApi)
    .app('orders', 'orders-api', 3, t0, { appEnv: OTEL_ENV })
    // Annotated on 2026-11-26 (CHG-2291); the Deployment has not been restarted since the 18th.
    .serviceAccount('orders', 'orders-worker', roles.ordersWorker)
    .app('orders', 'orders-worker', 2, t0, { appEnv: OTEL_ENV, credentials: { kind: 'none' } })
    .serviceAccount('payments', 'payments-api', roles.paymentsApi)
    .app('payments', 'payments-api', 3, t0, { appEnv: OTEL_ENV })
    .serviceAccount('payments', 'payments-reconciler', roles.paymentsReconciler)
    .workload({
      namespace: 'payments',
      kind: 'Job',
      name: 'payments-reconciler-29401380',
      serviceAccount: 'payments-reconciler',
      replicas: 1,
      containers: ['reconciler'],
      startTime: '2026-11-29T02:00:00Z',
      phase: 'Succeeded',
    })
    .serviceAccount('search', 'search-indexer', roles.searchIndexer)
    .app('search', 'search-indexer', 2, '2026-11-10T15:22:08Z', {
      credentials: { kind: 'irsa', roleArn: roleArn(prod.id, 'prod-search-indexer') },
    })
    .serviceAccount('checkout', 'checkout-api', roles.checkoutApi)
    .app('checkout', 'checkout-api', 3, t0, { appEnv: OTEL_ENV })
    .serviceAccount('argo', 'argo-workflow', roles.argoArtifacts, {}, 'argo-workflows')
    .serviceAccount('argo', 'argo-server', undefined, {}, 'argo-workflows')
    .app('argo', 'argo-server', 1, '2026-11-12T11:30:00Z')
    .serviceAccount('vault', 'vault', roles.vault, { 'eks.amazonaws.com/audience': 'vault' }, 'vault')
    .workload({
      namespace: 'vault',
      kind: 'StatefulSet',
      name: 'vault',
      serviceAccount: 'vault',
      replicas: 3,
      containers: ['vault'],
      startTime: '2026-11-08T07:15:00Z',
    })
    .serviceAccount('kubecost', 'kubecost-cost-analyzer', roles.kubecost, {}, 'kubecost')
    .app('kubecost', 'kubecost-cost-analyzer', 1, '2026-11-12T11:45:00Z', {
      containers: ['cost-model', 'cost-analyzer-frontend'],
    })
    .serviceAccount('reporting', 'exporter', roles.reportingExporter)
    .app('reporting', 'exporter', 1, t0, { name: 'report-exporter' })
    .serviceAccount('ml', 'trainer', roles.mlTrainer)
    .app('ml', 'trainer', 1, '2026-11-27T20:05:00Z', { name: 'trainer' })
    .serviceAccount('data-ingest', 'spark-driver', roles.sparkJobs)
    .serviceAccount('data-reporting', 'spark-driver', roles.sparkJobs)
    .app('data-ingest', 'spark-ingest-driver', 1, '2026-11-29T01:30:00Z', { serviceAccount: 'spark-driver' })
    .helmApp(
      'spark',
      'spark-history-server',
      roleArn(ACCOUNTS.dataLake, 'spark-history-reader'),
      1,
      '2026-11-12T12:00:00Z',
    )
    .helmApp('velero', 'velero', roles.velero, 1, '2026-11-20T04:00:00Z', {
      initContainers: ['velero-plugin-for-aws'],
    })
    // Deleted by the IAM clean-up; the service account still names it.
    .serviceAccount('clickhouse', 'clickhouse-backup', roleArn(prod.id, 'prod-clickhouse-backup'))
    .serviceAccount('clickhouse', 'clickhouse')
    .workload({
      namespace: 'clickhouse',
      kind: 'StatefulSet',
      name: 'clickhouse',
      serviceAccount: 'clickhouse',
      replicas: 2,
      containers: ['clickhouse'],
      startTime: '2026-11-02T03:00:00Z',
    })
    // Metabase moved from Athena to the Postgres replica: the annotation and the role were removed,
    // but only the ServiceAccount changed, so the Deployment was not rolled and still has the role.
    .serviceAccount('analytics', 'metabase', undefined, {}, 'metabase')
    .app('analytics', 'metabase', 1, '2026-11-16T18:25:00Z', {
      appEnv: [{ name: 'MB_DB_TYPE', value: 'postgres' }],
      credentials: { kind: 'irsa', roleArn: roleArn(prod.id, 'prod-metabase-athena') },
    })
    // A Pod Identity association left behind when the batch namespace was removed.
    .association('batch', 'report-exporter', roles.reportExporterPodIdentity);
}
