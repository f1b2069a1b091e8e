/**
 * No false positives on real tool output (docs/irsa-semantics.md §6): trust
 * policies exactly as the AWS docs, eksctl, terraform-aws-modules v5/v6, EKS Blueprints and AWS CDK
 * render them, each in a realistic inventory with the service account it was made for. The only
 * findings allowed are the ones §6 names (listed per fixture in `requiredFindings`, which must fire):
 * cluster-wide trusts (F1c, F2c), namespace-confined patterns (F1b, F2b, F3c), a missing aud (F1c).
 * Each fixture also runs with its trust policies URL-encoded as the IAM API returns them.
 *
 * The fixtures are evidence copied from the tools; the builders of scripts/shapes/trust-policies.ts
 * (which the demo organization and the benchmark use) must produce the same policies for the same
 * inputs, so those are the real tools' shapes too. Key order is not compared: IAM ignores it.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { CHECKS } from '../../lambda/core/checks';
import { runChecks } from '../../lambda/core/engine';
import { decodeTrustPolicy } from '../../lambda/core/inventory/trust-policy';
import type { Inventory } from '../../lambda/core/model';
import { ANNOTATION_ROLE_ARN } from '../../lambda/core/model';
import { evaluateWebIdentity } from '../../lambda/core/policy/evaluate';
import { normalizeTrustPolicy } from '../../lambda/core/policy/normalize';
import {
  accountRootTrust,
  awsDocsChainedTrust,
  awsDocsNamespaceTrust,
  awsDocsTrust,
  cdkPodIdentityTrust,
  cdkServiceAccountTrust,
  eksBlueprintsTrust,
  eksctlAudienceOnlyTrust,
  eksctlPodIdentityTrust,
  eksctlSubjectPatternTrust,
  eksctlTrust,
  type OidcProviderRef,
  oidcProvider,
  type TrustDocument,
  terraformTrust,
} from '../../scripts/shapes/trust-policies';
import {
  type ExpectedFinding,
  inventoryWarnings,
  loadInventory,
  matchFindings,
  REAL_TOOL_FIXTURES_ROOT,
  readJson,
} from '../helpers/inventory';

interface RealToolFixture {
  description: string;
  source: string;
  inventory: {
    accounts: {
      accountId: string;
      oidcProviders: { url: string }[];
      roles?: { arn: string; trustPolicy: unknown }[];
    }[];
  };
  /** The true positives / accepted hardening findings of §6; nothing else may fire. */
  requiredFindings: ExpectedFinding[];
}

const fixtures = readdirSync(REAL_TOOL_FIXTURES_ROOT)
  .filter((name) => name.endsWith('.json'))
  .sort()
  .map((name) => ({
    name: name.slice(0, -'.json'.length),
    file: path.join(REAL_TOOL_FIXTURES_ROOT, name),
    fixture: readJson<RealToolFixture>(path.join(REAL_TOOL_FIXTURES_ROOT, name)),
  }));

type Encode = (policy: unknown) => unknown;
const ENCODINGS: [string, Encode][] = [
  ['as an object', (policy) => policy],
  ['URL-encoded compact (IAM API)', (policy) => encodeURIComponent(JSON.stringify(policy))],
  ['URL-encoded as written (indented)', (policy) => encodeURIComponent(JSON.stringify(policy, null, 4))],
];

function withEncodedTrust(fixture: RealToolFixture, encode: Encode): unknown {
  const copy = structuredClone(fixture.inventory);
  for (const account of copy.accounts) {
    for (const role of account.roles ?? []) role.trustPolicy = encode(role.trustPolicy);
  }
  return copy;
}

/** Every IRSA service account of the inventory with the role its annotation names. */
function annotatedServiceAccounts(inventory: Inventory) {
  return inventory.accounts.flatMap((account) =>
    account.clusters.flatMap((cluster) =>
      cluster.serviceAccounts
        .filter((serviceAccount) => serviceAccount.annotations[ANNOTATION_ROLE_ARN])
        .map((serviceAccount) => ({
          cluster,
          serviceAccount,
          roleArn: serviceAccount.annotations[ANNOTATION_ROLE_ARN],
        })),
    ),
  );
}

test('the real-tool fixtures cover every shape docs/irsa-semantics.md §6 lists', () => {
  expect(fixtures.map((entry) => entry.name)).toEqual([
    'f1-aws-docs',
    'f1b-aws-docs-namespace-wide',
    'f1c-aws-docs-cross-account-chained',
    'f2-eksctl',
    'f2b-eksctl-subject-pattern',
    'f2c-eksctl-aud-only',
    'f3-terraform-v6',
    'f3b-terraform-v5-self-assume',
    'f3c-eks-blueprints',
    'f4-cdk-service-account',
    'f4b-cdk-pod-identity',
    'f4c-eksctl-pod-identity',
  ]);
});

/**
 * The shared builder calls that reproduce each fixture's roles, keyed by role ARN: the inputs are what
 * one gives the tool (namespace, service account, pattern); `provider` is the fixture's OIDC provider.
 */
const BUILT: Record<
  string,
  (provider: OidcProviderRef, roleArn: (name: string) => string) => Record<string, TrustDocument>
> = {
  'f1-aws-docs': (provider, role) => ({
    [role('my-role')]: awsDocsTrust(provider, 'default', 'my-service-account'),
  }),
  'f1b-aws-docs-namespace-wide': (provider, role) => ({
    [role('my-role')]: awsDocsNamespaceTrust(provider, 'default'),
  }),
  'f1c-aws-docs-cross-account-chained': (provider, role) => ({
    [role('account-a-role')]: awsDocsChainedTrust(provider),
    'arn:aws:iam::444455556666:role/account-b-role': accountRootTrust('111122223333', {}),
  }),
  'f2-eksctl': (provider, role) => ({
    [role('eksctl-prod-addon-iamserviceaccount-kube-sys-Role1-1Q2W3E4R5T6Y7')]: eksctlTrust(
      provider,
      'kube-system',
      'aws-load-balancer-controller',
    ),
  }),
  'f2b-eksctl-subject-pattern': (provider, role) => ({
    [role('eksctl-prod-addon-iamserviceaccount-kube-sys-Role1-1Q2W3E4R5T6Y7')]: eksctlSubjectPatternTrust(
      provider,
      'monitoring',
      'prometheus-*',
    ),
  }),
  'f2c-eksctl-aud-only': (provider, role) => ({
    [role('eksctl-prod-addon-iamserviceaccount-kube-sys-Role1-1Q2W3E4R5T6Y7')]:
      eksctlAudienceOnlyTrust(provider),
  }),
  'f3-terraform-v6': (provider, role) => ({
    [role('vpc-cni-and-app')]: terraformTrust([
      { provider, serviceAccounts: ['kube-system:aws-node', 'default:app'] },
    ]),
  }),
  'f3b-terraform-v5-self-assume': (provider, role) => ({
    [role('my-role')]: terraformTrust(
      [{ provider, serviceAccounts: ['kube-system:ebs-csi-controller-sa'] }],
      {
        emptySid: true,
        selfAssumeRoleArn: role('my-role'),
      },
    ),
  }),
  'f3c-eks-blueprints': (provider, role) => ({
    [role('argocd-irsa')]: eksBlueprintsTrust(provider, 'argocd', 'argocd-*'),
  }),
  'f4-cdk-service-account': (provider, role) => ({
    [role('Stack-MyServiceAccountRole1A2B3C4D-7HJ3K9L2M4N6')]: cdkServiceAccountTrust(
      provider,
      'default',
      'stackmyserviceaccount58b9529e',
    ),
  }),
  'f4b-cdk-pod-identity': (_provider, role) => ({
    [role('Stack-MyServiceAccountRolePodIdentity-9QW8ER7TY6UI')]: cdkPodIdentityTrust(),
  }),
  'f4c-eksctl-pod-identity': (_provider, role) => ({
    [role('eksctl-prod-podidentityrole-default-s3-reader-4R5T6Y7U8I9O')]: eksctlPodIdentityTrust(),
  }),
};

test('every real-tool fixture has its shared builder', () => {
  expect(Object.keys(BUILT).sort()).toEqual(fixtures.map((entry) => entry.name));
});

describe.each(fixtures.map((entry) => [entry.name, entry] as const))('%s', (name, { file, fixture }) => {
  test('the shared builders of scripts/shapes produce its trust policies', () => {
    // Arrange
    const [home] = fixture.inventory.accounts;
    const provider = oidcProvider(home.accountId, home.oidcProviders[0].url);
    const roleArn = (roleName: string) => `arn:aws:iam::${home.accountId}:role/${roleName}`;
    const vendored = Object.fromEntries(
      fixture.inventory.accounts.flatMap((account) =>
        (account.roles ?? []).map((role) => [role.arn, role.trustPolicy] as const),
      ),
    );

    // Act
    const built = BUILT[name]?.(provider, roleArn);

    // Assert
    expect(built).toStrictEqual(vendored);
  });

  test.each(ENCODINGS)('trust %s: only the findings §6 names, and those fire', (_encoding, encode) => {
    // Arrange
    const inventory = loadInventory(withEncodedTrust(fixture, encode), file);

    // Act
    const result = runChecks(inventory, CHECKS);

    // Assert
    expect(inventoryWarnings(withEncodedTrust(fixture, encode), file)).toEqual([]);
    expect(result.checkErrors).toEqual([]);
    expect(result.skipped).toEqual([]);
    expect(matchFindings(result.findings, fixture.requiredFindings)).toEqual({
      missing: [],
      unexpected: [],
    });
  });

  test('every annotated service account is allowed by its role (encoded policy evaluated directly)', () => {
    // Arrange
    const inventory = loadInventory(fixture.inventory, file);
    const serviceAccounts = annotatedServiceAccounts(inventory);
    const roles = new Map(
      fixture.inventory.accounts.flatMap((account) =>
        (account.roles ?? []).map((role) => [role.arn, role.trustPolicy] as const),
      ),
    );

    // Act
    const verdicts = serviceAccounts.map(({ cluster, serviceAccount, roleArn }) => {
      const [, partition, , , accountId] = roleArn.split(':');
      const policy = normalizeTrustPolicy(
        decodeTrustPolicy(encodeURIComponent(JSON.stringify(roles.get(roleArn)))),
      );
      return evaluateWebIdentity(
        policy,
        { accountId, partition },
        {
          issuer: cluster.oidcIssuer!.replace(/^https:\/\//, ''),
          sub: `system:serviceaccount:${serviceAccount.namespace}:${serviceAccount.name}`,
          aud: 'sts.amazonaws.com',
        },
      ).verdict;
    });

    // Assert
    expect(verdicts.every((verdict) => verdict === 'allow')).toBe(true);
    const podIdentityOnly = inventory.accounts.every((account) =>
      account.clusters.every((cluster) => cluster.podIdentityAssociations.length > 0),
    );
    expect(serviceAccounts.length > 0 || podIdentityOnly).toBe(true);
  });
});
