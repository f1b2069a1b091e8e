import type { StoredFinding } from '../../lambda/app/stored-finding';
import {
  renderFindingsJson,
  renderFindingsTable,
  renderHistoryJson,
  renderHistoryTable,
  renderRunsJson,
  renderRunsTable,
} from '../../lambda/report/results-report';
import type { FindingsResult } from '../../lambda/store/queries';
import { finding, PROD, roleArn } from '../drift/fixtures';

const stored: StoredFinding = {
  ...finding('sa.role-untrusted', {
    accountId: PROD,
    region: 'us-west-2',
    cluster: 'prod',
    namespace: 'apps',
    serviceAccount: 'web',
    roleArn: roleArn(PROD, 'web'),
  }),
  message: 'Role web does not trust system:serviceaccount:apps:web\n(nearest: apps:webapp)',
  status: 'open',
  firstSeen: '2026-11-29T03:00:00.000Z',
  openedRunId: 'run-1',
  lastSeen: '2026-11-29T03:00:00.000Z',
  lastSeenRunId: 'run-1',
  contentHash: 'abc',
};

const result: FindingsResult = {
  filter: { status: 'open' },
  plan: { indexName: 'gsi1', reason: 'status and severity index' },
  findings: [stored],
};

describe('renderers', () => {
  it('renders findings as an aligned table, one line per finding', () => {
    const table = renderFindingsTable(result);
    const lines = table.trimEnd().split('\n');
    expect(lines[0]).toMatch(
      /^SEVERITY\s+CHECK\s+ACCOUNT\s+WHERE\s+RESOURCE\s+SINCE\s+FINGERPRINT\s+MESSAGE$/,
    );
    expect(lines[1]).toMatch(
      new RegExp(
        `^HIGH\\s+sa\\.role-untrusted\\s+${PROD}\\s+us-west-2/prod\\s+apps/web\\s+2026-11-29\\s+${stored.fingerprint}\\s+Role web does not trust .* \\(nearest: apps:webapp\\)$`,
      ),
    );
    expect(lines[1].indexOf('sa.role-untrusted')).toBe(lines[0].indexOf('CHECK'));
    expect(renderFindingsTable({ ...result, findings: [] })).toBe('No open findings match.\n');
  });

  it('renders stable JSON', () => {
    const json = JSON.parse(renderFindingsJson({ ...result, cursor: 'abc' }));
    expect(json).toEqual({
      schemaVersion: 1,
      filter: { status: 'open' },
      count: 1,
      cursor: 'abc',
      findings: [
        expect.objectContaining({
          fingerprint: stored.fingerprint,
          status: 'open',
          checkId: 'sa.role-untrusted',
          firstSeen: stored.firstSeen,
          resource: stored.resource,
        }),
      ],
    });
    expect(json.findings[0].contentHash).toBeUndefined();
  });

  it('renders runs and history', () => {
    const runs = {
      runs: [
        {
          schemaVersion: 1 as const,
          runId: 'run-2',
          status: 'partial' as const,
          startedAt: '2026-11-30T03:00:00.000Z',
          durationMs: 125_000,
          audited: {
            accounts: 3,
            accountsFailed: 1,
            regionsFailed: 0,
            clusters: 2,
            clustersUnreachable: 0,
            roles: 9,
            serviceAccounts: 4,
            pods: 8,
          },
          drift: { new: 1, resolved: 0, open: 7, unverified: 2, outOfScope: 0 },
          coverageErrorCount: 1,
          notification: { mode: 'changes' as const, status: 'published' as const },
        },
      ],
    };
    expect(renderRunsTable(runs)).toMatch(
      /2026-11-30 03:00:00\s+run-2\s+partial\s+2m05s\s+2\/3\s+1\s+0\s+7\s+1\s+published/,
    );
    expect(JSON.parse(renderRunsJson(runs)).runs[0].runId).toBe('run-2');

    const history = {
      fingerprint: stored.fingerprint,
      state: stored,
      events: [
        {
          fingerprint: stored.fingerprint,
          event: 'opened' as const,
          at: stored.firstSeen,
          runId: 'run-1',
          checkId: stored.checkId,
          severity: stored.severity,
          title: stored.title,
          message: stored.message,
          resource: stored.resource,
        },
      ],
    };
    expect(renderHistoryTable(history)).toContain('2026-11-29 03:00:00  opened  high      run-1');
    expect(JSON.parse(renderHistoryJson(history)).events).toEqual([
      { event: 'opened', at: stored.firstSeen, runId: 'run-1', severity: 'high', message: stored.message },
    ]);
  });
});
