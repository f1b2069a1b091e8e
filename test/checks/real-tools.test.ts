/**
 * No false positives on real tool output (issue 2 item 5, reference/irsa-semantics.md §6): trust
 * policies exactly as the AWS docs, eksctl, terraform-aws-modules v5/v6, EKS Blueprints and AWS CDK
 * render them, each in a realistic inventory with the service account it was made for. The only
 * findings allowed are the ones §6 names (listed per fixture in `requiredFindings`, which must fire):
 * cluster-wide trusts (F1c, F2c), namespace-confined patterns (F1b, F2b, F3c), a missing aud (F1c).
 * Each fixture also runs with its trust policies URL-encoded as the IAM API returns them.
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
  inventory: { accounts: { roles?: { arn: string; trustPolicy: unknown }[] }[] };
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

test('the real-tool fixtures cover every shape reference §6 lists', () => {
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

describe.each(fixtures.map((entry) => [entry.name, entry] as const))('%s', (_name, { file, fixture }) => {
  test.each(ENCODINGS)('trust %s: only the findings §6 names, and those fire', (_encoding, encode) => {
    // Arrange
    const inventory = loadInventory(withEncodedTrust(fixture, encode), file);

    // Act
    const result = runChecks(inventory, CHECKS);

    // Assert
    expect(inventoryWarnings(withEncodedTrust(fixture, encode), file)).toEqual([]);
    expect(result.checkErrors).toEqual([]);
    expect(result.skipped).toEqual([]);
    expect(matchFindings(result.findings, fixture.requiredFindings)).toEqual({ missing: [], unexpected: [] });
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
