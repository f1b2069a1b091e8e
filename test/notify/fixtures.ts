import type { NotificationDrift } from '../../lambda/app/notification';
import type { RunRecord } from '../../lambda/app/run-record';
import type { Finding } from '../../lambda/core/findings';
import { DEV, finding, PROD, roleArn } from '../drift/fixtures';

export const critical = finding(
  'trust.sub-unrestricted',
  { accountId: PROD, roleArn: roleArn(PROD, 'web'), statement: 0 },
  {
    severity: 'critical',
    message: 'Role web trusts every service account of cluster prod (no :sub condition).',
  },
);
export const high = finding('sa.role-untrusted', {
  accountId: PROD,
  region: 'us-west-2',
  cluster: 'prod',
  namespace: 'apps',
  serviceAccount: 'web',
  roleArn: roleArn(PROD, 'web'),
});
export const resolvedLow = finding(
  'trust.aud-missing',
  { accountId: DEV, roleArn: roleArn(DEV, 'api') },
  { severity: 'low' },
);

export function drift(parts: Partial<NotificationDrift> = {}): NotificationDrift {
  return { new: [], resolved: [], unverified: [], ...parts };
}

export function runRecord(overrides: Partial<RunRecord> = {}): RunRecord {
  return {
    schemaVersion: 1,
    runId: '20261129T030000Z-1a2b3c4d',
    status: 'succeeded',
    startedAt: '2026-11-29T03:00:00.000Z',
    endedAt: '2026-11-29T03:04:10.000Z',
    durationMs: 250_000,
    audited: {
      accounts: 3,
      accountsFailed: 0,
      regionsFailed: 0,
      clusters: 4,
      clustersUnreachable: 0,
      roles: 120,
      serviceAccounts: 300,
      pods: 900,
    },
    openBySeverity: { critical: 1, high: 5, medium: 2, low: 7, info: 0 },
    drift: { new: 0, resolved: 0, open: 15, unverified: 0, outOfScope: 0 },
    ...overrides,
  };
}

/** `count` findings with long messages, as an organization-wide regression would produce. */
export function manyFindings(count: number): Finding[] {
  return Array.from({ length: count }, (_, i) =>
    finding(
      'pod.irsa-not-injected',
      {
        accountId: PROD,
        region: 'us-west-2',
        cluster: `cluster-${i % 40}`,
        namespace: `team-${i}`,
        workload: `Deployment/app-${i}`,
      },
      {
        severity: i % 7 === 0 ? 'critical' : 'high',
        message: `Pods of Deployment/app-${i} run without AWS_ROLE_ARN: ${'they started before the annotation; '.repeat(8)}`,
        remediation: `kubectl -n team-${i} rollout restart deployment/app-${i}`,
      },
    ),
  );
}
