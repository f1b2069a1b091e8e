/**
 * The bundled demo organization (`irsa-audit demo`, `npm start`): every check of the registry fires,
 * with exactly the counts pinned here; the committed files are what the generator writes; and the
 * `--change` inventory drifts by exactly the planted changes. Also the small hand-written examples.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CHECKS, dependenciesOf } from '../../lambda/core/checks/index';
import { coverageOf } from '../../lambda/core/coverage';
import { computeDrift } from '../../lambda/core/drift';
import { runChecks } from '../../lambda/core/engine';
import type { FindingResource } from '../../lambda/core/findings';
import { parseInventory } from '../../lambda/core/inventory/parse';
import type { Inventory } from '../../lambda/core/model';
import {
  ACCOUNTS,
  DEMO_FILES,
  type DemoVariant,
  ISSUERS,
  renderDemoOrg,
  roleArn,
} from '../../scripts/demo-org';

const ROOT = join(__dirname, '..', '..');

function load(relativePath: string): { inventory: Inventory; warnings: string[] } {
  const text = readFileSync(join(ROOT, relativePath), 'utf8');
  return parseInventory(JSON.parse(text), relativePath);
}

const base = load(DEMO_FILES.base);
const changed = load(DEMO_FILES.changed);
const baseResult = runChecks(base.inventory, CHECKS);
const changedResult = runChecks(changed.inventory, CHECKS);

describe('examples/demo-org.json', () => {
  it.each(['base', 'changed'] as DemoVariant[])('is what scripts/demo-org generates (%s)', (variant) => {
    const committed = readFileSync(join(ROOT, DEMO_FILES[variant]), 'utf8');
    const fresh = committed === renderDemoOrg(variant);
    // A plain boolean, not a 280 KB diff: regenerate with `npx tsx scripts/make-demo-org.ts`.
    expect(fresh ? 'up to date' : `${DEMO_FILES[variant]} is stale`).toBe('up to date');
  });

  it('loads without warnings', () => {
    expect(base.warnings).toEqual([]);
    expect(changed.warnings).toEqual([]);
  });

  it('is an organization of the size the demo promises', () => {
    const summary = baseResult.summary;
    expect(summary.accounts).toBe(5);
    expect(summary.clusters).toBe(4);
    expect(new Set(base.inventory.accounts.flatMap((a) => a.clusters.map((c) => c.region))).size).toBe(3);
    expect(summary.roles).toBeGreaterThanOrEqual(40);
    expect(summary.serviceAccounts).toBeGreaterThanOrEqual(60);
    expect(summary.coverageErrors).toBe(2);
  });

  it('reports every check of the registry, and no check throws', () => {
    const byCheck = baseResult.summary.byCheck;
    expect(CHECKS.map((check) => check.id).filter((id) => !byCheck[id])).toEqual([]);
    expect(baseResult.checkErrors).toEqual([]);
    expect(changedResult.checkErrors).toEqual([]);
  });

  it('reports exactly these findings per check', () => {
    expect(baseResult.summary.byCheck).toEqual({
      'cluster.no-oidc-provider': 1, // ci-runners-usw2: created without --with-oidc (and unreadable)
      'provider.missing-audience': 1, // shared-services' hand-made provider for prod-euw1: sts.amazonaws.com.cn
      'provider.orphaned': 1, // prod: prod-use1-blue's provider
      'trust.principal-malformed': 1, // staging-report-generator: copied from the webhook README
      'trust.principal-other-account': 1, // external-dns-staging names the staging account's provider
      'trust.provider-missing': 2, // staging app roles still on the pre-re-creation issuer
      'trust.provider-no-cluster': 1, // grafana-cloudwatch statement 1 (prod-use1-blue)
      'trust.action-mismatch': 1, // staging-search-indexer: sts:AssumeRole
      'trust.sub-unrestricted': 2, // argo-workflows-artifacts (no Condition), staging-tekton-ecr-push (aud only)
      'trust.sub-wildcard-broad': 1, // prod-spark-jobs: system:serviceaccount:*:spark-driver
      'trust.sub-wildcard-namespace': 1, // argo-cd-sa-irsa: argocd:argocd-*
      'trust.stringequals-wildcard': 1, // staging-nightly-export: StringEquals jobs:*
      'trust.condition-key-foreign': 2, // prod-use1-tempo: https:// in the :sub and :aud keys
      'trust.sub-malformed': 1, // staging-invoice-worker (doubled prefix); staging-nightly-export's `*` is trust.stringequals-wildcard's
      'trust.sub-conflicting': 1, // prod-ml-trainer: ml:trainer AND ml-batch:*
      'trust.aud-missing': 2, // prod-use1-fluent-bit (2020), argo-workflows-artifacts
      'trust.aud-mismatch': 1, // staging-checkout-api: sts.amazonaws.com.cn
      'trust.sub-target-missing': 2, // prod-payments-api (namespace `payment`), prod-use1-velero (velero-server)
      'trust.target-not-annotated': 3, // staging EBS CSI add-on, media/thumbnailer (key typo), web/storefront (quoted ARN)
      'trust.indeterminate': 1, // prod-reporting-exporter: aws:SourceIp
      'role.no-permissions': 1, // prod-kubecost-cur-reader
      'sa.annotation-key-typo': 1, // staging media/thumbnailer: eks.amazon.com/role-arn
      'sa.role-arn-malformed': 1, // staging web/storefront: quoted
      'sa.role-missing': 1, // prod clickhouse/clickhouse-backup: role deleted by the IAM clean-up
      'sa.role-not-audited': 1, // prod spark/spark-history-server: data-lake account
      'sa.role-untrusted': 12,
      'sa.audience-not-registered': 1, // prod vault/vault: audience `vault`
      'sa.optional-annotation-invalid': 2, // staging experiments/flagd: `1h`, `enabled`
      'sa.irsa-and-pod-identity': 1, // prod-euw1 karpenter, mid-migration
      'pod.irsa-not-injected': 1, // prod orders/orders-worker: pods older than the annotation
      'pod.irsa-stale-role': 1, // prod search/search-indexer: role moved under /service-roles/
      'pod.irsa-orphan-env': 1, // prod analytics/metabase: annotation and role removed, pods not rolled
      'podidentity.role-missing': 1, // staging payments/ledger-sync
      'podidentity.trust-missing': 1, // prod-euw1 notifications/notifier: no sts:TagSession
      'podidentity.sa-missing': 1, // prod-use1 batch/report-exporter
      'scan.account-unreachable': 1, // sandbox: member role not deployed
      'scan.region-failed': 1, // prod ap-southeast-3: SCP
      'scan.cluster-unreachable': 1, // ci-runners-usw2: no access entry
    });
    expect(baseResult.summary.findings).toBe(57);
    expect(baseResult.summary.bySeverity).toEqual({ critical: 2, high: 33, medium: 11, low: 10, info: 1 });
  });

  it('skips the Kubernetes checks of the unreadable cluster only', () => {
    const clusters = new Set(baseResult.skipped.map((skip) => `${skip.accountId}/${skip.cluster}`));
    expect([...clusters]).toEqual([`${ACCOUNTS.shared}/ci-runners-usw2`]);
  });
});

// ---------------------------------------------------------------------------------------------------

interface Expected {
  checkId: string;
  resource: FindingResource;
}

const PROD = ACCOUNTS.prod;
const SHARED = ACCOUNTS.shared;
const provider = (accountId: string, issuer: string) => `arn:aws:iam::${accountId}:oidc-provider/${issuer}`;
const prodEuw1Provider = provider(PROD, ISSUERS.prodEuw1);
const prodUse1Provider = provider(PROD, ISSUERS.prodUse1);
const sharedEuw1Provider = provider(SHARED, ISSUERS.prodEuw1);

const untrustedInEuw1 = (namespace: string, serviceAccount: string, role: string): Expected => ({
  checkId: 'sa.role-untrusted',
  resource: {
    accountId: PROD,
    region: 'eu-west-1',
    cluster: 'prod-euw1',
    namespace,
    serviceAccount,
    roleArn: role,
  },
});
const providerMissing = (name: string, statement: number): Expected => ({
  checkId: 'trust.provider-missing',
  resource: { accountId: PROD, roleArn: roleArn(PROD, name), statement, providerArn: prodEuw1Provider },
});

/** Finding identities (check + resource) in a stable order, for exact comparison. */
const comparable = (findings: readonly Expected[]): Expected[] =>
  findings
    .map(({ checkId, resource }) => ({ checkId, resource }))
    .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

describe('examples/demo-org-changed.json (irsa-audit demo --change)', () => {
  const drift = computeDrift({
    previousOpen: baseResult.findings,
    current: changedResult.findings,
    coverage: coverageOf(changed.inventory),
    dependencies: dependenciesOf,
  });

  it('adds exactly the findings of the re-created cluster and of the stripped annotation', () => {
    const albEuw1 = roleArn(PROD, 'eksctl-prod-euw1-addon-iamserviceaccount-kube-Role1-3HV8N2C6P0LD');
    const expected: Expected[] = [
      // 1. prod-euw1 re-created: new issuer; roles still trust the old (deleted) provider.
      untrustedInEuw1('kube-system', 'aws-load-balancer-controller', albEuw1),
      untrustedInEuw1(
        'kube-system',
        'ebs-csi-controller-sa',
        roleArn(PROD, 'AmazonEKS_EBS_CSI_DriverRole-prod-euw1'),
      ),
      untrustedInEuw1('kube-system', 'aws-node', roleArn(PROD, 'prod-vpc-cni')),
      // (karpenter/karpenter is not among them: its pods use its Pod Identity association, and
      // sa.irsa-and-pod-identity says that the annotated role would not admit it.)
      untrustedInEuw1('external-dns', 'external-dns', roleArn(SHARED, 'external-dns-prod-euw1')),
      untrustedInEuw1('external-secrets', 'external-secrets', roleArn(PROD, 'prod-external-secrets')),
      untrustedInEuw1('cert-manager', 'cert-manager', roleArn(PROD, 'prod-euw1-cert-manager')),
      untrustedInEuw1('catalog', 'catalog-api', roleArn(PROD, 'prod-catalog')),
      untrustedInEuw1('catalog', 'catalog-worker', roleArn(PROD, 'prod-catalog')),
      providerMissing('eksctl-prod-euw1-addon-iamserviceaccount-kube-Role1-3HV8N2C6P0LD', 0),
      providerMissing('AmazonEKS_EBS_CSI_DriverRole-prod-euw1', 0),
      providerMissing('prod-vpc-cni', 1),
      providerMissing('KarpenterController-prod-euw1', 0),
      providerMissing('prod-external-secrets', 1),
      providerMissing('prod-euw1-cert-manager', 0),
      providerMissing('prod-catalog', 0),
      // The shared-services provider for the old issuer stays behind, with the role trusting it.
      { checkId: 'provider.orphaned', resource: { accountId: SHARED, providerArn: sharedEuw1Provider } },
      {
        checkId: 'trust.provider-no-cluster',
        resource: {
          accountId: SHARED,
          roleArn: roleArn(SHARED, 'external-dns-prod-euw1'),
          statement: 0,
          providerArn: sharedEuw1Provider,
        },
      },
      // 2. Helm upgrade stripped monitoring/loki's annotation; the StatefulSet was not rolled.
      {
        checkId: 'trust.target-not-annotated',
        resource: {
          accountId: PROD,
          roleArn: roleArn(PROD, 'prod-use1-loki-s3'),
          statement: 0,
          providerArn: prodUse1Provider,
          region: 'us-east-1',
          cluster: 'prod-use1',
          namespace: 'monitoring',
          serviceAccount: 'loki',
        },
      },
      {
        checkId: 'pod.irsa-orphan-env',
        resource: {
          accountId: PROD,
          region: 'us-east-1',
          cluster: 'prod-use1',
          namespace: 'monitoring',
          serviceAccount: 'loki',
          workload: 'StatefulSet/loki',
        },
      },
    ];
    expect(comparable(drift.new)).toEqual(comparable(expected));
  });

  it('says why the re-created cluster broke', () => {
    const untrusted = drift.new.filter((finding) => finding.checkId === 'sa.role-untrusted');
    for (const finding of untrusted) {
      expect(finding.message).toContain(ISSUERS.prodEuw1Recreated);
      expect(finding.message).toContain('re-created cluster?');
    }
  });

  it('resolves exactly the findings of the fixed trust', () => {
    const role = roleArn(PROD, 'prod-payments-api');
    const expected: Expected[] = [
      {
        checkId: 'trust.sub-target-missing',
        resource: {
          accountId: PROD,
          roleArn: role,
          statement: 0,
          providerArn: prodUse1Provider,
          cluster: 'prod-use1',
          region: 'us-east-1',
          namespace: 'payment',
          serviceAccount: 'payments-api',
        },
      },
      {
        checkId: 'sa.role-untrusted',
        resource: {
          accountId: PROD,
          region: 'us-east-1',
          cluster: 'prod-use1',
          namespace: 'payments',
          serviceAccount: 'payments-api',
          roleArn: role,
        },
      },
    ];
    expect(comparable(drift.resolved)).toEqual(comparable(expected));
    expect(drift.unverified).toEqual([]);
    expect(drift.outOfScope).toEqual([]);
  });

  it('has no drift against itself', () => {
    const again = computeDrift({
      previousOpen: changedResult.findings,
      current: runChecks(changed.inventory, CHECKS).findings,
      coverage: coverageOf(changed.inventory),
      dependencies: dependenciesOf,
    });
    expect(again.new).toEqual([]);
    expect(again.resolved).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------------

describe('examples/minimal.json', () => {
  it('is one correct IRSA setup: no finding', () => {
    const { inventory, warnings } = load('examples/minimal.json');
    const result = runChecks(inventory, CHECKS);
    expect(warnings).toEqual([]);
    expect(result.summary).toMatchObject({ accounts: 1, clusters: 1, roles: 1, serviceAccounts: 2, pods: 1 });
    expect(result.findings).toEqual([]);
    expect(result.checkErrors).toEqual([]);
  });
});

describe('examples/raw-shapes/inventory.json', () => {
  const { inventory, warnings } = load('examples/raw-shapes/inventory.json');
  const account = inventory.accounts[0];
  const cluster = account.clusters[0];

  it('loads the AWS CLI / SDK and kubectl shapes as printed', () => {
    expect(warnings).toEqual([]);
    // RoleDetailList, the first trust policy URL-encoded as the SDKs return it.
    expect(account.roles.map((role) => role.arn.split('/').pop())).toEqual([
      'my-app',
      'AmazonEKS_EBS_CSI_DriverRole',
      'metrics-exporter-pod-identity',
      'demo-node-role',
    ]);
    expect(account.roles[0].trustPolicy).toMatchObject({
      kind: 'parsed',
      document: { Version: '2012-10-17' },
    });
    expect(account.roles[0].inlinePolicyNames).toEqual(['my-app-s3-read']);
    expect(account.roles[3].lastUsed).toBeNull();
    // get-open-id-connect-provider (no Arn: built from the account and Url).
    expect(account.oidcProviders).toEqual([
      {
        arn: 'arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE',
        url: 'oidc.eks.us-west-2.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE',
        clientIds: ['sts.amazonaws.com'],
      },
    ]);
    // describe-cluster, describe-pod-identity-association, one mixed `kubectl get sa,pods -A -o json` List.
    expect(cluster).toMatchObject({
      name: 'demo',
      region: 'us-west-2',
      oidcIssuer: 'https://oidc.eks.us-west-2.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE',
      kubernetes: { status: 'ok' },
    });
    expect(cluster.podIdentityAssociations).toMatchObject([
      { namespace: 'monitoring', serviceAccount: 'metrics-exporter', associationId: 'a-4skclmfsh8j2cxfwb' },
    ]);
    expect(cluster.serviceAccounts).toHaveLength(6);
    expect(cluster.pods.map((pod) => `${pod.owner?.kind}/${pod.owner?.name}`)).toEqual([
      'Deployment/my-app',
      'Deployment/my-app',
      'Deployment/ebs-csi-controller',
      'Deployment/metrics-exporter',
    ]);
  });

  it('finds the one pod that started before its service account was annotated', () => {
    const result = runChecks(inventory, CHECKS);
    expect(result.checkErrors).toEqual([]);
    expect(comparable(result.findings)).toEqual([
      {
        checkId: 'pod.irsa-not-injected',
        resource: {
          accountId: '111122223333',
          region: 'us-west-2',
          cluster: 'demo',
          namespace: 'default',
          serviceAccount: 'my-app',
          workload: 'Deployment/my-app',
          roleArn: 'arn:aws:iam::111122223333:role/my-app',
        },
      },
    ]);
    expect(result.findings[0].message).toContain('my-app-6b9f8d7c5d-q7wzt');
    expect(result.findings[0].message).not.toContain('my-app-6b9f8d7c5d-x2k4p');
  });
});
