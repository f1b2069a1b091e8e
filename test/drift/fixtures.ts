/** Hand-built findings and inventories for drift, store, notification and pipeline tests. */
import { dependenciesOf } from '../../lambda/core/checks/index';
import { type Finding, type FindingResource, fingerprintOf } from '../../lambda/core/findings';
import type { Account, Cluster, CoverageError, Inventory, Severity } from '../../lambda/core/model';
import type { ScanResult } from '../../lambda/core/scan-result';

export const PROD = '111122223333';
export const DEV = '444455556666';
export const SHARED = '777788889999';

/** What each check reads, from the registry itself (drift.ts `CheckDependencies`). */
export const dependencies = dependenciesOf;

export function finding(
  checkId: string,
  resource: FindingResource,
  overrides: Partial<Omit<Finding, 'fingerprint' | 'resource' | 'checkId'>> & { discriminator?: string } = {},
): Finding {
  const { discriminator, ...rest } = overrides;
  return {
    checkId,
    severity: 'high',
    title: `${checkId} title`,
    message: `${checkId} on ${resource.roleArn ?? resource.serviceAccount ?? resource.cluster ?? resource.accountId}`,
    resource,
    remediation: 'kubectl annotate serviceaccount … eks.amazonaws.com/role-arn=…',
    fingerprint: fingerprintOf(checkId, resource, discriminator),
    ...rest,
  };
}

export const roleArn = (account: string, name: string): string => `arn:aws:iam::${account}:role/${name}`;

export function cluster(
  name: string,
  region: string,
  kubernetes: Cluster['kubernetes'] = { status: 'ok' },
): Cluster {
  return {
    name,
    region,
    oidcIssuer: `https://oidc.eks.${region}.amazonaws.com/id/${name.toUpperCase()}`,
    podIdentityAssociations: [],
    kubernetes,
    serviceAccounts: [{ namespace: 'apps', name: 'web', annotations: {} }],
    pods: [],
  };
}

export function account(accountId: string, parts: Partial<Omit<Account, 'accountId'>> = {}): Account {
  return {
    accountId,
    oidcProviders: [],
    roles: [{ arn: roleArn(accountId, 'web'), trustPolicy: { kind: 'parsed', document: {} } }],
    clusters: [],
    errors: [],
    ...parts,
  };
}

export function inventory(...accounts: Account[]): Inventory {
  return { schemaVersion: 1, generatedAt: '2026-11-29T03:00:00Z', accounts };
}

export const accountError = (code = 'AccessDenied'): CoverageError => ({
  scope: 'account',
  code,
  message: `could not assume the audit role (${code})`,
});

export function scanResult(findings: Finding[], inv?: Inventory): ScanResult {
  const bySeverity = { critical: 0, high: 0, medium: 0, low: 0, info: 0 } as Record<Severity, number>;
  for (const each of findings) bySeverity[each.severity]++;
  return {
    schemaVersion: 1,
    summary: {
      accounts: inv?.accounts.length ?? 0,
      clusters: 0,
      roles: 0,
      serviceAccounts: 0,
      pods: 0,
      findings: findings.length,
      bySeverity,
      byCheck: {},
      coverageErrors: 0,
      skippedChecks: 0,
      checkErrors: 0,
    },
    findings,
    skipped: [],
    checkErrors: [],
  };
}
